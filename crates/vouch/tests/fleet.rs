//! `vouch fleet` end to end: a real composer.lock (a directory, inventoried like `vouch sbom`),
//! real peer SBOMs, a real GHSA record, and what `query`, `affected`, `rescan` and `history`
//! answer, with their exit codes.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_exit, json, vouch};

fn fleet_fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vouch-fleet/tests/fixtures")
        .join(rel)
}

/// A project folder holding the real composer.lock of osv-scanner's fixtures (league/flysystem
/// 1.0.8, affected by GHSA-9f46-5r25-5wfm / CVE-2021-32708).
fn php_project(root: &Path) -> PathBuf {
    let dir = root.join("php-app");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        common::advisory_fixtures()
            .join("lockfiles/osv-scanner-fixture.locks-many-with-insecure.composer.lock"),
        dir.join("composer.lock"),
    )
    .unwrap();
    dir
}

fn advisory_db(root: &Path) -> PathBuf {
    let db = root.join("osv.sqlite");
    let out = vouch()
        .args(["db", "import", "--db"])
        .arg(&db)
        .arg(common::advisory_fixtures().join("packagist/GHSA-9f46-5r25-5wfm.json"))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    db
}

fn fleet(store: &Path, args: &[&str]) -> std::process::Output {
    vouch()
        .arg("fleet")
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .unwrap()
}

#[test]
fn add_query_affected_rescan_history() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("fleet.sqlite");
    let project = php_project(tmp.path());
    let db = advisory_db(tmp.path());

    // A directory is inventoried and ingested; SBOMs are read.
    let out = vouch()
        .args(["fleet", "add", "--name", "php-app", "--label", "team=web"])
        .arg(&project)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("php-app: revision 1, "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vouch()
        .args(["fleet", "add", "--name", "py-app"])
        .arg(fleet_fixture("sboms/trivy-fs.spdx.json"))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 0);

    // Query: exact version, range, any version; JSON answer.
    let out = fleet(
        &store,
        &[
            "query",
            "pkg:composer/league/flysystem@1.0.8",
            "--format",
            "json",
        ],
    );
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(v["hits"][0]["artifact"], "php-app");
    assert_eq!(v["hits"][0]["labels"]["team"], "web");
    assert_eq!(v["hits"].as_array().unwrap().len(), 1);
    let out = fleet(
        &store,
        &[
            "query",
            "pkg:composer/league/flysystem@>=1.1",
            "--format",
            "json",
        ],
    );
    assert_exit(&out, 0);
    assert_eq!(json(&out.stdout)["hits"], serde_json::json!([]));
    let out = fleet(
        &store,
        &["query", "pkg:pypi/cryptography", "--format", "json"],
    );
    assert_eq!(json(&out.stdout)["hits"][0]["artifact"], "py-app");

    // A malformed query: exit 2 and the exact reason.
    let out = fleet(&store, &["query", "lodash"]);
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "invalid query `lodash`: expected a package URL starting with `pkg:` (pkg:npm/lodash@4.17.20)"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Affected, by id and by the CVE alias: exit 1, php-app only.
    for id in ["GHSA-9f46-5r25-5wfm", "CVE-2021-32708"] {
        let out = vouch()
            .args(["fleet", "affected", id, "--format", "json", "--db"])
            .arg(&db)
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap();
        assert_exit(&out, 1);
        let v = json(&out.stdout);
        assert_eq!(v["advisories"], serde_json::json!(["GHSA-9f46-5r25-5wfm"]));
        let findings = v["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{v}");
        assert_eq!(findings[0]["artifact"], "php-app");
        assert_eq!(findings[0]["purl"], "pkg:composer/league/flysystem@1.0.8");
        assert_eq!(findings[0]["status"], "affected");
    }
    // An id the database does not hold: exit 2, named.
    let out = vouch()
        .args(["fleet", "affected", "CVE-1999-0001", "--db"])
        .arg(&db)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("advisory `CVE-1999-0001` is not in the advisory database")
    );

    // Rescan: first run finds it (new → exit 1), the second finds nothing new (exit 0).
    let rescan = |extra: &[&str]| {
        vouch()
            .args(["fleet", "rescan", "--format", "json", "--db"])
            .arg(&db)
            .args(extra)
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap()
    };
    let out = rescan(&[]);
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    assert_eq!(v["first"], true);
    assert_eq!(v["new"][0]["advisory"], "GHSA-9f46-5r25-5wfm");
    assert_eq!(v["new"][0]["artifact"], "php-app");
    let out = rescan(&[]);
    assert_exit(&out, 0);
    assert_eq!(json(&out.stdout)["new"], serde_json::json!([]));

    // A VEX statement for php-app only suppresses it there; the finding is resolved, not new.
    let vex = tmp.path().join("php.vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"web team","timestamp":"2026-01-01T00:00:00Z","version":1,
            "statements":[{"vulnerability":{"name":"CVE-2021-32708"},"products":[{"@id":"pkg:composer/league/flysystem@1.0.8"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let arg = format!("php-app={}", vex.display());
    let out = rescan(&["--vex-for", &arg]);
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(v["resolved"][0]["advisory"], "GHSA-9f46-5r25-5wfm");
    let out = fleet(&store, &["show", "php-app", "--format", "json"]);
    let v = json(&out.stdout);
    assert!(
        v["findings"][0]["suppressed"]
            .as_str()
            .unwrap()
            .starts_with("vex: "),
        "{v}"
    );
    // The same VEX given for another artifact suppresses nothing: the finding is new again.
    let arg = format!("py-app={}", vex.display());
    assert_exit(&rescan(&["--vex-for", &arg]), 1);

    // History: a re-ingest without the lockfile's flysystem records that it left.
    let trimmed = tmp.path().join("trimmed");
    std::fs::create_dir_all(&trimmed).unwrap();
    let lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.join("composer.lock")).unwrap()).unwrap();
    let mut lock = lock;
    lock["packages"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["name"] != "league/flysystem");
    std::fs::write(trimmed.join("composer.lock"), lock.to_string()).unwrap();
    let out = vouch()
        .args(["fleet", "add", "--name", "php-app"])
        .arg(&trimmed)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("php-app: revision 2, "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = fleet(
        &store,
        &[
            "history",
            "pkg:composer/league/flysystem",
            "--format",
            "json",
        ],
    );
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    let changes: Vec<(String, i64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_owned(),
                c["revision"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![("entered".to_owned(), 1), ("left".to_owned(), 2)]
    );
    // Times come from the clock (SOURCE_DATE_EPOCH here), to the second.
    assert_eq!(v[1]["at"], "2023-11-14T22:13:20Z");
    let out = fleet(
        &store,
        &["query", "pkg:composer/league/flysystem", "--format", "json"],
    );
    assert_eq!(json(&out.stdout)["hits"], serde_json::json!([]));
    // Rescan after the package left: nothing new, the finding resolved.
    let out = rescan(&[]);
    assert_exit(&out, 0);
    assert_eq!(json(&out.stdout)["resolved"][0]["artifact"], "php-app");

    // Artifacts list.
    let out = fleet(&store, &["artifacts", "--format", "json"]);
    let v = json(&out.stdout);
    assert_eq!(v[0]["name"], "php-app");
    assert_eq!(v[0]["revisions"], 2);
    assert_eq!(v[1]["name"], "py-app");
}

#[test]
fn events_add_and_list() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("fleet.sqlite");
    let out = vouch()
        .args(["fleet", "events", "add"])
        .arg(fleet_fixture("events/gitlab-job.json"))
        .arg(fleet_fixture("events/github-workflow_run-completed.json"))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = fleet(&store, &["events", "list"]);
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[1]["provider"], "gitlab");
    assert_eq!(v[1]["outcome"], "success");
    assert_eq!(v[1]["queued_at"], "2023-01-10T13:50:02Z");
    let out = vouch()
        .args(["fleet", "events", "add"])
        .arg(fleet_fixture("events/gitlab-push.json"))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error[slo-event-invalid]: webhook payload ")
            && stderr.contains("payload 1 is not a pipeline or job event"),
        "{stderr}"
    );
}

#[test]
fn store_defaults_to_the_data_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = vouch()
        .args(["fleet", "add", "--name", "x"])
        .arg(fleet_fixture("sboms/trivy-fs.cdx.json"))
        .env("XDG_DATA_HOME", tmp.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(tmp.path().join("vouch/fleet.sqlite").is_file());
}

#[test]
fn an_image_is_inventoried_and_ingested_with_its_manifest_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("fleet.sqlite");
    let source = format!(
        "oci-dir:{}:v2",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../vouch-oci/tests/fixtures/alpine-layout")
            .display()
    );
    // What `vouch sbom` finds in the image is what the fleet holds.
    let sbom = vouch().args(["sbom", &source]).output().unwrap();
    assert_exit(&sbom, 0);
    let sbom = json(&sbom.stdout);
    let expected: std::collections::BTreeSet<String> = sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_owned))
        .collect();
    let out = vouch()
        .args(["fleet", "add", "--name", "alpine", &source, "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let out = fleet(&store, &["show", "alpine", "--format", "json"]);
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(v["format"], "inventory");
    assert_eq!(v["digest"], sbom["metadata"]["component"]["version"]);
    let held: std::collections::BTreeSet<String> = v["component_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap().to_owned())
        .collect();
    assert!(!held.is_empty());
    assert_eq!(held, expected);
    let out = fleet(
        &store,
        &["query", "pkg:apk/alpine/musl", "--format", "json"],
    );
    assert_eq!(json(&out.stdout)["hits"][0]["artifact"], "alpine");
}

#[test]
fn an_ignore_entry_suppresses_affected_and_an_ignore_for_another_artifact_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("fleet.sqlite");
    let project = php_project(tmp.path());
    let db = advisory_db(tmp.path());
    let out = vouch()
        .args(["fleet", "add", "--name", "php-app"])
        .arg(&project)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let ignore = tmp.path().join("ignore.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nid = \"CVE-2021-32708\"\npurl = \"pkg:composer/league/flysystem\"\nreason = \"no untrusted paths reach flysystem\"\nexpires = 2030-01-01\n",
    )
    .unwrap();
    // Shared ignore file: suppressed, shown with the reason, exit 0.
    let out = vouch()
        .args([
            "fleet",
            "affected",
            "GHSA-9f46-5r25-5wfm",
            "--format",
            "json",
            "--db",
        ])
        .arg(&db)
        .arg("--ignore")
        .arg(&ignore)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(
        v["findings"][0]["suppressed"],
        "ignore-file: no untrusted paths reach flysystem (until 2030-01-01)"
    );
    // Given for another artifact only: php-app stays affected, the rescan finds it new.
    let arg = format!("other-app={}", ignore.display());
    let out = vouch()
        .args([
            "fleet",
            "rescan",
            "--format",
            "json",
            "--ignore-for",
            &arg,
            "--db",
        ])
        .arg(&db)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(json(&out.stdout)["new"][0]["artifact"], "php-app");
    // For php-app itself: nothing new (exit 0).
    let arg = format!("php-app={}", ignore.display());
    let out = vouch()
        .args([
            "fleet",
            "rescan",
            "--format",
            "json",
            "--ignore-for",
            &arg,
            "--db",
        ])
        .arg(&db)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    // A malformed pair is refused by name.
    let out = vouch()
        .args(["fleet", "rescan", "--ignore-for", "php-app", "--db"])
        .arg(&db)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--ignore-for `php-app`: expected ARTIFACT=FILE"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
