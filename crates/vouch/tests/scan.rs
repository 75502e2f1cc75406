//! `vouch scan` as the umbrella: inventory plus every check, one exit code.

use std::path::Path;

mod common;

use assert_cmd::Command;

fn vouch(db: &Path) -> Command {
    let mut cmd = common::vouch();
    cmd.env("VOUCH_DB", db);
    cmd
}

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn clean_tree_without_a_database_says_the_vulnerability_check_did_not_run_and_exits_2() {
    let tree = tempfile::tempdir().unwrap();
    let db = tree.path().join("no-such.sqlite");
    let out = vouch(&db)
        .arg("scan")
        .arg(tree.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    // A check that did not run is never a pass (docs/scan.md, "What was not checked").
    common::assert_exit(&out, 2);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vulns = &v["checks"][0];
    assert_eq!(vulns["check"], "vulnerabilities");
    assert_eq!(vulns["status"], "not checked");
    assert!(
        vulns["note"]
            .as_str()
            .unwrap()
            .contains("no advisory database"),
        "{vulns}"
    );
    assert_eq!(v["checks"][1]["check"], "secrets");
    assert_eq!(v["checks"][2]["check"], "configuration");
}

#[test]
fn findings_of_every_check_make_exit_1() {
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path().join("project");
    // A locked crate with a known advisory, a leaked token, a mutable base image.
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(
        fixtures().join(
            "vouch-inventory/tests/fixtures/cargo/rustsec-fixture.vulnerable-binary.Cargo.lock",
        ),
        root.join("Cargo.lock"),
    )
    .unwrap();
    let token = ["ghp_", "Zq3fK9mW2xV8bN4cT7yH1jL6pR0sD5gA3eUk"].concat();
    common::write(&root, "deploy.env", &format!("GITHUB_TOKEN={token}\n"));
    common::write(
        &root,
        "Dockerfile",
        "FROM python:latest\nRUN pip install flask\n",
    );

    let db = tree.path().join("osv.sqlite");
    let import = vouch(&db)
        .args(["db", "import"])
        .arg(fixtures().join("vouch-advisory/tests/fixtures/advisories/rustsec-crates"))
        .output()
        .unwrap();
    common::assert_exit(&import, 0);

    let out = vouch(&db)
        .arg("scan")
        .arg(&root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(&token), "the secret must be redacted");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, name) in ["vulnerabilities", "secrets", "configuration"]
        .iter()
        .enumerate()
    {
        assert_eq!(v["checks"][i]["check"], *name);
        assert_eq!(v["checks"][i]["status"], "complete");
        assert!(
            v["checks"][i]["findings"].as_u64().unwrap() > 0,
            "{name}: {}",
            v["checks"][i]
        );
    }
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(rules.contains(&"github-pat"), "{rules:?}");
    assert!(rules.iter().any(|r| r.starts_with("RUSTSEC-")), "{rules:?}");
    assert!(rules.iter().any(|r| r.contains("latest")), "{rules:?}");
}

/// A tree whose `fixtures/` holds a planted token, a misconfigured Dockerfile, an unpinned
/// workflow action, an unpinned pre-commit hook (a reference only the pinning check reports),
/// a lockfile and a suspected typosquat (`booto3`); the rest is clean.
fn tree_with_fixtures() -> tempfile::TempDir {
    let token = ["ghp_", "Zq3fK9mW2xV8bN4cT7yH1jL6pR0sD5gA3eUk"].concat();
    common::dir_with(&[
        ("fixtures/deploy.env", &format!("GITHUB_TOKEN={token}\n")),
        ("fixtures/Dockerfile", "FROM python:latest\nRUN true\n"),
        (
            "fixtures/.github/workflows/ci.yml",
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
        ),
        (
            "fixtures/Cargo.lock",
            "version = 3\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        ),
        (
            "fixtures/.pre-commit-config.yaml",
            "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n",
        ),
        ("fixtures/requirements.txt", "booto3==1.34.0\n"),
        ("README.md", "clean\n"),
    ])
}

fn scan_json(root: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let db = root.join("no-such.sqlite");
    let out = vouch(&db)
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--fail-on", "low"])
        // No database here: leave the vulnerability check out explicitly.
        .args(["--skip", "vulnerabilities"])
        .args(extra)
        .output()
        .unwrap();
    (out.status.code().unwrap(), common::json(&out.stdout))
}

#[test]
fn exclude_applies_to_every_check() {
    let tree = tree_with_fixtures();
    let (code, v) = scan_json(tree.path(), &[]);
    assert_eq!(code, 1);
    let counts: Vec<(String, u64)> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "complete")
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_owned(),
                c["findings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(counts.iter().all(|(_, n)| *n > 0), "{counts:?}");
    // smallvec, the workflow's actions/checkout@v4 (CI components, issue #14) and booto3.
    assert_eq!(v["inventory"]["components"], 3);

    // --exclude reaches inventory, secrets, configuration and pinning alike.
    let (code, v) = scan_json(tree.path(), &["--exclude", "fixtures/"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["inventory"]["components"], 0);
    assert_eq!(v["excludes"], serde_json::json!(["fixtures/"]));
}

#[test]
fn scan_toml_excludes_are_added_and_shown() {
    let tree = tree_with_fixtures();
    common::write(
        tree.path(),
        ".vouch/scan.toml",
        "exclude = [\"fixtures/\"]\n",
    );
    let (code, v) = scan_json(tree.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["excludes"], serde_json::json!(["fixtures/"]));

    // --no-scan-config: the repository's excludes do not apply (scanning untrusted changes).
    let (code, v) = scan_json(tree.path(), &["--no-scan-config"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["excludes"], serde_json::json!([]));

    // A key vouch does not know is an error naming the file, never a silently weaker scan.
    common::write(
        tree.path(),
        ".vouch/scan.toml",
        "excludes = [\"fixtures/\"]\n",
    );
    let db = tree.path().join("no-such.sqlite");
    let out = vouch(&db).arg("scan").arg(tree.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: invalid scan configuration\n")
            && stderr.contains(".vouch/scan.toml:1:1: unknown field `excludes`"),
        "{stderr}"
    );
}
