# METADATA
# id: workload-image-not-pinned
# title: Workload image not pinned by digest
# severity: medium
# rationale: A tag can point at different images on different nodes and days; what runs is not
#   what was reviewed or scanned.
# remediation: Deploy by digest (`image: registry/app:1.4@sha256:<digest>`); let CD resolve
#   tags to digests.
package vouch.rules.workload.image_not_pinned

import data.vouch.lib.workload as lib

deny contains f if {
	x := lib.images[_]
	not x.ref.pinned
	f := {"msg": sprintf("%s image %q is not pinned by digest", [x.where, x.ref.raw]), "line": x.line}
}
