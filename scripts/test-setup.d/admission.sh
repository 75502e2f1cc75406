#!/usr/bin/env bash
# The admission webhook's tests (crates/vouch/tests/admission_parity.rs, crates/vouch-server's
# tests) and load bench need, besides Debian's docker-registry (registry.sh):
#   - openssl: the tests make a CA and a serving certificate for 127.0.0.1 with it (test setup
#     only; vouch never runs it);
#   - promtool (Debian package prometheus): `promtool check metrics` judges /metrics;
#   - oha (crates.io, `cargo install --locked oha`): the load bench (bench/admission-load.sh),
#     installed only when VOUCH_TEST_INSTALL_OHA=1, as it is not needed by `cargo test`.
# The tests FAIL, never skip, when one is missing. Idempotent and quick when all are present.
set -euo pipefail
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
    # The Debian package enables a Prometheus service on port 9090; the tests never use it.
  else
    echo "admission test setup: ${missing[*]} required and apt-get is not available" >&2
    exit 1
  fi
fi
openssl version >&2
promtool --version 2>&1 | head -n1 >&2
if [ "${VOUCH_TEST_INSTALL_OHA:-0}" = 1 ]; then
  bin="${CARGO_HOME:-$HOME/.cargo}/bin/oha"
  if ! command -v oha >/dev/null 2>&1 && [ ! -x "$bin" ]; then
    cargo install --locked oha --version 1.16.0
  fi
  echo "oha: $(command -v oha || echo "$bin")" >&2
fi
