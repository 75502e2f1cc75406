#!/usr/bin/env bash
# vouch-server's metrics tests parse /metrics with `promtool check metrics`, Prometheus's own
# exposition-format linter, from Debian's `prometheus` package (test setup only). The tests fail,
# never skip, when promtool is missing. Idempotent and quick when present.
set -euo pipefail
if ! command -v promtool >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The package would enable a Prometheus service on :9090; nothing here uses it, and on a
    # machine without an init system it does not start.
    apt-get install -y -qq --no-install-recommends prometheus
  else
    echo "prometheus test setup: promtool required and apt-get is not available" >&2
    exit 1
  fi
fi
promtool --version >&2
