#!/usr/bin/env bash
# Verified download speed: `vouch fetch URL --sha256 HEX -o FILE` beside the usual shell recipe
# `curl --fail -sS -o FILE URL && echo "HEX  FILE" | sha256sum -c -`, on the same file served by
# `python3 -m http.server` on 127.0.0.1 (loopback: what is measured is hashing, writing and
# renaming, not the network). Each run under /usr/bin/time -v (wall time, peak RSS); the file is
# removed before every run so both always download.
#
# usage: bench/fetch.sh VOUCH [SIZE_MIB]
#   VOUCH     the vouch binary (e.g. target/release/vouch); required, never guessed
#   SIZE_MIB  size of the incompressible test file, default 512
#   env: BENCH_DIR (default /tmp/vouch-bench-fetch)
# Needs: python3, curl, sha256sum, /usr/bin/time.
set -euo pipefail
VOUCH=${1:?usage: bench/fetch.sh VOUCH [SIZE_MIB]}
SIZE=${2:-512}
DIR=${BENCH_DIR:-/tmp/vouch-bench-fetch}
mkdir -p "$DIR/srv" "$DIR/out"
FILE="$DIR/srv/blob-$SIZE.bin"
[ -f "$FILE" ] || head -c "$((SIZE * 1024 * 1024))" /dev/urandom > "$FILE"
HEX=$(sha256sum "$FILE" | cut -d' ' -f1)
python3 -m http.server --bind 127.0.0.1 --directory "$DIR/srv" 0 > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
for _ in $(seq 50); do
  PORT=$(grep -oE 'port [0-9]+' "$DIR/server.log" | head -1 | cut -d' ' -f2 || true)
  [ -n "${PORT:-}" ] && break
  sleep 0.1
done
URL="http://127.0.0.1:$PORT/$(basename "$FILE")"
measure() {
  local name=$1; shift
  rm -f "$DIR/out/f"
  /usr/bin/time -v "$@" > /dev/null 2> "$DIR/time.txt" || { echo "| $name | failed | |"; return; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$DIR/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$DIR/time.txt" | awk '{print $NF}')
  echo "| $name | $wall | $((rss / 1024)) MiB |"
}
echo "| ${SIZE} MiB over loopback | wall | peak RSS |"
echo "|---|---|---|"
measure "vouch fetch" "$VOUCH" fetch "$URL" --sha256 "$HEX" -o "$DIR/out/f"
measure "curl + sha256sum -c" sh -c "curl --fail -sS -o '$DIR/out/f' '$URL' && echo '$HEX  $DIR/out/f' | sha256sum -c - >/dev/null"
