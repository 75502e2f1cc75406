#!/usr/bin/env bash
# `vouch package`'s CLI tests (crates/vouch/tests/package.rs) check that third-party OCI tools
# read what it writes: Debian's skopeo (`skopeo inspect oci:…`, `skopeo copy oci:… oci:…` and
# a push to the test registry) and umoci (`umoci unpack --rootless`). The tests FAIL, never
# skip, when either is missing. Debian's docker-registry comes from registry.sh.
# Idempotent and quick when both are present.
set -euo pipefail
need=()
for p in skopeo umoci; do
  command -v "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "package test setup: ${need[*]} required and apt-get is not available" >&2
    exit 1
  fi
fi
skopeo --version >&2
umoci --version >&2
