#!/usr/bin/env bash
# Parsing time and memory on hostile or very large inputs (issue #12 §2): generates every input
# into a temporary folder, runs the release `vouch` on each once, and prints wall time and peak
# RSS (`/usr/bin/time -v`). Nothing here is asserted; figures go to BENCHMARKS.md.
#
# Usage: bench/parse-bounds.sh [PNPM_PACKAGES] [ADVISORIES]
#   PNPM_PACKAGES  packages in the generated pnpm-lock.yaml (default 540000, about 188 MB)
#   ADVISORIES     small OSV records for `vouch db import` (default 60000)
# Needs a release build (cargo build --release -p vouch) or VOUCH=/path/to/vouch.
#
# Inputs:
#   deep-json/k8s/deep.json      600 KB Kubernetes JSON, `{"a":` nested 120,000 deep  (check)
#   deep-ci/.gitlab-ci.yml       400 KB GitLab CI file, `[` nested 200,000 deep       (check)
#   deep-flowmap/k8s/deep.yaml   5 MB Kubernetes YAML, `{a: ` nested 1,000,000 deep   (check)
#   under-limit/k8s/ok.yaml      8 MB Kubernetes YAML, one ConfigMap holding 41,000 lists
#                                nested 102 deep (parsed, not refused)               (check)
#   pnpm/pnpm-lock.yaml          v9 lockfile, PNPM_PACKAGES packages with 4 edges each   (sbom)
#   advisories/                  ADVISORIES OSV JSON records of ~600 bytes              (db import)
set -euo pipefail
PNPM_PACKAGES=${1:-540000}
ADVISORIES=${2:-60000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VOUCH=${VOUCH:-${CARGO_TARGET_DIR:-$ROOT/target}/release/vouch}
[ -x "$VOUCH" ] || { echo "no vouch binary at $VOUCH (cargo build --release -p vouch)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vouch-parse-bounds.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" "$PNPM_PACKAGES" "$ADVISORIES" <<'PY'
import os, sys
work, n_pkgs, n_adv = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def write(rel, data):
    path = os.path.join(work, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data)
d = 120_000
write("deep-json/k8s/deep.json",
      '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": '
      + '{"a":' * d + '1' + '}' * d + '}\n')
d = 200_000
write("deep-ci/.gitlab-ci.yml", "build:\n  script: [echo]\n  tags: " + "[" * d + "]" * d + "\n")
d = 1_000_000
write("deep-flowmap/k8s/deep.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + "{a: " * d + "1" + "}" * d + "\n")
item = "[" * 100 + "]" * 100 + ", "
write("under-limit/k8s/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: ["
      + item * (8 * 1024 * 1024 // len(item) - 1) + "]\n")
with open(os.path.join(work, "pnpm-lock.yaml"), "w") as f:
    f.write("lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n")
    for i in range(min(n_pkgs, 50)):
        f.write(f"      pkg-{i}:\n        specifier: ^1.0.{i}\n        version: 1.0.{i}\n")
    f.write("\npackages:\n\n")
    for i in range(n_pkgs):
        f.write(f"  pkg-{i}@1.0.{i}:\n    resolution: {{integrity: sha512-{'A' * 86}==}}\n"
                f"    engines: {{node: '>=14'}}\n\n")
    f.write("snapshots:\n\n")
    for i in range(n_pkgs):
        f.write(f"  pkg-{i}@1.0.{i}:\n    dependencies:\n")
        for j in range(1, 5):
            k = (i + j) % n_pkgs
            f.write(f"      pkg-{k}: 1.0.{k}\n")
        f.write("\n")
os.makedirs(os.path.join(work, "pnpm"), exist_ok=True)
os.rename(os.path.join(work, "pnpm-lock.yaml"), os.path.join(work, "pnpm", "pnpm-lock.yaml"))
adv = os.path.join(work, "advisories")
os.makedirs(adv)
for i in range(n_adv):
    id_ = f"PYSEC-2099-{i}"
    with open(os.path.join(adv, f"{id_}.json"), "w") as f:
        f.write('{"id": "%s", "modified": "2024-01-02T03:04:05Z", "published": "2024-01-01T00:00:00Z",'
                ' "summary": "generated advisory %d", "details": "%s",'
                ' "affected": [{"package": {"ecosystem": "PyPI", "name": "pkg-%d"},'
                ' "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.%d"}]}]}],'
                ' "references": [{"type": "WEB", "url": "https://example.invalid/%d"}]}\n'
                % (id_, i, "x" * 200, i, i, i))
PY

run() { # label, command...
  local label=$1; shift
  local log="$WORK/time.log"
  local code=0
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || code=$?
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  printf '%-34s exit %s  wall %-9s peak RSS %6d MiB\n' "$label" "$code" "$wall" $((rss / 1024))
  grep -m1 -E 'caused by|warning:' "$log" | cut -c1-160 || true
}

ls -l "$WORK"/pnpm/pnpm-lock.yaml | awk '{printf "pnpm-lock.yaml: %.0f MB\n", $5 / 1e6}'
run "check deep JSON (600 KB)" "$VOUCH" check --today 2026-11-22 "$WORK/deep-json"
run "check deep CI flow (400 KB)" "$VOUCH" check --today 2026-11-22 "$WORK/deep-ci"
run "check deep flow map (5 MB)" "$VOUCH" check --today 2026-11-22 "$WORK/deep-flowmap"
run "check depth 102, 8 MB" "$VOUCH" check --today 2026-11-22 "$WORK/under-limit"
run "sbom pnpm-lock.yaml" "$VOUCH" sbom "$WORK/pnpm"
run "db import $ADVISORIES advisories" "$VOUCH" db import --db "$WORK/osv.sqlite" "$WORK/advisories"
