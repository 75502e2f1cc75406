# Helpers shared by the Terraform rules (no METADATA: not a rule). The input shape is in
# docs/policy-inputs.md#terraform.
package vouch.lib.terraform

# Resources reported on in this file: its own, and those of the local modules it calls.
resources contains r if {
	some r in input.terraform.resources
	r.mode == "managed"
}

# Every resource and data source that may be linked to: this file's, and the other files of
# its module folder.
all contains r if some r in input.terraform.resources

all contains r if some r in input.terraform.module_resources

# A value that is not known statically: `{"$unknown": "<expression>", "refs": [...]}`.
unknown(v) if {
	is_object(v)
	v["$unknown"]
}

# The attribute `name` of r (null when absent).
attr(r, name) := object.get(r.attributes, name, null)

# The line a finding about `name` of r is reported on, in this file: the attribute's line, the
# resource's when the attribute is absent (or in a plan), the module call's for a resource of a
# called module.
line(r, name) := l if {
	r.call == null
	l := object.get(object.get(r.attributes, "_lines", {}), name, r.line)
}

line(r, _) := r.call.line if r.call != null

# A nested block's attribute line.
block_line(b, name) := object.get(object.get(b, "_lines", {}), name, b._line)

# How a resource is named in messages.
where(r) := r.address if r.call == null

where(r) := sprintf("%s (%s:%d)", [r.address, r.file, r.line]) if r.call != null

# `v` refers to resource `target`: a reference (`aws_s3_bucket.b.id`), or a known value equal
# to the target's attribute `key` (`bucket = "my-bucket"`).
refers(v, target, _) if {
	unknown(v)
	some ref in v.refs
	ref == target.local_address
}

refers(v, target, key) if {
	is_string(v)
	v != ""
	v == attr(target, key)
}

# The resources of type `t` whose attribute `via` refers to `target` (same module instance).
linked(target, t, via) := {o |
	some o in all
	o.type == t
	o.module == target.module
	refers(attr(o, via), target, "bucket")
}

# Items of a value that may be a list or a single value.
items(v) := v if is_array(v)

items(v) := [v] if not is_array(v)

# What a value is, for messages.
shown(v) := sprintf("not known statically: %s", [v["$unknown"]]) if unknown(v)

shown(v) := sprintf("%v", [v]) if not unknown(v)

# Any IPv4 or IPv6 address.
open_cidr(c) if c in {"0.0.0.0/0", "::/0"}

# Admin ports checked by the open-network rules.
admin_ports := {22: "SSH", 3389: "RDP"}

# What the port range [from, to] exposes: "all ports", or the admin ports it contains
# (undefined when it exposes neither).
exposed(from, to) := "all ports" if all_ports(from, to)

exposed(from, to) := concat(", ", names) if {
	not all_ports(from, to)
	names := [sprintf("port %d (%s)", [p, admin_ports[p]]) |
		some p in sort(object.keys(admin_ports))
		from <= p
		p <= to
	]
	count(names) > 0
}

all_ports(from, to) if {
	from <= 0
	to >= 65535
}

# A port specification as written by GCP and Azure: "22", "20-30", "*".
port_range(s) := [0, 65535] if s in {"*", "any", "Any"}

port_range(s) := [to_number(s), to_number(s)] if {
	is_string(s)
	regex.match(`^[0-9]+$`, s)
}

port_range(s) := [to_number(s), to_number(s)] if is_number(s)

port_range(s) := [to_number(parts[0]), to_number(parts[1])] if {
	is_string(s)
	regex.match(`^[0-9]+-[0-9]+$`, s)
	parts := split(s, "-")
}

# Statements of an IAM policy that is JSON text (`jsonencode`, a heredoc, a string).
json_statements(p) := stmts if {
	is_string(p)
	json.is_valid(p)
	doc := json.unmarshal(p)
	is_object(doc)
	stmts := items(object.get(doc, "Statement", []))
}

# Statements of an `aws_iam_policy_document` data source, in the JSON policy shape, with the
# line of each block.
document_statements(d) := [s |
	some b in object.get(d.attributes, "statement", [])
	s := {
		"Effect": object.get(b, "effect", "Allow"),
		"Action": object.get(b, "actions", []),
		"Resource": object.get(b, "resources", []),
		"Principal": document_principals(b),
		"Condition": object.get(b, "condition", null),
		"_line": b._line,
		"_block": b,
	}
]

document_principals(b) := [p |
	some pr in object.get(b, "principals", [])
	some id in items(object.get(pr, "identifiers", []))
	p := {"type": object.get(pr, "type", ""), "id": id}
]

# The statements of the policy in attribute `name` of r, each as [statement, line]: JSON text,
# or the `aws_iam_policy_document` data source it references (for a data source of this file,
# the line of its statement block).
policy_statements(r, name) := array.concat(
	[[s, line(r, name)] | some s in json_statements(attr(r, name))],
	[[s, statement_line(r, name, d, s)] |
		v := attr(r, name)
		unknown(v)
		some d in all
		d.type == "aws_iam_policy_document"
		d.module == r.module
		some ref in v.refs
		ref == d.local_address
		some s in document_statements(d)
	],
)

statement_line(r, _, d, s) := s._line if statement_local(r, d)

statement_line(r, name, d, _) := line(r, name) if not statement_local(r, d)

statement_local(r, d) if {
	d.file == input.path
	d.call == null
	r.call == null
}

allows(s) if object.get(s, "Effect", "Allow") == "Allow"

# `*`, alone or in a list.
star(v) if v == "*"

star(v) if {
	is_array(v)
	"*" in v
}

# Principal `*` (JSON policy: "*", {"AWS": "*"}, {"AWS": ["*"]}; document: type "*" or "AWS"
# with identifier "*").
any_principal(s) if s.Principal == "*"

any_principal(s) if {
	is_object(s.Principal)
	star(object.get(s.Principal, "AWS", null))
}

any_principal(s) if {
	is_array(s.Principal)
	some p in s.Principal
	p.id == "*"
	p.type in {"*", "AWS"}
}
