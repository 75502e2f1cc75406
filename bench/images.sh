#!/usr/bin/env bash
# Image inventory speed and memory: `vouch sbom` beside Trivy and Syft on the same image archives.
#
# Builds daemonless (umoci, then skopeo copy to docker-archive:, oci-archive: and an OCI layout
# folder), cached in $BENCH_DIR:
#   (a) debian-py-node: ~330 MB, four layers: the Debian bookworm minbase root filesystem of
#       scripts/test-setup.d/images.sh; Python packages (pip from PyPI: numpy, requests…);
#       Node.js (this machine's /usr/bin/node) with npm packages from the npm registry under
#       /app (express, lodash, typescript); the application files;
#   (b) random-1200: ~1.2 GB of incompressible files (4 x 300 MB from /dev/urandom) in two
#       layers, no packages;
#   (c) huge: the root filesystem plus 4 layers of 1 GiB incompressible files (~4.2 GB);
#       only with --huge (never part of the test suite).
# Then runs, once per image and archive kind, each under /usr/bin/time -v (wall time, peak RSS):
#   trivy image --cache-backend memory --input FILE|DIR --format cyclonedx  (SBOM: no
#        vulnerability database needed, nothing downloaded; --input takes a docker-archive tar
#        or an OCI layout folder, not an oci-archive)
#   syft scan docker-archive:FILE | oci-archive:FILE | oci-dir:DIR -o cyclonedx-json
#   vouch sbom docker-archive:FILE | oci-archive:FILE | oci-dir:DIR     (the slot for vouch's
#        image reader: $VOUCH, default target/release/vouch; a run that fails is reported as
#        failed with its exit code, never as a time)
# and prints a Markdown table (plus the component count of each SBOM) on stdout.
#
# usage: bench/images.sh PEERS_BIN [--huge] [--only a|b|c] [--build-only]
#   PEERS_BIN  the folder with trivy and syft (../shared/tools/peers-install.sh installs them in
#              /opt/peers/bin); required, never guessed
#   env: BENCH_DIR (default /tmp/vouch-bench-images), VOUCH (vouch binary),
#        VOUCH_TEST_IMAGES_INPUTS (the inputs of scripts/test-setup.d/images.sh: the root
#        filesystem tar and pip; default /opt/vouch-test/images)
# Needs: umoci, skopeo, npm, network for pip and npm on the first build of (a).
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n 2,30p "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
PEERS=$1; shift
HUGE=0; ONLY=""; BUILD_ONLY=0
while [ $# -gt 0 ]; do
  case $1 in
    --huge) HUGE=1 ;;
    --only) ONLY=$2; shift ;;
    --build-only) BUILD_ONLY=1 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
  shift
done
for t in trivy syft; do
  [ -x "$PEERS/$t" ] || { echo "bench/images.sh: $PEERS/$t is missing (run ../shared/tools/peers-install.sh)" >&2; exit 2; }
done
for t in umoci skopeo npm /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench/images.sh: $t is missing" >&2; exit 2; }
done
BENCH_DIR=${BENCH_DIR:-/tmp/vouch-bench-images}
INPUTS=${VOUCH_TEST_IMAGES_INPUTS:-/opt/vouch-test/images}
VOUCH=${VOUCH:-$PWD/target/release/vouch}
[ -s "$INPUTS/bookworm-minbase.tar" ] || { echo "bench/images.sh: $INPUTS/bookworm-minbase.tar is missing (run scripts/test-setup.d/images.sh)" >&2; exit 2; }
mkdir -p "$BENCH_DIR"
ROOTLESS=(); [ "$(id -u)" = 0 ] || ROOTLESS=(--rootless)
SKOPEO=(skopeo --insecure-policy)

# repack IMAGE BUNDLE CREATED_BY: one layer from the bundle's changes.
repack() { umoci repack --refresh-bundle --image "$1" --history.created_by "$3" "$2" >&2; }

# archives NAME LAYOUT:TAG: docker-archive, oci-archive and OCI layout (oci-dir) copies.
archives() {
  "${SKOPEO[@]}" copy --quiet "oci:$2" "docker-archive:$BENCH_DIR/$1.docker.tar:bench/$1:latest" >&2
  "${SKOPEO[@]}" copy --quiet "oci:$2" "oci-archive:$BENCH_DIR/$1.oci.tar:$1" >&2
  rm -rf "$BENCH_DIR/$1.oci-dir"
  "${SKOPEO[@]}" copy --quiet "oci:$2" "oci:$BENCH_DIR/$1.oci-dir:$1" >&2
}

build_a() {
  [ -f "$BENCH_DIR/debian-py-node.done" ] && return
  local w=$BENCH_DIR/build-a img
  rm -rf "$w"; mkdir -p "$w"; img=$w/oci:a
  umoci init --layout "$w/oci" >&2; umoci new --image "$img" >&2
  umoci unpack "${ROOTLESS[@]}" --image "$img" "$w/bundle" >&2
  local root=$w/bundle/rootfs
  tar --numeric-owner --exclude='./dev/*' -xpf "$INPUTS/bookworm-minbase.tar" -C "$root"
  repack "$img" "$w/bundle" "debootstrap --variant=minbase bookworm"
  PIP_CONFIG_FILE=/dev/null "$INPUTS/venv/bin/pip" install -q --disable-pip-version-check --no-cache-dir \
    --target "$root/usr/lib/python3/dist-packages" numpy==2.1.3 requests==2.32.3 pyyaml==6.0.2 >&2
  repack "$img" "$w/bundle" "pip install --target /usr/lib/python3/dist-packages numpy requests pyyaml"
  install -D -m 0755 /usr/bin/node "$root/usr/local/bin/node"
  mkdir -p "$root/app"
  npm install --silent --no-audit --no-fund --ignore-scripts --cache "$w/npm-cache" --prefix "$root/app" \
    express@4.21.2 lodash@4.17.21 typescript@5.6.3 >&2
  rm -rf "$w/npm-cache"
  repack "$img" "$w/bundle" "node + npm install --prefix /app express lodash typescript"
  printf 'const express = require("express");\nexpress().listen(8080);\n' > "$root/app/server.js"
  printf 'numpy==2.1.3\nrequests==2.32.3\npyyaml==6.0.2\n' > "$root/app/requirements.txt"
  repack "$img" "$w/bundle" "COPY app /app"
  du -sb "$root" | awk '{printf "debian-py-node: %.0f MB unpacked\n", $1/1e6}' >&2
  archives debian-py-node "$img"
  rm -rf "$w"
  touch "$BENCH_DIR/debian-py-node.done"
}

# random_image NAME LAYERS FILES_PER_LAYER MB_PER_FILE [rootfs]
random_image() {
  local name=$1 layers=$2 files=$3 mb=$4 with_root=${5:-}
  [ -f "$BENCH_DIR/$name.done" ] && return
  local w=$BENCH_DIR/build-$name img
  rm -rf "$w"; mkdir -p "$w"; img=$w/oci:$name
  umoci init --layout "$w/oci" >&2; umoci new --image "$img" >&2
  umoci unpack "${ROOTLESS[@]}" --image "$img" "$w/bundle" >&2
  local root=$w/bundle/rootfs
  if [ -n "$with_root" ]; then
    tar --numeric-owner --exclude='./dev/*' -xpf "$INPUTS/bookworm-minbase.tar" -C "$root"
    repack "$img" "$w/bundle" "debootstrap --variant=minbase bookworm"
  fi
  for l in $(seq 1 "$layers"); do
    mkdir -p "$root/data/l$l"
    for f in $(seq 1 "$files"); do
      head -c "${mb}M" /dev/urandom > "$root/data/l$l/f$f.bin"
    done
    # The files stay in the bundle (removing them would make the next layer a whiteout).
    repack "$img" "$w/bundle" "random data layer $l"
  done
  archives "$name" "$img"
  rm -rf "$w"
  touch "$BENCH_DIR/$name.done"
}

want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }
want a && build_a
want b && random_image random-1200 2 2 300
if [ $HUGE = 1 ] && want c; then random_image huge 4 1 1024 rootfs; fi
[ $BUILD_ONLY = 1 ] && exit 0

# measure TOOL IMAGE KIND OUT -- COMMAND...: one run; appends a table row.
ROWS=()
measure() {
  local tool=$1 image=$2 kind=$3 out=$4; shift 5
  local log=$BENCH_DIR/$tool-$image-$kind.time rc=0
  /usr/bin/time -v -o "$log" "$@" > "$out" 2> "$BENCH_DIR/$tool-$image-$kind.stderr" || rc=$?
  local wall rss comps
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  if [ $rc -ne 0 ]; then
    ROWS+=("| $image | $kind | $tool | failed (exit $rc) | - | - |")
    return
  fi
  comps=$(python3 -c 'import json,sys
try:
    d=json.load(open(sys.argv[1]))
    print(len(d.get("components") or d.get("packages") or []))
except Exception as e:
    print("?")' "$out")
  ROWS+=("| $image | $kind | $tool | ${wall} s | ${rss} MiB | $comps |")
}

export TRIVY_CACHE_DIR=$BENCH_DIR/trivy-cache
for image in debian-py-node random-1200 huge; do
  [ -f "$BENCH_DIR/$image.done" ] || continue
  case $image in debian-py-node) want a || continue ;; random-1200) want b || continue ;; huge) { [ $HUGE = 1 ] && want c; } || continue ;; esac
  size=$(du -m "$BENCH_DIR/$image.docker.tar" | cut -f1)
  echo "== $image: docker-archive ${size} MB" >&2
  [ -d "$BENCH_DIR/$image.oci-dir" ] || "${SKOPEO[@]}" copy --quiet "oci-archive:$BENCH_DIR/$image.oci.tar:$image" "oci:$BENCH_DIR/$image.oci-dir:$image" >&2
  for kind in docker-archive oci-archive oci-dir; do
    case $kind in
      docker-archive) file=$BENCH_DIR/$image.docker.tar ;;
      oci-archive) file=$BENCH_DIR/$image.oci.tar ;;
      oci-dir) file=$BENCH_DIR/$image.oci-dir ;;
    esac
    if [ $kind = oci-archive ]; then
      # trivy --input reads a docker-archive tar or an OCI layout folder, not an OCI archive.
      ROWS+=("| $image | $kind | trivy | not supported by trivy --input | - | - |")
    else
      measure trivy "$image" "$kind" "$BENCH_DIR/trivy-$image-$kind.cdx.json" -- \
        "$PEERS/trivy" image --quiet --cache-backend memory --input "$file" --format cyclonedx
    fi
    measure syft "$image" "$kind" "$BENCH_DIR/syft-$image-$kind.cdx.json" -- \
      "$PEERS/syft" scan -q "$kind:$file" -o cyclonedx-json
    if [ -x "$VOUCH" ]; then
      measure vouch "$image" "$kind" "$BENCH_DIR/vouch-$image-$kind.cdx.json" -- \
        "$VOUCH" sbom "$kind:$file"
    else
      ROWS+=("| $image | $kind | vouch | not run: $VOUCH missing (cargo build --release -p vouch) | - | - |")
    fi
  done
done

echo "| image | input | tool | wall | peak RSS | components |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "trivy: $("$PEERS/trivy" --version 2>/dev/null | head -1); syft: $("$PEERS/syft" version 2>/dev/null | awk '/^Version/ {print $2}'); $(nproc) cores; logs in $BENCH_DIR"
