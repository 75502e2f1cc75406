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
fn clean_tree_passes_and_says_the_vulnerability_check_did_not_run() {
    let tree = tempfile::tempdir().unwrap();
    let db = tree.path().join("no-such.sqlite");
    let out = vouch(&db)
        .arg("scan")
        .arg(tree.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vulns = &v["checks"][0];
    assert_eq!(vulns["check"], "vulnerabilities");
    assert_eq!(vulns["ran"], false);
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
    assert_eq!(
        import.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );

    let out = vouch(&db)
        .arg("scan")
        .arg(&root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(&token), "the secret must be redacted");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, name) in ["vulnerabilities", "secrets", "configuration"]
        .iter()
        .enumerate()
    {
        assert_eq!(v["checks"][i]["check"], *name);
        assert_eq!(v["checks"][i]["ran"], true);
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
