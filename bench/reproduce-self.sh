#!/usr/bin/env bash
# vouch reproduces itself: two release builds of a clean export of this repository's HEAD in
# fresh copies (different paths, clock, TZ, locale, umask, HOME, environment order), compared
# byte for byte. NOT part of `cargo test`: two release builds take ~20 minutes on 2 cores (and
# one more per variation when they differ, to name the cause).
#
#   bench/reproduce-self.sh [VOUCH_BINARY]     (default: target/debug/vouch, built if missing)
#
# Settings (docs/reproduce.md "vouch reproduces itself"):
#   - RUSTFLAGS remaps each copy's own path ($PWD inside the build) to /build and the cargo
#     home to /cargo, so neither the build path nor HOME reaches the binary's line tables;
#   - CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1: one codegen unit per crate, so LLVM's ThinLTO does
#     not promote local symbols with `.llvm.<module hash>` suffixes (with 16 units the first full
#     run differed in exactly those suffixes, 1,074 bytes; BENCHMARKS.md);
#   - CARGO_INCREMENTAL=0; CARGO_HOME and RUSTUP_HOME given explicitly (shared: the registry
#     cache and the toolchain), offline; each copy builds into its own target/.
# Extra arguments for `vouch reproduce` (e.g. --keep) come from VOUCH_REPRODUCE_ARGS.
# Prints vouch's verdict; exit code is vouch reproduce's (0 reproducible, 1 not, 2 failed).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
vouch="${1:-$repo/target/debug/vouch}"
if [ ! -x "$vouch" ]; then
  (cd "$repo" && CARGO_INCREMENTAL=0 cargo build -p vouch)
fi
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export CARGO_NET_OFFLINE=true
export CARGO_INCREMENTAL=0
export SOURCE_DATE_EPOCH="$(git -C "$repo" log -1 --format=%ct)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive --format=tar HEAD | tar -x -C "$work"
start=$(date +%s)
set +e
# --vary=-time: rustc hangs at start-up under faketime (libfaketime's preload deadlocks it; even
# `rustc --version` never returns), so the clock cannot be shifted for a Rust build; each build
# is still bounded by --timeout.
"$vouch" reproduce --source "$work" --artifact target/release/vouch --vary=-time --timeout 5400 ${VOUCH_REPRODUCE_ARGS:-} -- \
  sh -c 'RUSTFLAGS="--remap-path-prefix=$PWD=/build --remap-path-prefix=$CARGO_HOME=/cargo" CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 exec cargo build --release --locked -p vouch'
status=$?
set -e
echo "reproduce-self: exit $status after $(( $(date +%s) - start )) s (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)" >&2
exit $status
