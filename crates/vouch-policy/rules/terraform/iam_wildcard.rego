# METADATA
# id: terraform-iam-wildcard
# title: IAM policy allows every action on every resource
# severity: high
# rationale: A statement that allows `Action: "*"` on `Resource: "*"` is full administrator
#   access: whoever holds the policy can do anything in the account, including granting itself
#   more. Checked on `aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy` and
#   `aws_iam_group_policy`, `aws_ssoadmin_permission_set_inline_policy` (JSON text via `jsonencode` or a heredoc, or an
#   `aws_iam_policy_document` data source), and on every `aws_iam_policy_document`.
# remediation: List the actions and resources the principal needs; for administrators use the
#   AWS-managed AdministratorAccess policy deliberately, behind MFA.
package vouch.rules.terraform.iam_wildcard

import data.vouch.lib.terraform as lib

# The attribute holding the policy JSON, by resource type.
policy_attr := {
	"aws_iam_policy": "policy",
	"aws_iam_role_policy": "policy",
	"aws_iam_user_policy": "policy",
	"aws_iam_group_policy": "policy",
	"aws_ssoadmin_permission_set_inline_policy": "inline_policy",
}

deny contains f if {
	some r in lib.resources
	k := policy_attr[r.type]
	some s in lib.json_statements(lib.attr(r, k))
	admin(s)
	f := {"msg": sprintf("%s allows every action on every resource", [lib.where(r)]), "line": lib.line(r, k)}
}

# Data sources are reported where they are written (whoever uses them).
deny contains f if {
	some d in input.terraform.resources
	d.mode == "data"
	d.type == "aws_iam_policy_document"
	some s in lib.document_statements(d)
	admin(s)
	f := {"msg": sprintf("%s allows every action on every resource", [lib.where(d)]), "line": statement_line(d, s)}
}

admin(s) if {
	lib.allows(s)
	lib.star(object.get(s, "Action", null))
	lib.star(object.get(s, "Resource", null))
}

statement_line(d, s) := lib.block_line(s._block, "actions") if d.call == null

statement_line(d, _) := d.call.line if d.call != null
