# METADATA
# id: packages-registry-not-allowed
# title: Lockfile resolves a package outside the allowed registries
# severity: high
# rationale: A lockfile entry that resolves from an unexpected host (a typo, a personal mirror,
#   an attacker's server) installs bytes nobody vetted, usually without anyone noticing in review.
# remediation: Re-resolve the package from an allowed registry, or add the registry to
#   `--allowed-registry` if it is legitimately yours.
package vouch.rules.packages.registry_not_allowed

allowed(url) if {
	some prefix in data.vouch.config.allowed_registries
	startswith(url, prefix)
}

deny contains f if {
	p := input.lockfile.packages[_]
	is_string(p.resolved)
	regex.match(`^(https?|git\+|git:|ssh:|github:)`, p.resolved)
	not allowed(p.resolved)
	f := {"msg": sprintf("%s resolves from %s, which is not an allowed registry", [p.name, p.resolved]), "line": p.line}
}
