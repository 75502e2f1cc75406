# METADATA
# id: image-add-remote-url
# title: Image history has an ADD of a remote URL without a checksum
# severity: high
# rationale: `ADD https://…` downloaded at build time with no integrity check; what the image
#   holds depends on what the server (or anyone between) returned that day.
# remediation: Use `ADD --checksum=sha256:<hex> <url> <dest>`, or download in a RUN step and
#   verify the checksum, then rebuild the image.
package vouch.rules.image.add_remote_url

deny contains f if {
	some i, h in input.image.history
	h.instruction == "ADD"
	not h.add.checksum
	some src in h.add.sources
	regex.match(`^(?i)(https?|ftp)://`, src)
	f := {
		"msg": sprintf("ADD fetches %s without --checksum", [src]),
		"path": sprintf("history[%d].created_by", [i]),
	}
}
