# METADATA
# id: dockerfile-base-not-pinned
# title: Base image is not pinned by digest
# severity: medium
# rationale: A tag can be moved to a different image at any time, so the same Dockerfile can
#   build from different, unreviewed bytes. Only a digest names one image.
# remediation: Pin the base image by digest, e.g. `FROM python:3.12-slim@sha256:<digest>`, and let
#   a bot (vouch pin, Renovate) update the digest.
package vouch.rules.dockerfile.base_not_pinned

import data.vouch.lib.dockerfile as lib

deny contains f if {
	ins := lib.real_from[_]
	not ins.image.pinned
	f := {"msg": sprintf("base image %q is not pinned by digest", [ins.image.raw]), "line": ins.line}
}
