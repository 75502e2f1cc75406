# METADATA
# id: image-secret-in-env
# title: Secret in the image's Env
# severity: high
# rationale: The config's `Env` ships with the image: anyone who can pull it reads the value
#   with `docker inspect`, and every container started from it has it.
# remediation: Remove the variable from the image (no `ENV` for secrets, no `ARG` either) and
#   inject the secret at run time from the orchestrator's secret store; rotate the value, it
#   has been published with the image.
package vouch.rules.image.secret_in_env

import data.vouch.lib.image as lib

# The value is never quoted: the message names the variable only.
deny contains f if {
	some i in lib.secret_env
	some e in input.image.env_vars
	e.index == i
	f := {
		"msg": sprintf("Env sets %s, which looks like a secret (value not shown)", [e.name]),
		"path": sprintf("config.Env[%d]", [i]),
	}
}
