# METADATA
# id: workload-missing-probes
# title: Container has no liveness or readiness probe
# severity: low
# rationale: Without a readiness probe a pod receives traffic before it can serve it; without a
#   liveness probe a hung process is never restarted. Jobs and CronJobs run to completion and are
#   not checked; init containers only when they are sidecars (`restartPolicy: Always`), and
#   ephemeral containers never (the API accepts no probes there).
# remediation: Add `livenessProbe` and `readinessProbe` (HTTP, TCP or exec) to the container.
package vouch.rules.workload.missing_probes

import data.vouch.lib.workload as lib

long_running(r) if not r.kind in {"Job", "CronJob"}

probed(c) if c.type == "container"

probed(c) if {
	c.type == "init"
	c.restart_policy == "Always"
}

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	long_running(r)
	probed(c)
	not c.liveness_probe
	f := {"msg": sprintf("%s has no livenessProbe", [lib.where(r, c)]), "line": c.line}
}

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	long_running(r)
	probed(c)
	not c.readiness_probe
	f := {"msg": sprintf("%s has no readinessProbe", [lib.where(r, c)]), "line": c.line}
}
