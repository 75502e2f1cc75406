# METADATA
# id: terraform-ebs-unencrypted
# title: EBS volume not encrypted
# severity: high
# rationale: An unencrypted EBS volume, its snapshots and the copies made of them hold the data
#   in clear; encryption cannot be turned on for an existing volume. Not reported when the
#   module turns on `aws_ebs_encryption_by_default` (the account then encrypts every new
#   volume). A value not known statically is reported as such (only a literal true counts).
# remediation: Set `encrypted = true` (and `kms_key_id` for a customer-managed key), or enable
#   `aws_ebs_encryption_by_default` for the account and region.
package vouch.rules.terraform.ebs_unencrypted

import data.vouch.lib.terraform as lib

default_encryption if {
	some r in lib.all
	r.type == "aws_ebs_encryption_by_default"
	object.get(r.attributes, "enabled", true) == true
}

deny contains f if {
	some r in lib.resources
	r.type == "aws_ebs_volume"
	not default_encryption
	v := lib.attr(r, "encrypted")
	v != true
	lib.attr(r, "snapshot_id") == null
	f := {"msg": sprintf("%s is not encrypted (encrypted = %s)", [lib.where(r), shown(v)]), "line": lib.line(r, "encrypted")}
}

shown(null) := "absent, false by default"

shown(v) := lib.shown(v) if v != null
