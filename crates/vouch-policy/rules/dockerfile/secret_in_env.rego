# METADATA
# id: dockerfile-secret-in-env
# title: Secret in ENV or ARG
# severity: high
# rationale: ENV values are baked into the image config and ARG values into the build history;
#   anyone who can pull the image can read them.
# remediation: Use BuildKit secrets (`RUN --mount=type=secret,id=token …`) at build time and
#   inject runtime secrets from the orchestrator, never through ENV or ARG.
package vouch.rules.dockerfile.secret_in_env

import data.vouch.lib.common

# The one secret-name test (vouch.lib.common), shared with image-secret-in-env.
secretish(k) if common.secret_name(k)

deny contains f if {
	ins := input.dockerfile.instructions[_]
	ins.cmd == "ENV"
	p := ins.pairs[_]
	secretish(p.key)
	common.secret_value(p.value)
	f := {"msg": sprintf("ENV sets %s, which looks like a secret", [p.key]), "line": ins.line}
}

deny contains f if {
	ins := input.dockerfile.instructions[_]
	ins.cmd == "ARG"
	p := ins.pairs[_]
	secretish(p.key)
	f := {"msg": sprintf("ARG %s passes a secret through the build history", [p.key]), "line": ins.line}
}
