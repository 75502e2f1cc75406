#!/usr/bin/env bash
# vouch-secrets tests build real git repositories with the git CLI (test setup only; the product
# reads git through gix). Idempotent.
set -euo pipefail
if ! command -v git >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq git
  else
    echo "secrets test setup: git is required and could not be installed" >&2
    exit 1
  fi
fi
git --version >&2
