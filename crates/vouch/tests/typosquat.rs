//! The typosquat check from the command line: `vouch scan` exits 1 on a suspected typosquat
//! and names the package it resembles, ignore entries apply, and `vouch db update --popular`
//! downloads newer lists (from a real server on loopback) that the next scan uses.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;

use assert_cmd::Command;

mod common;

fn vouch(db: &Path) -> Command {
    let mut cmd = common::vouch();
    cmd.env("VOUCH_DB", db);
    cmd
}

/// An npm lockfile (v3) of the project `web` with `names` at 1.0.0.
fn lock(names: &[&str]) -> String {
    let mut packages = serde_json::json!({"": {"name": "web", "version": "1.0.0"}});
    for n in names {
        packages[format!("node_modules/{n}")] = serde_json::json!({"version": "1.0.0"});
    }
    serde_json::json!({"name": "web", "version": "1.0.0", "lockfileVersion": 3, "packages": packages})
        .to_string()
}

fn scan(db: &Path, dir: &Path) -> std::process::Output {
    vouch(db)
        .args(["scan", "--skip", "vulnerabilities", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap()
}

fn typosquats(v: &serde_json::Value) -> Vec<(String, String, bool)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "packages-typosquat")
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
                f.get("suppressed").is_some(),
            )
        })
        .collect()
}

#[test]
fn a_typosquat_in_a_lockfile_is_exit_1_naming_the_package_it_resembles() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("data/osv.sqlite");
    let d = common::dir_with(&[
        ("requirements.txt", "requests==2.31.0\nbooto3==1.34.0\n"),
        ("web/package-lock.json", &lock(&["lodash", "lodash-js"])),
    ]);
    let out = scan(&db, d.path());
    common::assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    assert_eq!(
        typosquats(&v),
        [
            (
                "requirements.txt".to_owned(),
                "PyPI package `booto3` resembles the popular package `boto3` (edit distance 1): a suspected typosquat".to_owned(),
                false
            ),
            (
                "web/package-lock.json".to_owned(),
                "npm package `lodash-js` resembles the popular package `lodash` (adds or drops `-js`): a suspected typosquat".to_owned(),
                false
            ),
        ]
    );
    let check = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "typosquats")
        .unwrap();
    assert_eq!(check["status"], "complete");
    assert_eq!(check["findings"], 2);
    assert!(
        check["note"]
            .as_str()
            .unwrap()
            .contains("npm 2025-12-04 (15113), PyPI 2026-06-16 (15000)"),
        "{check}"
    );

    // The ignore file's rule entries apply; the run then passes.
    common::write(
        d.path(),
        ".vouch/ignore.toml",
        "[[ignore]]\nrule = \"packages-typosquat\"\nreason = \"internal names\"\nexpires = 2030-01-01\n",
    );
    let out = scan(&db, d.path());
    common::assert_exit(&out, 0);
    let v = common::json(&out.stdout);
    assert!(typosquats(&v).iter().all(|(_, _, s)| *s), "{v}");

    // --skip typosquats: reported as skipped, never as clean.
    std::fs::remove_file(d.path().join(".vouch/ignore.toml")).unwrap();
    let out = vouch(&db)
        .args(["scan", "--skip", "vulnerabilities", "--skip", "typosquats"])
        .args(["--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let v = common::json(&out.stdout);
    let check = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "typosquats")
        .unwrap();
    assert_eq!(check["status"], "skipped");
}

#[test]
fn a_downloaded_list_that_cannot_be_parsed_stops_the_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    common::write(
        tmp.path(),
        "popular/pypi.txt",
        "# date: 2099-01-01\nrequests\n",
    );
    let d = common::dir_with(&[("requirements.txt", "requests==2.31.0\n")]);
    let out = scan(&db, d.path());
    common::assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "popular list {}: no `# source:` line",
            tmp.path().join("popular/pypi.txt").display()
        )),
        "{stderr}"
    );
}

/// Serves `bodies` by path on loopback, one connection each, then stops.
fn serve(bodies: Vec<(&'static str, Vec<u8>)>) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let n = bodies.len();
    let handle = std::thread::spawn(move || {
        let mut asked = Vec::new();
        for _ in 0..n {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let got = stream.read(&mut buf).unwrap();
                if got == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..got]);
            }
            let line = String::from_utf8_lossy(&req)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
            let body = bodies
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, b)| b.clone())
                .unwrap_or_default();
            stream
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                )
                .unwrap();
            stream.write_all(&body).unwrap();
            asked.push(line);
        }
        asked
    });
    (addr, handle)
}

#[test]
fn db_update_popular_writes_newer_lists_that_the_scan_then_uses() {
    let pypi = br#"{"last_update":"2099-01-01 06:00:00","rows":[{"download_count":9,"project":"booto3"},{"download_count":8,"project":"boto3"}]}"#.to_vec();
    let npm = b"export const topDownload = [\n  'lodash',\n  'lodash-js'\n]\n".to_vec();
    let (addr, server) = serve(vec![("/top.json", pypi), ("/top-download.js", npm)]);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let out = vouch(&db)
        .env("SOURCE_DATE_EPOCH", "4070908800") // 2099-01-01
        .args(["db", "update", "--popular"])
        .args(["--popular-pypi-url", &format!("http://{addr}/top.json")])
        .args([
            "--popular-npm-url",
            &format!("http://{addr}/top-download.js"),
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert_eq!(
        server.join().unwrap(),
        ["GET /top.json HTTP/1.1", "GET /top-download.js HTTP/1.1"]
    );
    let written = std::fs::read_to_string(tmp.path().join("popular/pypi.txt")).unwrap();
    assert_eq!(
        written,
        format!(
            "# vouch popular packages: PyPI, in rank order\n# source: http://{addr}/top.json\n# date: 2099-01-01\nbooto3\nboto3\n"
        )
    );
    let npm = std::fs::read_to_string(tmp.path().join("popular/npm.txt")).unwrap();
    assert!(
        npm.contains("# date: 2099-01-01\nlodash\nlodash-js\n"),
        "{npm}"
    );

    // The downloaded lists are newer than the shipped ones: both names are now popular.
    let d = common::dir_with(&[
        ("requirements.txt", "booto3==1.34.0\n"),
        ("package-lock.json", &lock(&["lodash-js"])),
    ]);
    let out = scan(&db, d.path());
    common::assert_exit(&out, 0);
    let v = common::json(&out.stdout);
    assert_eq!(typosquats(&v), []);
    let note = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "typosquats")
        .unwrap()["note"]
        .clone();
    assert!(
        note.as_str()
            .unwrap()
            .contains("npm 2099-01-01 (2), PyPI 2099-01-01 (2)"),
        "{note}"
    );
}
