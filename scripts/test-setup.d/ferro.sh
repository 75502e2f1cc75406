#!/usr/bin/env bash
# vouch-resolve's registry_pull tests also pull from crates.io's `ferro-oci-server` (a second,
# independent OCI registry implementation, Rust/axum, anonymous) started on 127.0.0.1 by
# `vouch_test::registry::Registry::start_ferro`. Installed from crates.io with cargo (a few
# minutes of compiling, once per machine). Idempotent and quick when present.
set -euo pipefail
bin="${CARGO_HOME:-$HOME/.cargo}/bin/ferro-oci-server"
if ! command -v ferro-oci-server >/dev/null 2>&1 && [ ! -x "$bin" ]; then
  cargo install --locked ferro-oci-server --version 1.0.0
fi
echo "ferro-oci-server: $(command -v ferro-oci-server || echo "$bin")" >&2
