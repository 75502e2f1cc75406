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
    refused(
        &["scan", "--format", "gitlab", "."],
        "table, json, sarif, lines",
    );
    refused(
        &["check", "--format", "cyclonedx", "."],
        "table, json, sarif, gitlab, lines",
    );
    refused(
        &["secrets", "--format", "cyclonedx", "."],
        "table, json, sarif, gitlab, lines",
    );
    refused(
        &["vulns", "--format", "spdx", "."],
        "table, json, sarif, cyclonedx, gitlab",
    );
    refused(
        &["vulns", "--format", "lines", "."],
        "table, json, sarif, cyclonedx, gitlab",
    );
    refused(
        &["pin", "--check", "--format", "table", "."],
        "lines, json, sarif",
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

#[test]
fn lines_are_the_same_shape_for_check_and_pin_check() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("Dockerfile"), "FROM alpine:3.20\nUSER app\n").unwrap();
    let check = common::vouch()
        .args(["check", "--format", "lines"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(check.stdout).unwrap(),
        "Dockerfile:1: [dockerfile-base-not-pinned]: base image \"alpine:3.20\" is not pinned by digest\n"
    );
    let pin = common::vouch()
        .args(["pin", "--check", "--offline"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(pin.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(pin.stdout).unwrap(),
        "Dockerfile:1: alpine:3.20[unpinned-reference]: image `alpine:3.20` is referenced by tag; a tag can be moved to other content\n"
    );
    let sarif = common::vouch()
        .args(["pin", "--check", "--offline", "--format", "sarif"])
        .arg(d.path())
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "unpinned-reference");
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
}
