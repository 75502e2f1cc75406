# METADATA
# id: terraform-s3-public-policy
# title: S3 bucket policy allows any principal
# severity: high
# rationale: A bucket policy statement that allows `Principal: "*"` (or `{"AWS": "*"}`) without
#   a condition opens the bucket to everyone on the internet. Checked on the inline `policy` of
#   `aws_s3_bucket` (provider v3) and on `aws_s3_bucket_policy` (v4+), as JSON text
#   (`jsonencode`, heredoc) or an `aws_iam_policy_document` data source; a linked public access
#   block with `restrict_public_buckets` makes S3 refuse such access, so it is not reported.
# remediation: Name the principals that need access, or add a condition (`aws:SourceVpce`,
#   `aws:PrincipalOrgID`) that restricts it.
package vouch.rules.terraform.s3_public_policy

import data.vouch.lib.terraform as lib

# The buckets a separate resource belongs to, when they are in the folder (by reference, or
# by a literal name that several buckets may share), or the bucket itself.
buckets_of(r) := {b |
	some b in lib.all
	b.type == "aws_s3_bucket"
	b.module == r.module
	lib.refers(lib.attr(r, "bucket"), b, "bucket")
} if r.type != "aws_s3_bucket"

buckets_of(r) := {r} if r.type == "aws_s3_bucket"

restricted(r) if {
	some b in buckets_of(r)
	some pab in lib.linked(b, "aws_s3_bucket_public_access_block", "bucket")
	lib.attr(pab, "restrict_public_buckets") == true
}

deny contains f if {
	some r in lib.resources
	r.type in {"aws_s3_bucket", "aws_s3_bucket_policy"}
	some pair in lib.policy_statements(r, "policy")
	s := pair[0]
	lib.allows(s)
	lib.any_principal(s)
	object.get(s, "Condition", null) in {null, [], {}}
	not restricted(r)
	f := {"msg": sprintf("%s allows any principal (\"*\") in its bucket policy", [named(r)]), "line": pair[1]}
}

# The resource, and for a separate resource the bucket it belongs to (when it is one).
named(r) := sprintf("%s (bucket %s)", [lib.where(r), b.address]) if {
	r.type != "aws_s3_bucket"
	count(buckets_of(r)) == 1
	some b in buckets_of(r)
}

named(r) := lib.where(r) if count(buckets_of(r)) != 1

named(r) := lib.where(r) if r.type == "aws_s3_bucket"
