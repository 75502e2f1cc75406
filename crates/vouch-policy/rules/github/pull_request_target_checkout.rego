# METADATA
# id: github-pull-request-target-checkout
# title: pull_request_target workflow checks out the pull request head
# severity: critical
# rationale: `pull_request_target` runs with a write token and secrets; checking out and
#   building the pull request's code there runs an outsider's code with them ("pwn request").
# remediation: Use `pull_request` for building untrusted code, or keep `pull_request_target`
#   jobs to metadata only (labels, comments) without checking out the head.
package vouch.rules.github.pull_request_target_checkout

head_refs := `github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs/pull/`

deny contains f if {
	"pull_request_target" in input.workflow.on
	some job in input.workflow.jobs
	some s in job.steps
	s.uses.owner == "actions"
	s.uses.repo == "checkout"
	regex.match(head_refs, s.with.ref)
	f := {"msg": sprintf("pull_request_target workflow checks out the pull request head in job %q", [job.id]), "line": s.line}
}

deny contains f if {
	"pull_request_target" in input.workflow.on
	some job in input.workflow.jobs
	some s in job.steps
	s.run != null
	regex.match(`(git[ \t]+(fetch|checkout|pull)|gh[ \t]+pr[ \t]+checkout)`, s.run)
	regex.match(head_refs, s.run)
	f := {"msg": sprintf("pull_request_target workflow fetches the pull request head in job %q", [job.id]), "line": s.line}
}
