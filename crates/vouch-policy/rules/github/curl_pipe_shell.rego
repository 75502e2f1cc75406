# METADATA
# id: github-curl-pipe-shell
# title: Workflow step pipes a remote script into a shell
# severity: critical
# rationale: `curl … | sh` in a `run:` step runs unreviewed, unverified code with the job's
#   token and secrets; whoever controls the server (or the path to it) controls the job.
# remediation: Download to a file, verify a checksum or signature, then run it; or use a pinned
#   action or a pinned container image that already contains the tool.
package vouch.rules.github.curl_pipe_shell

import data.vouch.lib.github as lib

# `pipe_to_shell` is the one matcher (vouch_policy::shell::pipe_to_shell) shared with the
# Dockerfile and GitLab CI rules.
deny contains f if {
	some pair in lib.steps
	s := pair[1]
	p := s.pipe_to_shell[_]
	f := {"msg": sprintf("run step %s", [p.text]), "line": s.run_line}
}
