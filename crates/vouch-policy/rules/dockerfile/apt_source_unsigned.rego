# METADATA
# id: dockerfile-apt-source-unsigned
# title: Third-party apt source without signed-by
# severity: high
# rationale: An apt source without `signed-by` is trusted with every key in the system keyring
#   (and `apt-key add` adds a key trusted for every source), so one vendor's key can sign
#   packages that replace Debian's.
# remediation: Store the vendor key under /etc/apt/keyrings and reference it:
#   `deb [signed-by=/etc/apt/keyrings/vendor.gpg] https://… stable main`.
package vouch.rules.dockerfile.apt_source_unsigned

import data.vouch.lib.dockerfile as lib

deny contains f if {
	ins := lib.runs[_]
	regex.match(`deb[ \t]+(\[.*?\][ \t]+)?(https?|ftp)://`, ins.script)
	not contains(ins.script, "signed-by")
	f := {"msg": "RUN adds a third-party apt source without signed-by", "line": ins.line}
}

deny contains f if {
	ins := lib.runs[_]
	c := ins.pipelines[_][_]
	c.program == "apt-key"
	"add" in c.args
	f := {"msg": "RUN uses apt-key add, which trusts the key for every apt source", "line": ins.line}
}
