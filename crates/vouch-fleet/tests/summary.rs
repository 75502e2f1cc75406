//! What the dashboard shows beside the answers (`Store::last_rescan`, `Store::findings`,
//! `Store::changes_since_rescan`), on SQLite and on a real PostgreSQL (a cluster of its own on a
//! Unix socket in a temporary folder, as in store.rs).

use std::path::{Path, PathBuf};

use vouch_fleet::{Ingest, Location, Store};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn ingest(store: &mut Store, name: &str, rel: &str, at: &str) {
    let bytes = std::fs::read(fixture(rel)).unwrap();
    let sbom = vouch_sbom::read::parse(&bytes).unwrap();
    store
        .add(&Ingest::from_sbom(sbom, Some(name.to_owned()), rel, at))
        .unwrap();
}

fn suite(location: &Location) {
    let mut store = Store::open(location).unwrap();
    ingest(
        &mut store,
        "php",
        "sboms/vouch-composer.cdx.json",
        "2026-12-01T00:00:00Z",
    );
    ingest(
        &mut store,
        "app",
        "sboms/trivy-fs.cdx.json",
        "2026-12-01T00:00:00Z",
    );

    // Never rescanned: no rescan, no findings, every change listed.
    assert_eq!(store.last_rescan().unwrap(), None);
    assert!(store.findings().unwrap().is_empty());
    let all = store.changes_since_rescan().unwrap();
    assert_eq!(all.last_rescan, None);
    let mut history = store.history("app").unwrap();
    history.extend(store.history("php").unwrap());
    assert_eq!(all.changes, history);
    assert!(all.changes.iter().all(|c| c.change == "entered"));

    let dir = tempfile::tempdir().unwrap();
    let mut db = vouch_advisory::db::Database::create(&dir.path().join("osv.sqlite")).unwrap();
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("GHSA-9f46-5r25-5wfm.json")).unwrap())
            .unwrap();
    db.import(&[vouch_advisory::osv::Record::from_value(record).unwrap()])
        .unwrap();
    let none = vouch_advisory::suppress::Suppressions::default();
    let rescan = store
        .rescan(
            &db,
            &none,
            &Default::default(),
            "2026-12-02".parse().unwrap(),
            "2026-12-02T00:00:00Z",
        )
        .unwrap();

    let last = store.last_rescan().unwrap().unwrap();
    assert_eq!(last.at, "2026-12-02T00:00:00Z");
    assert_eq!(last.db_digest, rescan.db_digest);
    assert_eq!(
        (last.artifacts, last.findings, last.new_findings),
        (2, 1, 1)
    );
    let findings = store.findings().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].artifact.as_str(), findings[0].purl.as_str()),
        ("php", "pkg:composer/league/flysystem@1.0.8")
    );
    assert!(store.changes_since_rescan().unwrap().changes.is_empty());

    // An ingest in the rescan's own second counts as after it; the earlier ones do not.
    ingest(
        &mut store,
        "app",
        "sboms/vouch-composer.cdx.json",
        "2026-12-02T00:00:00Z",
    );
    let since = store.changes_since_rescan().unwrap();
    assert_eq!(since.last_rescan, Some(last));
    assert!(!since.changes.is_empty());
    assert!(
        since
            .changes
            .iter()
            .all(|c| c.artifact == "app" && c.revision == 2)
    );
    let revision_2: Vec<_> = store
        .history("app")
        .unwrap()
        .into_iter()
        .filter(|c| c.revision == 2)
        .collect();
    assert_eq!(since.changes, revision_2);
    assert!(since.changes.iter().any(|c| c.change == "left"));
    assert!(since.changes.iter().any(|c| c.change == "entered"));
}

#[test]
fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(&Location::Sqlite(dir.path().join("fleet.sqlite")));
}

#[test]
fn postgres() {
    let cluster = vouch_test::postgres::Cluster::start();
    suite(&Location::Postgres(cluster.conninfo()));
}
