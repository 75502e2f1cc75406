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

deny contains f if {
	some pair in lib.script_lines
	job := pair[0]
	s := pair[1]
	p := s.pipelines[_]
	dl := p[i]
	dl.program in {"curl", "wget"}
	sh := p[j]
	sh.program in lib.shells
	j > i
	f := {"msg": sprintf("job %q pipes a %s download into %s", [job.name, dl.program, sh.program]), "line": s.line}
}
