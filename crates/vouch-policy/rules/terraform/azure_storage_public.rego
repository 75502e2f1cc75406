# METADATA
# id: terraform-azure-storage-public
# title: Azure storage allows public blob access
# severity: high
# rationale: A storage account with `allow_nested_items_to_be_public` (azurerm v3+, true when
#   absent) or `allow_blob_public_access` (azurerm v2) lets containers be made public, and a
#   container with `container_access_type` `blob` or `container` is readable by anyone.
# remediation: Set `allow_nested_items_to_be_public = false` on the account and
#   `container_access_type = "private"` on containers; share through SAS tokens or Entra ID.
package vouch.rules.terraform.azure_storage_public

import data.vouch.lib.terraform as lib

deny contains f if {
	some r in lib.resources
	r.type == "azurerm_storage_account"
	some k in ["allow_nested_items_to_be_public", "allow_blob_public_access"]
	lib.attr(r, k) == true
	f := {"msg": sprintf("%s sets %s = true", [lib.where(r), k]), "line": lib.line(r, k)}
}

deny contains f if {
	some r in lib.resources
	r.type == "azurerm_storage_account"
	not "allow_nested_items_to_be_public" in object.keys(r.attributes)
	not "allow_blob_public_access" in object.keys(r.attributes)
	f := {"msg": sprintf("%s does not set allow_nested_items_to_be_public (true when absent)", [lib.where(r)]), "line": r.line}
}

deny contains f if {
	some r in lib.resources
	r.type == "azurerm_storage_container"
	t := lib.attr(r, "container_access_type")
	t in {"blob", "container"}
	f := {"msg": sprintf("%s has container_access_type %q (public read)", [lib.where(r), t]), "line": lib.line(r, "container_access_type")}
}
