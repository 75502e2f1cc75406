# METADATA
# id: dockerfile-unpinned-packages
# title: Packages installed without pinned versions
# severity: low
# rationale: Unpinned installs resolve to whatever the mirror serves at build time, so two
#   builds of the same Dockerfile differ and a compromised release flows in unnoticed.
# remediation: Pin versions (`apt-get install curl=8.5.0-2`, `apk add curl=8.5.0-r0`,
#   `pip install requests==2.32.3` or a hashed requirements file).
package vouch.rules.dockerfile.unpinned_packages

import data.vouch.lib.dockerfile as lib

# Install commands: manager program → the subcommand that installs.
installs := {"apt-get": "install", "apt": "install", "apk": "add", "pip": "install", "pip3": "install"}

# Flags that take a value (the value is not a package).
valued := {"-r", "--requirement", "-c", "--constraint", "-t", "--target", "-i", "--index-url", "--extra-index-url", "-o", "--repository", "-X", "--virtual", "-f", "--find-links"}

pinned(mgr, pkg) if {
	mgr in {"apt-get", "apt", "apk"}
	regex.match(`[=~]`, pkg)
}

pinned(mgr, pkg) if {
	mgr in {"pip", "pip3"}
	regex.match(`(==|===|@|\.whl$|\.tar\.gz$|^\.|^/)`, pkg)
}

packages(c) := [a |
	some i, a in c.args
	i > idx(c)
	not startswith(a, "-")
	not startswith(a, "$")
	not contains(a, "/")
	not valued[c.args[i - 1]]
]

idx(c) := min([i | some i, a in c.args; a == installs[c.program]])

deny contains f if {
	ins := lib.runs[_]
	c := ins.pipelines[_][_]
	installs[c.program]
	c.args[_] == installs[c.program]
	unpinned := [p | some p in packages(c); not pinned(c.program, p)]
	count(unpinned) > 0
	f := {
		"msg": sprintf("%s installs packages without pinned versions: %s", [c.program, concat(", ", unpinned)]),
		"line": ins.line,
	}
}
