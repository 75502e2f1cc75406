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

deny contains f if {
	input.workflow
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
