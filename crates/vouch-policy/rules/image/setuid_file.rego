# METADATA
# id: image-setuid-file
# title: setuid or setgid file in the image
# severity: info
# rationale: A setuid or setgid program runs with its owner's or group's rights whoever starts
#   it; each one is a way from an unprivileged user to root if it has a flaw (CIS Docker
#   Benchmark 4.8, dockle CIS-DI-0008).
# remediation: Remove the bit where the program is not needed (`chmod u-s,g-s <file>` in the
#   last stage, or `find / -perm /6000 -type f -exec chmod a-s {} +`), or remove the program.
package vouch.rules.image.setuid_file

# Folders where distributions install their setuid programs (passwd, su, mount…): a file there
# is listed at the rule's severity (info), as dockle does.
system_dirs := ["bin/", "sbin/", "usr/bin/", "usr/sbin/", "usr/lib/", "usr/lib64/", "usr/libexec/", "lib/", "lib64/"]

# Programs that give a shell or run any code: setuid or setgid on one of them is a root shell.
interpreters := {"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox", "python", "python3", "perl", "ruby", "node", "php", "lua", "env", "find", "vim", "vi", "less", "more", "awk", "gawk", "nmap", "cp", "tar"}

deny contains f if {
	some file in input.image.files
	file.kind in {"file", "hardlink"}
	bits.and(file.mode, 3072) != 0
	f := {
		"msg": sprintf("%s file /%s (mode %s, owner %d:%d)", [which(file.mode), file.path, octal(file.mode), file.uid, file.gid]),
		"path": concat("", ["/", file.path]),
		"severity": severity(file),
	}
}

which(mode) := "setuid and setgid" if {
	bits.and(mode, 3072) == 3072
} else := "setuid" if {
	bits.and(mode, 2048) != 0
} else := "setgid"

# Four digits: the rule only reports modes with setuid or setgid, so the first is 2, 4 or 6.
# regorus 0.14 writes `%o` with a `0O` prefix (Go writes none): removed either way.
octal(mode) := trim_prefix(trim_prefix(sprintf("%o", [bits.and(mode, 4095)]), "0O"), "0o")

# High: world-writable (anyone can replace the program) or a shell or interpreter. Medium:
# outside the system folders (added by the image's own build). Info: the distribution's own.
severity(file) := "high" if {
	bits.and(file.mode, 2) != 0
} else := "high" if {
	interpreter(file.path)
} else := "medium" if {
	not system(file.path)
} else := "info"

interpreter(path) if {
	parts := split(path, "/")
	name := parts[count(parts) - 1]
	prefix := regex.replace(name, `[0-9.]+$`, "")
	prefix in interpreters
}

system(path) if {
	some d in system_dirs
	startswith(path, d)
}
