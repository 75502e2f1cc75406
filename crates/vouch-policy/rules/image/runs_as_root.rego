# METADATA
# id: image-runs-as-root
# title: Image runs as root
# severity: high
# rationale: A container started from this image runs as root unless the orchestrator overrides
#   the user; a process that escapes or is exploited then has root in the container and, with a
#   weak runtime setup, on the host.
# remediation: Create an unprivileged user in the image and end the Dockerfile with
#   `USER <uid>` (a numeric uid lets Kubernetes check `runAsNonRoot`).
package vouch.rules.image.runs_as_root

import data.vouch.lib.image as lib

deny contains f if {
	lib.user == ""
	f := {"msg": "image runs as root: no User is set", "path": "config.User"}
}

# `root`, `0`, `0:0`, `root:staff`: the user part names root. Other names are not resolved
# against /etc/passwd (the input has no file contents): a name other than `root` passes.
deny contains f if {
	lib.user != ""
	name := split(lib.user, ":")[0]
	regex.match(`^(root|0+)$`, name)
	f := {"msg": sprintf("image runs as root: User is %q", [lib.user]), "path": "config.User"}
}
