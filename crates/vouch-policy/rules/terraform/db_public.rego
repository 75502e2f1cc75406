# METADATA
# id: terraform-db-public
# title: Database publicly accessible
# severity: high
# rationale: `publicly_accessible = true` gives an RDS instance, an Aurora instance or a
#   Redshift cluster an address reachable from the internet; only its security group stands
#   between it and every scanner. A Redshift cluster without the setting is reported too: the
#   AWS provider before v6 defaults it to true.
# remediation: Set `publicly_accessible = false` and reach the database from inside the VPC
#   (a bastion, VPN or PrivateLink).
package vouch.rules.terraform.db_public

import data.vouch.lib.terraform as lib

deny contains f if {
	some r in lib.resources
	r.type in {"aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster"}
	lib.attr(r, "publicly_accessible") == true
	f := {"msg": sprintf("%s is publicly accessible", [lib.where(r)]), "line": lib.line(r, "publicly_accessible")}
}

deny contains f if {
	some r in lib.resources
	r.type == "aws_redshift_cluster"
	not "publicly_accessible" in object.keys(r.attributes)
	f := {"msg": sprintf("%s does not set publicly_accessible (the AWS provider before v6 defaults it to true)", [lib.where(r)]), "line": r.line}
}
