# METADATA
# id: gitlab-release-evidence
# title: Protected release job does not produce release evidence
# severity: high
# rationale: A release without an SBOM, provenance and a signature cannot be verified by the
#   people who deploy it; vouch's promotion gate expects all three.
# remediation: Make the release job write `sbom.cdx.json`, `provenance.intoto.jsonl` and
#   `signature.bundle` (e.g. `vouch sbom`, `vouch attest`, `vouch sign`) and keep them as
#   artifacts.
package vouch.rules.gitlab.release_evidence

evidence := ["sbom.cdx.json", "provenance.intoto.jsonl", "signature.bundle"]

produced(job, name) if {
	p := job.artifacts.paths[_]
	endswith(p, name)
}

produced(job, name) if {
	p := job.artifacts.paths[_]
	glob.match(p, ["/"], name)
}

deny contains f if {
	job := input.ci.jobs[_]
	job.release
	job.protected
	missing := [e | some e in evidence; not produced(job, e)]
	count(missing) > 0
	f := {"msg": sprintf("release job %q does not produce %s", [job.name, concat(", ", missing)]), "line": job.line, "path": job.path}
}
