#!/usr/bin/env bash
# Go and Rust executables in the inventory: time and peak RSS of `vouch sbom` over a folder of
# executables, the components per ecosystem, and the same for Syft when it is on PATH (or given).
#
# usage: bench/binaries.sh VOUCH_BINARY DIR [SYFT_BINARY]
#   DIR: a folder of real executables (Go binaries such as syft, docker, terraform; Rust
#        binaries built with `cargo auditable`; C programs, which have neither).
#   e.g. bench/binaries.sh target/release/vouch /usr/local/bin /opt/peers/bin/syft
set -euo pipefail
vouch=${1:?usage: $0 VOUCH_BINARY DIR [SYFT_BINARY]}
dir=${2:?usage: $0 VOUCH_BINARY DIR [SYFT_BINARY]}
syft=${3:-$(command -v syft || true)}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "input: $dir ($(du -sh "$dir" | cut -f1), $(find "$dir" -type f | wc -l) files)"
/usr/bin/time -f "vouch: %e s, peak RSS %M KiB" \
  "$vouch" sbom --format cyclonedx-json -o "$out/vouch.json" "$dir" 2>"$out/vouch.err" || true
grep -v '^wrote' "$out/vouch.err" | tail -5
python3 - "$out/vouch.json" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1]))
c = collections.Counter(x.get("purl", "").split("/")[0] for x in d.get("components", []))
print("vouch components:", dict(c))
PY
if [ -n "$syft" ]; then
  /usr/bin/time -f "syft: %e s, peak RSS %M KiB" \
    "$syft" -q "dir:$dir" -o "cyclonedx-json=$out/syft.json" 2>&1 | tail -1 || true
  python3 - "$out/syft.json" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1]))
c = collections.Counter(x.get("purl", "").split("/")[0] for x in d.get("components", []))
print("syft components:", dict(c))
PY
fi
