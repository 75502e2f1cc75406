# METADATA
# id: dockerfile-single-stage-compilers
# title: Single-stage build ships compilers in the runtime image
# severity: low
# rationale: Compilers and build tools in the runtime image enlarge the attack surface and let
#   an attacker who gets in build tooling in place.
# remediation: Use a multi-stage build: compile in a builder stage and `COPY --from=builder`
#   only the artefacts into a minimal runtime stage.
package vouch.rules.dockerfile.single_stage_compilers

import data.vouch.lib.dockerfile as lib

toolchains := {"gcc", "g++", "build-essential", "clang", "make", "cmake", "golang", "golang-go", "rustc", "cargo", "gcc-c++", "musl-dev", "libc6-dev", "alpine-sdk", "build-base", "openjdk-17-jdk", "default-jdk"}

deny contains f if {
	count(input.dockerfile.stages) == 1
	ins := lib.runs[_]
	c := ins.pipelines[_][_]
	c.program in {"apt-get", "apt", "apk", "yum", "dnf", "microdnf"}
	tools := [t | some a in c.args; t := split(a, "=")[0]; toolchains[t]]
	count(tools) > 0
	f := {"msg": sprintf("single-stage build installs %s into the runtime image", [concat(", ", tools)]), "line": ins.line}
}
