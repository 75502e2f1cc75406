# METADATA
# id: terraform-rds-unencrypted
# title: RDS storage not encrypted
# severity: high
# rationale: `storage_encrypted` is false by default on `aws_db_instance` and `aws_rds_cluster`:
#   the database files, automated backups, read replicas and snapshots are stored in clear,
#   and encryption cannot be added later without a snapshot-copy-restore. Read replicas
#   (`replicate_source_db`) inherit their source's encryption and Aurora Serverless v1 is
#   always encrypted, so neither is reported. A value not known statically is reported as such.
# remediation: Set `storage_encrypted = true` (and `kms_key_id` for a customer-managed key).
package vouch.rules.terraform.rds_unencrypted

import data.vouch.lib.terraform as lib

deny contains f if {
	some r in lib.resources
	r.type in {"aws_db_instance", "aws_rds_cluster"}
	v := lib.attr(r, "storage_encrypted")
	v != true
	lib.attr(r, "replicate_source_db") == null
	lib.attr(r, "engine_mode") != "serverless"
	f := {"msg": sprintf("%s does not encrypt its storage (storage_encrypted = %s)", [lib.where(r), shown(v)]), "line": lib.line(r, "storage_encrypted")}
}

shown(null) := "absent, false by default"

shown(v) := lib.shown(v) if v != null
