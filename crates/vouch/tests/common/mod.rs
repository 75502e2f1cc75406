//! Shared by the CLI tests (`mod common;`): the `vouch` binary in a hermetic environment, and
//! small file helpers. Each test file uses a subset.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The release-under-test binary with an environment of its own: nothing inherited but `PATH`,
/// `HOME` and `TMPDIR`, so a CI runner's `CI_*`/`GITHUB_*` variables, a developer's `VOUCH_DB`
/// or `SOURCE_DATE_EPOCH` cannot change what a test sees. `SOURCE_DATE_EPOCH` is fixed at
/// 1700000000 (2023-11-14T22:13:20Z); tests that need another time set it again. The advisory
/// source is a closed loopback port (below).
pub fn vouch() -> Command {
    let mut c = Command::cargo_bin("vouch").expect("the vouch binary builds");
    c.env_clear();
    for key in ["PATH", "HOME", "TMPDIR"] {
        if let Some(v) = std::env::var_os(key) {
            c.env(key, v);
        }
    }
    c.env("SOURCE_DATE_EPOCH", "1700000000");
    // No test reaches the internet: with no advisory database, `scan`/`vulns`/`gate` would fetch
    // the OSV export on first use. This source refuses at once (nothing listens on port 9), so a
    // test without a database sees "not checked" whatever the machine's network allows; tests of
    // the fetch itself give their own `--db-source` (the flag wins over the variable).
    c.env("VOUCH_DB_SOURCE", "http://127.0.0.1:9/");
    c
}

/// Writes `text` to `root/rel`, creating parent folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// A temporary folder holding `files` (relative path, contents).
pub fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        write(d.path(), rel, text);
    }
    d
}

/// stdout parsed as JSON, or a panic that shows what was printed.
pub fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// Asserts the exit code, showing the command's stderr when it differs.
pub fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The advisory fixtures of vouch-advisory (`crates/vouch-advisory/tests/fixtures`).
pub fn advisory_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vouch-advisory/tests/fixtures")
}

/// The project the GitLab job of the gate and SARIF tests builds.
pub const PROJECT: &str = "https://gitlab.example.com/acme/api";

/// The `CI_*` variables GitLab sets for a job on a protected branch.
pub fn gitlab_env(git_ref: &str, protected: bool) -> Vec<(&'static str, String)> {
    vec![
        ("GITLAB_CI", "true".into()),
        ("CI_SERVER_URL", "https://gitlab.example.com".into()),
        ("CI_PROJECT_URL", PROJECT.into()),
        (
            "CI_COMMIT_SHA",
            "4f1c2a9e0b7d3c6f8e5a1b2c3d4e5f6a7b8c9d0e".into(),
        ),
        ("CI_COMMIT_REF_NAME", git_ref.into()),
        ("CI_COMMIT_REF_PROTECTED", protected.to_string()),
        ("CI_PIPELINE_ID", "4242".into()),
        ("CI_JOB_ID", "777".into()),
        ("CI_RUNNER_ID", "12".into()),
        ("CI_RUNNER_DESCRIPTION", "shared-runner-1".into()),
        ("CI_CONFIG_PATH", ".gitlab-ci.yml".into()),
        ("CI_JOB_NAME", "build".into()),
    ]
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}
