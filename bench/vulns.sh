#!/usr/bin/env bash
# Vulnerability database benchmark: import every shipped advisory (8,188 records: PyPA YAML,
# RustSec Markdown, Go vulndb JSON, GHSA JSON) into a new SQLite file, then match 10,000
# components. Prints both timings; figures go to BENCHMARKS.md under "## Vulnerabilities".
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet -p vouch-advisory --example bench
