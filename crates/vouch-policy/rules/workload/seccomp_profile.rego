# METADATA
# id: workload-seccomp-profile
# title: Container runs without a seccomp profile
# severity: medium
# rationale: Without `seccompProfile.type: RuntimeDefault` (or a `Localhost` profile) on the pod
#   or the container, most runtimes start the container unconfined: every system call of the
#   kernel is open to it, including those container escapes use.
# remediation: Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (it applies
#   to every container) or on the container.
package vouch.rules.workload.seccomp_profile

import data.vouch.lib.workload as lib

allowed := {"RuntimeDefault", "Localhost"}

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	c.effective.seccomp_profile == null
	f := {"msg": sprintf("%s sets no seccomp profile (RuntimeDefault or Localhost)", [lib.where(r, c)]), "line": c.line}
}

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	p := c.effective.seccomp_profile
	p != null
	not p in allowed
	f := {"msg": sprintf("%s uses seccomp profile %v, not RuntimeDefault or Localhost", [lib.where(r, c), p]), "line": c.seccomp_line}
}
