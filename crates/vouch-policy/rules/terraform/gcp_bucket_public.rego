# METADATA
# id: terraform-gcp-bucket-public
# title: Cloud Storage bucket readable by allUsers or allAuthenticatedUsers
# severity: high
# rationale: Granting a role on a bucket to `allUsers` (anyone) or `allAuthenticatedUsers`
#   (any Google account) makes its objects public. Checked on
#   `google_storage_bucket_iam_member` (`member`), `google_storage_bucket_iam_binding`
#   (`members`), `google_storage_bucket_acl` (`role_entity`) and
#   `google_storage_default_object_acl`.
# remediation: Grant roles to named users, groups or service accounts; turn on uniform
#   bucket-level access and public access prevention (`public_access_prevention = "enforced"`).
package vouch.rules.terraform.gcp_bucket_public

import data.vouch.lib.terraform as lib

public := {"allUsers", "allAuthenticatedUsers"}

deny contains f if {
	some r in lib.resources
	r.type in {"google_storage_bucket_iam_member", "google_storage_bucket_iam_binding"}
	some k in ["member", "members"]
	some m in lib.items(object.get(r.attributes, k, []))
	m in public
	f := {"msg": sprintf("%s grants %v to %s", [lib.where(r), lib.attr(r, "role"), m]), "line": lib.line(r, k)}
}

deny contains f if {
	some r in lib.resources
	r.type in {"google_storage_bucket_acl", "google_storage_default_object_acl"}
	some k in ["role_entity"]
	some e in lib.items(object.get(r.attributes, k, []))
	is_string(e)
	some p in public
	endswith(e, concat("", [":", p]))
	f := {"msg": sprintf("%s grants %s", [lib.where(r), e]), "line": lib.line(r, k)}
}
