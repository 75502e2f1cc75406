#!/usr/bin/env bash
# The release recipe (docs/release.md), run by hand from a clean checkout; NOT part of the tests.
#
#   VOUCH_PASSWORD=… scripts/release.sh --key release.key [--out dist] [--base oci-dir:PATH@sha256:…]
#
# 1. builds vouch with the reproducibility settings `vouch reproduce` documents
#    (docs/reproduce.md): SOURCE_DATE_EPOCH from the last commit, CARGO_INCREMENTAL=0,
#    --remap-path-prefix for the source folder and CARGO_HOME, `cargo build --release --locked`;
# 2. lays out a distroless-style root: /usr/local/bin/vouch, the glibc libraries `ldd` names
#    (the binary is dynamically linked), /etc/passwd and /etc/group with root and nonroot
#    (65532), the host's CA bundle, an empty /tmp and /home/nonroot — nothing else;
# 3. packages it with the vouch it just built (`vouch package`, non-root, entrypoint vouch);
# 4. signs the binary and the image manifest, writes an SBOM of the image and SLSA provenance
#    for the binary, the manifest and the archive — all with vouch itself.
# Everything lands in --out (default dist/); the digests and sizes are printed at the end.
# With --base (a base image by digest, e.g. one with a shell for CI jobs), the root is packaged
# over it and /etc/passwd and /etc/group are left to the base.
set -euo pipefail

key=""
out="dist"
base=""
while [ $# -gt 0 ]; do
  case "$1" in
    --key) key="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    *) echo "release: unknown argument $1 (expected --key FILE [--out DIR] [--base oci-dir:PATH@sha256:…])" >&2; exit 2 ;;
  esac
done
[ -n "$key" ] || { echo "release: --key NAME.key is required (vouch key generate makes one)" >&2; exit 2; }
[ -f "$key" ] || { echo "release: $key: no such key file" >&2; exit 2; }
key=$(realpath "$key")

cd "$(git rev-parse --show-toplevel)"
if [ -n "$(git status --porcelain)" ] && [ "${VOUCH_RELEASE_ALLOW_DIRTY:-0}" != 1 ]; then
  echo "release: the work tree has uncommitted changes; a release is built from a commit" >&2
  echo "         (VOUCH_RELEASE_ALLOW_DIRTY=1 for a trial run)" >&2
  exit 2
fi

# 1. The build, with the settings of `vouch reproduce` (docs/reproduce.md).
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
export CARGO_INCREMENTAL=0
cargo_home=${CARGO_HOME:-$HOME/.cargo}
export RUSTFLAGS="--remap-path-prefix=$PWD=/build --remap-path-prefix=$cargo_home=/cargo"
# One codegen unit per crate: no ThinLTO-promoted `.llvm.<hash>` names (docs/reproduce.md).
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
revision=$(git rev-parse HEAD)
cargo build --release --locked -p vouch
bin=target/release/vouch
version=$("$bin" --version | awk '{print $2}')

# 2. The root filesystem.
rm -rf "$out"
root="$out/root"
mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/nonroot"
cp "$bin" "$root/usr/local/bin/vouch"
# The dynamic loader and the libraries it loads, copied under the paths the binary asks for
# (links resolved: the image holds plain files).
for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
if [ -z "$base" ]; then
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
fi
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null 2>&1; then
  # The root is complete when the binary runs inside it.
  chroot "$root" /usr/local/bin/vouch --version >/dev/null
fi

# 3. The image, packaged by the vouch just built.
cp "$bin" "$out/vouch"
vouch="$out/vouch"
common=(--user 65532:65532 --entrypoint /usr/local/bin/vouch
  --env PATH=/usr/local/bin
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
  --env HOME=/home/nonroot
  --label org.opencontainers.image.title=vouch
  --label "org.opencontainers.image.version=$version"
  --label "org.opencontainers.image.revision=$revision"
  --label "org.opencontainers.image.created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
  --platform linux/amd64)
if [ -n "$base" ]; then
  common+=(--base "$base")
fi
digest=$("$vouch" package "$root" -o "oci-dir:$out/image:$version" "${common[@]}")
archive_digest=$("$vouch" package "$root" -o "oci-archive:$out/vouch-image.tar:$version" "${common[@]}")
[ "$digest" = "$archive_digest" ] || { echo "release: the layout and the archive differ: $digest vs $archive_digest" >&2; exit 1; }
manifest="$out/image/blobs/sha256/${digest#sha256:}"
cp "$manifest" "$out/vouch-image.manifest.json"

# 4. Evidence, with vouch itself.
"$vouch" sbom "oci-dir:$out/image:$version" -o "$out/vouch-image.cdx.json"
"$vouch" sign "$out/vouch" --key "$key" -o "$out/vouch.sigstore.json"
"$vouch" sign "$out/vouch-image.manifest.json" --key "$key" -o "$out/vouch-image.manifest.sigstore.json"
"$vouch" attest provenance --key "$key" --sbom "$out/vouch-image.cdx.json" \
  --subject "$out/vouch" "$out/vouch-image.manifest.json" "$out/vouch-image.tar" \
  -o "$out/provenance.intoto.jsonl"

echo "vouch $version at $revision (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
echo "binary   $(sha256sum "$out/vouch" | cut -d' ' -f1)  $(stat -c %s "$out/vouch") bytes"
echo "image    $digest  layer $(stat -c %s "$out"/image/blobs/sha256/* | sort -n | tail -1) bytes (largest blob)"
echo "archive  $(sha256sum "$out/vouch-image.tar" | cut -d' ' -f1)  $(stat -c %s "$out/vouch-image.tar") bytes"
echo "push:    skopeo copy oci:$out/image:$version docker://REGISTRY/vouch:$version"
echo "         then vouch sign registry:REGISTRY/vouch@$digest --key KEY"
