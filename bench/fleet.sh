#!/usr/bin/env bash
# The fleet index at scale (issue #19): ingest >= 100 SBOMs/s (10,000 SBOMs of a few hundred
# components each), a query and an `affected` answer < 1 s over 10,000 SBOMs, a rescan of
# 10,000 artifacts after an advisory change < 10 s — on SQLite and on PostgreSQL.
#
#   1. generates COUNT CycloneDX 1.6 SBOMs (python3): each names its own artifact (svc-N) and
#      holds 200-400 components drawn from the REAL component lists of the SBOMs in
#      crates/vouch-fleet/tests/fixtures/sboms (Trivy, cdxgen: ~560 distinct npm, PyPI,
#      Composer and Debian packages), npm/PyPI patch versions varied per SBOM; one SBOM in ten
#      holds league/flysystem 1.0.8 (affected by GHSA-9f46-5r25-5wfm / CVE-2021-32708);
#   2. an advisory database with that one real GHSA record (vouch-advisory's fixture);
#   3. per store: `vouch fleet add` in batches of 500 files (one process per batch), timed;
#      `fleet query 'pkg:npm/debug@<5'`; `fleet affected CVE-2021-32708`; a first `fleet rescan`;
#      then an advisory change (three real GHSA records of vouch-advisory's ghsa-sample fixture —
#      micromatch, braces, semver, packages the pool holds — imported) and the rescan after it, timed.
#   PostgreSQL: a cluster of its own (initdb + pg_ctl as the `postgres` user, Unix socket in
#   $BENCH_DIR), as the tests start it; scripts/test-setup.d/postgres.sh installs PostgreSQL.
#
# usage: bench/fleet.sh [--count 10000] [--no-postgres] [--lib]
#   env: VOUCH (default target/release/vouch; `cargo build --release -p vouch`),
#        BENCH_DIR (default /tmp/vouch-bench-fleet)
#   --lib: the timed steps (add, query, affected, rescans) run vouch-fleet's example
#        `fleet_bench` (FLEET_BENCH, default target/release/examples/fleet_bench;
#        `cargo build --release -p vouch-fleet --example fleet_bench`), which makes the same
#        library calls as `vouch fleet …` without linking the rest of vouch; VOUCH (a debug
#        build will do) then only imports the advisory database and counts the artifacts.
# Prints a Markdown table on stdout.
set -euo pipefail
count=10000
postgres=1
lib=0
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --no-postgres) postgres=0; shift ;;
    --lib) lib=1; shift ;;
    *) echo "usage: bench/fleet.sh [--count N] [--no-postgres] [--lib]" >&2; exit 2 ;;
  esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
vouch="${VOUCH:-$root/target/release/vouch}"
dir="${BENCH_DIR:-/tmp/vouch-bench-fleet}"
[ -x "$vouch" ] || { echo "no $vouch: cargo build --release -p vouch" >&2; exit 2; }
fleet_bench="${FLEET_BENCH:-$root/target/release/examples/fleet_bench}"
if [ "$lib" = 1 ]; then
  [ -x "$fleet_bench" ] || { echo "no $fleet_bench: cargo build --release -p vouch-fleet --example fleet_bench" >&2; exit 2; }
fi
rm -rf "$dir"; mkdir -p "$dir/sboms"
export SOURCE_DATE_EPOCH=1700000000

python3 - "$root/crates/vouch-fleet/tests/fixtures/sboms" "$dir/sboms" "$count" <<'PY'
import json, os, random, sys
src, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
pool = {}
for f in sorted(os.listdir(src)):
    doc = json.load(open(os.path.join(src, f)))
    for c in doc.get("components", []):
        p = c.get("purl")
        if p and "@" in p:
            pool[p] = c
pool = sorted(pool)
rng = random.Random(19)
def vary(purl):
    base, _, ver = purl.rpartition("@")
    ver, q, rest = ver.partition("?")
    parts = ver.split(".")
    if (purl.startswith("pkg:npm/") or purl.startswith("pkg:pypi/")) and len(parts) == 3 and parts[2].isdigit():
        parts[2] = str(int(parts[2]) + rng.choice([0, 0, 0, 1, 2]))
    return base + "@" + ".".join(parts) + (q + rest if q else "")
for i in range(count):
    chosen = rng.sample(pool, min(len(pool), rng.randint(200, 400)))
    purls = sorted({vary(p) for p in chosen})
    if i % 10 == 0:
        purls.append("pkg:composer/league/flysystem@1.0.8")
    comps = []
    for p in purls:
        name = p.split("/")[-1].rpartition("@")[0].replace("%40", "@")
        comps.append({"type": "library", "bom-ref": p, "name": name, "version": p.rpartition("@")[2].split("?")[0], "purl": p})
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
           "metadata": {"component": {"type": "application", "name": f"svc-{i:05d}", "version": "1.0.0"}},
           "components": comps}
    with open(os.path.join(out, f"svc-{i:05d}.cdx.json"), "w") as fh:
        json.dump(doc, fh)
PY
comps=$(python3 -c "import json,glob; fs=glob.glob('$dir/sboms/*.json'); print(sum(len(json.load(open(f))['components']) for f in fs)//len(fs))")

db="$dir/osv.sqlite"
"$vouch" db import --db "$db" "$root/crates/vouch-advisory/tests/fixtures/packagist/GHSA-9f46-5r25-5wfm.json" >/dev/null 2>&1

secs() { python3 -c "import time; print(time.time())"; }
run_store() {
  local label="$1" store="$2"
  local t0 t1
  t0=$(secs)
  if [ "$lib" = 1 ]; then
    find "$dir/sboms" -name '*.cdx.json' | sort | xargs -n 500 "$fleet_bench" add "$store" >/dev/null 2>"$dir/$label-add.log"
  else
    find "$dir/sboms" -name '*.cdx.json' | sort | xargs -n 500 "$vouch" fleet add --store "$store" >/dev/null 2>"$dir/$label-add.log"
  fi
  t1=$(secs)
  local n; n=$("$vouch" fleet artifacts --store "$store" --format json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")
  local ingest; ingest=$(python3 -c "print(f'{$n/($t1-$t0):.0f}')")
  local hits aff new2
  t0=$(secs)
  if [ "$lib" = 1 ]; then hits=$("$fleet_bench" query "$store" 'pkg:npm/debug@<5'); else
  hits=$("$vouch" fleet query --store "$store" 'pkg:npm/debug@<5' --format json | python3 -c "import json,sys; print(len({h['artifact'] for h in json.load(sys.stdin)['hits']}))"); fi
  t1=$(secs)
  local q; q=$(python3 -c "print(f'{$t1-$t0:.2f}')")
  t0=$(secs)
  if [ "$lib" = 1 ]; then aff=$("$fleet_bench" affected "$store" "$db" CVE-2021-32708); else
  aff=$("$vouch" fleet affected --store "$store" --db "$db" CVE-2021-32708 --format json | python3 -c "import json,sys; print(len({f['artifact'] for f in json.load(sys.stdin)['findings']}))" || true); fi
  t1=$(secs)
  local a; a=$(python3 -c "print(f'{$t1-$t0:.2f}')")
  t0=$(secs)
  if [ "$lib" = 1 ]; then "$fleet_bench" rescan "$store" "$db" >/dev/null; else
  "$vouch" fleet rescan --store "$store" --db "$db" --format json >"$dir/$label-rescan1.json" || true; fi
  t1=$(secs)
  local r1; r1=$(python3 -c "print(f'{$t1-$t0:.2f}')")
  cp "$db" "$dir/osv-changed.sqlite"
  local g="$root/crates/vouch-advisory/tests/fixtures/advisories/ghsa-sample"
  "$vouch" db import --db "$dir/osv-changed.sqlite" "$g/GHSA-952p-6rrq-rcjv.json" "$g/GHSA-grv7-fg5c-xmjg.json" "$g/GHSA-c2qf-rxjj-qqgw.json" >/dev/null 2>&1
  t0=$(secs)
  if [ "$lib" = 1 ]; then new2=$("$fleet_bench" rescan "$store" "$dir/osv-changed.sqlite"); else
  "$vouch" fleet rescan --store "$store" --db "$dir/osv-changed.sqlite" --format json >"$dir/$label-rescan2.json" || true; fi
  t1=$(secs)
  local r2; r2=$(python3 -c "print(f'{$t1-$t0:.2f}')")
  if [ "$lib" = 0 ]; then new2=$(python3 -c "import json; print(len(json.load(open('$dir/$label-rescan2.json'))['new']))"); fi
  echo "| $label | $n | $comps | $ingest SBOMs/s | $q s ($hits artifacts) | $a s ($aff artifacts) | $r1 s | $r2 s ($new2 new) |"
}

echo "| store | artifacts | components/SBOM (mean) | ingest | query pkg:npm/debug@<5 | affected CVE-2021-32708 | first rescan | rescan after advisory change |"
echo "|---|---|---|---|---|---|---|---|"
run_store sqlite "$dir/fleet.sqlite"

if [ "$postgres" = 1 ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
  pg="$dir/pg"; mkdir -p "$pg"; chown postgres: "$pg"
  runuser -u postgres -- "$bin/initdb" -D "$pg/data" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$pg/data" -o "-k $pg -c listen_addresses=" -l "$pg/log" -w start >/dev/null
  trap 'runuser -u postgres -- "$bin/pg_ctl" -D "$pg/data" -m fast stop >/dev/null' EXIT
  run_store postgres "postgresql:///postgres?host=$pg&user=postgres"
fi
