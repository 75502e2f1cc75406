# METADATA
# id: packages-dependency-confusion
# title: Several package indexes without scoping (dependency confusion)
# severity: high
# rationale: With `--extra-index-url` (or several unscoped indexes) pip and uv take a package
#   from whichever index has it, or the highest version; anyone can publish your private
#   package's name on the public index and win.
# remediation: Use one index that proxies the others, or scope private packages to their index
#   (uv `explicit = true` with `[tool.uv.sources]`, Poetry `priority = "explicit"`, npm
#   `@scope:registry=`).
package vouch.rules.packages.dependency_confusion

deny contains f if {
	s := input.registry.sources[_]
	s.role == "extra-index"
	f := {"msg": sprintf("extra index %s is searched beside the default index, so a public package can shadow a private one", [s.url]), "line": s.line}
}

deny contains f if {
	idx := [s | some s in input.registry.sources; s.role == "index"]
	count(idx) > 1
	f := {"msg": sprintf("%d unscoped package indexes are configured; the last one wins without warning", [count(idx)]), "line": idx[1].line}
}
