#!/usr/bin/env bash
# `vouch diff` and `vouch reproduce` tests (crates/vouch-repro/tests, crates/vouch/tests/reproduce.rs)
# build real things and compare them:
#   - gcc, make: the C program builds;
#   - python3 with setuptools and wheel (and pip): the wheel build (`pip wheel --no-deps
#     --no-build-isolation .`, offline);
#   - tar, gzip: the tarball builds (always present on Debian);
#   - faketime: `vouch reproduce` varies the clock with it when installed; the clock test needs it;
#   - diffoscope-minimal: the `--diffoscope` tests hand differing members to it.
# The tests FAIL, never skip, when one is missing. Idempotent and quick when all are present.
set -euo pipefail
need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v make >/dev/null 2>&1 || need+=(make)
command -v faketime >/dev/null 2>&1 || need+=(faketime)
command -v diffoscope >/dev/null 2>&1 || need+=(diffoscope-minimal)
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import setuptools, wheel' >/dev/null 2>&1 || need+=(python3-setuptools python3-wheel)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ "${#need[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "repro test setup: ${need[*]} required and apt-get is not available" >&2
    exit 1
  fi
fi
echo "repro test setup: gcc $(gcc -dumpversion), $(faketime --version 2>&1 | head -1), diffoscope $(diffoscope --version 2>/dev/null | head -1)" >&2
