#!/usr/bin/env bash
# Accuracy of the typosquat check (figures in BENCHMARKS.md):
#   1. recall over the real typosquat names of the malicious-packages records
#      (crates/vouch-scan/tests/fixtures/typosquat/typosquats-*.tsv);
#   2. false positives over real dependency sets: the real third-party npm, pnpm, yarn and
#      Python lockfiles copied into bench/data/ecosystem/{npm,python,yarn} (see its README; each
#      staged under its usual file name), the FIXED set whose names the CI test checks;
#   3. the same over every fixture folder of the repository (crates/*/tests/fixtures: real and
#      hand-made files mixed; each flagged name is printed, to judge by reading) and the
#      repository's own Cargo.lock (crates.io has no popular list: counted, not checked).
#
# usage: bench/typosquat-accuracy.sh [--emit-names FILE]
#   --emit-names FILE: write the fixed set's names (the CI test's real-deps.tsv)
#   DATA=folder holding ecosystem/{npm,python,yarn} (default bench/data)
#   PROFILE=cargo profile for the harness (default dev; `release` for the timings)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
DATA=${DATA:-bench/data}
PROFILE=${PROFILE:-dev}
emit=()
if [ "${1:-}" = --emit-names ]; then emit=(--emit-names "$2"); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Stage each real lockfile alone in a folder, under the name its package manager gives it.
stage() { # FILE NAME
  local d="$tmp/fixed/$(basename "$1")"
  mkdir -p "$d" && cp "$1" "$d/$2"
  echo "$d"
}
fixed=()
for f in "$DATA"/ecosystem/npm/*; do
  case "$(basename "$f")" in
    slsa-spec.*) ;; # Community-Spec-1.0: left out of the derived list
    *package-lock*.json) fixed+=("$(stage "$f" package-lock.json)") ;;
    *pnpm-lock*.yaml) fixed+=("$(stage "$f" pnpm-lock.yaml)") ;;
  esac
done
for f in "$DATA"/ecosystem/python/*; do
  case "$(basename "$f")" in
    *.uv.lock) fixed+=("$(stage "$f" uv.lock)") ;;
    *.Pipfile.lock) fixed+=("$(stage "$f" Pipfile.lock)") ;;
    *.poetry.lock) fixed+=("$(stage "$f" poetry.lock)") ;;
    *requirements*.txt) fixed+=("$(stage "$f" requirements.txt)") ;;
  esac
done
for f in "$DATA"/ecosystem/yarn/*.yarn.lock; do
  fixed+=("$(stage "$f" yarn.lock)")
done

run() {
  cargo run -q --profile "$PROFILE" --locked -p vouch-scan --example typosquat_accuracy -- "$@"
}
echo "== recall, and false positives on the fixed real set (${#fixed[@]} lockfiles)"
args=(--tsv crates/vouch-scan/tests/fixtures/typosquat/typosquats-edit-distance-1.tsv
      --tsv crates/vouch-scan/tests/fixtures/typosquat/typosquats-stated.tsv)
for d in "${fixed[@]}"; do args+=(--deps "$d"); done
run "${args[@]}" "${emit[@]}"

echo
echo "== false positives over every fixture folder of the repository and Cargo.lock"
args=(--deps Cargo.lock)
for d in crates/*/tests/fixtures; do args+=(--deps "$d"); done
run "${args[@]}"

echo
echo "== speed of the check alone (release build of vouch-typosquat, best of 5)"
cargo run -q --release --locked -p vouch-typosquat --example speed -- \
  crates/vouch-scan/tests/fixtures/typosquat/real-deps.tsv
