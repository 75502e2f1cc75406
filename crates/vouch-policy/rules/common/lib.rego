# Helpers shared by rules of several groups (no METADATA: not a rule).
package vouch.lib.common

# A variable name that looks like it holds a secret: the Dockerfile ENV/ARG rule and the image
# Env rule use this one test (docs/rules/image-secret-in-env.md lists the words and the
# exclusions). Public-key fingerprints (`GPG_KEY`, `NGINX_GPGKEY`) and names of settings about
# a secret (`*_FILE`, `*_URL`, `*_ENABLED`…) are not secrets.
secret_name(k) if {
	regex.match(`(?i)(passw(or)?d|secret|token|api_?key|access_?key|private_?key|credentials?|(^|_)auth($|_)|(^|_)pass($|_)|_key$)`, k)
	not regex.match(`(?i)(_FILE|_PATH|_DIR|_URL|_URI|_HOST|_PORT|_USER(NAME)?|_ENDPOINT|_TYPE|_METHOD|_ENABLED|_EXPIRATION|_EXPIRY|_TTL|_TIMEOUT|_LENGTH|_VERSION)$`, k)
	not regex.match(`(?i)(gpg|pgp)`, k)
}

# A value that can hold a secret: not empty, not a variable reference or a file path, not a
# placeholder word.
secret_value(v) if {
	is_string(v)
	v != ""
	not startswith(v, "$")
	not startswith(v, "/")
	not lower(v) in {"null", "none", "nil", "<nil>", "undefined", "true", "false"}
}
