#!/usr/bin/env bash
# vouch's own supply chain, offline (issue #13 item 7). Called by .ci/run after the tests.
#
# 1. cargo deny check (advisories, licences, bans, sources; deny.toml), with the RustSec
#    advisories taken from a dated snapshot instead of GitHub: the snapshot folder is committed
#    into a local git repository where cargo-deny expects its clone, and cargo-deny runs with
#    --offline (it fetches nothing and checks the repository's age against
#    `maximum-db-staleness`). A canary run with one planted advisory must fail first.
# 2. vouch itself on its own tree: the same snapshot imported with `vouch db import`, then
#    `vouch scan .` with that database (vulnerabilities, secrets, configuration, pinning); exit 0
#    required.
# 3. cargo doc --workspace --no-deps with RUSTDOCFLAGS=-D warnings.
#
# Every step that cannot run fails the script: a missing snapshot, a failed install, an empty
# database are errors, never a pass. Exit status: 0 all passed, otherwise the failing step's.
#
# Environment:
#   VOUCH_RUSTSEC_SNAPSHOT  the RustSec `crates/` folder (default: scripts/data/rustsec-crates, a dated
#                           copy of ../shared/data/advisories/rustsec-crates; see scripts/data/SOURCES.md)
#   VOUCH_SUPPLY_CHAIN_STEPS  steps to run, default "deny scan doc"
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
# cargo-deny keeps each database in <db-path>/<last URL segment>-<xxhash64 of the URL>; this is
# the directory 0.20.2 uses for deny.toml's db-urls entry (https://github.com/rustsec/advisory-db).
# A different directory makes cargo-deny fail ("failed to get HEAD timestamp"), never pass.
ADVISORY_DB_DIR=advisory-db-3157b0e258782691
SNAPSHOT=${VOUCH_RUSTSEC_SNAPSHOT:-scripts/data/rustsec-crates}
STEPS=${VOUCH_SUPPLY_CHAIN_STEPS:-deny scan doc}
WORK=target/supply-chain

fail() {
  echo "supply-chain: error: $*" >&2
  exit 2
}

# The newest `date = "YYYY-MM-DD"` among the snapshot's advisories: the date the data is current to.
snapshot_date() {
  [ -d "$SNAPSHOT" ] || fail "RustSec snapshot $SNAPSHOT is not a directory (set VOUCH_RUSTSEC_SNAPSHOT)"
  local count newest
  count=$(find "$SNAPSHOT" -name 'RUSTSEC-*.md' -type f | wc -l)
  [ "$count" -gt 0 ] || fail "RustSec snapshot $SNAPSHOT holds no RUSTSEC-*.md advisories"
  newest=$(find "$SNAPSHOT" -name 'RUSTSEC-*.md' -type f -exec grep -h -m1 '^date = "' {} + |
    sed 's/^date = "\([0-9-]*\)".*/\1/' | sort | tail -n1)
  [[ "$newest" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || fail "no advisory date found in $SNAPSHOT"
  echo "supply-chain: RustSec snapshot $SNAPSHOT: $count advisories, newest dated $newest" >&2
  SNAPSHOT_DATE=$newest
}

install_cargo_deny() {
  if [ "$(cargo deny --version 2>/dev/null || true)" = "cargo-deny $CARGO_DENY_VERSION" ]; then
    return
  fi
  echo "supply-chain: installing cargo-deny $CARGO_DENY_VERSION from crates.io" >&2
  cargo install --locked cargo-deny --version "$CARGO_DENY_VERSION"
  [ "$(cargo deny --version)" = "cargo-deny $CARGO_DENY_VERSION" ] ||
    fail "cargo deny --version is not cargo-deny $CARGO_DENY_VERSION after installing it"
}

# A git repository holding a snapshot folder ($2) as `crates/`, under the database root $1,
# committed at the snapshot's date, with HEAD's timestamp set to that date too, so cargo-deny's
# staleness check measures the data's age, not the age of this copy.
build_advisory_db() {
  local root=$1 src=$2 repo
  repo=$root/$ADVISORY_DB_DIR
  rm -rf "$root"
  mkdir -p "$repo"
  cp -R "$src" "$repo/crates"
  chmod -R u+w "$repo/crates"
  local when="${SNAPSHOT_DATE}T12:00:00Z"
  git -C "$repo" init -q -b main
  git -C "$repo" add -A
  GIT_AUTHOR_DATE=$when GIT_COMMITTER_DATE=$when \
    git -C "$repo" -c user.name=vouch-ci -c user.email=ci@vouch.invalid -c commit.gpgsign=false \
    commit -q -m "RustSec advisory-db crates/ snapshot, newest advisory $SNAPSHOT_DATE"
  touch -d "$when" "$repo/.git/HEAD"
}

deny_check() {
  VOUCH_ADVISORY_DB_PATH=$(cd "$1" && pwd) \
    cargo deny --offline --locked check --hide-inclusion-graph advisories licenses bans sources
}

step_deny() {
  echo "== cargo deny check (advisories from the snapshot dated $SNAPSHOT_DATE)" >&2
  install_cargo_deny
  # cargo deny --offline reads `cargo metadata` for every platform, so the sources of crates
  # this machine's build never compiles (Windows, Android) must be in the registry cache: fetch
  # them (crates only, from Cargo.lock; the advisory data stays the snapshot).
  cargo fetch --locked >&2 || fail "cargo fetch --locked could not fetch the crates of Cargo.lock"
  # Canary first: the same snapshot plus one planted advisory against `serde` (in Cargo.lock)
  # must make cargo deny fail with that advisory, proving the database is the one read.
  local canary=$WORK/canary-snapshot out
  rm -rf "$canary"
  mkdir -p "$WORK"
  cp -R "$SNAPSHOT" "$canary"
  chmod -R u+w "$canary"
  mkdir -p "$canary/serde"
  printf '%s\n' '```toml' '[advisory]' 'id = "RUSTSEC-9999-0001"' 'package = "serde"' \
    "date = \"$SNAPSHOT_DATE\"" 'url = "https://example.invalid/vouch-ci-canary"' '' \
    '[versions]' 'patched = [">= 999.0.0"]' '```' '' '# vouch CI canary, not a real advisory' \
    >"$canary/serde/RUSTSEC-9999-0001.md"
  build_advisory_db "$WORK/canary-dbs" "$canary"
  if out=$(deny_check "$WORK/canary-dbs" 2>&1); then
    fail "cargo deny passed with a planted advisory against serde: the advisory database is not being read"
  fi
  grep -q 'RUSTSEC-9999-0001' <<<"$out" ||
    { echo "$out" >&2; fail "cargo deny failed without reporting the planted advisory RUSTSEC-9999-0001"; }
  echo "supply-chain: canary ok (planted RUSTSEC-9999-0001 was reported)" >&2
  rm -rf "$canary" "$WORK/canary-dbs"
  build_advisory_db "$WORK/advisory-dbs" "$SNAPSHOT"
  deny_check "$WORK/advisory-dbs"
}

step_scan() {
  echo "== vouch scan . (advisory database imported from the snapshot dated $SNAPSHOT_DATE)" >&2
  cargo build --locked -p vouch
  local db=$WORK/vouch-osv.sqlite
  mkdir -p "$WORK"
  rm -f "$db"
  ./target/debug/vouch db import --db "$db" "$SNAPSHOT"
  ./target/debug/vouch db status --db "$db" >&2
  # Every check runs against the snapshot just imported: --db names it and --offline makes sure
  # nothing is fetched (docs/db.md#first-use); --no-scan-config keeps a change under review from
  # skipping checks through .vouch/scan.toml, whose excludes (fixtures, fuzz folders, the
  # redaction tests' planted fake credentials) are given again on the command line.
  ./target/debug/vouch scan . --db "$db" --offline --no-scan-config \
    --exclude '/target/' --exclude '/target-*/' --exclude '/fuzz/' \
    --exclude 'crates/*/tests/fixtures/' --exclude 'crates/*/fuzz/' \
    --exclude 'crates/*/tests/redaction.rs' --exclude 'scripts/data/'
}

step_doc() {
  echo "== cargo doc --workspace --no-deps (RUSTDOCFLAGS=-D warnings)" >&2
  RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
}

snapshot_date
for step in $STEPS; do
  case $step in
  deny) step_deny ;;
  scan) step_scan ;;
  doc) step_doc ;;
  *) fail "unknown step $step in VOUCH_SUPPLY_CHAIN_STEPS (expected deny, scan, doc)" ;;
  esac
done
echo "supply-chain: all checks passed" >&2
