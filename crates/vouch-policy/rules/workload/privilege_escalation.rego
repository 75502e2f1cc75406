# METADATA
# id: workload-privilege-escalation
# title: allowPrivilegeEscalation is not false
# severity: medium
# rationale: Unless `allowPrivilegeEscalation: false` is set, setuid binaries and file
#   capabilities in the image can raise a process's privileges.
# remediation: Set `securityContext.allowPrivilegeEscalation: false` on every container.
package vouch.rules.workload.privilege_escalation

import data.vouch.lib.workload as lib

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	c.effective.allow_privilege_escalation != false
	f := {"msg": sprintf("%s does not set allowPrivilegeEscalation: false", [lib.where(r, c)]), "line": c.line}
}
