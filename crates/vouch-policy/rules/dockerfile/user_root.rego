# METADATA
# id: dockerfile-user-root
# title: Final stage runs as root
# severity: high
# rationale: A container that runs as root turns any code execution in it into root in the
#   container and widens what a kernel or runtime escape can reach.
# remediation: Create an unprivileged user and end the final stage with `USER <name or uid>`.
package vouch.rules.dockerfile.user_root

final := input.dockerfile.final_stage

users := [ins |
	ins := input.dockerfile.instructions[_]
	ins.cmd == "USER"
	ins.stage == final
]

root_user(u) if {
	name := split(u, ":")[0]
	name in {"root", "0"}
}

deny contains f if {
	final != null
	count(users) == 0
	stage := input.dockerfile.stages[final]
	not stage.image.scratch
	f := {"msg": "final stage has no USER instruction, so it runs as root", "line": stage.line}
}

deny contains f if {
	count(users) > 0
	last := users[count(users) - 1]
	root_user(last.user)
	f := {"msg": sprintf("final stage runs as root (USER %s)", [last.user]), "line": last.line}
}
