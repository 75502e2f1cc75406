# METADATA
# id: workload-host-namespace
# title: Pod shares the host network, PID or IPC namespace
# severity: high
# rationale: Host namespaces let a container see and reach the node's processes and network
#   interfaces, bypassing network policy and exposing other workloads.
# remediation: Remove `hostNetwork`, `hostPID` and `hostIPC` (compose: `network_mode: host`,
#   `pid: host`).
package vouch.rules.workload.host_namespace

deny contains f if {
	r := input.k8s.resources[_]
	r.pod_spec != null
	some field, label in {"host_network": "hostNetwork", "host_pid": "hostPID", "host_ipc": "hostIPC"}
	r.pod_spec[field] == true
	line := object.get(r.pod_spec, sprintf("%s_line", [field]), r.line)
	f := {"msg": sprintf("%s/%s sets %s: true", [r.kind, r.name, label]), "line": line}
}

deny contains f if {
	s := input.compose.services[_]
	s.network_mode == "host"
	f := {"msg": sprintf("service %q uses network_mode: host", [s.name]), "line": s.network_mode_line}
}

deny contains f if {
	s := input.compose.services[_]
	s.pid == "host"
	f := {"msg": sprintf("service %q uses pid: host", [s.name]), "line": s.pid_line}
}
