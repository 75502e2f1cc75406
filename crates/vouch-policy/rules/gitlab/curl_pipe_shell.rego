# METADATA
# id: gitlab-curl-pipe-shell
# title: CI script pipes a remote script into a shell
# severity: critical
# rationale: `curl … | sh` in a job runs unreviewed, unverified code with the job's token and
#   secrets.
# remediation: Download to a file, verify a checksum or signature, then run it; or use a pinned
#   image that already contains the tool.
package vouch.rules.gitlab.curl_pipe_shell

import data.vouch.lib.gitlab as lib

# `pipe_to_shell` is the one matcher (vouch_policy::shell::pipe_to_shell) shared with the
# Dockerfile and GitHub Actions rules.
deny contains f if {
	some pair in lib.script_lines
	job := pair[0]
	s := pair[1]
	p := s.pipe_to_shell[_]
	f := {"msg": sprintf("job %q %s", [job.name, p.text]), "line": s.line, "path": s.path}
}
