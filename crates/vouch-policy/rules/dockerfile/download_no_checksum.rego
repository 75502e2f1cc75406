# METADATA
# id: dockerfile-download-no-checksum
# title: Download without a checksum or signature check
# severity: medium
# rationale: A file fetched with curl or wget and used without verifying a checksum or
#   signature is whatever the server returned that day.
# remediation: Verify the download, e.g. `echo "<sha256>  file.tgz" | sha256sum -c -`, or
#   `gpg --verify`, `cosign verify-blob`, before using it.
package vouch.rules.dockerfile.download_no_checksum

import data.vouch.lib.dockerfile as lib

# `downloads` is the one matcher (vouch_policy::shell::downloads) that `vouch pin` records
# downloads with: curl/wget of an http(s)/ftp URL, not piped into a shell (the curl-pipe-shell
# rule reports those), not an upload; `verified` when a checksum or signature check runs after
# it in the same RUN. A check in a later RUN of the same stage (`verifies`) counts too.
verified_later(ins) if {
	later := lib.runs[_]
	later.stage == ins.stage
	later.line > ins.line
	later.verifies
}

deny contains f if {
	ins := lib.runs[_]
	d := ins.downloads[_]
	not d.verified
	not verified_later(ins)
	f := {"msg": sprintf("%s download is not followed by a checksum or signature check", [d.downloader]), "line": ins.line}
}
