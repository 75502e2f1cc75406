//! The same suite on SQLite and on a real PostgreSQL (a cluster of its own per test, on a
//! Unix socket in a temporary folder). Ground truth comes from the SBOM files read with
//! serde_json, not from the store.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vouch_fleet::events::{Kind, Outcome};
use vouch_fleet::{Ingest, Location, Pattern, Store};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

const SBOMS: [(&str, &str); 4] = [
    ("app-cdx", "sboms/trivy-fs.cdx.json"),
    ("app-spdx", "sboms/trivy-fs.spdx.json"),
    ("js", "sboms/cdxgen-js.cdx.json"),
    ("rootfs", "sboms/trivy-rootfs.cdx.json"),
];

/// Every purl a document lists (CycloneDX components, nested too; SPDX purl references).
fn purls(rel: &str) -> Vec<String> {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap();
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        for c in v.as_array().into_iter().flatten() {
            if let Some(p) = c.get("purl").and_then(|p| p.as_str()) {
                out.push(p.to_owned());
            }
            walk(&c["components"], out);
        }
    }
    walk(&doc["components"], &mut out);
    for p in doc["packages"].as_array().into_iter().flatten() {
        for r in p["externalRefs"].as_array().into_iter().flatten() {
            if r["referenceType"] == "purl" {
                out.push(r["referenceLocator"].as_str().unwrap().to_owned());
            }
        }
    }
    out
}

/// (name without version, version) of an npm purl, percent-decoded scope.
fn npm(purl: &str) -> Option<(String, String)> {
    let rest = purl.strip_prefix("pkg:npm/")?;
    let rest = rest.split(['?', '#']).next()?;
    let (name, version) = rest.rsplit_once('@')?;
    Some((name.replace("%40", "@"), version.to_owned()))
}

fn truth(pred: impl Fn(&str, &str) -> bool) -> BTreeSet<String> {
    SBOMS
        .iter()
        .filter(|(_, rel)| {
            purls(rel)
                .iter()
                .filter_map(|p| npm(p))
                .any(|(n, v)| pred(&n, &v))
        })
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

fn ingest(store: &mut Store, name: &str, rel: &str, at: &str) -> vouch_fleet::Added {
    let bytes = std::fs::read(fixture(rel)).unwrap();
    let sbom = vouch_sbom::read::parse(&bytes).unwrap();
    let ingest = Ingest::from_sbom(sbom, Some(name.to_owned()), rel, at);
    store.add(&ingest).unwrap()
}

fn artifacts_of(answer: &vouch_fleet::QueryAnswer) -> BTreeSet<String> {
    answer.hits.iter().map(|h| h.artifact.clone()).collect()
}

fn major(v: &str) -> u64 {
    v.split('.').next().unwrap().parse().unwrap()
}

fn suite(location: &Location) {
    let mut store = Store::open(location).unwrap();
    assert_eq!(store.schema_version().unwrap(), 3);
    for (name, rel) in SBOMS {
        let added = ingest(&mut store, name, rel, "2026-12-01T00:00:00Z");
        assert_eq!(added.revision, 1);
        assert_eq!(added.left, 0);
        assert_eq!(added.entered, added.components, "{name}");
    }
    // Opening again runs no migration twice.
    drop(store);
    let mut store = Store::open(location).unwrap();
    assert_eq!(store.artifacts().unwrap().len(), 4);

    // Any version.
    let q = store
        .query(&Pattern::parse("pkg:npm/debug").unwrap())
        .unwrap();
    let expected = truth(|n, _| n == "debug");
    assert!(!expected.is_empty());
    assert_eq!(artifacts_of(&q), expected);

    // A range in SemVer order: commander below 10 (8.3.0 is, 15.0.0 is not).
    let q = store
        .query(&Pattern::parse("pkg:npm/commander@<10").unwrap())
        .unwrap();
    let expected = truth(|n, v| n == "commander" && major(v) < 10);
    assert!(!expected.is_empty());
    assert_eq!(artifacts_of(&q), expected);
    assert!(q.hits.iter().all(|h| major(&h.version) < 10), "{q:?}");

    // An exact version, a scoped name.
    let q = store
        .query(&Pattern::parse("pkg:npm/%40types/debug@4.1.13").unwrap())
        .unwrap();
    assert_eq!(
        artifacts_of(&q),
        truth(|n, v| n == "@types/debug" && v == "4.1.13")
    );
    // A PyPI name is normalised: `Python_DateUtil` finds python-dateutil.
    let q = store
        .query(&Pattern::parse("pkg:pypi/Python_DateUtil").unwrap())
        .unwrap();
    assert_eq!(
        artifacts_of(&q),
        BTreeSet::from(["app-cdx".to_owned(), "app-spdx".to_owned()])
    );
    // Nothing holds it.
    let q = store
        .query(&Pattern::parse("pkg:npm/lodash@4.17.20").unwrap())
        .unwrap();
    assert!(q.hits.is_empty());

    // Re-ingest `js` as the trivy SBOM: its components are replaced, history keeps both.
    let before = store.artifact("js").unwrap().component_list.len();
    let added = ingest(
        &mut store,
        "js",
        "sboms/trivy-fs.cdx.json",
        "2026-12-02T00:00:00Z",
    );
    assert_eq!(added.revision, 2);
    assert!(added.left > 0 && added.entered > 0, "{added:?}");
    let detail = store.artifact("js").unwrap();
    assert_eq!(detail.artifact.revisions, 2);
    assert_ne!(detail.component_list.len(), before);
    let cdxgen_only: Vec<String> = purls("sboms/cdxgen-js.cdx.json")
        .into_iter()
        .filter(|p| !purls("sboms/trivy-fs.cdx.json").contains(p))
        .collect();
    let gone = Pattern::parse(&cdxgen_only[0]).unwrap();
    let q = store.query(&gone).unwrap();
    assert!(!artifacts_of(&q).contains("js"), "{q:?}");
    let history = store.history("js").unwrap();
    assert!(
        history
            .iter()
            .any(|c| c.change == "left" && c.revision == 2 && c.at == "2026-12-02T00:00:00Z")
    );
    assert_eq!(
        history.iter().filter(|c| c.revision == 1).count(),
        before,
        "every component of revision 1 entered"
    );
    // The unknown artifact is an error naming it.
    let e = store.history("nope").unwrap_err();
    assert_eq!(e.to_string(), "no artifact named `nope` in the fleet store");

    // Affected and rescan through vouch-advisory's matcher, by id and by CVE alias.
    let dir = tempfile::tempdir().unwrap();
    let mut db = vouch_advisory::db::Database::create(&dir.path().join("osv.sqlite")).unwrap();
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("GHSA-9f46-5r25-5wfm.json")).unwrap())
            .unwrap();
    db.import(&[vouch_advisory::osv::Record::from_value(record).unwrap()])
        .unwrap();
    ingest(
        &mut store,
        "php",
        "sboms/vouch-composer.cdx.json",
        "2026-12-03T00:00:00Z",
    );
    let today: vouch_advisory::suppress::Date = "2026-12-03".parse().unwrap();
    let none = vouch_advisory::suppress::Suppressions::default();
    for id in ["GHSA-9f46-5r25-5wfm", "CVE-2021-32708"] {
        let a = store.affected(&db, id, &none, today).unwrap();
        assert_eq!(a.advisories, vec!["GHSA-9f46-5r25-5wfm".to_owned()]);
        let who: Vec<(&str, &str)> = a
            .findings
            .iter()
            .map(|f| (f.artifact.as_str(), f.purl.as_str()))
            .collect();
        assert_eq!(who, vec![("php", "pkg:composer/league/flysystem@1.0.8")]);
    }
    let e = store
        .affected(&db, "CVE-1999-0001", &none, today)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("advisory `CVE-1999-0001` is not in the advisory database "),
        "{e}"
    );
    let own = std::collections::BTreeMap::new();
    let first = store
        .rescan(&db, &none, &own, today, "2026-12-03T01:00:00Z")
        .unwrap();
    assert!(first.first);
    assert_eq!(first.new.len(), 1, "{first:?}");
    assert_eq!(first.new[0].artifact, "php");
    let second = store
        .rescan(&db, &none, &own, today, "2026-12-03T02:00:00Z")
        .unwrap();
    assert!(!second.first);
    assert!(
        second.new.is_empty() && second.resolved.is_empty(),
        "{second:?}"
    );
    assert_eq!(store.artifact("php").unwrap().findings.len(), 1);

    // Pipeline events: a queued then completed delivery of one job leaves one row; GitLab's
    // pipeline hook is the pipeline and one job per build (`builds`).
    let mut events = Vec::new();
    for f in [
        "gitlab-pipeline.json",
        "gitlab-job.json",
        "github-workflow_run-completed.json",
        "github-workflow_job-queued.json",
        "github-workflow_job-completed.json",
    ] {
        let bytes = std::fs::read(fixture(&format!("events/{f}"))).unwrap();
        events.extend(vouch_fleet::events::parse(&bytes).unwrap());
    }
    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("events/gitlab-pipeline.json")).unwrap())
            .unwrap();
    let builds = raw["builds"].as_array().unwrap().len();
    assert_eq!(events.len(), 1 + builds + 4);
    assert_eq!(store.add_events(&events).unwrap(), 1 + builds + 4);
    let stored = store.events(None).unwrap();
    assert_eq!(stored.len(), 1 + builds + 3);
    // The store folds deliveries as vouch-slo folds them read from files.
    let mut folded = vouch_slo::event::latest(events.clone());
    let mut sorted = stored.clone();
    folded.sort_by_key(vouch_slo::PipelineEvent::key);
    sorted.sort_by_key(vouch_slo::PipelineEvent::key);
    assert_eq!(sorted, folded);
    let job = stored
        .iter()
        .find(|e| e.id == 289782451 && e.kind == Kind::Job)
        .unwrap();
    assert_eq!(job.outcome, Outcome::Success);
    assert_eq!(job.project, "Codertocat/Hello-World");
    assert_eq!(job.finished_at, Some(ts("2021-08-05T10:38:16Z")));
    // A late `queued` delivery does not undo the completed job.
    let queued = events
        .iter()
        .find(|e| e.id == 289782451 && e.kind == Kind::Job && e.outcome == Outcome::Queued)
        .unwrap()
        .clone();
    store.add_events(&[queued]).unwrap();
    assert_eq!(store.events(None).unwrap(), stored);
    let gl = stored.iter().find(|e| e.id == 3580121225).unwrap();
    assert_eq!(gl.started_at, Some(ts("2023-01-10T13:50:05Z")));
    assert_eq!(gl.pipeline_id, Some(743121198));
    let pipeline = stored
        .iter()
        .find(|e| e.id == 31 && e.kind == Kind::Pipeline)
        .unwrap();
    assert_eq!(pipeline.project, "gitlab-org/gitlab-test");
    assert_eq!(pipeline.git_ref.as_deref(), Some("master"));
    assert_eq!(pipeline.queued_at, Some(ts("2016-08-12T15:23:28Z")));
    assert_eq!(pipeline.started_at, Some(ts("2016-08-12T15:23:40Z")));
    let build = stored
        .iter()
        .find(|e| e.id == 376 && e.kind == Kind::Job)
        .unwrap();
    assert_eq!(build.pipeline_id, Some(31));
    assert_eq!(build.started_at, Some(ts("2016-08-12T15:24:56Z")));
    assert_eq!(
        store
            .events(Some(ts("2021-01-01T00:00:00Z")))
            .unwrap()
            .len(),
        2
    );
    // Started or finished since 2021-08-05T10:38:00Z: the GitHub job (finished 10:38:16) and
    // the GitLab job of 2023.
    let window = store.events_in_window(ts("2021-08-05T10:38:00Z")).unwrap();
    assert_eq!(
        window.iter().map(|e| e.id).collect::<Vec<_>>(),
        [289782451, 3580121225]
    );
    // `vouch slo status --store`: the SLOs over the stored events in their windows are the
    // SLOs over the same payloads read from files, at times that put each forge's events in
    // the window.
    let slos = vouch_slo::load(SLOS).unwrap();
    for now in [
        "2016-08-20T00:00:00Z",
        "2021-08-20T00:00:00Z",
        "2023-01-11T00:00:00Z",
        "2030-01-01T00:00:00Z",
    ] {
        let now = ts(now);
        let since =
            now - jiff::SignedDuration::from_hours(30 * 24) - jiff::SignedDuration::from_secs(1);
        let from_store =
            vouch_slo::status::evaluate(&slos, store.events_in_window(since).unwrap(), now);
        let from_files = vouch_slo::status::evaluate(&slos, events.clone(), now);
        assert_eq!(
            serde_json::to_value(&from_store.slos).unwrap(),
            serde_json::to_value(&from_files.slos).unwrap(),
            "at {now}"
        );
    }
    // At 2016-08-20 GitLab's pipeline hook is in the window: its jobs' p95 queue time (164 s)
    // breaches the 120 s objective.
    let report = vouch_slo::status::evaluate(
        &slos,
        store.events_in_window(ts("2016-07-20T00:00:00Z")).unwrap(),
        ts("2016-08-20T00:00:00Z"),
    );
    assert_eq!(report.slos[1].value, Some(164.0));
    assert_eq!(report.slos[1].verdict, vouch_slo::status::Verdict::Breached);
    assert_eq!(report.exit_code(), 1);
    let push = std::fs::read(fixture("events/gitlab-push.json")).unwrap();
    assert_eq!(
        vouch_fleet::events::parse(&push).unwrap_err().to_string(),
        "payload 1 is not a pipeline or job event: expected a GitLab pipeline/build hook (object_kind) or a GitHub workflow_run/workflow_job payload, found GitLab object_kind `push`"
    );
}

/// Two of the delivery SLOs of vouch-slo's `seed/status.yaml`.
const SLOS: &str = "slos:
  - name: pipeline-success
    target: 99%
    window: 30d
    indicator:
      kind: pipeline-success
      errors: e[{{.window}}]
      total: t[{{.window}}]
  - name: queue-time
    target: 95%
    window: 30d
    objective: p95 <= 120s
    indicator:
      kind: queue-time
      histogram: h
";

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

#[test]
fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(&Location::Sqlite(dir.path().join("sub/fleet.sqlite")));
}

#[test]
fn postgres() {
    let cluster = vouch_test::postgres::Cluster::start();
    suite(&Location::Postgres(cluster.conninfo()));
}

#[test]
fn a_newer_schema_is_refused_and_migrations_run_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.sqlite");
    let location = Location::Sqlite(path.clone());
    Store::open(&location).unwrap();
    Store::open(&location).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let versions: Vec<i64> = conn
        .prepare("SELECT version FROM schema_version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(versions, vec![1, 2, 3]);
    conn.execute("INSERT INTO schema_version(version) VALUES (7)", [])
        .unwrap();
    drop(conn);
    let e = Store::open(&location).err().unwrap();
    assert_eq!(
        e.to_string(),
        format!(
            "the fleet store {} has schema version 7, newer than the 3 this vouch knows: upgrade vouch",
            path.display()
        )
    );
}

#[test]
fn a_postgres_password_is_never_printed() {
    // Nothing listens on port 1: the connection fails and the message masks the password.
    let e = Store::open(&Location::parse(
        "postgres://fleet:s3cret@127.0.0.1:1/fleet", // vouch:allow (a fake password, to see it masked)
    ))
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.starts_with("cannot open the fleet store postgres://fleet:***@127.0.0.1:1/fleet: "),
        "{e}"
    );
    assert!(!e.contains("s3cret"), "{e}");
}

#[test]
fn a_version_1_store_keeps_its_events() {
    // A real version-1 store (its frozen DDL) holding rows as the version-1 event reader
    // wrote them: a completed GitHub job, a GitLab pipeline still `pending`, a `manual` job.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&std::fs::read_to_string(fixture("schema-v1.sqlite.sql")).unwrap())
        .unwrap();
    conn.execute_batch(
        "INSERT INTO events VALUES ('github', 'job', 'Codertocat/Hello-World', 289782451, 5, 'Test', 'success', 'main', '2021-08-05T10:33:58Z', '2021-08-05T10:34:02Z', '2021-08-05T10:38:16Z');
         INSERT INTO events VALUES ('gitlab', 'pipeline', 'gitlab-org/gitlab-test', 31, NULL, '', 'pending', 'master', '2016-08-12T15:23:28Z', NULL, NULL);
         INSERT INTO events VALUES ('gitlab', 'job', 'gitlab-org/gitlab-test', 379, 31, 'deploy', 'manual', 'master', '2016-08-12T15:23:28Z', NULL, NULL);",
    )
    .unwrap();
    drop(conn);
    let mut store = Store::open(&Location::Sqlite(path)).unwrap();
    assert_eq!(store.schema_version().unwrap(), 3);
    let events = store.events(None).unwrap();
    assert_eq!(events.len(), 3);
    let job = events.iter().find(|e| e.id == 289782451).unwrap();
    assert_eq!(
        (job.outcome, job.attempt, job.pipeline_id),
        (Outcome::Success, 1, Some(5))
    );
    assert_eq!(job.finished_at, Some(ts("2021-08-05T10:38:16Z")));
    assert_eq!(job.queue_seconds(), Some(4.0));
    let pipeline = events.iter().find(|e| e.id == 31).unwrap();
    assert_eq!(pipeline.outcome, Outcome::Queued);
    // The migrated `pending` pipeline is still replaced by its later deliveries.
    let later = vouch_fleet::PipelineEvent {
        outcome: Outcome::Success,
        finished_at: Some(ts("2016-08-12T15:30:00Z")),
        ..pipeline.clone()
    };
    store.add_events(&[later]).unwrap();
    let events = store.events(None).unwrap();
    assert_eq!(
        events.iter().find(|e| e.id == 31).unwrap().outcome,
        Outcome::Success
    );
    assert_eq!(
        events.iter().find(|e| e.id == 379).unwrap().outcome,
        Outcome::Skipped
    );
}

#[test]
fn a_version_1_store_keeps_its_components_and_history() {
    // Two artifacts of a version-1 store sharing lodash 4.17.20, one with a Debian package
    // built from a source package; web's second revision dropped minimist.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&std::fs::read_to_string(fixture("schema-v1.sqlite.sql")).unwrap())
        .unwrap();
    conn.execute_batch(
        "INSERT INTO artifacts VALUES (1, 'web', 2), (2, 'base', 3);
         INSERT INTO artifact_versions VALUES
           (1, 1, NULL, NULL, 'web-1.cdx.json', 'CycloneDX 1.6', NULL, '{}', '2026-12-01T00:00:00Z', 2, 0),
           (2, 1, NULL, NULL, 'web-2.cdx.json', 'CycloneDX 1.6', NULL, '{}', '2026-12-02T00:00:00Z', 1, 0),
           (3, 2, NULL, NULL, 'base.cdx.json', 'CycloneDX 1.6', NULL, '{}', '2026-12-01T00:00:00Z', 2, 0);
         INSERT INTO components VALUES
           (1, 2, 'npm', 'lodash', 'lodash', '4.17.20', 'pkg:npm/lodash@4.17.20', NULL, NULL, 0),
           (2, 3, 'npm', 'lodash', 'lodash', '4.17.20', 'pkg:npm/lodash@4.17.20', NULL, NULL, 0),
           (2, 3, 'deb', 'libssl3', 'libssl3', '3.0.11-1', 'pkg:deb/debian/libssl3@3.0.11-1', 'openssl', '3.0.11-1', 0);
         INSERT INTO history VALUES
           (1, 1, 'entered', 'npm', 'lodash', '4.17.20', 'pkg:npm/lodash@4.17.20', '2026-12-01T00:00:00Z'),
           (1, 1, 'entered', 'npm', 'minimist', '1.2.5', 'pkg:npm/minimist@1.2.5', '2026-12-01T00:00:00Z'),
           (1, 2, 'left', 'npm', 'minimist', '1.2.5', 'pkg:npm/minimist@1.2.5', '2026-12-02T00:00:00Z'),
           (2, 3, 'entered', 'npm', 'lodash', '4.17.20', 'pkg:npm/lodash@4.17.20', '2026-12-01T00:00:00Z'),
           (2, 3, 'entered', 'deb', 'libssl3', '3.0.11-1', 'pkg:deb/debian/libssl3@3.0.11-1', '2026-12-01T00:00:00Z');",
    )
    .unwrap();
    drop(conn);
    let mut store = Store::open(&Location::Sqlite(path.clone())).unwrap();
    assert_eq!(store.schema_version().unwrap(), 3);
    let answer = store
        .query(&Pattern::parse("pkg:npm/lodash@4.17.20").unwrap())
        .unwrap();
    assert_eq!(
        artifacts_of(&answer),
        BTreeSet::from(["base".into(), "web".into()])
    );
    let base = store.artifact("base").unwrap();
    assert_eq!(
        base.component_list
            .iter()
            .map(|c| c.purl.as_str())
            .collect::<Vec<_>>(),
        ["pkg:deb/debian/libssl3@3.0.11-1", "pkg:npm/lodash@4.17.20"]
    );
    let minimist = store.history("pkg:npm/minimist").unwrap();
    assert_eq!(
        minimist
            .iter()
            .map(|c| (c.at.as_str(), c.revision, c.change.as_str()))
            .collect::<Vec<_>>(),
        [
            ("2026-12-01T00:00:00Z", 1, "entered"),
            ("2026-12-02T00:00:00Z", 2, "left")
        ]
    );
    assert_eq!(store.history("web").unwrap().len(), 3);
    // One package row per distinct component; the link rows and the source package survive.
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM packages"), 3);
    assert_eq!(count("SELECT COUNT(*) FROM artifact_packages"), 3);
    assert_eq!(count("SELECT COUNT(*) FROM package_history"), 5);
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM packages WHERE source_name = 'openssl' AND source_version = '3.0.11-1'"
        ),
        1
    );
}

#[test]
fn add_all_is_add_in_order_in_one_transaction() {
    let read = |name: &str, rel: &str, at: &str| {
        let bytes = std::fs::read(fixture(rel)).unwrap();
        let sbom = vouch_sbom::read::parse(&bytes).unwrap();
        Ingest::from_sbom(sbom, Some(name.to_owned()), rel, at)
    };
    let dir = tempfile::tempdir().unwrap();
    // One batch: `app` twice (the trivy CycloneDX, then the cdxgen one), `js` once.
    let mut batched = Store::open(&Location::Sqlite(dir.path().join("batched.sqlite"))).unwrap();
    let batch = [
        read("app", "sboms/trivy-fs.cdx.json", "2026-12-01T00:00:00Z"),
        read("js", "sboms/cdxgen-js.cdx.json", "2026-12-01T00:00:00Z"),
        read("app", "sboms/cdxgen-js.cdx.json", "2026-12-02T00:00:00Z"),
    ];
    let added = batched.add_all(&batch).unwrap();
    // The same ingests one by one, in a store of their own.
    let mut single = Store::open(&Location::Sqlite(dir.path().join("single.sqlite"))).unwrap();
    let one_by_one: Vec<_> = batch.iter().map(|i| single.add(i).unwrap()).collect();
    assert_eq!(added, one_by_one);
    assert_eq!(
        added.iter().map(|a| a.revision).collect::<Vec<_>>(),
        [1, 1, 2]
    );
    assert!(added[2].entered > 0 && added[2].left > 0, "{:?}", added[2]);
    assert_eq!(
        batched.history("app").unwrap(),
        single.history("app").unwrap()
    );
    assert_eq!(
        batched.artifact("app").unwrap().component_list,
        single.artifact("js").unwrap().component_list
    );
}
