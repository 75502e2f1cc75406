# METADATA
# id: terraform-gcp-sql-public
# title: Cloud SQL instance authorises the whole internet
# severity: high
# rationale: A public IP with an authorised network of 0.0.0.0/0 (or ::/0) lets every address
#   on the internet connect to the Cloud SQL instance; only the database password protects it.
# remediation: Remove the 0.0.0.0/0 authorised network; use private IP, or the Cloud SQL Auth
#   Proxy, and authorise only known ranges.
package vouch.rules.terraform.gcp_sql_public

import data.vouch.lib.terraform as lib

deny contains f if {
	some r in lib.resources
	r.type == "google_sql_database_instance"
	some s in object.get(r.attributes, "settings", [])
	some ip in object.get(s, "ip_configuration", [])
	object.get(ip, "ipv4_enabled", true) != false
	some n in object.get(ip, "authorized_networks", [])
	lib.open_cidr(object.get(n, "value", ""))
	f := {"msg": sprintf("%s authorises %s on its public IP", [lib.where(r), n.value]), "line": net_line(r, n)}
}

net_line(r, n) := lib.block_line(n, "value") if {
	r.call == null
	n._line
}

net_line(r, n) := lib.line(r, "settings") if not local(r, n)

local(r, n) if {
	r.call == null
	n._line
}
