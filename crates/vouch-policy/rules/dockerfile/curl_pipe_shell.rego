# METADATA
# id: dockerfile-curl-pipe-shell
# title: Remote script piped into a shell
# severity: critical
# rationale: `curl … | sh` runs whatever the server (or anyone between) returns at build time,
#   with no record of what ran and no integrity check.
# remediation: Download to a file, verify its checksum or signature, then run it; or install
#   the tool from a package manager with pinned versions.
package vouch.rules.dockerfile.curl_pipe_shell

import data.vouch.lib.dockerfile as lib

# `pipe_to_shell` is the one matcher (vouch_policy::shell::pipe_to_shell) shared with the
# GitLab CI and GitHub Actions rules.
deny contains f if {
	ins := lib.runs[_]
	p := ins.pipe_to_shell[_]
	f := {
		"msg": sprintf("RUN %s", [p.text]),
		"line": ins.line,
	}
}
