#!/usr/bin/env bash
# Signature verification throughput (vouch-sign): keyed verifications per second and the whole
# Sigstore conformance set. Release build of vouch-sign only. Usage: bench/sign.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench -p vouch-sign --bench verify
