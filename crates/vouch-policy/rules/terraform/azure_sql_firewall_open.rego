# METADATA
# id: terraform-azure-sql-firewall-open
# title: Azure database firewall rule allows every address
# severity: high
# rationale: A firewall rule from 0.0.0.0 to 255.255.255.255 on an Azure SQL, PostgreSQL,
#   MySQL or MariaDB server admits every address on the internet. (0.0.0.0 to 0.0.0.0 is
#   Azure's "allow Azure services" switch and is not reported.)
# remediation: Allow only the addresses that need access, or use private endpoints.
package vouch.rules.terraform.azure_sql_firewall_open

import data.vouch.lib.terraform as lib

types := {
	"azurerm_sql_firewall_rule", "azurerm_mssql_firewall_rule",
	"azurerm_postgresql_firewall_rule", "azurerm_postgresql_flexible_server_firewall_rule",
	"azurerm_mysql_firewall_rule", "azurerm_mysql_flexible_server_firewall_rule",
	"azurerm_mariadb_firewall_rule",
}

deny contains f if {
	some r in lib.resources
	r.type in types
	lib.attr(r, "start_ip_address") == "0.0.0.0"
	lib.attr(r, "end_ip_address") == "255.255.255.255"
	f := {"msg": sprintf("%s allows 0.0.0.0-255.255.255.255", [lib.where(r)]), "line": lib.line(r, "end_ip_address")}
}
