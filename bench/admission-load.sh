#!/usr/bin/env bash
# The admission webhook under load (issue #17: 1,000 requests/s over TLS with keep-alive for
# 10 s against a warm cache: p99 < 5 ms and 0 errors on a 2-core machine; a cold verification
# against the local registry < 100 ms).
#
#   1. starts Debian's docker-registry on 127.0.0.1 in a temporary folder and pushes a small
#      one-layer OCI image (bench/app:v1) through the distribution API (curl);
#   2. makes it pass the gate the way a pipeline would: `vouch sbom --attest`, `vouch sign`,
#      `vouch attest provenance` (GitLab CI variables set for this one command), each must exit 0;
#   3. writes gate.toml (the key, the provenance source/ref/builder) and admission.toml (one
#      enforce rule over HOST/bench/**), a self-signed certificate for 127.0.0.1 (openssl), and
#      an AdmissionReview body: the kubewarden Pod fixture of vouch-server's tests with every
#      container image set to HOST/bench/app@DIGEST;
#   4. starts `vouch admission serve` and waits for /readyz;
#   5. cold: the first POST /validate?timeout=10s for that digest (nothing cached), timed by
#      curl from the end of the TLS handshake to the last byte; the answer must be allowed;
#   6. warms the cache (20 requests), then `oha -z DURATION -q RATE --http-version 1.1 -w` (keep-alive,
#      POST, the same body, `--insecure`: the certificate is this run's own) and prints p50, p99,
#      requests, non-200 answers and errors, and the server's RSS before and after.
# Prints a Markdown table on stdout; raw data (oha's JSON, the server's log) in $BENCH_DIR.
#
# Correct by construction, not yet run: `vouch admission serve` decides through the admission
# library (crates/vouch-admission), merged separately; before that merge the server refuses to
# start ("admission library not merged yet") and this script stops at step 4 with exit 2.
#
# usage: bench/admission-load.sh [--duration 10s] [--rate 1000]
#   env: VOUCH (default target/release/vouch; `cargo build --release -p vouch`),
#        BENCH_DIR (default /tmp/vouch-bench-admission),
#        OHA_ROOT (default target/bench-tools: where `cargo install --locked oha` puts oha when
#        it is not on PATH; never system-wide),
#        SERVE_PREFIX (a command the server runs under, e.g. "heaptrack -o $BENCH_DIR/heap"
#        for a heap profile; empty by default),
#        RSS_EVERY (seconds between samples of the server's VmRSS, written to rss.tsv; 60)
# Needs: /usr/bin/docker-registry (scripts/test-setup.d/registry.sh), curl, openssl, python3,
#        sha256sum, cargo (once, for oha).
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n 2,35p "$0" >&2; exit 2; }
DURATION=10s; RATE=1000
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift ;;
    --rate) RATE=$2; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
  shift
done
ROOT=$PWD
VOUCH=${VOUCH:-$ROOT/target/release/vouch}
BENCH_DIR=${BENCH_DIR:-/tmp/vouch-bench-admission}
OHA_ROOT=${OHA_ROOT:-$ROOT/target/bench-tools}
FIXTURE=$ROOT/crates/vouch-server/tests/fixtures/admission-review/kubewarden-pod.json
die() { echo "bench/admission-load.sh: $*" >&2; exit 2; }
[ -x "$VOUCH" ] || die "$VOUCH is missing (cargo build --release -p vouch, or set VOUCH)"
[ -x /usr/bin/docker-registry ] || die "/usr/bin/docker-registry is missing (scripts/test-setup.d/registry.sh)"
for t in curl openssl python3 sha256sum; do command -v "$t" >/dev/null || die "$t is missing"; done

OHA=$(command -v oha || true)
if [ -z "$OHA" ]; then
  OHA=$OHA_ROOT/bin/oha
  if [ ! -x "$OHA" ]; then
    echo "installing oha into $OHA_ROOT (cargo install --locked)" >&2
    cargo install --locked --root "$OHA_ROOT" oha --version '^1.16' >&2
  fi
fi
[ -x "$OHA" ] || die "oha is missing ($OHA)"

rm -rf "$BENCH_DIR"; mkdir -p "$BENCH_DIR"
export VOUCH_PASSWORD=bench
# No developer credentials take part.
export HOME="$BENCH_DIR/home"; mkdir -p "$HOME"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# 1. the registry and the image
port=$(free_port); HOST=127.0.0.1:$port
cat >"$BENCH_DIR/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $BENCH_DIR/registry
http:
  addr: $HOST
EOF
/usr/bin/docker-registry serve "$BENCH_DIR/registry.yml" >"$BENCH_DIR/registry.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do curl -fsS -o /dev/null "http://$HOST/v2/" 2>/dev/null && break; sleep 0.05; done
curl -fsS -o /dev/null "http://$HOST/v2/" || die "the registry on $HOST did not answer"

push_blob() { # REPO FILE -> prints digest
  local d loc sep
  d="sha256:$(sha256sum "$2" | cut -d' ' -f1)"
  loc=$(curl -fsS -X POST -D - -o /dev/null "http://$HOST/v2/$1/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  case $loc in /*) loc="http://$HOST$loc" ;; esac
  case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$2" "$loc${sep}digest=$d" >/dev/null
  echo "$d"
}
w=$BENCH_DIR/image; mkdir -p "$w"
head -c 1024 /dev/zero >"$w/layer"   # an empty tar archive (two zero blocks)
layer=$(push_blob bench/app "$w/layer")
printf '{"architecture":"amd64","os":"linux","created":"2026-09-01T00:00:00Z","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$layer" >"$w/config"
config=$(push_blob bench/app "$w/config")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":1024}]}' \
  "$config" "$(stat -c %s "$w/config")" "$layer" >"$w/manifest.json"
curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$w/manifest.json" "http://$HOST/v2/bench/app/manifests/v1" >/dev/null
DIGEST="sha256:$(sha256sum "$w/manifest.json" | cut -d' ' -f1)"
IMG="registry:$HOST/bench/app:v1"

# 2. the pipeline's evidence
cd "$BENCH_DIR"
step() { # NAME CMD...
  local name=$1; shift
  "$@" >"$BENCH_DIR/$name.stdout" 2>"$BENCH_DIR/$name.stderr" || die "$name failed (exit $?; $BENCH_DIR/$name.stderr)"
}
step key "$VOUCH" key generate --output-prefix release
step sbom "$VOUCH" sbom "$IMG" --attest --key release.key -o sbom.cdx.json --insecure-registry "$HOST"
step sign "$VOUCH" sign "$IMG" --key release.key --insecure-registry "$HOST"
step provenance env GITLAB_CI=true CI_SERVER_URL=https://gitlab.example.com \
  CI_PROJECT_URL=https://gitlab.example.com/acme/api CI_COMMIT_SHA=4f1c2a9e0b7d3c6f8e5a1b2c3d4e5f6a7b8c9d0e \
  CI_COMMIT_REF_NAME=main CI_COMMIT_REF_PROTECTED=true CI_PIPELINE_ID=4242 CI_JOB_ID=777 CI_RUNNER_ID=12 \
  "$VOUCH" attest provenance --subject "$IMG" --key release.key --insecure-registry "$HOST"

# 3. configuration, certificate, body
cat >gate.toml <<'EOF'
[trust]
keys = ["release.pub"]

[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
EOF
# The gate alone must pass first: the same policy, the same decision.
step gate "$VOUCH" gate "registry:$HOST/bench/app@$DIGEST" --policy gate.toml --insecure-registry "$HOST"
cat >admission.toml <<EOF
unmatched = "deny"
deadline = "5s"

[[rules]]
images = ["$HOST/bench/**"]
namespaces = ["*"]
policy = "gate.toml"
mode = "enforce"
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout tls.key -out tls.crt 2>/dev/null
python3 - "$FIXTURE" "$HOST/bench/app@$DIGEST" >review.json <<'PY'
import json, sys
review = json.load(open(sys.argv[1]))
spec = review["request"]["object"]["spec"]
for kind in ("containers", "initContainers", "ephemeralContainers"):
    for container in spec.get(kind, []):
        container["image"] = sys.argv[2]
json.dump(review, sys.stdout)
PY

# 4. the webhook
wport=$(free_port)
URL="https://127.0.0.1:$wport"
read -r -a prefix <<<"${SERVE_PREFIX:-}"
"${prefix[@]}" "$VOUCH" admission serve --config admission.toml --tls-cert tls.crt --tls-key tls.key \
  --listen "127.0.0.1:$wport" --insecure-registry "$HOST" 2>"$BENCH_DIR/server.log" &
SERVER=$!; PIDS+=($SERVER)
for _ in $(seq 300); do
  kill -0 "$SERVER" 2>/dev/null || die "vouch admission serve exited ($BENCH_DIR/server.log: $(tail -2 "$BENCH_DIR/server.log" | tr '\n' ' '))"
  [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert tls.crt "$URL/readyz")" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert tls.crt "$URL/readyz")" = 200 ] || die "the webhook never became ready ($BENCH_DIR/server.log)"
# Under a SERVE_PREFIX the server is the prefix's child.
VPID=$SERVER
if [ ${#prefix[@]} -gt 0 ]; then
  VPID=$(pgrep -P "$SERVER" -f 'admission serve' | head -1)
  [ -n "$VPID" ] || die "no server process under $SERVE_PREFIX"
  PIDS+=("$VPID")
fi
rss() { awk '/^VmRSS/{print $2 " kB"}' "/proc/$VPID/status"; }
rss_before=$(rss)

# 5. one cold verification
post() { # OUT -> prints curl's timings
  curl -sS --cacert tls.crt -X POST -H 'Content-Type: application/json' --data-binary @review.json \
    -o "$1" -w '%{http_code} %{time_appconnect} %{time_total}\n' "$URL/validate?timeout=10s"
}
read -r code appconnect total < <(post cold.json)
[ "$code" = 200 ] || die "cold request: HTTP $code (cold.json)"
python3 -c 'import json,sys; r=json.load(open("cold.json"))["response"]; sys.exit(0 if r.get("allowed") is True else 1)' \
  || die "the signed image was not admitted: $(cat cold.json)"
cold_ms=$(python3 -c "print(f'{($total - $appconnect) * 1000:.1f}')")

# 6. warm, then the load (the server's RSS sampled every RSS_EVERY seconds meanwhile)
for _ in $(seq 20); do post warm.json >/dev/null; done
( start=$(date +%s)
  while kill -0 "$VPID" 2>/dev/null; do
    echo "$(( $(date +%s) - start )) $(awk '/^VmRSS/{print $2}' "/proc/$VPID/status" 2>/dev/null)" >>rss.tsv
    sleep "${RSS_EVERY:-60}"
  done ) &
PIDS+=($!)
if "$OHA" --help 2>&1 | grep -q -- '--output-format'; then format=(--output-format json); else format=(--json); fi
# -w: requests still open when the time is up are waited for, not counted as errors.
"$OHA" -z "$DURATION" -q "$RATE" --http-version 1.1 --no-tui --insecure -w "${format[@]}" \
  -m POST -H 'Content-Type: application/json' -D review.json "$URL/validate?timeout=10s" >oha.json 2>oha.stderr \
  || die "oha failed (exit $?; $BENCH_DIR/oha.stderr)"
rss_after=$(rss)
kill -0 "$SERVER" 2>/dev/null || die "the webhook died under load ($BENCH_DIR/server.log)"

python3 - oha.json "$cold_ms" "$rss_before" "$rss_after" "$DURATION" "$RATE" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
summary = data["summary"]
pct = data["latencyPercentiles"]
codes = {str(k): v for k, v in data.get("statusCodeDistribution", {}).items()}
errors = sum(data.get("errorDistribution", {}).values())
total = sum(codes.values())
non_200 = total - codes.get("200", 0)
ms = lambda s: f"{s * 1000:.2f}" if s is not None else "-"
print("| measure | value |")
print("|---|---|")
print(f"| load | {sys.argv[6]} req/s for {sys.argv[5]}, HTTP/1.1 keep-alive, TLS, warm cache |")
print(f"| requests answered | {total} ({summary.get('requestsPerSec', 0):.0f} req/s) |")
print(f"| p50 ms | {ms(pct.get('p50'))} |")
print(f"| p99 ms | {ms(pct.get('p99'))} |")
print(f"| non-200 answers | {non_200} |")
print(f"| errors (connection, timeout) | {errors} |")
print(f"| cold verification ms (after the TLS handshake) | {sys.argv[2]} |")
print(f"| server RSS before / after | {sys.argv[3]} / {sys.argv[4]} |")
PY
echo
echo "server VmRSS (kB) by second of the load: $(awk '{printf "%s%s:%s", sep, $1, $2; sep=" "}' rss.tsv)"
echo
echo "vouch: $("$VOUCH" --version 2>&1 | head -1); oha: $("$OHA" --version 2>&1 | head -1); raw data in $BENCH_DIR"
