#!/bin/sh
# Import time and peak memory of the whole ossf/malicious-packages npm + PyPI set as one tar.xz
# (31,504 OSV records, 3.9 MB compressed, 61.4 MB unpacked), then matching a lockfile against it.
#
#   bench/malicious-import.sh VOUCH [TAR_XZ]
#
# VOUCH is the vouch binary to measure (build it with `cargo build --release -p vouch`).
# TAR_XZ defaults to bench/data/malicious/malicious-packages-osv-npm-pypi.tar.xz (a copy of the
# ossf set, read only here, never by the tests; see bench/data/malicious/SOURCES.md). Nothing outside a temporary folder
# is written. Prints `vouch db import`'s count line, the wall time and the peak RSS of the
# import, and the same for `vouch vulns` on a package-lock naming one malicious package.
set -eu
vouch=${1:?usage: $0 VOUCH [TAR_XZ]}
archive=${2:-$(dirname "$0")/data/malicious/malicious-packages-osv-npm-pypi.tar.xz}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ls -l "$archive"
/usr/bin/time -v "$vouch" db import --db "$tmp/osv.sqlite" "$archive" 2>&1 \
    | grep -E "imported|Elapsed|Maximum resident"
mkdir "$tmp/p"
cat > "$tmp/p/package-lock.json" <<'JSON'
{"name": "p", "lockfileVersion": 3, "packages": {"": {"name": "p"},
 "node_modules/@solana/web3.js": {"version": "1.95.6"},
 "node_modules/lodash": {"version": "4.17.21"}}}
JSON
set +e
/usr/bin/time -v "$vouch" vulns --db "$tmp/osv.sqlite" "$tmp/p" 2>&1 \
    | grep -E "MALICIOUS|malicious package|Elapsed|Maximum resident"
