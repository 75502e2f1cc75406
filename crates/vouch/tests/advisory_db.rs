//! The advisory database end to end: an import killed with SIGKILL mid-transaction (a real
//! child process) leaves readers answering exactly as before; an empty database cannot
//! evaluate (exit 2); a flipped byte on disk is an error naming the record; Go module paths keep
//! their case through an SBOM; first-party packages are marked in the SBOM and never matched, and
//! the root crate is the SBOM's subject.

use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{Value, json};

mod common;

fn vouch(db: &Path) -> Command {
    let mut cmd = common::vouch();
    cmd.env("VOUCH_DB", db);
    cmd
}

/// A project whose package-lock.json has `braces` 3.0.2 from the registry (GHSA-grv7-fg5c-xmjg)
/// and a workspace member named `braces` (first-party, never matched).
fn npm_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::advisory_fixtures().join("first-party/npm/package-lock.json"),
        dir.path().join("package-lock.json"),
    )
    .unwrap();
    dir
}

fn import(db: &Path, what: &Path) {
    let out = vouch(db).args(["db", "import"]).arg(what).output().unwrap();
    common::assert_exit(&out, 0);
}

/// (exit code, stdout JSON) of `vouch vulns PROJECT --format json`.
fn vulns_json(db: &Path, project: &Path) -> (Option<i32>, Value) {
    let out = vouch(db)
        .arg("vulns")
        .arg(project)
        .args(["--format", "json"])
        .output()
        .unwrap();
    (out.status.code(), common::json(&out.stdout))
}

fn status_json(db: &Path) -> Value {
    let out = vouch(db)
        .args(["db", "status", "--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    common::json(&out.stdout)
}

/// `n` advisories of about 8 KiB each, one file per record, plus a newer, withdrawn version of
/// GHSA-grv7-fg5c-xmjg: committed, this import would change the answer for braces.
fn big_advisory_folder(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let details = "x".repeat(8 * 1024);
    for i in 0..n {
        let record = json!({
            "id": format!("TEST-{i:06}"),
            "modified": "2026-01-01T00:00:00Z",
            "details": details,
            "affected": [{
                "package": {"ecosystem": "npm", "name": format!("generated-{i}")},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]
            }]
        });
        std::fs::write(
            dir.path().join(format!("TEST-{i:06}.json")),
            serde_json::to_vec(&record).unwrap(),
        )
        .unwrap();
    }
    let withdrawn = json!({
        "id": "GHSA-grv7-fg5c-xmjg",
        "modified": "2030-01-01T00:00:00Z",
        "withdrawn": "2030-01-01T00:00:00Z",
        "affected": [{
            "package": {"ecosystem": "npm", "name": "braces"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.3"}]}]
        }]
    });
    std::fs::write(
        dir.path().join("GHSA-grv7-fg5c-xmjg.json"),
        serde_json::to_vec(&withdrawn).unwrap(),
    )
    .unwrap();
    dir
}

fn journal_of(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// Starts `vouch db import FOLDER` as a child process and SIGKILLs it in the middle of its
/// transaction: once the journal exists and the database file has grown by `min_growth` bytes
/// (SQLite spilled uncommitted pages into it). `false` when the import finished first.
fn kill_import_mid_transaction(db: &Path, folder: &Path, min_growth: u64) -> bool {
    let size_before = std::fs::metadata(db).map_or(0, |m| m.len());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vouch"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VOUCH_DB", db)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["db", "import"])
        .arg(folder)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = journal_of(db);
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if std::fs::metadata(&journal).is_ok_and(|m| m.len() > 0)
            && std::fs::metadata(db).is_ok_and(|m| m.len() >= size_before + min_growth)
        {
            child.kill().unwrap();
            let status = child.wait().unwrap();
            if status.success() {
                // It committed between the check and the signal.
                return false;
            }
            assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
            return true;
        }
        assert!(
            Instant::now() < deadline,
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Kills an import of a growing folder until one is caught mid-transaction.
fn killed_import(db: &Path) {
    for n in [3_000, 12_000, 40_000] {
        let folder = big_advisory_folder(n);
        if kill_import_mid_transaction(db, folder.path(), 4 * 1024 * 1024) {
            // The hot journal is there: the database file itself was left half-written.
            assert!(journal_of(db).is_file());
            return;
        }
    }
    panic!("every import finished before it could be killed");
}

#[test]
fn a_killed_import_leaves_readers_answering_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    import(
        &db,
        &common::advisory_fixtures().join("advisories/ghsa-sample"),
    );
    let project = npm_project();
    let status_before = status_json(&db);
    let (code, before) = vulns_json(&db, project.path());
    assert_eq!(code, Some(1));
    let ids: Vec<&str> = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    // braces 3.0.2 and micromatch 4.0.5 from the registry; never the workspace's own `braces`.
    assert_eq!(ids, ["GHSA-grv7-fg5c-xmjg", "GHSA-952p-6rrq-rcjv"]);

    killed_import(&db);

    // Every reader recovers (the journal is rolled back) and answers exactly as before.
    assert_eq!(status_json(&db), status_before);
    assert!(!journal_of(&db).exists(), "the hot journal was rolled back");
    let (code, after) = vulns_json(&db, project.path());
    assert_eq!(code, Some(1));
    assert_eq!(after, before);

    // And the next import works on the recovered file.
    import(&db, &common::advisory_fixtures().join("packagist"));
    assert_eq!(status_json(&db)["advisories"], 12);
}

/// Runs `vouch vulns PROJECT` against `db`, asserts it could not evaluate (exit 2, nothing on
/// stdout) and returns its stderr.
fn vulns_cannot_evaluate(db: &Path, project: &Path) -> String {
    let out = vouch(db).arg("vulns").arg(project).output().unwrap();
    common::assert_exit(&out, 2);
    assert!(out.stdout.is_empty());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_killed_first_import_cannot_evaluate() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    killed_import(&db);
    let project = npm_project();
    let stderr = vulns_cannot_evaluate(&db, project.path());
    assert!(
        stderr.contains(&format!(
            "advisory database {} holds no advisories (an import of nothing, or an interrupted first import), so vulnerabilities cannot be evaluated",
            db.display()
        )),
        "{stderr}"
    );
    assert_eq!(status_json(&db)["advisories"], 0);
}

#[test]
fn an_import_of_nothing_cannot_evaluate() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let empty = tempfile::tempdir().unwrap();
    import(&db, empty.path());
    let project = npm_project();
    for format in ["table", "json", "sarif"] {
        let out = vouch(&db)
            .arg("vulns")
            .arg(project.path())
            .args(["--format", format])
            .output()
            .unwrap();
        common::assert_exit(&out, 2);
        assert!(out.stdout.is_empty(), "{format}: nothing on stdout");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("holds no advisories"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_flipped_byte_on_disk_is_an_error_naming_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    import(
        &db,
        &common::advisory_fixtures().join("advisories/ghsa-sample"),
    );
    let project = npm_project();
    // The passing case first.
    let (code, _) = vulns_json(&db, project.path());
    assert_eq!(code, Some(1));

    // One byte of the stored record, in the file itself: braces' fix 3.0.3 becomes 3.0.2, which
    // would silently stop matching braces 3.0.2.
    let mut bytes = std::fs::read(&db).unwrap();
    let needle = br#""package":{"ecosystem":"npm","name":"braces"},"ranges":[{"events":[{"introduced":"0"},{"fixed":"3.0.3"}]"#;
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the stored record is in the file");
    let last = at + needle.len() - 4; // the last `3` of "3.0.3"
    assert_eq!(bytes[last], b'3');
    bytes[last] = b'2';
    std::fs::write(&db, &bytes).unwrap();

    let stderr = vulns_cannot_evaluate(&db, project.path());
    assert!(
        stderr.contains(&format!(
            "advisory database {}: stored record GHSA-grv7-fg5c-xmjg has content sha256:",
            db.display()
        )) && stderr.contains("(the file was modified or is corrupt); import the advisories again"),
        "{stderr}"
    );
    let out = vouch(&db).args(["db", "status"]).output().unwrap();
    common::assert_exit(&out, 2);
}

#[test]
fn go_module_paths_keep_their_case_through_an_sbom() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    import(
        &db,
        &common::advisory_fixtures().join("matching-classes/GO-2022-0411.json"),
    );
    let project = common::dir_with(&[(
        "go.mod",
        "module example.com/app\n\ngo 1.21\n\nrequire github.com/Masterminds/goutils v1.1.0\n",
    )]);
    let sbom = tmp.path().join("sbom.cdx.json");
    let out = vouch(&db)
        .arg("sbom")
        .arg(project.path())
        .arg("-o")
        .arg(&sbom)
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let doc: Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    let purls: Vec<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    // The standard library of `go 1.21` is a component too (issue #14).
    assert_eq!(
        purls,
        [
            "pkg:golang/github.com/Masterminds/goutils@v1.1.0",
            "pkg:golang/stdlib@1.21.0"
        ]
    );

    // From the tree and from the SBOM alike.
    for args in [
        vec![project.path().as_os_str().to_owned()],
        vec!["--sbom".into(), sbom.as_os_str().to_owned()],
    ] {
        let out = vouch(&db)
            .arg("vulns")
            .args(&args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        common::assert_exit(&out, 1);
        let report = common::json(&out.stdout);
        assert_eq!(report["findings"][0]["rule_id"], "GO-2022-0411");
        assert_eq!(
            report["findings"][0]["properties"]["package"],
            "github.com/Masterminds/goutils"
        );
    }
}

#[test]
fn first_party_crates_are_marked_in_the_sbom_and_never_matched() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    import(
        &db,
        &common::advisory_fixtures().join("matching-classes/RUSTSEC-2021-0003.md"),
    );
    let project = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::advisory_fixtures().join("first-party/cargo/Cargo.lock"),
        project.path().join("Cargo.lock"),
    )
    .unwrap();
    let sbom = tmp.path().join("sbom.cdx.json");
    let out = vouch(&db)
        .arg("sbom")
        .arg(project.path())
        .arg("-o")
        .arg(&sbom)
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let doc: Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    let rows: Vec<(String, String, Value, bool)> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let first_party = c["properties"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["name"] == "vouch:first-party" && p["value"] == "true");
            (
                c["name"].as_str().unwrap().to_owned(),
                c["version"].as_str().unwrap().to_owned(),
                c["purl"].clone(),
                first_party,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("smallvec".into(), "0.6.5".into(), Value::Null, true),
            (
                "smallvec".into(),
                "1.6.0".into(),
                json!("pkg:cargo/smallvec@1.6.0"),
                false
            ),
        ]
    );
    // The root crate (the path package nothing depends on) is the document's subject, not a
    // component: its own name and version, first-party, no purl, and its dependencies.
    let subject = &doc["metadata"]["component"];
    assert_eq!(subject["name"], "app");
    assert_eq!(subject["version"], "0.1.0");
    assert_eq!(subject["purl"], Value::Null);
    assert_eq!(
        subject["properties"],
        json!([{"name": "vouch:first-party", "value": "true"}])
    );
    let subject_deps = doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == subject["bom-ref"])
        .unwrap();
    assert_eq!(
        subject_deps["dependsOn"],
        json!(["pkg:cargo/smallvec@0.6.5", "pkg:cargo/smallvec@1.6.0"])
    );
    for args in [
        vec![project.path().as_os_str().to_owned()],
        vec!["--sbom".into(), sbom.as_os_str().to_owned()],
    ] {
        let out = vouch(&db)
            .arg("vulns")
            .args(&args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        common::assert_exit(&out, 1);
        let report = common::json(&out.stdout);
        let found: Vec<(&str, &str)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap(),
                    f["properties"]["version"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(found, [("RUSTSEC-2021-0003", "1.6.0")]);
        // First-party components are skipped on purpose, without a warning.
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("not matched"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
