# METADATA
# id: gitlab-include-unpinned
# title: Included CI configuration is not pinned
# severity: high
# rationale: An `include` of another project, a remote URL or a component at a branch or tag
#   runs whatever that file says today, with this project's secrets.
# remediation: Pin `include:project` and components to a full commit SHA (`ref: <40-hex>`), and
#   give remote includes an `integrity:` hash.
package vouch.rules.gitlab.include_unpinned

deny contains f if {
	inc := input.ci.include[_]
	inc.type in {"project", "component"}
	not inc.pinned
	r := object.get(inc, "ref", null)
	shown := ref_text(r)
	f := {"msg": sprintf("include of %s %q is not pinned to a commit SHA (%s)", [inc.type, inc.value, shown]), "line": inc.line, "path": inc.path}
}

deny contains f if {
	inc := input.ci.include[_]
	inc.type == "remote"
	not inc.pinned
	f := {"msg": sprintf("remote include %q has no integrity hash", [inc.value]), "line": inc.line, "path": inc.path}
}

ref_text(r) := "no ref, so the default branch" if r == null

ref_text(r) := sprintf("ref %q", [r]) if r != null
