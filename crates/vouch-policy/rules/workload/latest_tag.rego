# METADATA
# id: workload-latest-tag
# title: Workload image uses the latest tag or no tag
# severity: high
# rationale: `latest` changes under a running deployment; a reschedule can start different code.
# remediation: Use an explicit version tag, pinned by digest.
package vouch.rules.workload.latest_tag

import data.vouch.lib.workload as lib

deny contains f if {
	x := lib.images[_]
	not x.ref.pinned
	x.ref.tag in {"latest", null}
	f := {"msg": sprintf("%s image %q uses the mutable latest tag", [x.where, x.ref.raw]), "line": x.line}
}
