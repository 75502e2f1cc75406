#!/usr/bin/env bash
# vouch-server's dashboard tests (tests/dashboard_browser.rs) load the pages in a real headless
# Chromium from Debian, driven over WebDriver by chromedriver. The tests fail, never skip, when
# either is missing. Idempotent.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core
  else
    echo "chromium test setup: chromium and chromium-driver required and apt-get is not available" >&2
    exit 1
  fi
fi
chromium --version >&2
chromedriver --version >&2
