#!/bin/sh
# First use of the advisory database: `vouch vulns` on a tree with no database fetches the Go
# export from a loopback mirror and imports it, then a second run uses it without fetching.
#
#   bench/db-first-use.sh VOUCH
#
# VOUCH is the vouch binary to measure (`cargo build --release -p vouch`, or target/debug/vouch:
# say which in BENCHMARKS.md). The export is the OSV bulk export's layout (`Go/all.zip`) zipped
# from the 4,291 Go vulndb records committed in crates/vouch-advisory/tests/fixtures (the real
# https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip holds about as many), served by
# `python3 -m http.server` on 127.0.0.1. Nothing outside a temporary folder is written.
set -eu
vouch=${1:?usage: $0 VOUCH}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/mirror/Go" "$tmp/proj"
python3 - "$root/crates/vouch-advisory/tests/fixtures/advisories/go-vulndb-osv" "$tmp/mirror/Go/all.zip" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        if name.endswith(".json"):
            z.write(os.path.join(src, name), name)
PY
ls -l "$tmp/mirror/Go/all.zip" >&2
printf 'module example.com/bench\n\ngo 1.21\n\nrequire golang.org/x/text v0.3.0\n' > "$tmp/proj/go.mod"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$tmp/mirror" && exec python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
server=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/Go/all.zip').read()" 2>/dev/null && break
  sleep 0.5
done
run() {
  start=$(date +%s.%N)
  rc=0
  env -i PATH="$PATH" HOME="$tmp" VOUCH_DB="$tmp/osv.sqlite" \
    "$vouch" vulns "$tmp/proj" --db-source "http://127.0.0.1:$port" --format json >"$tmp/out.json" 2>"$tmp/err" || rc=$?
  end=$(date +%s.%N)
  echo "$1: exit $rc, $(python3 -c "print(round($end - $start, 2))") s" >&2
  grep -E '^(downloaded|fetched)' "$tmp/err" >&2 || true
}
run "first use (fetch + import)"
run "second run (database present)"
