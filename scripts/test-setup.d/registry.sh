#!/usr/bin/env bash
# vouch-resolve (and vouch pin/update) tests start real components on 127.0.0.1: Debian's
# `docker-registry` (CNCF distribution) with images pushed by the tests, and `git daemon`
# serving bare repositories made with the git CLI (test setup only; vouch reads git through gix).
# Idempotent and quick when everything is present.
set -euo pipefail
missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
# Debian's git package ships git-daemon in its exec path.
command -v git >/dev/null 2>&1 || missing+=(git)
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "registry test setup: ${missing[*]} required and apt-get is not available" >&2
    exit 1
  fi
fi
# The Debian package enables a system service on port 5000; tests start their own instances on
# free ports and never use it.
/usr/bin/docker-registry --version >&2
[ -x "$(git --exec-path)/git-daemon" ] || { echo "registry test setup: git daemon is missing" >&2; exit 1; }
git --version >&2
