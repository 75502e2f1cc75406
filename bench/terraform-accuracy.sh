#!/usr/bin/env bash
# Accuracy of vouch's Terraform rules against the labelled checkov and trivy-checks fixtures.
#
# Usage: bench/terraform-accuracy.sh DATA_DIR
#   DATA_DIR the team's `terraform` data set (checkov/aws-checks with expected-results.json,
#            checkov/graph-checks with expected.yaml, trivy-checks/checks with checks-index.json;
#            see its SOURCES.md); required: a clone carries no such set
# Needs a build of vouch (VOUCH=path, default target/release/vouch) and python3 with PyYAML.
# The fixtures are regenerated from DATA_DIR into a temporary folder with the same mapping as
# crates/vouch-policy/tests/fixtures/terraform/regenerate.py (vouch rule -> checkov check,
# trivy check), vouch checks that folder once, and every label is scored: per rule and label
# source, TP/FP/FN/TN, precision and recall, then each disagreement (`known` when listed in
# crates/vouch-policy/tests/fixtures/terraform/known-differences.tsv).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/terraform-accuracy.sh DATA_DIR (the terraform data set: checkov/, trivy-checks/)" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$1
[ -f "$DATA/trivy-checks/checks-index.json" ] && [ -f "$DATA/checkov/aws-checks/expected-results.json" ] || {
  echo "bench/terraform-accuracy.sh: $DATA has no trivy-checks/checks-index.json or checkov/aws-checks/expected-results.json" >&2; exit 2; }
VOUCH=${VOUCH:-${CARGO_TARGET_DIR:-$ROOT/target}/release/vouch}
[ -x "$VOUCH" ] || { echo "bench/terraform-accuracy.sh: no vouch binary at $VOUCH (cargo build --release -p vouch, or VOUCH=...)" >&2; exit 2; }
VOUCH=$(cd "$(dirname "$VOUCH")" && pwd)/$(basename "$VOUCH")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 "$ROOT/crates/vouch-policy/tests/fixtures/terraform/regenerate.py" "$DATA" "$WORK/fixtures" >/dev/null
# Exit 1 means findings; 2 means a file could not be evaluated: that is reported, not scored.
rc=0
(cd "$WORK/fixtures" && "$VOUCH" check --format json .) >"$WORK/findings.json" 2>"$WORK/stderr" || rc=$?
if [ "$rc" -ge 2 ]; then
  echo "vouch check exited $rc: some files could not be evaluated, so the labels are not scored" >&2
  cat "$WORK/stderr" >&2
  exit 2
fi
echo "vouch: $VOUCH ($(cd "$ROOT" && git rev-parse --short HEAD)); data: $DATA"
python3 "$ROOT/bench/terraform-accuracy.py" "$WORK/fixtures/verdicts.tsv" "$WORK/findings.json" \
  "$ROOT/crates/vouch-policy/tests/fixtures/terraform/known-differences.tsv"
