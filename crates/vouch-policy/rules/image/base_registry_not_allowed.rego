# METADATA
# id: image-base-registry-not-allowed
# title: Base image from a registry not on the allow-list
# severity: medium
# rationale: An allow-list of registries keeps images built on bases the organisation mirrors
#   and scans; a base pulled from anywhere else skipped that review.
# remediation: Rebuild on a base image from an allowed registry (or mirror the base there), or
#   add the registry to `image.allowed_registries`.
package vouch.rules.image.base_registry_not_allowed

import data.vouch.lib.image as lib

# With no allow-list (neither the option nor `data.image.allowed_registries`) this rule does not
# fire: there is nothing to compare with.
deny contains f if {
	count(lib.allowed_registries) > 0
	ref := input.image.base_ref
	is_object(ref)
	not ref.scratch
	not allowed(ref)
	f := {
		"msg": sprintf("base image %s is from registry %s, which is not on the allow-list (%s)", [input.image.base, ref.registry, concat(", ", lib.allowed_registries)]),
		"path": input.image.base_at,
	}
}

# An allow-list is set but the image does not record its base: it cannot be checked, so it
# does not pass quietly.
deny contains f if {
	count(lib.allowed_registries) > 0
	not is_string(input.image.base)
	f := {
		"msg": "base image is not recorded (no org.opencontainers.image.base.name label or annotation), so it cannot be checked against the allow-list",
		"path": input.image.base_at,
	}
}

# An entry allows a whole registry (`ghcr.io`) or a repository prefix (`ghcr.io/acme`).
allowed(ref) if {
	some a in lib.allowed_registries
	a == ref.registry
}

allowed(ref) if {
	some a in lib.allowed_registries
	startswith(concat("", [ref.registry, "/", ref.repository, "/"]), concat("", [a, "/"]))
}
