//! `vouch secrets` precision end to end (issue #14): `--git` reports only matches that lie in
//! real content of one version of a file (vite's yarn.lock, committed in a temp repository
//! with the git CLI), and generic rules drop the placeholder values of real repositories
//! (the labelled lines of crates/vouch-secrets/tests/fixtures/generic). Secrets are assembled
//! at run time so this file holds none.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_exit, json, vouch};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets-precision")
}

fn git(dir: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git is required for this test (scripts/test-setup.d/secrets.sh)");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn head(dir: &Path) -> String {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn commit_file(dir: &Path, rel: &str, bytes: &[u8], message: &str, date: &str) -> String {
    std::fs::write(dir.join(rel), bytes).unwrap();
    git(dir, &["add", rel], date);
    git(dir, &["commit", "-qm", message], date);
    head(dir)
}

fn github_token() -> String {
    format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke")
}

/// `(rule, path, line, commit)` of each finding of `vouch secrets --git` in `dir`.
fn git_findings(dir: &Path) -> (i32, Vec<(String, String, u64, String)>) {
    let out = vouch()
        .args(["secrets", "--git", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out.stdout);
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
                f["properties"]["commit"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    (code, findings)
}

/// vite's yarn.lock at 820c2cf, then at 33488fe: the new `integrity` hash on line 86 holds
/// `pwd`, and with the unchanged lines between it and `"@vue/runtime-core"` removed the two
/// joined into a `generic-password` match that is in neither version. No finding; a real
/// secret committed later is found once, at the commit that added it.
#[test]
fn git_history_of_vite_yarn_lock_has_no_finding_and_a_later_secret_is_found_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"], "2020-04-20T09:00:00Z");
    let v1 = std::fs::read(fixtures().join("vite-yarn-lock/yarn.lock.1-820c2cf")).unwrap();
    let v2 = std::fs::read(fixtures().join("vite-yarn-lock/yarn.lock.2-33488fe")).unwrap();
    commit_file(root, "yarn.lock", &v1, "deps", "2020-04-20T09:00:00Z");
    commit_file(
        root,
        "yarn.lock",
        &v2,
        "module rewrite",
        "2020-04-20T09:32:52Z",
    );

    let (code, findings) = git_findings(root);
    assert_eq!(findings, [], "matches in no version of yarn.lock");
    assert_eq!(code, 0);

    // a real secret added in a later commit, then an unrelated edit of the same file
    let added = commit_file(
        root,
        "deploy.env",
        format!("REGION=eu-west-1\nGITHUB_TOKEN={}\n", github_token()).as_bytes(),
        "deploy settings",
        "2020-04-21T10:00:00Z",
    );
    commit_file(
        root,
        "deploy.env",
        format!("REGION=eu-central-1\nGITHUB_TOKEN={}\n", github_token()).as_bytes(),
        "move region",
        "2020-04-22T10:00:00Z",
    );
    let (code, findings) = git_findings(root);
    assert_eq!(
        findings,
        [(
            "github-pat".to_owned(),
            "deploy.env".to_owned(),
            2,
            added.clone()
        )]
    );
    assert_eq!(code, 1);
}

/// The mechanism on its own, for a rule whose separators may cross lines
/// (`aws-secret-access-key`: `\s*` around `:`): in the new version an unchanged line sits
/// between the key name and a 40-character value, so no version holds the match. Adding the
/// value right under the key name later is found, at that commit.
#[test]
fn git_match_must_lie_in_one_version() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"], "2024-01-01T00:00:00Z");
    let value = format!("{}{}", "HZtMyi3KcVQzixWSis4R", "cj4txCgvPqnAh40fjiQK");
    commit_file(
        root,
        "aws.yaml",
        b"profile:\n  region: eu-west-1\n",
        "one",
        "2024-01-01T00:00:00Z",
    );
    // the key name and the value are added around the unchanged `region` line
    commit_file(
        root,
        "aws.yaml",
        format!("aws_secret_access_key:\n  region: eu-west-1\n{value}\n").as_bytes(),
        "two",
        "2024-01-02T00:00:00Z",
    );
    let (code, findings) = git_findings(root);
    assert_eq!(findings, [], "the match spans a line of the old version");
    assert_eq!(code, 0);

    let added = commit_file(
        root,
        "aws.yaml",
        format!("aws_secret_access_key:\n{value}\n  region: eu-west-1\n").as_bytes(),
        "three",
        "2024-01-03T00:00:00Z",
    );
    let (code, findings) = git_findings(root);
    assert_eq!(
        findings,
        [(
            "aws-secret-access-key".to_owned(),
            "aws.yaml".to_owned(),
            2,
            added
        )]
    );
    assert_eq!(code, 1);
}

/// The working-tree scan of the labelled real placeholder lines (gitlab-runner, trivy,
/// pydantic) reports nothing and exits 0; the same folder with one real-shaped password
/// assignment added reports exactly that line and exits 1.
#[test]
fn real_placeholder_lines_are_not_reported() {
    let generic =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vouch-secrets/tests/fixtures/generic");
    let out = vouch()
        .args(["secrets", "--format", "json"])
        .arg(&generic)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(json(&out.stdout)["findings"], serde_json::json!([]));

    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(generic.join("gitlab-runner/config.toml.example.txt"))
        .unwrap()
        .replace(
            "production-server-password",
            &format!("{}{}", "uKcgxafXC1", "lnNiQh"),
        );
    std::fs::write(dir.path().join("config.toml"), text).unwrap();
    let out = vouch()
        .args(["secrets", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let report = json(&out.stdout);
    let found: Vec<(&str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [("generic-password", 1)]);
}
