# METADATA
# id: packages-missing-lockfile
# title: Manifest without a lockfile
# severity: medium
# rationale: Without a lockfile every install resolves versions afresh, so builds differ and a
#   newly published malicious version is picked up automatically.
# remediation: Commit the lockfile (`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`,
#   `uv.lock`, `poetry.lock`) and install with the frozen/ci mode.
package vouch.rules.packages.missing_lockfile

deny contains f if {
	input.kind == "package-json"
	input.manifest.has_dependencies
	not input.manifest.lockfile_present
	f := {"msg": "package.json declares dependencies but no lockfile was found", "line": input.manifest.line}
}

deny contains f if {
	input.kind == "pyproject"
	input.registry.has_dependencies
	not input.registry.lockfile_present
	f := {"msg": "pyproject.toml declares dependencies but no lockfile was found", "line": input.registry.line}
}
