#!/usr/bin/env bash
# Secret-scanner benchmark: accuracy on a generated labelled corpus, speed and peak memory on a
# large real tree, vouch beside Trivy, detect-secrets and trufflehog3 (from /opt/peers/bin).
# Usage: bench/secrets.sh [BIG_TREE]   (default ~/.cargo/registry/src)
# Needs: a release build of vouch (cargo build --release -p vouch), python3, hyperfine,
# /usr/bin/time. Results go to $OUT (default /tmp/vouch-secrets-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
BIG=${1:-$HOME/.cargo/registry/src}
OUT=${OUT:-/tmp/vouch-secrets-bench}
VOUCH=${VOUCH:-${CARGO_TARGET_DIR:-target}/release/vouch}
# Without a release `vouch` binary, fall back to the library-only example (same scan_dir and JSON
# renderer): cargo build --release -p vouch-secrets --example scan
if [ -x "$VOUCH" ]; then
  VOUCH_SCAN="$VOUCH secrets --format json --no-fail"
else
  VOUCH_SCAN="${CARGO_TARGET_DIR:-target}/release/examples/scan"
  echo "note: $VOUCH not built; measuring $VOUCH_SCAN (library-only example)" >&2
fi
PEERS=${PEERS:-/opt/peers/bin}
mkdir -p "$OUT"
CORPUS=$OUT/corpus
python3 bench/secrets-corpus.py "$CORPUS" >&2

echo "== accuracy (corpus: $CORPUS)"
$VOUCH_SCAN "$CORPUS/files" > "$OUT/vouch.json" 2>/dev/null
python3 bench/secrets-score.py "$CORPUS" vouch "$OUT/vouch.json" | tee "$OUT/score-vouch.json"
# labels are relative to the corpus root; tools scan corpus/files, so score from there
(cd "$CORPUS" && "$PEERS/trivy" fs --scanners secret --format json --quiet \
  --cache-dir "$OUT/trivy-cache" files > "$OUT/trivy.json" 2>/dev/null) || true
(cd "$CORPUS" && "$PEERS/detect-secrets" scan --all-files files > "$OUT/detect-secrets.json" 2>/dev/null) || true
(cd "$CORPUS" && "$PEERS/trufflehog3" --no-history --format JSON --zero -o "$OUT/trufflehog3.json" files >/dev/null 2>&1) || true
for t in trivy detect-secrets trufflehog3; do
  (cd "$CORPUS" && python3 "$OLDPWD/bench/secrets-score.py" . "$t" "$OUT/$t.json") | tee "$OUT/score-$t.json"
done

echo "== speed on $BIG ($(du -sh "$BIG" | cut -f1), $(find "$BIG" -type f | wc -l) files)"
hyperfine --warmup 1 --runs "${RUNS:-3}" --ignore-failure --export-json "$OUT/hyperfine.json" \
  "$VOUCH_SCAN $BIG > /dev/null" \
  "$PEERS/trivy fs --scanners secret --format json --quiet --cache-dir $OUT/trivy-cache -o $OUT/trivy-big.json $BIG"

echo "== peak RSS"
/usr/bin/time -v $VOUCH_SCAN "$BIG" 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed"
/usr/bin/time -v "$PEERS/trivy" fs --scanners secret --format json --quiet --cache-dir "$OUT/trivy-cache" -o "$OUT/trivy-big.json" "$BIG" 2>&1 | grep -E "Maximum resident|Elapsed"
