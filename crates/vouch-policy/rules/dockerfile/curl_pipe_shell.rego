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

deny contains f if {
	ins := lib.runs[_]
	p := ins.pipelines[_]
	dl := p[i]
	dl.program in lib.downloaders
	sh := p[j]
	sh.program in lib.shells
	j > i
	f := {
		"msg": sprintf("RUN pipes a %s download into %s", [dl.program, sh.program]),
		"line": ins.line,
	}
}
