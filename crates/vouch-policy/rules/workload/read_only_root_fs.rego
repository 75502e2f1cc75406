# METADATA
# id: workload-read-only-root-fs
# title: Root filesystem is writable
# severity: low
# rationale: A writable root filesystem lets an intruder change binaries and configuration inside
#   the container and keep tools there; with `readOnlyRootFilesystem: true` writes go only to the
#   volumes the pod declares.
# remediation: Set `securityContext.readOnlyRootFilesystem: true` on the container and mount an
#   `emptyDir` where the program must write.
package vouch.rules.workload.read_only_root_fs

import data.vouch.lib.workload as lib

deny contains f if {
	some pair in lib.containers
	r := pair[0]
	c := pair[1]
	c.effective.read_only_root_filesystem != true
	f := {"msg": sprintf("%s does not set readOnlyRootFilesystem: true", [lib.where(r, c)]), "line": c.line}
}
