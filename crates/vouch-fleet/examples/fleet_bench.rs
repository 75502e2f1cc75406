//! The fleet store's library calls without the rest of the `vouch` binary, for
//! `bench/fleet.sh --lib` when a release build of all of `vouch` is out of reach (it links
//! ~600 crates; this ~180): the same calls `vouch fleet add/query/affected/rescan` make.
//!
//! ```text
//! fleet_bench add STORE SBOM…            one Store::add per SBOM, as `vouch fleet add`
//! fleet_bench query STORE PATTERN        prints the number of artifacts hit
//! fleet_bench affected STORE DB ID       prints the number of artifacts affected
//! fleet_bench rescan STORE DB            prints the number of new findings
//! ```
//! The time is fixed (2023-11-14T22:13:20Z, bench/fleet.sh's SOURCE_DATE_EPOCH).

use std::collections::BTreeSet;
use std::path::Path;

use vouch_advisory::db::Database;
use vouch_advisory::suppress::{Date, Suppressions};
use vouch_fleet::{Ingest, Location, Pattern, Store};

const AT: &str = "2023-11-14T22:13:20Z";
const EPOCH: i64 = 1_700_000_000;
/// SBOMs per transaction, as `vouch fleet add`.
const ADD_BATCH: usize = 100;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cmd, store, rest @ ..] = args.as_slice() else {
        return Err("usage: fleet_bench add|query|affected|rescan STORE …".into());
    };
    let mut store = Store::open(&Location::parse(store))?;
    match (cmd.as_str(), rest) {
        ("add", files) => {
            // As `vouch fleet add`: read a batch, then one transaction for it.
            for batch in files.chunks(ADD_BATCH) {
                let mut ingests = Vec::with_capacity(batch.len());
                for f in batch {
                    let bytes = std::fs::read(f)?;
                    let sbom = vouch_sbom::read::parse(&bytes)?;
                    ingests.push(Ingest::from_sbom(sbom, None, f, AT));
                }
                store.add_all(&ingests)?;
            }
        }
        ("query", [pattern]) => {
            let answer = store.query(&Pattern::parse(pattern)?)?;
            let hit: BTreeSet<&str> = answer.hits.iter().map(|h| h.artifact.as_str()).collect();
            println!("{}", hit.len());
        }
        ("affected", [db, id]) => {
            let db = Database::open(Path::new(db))?;
            let answer = store.affected(
                &db,
                id,
                &Suppressions::default(),
                Date::from_unix_seconds(EPOCH),
            )?;
            let hit: BTreeSet<&str> = answer
                .findings
                .iter()
                .map(|f| f.artifact.as_str())
                .collect();
            println!("{}", hit.len());
        }
        ("rescan", [db]) => {
            let db = Database::open(Path::new(db))?;
            let result = store.rescan(
                &db,
                &Suppressions::default(),
                &Default::default(),
                Date::from_unix_seconds(EPOCH),
                AT,
            )?;
            println!("{}", result.new.len());
        }
        _ => return Err(format!("unknown command `{cmd}` or wrong arguments").into()),
    }
    Ok(())
}
