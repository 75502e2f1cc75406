//! `vouch db` and `vouch vulns` end to end: import, status, matching a real composer.lock,
//! suppression, exit codes, and `db update` against a loopback HTTP server.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn vouch(db: &Path) -> Command {
    let mut cmd = common::vouch();
    cmd.env("VOUCH_DB", db)
        .env("SOURCE_DATE_EPOCH", "1795000000");
    cmd
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::advisory_fixtures()
            .join("lockfiles/osv-scanner-fixture.locks-many-with-insecure.composer.lock"),
        dir.path().join("composer.lock"),
    )
    .unwrap();
    dir
}

#[test]
fn import_status_and_vulns() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db/osv.sqlite");
    let out = vouch(&db)
        .args(["db", "import"])
        .arg(common::advisory_fixtures().join("packagist"))
        .arg(common::advisory_fixtures().join("advisories/ghsa-sample"))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);

    let out = vouch(&db)
        .args(["db", "status", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["advisories"], 12); // 11 GHSA samples + 1 Packagist record
    assert_eq!(status["ecosystems"]["Packagist"], 1);
    let digest = status["digest"].as_str().unwrap().to_owned();

    let proj = project();
    let out = vouch(&db)
        .arg("vulns")
        .arg(proj.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["database"]["digest"], Value::String(digest));
    assert_eq!(report["findings"][0]["rule_id"], "GHSA-9f46-5r25-5wfm");
    assert_eq!(report["findings"][0]["location"]["path"], "composer.lock");

    // A critical finding fails even at --fail-on critical; a missing SBOM cannot be evaluated.
    let out = vouch(&db)
        .arg("vulns")
        .arg(proj.path())
        .args(["--fail-on", "critical"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let ok = vouch(&db)
        .args(["vulns", "--sbom"])
        .arg(common::advisory_fixtures().join("none.json"))
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(2));

    // An ignore file suppresses it until it expires (SOURCE_DATE_EPOCH 1795000000 = 2026-11-18).
    std::fs::create_dir_all(proj.path().join(".vouch")).unwrap();
    std::fs::write(
        proj.path().join(".vouch/ignore.toml"),
        "[[ignore]]\nid = \"CVE-2021-32708\"\nreason = \"no user-controlled paths\"\nexpires = 2026-12-31\n",
    )
    .unwrap();
    let out = vouch(&db).arg("vulns").arg(proj.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("suppressed by ignore-file"), "{text}");

    std::fs::write(
        proj.path().join(".vouch/ignore.toml"),
        "[[ignore]]\nid = \"CVE-2021-32708\"\nreason = \"no user-controlled paths\"\nexpires = 2026-01-31\n",
    )
    .unwrap();
    let out = vouch(&db).arg("vulns").arg(proj.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expired on 2026-01-31"));
}

#[test]
fn missing_database_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = project();
    // Offline: without it a first use would fetch the Packagist export (tests/db_first_use.rs).
    let out = vouch(&tmp.path().join("none.sqlite"))
        .arg("vulns")
        .arg(proj.path())
        .arg("--offline")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no advisory database at"));
}

/// Serves `body` for GET /Packagist/all.zip and 404 otherwise, for `n` requests, on loopback.
fn serve(body: Vec<u8>, n: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut paths = Vec::new();
        for stream in listener.incoming().take(n) {
            let mut stream = stream.unwrap();
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
            }
            let line = String::from_utf8_lossy(&req)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
            let (status, payload) = if path == "/Packagist/all.zip" {
                ("200 OK", body.clone())
            } else {
                ("404 Not Found", Vec::new())
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                payload.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&payload).unwrap();
            paths.push(path);
        }
        paths
    });
    (base, handle)
}

#[test]
fn db_update_downloads_from_a_loopback_server() {
    let ghsa =
        std::fs::read(common::advisory_fixtures().join("packagist/GHSA-9f46-5r25-5wfm.json"))
            .unwrap();
    let body = vouch_test::zip_of(&[("GHSA-9f46-5r25-5wfm.json", &ghsa)]);
    let (base, server) = serve(body, 2);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let out = vouch(&db)
        .args(["db", "update", "--ecosystem", "Packagist", "--url", &base])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let out = vouch(&db)
        .args(["db", "status", "--format", "json"])
        .output()
        .unwrap();
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["ecosystems"]["Packagist"], 1);

    // An ecosystem the server does not have: exit 2, database unchanged.
    let out = vouch(&db)
        .args(["db", "update", "--ecosystem", "npm", "--url", &base])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("answered 404"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        server.join().unwrap(),
        vec!["/Packagist/all.zip".to_string(), "/npm/all.zip".to_string()]
    );
}
