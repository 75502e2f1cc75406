# METADATA
# id: workload-host-path
# title: Host path mounted into a container
# severity: high
# rationale: A hostPath volume (or a bind mount of an absolute host path) exposes the node's
#   filesystem; mounting `/`, `/var/run/docker.sock` or `/etc` is a direct route to the node.
# remediation: Use persistent volumes, configMaps or emptyDir; in compose use named volumes.
package vouch.rules.workload.host_path

deny contains f if {
	r := input.k8s.resources[_]
	v := r.pod_spec.volumes[_]
	v.host_path != null
	f := {"msg": sprintf("%s/%s mounts host path %s", [r.kind, r.name, v.host_path]), "line": v.line}
}

deny contains f if {
	s := input.compose.services[_]
	v := s.volumes[_]
	v.bind
	startswith(v.source, "/")
	f := {"msg": sprintf("service %q bind-mounts host path %s", [s.name, v.source]), "line": s.volumes_line}
}
