#!/usr/bin/env bash
# How many real Helm charts vouch renders and checks: runs `vouch check` on every chart folder
# (a folder with Chart.yaml) directly under CHARTS_DIR and counts the outcomes:
#   rendered  exit 0 or 1 (every template rendered, findings or not)
#   failed    exit 2 (the first template that could not render is named on stderr)
# and lists the failures' messages, most frequent first.
#
# usage: bench/helm-render.sh VOUCH_BINARY CHARTS_DIR
#   e.g. git -C "$(mirror of prometheus-community/helm-charts)" archive HEAD charts | tar x -C /tmp/p
#        bench/helm-render.sh target/release/vouch /tmp/p/charts
set -euo pipefail
vouch=${1:?usage: $0 VOUCH_BINARY CHARTS_DIR}
dir=${2:?usage: $0 VOUCH_BINARY CHARTS_DIR}
ok=0 failed=0
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
for chart in "$dir"/*/; do
  [ -f "$chart/Chart.yaml" ] || continue
  set +e
  "$vouch" check --format json "$chart" >/dev/null 2>"$errors.one"
  rc=$?
  set -e
  if [ "$rc" -le 1 ]; then
    ok=$((ok + 1))
  else
    failed=$((failed + 1))
    echo "== $(basename "$chart")" >>"$errors"
    grep -E 'caused by|not checked' "$errors.one" >>"$errors" || true
  fi
done
rm -f "$errors.one"
echo "charts rendered and checked: $ok"
echo "charts that could not be rendered: $failed"
echo
cat "$errors"
