//! Timing for BENCHMARKS.md: import every shipped advisory into a new database file, then match
//! 10,000 components (names taken from the advisories themselves, so most lookups hit).
//!
//! `cargo run --release -p vouch-advisory --example bench` (see bench/vulns.sh).

use std::time::Instant;

use vouch_advisory::matching::MatchOptions;
use vouch_advisory::{Database, import};
use vouch_inventory::{Component, Ecosystem, Scope};

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisories");
    let roots: Vec<_> = [
        "pypa-vulns",
        "rustsec-crates",
        "rustsec-rust",
        "go-vulndb-osv",
        "ghsa-sample",
    ]
    .iter()
    .map(|d| root.join(d))
    .collect();
    let dir = std::env::temp_dir().join(format!("vouch-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("osv.sqlite");

    let start = Instant::now();
    let collected = import::read_paths(&roots).expect("fixtures readable");
    let read = start.elapsed();
    let mut db = Database::create(&path).expect("create database");
    db.import(&collected.records).expect("import");
    let total = start.elapsed();
    println!(
        "import: {} advisories ({} problems) read+parse {:.2} s, total with SQLite write {:.2} s",
        collected.records.len(),
        collected.problems.len(),
        read.as_secs_f64(),
        total.as_secs_f64()
    );

    // 10,000 components: every affected package name, at a few versions, cycled.
    let mut names: Vec<(Ecosystem, String)> = Vec::new();
    for r in &collected.records {
        for a in &r.advisory.affected {
            if let Some(p) = &a.package
                && let Some(eco) = Ecosystem::from_name(&p.ecosystem)
            {
                names.push((eco, p.name.clone()));
            }
        }
    }
    names.sort();
    names.dedup();
    let versions = ["0.1.0", "1.0.0", "2.3.4", "v1.2.3"];
    let components: Vec<Component> = (0..10_000)
        .map(|i| {
            let (eco, name) = &names[i % names.len()];
            let version = versions[(i / names.len()) % versions.len()];
            let version = if *eco == Ecosystem::Go {
                version.to_owned()
            } else {
                version.trim_start_matches('v').to_owned()
            };
            Component {
                ecosystem: *eco,
                name: name.clone(),
                version: version.clone(),
                purl: format!("pkg:{}/{}@{}", eco.purl_type(), name, version),
                scope: Scope::Required,
                hashes: vec![],
                licenses: vec![],
                source_package: None,
                resolved: None,
                evidence: vec![],
                dependencies: vec![],
                first_party: false,
                properties: Default::default(),
            }
        })
        .collect();
    drop(db);
    let db = Database::open(&path).expect("open");
    // The digest reads and hashes every stored record (the integrity check matching runs first).
    let start = Instant::now();
    let digest = db.digest().expect("digest");
    println!(
        "digest: {digest} over every stored record in {:.3} s",
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let outcome = db
        .match_components(&components, None, &MatchOptions::default())
        .expect("match");
    let took = start.elapsed();
    println!(
        "match (digest included): {} components ({} distinct package names) -> {} findings in {:.3} s",
        components.len(),
        names.len(),
        outcome.matches.len(),
        took.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
