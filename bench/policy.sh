#!/usr/bin/env bash
# Benchmark `vouch check` against trivy config, checkov and hadolint on the same files.
#
# Usage: bench/policy.sh COPIES DATA_DIR
#   COPIES   how many times the real-file set is replicated (e.g. 40)
#   DATA_DIR a folder of real files with dockerfile/ gitlab-ci/ gha-workflows/ kubernetes/
#            compose/ (the figures in BENCHMARKS.md used the ecosystem data set of the team's
#            shared data, `data/ecosystem`); required: a clone carries no such set
# Needs a release build (cargo build --release -p vouch) and, for peers, /opt/peers/bin.
# Every tool sees the same tree; files are renamed to the names all tools detect
# (Dockerfile, .gitlab-ci.yml, .github/workflows/*.yml, *.yaml, docker-compose.yml).
# Exit codes of the tools are ignored (findings make them exit non-zero).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/policy.sh COPIES DATA_DIR (DATA_DIR: dockerfile/ gitlab-ci/ gha-workflows/ kubernetes/ compose/)" >&2; exit 2; }
COPIES=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$2
[ -d "$DATA" ] || { echo "bench/policy.sh: no data set at $DATA; pass DATA_DIR (dockerfile/ gitlab-ci/ gha-workflows/ kubernetes/ compose/)" >&2; exit 2; }
VOUCH=${VOUCH:-${CARGO_TARGET_DIR:-$ROOT/target}/release/vouch}
# The command that runs vouch's checks. Default: the release `vouch` binary. With
# VOUCH_POLICY_EXAMPLE=1: crates/vouch-policy/examples/check.rs (the same library call,
# `vouch_policy::check_dir` + JSON rendering, without the rest of the binary).
if [ "${VOUCH_POLICY_EXAMPLE:-0}" = 1 ]; then
  VOUCH_CMD="${CARGO_TARGET_DIR:-$ROOT/target}/${PROFILE_DIR:-release}/examples/check"
else
  VOUCH_CMD="$VOUCH check --format json"
fi
PATH=/opt/peers/bin:$PATH
CORPUS=${CORPUS:-/tmp/vouch-policy-bench}

rm -rf "$CORPUS"; mkdir -p "$CORPUS"
one="$CORPUS/copy-0"
mkdir -p "$one/.github/workflows" "$one/k8s"
for f in "$DATA"/dockerfile/*; do
  n=$(basename "$f"); [ "$n" = SOURCES.md ] && continue
  mkdir -p "$one/docker/$n"; cp "$f" "$one/docker/$n/Dockerfile"
done
for f in "$DATA"/gitlab-ci/*; do
  n=$(basename "$f"); [ "$n" = SOURCES.md ] && continue
  mkdir -p "$one/gitlab/$n"; cp "$f" "$one/gitlab/$n/.gitlab-ci.yml"
done
for f in "$DATA"/gha-workflows/*; do
  n=$(basename "$f"); [ "$n" = SOURCES.md ] && continue
  cp "$f" "$one/.github/workflows/${n%.*}.yml"
done
for f in "$DATA"/kubernetes/*; do
  n=$(basename "$f"); [ "$n" = SOURCES.md ] && continue
  cp "$f" "$one/k8s/${n%.*}.yaml"
done
for f in "$DATA"/compose/*; do
  n=$(basename "$f"); [ "$n" = SOURCES.md ] && continue
  mkdir -p "$one/compose/$n"; cp "$f" "$one/compose/$n/docker-compose.yml"
done
# Replicate: each copy is its own repository-like tree (GitHub workflows only count at a root).
for i in $(seq 1 $((COPIES - 1))); do cp -r "$one" "$CORPUS/copy-$i"; done
NFILES=$(find "$CORPUS" -type f | wc -l)
NDOCKER=$(find "$CORPUS" -name Dockerfile | wc -l)
echo "corpus: $CORPUS, $COPIES copies, $NFILES files ($NDOCKER Dockerfiles)"
echo "vouch: $VOUCH_CMD ($(cd "$ROOT" && git rev-parse --short HEAD))"
command -v trivy >/dev/null && echo "trivy: $(trivy --version | head -1)"
command -v checkov >/dev/null && echo "checkov: $(checkov --version 2>/dev/null | tail -1)"
command -v hadolint >/dev/null && echo "hadolint: $(hadolint --version)"

DOCKERFILES=$(find "$CORPUS" -name Dockerfile | sort | tr '\n' ' ')
export DOCKERFILES
cmds=(
  "$VOUCH_CMD $CORPUS"
  "trivy config --quiet --skip-check-update --format json $CORPUS"
  "hadolint --no-fail --format json $DOCKERFILES"
  "checkov --quiet --compact -o json --skip-download --framework dockerfile kubernetes github_actions gitlab_ci -d $CORPUS"
)
names=(vouch trivy hadolint checkov)
if command -v hyperfine >/dev/null; then
  args=()
  for i in "${!cmds[@]}"; do
    bin=${cmds[$i]%% *}
    command -v "$bin" >/dev/null || [ -x "$bin" ] || { echo "skipping ${names[$i]}: $bin not found"; continue; }
    args+=(-n "${names[$i]}" "${cmds[$i]} >/dev/null 2>&1")
  done
  hyperfine -i --warmup 1 --runs "${RUNS:-5}" --export-markdown "${RESULTS:-/tmp/vouch-policy-bench.md}" "${args[@]}"
else
  for i in "${!cmds[@]}"; do
    echo "== ${names[$i]}"; /usr/bin/time -f "%e s, %M KiB" bash -c "${cmds[$i]} >/dev/null 2>&1" || true
  done
fi
