//! `vouch serve` end to end: a store filled by `vouch fleet add` from real SBOMs, the dashboard
//! started by the binary on loopback, its JSON answers compared with `vouch fleet … --format
//! json`, a graceful stop on SIGTERM, and the start-up errors (exit 2, the token never shown).

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{assert_exit, json, vouch};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vouch-server/tests/fixtures/fleet")
        .join(rel)
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
fn serve_answers_as_the_cli_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("fleet.sqlite");
    for (name, rel) in [
        ("app", "sboms/trivy-fs.cdx.json"),
        ("js", "sboms/cdxgen-js.cdx.json"),
    ] {
        let out = fleet(
            &store,
            &["add", fixture(rel).to_str().unwrap(), "--name", name],
        );
        assert_exit(&out, 0);
    }
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "serve-test-token-0123456789\n").unwrap(); // vouch:allow
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("vouch"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["serve", "--listen", "127.0.0.1:0", "--store"])
        .arg(&store)
        .arg("--ingest-token-file")
        .arg(&token_file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(
        line.ends_with("; ingest enabled (POST /api/sbom, /api/events)\n"),
        "{line}"
    );
    assert!(!line.contains("serve-test-token"));
    let base = line
        .strip_prefix("vouch serve: ")
        .and_then(|l| l.split(' ').next())
        .unwrap()
        .to_owned();
    let get = |path: &str| {
        let r = reqwest::blocking::get(format!("{base}{path}")).unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        json(&r.bytes().unwrap())
    };
    let same = |path: &str, cli: &[&str]| {
        let out = fleet(&store, cli);
        assert_exit(&out, 0);
        assert_eq!(get(path), json(&out.stdout), "{path}");
    };
    same("/api/artifacts", &["artifacts", "--format", "json"]);
    same("/api/artifacts/js", &["show", "js", "--format", "json"]);
    same(
        "/api/query?q=pkg%3Anpm%2Fdebug",
        &["query", "pkg:npm/debug", "--format", "json"],
    );
    same(
        "/api/history?subject=pkg%3Anpm%2Fms",
        &["history", "pkg:npm/ms", "--format", "json"],
    );
    let hits = get("/api/query?q=pkg%3Anpm%2Fdebug")["hits"].clone();
    let names: std::collections::BTreeSet<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["artifact"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["app", "js"].into());

    // SIGTERM: a graceful stop, exit 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn start_up_errors_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("fleet.sqlite");
    let short = dir.path().join("short");
    std::fs::write(&short, "tiny-secret\n").unwrap();
    let out = vouch()
        .args(["serve", "--listen", "127.0.0.1:0", "--store"])
        .arg(&store)
        .arg("--ingest-token-file")
        .arg(&short)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "the ingest token from --ingest-token-file {} has 11 characters, fewer than the 16 required",
            short.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("tiny-secret"));

    let out = vouch()
        .args(["serve", "--listen", "127.0.0.1:0", "--store"])
        .arg(&store)
        .arg("--db")
        .arg(dir.path().join("missing.sqlite"))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot use the advisory database"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let slo = dir.path().join("slo.yaml");
    std::fs::write(&slo, "slos: [{name: x}]\n").unwrap();
    let out = vouch()
        .args(["serve", "--listen", "127.0.0.1:0", "--store"])
        .arg(&store)
        .arg("--slo")
        .arg(&slo)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error[slo-spec-invalid]: SLO file "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
