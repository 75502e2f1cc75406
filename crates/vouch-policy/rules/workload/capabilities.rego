# METADATA
# id: workload-capabilities
# title: Container keeps or adds Linux capabilities
# severity: medium
# rationale: Container runtimes grant a default set of capabilities (NET_RAW among them, which
#   allows packet spoofing); SYS_ADMIN is close to root on the node. Dropping ALL and adding back
#   only what the program needs is the baseline of the Pod Security Standards' restricted profile.
# remediation: Set `securityContext.capabilities.drop: [ALL]` and add only the capabilities the
#   program needs (never SYS_ADMIN, NET_RAW or ALL); NET_BIND_SERVICE is the usual one.
package vouch.rules.workload.capabilities

import data.vouch.lib.workload as lib

dangerous := {"ALL", "SYS_ADMIN", "NET_RAW"}

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	not "ALL" in c.capabilities.drop
	f := {"msg": sprintf("%s does not drop ALL capabilities", [lib.where(r, c)]), "line": c.line}
}

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	some cap in c.capabilities.add
	cap in dangerous
	f := {"msg": sprintf("%s adds capability %s", [lib.where(r, c), cap]), "line": c.capabilities_add_line}
}

deny contains f if {
	s := input.compose.services[_]
	is_array(s.cap_add)
	some raw in s.cap_add
	cap := trim_prefix(upper(raw), "CAP_")
	cap in dangerous
	f := {"msg": sprintf("service %q adds capability %s", [s.name, cap]), "line": s.line}
}
