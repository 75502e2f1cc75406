# METADATA
# id: workload-run-as-root
# title: Container may run as root
# severity: high
# rationale: Without `runAsNonRoot: true` (or a non-zero `runAsUser`) a container runs as root
#   whenever its image says so, and `runAsUser: 0` asks for root outright.
# remediation: Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` on the pod or
#   container; in compose, set `user:` to an unprivileged uid.
package vouch.rules.workload.run_as_root

import data.vouch.lib.workload as lib

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	c.effective.run_as_user == 0
	f := {"msg": sprintf("%s runs as root (runAsUser: 0)", [lib.where(r, c)]), "line": c.run_as_user_line}
}

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	c.effective.run_as_non_root != true
	not nonzero_user(c)
	f := {"msg": sprintf("%s does not set runAsNonRoot: true", [lib.where(r, c)]), "line": c.line}
}

nonzero_user(c) if {
	is_number(c.effective.run_as_user)
	c.effective.run_as_user > 0
}

deny contains f if {
	s := input.compose.services[_]
	is_string(s.user)
	split(s.user, ":")[0] in {"root", "0"}
	f := {"msg": sprintf("service %q runs as root (user: %s)", [s.name, s.user]), "line": s.line}
}
