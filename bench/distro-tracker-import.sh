#!/bin/sh
# Import time and peak memory of a Debian Security Tracker JSON document the size of the real one.
#
#   bench/distro-tracker-import.sh VOUCH [PACKAGES] [CVES_PER_PACKAGE]
#
# VOUCH is the vouch binary to measure (build it with `cargo build --release -p vouch`).
# The document is generated (the real https://security-tracker.debian.org/tracker/data/json is
# not committed): PACKAGES source packages (default 9000) × CVES_PER_PACKAGE CVEs (default 16),
# each CVE in six releases with a description, which is about the size and shape of the real file
# (tens of MiB). Nothing outside a temporary folder is written.
set -eu
vouch=${1:?usage: $0 VOUCH [PACKAGES] [CVES_PER_PACKAGE]}
packages=${2:-9000}
per=${3:-16}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$packages" "$per" > "$tmp/json" <<'PY'
import json, sys
packages, per = int(sys.argv[1]), int(sys.argv[2])
rels = ["bullseye", "bookworm", "trixie", "sid", "buster", "forky"]
out = {}
n = 0
for p in range(packages):
    cves = {}
    for c in range(per):
        n += 1
        cve = "CVE-%d-%05d" % (2000 + n % 26, n % 100000)
        releases = {}
        for i, r in enumerate(rels):
            if (n + i) % 5 == 0:
                releases[r] = {"status": "open", "repositories": {r: "1.%d-1" % p}, "urgency": "unimportant"}
            elif (n + i) % 7 == 0:
                releases[r] = {"status": "resolved", "repositories": {r: "1.%d-1" % p}, "fixed_version": "0", "urgency": "low"}
            else:
                releases[r] = {"status": "resolved", "repositories": {r: "1.%d-2" % p}, "fixed_version": "1.%d-2" % p, "urgency": "medium**"}
        cves[cve] = {"scope": "remote", "description": "A flaw was found in package %d that allows an attacker to do something bad via a crafted input; %s." % (p, "x" * 80), "releases": releases}
    out["pkg%05d" % p] = cves
json.dump(out, sys.stdout)
PY
ls -l "$tmp/json"
/usr/bin/time -v "$vouch" db import --db "$tmp/osv.sqlite" "$tmp/json" 2>&1 | grep -E "imported|Elapsed|Maximum resident"
