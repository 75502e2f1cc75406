//! Shared by the CLI tests (`mod common;`): the `vouch` binary in a hermetic environment, and
//! small file helpers. Each test file uses a subset.
#![allow(dead_code)]

pub mod postgres;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The release-under-test binary with an environment of its own: nothing inherited but `PATH`,
/// `HOME` and `TMPDIR`, so a CI runner's `CI_*`/`GITHUB_*` variables, a developer's `VOUCH_DB`
/// or `SOURCE_DATE_EPOCH` cannot change what a test sees. `SOURCE_DATE_EPOCH` is fixed at
/// 1700000000 (2023-11-14T22:13:20Z); tests that need another time set it again.
pub fn vouch() -> Command {
    let mut c = Command::cargo_bin("vouch").expect("the vouch binary builds");
    c.env_clear();
    for key in ["PATH", "HOME", "TMPDIR"] {
        if let Some(v) = std::env::var_os(key) {
            c.env(key, v);
        }
    }
    c.env("SOURCE_DATE_EPOCH", "1700000000");
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
