# METADATA
# id: github-action-not-pinned
# title: Action or reusable workflow not pinned to a commit SHA
# severity: high
# rationale: Tags and branches of an action repository can be moved to any commit (as in the
#   tj-actions/changed-files compromise); only a full commit SHA fixes the code that runs with
#   your token and secrets.
# remediation: Pin to the full 40-hex commit and keep the version in a comment:
#   `uses: actions/checkout@<sha> # v4.2.2`. Local `./` actions and `docker://…@sha256:` are fine.
package vouch.rules.github.action_not_pinned

import data.vouch.lib.github as lib

deny contains f if {
	some pair in lib.steps
	s := pair[1]
	s.uses != null
	not s.uses.pinned
	f := {"msg": message(s.uses), "line": s.uses_line}
}

deny contains f if {
	job := input.workflow.jobs[_]
	job.uses != null
	not job.uses.pinned
	f := {"msg": message(job.uses), "line": job.uses_line}
}

message(u) := sprintf("docker image %q is not pinned by digest", [u.raw]) if u.kind == "docker"

message(u) := sprintf("reusable workflow %q is not pinned to a full commit SHA", [u.raw]) if u.kind == "reusable"

message(u) := sprintf("action %q is not pinned to a full commit SHA", [u.raw]) if u.kind == "action"
