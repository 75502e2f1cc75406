# Helpers shared by the Dockerfile rules (no METADATA: not a rule).
package vouch.lib.dockerfile

shells := {"sh", "bash", "zsh", "ash", "dash", "ksh", "fish"}

downloaders := {"curl", "wget"}

# A RUN instruction's pipelines, with the instruction.
runs contains ins if {
	ins := input.dockerfile.instructions[_]
	ins.cmd == "RUN"
}

# Stages other stages or COPY --from refer to are build stages; the last one ships.
final_stage := input.dockerfile.final_stage

# FROM instructions that name a real image (not scratch, not an earlier stage, no variable).
real_from contains ins if {
	ins := input.dockerfile.instructions[_]
	ins.cmd == "FROM"
	not ins.image.scratch
	not ins.image.has_variable
	not input.dockerfile.stages[ins.stage].from_stage
}
