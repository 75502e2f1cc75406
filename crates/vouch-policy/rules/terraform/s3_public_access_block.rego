# METADATA
# id: terraform-s3-public-access-block
# title: S3 bucket without a full public access block
# severity: medium
# rationale: Without an `aws_s3_bucket_public_access_block` that sets `block_public_acls`,
#   `block_public_policy`, `ignore_public_acls` and `restrict_public_buckets`, one later ACL or
#   policy change makes the bucket public. A setting that is absent is false (the provider's
#   default); one whose value is not known statically is reported as such (as trivy and
#   checkov do: only a literal true counts).
# remediation: Add an `aws_s3_bucket_public_access_block` for the bucket with all four
#   settings true (or rely on an account-level block and suppress this finding with a reason).
package vouch.rules.terraform.s3_public_access_block

import data.vouch.lib.terraform as lib

settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

deny contains f if {
	some b in lib.resources
	b.type == "aws_s3_bucket"
	count(lib.linked(b, "aws_s3_bucket_public_access_block", "bucket")) == 0
	f := {"msg": sprintf("%s has no aws_s3_bucket_public_access_block", [lib.where(b)]), "line": b.line}
}

deny contains f if {
	some pab in lib.resources
	pab.type == "aws_s3_bucket_public_access_block"
	some s in settings
	v := lib.attr(pab, s)
	v != true
	f := {"msg": sprintf("%s sets %s to %s", [named(pab), s, shown(v)]), "line": lib.line(pab, s)}
}

buckets_of(pab) := {b |
	some b in lib.all
	b.type == "aws_s3_bucket"
	b.module == pab.module
	lib.refers(lib.attr(pab, "bucket"), b, "bucket")
}

named(pab) := sprintf("%s (bucket %s)", [lib.where(pab), b.address]) if {
	count(buckets_of(pab)) == 1
	some b in buckets_of(pab)
}

named(pab) := lib.where(pab) if count(buckets_of(pab)) != 1

shown(null) := "false (absent)"

shown(v) := lib.shown(v) if v != null
