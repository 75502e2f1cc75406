# Helpers shared by the Kubernetes and compose rules (no METADATA: not a rule).
package vouch.lib.workload

# Every container image, Kubernetes and compose alike.
images contains x if {
	r := input.k8s.resources[_]
	c := r.containers[_]
	c.image != null
	not c.image.has_variable
	x := {"where": where(r, c), "ref": c.image, "line": c.image_line}
}

images contains x if {
	s := input.compose.services[_]
	s.image != null
	not s.image.has_variable
	x := {"where": sprintf("service %q", [s.name]), "ref": s.image, "line": s.image_line}
}

containers contains [r, c] if {
	r := input.k8s.resources[_]
	c := r.containers[_]
}

where(r, c) := sprintf("%s/%s container %q", [r.kind, r.name, c.name]) if c.type == "container"

where(r, c) := sprintf("%s/%s %s container %q", [r.kind, r.name, c.type, c.name]) if c.type != "container"
