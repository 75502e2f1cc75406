# METADATA
# id: image-shell-present
# title: Shell present in the final image
# severity: info
# rationale: A shell in the image that ships is what an attacker who gets code execution uses
#   next (and what `docker exec` needs); minimal and distroless images leave it out.
# remediation: Build in one stage and copy only the application into a distroless or `scratch`
#   final stage; keep a debug variant of the image for troubleshooting.
package vouch.rules.image.shell_present

import data.vouch.lib.image as lib

shells := ["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox"]

deny contains f if {
	found := lib.programs(shells)
	count(found) > 0
	f := {
		"msg": sprintf("shell present in the final image: %s", [concat(", ", found)]),
		"path": found[0],
	}
}
