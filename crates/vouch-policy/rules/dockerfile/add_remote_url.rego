# METADATA
# id: dockerfile-add-remote-url
# title: ADD fetches a remote URL without a checksum
# severity: high
# rationale: `ADD https://…` downloads at build time with no integrity check; the file can change
#   or be replaced without the Dockerfile changing.
# remediation: Use `ADD --checksum=sha256:<hex> <url> <dest>`, or download in a RUN step and
#   verify the checksum.
package vouch.rules.dockerfile.add_remote_url

deny contains f if {
	ins := input.dockerfile.instructions[_]
	ins.cmd == "ADD"
	src := ins.sources[_]
	regex.match(`^(https?|ftp)://`, src)
	not has_checksum(ins)
	f := {"msg": sprintf("ADD fetches %s without --checksum", [src]), "line": ins.line}
}

has_checksum(ins) if {
	ins.flags[_].name == "checksum"
}
