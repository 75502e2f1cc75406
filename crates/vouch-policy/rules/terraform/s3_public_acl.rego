# METADATA
# id: terraform-s3-public-acl
# title: S3 bucket ACL grants public access
# severity: high
# rationale: A canned ACL of public-read, public-read-write or authenticated-read (any AWS
#   account), or a grant to the AllUsers or AuthenticatedUsers group, lets anyone list or read
#   (or write) the bucket. Checked on `aws_s3_bucket` (provider v3 inline `acl`/`grant`) and
#   `aws_s3_bucket_acl` (v4+), unless a linked public access block sets `ignore_public_acls`.
# remediation: Use `private` (or drop the ACL and set object ownership to BucketOwnerEnforced),
#   and add an `aws_s3_bucket_public_access_block` with all four settings true.
package vouch.rules.terraform.s3_public_acl

import data.vouch.lib.terraform as lib

public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_groups := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

# The bucket an ACL resource belongs to, when it is in the folder.
# The buckets a separate resource belongs to, when they are in the folder (by reference, or
# by a literal name that several buckets may share), or the bucket itself.
buckets_of(r) := {b |
	some b in lib.all
	b.type == "aws_s3_bucket"
	b.module == r.module
	lib.refers(lib.attr(r, "bucket"), b, "bucket")
} if r.type != "aws_s3_bucket"

buckets_of(r) := {r} if r.type == "aws_s3_bucket"

# A linked public access block makes S3 ignore the ACL.
acl_ignored(r) if {
	some b in buckets_of(r)
	some pab in lib.linked(b, "aws_s3_bucket_public_access_block", "bucket")
	lib.attr(pab, "ignore_public_acls") == true
}

deny contains f if {
	some r in lib.resources
	r.type in {"aws_s3_bucket", "aws_s3_bucket_acl"}
	acl := lib.attr(r, "acl")
	acl in public_acls
	not acl_ignored(r)
	f := {"msg": sprintf("%s has ACL %q", [named(r), acl]), "line": lib.line(r, "acl")}
}

# Provider v3 inline grants.
deny contains f if {
	some r in lib.resources
	r.type == "aws_s3_bucket"
	some g in object.get(r.attributes, "grant", [])
	lib.attr({"attributes": g}, "uri") in public_groups
	not acl_ignored(r)
	f := {
		"msg": sprintf("%s grants %v to %s", [named(r), object.get(g, "permissions", []), g.uri]),
		"line": grant_line(r, g),
	}
}

# v4+ `access_control_policy { grant { grantee { uri } permission } }`.
deny contains f if {
	some r in lib.resources
	r.type == "aws_s3_bucket_acl"
	some acp in object.get(r.attributes, "access_control_policy", [])
	some g in object.get(acp, "grant", [])
	some grantee in object.get(g, "grantee", [])
	object.get(grantee, "uri", "") in public_groups
	not acl_ignored(r)
	f := {
		"msg": sprintf("%s grants %v to %s", [named(r), object.get(g, "permission", ""), grantee.uri]),
		"line": grant_line(r, g),
	}
}

grant_line(r, g) := g._line if {
	r.call == null
	g._line
	g._line > 0
}

grant_line(r, g) := lib.line(r, "grant") if not local_grant(r, g)

local_grant(r, g) if {
	r.call == null
	g._line
	g._line > 0
}

# The resource, and for a separate resource the bucket it belongs to (when it is one).
named(r) := sprintf("%s (bucket %s)", [lib.where(r), b.address]) if {
	r.type != "aws_s3_bucket"
	count(buckets_of(r)) == 1
	some b in buckets_of(r)
}

named(r) := lib.where(r) if count(buckets_of(r)) != 1

named(r) := lib.where(r) if r.type == "aws_s3_bucket"
