//! Issue #13, item 5: one walker with one rule set for the inventory, secrets, policy and
//! pinning (docs/walk.md). The same tree gives every capability the same files, in `vouch scan`
//! and in the standalone commands; no ignore file (the repository's, a parent directory's or
//! the user's global git excludes) hides a file, so the result does not depend on the machine.

mod common;

use assert_cmd::Command;
use std::path::Path;

use common::{assert_exit, json, vouch, write};

fn aws_key() -> String {
    format!("AKIA{}", "Z7Q3LNV5R2XKD4PW")
}

/// `outer/repo`, with ignore files everywhere they could hide `deploy/`: the repository's
/// `.gitignore`, its `.ignore` and `.git/info/exclude`, the parent directory's `.gitignore`
/// and a global git excludes file under the fake home the commands run with.
struct Fixture {
    _dir: tempfile::TempDir,
    home: std::path::PathBuf,
    repo: std::path::PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let outer = dir.path().join("outer");
    let repo = outer.join("repo");
    write(
        &home,
        ".config/git/ignore",
        "Dockerfile\nrequirements.txt\n*.yml\n",
    );
    write(
        &home,
        ".gitconfig",
        "[core]\n\texcludesFile = ~/.config/git/ignore\n",
    );
    write(&outer, ".gitignore", "deploy/\n.github/\n");
    write(&repo, ".git/info/exclude", "deploy/\n");
    write(&repo, ".git/HEAD", "ref: refs/heads/main\n");
    write(&repo, ".gitignore", "deploy/\n");
    write(&repo, ".ignore", "deploy/\n");
    write(
        &repo,
        "deploy/Dockerfile",
        &format!("FROM python:latest\nENV K={}\n", aws_key()),
    );
    write(&repo, "deploy/requirements.txt", "requests==2.31.0\n");
    write(
        &repo,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
    );
    Fixture {
        _dir: dir,
        home,
        repo,
    }
}

/// `vouch` with HOME and XDG_CONFIG_HOME in the fixture: a global gitignore there must not
/// change anything.
fn cmd(f: &Fixture) -> Command {
    let mut c = vouch();
    c.env("HOME", &f.home)
        .env("XDG_CONFIG_HOME", f.home.join(".config"));
    c
}

fn finding_paths(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["location"]["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn scan_gives_every_check_the_files_no_ignore_file_hides() {
    let f = fixture();
    let out = cmd(&f)
        .arg("scan")
        .arg(&f.repo)
        .args(["--skip", "vulnerabilities", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    let files: Vec<&str> = v["inventory"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // A workflow is an inventory source too: the actions it uses are components (issue #14).
    assert_eq!(
        files,
        [".github/workflows/ci.yml", "deploy/requirements.txt"]
    );
    let found = finding_paths(&v);
    for (rule, path) in [
        ("aws-access-key-id", "deploy/Dockerfile"),
        ("dockerfile-latest-tag", "deploy/Dockerfile"),
        // the pinning check's `unpinned-reference` folds into the configuration findings of
        // the same references (reported once, issue #14)
        ("dockerfile-base-not-pinned", "deploy/Dockerfile"),
        ("github-action-not-pinned", ".github/workflows/ci.yml"),
    ] {
        assert!(
            found.contains(&(rule.to_owned(), path.to_owned())),
            "{rule} at {path} missing from {found:?}"
        );
    }
    // Every check saw the same tree: secrets read the 5 files on disk outside `.git`.
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(checks[1]["note"], "5 files scanned");
    assert_eq!(
        checks[3]["note"],
        "2 files with references, 2 unpinned reported by the configuration rules"
    );
    for c in &checks[1..] {
        assert_eq!(c["status"], "complete", "{c}");
    }
}

#[test]
fn standalone_commands_walk_the_same_files() {
    let f = fixture();
    let sbom = cmd(&f).arg("sbom").arg(&f.repo).output().unwrap();
    assert_exit(&sbom, 0);
    assert!(String::from_utf8_lossy(&sbom.stdout).contains("pkg:pypi/requests@2.31.0"));

    let secrets = cmd(&f)
        .arg("secrets")
        .arg(&f.repo)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_exit(&secrets, 1);
    let text = String::from_utf8_lossy(&secrets.stdout);
    assert!(text.contains("deploy/Dockerfile"), "{text}");
    assert!(!text.contains(&aws_key()), "never printed unredacted");

    let check = cmd(&f)
        .arg("check")
        .arg(&f.repo)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_exit(&check, 1);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("deploy/Dockerfile"), "{text}");
    assert!(text.contains(".github/workflows/ci.yml"), "{text}");

    let pin = cmd(&f)
        .args(["pin", "--check", "--offline"])
        .arg(&f.repo)
        .output()
        .unwrap();
    assert_exit(&pin, 1);
    let text = String::from_utf8_lossy(&pin.stdout);
    assert!(
        text.contains("deploy/Dockerfile:1: python:latest"),
        "{text}"
    );
    assert!(text.contains(".github/workflows/ci.yml:6"), "{text}");
}

#[test]
fn excludes_leave_the_same_paths_out_of_every_command() {
    let f = fixture();
    let out = cmd(&f)
        .arg("scan")
        .arg(&f.repo)
        .args(["--skip", "vulnerabilities", "--format", "json"])
        .args(["--exclude", "deploy", "--exclude", "*.yml"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(finding_paths(&v), Vec::<(String, String)>::new());
    assert_eq!(v["inventory"]["files"].as_array().unwrap().len(), 0);

    // `vouch secrets --exclude` uses the same (gitignore) syntax: `deploy` at any depth.
    let secrets = cmd(&f)
        .arg("secrets")
        .arg(f.repo.parent().unwrap())
        .args(["--exclude", "deploy"])
        .output()
        .unwrap();
    assert_exit(&secrets, 0);
    let check = cmd(&f)
        .arg("check")
        .arg(&f.repo)
        .args(["--exclude", "deploy/", "--exclude", ".github"])
        .output()
        .unwrap();
    assert_exit(&check, 0);
    let bad = cmd(&f)
        .arg("secrets")
        .arg(&f.repo)
        .args(["--exclude", "a/**{"])
        .output()
        .unwrap();
    assert_exit(&bad, 2);
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("invalid --exclude pattern `a/**{`"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[cfg(unix)]
#[test]
fn links_are_not_followed_by_any_check() {
    let f = fixture();
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "Dockerfile",
        &format!("FROM alpine:latest\nENV K={}\n", aws_key()),
    );
    std::os::unix::fs::symlink(outside.path(), f.repo.join("linked")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("Dockerfile"), f.repo.join("Dockerfile"))
        .unwrap();
    let out = cmd(&f)
        .arg("scan")
        .arg(&f.repo)
        .args(["--skip", "vulnerabilities", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    for (_, path) in finding_paths(&v) {
        assert!(
            path.starts_with("deploy/") || path.starts_with(".github/"),
            "{path}"
        );
    }
    assert!(Path::new(&f.repo.join("linked/Dockerfile")).exists());
}
