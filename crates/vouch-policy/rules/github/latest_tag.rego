# METADATA
# id: github-latest-tag
# title: Job container or service image uses the latest tag
# severity: high
# rationale: `latest` (or no tag) changes whenever upstream publishes; the job runs different
#   code from one day to the next.
# remediation: Use an explicit version tag pinned by digest.
package vouch.rules.github.latest_tag

deny contains f if {
	job := input.workflow.jobs[_]
	x := job.images[_]
	not x.ref.has_variable
	not x.ref.pinned
	x.ref.tag in {"latest", null}
	f := {"msg": sprintf("job %q %s image %q uses the mutable latest tag", [job.id, x.what, x.ref.raw]), "line": x.line}
}
