#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with the Rust toolchain.
# 1. installs what the tests need (each scripts/test-setup.d/*.sh is one concern, idempotent),
# 2. runs `cargo test --workspace --locked`.
# Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
for setup in scripts/test-setup.d/*.sh; do
  [ -e "$setup" ] || continue
  echo "test setup: $setup" >&2
  bash "$setup"
done
exec cargo test --workspace --locked "$@"
