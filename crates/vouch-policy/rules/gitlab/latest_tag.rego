# METADATA
# id: gitlab-latest-tag
# title: CI image or service uses the latest tag
# severity: high
# rationale: `latest` (or no tag) changes whenever upstream publishes; the pipeline runs
#   different code from one day to the next.
# remediation: Use an explicit version tag pinned by digest.
package vouch.rules.gitlab.latest_tag

import data.vouch.lib.gitlab as lib

deny contains f if {
	x := lib.images[_]
	not x.ref.pinned
	x.ref.tag in {"latest", null}
	f := {"msg": sprintf("job %q %s %q uses the mutable latest tag", [x.job, x.what, x.ref.raw]), "line": x.line, "path": x.path}
}
