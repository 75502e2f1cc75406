# Helpers shared by the GitLab CI rules (no METADATA: not a rule).
package vouch.lib.gitlab

# Every image a job runs: its own (or inherited) image and its services.
images contains x if {
	job := input.ci.jobs[_]
	job.image_ref != null
	not job.image_ref.has_variable
	x := {"job": job.name, "what": "image", "ref": job.image_ref, "line": job.image_line, "path": job.image_path}
}

images contains x if {
	job := input.ci.jobs[_]
	svc := job.services[_]
	not svc.image.has_variable
	x := {"job": job.name, "what": "service", "ref": svc.image, "line": svc.line, "path": svc.path}
}

script_lines contains [job, s] if {
	job := input.ci.jobs[_]
	some key in ["before_script", "script", "after_script"]
	s := job[key][_]
}
