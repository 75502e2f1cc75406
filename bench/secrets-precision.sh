#!/usr/bin/env bash
# Secrets precision on real working trees: findings per tool (vouch, Trivy, detect-secrets,
# trufflehog3) for each checked-out repository, and vouch's findings split into generic and
# specific rules, with a list of vouch's findings (path:line rule, redacted) to judge by reading
# the file.
#
# usage: bench/secrets-precision.sh REPO_DIR...
#   REPO_DIR: a checked-out working tree, e.g.
#     git --git-dir=MIRROR --work-tree=DIR checkout -f HEAD
#   VOUCH=path/to/vouch (default target/release/vouch, built if missing)
#   PEERS=dir with trivy, detect-secrets, trufflehog3 (default /opt/peers/bin, from
#     ../shared/tools/peers-install.sh); a peer that is missing is printed as `not installed`,
#     never as 0
#   OUT=results folder (default /tmp/vouch-secrets-precision)
#   VOUCH_BEFORE=another vouch binary (e.g. built from main before a change): adds a column
#   REUSE=1: reuse the peers' JSON already in $OUT (vouch always runs again)
# Output: a Markdown table on stdout, then vouch's findings per repository; raw JSON in $OUT.
# Every tool scans the same folder with its defaults for a directory scan (detect-secrets with
# --all-files, trufflehog3 with --no-history, since the folders are not git repositories).
set -uo pipefail
[ $# -ge 1 ] || { sed -n 2,16p "$0" >&2; exit 2; }
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/vouch-secrets-precision}
PEERS=${PEERS:-/opt/peers/bin}
VOUCH=${VOUCH:-target/release/vouch}
if [ ! -x "$VOUCH" ]; then
  cargo build --release --locked -p vouch >&2 || exit 2
fi
mkdir -p "$OUT"

# count TOOL FILE: the number of findings in a tool's JSON output
count() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
tool, path = sys.argv[1], sys.argv[2]
try:
    d = json.load(open(path))
except Exception as e:
    print("error"); sys.exit(0)
if tool == "vouch":
    fs = [f for f in d["findings"] if not f.get("suppressed")]
    generic = {"generic-password", "env-password", "generic-secret"}
    g = sum(f["rule_id"] in generic for f in fs)
    print(f"{len(fs)} ({g} generic, {len(fs) - g} specific)")
elif tool == "trivy":
    print(sum(len(r.get("Secrets") or []) for r in d.get("Results") or []))
elif tool == "detect-secrets":
    print(sum(len(v) for v in d["results"].values()))
elif tool == "trufflehog3":
    print(len(d))
EOF
}

# run NAME OUTFILE CMD...: run a tool, time it; prints "count (seconds s)" or why not
run() {
  local tool=$1 out=$2; shift 2
  if [ "${REUSE:-0}" = 1 ] && [ "$tool" != vouch ] && [ -s "$out" ]; then
    printf '%s (reused)' "$(count "$tool" "$out")"; return
  fi
  local start end
  start=$(date +%s.%N)
  "$@" > "$out" 2> "$out.err"
  local rc=$?
  end=$(date +%s.%N)
  if [ ! -s "$out" ]; then
    echo "failed (exit $rc, see $out.err)"; return
  fi
  printf '%s (%.1f s)' "$(count "$tool" "$out")" "$(echo "$end - $start" | bc)"
}

peer() { [ -x "$PEERS/$1" ]; }

before_head=""; before_sep=""
[ -n "${VOUCH_BEFORE:-}" ] && { before_head=" vouch (before) |"; before_sep="---|"; }
echo "| repository |$before_head vouch | Trivy | detect-secrets | trufflehog3 |"
echo "|---|$before_sep---|---|---|---|"
for dir in "$@"; do
  name=$(basename "$dir")
  b=""
  if [ -n "${VOUCH_BEFORE:-}" ]; then
    b=" $(run vouch "$OUT/$name.vouch-before.json" "$VOUCH_BEFORE" secrets "$dir" --format json \
      --no-fail) |"
  fi
  v=$(run vouch "$OUT/$name.vouch.json" "$VOUCH" secrets "$dir" --format json --no-fail)
  if peer trivy; then
    t=$(run trivy "$OUT/$name.trivy.json" "$PEERS/trivy" fs --scanners secret --format json \
      --quiet --cache-dir "$OUT/trivy-cache" "$dir")
  else t="not installed"; fi
  if peer detect-secrets; then
    d=$(cd "$dir" && run detect-secrets "$OUT/$name.detect-secrets.json" \
      "$PEERS/detect-secrets" scan --all-files .)
  else d="not installed"; fi
  if peer trufflehog3; then
    h=$(run trufflehog3 "$OUT/$name.trufflehog3.json" "$PEERS/trufflehog3" --no-history \
      --format json "$dir")
  else h="not installed"; fi
  echo "| $name |$b $v | $t | $d | $h |"
done

echo
echo "vouch's findings (judge each by reading the file at path:line):"
for dir in "$@"; do
  name=$(basename "$dir")
  echo
  echo "## $name"
  python3 - "$OUT/$name.vouch.json" <<'EOF'
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f.get("suppressed"):
        continue
    l = f["location"]
    print(f"- {l['path']}:{l['line']} {f['rule_id']} {f['properties']['redacted']}")
EOF
done
