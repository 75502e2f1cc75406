# METADATA
# id: gitlab-image-not-pinned
# title: CI image or service not pinned by digest
# severity: medium
# rationale: Jobs run with the project's CI token and secrets; a tag that moves changes the code
#   that sees them without a change to the pipeline.
# remediation: Reference images by digest: `image: node:20@sha256:<digest>`.
package vouch.rules.gitlab.image_not_pinned

import data.vouch.lib.gitlab as lib

deny contains f if {
	x := lib.images[_]
	not x.ref.pinned
	f := {"msg": sprintf("job %q %s %q is not pinned by digest", [x.job, x.what, x.ref.raw]), "line": x.line, "path": x.path}
}
