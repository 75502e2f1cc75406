# METADATA
# id: workload-privileged
# title: Privileged container
# severity: critical
# rationale: A privileged container has every capability and all devices; escaping to the node
#   is trivial.
# remediation: Remove `privileged: true`; grant only the specific capabilities needed.
package vouch.rules.workload.privileged

import data.vouch.lib.workload as lib

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	c.effective.privileged == true
	f := {"msg": sprintf("%s is privileged", [lib.where(r, c)]), "line": c.line}
}

deny contains f if {
	s := input.compose.services[_]
	s.privileged == true
	f := {"msg": sprintf("service %q is privileged", [s.name]), "line": s.privileged_line}
}
