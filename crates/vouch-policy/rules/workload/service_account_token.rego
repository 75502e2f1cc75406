# METADATA
# id: workload-service-account-token
# title: Service-account token is mounted automatically
# severity: low
# rationale: Unless `automountServiceAccountToken: false` is set, every container gets a token for
#   the Kubernetes API; an intruder in any container can use it with whatever rights the service
#   account has. Most workloads never call the API.
# remediation: Set `automountServiceAccountToken: false` in the pod spec (or on its ServiceAccount
#   and leave the pod spec without the field) unless the workload calls the API.
package vouch.rules.workload.service_account_token

deny contains f if {
	r := input.k8s.resources[_]
	r.pod_spec != null
	r.pod_spec.automount_service_account_token != false
	not account_opts_out(r)
	f := {"msg": sprintf("%s/%s mounts a service-account token (automountServiceAccountToken is not false)", [r.kind, r.name]), "line": r.pod_spec.automount_service_account_token_line}
}

# The pod spec leaves the field out and its ServiceAccount, defined in the same input, says false.
account_opts_out(r) if {
	r.pod_spec.automount_service_account_token == null
	sa := input.k8s.resources[_]
	sa.kind == "ServiceAccount"
	sa.name == object.get(r.pod_spec, "service_account_name", "default")
	sa.automount_service_account_token == false
}
