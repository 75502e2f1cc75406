# METADATA
# id: workload-default-namespace
# title: Resource is placed in the default namespace
# severity: low
# rationale: The `default` namespace is shared by everything deployed without thought; workloads
#   there share its service accounts, quotas and network policies. A manifest without
#   `metadata.namespace` lands in whatever namespace `kubectl` points at, usually `default`, so it
#   is reported too. Helm charts are not checked: a release's namespace is chosen at install time.
#   The objects Kubernetes keeps in `default` itself (Service `kubernetes`, ServiceAccount
#   `default`) are not reported.
# remediation: Set `metadata.namespace` to the application's own namespace (or `namespace:` in
#   the kustomization).
package vouch.rules.workload.default_namespace

# Kinds that live outside namespaces.
cluster_scoped := {
	"APIService", "CertificateSigningRequest", "ClusterIssuer", "ClusterRole", "ClusterRoleBinding",
	"CSIDriver", "CSINode", "CustomResourceDefinition", "IngressClass", "Kustomization", "List",
	"MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PodSecurityPolicy",
	"PriorityClass", "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy",
	"ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
}

deny contains f if {
	input.kind != "helm-chart"
	r := input.k8s.resources[_]
	r.kind != ""
	not r.kind in cluster_scoped
	r.namespace == null
	not builtin(r)
	f := {"msg": sprintf("%s/%s has no metadata.namespace (it lands in the current namespace, usually default)", [r.kind, r.name]), "line": r.line}
}

# Objects Kubernetes itself keeps in `default` (as exported by `kubectl get -o yaml`).
builtin(r) if {
	r.kind == "Service"
	r.name == "kubernetes"
}

builtin(r) if {
	r.kind == "ServiceAccount"
	r.name == "default"
}

deny contains f if {
	input.kind != "helm-chart"
	r := input.k8s.resources[_]
	not r.kind in cluster_scoped
	r.namespace == "default"
	not builtin(r)
	f := {"msg": sprintf("%s/%s is in the default namespace", [r.kind, r.name]), "line": r.namespace_line}
}
