# METADATA
# id: gitlab-config-unresolved
# title: Part of the GitLab CI configuration could not be followed
# severity: low
# rationale: vouch checks the jobs GitLab would run, with includes, `extends`, `default:` and
#   `!reference` resolved. An include that is remote, a component, or not present in the tree,
#   an `extends` parent that is not defined, a cycle or a `!reference` to nothing leaves jobs or
#   keys that were not checked; this says which, instead of passing them silently.
# remediation: Vendor the included file into the tree (`.gitlab-ci-local/includes/gitlab.com/<project>/<ref>/<file>`,
#   as gitlab-ci-local caches it) or check the including project too; fix the name of a missing
#   `extends` parent or `!reference` target.
package vouch.rules.gitlab.config_unresolved

deny contains f if {
	u := input.ci.unresolved[_]
	f := {"msg": u.message, "line": u.line, "path": u.path}
}
