# Helpers shared by the GitHub Actions rules (no METADATA: not a rule).
package vouch.lib.github

# Steps of workflow jobs and of composite actions.
steps contains [job, s] if {
	job := input.workflow.jobs[_]
	s := job.steps[_]
}

steps contains [{"id": "(action)"}, s] if {
	s := input.action.runs.steps[_]
}
