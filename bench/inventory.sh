#!/usr/bin/env bash
# Inventory speed and memory: vouch sbom beside Trivy (fs + rootfs: the two runs Trivy needs for
# the same coverage) and cdxgen, on the same large tree.
#
# The tree: COPIES (default 300) copies of every real lockfile in the repository's test fixtures
# (crates/vouch-inventory/tests/fixtures), plus a Debian bookworm root filesystem made with
# `debootstrap --variant=minbase` (needs the Debian mirror; cached in $BENCH_DIR).
#
# usage: bench/inventory.sh            (peers from ../shared/tools/peers-install.sh on PATH or in
#                                       /opt/peers/bin; hyperfine and debootstrap from Debian)
# Output: a Markdown table on stdout; raw hyperfine JSON and /usr/bin/time logs in $BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/vouch-bench-inventory}
COPIES=${COPIES:-300}
RUNS=${RUNS:-5}
PEERS=${PEERS_BIN:-/opt/peers/bin}
export PATH="$PEERS:$PATH"
mkdir -p "$BENCH_DIR"

cargo build --release --locked -p vouch >&2
VOUCH=$PWD/target/release/vouch

tree=$BENCH_DIR/tree
if [ ! -f "$tree/.done-$COPIES" ]; then
  rm -rf "$tree"; mkdir -p "$tree/src"
  # Lockfiles only (the formats both tools read); one folder per copy so nothing collides.
  mapfile -t locks < <(find crates/vouch-inventory/tests/fixtures -type f \
    \( -name '*Cargo.lock' -o -name '*package-lock*.json' -o -name '*yarn.lock' -o -name '*pnpm-lock*.yaml' \
       -o -name '*poetry.lock' -o -name '*uv.lock' -o -name '*Pipfile.lock' -o -name '*requirements*.txt' \
       -o -name '*go.mod' -o -name '*go.sum' -o -name '*Gemfile.lock' -o -name '*composer.lock' \) \
    -not -path '*fuzz-regressions*' -not -path '*truncated*' -not -name 'bad*' | sort)
  for i in $(seq 1 "$COPIES"); do
    for f in "${locks[@]}"; do
      base=$(basename "$f"); dir=$tree/src/c$i/$(echo "$base" | tr '.' '_')
      mkdir -p "$dir"
      # Restore the canonical file name (fixtures are named origin.kind.ext).
      case $base in
        *Cargo.lock) n=Cargo.lock ;; *shrinkwrap*) n=npm-shrinkwrap.json ;; *package-lock*) n=package-lock.json ;;
        *yarn.lock) n=yarn.lock ;; *pnpm-lock*) n=pnpm-lock.yaml ;; *poetry.lock) n=poetry.lock ;;
        *uv.lock) n=uv.lock ;; *Pipfile.lock) n=Pipfile.lock ;; *requirements*) n=requirements.txt ;;
        *go.mod) n=go.mod ;; *go.sum) n=go.sum ;; *Gemfile.lock) n=Gemfile.lock ;; *composer.lock) n=composer.lock ;;
      esac
      # go.mod and go.sum of one project must share a folder.
      case $n in go.mod|go.sum) dir=$tree/src/c$i/go_$(echo "$base" | sed 's/\.go\.\(mod\|sum\)$//') ; mkdir -p "$dir" ;; esac
      cp "$f" "$dir/$n"
    done
  done
  touch "$tree/.done-$COPIES"
fi
rootfs=$BENCH_DIR/rootfs
if [ ! -f "$rootfs/etc/os-release" ]; then
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >&2
fi
# The combined tree: sources + the root filesystem below one folder (vouch, cdxgen) — Trivy
# needs `fs` for the sources and `rootfs` for the OS packages.
all=$BENCH_DIR/all
mkdir -p "$all"
ln -sfn "$tree/src" "$all/src" 2>/dev/null || true
[ -d "$all/src" ] || cp -r "$tree/src" "$all/src"

nfiles=$(find "$tree/src" -type f | wc -l)
echo "tree: $nfiles lockfiles ($COPIES copies), plus $(grep -c '^Package:' "$rootfs/var/lib/dpkg/status") dpkg stanzas in the rootfs" >&2

export TRIVY_CACHE_DIR=$BENCH_DIR/trivy-cache
trivy_fs="trivy fs --timeout 60m --format cyclonedx --include-dev-deps --quiet -o $BENCH_DIR/trivy-fs.cdx.json $tree/src"
trivy_rootfs="trivy rootfs --timeout 60m --format cyclonedx --quiet -o $BENCH_DIR/trivy-rootfs.cdx.json $rootfs"

hyperfine --warmup 1 --runs "$RUNS" --export-json "$BENCH_DIR/hyperfine.json" \
  -n vouch "bash -c '$VOUCH sbom $tree/src >/dev/null && $VOUCH sbom $rootfs >/dev/null'" \
  -n trivy-fs+rootfs "bash -c '$trivy_fs && $trivy_rootfs'" >&2
if command -v cdxgen >/dev/null; then
  hyperfine --runs 1 --export-json "$BENCH_DIR/hyperfine-cdxgen.json" \
    -n cdxgen "cdxgen -r --no-install-deps --spec-version 1.6 -o $BENCH_DIR/cdxgen.json $tree/src" >&2 || true
fi

# Peak RSS (KiB) of the largest process of each run.
v1=$( { /usr/bin/time -f '%M' "$VOUCH" sbom "$tree/src" >/dev/null; } 2>&1 | tail -1)
v2=$( { /usr/bin/time -f '%M' "$VOUCH" sbom "$rootfs" >/dev/null; } 2>&1 | tail -1)
t1=$( { /usr/bin/time -f '%M' $trivy_fs; } 2>&1 | tail -1)
t2=$( { /usr/bin/time -f '%M' $trivy_rootfs; } 2>&1 | tail -1)
vc=$("$VOUCH" sbom "$tree/src" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["components"]))')
vr=$("$VOUCH" sbom "$rootfs" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["components"]))')
tc=$(trivy fs --timeout 60m --format cyclonedx --include-dev-deps --quiet "$tree/src" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("components",[])))')
tr=$(trivy rootfs --timeout 60m --format cyclonedx --quiet "$rootfs" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("components",[])))')

python3 - "$BENCH_DIR" "$v1" "$v2" "$t1" "$t2" "$vc" "$vr" "$tc" "$tr" <<'PY'
import json, sys, os
d, v1, v2, t1, t2, vc, vr, tc, tr = sys.argv[1:]
res = {r["command"]: r for r in json.load(open(os.path.join(d, "hyperfine.json")))["results"]}
v, t = res["vouch"], res["trivy-fs+rootfs"]
print("| tool | mean time (s) | ± | peak RSS (MiB, larger of the two runs) | components (src / rootfs) |")
print("|---|---|---|---|---|")
print(f"| vouch sbom ×2 | {v['mean']:.3f} | {v['stddev']:.3f} | {max(int(v1),int(v2))/1024:.1f} | {vc} / {vr} |")
print(f"| trivy fs + rootfs | {t['mean']:.3f} | {t['stddev']:.3f} | {max(int(t1),int(t2))/1024:.1f} | {tc} / {tr} |")
p = os.path.join(d, "hyperfine-cdxgen.json")
if os.path.exists(p):
    c = json.load(open(p))["results"][0]
    print(f"| cdxgen -r (src only) | {c['mean']:.3f} | - | - | - |")
print()
print(f"speed-up vs Trivy: {t['mean']/v['mean']:.1f}x; memory ratio: {max(int(v1),int(v2))/max(int(t1),int(t2)):.2f}")
PY
