#!/usr/bin/env bash
# Verifying one image's signature against a warm local registry (issue #16: at most 4 registry
# requests and < 50 ms per `vouch verify registry:…`).
#
# For each registry (crates.io's ferro-oci-server: referrers API; Debian's docker-registry:
# fallback tag only), started on 127.0.0.1 in a temporary folder:
#   1. pushes a small one-layer OCI image (bench/app:v1) through the distribution API (curl);
#   2. signs it with `vouch sign registry:HOST/bench/app:v1 --key …` (exit 0 and the pushed
#      digest on stdout, else the row says why and nothing is timed for vouch);
#   3. runs `vouch verify registry:HOST/bench/app@DIGEST --key …` once with
#      VOUCH_REGISTRY_STATS=1 and reads `registry requests: N` from its stderr (vouch's own
#      count), and counts the requests docker-registry's access log saw during that one run (the
#      server's count; ferro-oci-server logs no requests);
#   4. times N runs (hyperfine when present, else a bash loop over `date +%s%N`); every run must
#      exit 0, a failed run is reported with its exit code, never as a time;
#   5. the same with cosign when $COSIGN (default /opt/peers/bin/cosign) exists: `cosign sign`
#      with its own key pair (no transparency log), then `cosign verify --insecure-ignore-tlog`.
#      ../shared/tools/peers-install.sh does not install cosign at the time of writing; this
#      script installs nothing.
# Prints a Markdown table on stdout (median and min ms, requests); raw data in $BENCH_DIR.
#
# usage: bench/registry-verify.sh [--runs N] [--only ferro|distribution]
#   env: VOUCH (default target/release/vouch; build it with `cargo build --release -p vouch`),
#        COSIGN (default /opt/peers/bin/cosign), BENCH_DIR (default /tmp/vouch-bench-registry)
# Needs: ferro-oci-server (scripts/test-setup.d/ferro.sh), /usr/bin/docker-registry
#        (scripts/test-setup.d/registry.sh), curl, sha256sum, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n 2,30p "$0" >&2; exit 2; }
RUNS=20; ONLY=""
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift ;;
    --only) ONLY=$2; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
  shift
done
VOUCH=${VOUCH:-$PWD/target/release/vouch}
COSIGN=${COSIGN:-/opt/peers/bin/cosign}
BENCH_DIR=${BENCH_DIR:-/tmp/vouch-bench-registry}
FERRO=$(command -v ferro-oci-server || echo "${CARGO_HOME:-$HOME/.cargo}/bin/ferro-oci-server")
[ -x "$VOUCH" ] || { echo "bench/registry-verify.sh: $VOUCH is missing (cargo build --release -p vouch, or set VOUCH)" >&2; exit 2; }
[ -x "$FERRO" ] || { echo "bench/registry-verify.sh: ferro-oci-server is missing (scripts/test-setup.d/ferro.sh)" >&2; exit 2; }
[ -x /usr/bin/docker-registry ] || { echo "bench/registry-verify.sh: /usr/bin/docker-registry is missing (scripts/test-setup.d/registry.sh)" >&2; exit 2; }
for t in curl sha256sum python3; do
  command -v "$t" >/dev/null || { echo "bench/registry-verify.sh: $t is missing" >&2; exit 2; }
done
rm -rf "$BENCH_DIR"; mkdir -p "$BENCH_DIR"
export VOUCH_PASSWORD=bench COSIGN_PASSWORD=bench
# No developer credentials take part.
export HOME="$BENCH_DIR/home"; mkdir -p "$HOME"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # HOST
  for _ in $(seq 200); do curl -fsS -o /dev/null "http://$1/v2/" 2>/dev/null && return 0; sleep 0.05; done
  echo "bench/registry-verify.sh: the registry on $1 did not answer" >&2; exit 2
}
# start_KIND DIR: starts the registry (in this shell, so that the exit trap can stop it) and
# sets HOST.
start_ferro() {
  local port; port=$(free_port)
  FERRO_OCI_LISTEN=127.0.0.1:$port FERRO_OCI_STORAGE_DIR=$1/data "$FERRO" >"$1/registry.log" 2>&1 &
  PIDS+=($!); HOST="127.0.0.1:$port"; wait_up "$HOST"
}
start_distribution() {
  local port; port=$(free_port)
  cat >"$1/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $1/data
http:
  addr: 127.0.0.1:$port
EOF
  /usr/bin/docker-registry serve "$1/config.yml" >"$1/registry.log" 2>&1 &
  PIDS+=($!); HOST="127.0.0.1:$port"; wait_up "$HOST"
}
push_blob() { # HOST REPO FILE -> prints digest
  local d loc sep
  d="sha256:$(sha256sum "$3" | cut -d' ' -f1)"
  loc=$(curl -fsS -X POST -D - -o /dev/null "http://$1/v2/$2/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  case $loc in /*) loc="http://$1$loc" ;; esac
  case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$3" "$loc${sep}digest=$d" >/dev/null
  echo "$d"
}
push_image() { # HOST REPO TAG DIR -> prints the manifest digest
  local layer config
  head -c 1024 /dev/zero >"$4/layer"
  layer=$(push_blob "$1" "$2" "$4/layer")
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$layer" >"$4/config"
  config=$(push_blob "$1" "$2" "$4/config")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":1024}]}' \
    "$config" "$(stat -c %s "$4/config")" "$layer" >"$4/manifest.json"
  curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$4/manifest.json" "http://$1/v2/$2/manifests/$3" >/dev/null
  echo "sha256:$(sha256sum "$4/manifest.json" | cut -d' ' -f1)"
}
# Access-log lines of docker-registry (one per request); empty for ferro-oci-server.
log_requests() { grep -c '" [0-9][0-9][0-9] ' "$1/registry.log" || true; }

# time_runs NAME DIR CMD... -> prints "median min" in ms, or "failed (exit N)"
time_runs() {
  local name=$1 dir=$2; shift 2
  if command -v hyperfine >/dev/null; then
    if hyperfine --style none --warmup 2 --runs "$RUNS" --export-json "$dir/$name.hyperfine.json" "$(printf '%q ' "$@")" >"$dir/$name.hyperfine.log" 2>&1; then
      python3 - "$dir/$name.hyperfine.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f'{r["median"] * 1000:.1f} {r["min"] * 1000:.1f}')
PY
    else
      echo "failed (see $dir/$name.hyperfine.log)"
    fi
    return
  fi
  local i rc t0 t1 times=()
  "$@" >/dev/null 2>&1 || true # warm-up
  for i in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    rc=0; "$@" >/dev/null 2>"$dir/$name.stderr" || rc=$?
    t1=$(date +%s%N)
    [ "$rc" = 0 ] || { echo "failed (exit $rc, run $i: $dir/$name.stderr)"; return; }
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" >"$dir/$name.us"
  python3 - "$dir/$name.us" <<'PY'
import statistics, sys
t = [int(x) / 1000 for x in open(sys.argv[1])]
print(f"{statistics.median(t):.1f} {min(t):.1f}")
PY
}

# row KIND TOOL "MEDIAN MIN"|"failed …" REQUESTS SERVER
row() {
  case $3 in
    failed*) echo "| $1 | $2 | $3 | | $4 | $5 |" ;;
    *) echo "| $1 | $2 | ${3% *} | ${3#* } | $4 | $5 |" ;;
  esac
}

echo "| registry | tool | median ms | min ms | requests (tool) | requests (server log) |"
echo "|---|---|---|---|---|---|"
for kind in ferro distribution; do
  [ -z "$ONLY" ] || [ "$ONLY" = "$kind" ] || continue
  dir="$BENCH_DIR/$kind"; mkdir -p "$dir"
  "start_$kind" "$dir"; host=$HOST
  digest=$(push_image "$host" bench/app v1 "$dir")
  image="$host/bench/app"

  "$VOUCH" key generate --output-prefix "$dir/vouch" >/dev/null 2>&1
  rc=0; signed=$("$VOUCH" sign "registry:$image:v1" --key "$dir/vouch.key" --insecure-registry "$host" 2>"$dir/vouch-sign.stderr") || rc=$?
  if [ "$rc" != 0 ] || [ "$signed" != "$digest" ]; then
    echo "| $kind | vouch | vouch sign failed (exit $rc, printed '${signed}', expected $digest; $dir/vouch-sign.stderr) | | | |"
  else
    before=$(log_requests "$dir")
    rc=0; VOUCH_REGISTRY_STATS=1 "$VOUCH" verify "registry:$image@$digest" --key "$dir/vouch.pub" --insecure-registry "$host" \
      >"$dir/vouch-verify.stdout" 2>"$dir/vouch-verify.stderr" || rc=$?
    after=$(log_requests "$dir")
    if [ "$rc" != 0 ]; then
      echo "| $kind | vouch | vouch verify failed (exit $rc; $dir/vouch-verify.stderr) | | | |"
    else
      requests=$(sed -n 's/.*registry requests: \([0-9][0-9]*\).*/\1/p' "$dir/vouch-verify.stderr" | tail -1)
      server=$([ "$kind" = distribution ] && echo $((after - before)) || echo "-")
      timed=$(time_runs vouch "$dir" "$VOUCH" verify "registry:$image@$digest" --key "$dir/vouch.pub" --insecure-registry "$host")
      row "$kind" vouch "$timed" "${requests:-not printed}" "$server"
    fi
  fi

  if [ -x "$COSIGN" ]; then
    (cd "$dir" && "$COSIGN" generate-key-pair --output-key-prefix cosign >/dev/null 2>&1)
    rc=0; "$COSIGN" sign --yes --key "$dir/cosign.key" --tlog-upload=false --allow-http-registry --allow-insecure-registry \
      "$image@$digest" >"$dir/cosign-sign.log" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then
      echo "| $kind | cosign | cosign sign failed (exit $rc; $dir/cosign-sign.log) | | | |"
    else
      cosign_verify=("$COSIGN" verify --key "$dir/cosign.pub" --insecure-ignore-tlog=true --allow-http-registry --allow-insecure-registry "$image@$digest")
      before=$(log_requests "$dir")
      rc=0; "${cosign_verify[@]}" >"$dir/cosign-verify.log" 2>&1 || rc=$?
      after=$(log_requests "$dir")
      if [ "$rc" != 0 ]; then
        echo "| $kind | cosign | cosign verify failed (exit $rc; $dir/cosign-verify.log) | | | |"
      else
        server=$([ "$kind" = distribution ] && echo $((after - before)) || echo "-")
        timed=$(time_runs cosign "$dir" "${cosign_verify[@]}")
        row "$kind" cosign "$timed" - "$server"
      fi
    fi
  else
    echo "| $kind | cosign | not run: $COSIGN is missing | | | |"
  fi
done
echo
echo "vouch: $("$VOUCH" --version 2>&1 | head -1); $RUNS runs per row$(command -v hyperfine >/dev/null && echo ' (hyperfine)' || echo ' (bash loop, date +%s%N)'); raw data in $BENCH_DIR"
