# METADATA
# id: dockerfile-secret-in-env
# title: Secret in ENV or ARG
# severity: high
# rationale: ENV values are baked into the image config and ARG values into the build history;
#   anyone who can pull the image can read them.
# remediation: Use BuildKit secrets (`RUN --mount=type=secret,id=token …`) at build time and
#   inject runtime secrets from the orchestrator, never through ENV or ARG.
package vouch.rules.dockerfile.secret_in_env

secretish(k) if {
	regex.match(`(?i)(passw(or)?d|secret|token|api_?key|access_?key|private_?key|credentials?|auth)`, k)
	not regex.match(`(?i)(_FILE|_PATH|_DIR|_URL|_HOST|_USER(NAME)?|_ENDPOINT|_TYPE|_METHOD)$`, k)
}

deny contains f if {
	ins := input.dockerfile.instructions[_]
	ins.cmd == "ENV"
	p := ins.pairs[_]
	secretish(p.key)
	p.value != null
	p.value != ""
	not startswith(p.value, "$")
	f := {"msg": sprintf("ENV sets %s, which looks like a secret", [p.key]), "line": ins.line}
}

deny contains f if {
	ins := input.dockerfile.instructions[_]
	ins.cmd == "ARG"
	p := ins.pairs[_]
	secretish(p.key)
	f := {"msg": sprintf("ARG %s passes a secret through the build history", [p.key]), "line": ins.line}
}
