# METADATA
# id: packages-install-script
# title: npm package runs an install script
# severity: low
# rationale: Install scripts run arbitrary code on every developer machine and CI runner that
#   installs the package; most npm malware uses them.
# remediation: Review the package; install with `--ignore-scripts` and allow scripts only for
#   the packages that need them (npm `allowScripts`, pnpm `onlyBuiltDependencies`).
package vouch.rules.packages.install_script

deny contains f if {
	p := input.lockfile.packages[_]
	p.has_install_script
	f := {"msg": sprintf("%s@%s runs an install script", [p.name, p.version]), "line": p.line}
}
