# METADATA
# id: packages-requirements-no-hashes
# title: requirements file without hashes
# severity: low
# rationale: Without `--hash` pip trusts whatever file the index serves for a version; with
#   hashes (and `--require-hashes`) a replaced file fails the install.
# remediation: Generate hashes with `uv pip compile --generate-hashes` or `pip-compile
#   --generate-hashes`.
package vouch.rules.packages.requirements_no_hashes

deny contains f if {
	reqs := [r | some r in input.registry.requirements; not r.editable; not r.direct_url]
	missing := [r | some r in reqs; r.hashes == 0]
	count(missing) > 0
	f := {"msg": sprintf("%d of %d requirements have no --hash", [count(missing), count(reqs)]), "line": missing[0].line}
}
