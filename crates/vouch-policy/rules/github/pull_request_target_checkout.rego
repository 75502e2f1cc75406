# METADATA
# id: github-pull-request-target-checkout
# title: pull_request_target or workflow_run workflow checks out the untrusted head
# severity: critical
# rationale: `pull_request_target` and `workflow_run` run with a write token and secrets, even
#   when a fork's pull request triggered them; checking out and building the pull request's
#   head (or the triggering run's `head_sha`/`head_branch`) there runs an outsider's code with
#   them ("pwn request").
# remediation: Use `pull_request` for building untrusted code, or keep `pull_request_target`
#   jobs to metadata only (labels, comments) without checking out the head.
package vouch.rules.github.pull_request_target_checkout

# The untrusted head, per trigger: the pull request's, or the head of the run that triggered
# `workflow_run` (a fork's pull request can trigger it).
head_refs := {
	"pull_request_target": `github\.event\.pull_request\.head\.(sha|ref|repo)|github\.head_ref|refs/pull/`,
	"workflow_run": `github\.event\.workflow_run\.(head_sha|head_branch|head_commit|head_repository|pull_requests)`,
}

checks_out_head(s, pattern) if {
	s.uses.owner == "actions"
	s.uses.repo == "checkout"
	some v in [object.get(s.with, "ref", ""), object.get(s.with, "repository", "")]
	regex.match(pattern, v)
}

deny contains f if {
	some trigger, pattern in head_refs
	trigger in input.workflow.on
	some job in input.workflow.jobs
	some s in job.steps
	checks_out_head(s, pattern)
	f := {"msg": sprintf("%s workflow checks out the untrusted head in job %q", [trigger, job.id]), "line": s.line}
}

deny contains f if {
	some trigger, pattern in head_refs
	trigger in input.workflow.on
	some job in input.workflow.jobs
	some s in job.steps
	s.run != null
	regex.match(`(git[ \t]+(fetch|checkout|pull)|gh[ \t]+(pr|run)[ \t]+(checkout|download))`, s.run)
	regex.match(pattern, s.run)
	f := {"msg": sprintf("%s workflow fetches the untrusted head in job %q", [trigger, job.id]), "line": s.line}
}
