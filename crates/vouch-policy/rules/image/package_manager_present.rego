# METADATA
# id: image-package-manager-present
# title: Package manager present in the final image
# severity: low
# rationale: A package manager in the image that ships lets anyone with code execution in the
#   container install tools, and shows the image carries more than the application needs.
# remediation: Install packages in a build stage and copy the result into a distroless or
#   `scratch` final stage, or remove the package manager in the last layer of the final stage.
package vouch.rules.image.package_manager_present

import data.vouch.lib.image as lib

managers := ["apt", "apt-get", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "zypper", "pip", "pip3"]

deny contains f if {
	found := lib.programs(managers)
	count(found) > 0
	f := {
		"msg": sprintf("package manager present in the final image: %s", [concat(", ", found)]),
		"path": found[0],
	}
}
