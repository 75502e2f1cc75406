//! The advisory database on first use (issue #20): `scan`, `vulns` and `gate` with no database
//! fetch it once from the configured source, here a real loopback HTTP server serving OSV
//! exports zipped in the test from real GHSA records (tests/fixtures/db-first-use); `--offline`
//! never touches the network; a failed fetch is "not checked" (exit 2) and leaves no database;
//! a database older than `--db-max-age` is `advisory-db-stale`.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use serde_json::Value;

mod common;

/// 2026-11-18T11:06:40Z.
const T0: i64 = 1_795_000_000;
const DAY: i64 = 86_400;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db-first-use")
}

/// `vouch` with `VOUCH_DB` at `db` and the clock at `at`.
fn vouch(db: &Path, at: i64) -> Command {
    let mut cmd = common::vouch();
    cmd.env("VOUCH_DB", db)
        .env("SOURCE_DATE_EPOCH", at.to_string());
    cmd
}

/// A folder holding the real composer.lock (league/flysystem 1.0.8, among others).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("composer.lock"),
        dir.path().join("composer.lock"),
    )
    .unwrap();
    dir
}

/// `<ECOSYSTEM>/all.zip` for each folder of `export/`, zipped from its records.
fn exports() -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for eco in std::fs::read_dir(fixtures().join("export")).unwrap() {
        let eco = eco.unwrap();
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(eco.path())
            .unwrap()
            .map(|f| {
                let f = f.unwrap();
                (
                    f.file_name().to_string_lossy().into_owned(),
                    std::fs::read(f.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        let entries: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        out.insert(
            format!("/{}/all.zip", eco.file_name().to_string_lossy()),
            vouch_test::zip_of(&entries),
        );
    }
    out
}

/// A loopback HTTP/1.1 server answering GETs from `routes` (path → body; 404 otherwise), one
/// connection at a time, for the life of the test process. Every request line is recorded.
struct Mirror {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Mirror {
    fn start(routes: BTreeMap<String, Vec<u8>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&req)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
                log.lock().unwrap().push(path.clone());
                let (status, body) = match routes.get(&path) {
                    Some(b) => ("200 OK", b.clone()),
                    None => ("404 Not Found", Vec::new()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Self { base, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `scan --format json` of the project, vulnerabilities only.
fn scan(db: &Path, at: i64, source: &str, proj: &Path, extra: &[&str]) -> std::process::Output {
    vouch(db, at)
        .arg("scan")
        .arg(proj)
        .args(["--db-source", source, "--format", "json"])
        .args([
            "--skip",
            "secrets",
            "--skip",
            "configuration",
            "--skip",
            "pinning",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn first_use_fetches_the_export_once_and_finds_the_known_vulnerability() {
    let exports = exports();
    let packagist = exports["/Packagist/all.zip"].clone();
    let digest = vouch_digest::Digest::sha256(&packagist);
    let mirror = Mirror::start(exports);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data/osv.sqlite");
    let proj = project();

    let out = scan(&db, T0, &mirror.base, proj.path(), &[]);
    common::assert_exit(&out, 1);
    let err = stderr(&out);
    // Where it came from, its digest, and the database's record count and digest.
    assert!(
        err.contains(&format!("downloading {}/Packagist/all.zip\n", mirror.base)),
        "{err}"
    );
    assert!(
        err.contains(&format!("downloaded {} bytes, {digest}\n", packagist.len())),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "fetched advisory database {}: 1 advisories from {}, digest sha256:",
            db.display(),
            mirror.base
        )),
        "{err}"
    );
    // Only the ecosystem the tree has: npm is on the mirror but not asked for.
    assert_eq!(mirror.requests(), vec!["/Packagist/all.zip".to_owned()]);
    let v = common::json(&out.stdout);
    assert_eq!(v["checks"][0]["check"], "vulnerabilities");
    assert_eq!(v["checks"][0]["status"], "complete");
    let findings = v["findings"].to_string();
    assert!(findings.contains("GHSA-9f46-5r25-5wfm"), "{findings}");
    assert!(findings.contains("league/flysystem"), "{findings}");
    // The database sits where it belongs, with nothing half-written beside it.
    assert_eq!(names(db.parent().unwrap()), vec!["osv.sqlite".to_owned()]);

    // `db status` shows where it came from, its digest, the record count and the fetch time.
    let out = vouch(&db, T0)
        .args(["db", "status", "--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let status = common::json(&out.stdout);
    assert_eq!(status["provenance"]["how"], "fetch");
    assert_eq!(status["provenance"]["updated_at"], T0);
    assert_eq!(
        status["provenance"]["sources"][0]["location"],
        format!("{}/Packagist/all.zip", mirror.base)
    );
    assert_eq!(
        status["provenance"]["sources"][0]["sha256"],
        digest.to_string()
    );
    assert_eq!(status["provenance"]["sources"][0]["records"], 1);
    let out = vouch(&db, T0).args(["db", "status"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("updated   2026-11-18T11:06:40Z (fetch)\n"),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "source    {}/Packagist/all.zip {digest} (1 records)\n",
            mirror.base
        )),
        "{table}"
    );

    // The second run uses the database it has: no request.
    let out = scan(&db, T0 + DAY, &mirror.base, proj.path(), &[]);
    common::assert_exit(&out, 1);
    assert!(!stderr(&out).contains("downloading"), "{}", stderr(&out));
    assert_eq!(mirror.requests().len(), 1);

    // `vouch vulns` matches against the same database.
    let out = vouch(&db, T0 + DAY)
        .arg("vulns")
        .arg(proj.path())
        .args(["--db-source", &mirror.base, "--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("GHSA-9f46-5r25-5wfm"));
    assert_eq!(mirror.requests().len(), 1);
}

#[test]
fn vulns_fetches_on_first_use_from_a_single_zip_url_and_from_a_local_file() {
    let exports = exports();
    let mirror = Mirror::start(exports.clone());
    let tmp = tempfile::tempdir().unwrap();
    let proj = project();

    let db = tmp.path().join("zip.sqlite");
    let url = format!("{}/Packagist/all.zip", mirror.base);
    let out = vouch(&db, T0)
        .arg("vulns")
        .arg(proj.path())
        .env("VOUCH_DB_SOURCE", &url)
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("GHSA-9f46-5r25-5wfm"));
    assert_eq!(mirror.requests(), vec!["/Packagist/all.zip".to_owned()]);

    // A local zip: read, not fetched, and offline is no obstacle.
    let file = tmp.path().join("all.zip");
    std::fs::write(&file, &exports["/Packagist/all.zip"]).unwrap();
    let db = tmp.path().join("local.sqlite");
    let out = vouch(&db, T0)
        .arg("vulns")
        .arg(proj.path())
        .arg("--db-source")
        .arg(&file)
        .env("VOUCH_OFFLINE", "1")
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let digest = vouch_digest::Digest::sha256(&exports["/Packagist/all.zip"]);
    assert!(
        stderr(&out).contains(&format!(
            "read {} ({} bytes, {digest})",
            file.display(),
            exports["/Packagist/all.zip"].len()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(mirror.requests().len(), 1);
}

#[test]
fn offline_never_touches_the_network_and_is_not_checked() {
    // A source that records any request: offline must send none.
    let mirror = Mirror::start(exports());
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let proj = project();
    let reason = format!(
        "no advisory database at {}, and --offline (VOUCH_OFFLINE) forbids fetching one from {} (run `vouch db update` or `vouch db import PATH`, pass --db, or --skip vulnerabilities)",
        db.display(),
        mirror.base
    );

    let out = scan(&db, T0, &mirror.base, proj.path(), &["--offline"]);
    common::assert_exit(&out, 2);
    let v = common::json(&out.stdout);
    assert_eq!(v["checks"][0]["status"], "not checked");
    assert_eq!(v["not_checked"][0]["check"], "vulnerabilities");
    assert_eq!(v["not_checked"][0]["reason"], Value::String(reason.clone()));
    assert!(
        stderr(&out).contains(&format!("error: not checked: vulnerabilities: {reason}\n")),
        "{}",
        stderr(&out)
    );

    // The same through the environment, for `vulns`.
    let out = vouch(&db, T0)
        .arg("vulns")
        .arg(proj.path())
        .args(["--db-source", &mirror.base])
        .env("VOUCH_OFFLINE", "1")
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(&format!("error: vulnerabilities not checked: {reason}\n")),
        "{}",
        stderr(&out)
    );
    assert!(mirror.requests().is_empty(), "{:?}", mirror.requests());
    assert!(!db.exists());
}

#[test]
fn a_source_that_is_down_is_not_checked_with_the_reason_and_other_checks_still_run() {
    // A port nobody listens on.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let proj = project();

    let out = vouch(&db, T0)
        .arg("scan")
        .arg(proj.path())
        .args(["--db-source", &base, "--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let v = common::json(&out.stdout);
    let reason = v["not_checked"][0]["reason"].as_str().unwrap().to_owned();
    assert!(
        reason.starts_with(&format!(
            "no advisory database at {}, and fetching one from {base} failed: ",
            db.display()
        )),
        "{reason}"
    );
    assert!(
        reason.contains(&format!("{base}/Packagist/all.zip")),
        "{reason}"
    );
    assert_eq!(v["checks"][0]["status"], "not checked");
    // The other checks ran and reported.
    for i in 1..4 {
        assert_eq!(v["checks"][i]["status"], "complete", "{}", v["checks"]);
    }
    assert_eq!(names(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_truncated_export_is_a_clear_error_and_writes_no_database() {
    let mut exports = exports();
    let whole = exports["/Packagist/all.zip"].clone();
    // Served whole as far as HTTP can tell (the length matches), but the zip is cut short.
    exports.insert(
        "/Packagist/all.zip".to_owned(),
        whole[..whole.len() / 2].to_vec(),
    );
    let mirror = Mirror::start(exports);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let proj = project();

    let out = vouch(&db, T0)
        .arg("vulns")
        .arg(proj.path())
        .args(["--db-source", &mirror.base])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: vulnerabilities not checked: no advisory database at {}, and fetching one from {} failed: the Packagist export {}/Packagist/all.zip: ",
            db.display(),
            mirror.base,
            mirror.base
        )),
        "{err}"
    );
    assert!(err.contains("Packagist/all.zip"), "{err}");
    // No database, and no temporary file left behind.
    assert_eq!(names(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_database_older_than_the_limit_is_flagged_stale() {
    let mirror = Mirror::start(exports());
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let proj = project();
    let out = scan(&db, T0, &mirror.base, proj.path(), &[]);
    common::assert_exit(&out, 1);
    let stale_rule = |v: &Value| -> Vec<Value> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "advisory-db-stale")
            .cloned()
            .collect()
    };
    assert!(stale_rule(&common::json(&out.stdout)).is_empty());

    // Nine days later, past the default 7 days.
    let out = scan(&db, T0 + 9 * DAY, &mirror.base, proj.path(), &[]);
    common::assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    let stale = stale_rule(&v);
    assert_eq!(stale.len(), 1, "{}", v["findings"]);
    assert_eq!(stale[0]["severity"], "high");
    assert_eq!(
        stale[0]["message"],
        format!(
            "advisory database {} was last updated 2026-11-18T11:06:40Z, 9d ago, older than the limit of 7d; advisories published since are missing",
            db.display()
        )
    );
    assert_eq!(
        mirror.requests().len(),
        1,
        "a stale database is not refetched"
    );

    // A wider limit: not stale.
    let out = scan(
        &db,
        T0 + 9 * DAY,
        &mirror.base,
        proj.path(),
        &["--db-max-age", "2w"],
    );
    assert!(stale_rule(&common::json(&out.stdout)).is_empty());

    // `vulns`: with nothing else found it still fails (exit 1), naming the age.
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(
        clean.path().join("composer.lock"),
        r#"{"packages": [{"name": "league/flysystem", "version": "1.1.4"}], "packages-dev": []}"#,
    )
    .unwrap();
    let out = vouch(&db, T0 + 9 * DAY)
        .arg("vulns")
        .arg(clean.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    assert!(
        stderr(&out).contains(&format!(
            "error[advisory-db-stale]: advisory database {} was last updated 2026-11-18T11:06:40Z, 9d ago, older than the limit of 7d",
            db.display()
        )),
        "{}",
        stderr(&out)
    );
    let out = vouch(&db, T0 + 6 * DAY)
        .arg("vulns")
        .arg(clean.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let out = vouch(&db, T0 + 9 * DAY)
        .arg("vulns")
        .arg(clean.path())
        .args(["--db-max-age", "yesterday"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("--db-max-age: `yesterday` is not a duration"),
        "{}",
        stderr(&out)
    );
}

/// The gate's reasons as (check, code) pairs.
fn reasons(out: &std::process::Output) -> Vec<(String, String, String)> {
    let v = common::json(&out.stdout);
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_owned(),
                r["code"].as_str().unwrap().to_owned(),
                r["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn gate_fetches_for_the_sbom_on_first_use_and_denies_a_stale_database() {
    let mirror = Mirror::start(exports());
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("osv.sqlite");
    let proj = project();
    let run = |at: i64, args: &[&str]| {
        vouch(&db, at)
            .current_dir(d.path())
            .env("VOUCH_PASSWORD", "test-password") // vouch:allow
            .args(args)
            .output()
            .unwrap()
    };
    common::assert_exit(
        &run(T0, &["key", "generate", "--output-prefix", "release"]),
        0,
    );
    std::fs::create_dir_all(d.path().join("dist")).unwrap();
    std::fs::write(d.path().join("dist/app.bin"), b"the artifact").unwrap();
    let out = vouch(&db, T0)
        .arg("sbom")
        .arg(proj.path())
        .arg("-o")
        .arg(d.path().join("dist/sbom.cdx.json"))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let policy = "[trust]\nkeys = [\"release.pub\"]\n\n[provenance]\nsource = \"https://gitlab.example.com/acme/api\"\n\n[vulnerabilities]\nfail-on = \"high\"\n";
    std::fs::write(d.path().join("gate.toml"), policy).unwrap();
    let gate = |at: i64, extra: &[&str]| {
        let mut args = vec![
            "gate",
            "dist/app.bin",
            "--policy",
            "gate.toml",
            "--format",
            "json",
            "--db-source",
            &mirror.base,
        ];
        args.extend_from_slice(extra);
        run(at, &args)
    };

    // Offline without a database: could not evaluate, nothing fetched.
    let out = gate(T0, &["--offline"]);
    common::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(&format!(
            "error: the policy has [vulnerabilities], but they were not checked: no advisory database at {}, and --offline (VOUCH_OFFLINE) forbids fetching one from {}",
            db.display(),
            mirror.base
        )),
        "{}",
        stderr(&out)
    );
    assert!(mirror.requests().is_empty());

    // First use: the SBOM's ecosystem is fetched; the artifact is unsigned, so the gate denies,
    // but not for the database.
    let out = gate(T0, &[]);
    common::assert_exit(&out, 1);
    assert_eq!(mirror.requests(), vec!["/Packagist/all.zip".to_owned()]);
    assert!(db.is_file());
    assert!(
        !reasons(&out).iter().any(|r| r.1 == "advisory-db-stale"),
        "{:?}",
        reasons(&out)
    );

    // Nine days later: a reason of its own.
    let out = gate(T0 + 9 * DAY, &[]);
    common::assert_exit(&out, 1);
    let stale: Vec<_> = reasons(&out)
        .into_iter()
        .filter(|r| r.1 == "advisory-db-stale")
        .collect();
    assert_eq!(
        stale,
        vec![(
            "vulnerabilities".to_owned(),
            "advisory-db-stale".to_owned(),
            format!(
                "advisory database {} was last updated 2026-11-18T11:06:40Z, 9d ago, older than the limit of 7d; advisories published since are missing",
                db.display()
            )
        )]
    );

    // The policy's limit wins over the default, and allow-stale-db makes it a warning.
    std::fs::write(
        d.path().join("gate.toml"),
        format!("{policy}max-db-age = \"10d\"\n"),
    )
    .unwrap();
    let out = gate(T0 + 9 * DAY, &[]);
    assert!(!reasons(&out).iter().any(|r| r.1 == "advisory-db-stale"));
    std::fs::write(
        d.path().join("gate.toml"),
        format!("{policy}allow-stale-db = true\n"),
    )
    .unwrap();
    let out = gate(T0 + 9 * DAY, &[]);
    common::assert_exit(&out, 1);
    assert!(!reasons(&out).iter().any(|r| r.1 == "advisory-db-stale"));
    assert!(
        stderr(&out).contains("warning[advisory-db-stale]: advisory database "),
        "{}",
        stderr(&out)
    );
    assert_eq!(mirror.requests().len(), 1);
}
