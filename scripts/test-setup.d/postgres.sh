#!/usr/bin/env bash
# vouch-fleet's store tests run the same suite on SQLite and on a real PostgreSQL: each test
# starts its own cluster (initdb + pg_ctl from /usr/lib/postgresql/*/bin) on a Unix socket in a
# temporary folder, as the unprivileged `postgres` user the Debian package creates (initdb
# refuses root). The tests fail, never skip, when PostgreSQL is missing. Idempotent.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The package's own cluster service is not used (and does not start without an init system).
    apt-get install -y -qq --no-install-recommends postgresql
  else
    echo "postgres test setup: PostgreSQL required and apt-get is not available" >&2
    exit 1
  fi
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
ls /usr/lib/postgresql/*/bin/initdb >&2
