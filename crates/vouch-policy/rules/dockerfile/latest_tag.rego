# METADATA
# id: dockerfile-latest-tag
# title: Base image uses the latest tag or no tag
# severity: high
# rationale: `latest` (also what an untagged reference means) changes whenever upstream
#   publishes, so builds are neither repeatable nor reviewable.
# remediation: Use an explicit version tag, and pin it by digest.
package vouch.rules.dockerfile.latest_tag

import data.vouch.lib.dockerfile as lib

deny contains f if {
	ins := lib.real_from[_]
	ins.image.tag == "latest"
	f := {"msg": sprintf("base image %q uses the mutable latest tag", [ins.image.raw]), "line": ins.line}
}

deny contains f if {
	ins := lib.real_from[_]
	ins.image.tag == null
	not ins.image.pinned
	f := {"msg": sprintf("base image %q has no tag, so it means latest", [ins.image.raw]), "line": ins.line}
}
