# Helpers shared by the image rules (no METADATA: not a rule). The input is documented in
# docs/policy-inputs.md#image; a rule's `path` is the location inside the image
# (`config.User`, `config.Env[3]`, `history[2].created_by`, `/usr/bin/passwd`).
package vouch.lib.image

import data.vouch.lib.common

# `User`, trimmed; "" when unset.
user := trim_space(input.image.config.user) if {
	is_string(input.image.config.user)
} else := ""

# Paths of the entries of the final image that are not directories (files, links, devices).
paths contains f.path if {
	some f in input.image.files
	f.kind != "dir"
}

# Folders a program is looked up in (PATH of the usual base images).
bin_dirs := ["bin", "usr/bin", "sbin", "usr/sbin", "usr/local/bin", "usr/local/sbin"]

# The shown paths (`/usr/bin/sh`) of the programs named `names` present in the image, sorted.
programs(names) := sort([concat("", ["/", p]) |
	some d in bin_dirs
	some n in names
	p := concat("/", [d, n])
	paths[p]
])

# Indexes of `Env` entries that look like secrets (names by vouch.lib.common, non-empty
# values). vouch also reads this set to keep these values out of every message.
secret_env contains e.index if {
	some e in input.image.env_vars
	common.secret_name(e.name)
	common.secret_value(e.value)
}

# Allowed registries: the option (`data.vouch.image.allowed_registries`, set by the caller)
# when given, else `data.image.allowed_registries` from `.vouch/policy/data.{json,yaml}`.
option_registries := object.get(data, ["vouch", "image", "allowed_registries"], [])

data_registries := object.get(data, ["image", "allowed_registries"], [])

allowed_registries := [registry_key(r) | some r in option_registries] if {
	count(option_registries) > 0
} else := [registry_key(r) | some r in data_registries]

# An allow-list entry as compared: lower case, no scheme, no trailing `/`, Docker Hub's other
# names folded into `docker.io`.
registry_key(r) := k if {
	s := trim_suffix(trim_prefix(trim_prefix(lower(trim_space(r)), "https://"), "http://"), "/")
	k := docker_hub(s)
}

docker_hub(s) := concat("", ["docker.io", substring(s, count(h), -1)]) if {
	some h in ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]
	startswith(concat("", [s, "/"]), concat("", [h, "/"]))
} else := s
