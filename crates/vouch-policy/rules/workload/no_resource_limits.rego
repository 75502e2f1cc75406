# METADATA
# id: workload-no-resource-limits
# title: No CPU and memory limits
# severity: low
# rationale: Without limits one container can starve its node, turning a bug or an attack into
#   an outage of its neighbours. Init containers count like containers; ephemeral containers
#   cannot have limits and are not checked.
# remediation: Set `resources.limits.cpu` and `resources.limits.memory` (compose:
#   `deploy.resources.limits` or `mem_limit`).
package vouch.rules.workload.no_resource_limits

import data.vouch.lib.workload as lib

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	c.type != "ephemeral"
	not c.has_limits
	f := {"msg": sprintf("%s has no CPU and memory limits", [lib.where(r, c)]), "line": c.line}
}

deny contains f if {
	s := input.compose.services[_]
	not s.has_limits
	f := {"msg": sprintf("service %q has no memory limit", [s.name]), "line": s.line}
}
