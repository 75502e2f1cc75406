#!/usr/bin/env bash
# Inputs of the real test images (`vouch_test::images`), idempotent:
#   - Debian's umoci, skopeo and debootstrap (the tests build and copy images daemonless with
#     umoci and skopeo; they FAIL, not skip, when one is missing);
#   - a Debian bookworm `debootstrap --variant=minbase` root filesystem, kept as a tar archive
#     (debootstrap needs root, a chroot and the network: it runs here, once, not in the tests);
#   - the pinned Python wheels (`pip download`, from PyPI) and a pip to install them with;
#   - an npm cache holding the pinned npm packages (`npm install --cache`, from the npm registry).
# The tests then build every image offline from these inputs (pip `--no-index`, npm
# `--offline`), into a directory under the cargo target dir.
# Everything goes under $VOUCH_TEST_IMAGES_INPUTS (default /opt/vouch-test/images); each input
# is rebuilt only when its pinned spec (the `.spec` stamp beside it) changes.
# Mirror: $VOUCH_TEST_DEBIAN_MIRROR (default http://deb.debian.org/debian, what this machine's
# apt sources use).
set -euo pipefail
PREFIX=${VOUCH_TEST_IMAGES_INPUTS:-/opt/vouch-test/images}
MIRROR=${VOUCH_TEST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Keep these in step with crates/vouch-test/src/images.rs (PYTHON_REQUIREMENTS, NPM_PACKAGES).
PY_REQS=(requests==2.32.3 certifi==2024.8.30 charset-normalizer==3.4.0 idna==3.10 urllib3==2.2.3 six==1.16.0)
NPM_PKGS=(express@4.21.2 lodash@4.17.21)
mkdir -p "$PREFIX"

need_apt=()
for p in umoci skopeo debootstrap; do
  command -v "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v dpkg-query >/dev/null 2>&1 || need_apt+=(dpkg)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    echo "images test setup: ${need_apt[*]} required and apt-get is not available" >&2
    exit 1
  fi
fi

# 1. the Debian root filesystem
ROOTFS_SPEC="debootstrap --variant=minbase bookworm $MIRROR"
if [ "$(cat "$PREFIX/rootfs.spec" 2>/dev/null)" != "$ROOTFS_SPEC" ] || [ ! -s "$PREFIX/bookworm-minbase.tar" ]; then
  [ "$(id -u)" = 0 ] || { echo "images test setup: debootstrap needs root" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "images test setup: $ROOTFS_SPEC" >&2
  debootstrap --variant=minbase bookworm "$work/root" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # debootstrap leaves its apt lists and .deb cache behind: real images built from it clear them
  rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"* "$work/root/debootstrap"
  tar --numeric-owner --xattrs -C "$work/root" -cf "$PREFIX/bookworm-minbase.tar.tmp" .
  mv "$PREFIX/bookworm-minbase.tar.tmp" "$PREFIX/bookworm-minbase.tar"
  echo "$ROOTFS_SPEC" > "$PREFIX/rootfs.spec"
  rm -rf "$work"
  trap - EXIT
fi

# 2. pip and the Python wheels
PY_SPEC="${PY_REQS[*]}"
if [ ! -x "$PREFIX/venv/bin/pip" ]; then
  python3 -m venv "$PREFIX/venv"
fi
if [ "$(cat "$PREFIX/wheels.spec" 2>/dev/null)" != "$PY_SPEC" ]; then
  rm -rf "$PREFIX/wheels"
  PIP_CONFIG_FILE=/dev/null "$PREFIX/venv/bin/pip" download -q --disable-pip-version-check \
    --no-cache-dir --only-binary=:all: --dest "$PREFIX/wheels" "${PY_REQS[@]}" >&2
  echo "$PY_SPEC" > "$PREFIX/wheels.spec"
fi

# 3. the npm cache
NPM_SPEC="${NPM_PKGS[*]}"
if [ "$(cat "$PREFIX/npm.spec" 2>/dev/null)" != "$NPM_SPEC" ]; then
  rm -rf "$PREFIX/npm-cache"
  work=$(mktemp -d)
  npm install --silent --no-audit --no-fund --ignore-scripts --cache "$PREFIX/npm-cache" \
    --prefix "$work" "${NPM_PKGS[@]}" >&2
  rm -rf "$work" "$PREFIX/npm-cache/_logs"
  echo "$NPM_SPEC" > "$PREFIX/npm.spec"
fi

umoci --version >&2
skopeo --version >&2
echo "images test setup: inputs in $PREFIX" >&2
