//! A real dashboard on loopback over a real SQLite fleet store seeded with real SBOMs (and,
//! when asked, a real advisory database built from a GHSA record).

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use vouch_fleet::{Ingest, Location, Store};
use vouch_server::dashboard::{Dashboard, DashboardOptions, IngestToken, Shutdown};

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fleet")
        .join(rel)
}

/// (artifact name, SBOM) seeded into every store.
pub const SBOMS: [(&str, &str); 4] = [
    ("app", "sboms/trivy-fs.cdx.json"),
    ("js", "sboms/cdxgen-js.cdx.json"),
    ("rootfs", "sboms/trivy-rootfs.cdx.json"),
    ("php", "sboms/vouch-composer.cdx.json"),
];

/// The SBOM each artifact holds now: `rootfs` was re-ingested from the app's SBOM after the
/// rescan.
pub const CURRENT: [(&str, &str); 4] = [
    ("app", "sboms/trivy-fs.cdx.json"),
    ("js", "sboms/cdxgen-js.cdx.json"),
    ("rootfs", "sboms/trivy-fs.cdx.json"),
    ("php", "sboms/vouch-composer.cdx.json"),
];

/// The fixed time of the tests: 2026-12-03T12:00:00Z.
pub const NOW: i64 = 1_796_299_200;

/// Every purl a CycloneDX document lists (nested components too): ground truth read with
/// serde_json, not through the store.
pub fn purls(rel: &str) -> BTreeSet<String> {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        for c in v.as_array().into_iter().flatten() {
            if let Some(p) = c.get("purl").and_then(|p| p.as_str()) {
                out.insert(p.to_owned());
            }
            walk(&c["components"], out);
        }
    }
    walk(&doc["components"], &mut out);
    out
}

/// Artifacts whose SBOM lists a purl starting with `prefix`.
pub fn holding(prefix: &str) -> BTreeSet<String> {
    CURRENT
        .iter()
        .filter(|(_, rel)| purls(rel).iter().any(|p| p.starts_with(prefix)))
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

pub fn ingest(store: &mut Store, name: &str, rel: &str, at: &str) {
    let bytes = std::fs::read(fixture(rel)).unwrap();
    let sbom = vouch_sbom::read::parse(&bytes).unwrap();
    let mut ingest = Ingest::from_sbom(sbom, Some(name.to_owned()), rel, at);
    ingest.labels.insert("team".into(), format!("team-{name}"));
    store.add(&ingest).unwrap();
}

pub struct Running {
    pub base: String,
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
    shutdown: Shutdown,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub struct Setup {
    pub db: bool,
    pub rescan: bool,
    pub token: Option<&'static str>,
    /// Evaluate `fixtures/fleet/slo.yaml`.
    pub slo: bool,
    /// The server's clock (seconds since the epoch).
    pub now: i64,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            db: true,
            rescan: true,
            token: None,
            slo: false,
            now: NOW,
        }
    }
}

/// Seeds a store (every SBOM at 2026-12-01, a rescan at 2026-12-02 when asked, then a second
/// revision of `php` at 2026-12-03 without flysystem's fix) and starts a dashboard on it.
pub fn start(setup: Setup) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("fleet.sqlite");
    let db_path = dir.path().join("osv.sqlite");
    {
        let mut store = Store::open(&Location::Sqlite(store_path.clone())).unwrap();
        for (name, rel) in SBOMS {
            ingest(&mut store, name, rel, "2026-12-01T00:00:00Z");
        }
        let mut db = vouch_advisory::db::Database::create(&db_path).unwrap();
        let record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(fixture("GHSA-9f46-5r25-5wfm.json")).unwrap())
                .unwrap();
        db.import(&[vouch_advisory::osv::Record::from_value(record).unwrap()])
            .unwrap();
        if setup.rescan {
            let none = vouch_advisory::suppress::Suppressions::default();
            store
                .rescan(
                    &db,
                    &none,
                    &Default::default(),
                    "2026-12-02".parse().unwrap(),
                    "2026-12-02T00:00:00Z",
                )
                .unwrap();
        }
        // After the rescan: the rootfs image is rebuilt from the app's SBOM (what entered and
        // left shows under "changes since the last rescan").
        ingest(
            &mut store,
            "rootfs",
            "sboms/trivy-fs.cdx.json",
            "2026-12-03T00:00:00Z",
        );
    }
    let slo = setup
        .slo
        .then(|| vouch_slo::load(&std::fs::read_to_string(fixture("slo.yaml")).unwrap()).unwrap());
    let now = setup.now;
    let options = DashboardOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        store: Location::Sqlite(store_path.clone()),
        db: setup.db.then_some(db_path),
        slo,
        ingest_token: setup.token.map(|t| IngestToken::new(t, "test").unwrap()),
        clock: Arc::new(move || jiff::Timestamp::from_second(now).unwrap()),
        stop_on_signals: false,
    };
    let server = Dashboard::bind(options).unwrap();
    let base = format!("http://{}", server.local_addr());
    let shutdown = server.shutdown_handle();
    let thread = std::thread::spawn(move || server.run().unwrap());
    // Wait until it answers.
    let client = reqwest::blocking::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Running {
        base,
        dir,
        store: store_path,
        shutdown,
        thread: Some(thread),
    }
}
