//! One `--format` enum for the finding commands (issue #13 item 6): each command accepts the
//! formats it can write, names exactly those when given another, and `--help` lists them.

mod common;

fn refused(args: &[&str], possible: &str) {
    let out = common::vouch().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("[possible values: {possible}]")),
        "{args:?}: {err}"
    );
    assert!(out.stdout.is_empty(), "{args:?}");
}

#[test]
fn each_command_accepts_exactly_the_formats_it_writes() {
    refused(&["scan", "--format", "gitlab", "."], "table, json, sarif");
    refused(
        &["check", "--format", "cyclonedx", "."],
        "table, json, sarif, gitlab",
    );
    refused(
        &["secrets", "--format", "cyclonedx", "."],
        "table, json, sarif, gitlab",
    );
    refused(
        &["vulns", "--format", "spdx", "."],
        "table, json, sarif, cyclonedx, gitlab",
    );
}

#[test]
fn a_shared_format_renders_the_same_way_in_every_command() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    for cmd in ["check", "secrets", "scan"] {
        let out = common::vouch()
            .args([cmd, "--format", "sarif"])
            .arg(d.path())
            .output()
            .unwrap();
        let log: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{cmd}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(log["version"], "2.1.0", "{cmd}");
        assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "vouch", "{cmd}");
    }
}
