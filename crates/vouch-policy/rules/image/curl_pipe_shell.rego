# METADATA
# id: image-curl-pipe-shell
# title: Image history pipes a remote script into a shell
# severity: critical
# rationale: `curl … | sh` ran whatever the server (or anyone between) returned when the image
#   was built, with no record of what ran and no integrity check.
# remediation: Download to a file, verify its checksum or signature, then run it; or install
#   the tool from a package manager with pinned versions, and rebuild the image.
package vouch.rules.image.curl_pipe_shell

# `pipe_to_shell` is the one matcher (vouch_policy::shell::pipe_to_shell) shared with the
# Dockerfile, GitLab CI and GitHub Actions rules, run on each history step's RUN script.
deny contains f if {
	some i, h in input.image.history
	some p in h.pipe_to_shell
	f := {
		"msg": sprintf("RUN %s", [p.text]),
		"path": sprintf("history[%d].created_by", [i]),
	}
}
