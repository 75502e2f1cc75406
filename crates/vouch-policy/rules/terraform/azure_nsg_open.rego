# METADATA
# id: terraform-azure-nsg-open
# title: Network security rule open to the internet on an admin port or all ports
# severity: high
# rationale: An inbound Allow rule from `*`, `Internet`, `Any` or 0.0.0.0/0 to SSH (22), RDP
#   (3389) or every port exposes the virtual machines to the whole internet. Checked on
#   `azurerm_network_security_rule` and the inline `security_rule` blocks of
#   `azurerm_network_security_group`.
# remediation: Restrict the source to known address prefixes, or use Azure Bastion or
#   just-in-time VM access.
package vouch.rules.terraform.azure_nsg_open

import data.vouch.lib.terraform as lib

open_sources := {"*", "0.0.0.0", "0.0.0.0/0", "::/0", "internet", "any"}

violation_of(rule) := msg if {
	lower(object.get(rule, "direction", "")) == "inbound"
	lower(object.get(rule, "access", "")) == "allow"
	not lower(object.get(rule, "protocol", "*")) in {"icmp"}
	srcs := [s |
		some k in ["source_address_prefix", "source_address_prefixes"]
		some s in lib.items(object.get(rule, k, []))
		is_string(s)
		lower(s) in open_sources
	]
	count(srcs) > 0
	found := {w |
		some k in ["destination_port_range", "destination_port_ranges"]
		some p in lib.items(object.get(rule, k, []))
		rg := lib.port_range(p)
		w := lib.exposed(rg[0], rg[1])
	}
	count(found) > 0
	msg := sprintf("inbound from %s to %s", [concat(", ", srcs), concat(", ", sort(found))])
}

deny contains f if {
	some r in lib.resources
	r.type == "azurerm_network_security_rule"
	m := violation_of(r.attributes)
	f := {"msg": sprintf("%s allows %s", [lib.where(r), m]), "line": src_line(r)}
}

deny contains f if {
	some r in lib.resources
	r.type == "azurerm_network_security_group"
	some b in object.get(r.attributes, "security_rule", [])
	is_object(b)
	m := violation_of(b)
	f := {"msg": sprintf("%s rule %q allows %s", [lib.where(r), object.get(b, "name", ""), m]), "line": block_line(r, b)}
}

src_line(r) := lib.line(r, "source_address_prefix") if "source_address_prefix" in object.keys(object.get(r.attributes, "_lines", {}))

src_line(r) := lib.line(r, "source_address_prefixes") if not "source_address_prefix" in object.keys(object.get(r.attributes, "_lines", {}))

block_line(r, b) := lib.block_line(b, "source_address_prefix") if {
	r.call == null
	b._line
}

block_line(r, b) := lib.line(r, "security_rule") if not local(r, b)

local(r, b) if {
	r.call == null
	b._line
}
