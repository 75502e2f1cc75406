# METADATA
# id: terraform-gcp-firewall-open
# title: Firewall rule open to the internet on an admin port or all ports
# severity: high
# rationale: A `google_compute_firewall` ingress rule from 0.0.0.0/0 or ::/0 that allows SSH
#   (22), RDP (3389) or every port (protocol `all`, or tcp/udp without `ports`) exposes the
#   instances to the whole internet. An ingress rule with no `source_ranges`, `source_tags` or
#   `source_service_accounts` applies to every source, as GCP does.
# remediation: Restrict `source_ranges` to the ranges that need access, or use IAP TCP
#   forwarding (35.235.240.0/20) for SSH and RDP.
package vouch.rules.terraform.gcp_firewall_open

import data.vouch.lib.terraform as lib

deny contains f if {
	some r in lib.resources
	r.type == "google_compute_firewall"
	object.get(r.attributes, "direction", "INGRESS") == "INGRESS"
	not object.get(r.attributes, "disabled", false) == true
	srcs := sources(r)
	count(srcs) > 0
	some a in object.get(r.attributes, "allow", [])
	what := exposure(a)
	f := {"msg": sprintf("%s allows ingress from %s to %s", [lib.where(r), concat(", ", srcs), what]), "line": lib.line(r, "source_ranges")}
}

sources(r) := [c | some c in lib.items(r.attributes.source_ranges); lib.open_cidr(c)] if r.attributes.source_ranges != null

# No source_ranges, source_tags or source_service_accounts: GCP applies the rule to every
# source (0.0.0.0/0).
sources(r) := ["all sources (no source_ranges, source_tags or source_service_accounts)"] if {
	object.get(r.attributes, "source_ranges", null) == null
	object.get(r.attributes, "source_tags", null) == null
	object.get(r.attributes, "source_service_accounts", null) == null
}

exposure(a) := "all ports" if a.protocol in {"all", "-1"}

exposure(a) := "all ports" if {
	a.protocol in {"tcp", "udp", "sctp", "6", "17"}
	count(object.get(a, "ports", [])) == 0
}

exposure(a) := concat(", ", sort(found)) if {
	a.protocol in {"tcp", "udp", "sctp", "6", "17"}
	count(object.get(a, "ports", [])) > 0
	found := {w |
		some p in a.ports
		rg := lib.port_range(p)
		w := lib.exposed(rg[0], rg[1])
	}
	count(found) > 0
}
