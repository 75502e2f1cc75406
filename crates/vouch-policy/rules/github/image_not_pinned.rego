# METADATA
# id: github-image-not-pinned
# title: Job container or service image not pinned by digest
# severity: medium
# rationale: A job's `container:` and `services:` run with the job's token and secrets; a tag
#   that moves changes that code without a change to the workflow.
# remediation: Reference images by digest: `container: node:20@sha256:<digest>`.
package vouch.rules.github.image_not_pinned

deny contains f if {
	job := input.workflow.jobs[_]
	x := job.images[_]
	not x.ref.has_variable
	not x.ref.pinned
	f := {"msg": sprintf("job %q %s image %q is not pinned by digest", [job.id, x.what, x.ref.raw]), "line": x.line}
}
