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

verifiers := {"sha256sum", "sha512sum", "sha384sum", "sha1sum", "shasum", "gpg", "gpgv", "cosign", "minisign", "signify", "b2sum", "md5sum", "rpm", "openssl", "slsa-verifier"}

# Downloads of a URL that are not piped into a shell (dockerfile-curl-pipe-shell covers those).
download contains [ins, c] if {
	ins := lib.runs[_]
	p := ins.pipelines[_]
	c := p[i]
	c.program in lib.downloaders
	some a in c.args
	regex.match(`^(https?|ftp)://`, a)
	not piped_to_shell(p, i)
}

piped_to_shell(p, i) if {
	sh := p[j]
	j > i
	sh.program in lib.shells
}

verified_after(ins) if {
	later := lib.runs[_]
	later.stage == ins.stage
	later.line >= ins.line
	later.pipelines[_][_].program in verifiers
}

verified_after(ins) if {
	regex.match(`(--checksum|checksum=|\.sha256|--verify)`, ins.script)
}

deny contains f if {
	some pair in download
	ins := pair[0]
	c := pair[1]
	not verified_after(ins)
	f := {"msg": sprintf("%s download is not followed by a checksum or signature check", [c.program]), "line": ins.line}
}
