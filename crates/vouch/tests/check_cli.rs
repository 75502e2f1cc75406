//! `vouch check` end to end: exit codes, formats, --print-input.

use assert_cmd::Command;

mod common;

fn vouch() -> Command {
    let mut c = common::vouch();
    c.env_remove("SOURCE_DATE_EPOCH")
        .arg("check")
        .arg("--today")
        .arg("2026-11-22");
    c
}

const PINNED: &str = "FROM alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nUSER app\n";

#[test]
fn clean_tree_exits_0() {
    let d = common::dir_with(&[("Dockerfile", PINNED)]);
    vouch().arg(d.path()).assert().code(0);
}

#[test]
fn findings_at_threshold_exit_1_and_below_exit_0() {
    let d = common::dir_with(&[("Dockerfile", "FROM alpine:latest\nUSER app\n")]);
    vouch().arg(d.path()).assert().code(1);
    vouch()
        .arg(d.path())
        .args(["--fail-on", "critical"])
        .assert()
        .code(0);
}

#[test]
fn unreadable_file_exits_2_but_others_are_reported() {
    let d = common::dir_with(&[("Dockerfile", PINNED), (".gitlab-ci.yml", "a: [\n")]);
    let out = vouch()
        .arg(d.path())
        .args(["--format", "json"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("could not check .gitlab-ci.yml"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"].as_array().unwrap().is_empty());
}

#[test]
fn formats_render() {
    let d = common::dir_with(&[("Dockerfile", "FROM alpine:latest\nUSER app\n")]);
    for (fmt, needle) in [
        ("sarif", "\"version\": \"2.1.0\""),
        ("gitlab", "\"check_name\""),
        ("json", "\"rule_id\""),
    ] {
        let out = vouch()
            .arg(d.path())
            .args(["--format", fmt])
            .output()
            .unwrap();
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(s.contains(needle), "{fmt}: {s}");
        assert!(s.contains("dockerfile-latest-tag"), "{fmt}");
    }
}

#[test]
fn print_input_shows_the_normalised_document() {
    let d = common::dir_with(&[(
        ".gitlab-ci.yml",
        "build:\n  image: node:22\n  script: [make]\n",
    )]);
    let out = vouch()
        .arg("--print-input")
        .arg(d.path().join(".gitlab-ci.yml"))
        .assert()
        .code(0)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ci"]["jobs"][0]["image"], "node:22");
    assert_eq!(v["ci"]["jobs"][0]["image_line"], 2);
}

#[test]
fn exclude_skips_walked_files_but_not_named_ones() {
    let d = common::dir_with(&[
        ("Dockerfile", PINNED),
        ("broken/.gitlab-ci.yml", "a: [\n"),
        ("legacy/Dockerfile", "FROM python:latest\n"),
    ]);
    // Without --exclude: findings in legacy/, and broken/ could not be checked: exit 2 (an
    // incomplete run), the findings still printed.
    let out = vouch().arg(d.path()).assert().code(2).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("could not check broken/.gitlab-ci.yml"),
        "{stderr}"
    );
    vouch()
        .arg(d.path())
        .args(["--exclude", "broken/", "--exclude", "legacy"])
        .assert()
        .code(0);
    // A file named on the command line is checked even when a glob matches it.
    vouch()
        .arg(d.path().join("legacy/Dockerfile"))
        .args(["--exclude", "legacy"])
        .assert()
        .code(1);
    // A bad glob is exit 2 naming it.
    let out = vouch()
        .arg(d.path())
        .args(["--exclude", "a/**/[z"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("invalid --exclude pattern: `a/**/[z`"),
        "{stderr}"
    );
}
