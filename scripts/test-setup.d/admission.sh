#!/usr/bin/env bash
# The admission webhook's CLI tests (crates/vouch/tests/admission_parity.rs) and load bench
# need, besides Debian's docker-registry (registry.sh) and promtool (prometheus.sh):
#   - openssl: the tests make a CA and a serving certificate for 127.0.0.1 with it (test setup
#     only; vouch never runs it). The tests FAIL, never skip, when it is missing;
#   - oha (crates.io, `cargo install --locked oha`): the load bench (bench/admission-load.sh),
#     installed only when VOUCH_TEST_INSTALL_OHA=1, as `cargo test` does not need it.
# Idempotent and quick when everything is present.
set -euo pipefail
if ! command -v openssl >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends openssl
  else
    echo "admission test setup: openssl required and apt-get is not available" >&2
    exit 1
  fi
fi
openssl version >&2
if [ "${VOUCH_TEST_INSTALL_OHA:-0}" = 1 ]; then
  bin="${CARGO_HOME:-$HOME/.cargo}/bin/oha"
  if ! command -v oha >/dev/null 2>&1 && [ ! -x "$bin" ]; then
    cargo install --locked oha --version 1.16.0
  fi
  echo "oha: $(command -v oha || echo "$bin")" >&2
fi
