# METADATA
# id: github-excessive-permissions
# title: Workflow token permissions missing or write-all
# severity: medium
# rationale: Without a `permissions` block the GITHUB_TOKEN gets the repository default, which
#   is often read-write on everything; `write-all` says so explicitly. A compromised step can
#   then push code, publish releases or change settings.
# remediation: Set `permissions: {}` or `contents: read` at the top of the workflow and grant
#   each job only what it needs.
package vouch.rules.github.excessive_permissions

# A reusable workflow (only `on: workflow_call`) runs with the token of the workflow that
# calls it, whose permissions decide; it is checked there.
reusable_only if {
	count(input.workflow.on) > 0
	every t in input.workflow.on {
		t == "workflow_call"
	}
}

deny contains f if {
	input.workflow
	not reusable_only
	not input.workflow.has_permissions
	some job in input.workflow.jobs
	not job.has_permissions
	job.uses == null
	f := {"msg": sprintf("job %q has no permissions block (workflow has none either), so it gets the default token permissions", [job.id]), "line": job.line}
}

deny contains f if {
	input.workflow.permissions == "write-all"
	f := {"msg": "workflow grants write-all permissions", "line": input.workflow.permissions_line}
}

deny contains f if {
	some job in input.workflow.jobs
	job.permissions == "write-all"
	f := {"msg": sprintf("job %q grants write-all permissions", [job.id]), "line": job.permissions_line}
}
