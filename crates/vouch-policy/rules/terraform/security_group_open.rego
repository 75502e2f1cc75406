# METADATA
# id: terraform-security-group-open
# title: Security group open to the internet on an admin port or all ports
# severity: high
# rationale: Ingress from 0.0.0.0/0 or ::/0 to SSH (22), RDP (3389) or every port exposes the
#   instances to the whole internet's password guessing and exploits. Checked on inline
#   `ingress` blocks of `aws_security_group`, `aws_security_group_rule` (type ingress) and
#   `aws_vpc_security_group_ingress_rule`; protocol -1 (all) opens all ports, as do the ranges
#   0-0 and -1/-1 (read as all ports, as checkov and trivy read them); ICMP opens none.
# remediation: Allow only the address ranges that need access (a VPN, a bastion's group), or
#   use SSM Session Manager instead of open SSH/RDP.
package vouch.rules.terraform.security_group_open

import data.vouch.lib.terraform as lib

icmp := {"icmp", "icmpv6", "1", "58"}

range(proto, _, _) := [0, 65535] if proto in {"-1", "all", -1}

# 0-0 and -1/-1 on tcp/udp are read as all ports, as checkov and trivy read them.
range(proto, from, to) := [0, 65535] if {
	not proto in {"-1", "all", -1}
	not proto in icmp
	is_number(from)
	is_number(to)
	from <= 0
	to <= 0
}

range(proto, from, to) := [from, to] if {
	not proto in {"-1", "all", -1}
	not proto in icmp
	is_number(from)
	is_number(to)
	to > 0
}

open_sources(b) := [c |
	some k in ["cidr_blocks", "ipv6_cidr_blocks"]
	some c in lib.items(object.get(b, k, []))
	lib.open_cidr(c)
]

deny contains f if {
	some r in lib.resources
	r.type == "aws_security_group"
	some b in object.get(r.attributes, "ingress", [])
	is_object(b)
	srcs := open_sources(b)
	count(srcs) > 0
	p := range(object.get(b, "protocol", ""), object.get(b, "from_port", null), object.get(b, "to_port", null))
	what := lib.exposed(p[0], p[1])
	f := {"msg": sprintf("%s allows ingress from %s to %s", [lib.where(r), concat(", ", srcs), what]), "line": block_line(r, b)}
}

deny contains f if {
	some r in lib.resources
	r.type == "aws_security_group_rule"
	lib.attr(r, "type") == "ingress"
	srcs := open_sources(r.attributes)
	count(srcs) > 0
	p := range(lib.attr(r, "protocol"), lib.attr(r, "from_port"), lib.attr(r, "to_port"))
	what := lib.exposed(p[0], p[1])
	f := {"msg": sprintf("%s allows ingress from %s to %s", [lib.where(r), concat(", ", srcs), what]), "line": src_line(r)}
}

deny contains f if {
	some r in lib.resources
	r.type == "aws_vpc_security_group_ingress_rule"
	some k in ["cidr_ipv4", "cidr_ipv6"]
	src := lib.attr(r, k)
	lib.open_cidr(src)
	p := range(lib.attr(r, "ip_protocol"), lib.attr(r, "from_port"), lib.attr(r, "to_port"))
	what := lib.exposed(p[0], p[1])
	f := {"msg": sprintf("%s allows ingress from %s to %s", [lib.where(r), src, what]), "line": lib.line(r, k)}
}

src_line(r) := lib.line(r, "cidr_blocks") if "cidr_blocks" in object.keys(object.get(r.attributes, "_lines", {}))

src_line(r) := lib.line(r, "ipv6_cidr_blocks") if not "cidr_blocks" in object.keys(object.get(r.attributes, "_lines", {}))

block_line(r, b) := lib.block_line(b, "cidr_blocks") if {
	r.call == null
	b._line
}

block_line(r, b) := lib.line(r, "ingress") if {
	not local_block(r, b)
}

local_block(r, b) if {
	r.call == null
	b._line
}
