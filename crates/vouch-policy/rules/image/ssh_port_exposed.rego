# METADATA
# id: image-ssh-port-exposed
# title: Image exposes the SSH port
# severity: medium
# rationale: An image that exposes port 22 usually runs an SSH server beside its application:
#   another service to patch, another set of credentials, and a way in that bypasses the
#   orchestrator's access control (`kubectl exec`, `docker exec`).
# remediation: Remove `EXPOSE 22` and the SSH server; use the orchestrator's exec or a debug
#   container to get into a running container.
package vouch.rules.image.ssh_port_exposed

# `22/tcp` or `22` (no protocol means tcp); `22/udp` is not SSH.
deny contains f if {
	some p in input.image.config.exposed_ports
	regex.match(`^22(/tcp)?$`, lower(trim_space(p)))
	f := {
		"msg": sprintf("image exposes the SSH port %s", [p]),
		"path": sprintf("config.ExposedPorts[%q]", [p]),
	}
}
