//! Secrets never leave through a side door (issue #12 §1): credentials in URLs are redacted
//! (`https://***@host/…`) in every output format, and control characters from file names or
//! content are escaped (`\x1b[31m`) before they reach a terminal.
//!
//! Each test builds a tree whose URLs carry a distinct token, asserts the exact redacted text,
//! and asserts that no token appears anywhere on stdout or stderr.

use std::process::Output;

mod common;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Every credential planted in the trees below; none may be printed or written.
const TOKENS: &[&str] = &[
    "pipTOKEN1",
    "dlTOKEN2",
    "shTOKEN3",
    "glTOKEN4",
    "npmTOKEN5",
    "cmpTOKEN6",
    "pipuser",
    "npmuser",
];

fn assert_no_token(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        for t in TOKENS {
            assert!(!text.contains(t), "`{t}` leaked:\n{text}");
        }
    }
}

fn config_tree() -> tempfile::TempDir {
    common::dir_with(&[
        (
            "pip.conf",
            "[global]\nextra-index-url = https://pipuser:pipTOKEN1@pypi.internal.example/simple\n",
        ),
        (
            "Dockerfile",
            &format!(
                "FROM alpine:3.20@{DIGEST}\nUSER app\n\
                 ADD https://dl:dlTOKEN2@files.example/app.tgz /app.tgz\n\
                 RUN curl -fsSL https://sh:shTOKEN3@get.example/install.sh | sh\n"
            ),
        ),
        (
            ".gitlab-ci.yml",
            &format!(
                "include:\n  - remote: https://ci:glTOKEN4@gitlab.example/tpl.yml\n\
                 build:\n  image: alpine@{DIGEST}\n  script: [make]\n"
            ),
        ),
    ])
}

const PIP_MESSAGE: &str = "extra index https://***@pypi.internal.example/simple is searched \
                           beside the default index, so a public package can shadow a private one";
const ADD_MESSAGE: &str = "ADD fetches https://***@files.example/app.tgz without --checksum";
const INCLUDE_MESSAGE: &str =
    "remote include \"https://***@gitlab.example/tpl.yml\" has no integrity hash";

fn check(root: &std::path::Path, format: &str) -> Output {
    let out = common::vouch()
        .args(["check", "--today", "2026-11-22", "--format", format])
        .arg(root)
        .output()
        .expect("vouch runs");
    common::assert_exit(&out, 1);
    assert_no_token(&out);
    out
}

#[test]
fn check_json_redacts_url_credentials_in_rule_messages() {
    let tree = config_tree();
    let out = check(tree.path(), "json");
    let v = common::json(&out.stdout);
    let messages: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    for want in [PIP_MESSAGE, ADD_MESSAGE, INCLUDE_MESSAGE] {
        assert!(messages.contains(&want), "{want}\nnot in {messages:#?}");
    }
}

#[test]
fn check_sarif_redacts_url_credentials_in_rule_messages() {
    let tree = config_tree();
    let out = check(tree.path(), "sarif");
    let v = common::json(&out.stdout);
    let messages: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    for want in [PIP_MESSAGE, ADD_MESSAGE, INCLUDE_MESSAGE] {
        assert!(messages.contains(&want), "{want}\nnot in {messages:#?}");
    }
}

#[test]
fn check_gitlab_redacts_url_credentials_in_rule_messages() {
    let tree = config_tree();
    let out = check(tree.path(), "gitlab");
    let v = common::json(&out.stdout);
    let descriptions: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["description"].as_str().unwrap())
        .collect();
    for want in [
        format!("packages-dependency-confusion: {PIP_MESSAGE}"),
        format!("dockerfile-add-remote-url: {ADD_MESSAGE}"),
    ] {
        assert!(
            descriptions.contains(&want.as_str()),
            "{want}\nnot in {descriptions:#?}"
        );
    }
}

#[test]
fn check_table_redacts_url_credentials_in_rule_messages() {
    let tree = config_tree();
    let out = check(tree.path(), "table");
    let table = String::from_utf8(out.stdout).unwrap();
    for want in [
        "https://***@pypi.internal.example/simple",
        "https://***@files.example/app.tgz",
        "https://***@gitlab.example/tpl.yml",
    ] {
        assert!(table.contains(want), "{want} not in\n{table}");
    }
}

#[test]
fn print_input_redacts_url_credentials() {
    let tree = config_tree();
    let out = common::vouch()
        .args(["check", "--print-input"])
        .arg(tree.path().join("pip.conf"))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert_no_token(&out);
    let v = common::json(&out.stdout);
    assert_eq!(
        v["registry"]["sources"][0]["url"],
        "https://***@pypi.internal.example/simple"
    );
}

#[test]
fn clean_urls_are_unchanged() {
    let tree = common::dir_with(&[(
        "pip.conf",
        "[global]\nextra-index-url = https://pypi.internal.example/simple?v=1\n",
    )]);
    let out = common::vouch()
        .args(["check", "--today", "2026-11-22", "--format", "json"])
        .arg(tree.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    assert_eq!(
        v["findings"][0]["message"],
        "extra index https://pypi.internal.example/simple?v=1 is searched beside the default \
         index, so a public package can shadow a private one"
    );
}

fn lockfile_tree() -> tempfile::TempDir {
    common::dir_with(&[
        (
            "package-lock.json",
            r#"{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": { "name": "app", "version": "1.0.0", "dependencies": { "left-pad": "1.3.0" } },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://npmuser:npmTOKEN5@registry.example/left-pad/-/left-pad-1.3.0.tgz?token=npmTOKEN5"
    }
  }
}
"#,
        ),
        (
            "composer.lock",
            r#"{
  "packages": [
    {
      "name": "acme/lib",
      "version": "1.2.0",
      "dist": { "type": "zip", "url": "https://composer:cmpTOKEN6@repo.example/dists/acme-lib-1.2.0.zip" }
    }
  ],
  "packages-dev": []
}
"#,
        ),
    ])
}

const NPM_URL: &str = "https://***@registry.example/left-pad/-/left-pad-1.3.0.tgz?token=***";
const COMPOSER_URL: &str = "https://***@repo.example/dists/acme-lib-1.2.0.zip";

fn sbom(root: &std::path::Path, format: &str) -> serde_json::Value {
    let out = common::vouch()
        .args(["sbom", "--format", format])
        .arg(root)
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert_no_token(&out);
    common::json(&out.stdout)
}

#[test]
fn cyclonedx_external_references_drop_userinfo() {
    let tree = lockfile_tree();
    let cdx = sbom(tree.path(), "cyclonedx-json");
    let url_of = |name: &str| {
        cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {cdx}"))["externalReferences"][0]["url"]
            .clone()
    };
    assert_eq!(url_of("left-pad"), NPM_URL);
    assert_eq!(url_of("acme/lib"), COMPOSER_URL);
}

#[test]
fn spdx_download_location_drops_userinfo() {
    let tree = lockfile_tree();
    let spdx = sbom(tree.path(), "spdx-json");
    let location_of = |name: &str| {
        spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {spdx}"))["downloadLocation"]
            .clone()
    };
    assert_eq!(location_of("left-pad"), NPM_URL);
    assert_eq!(location_of("acme/lib"), COMPOSER_URL);
}

#[test]
fn pin_check_redacts_url_credentials() {
    let tree = config_tree();
    let out = common::vouch()
        .args(["pin", "--check", "--offline"])
        .arg(tree.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    assert_no_token(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            ".gitlab-ci.yml:2: https://***@gitlab.example/tpl.yml[unpinned-reference]: \
             `https://***@gitlab.example/tpl.yml` is mutable: a remote include"
        ),
        "{stdout}"
    );
}

#[test]
fn scan_redacts_url_credentials_in_every_check() {
    let mut files: Vec<(String, String)> = Vec::new();
    for tree in [config_tree(), lockfile_tree()] {
        for entry in std::fs::read_dir(tree.path()).unwrap() {
            let entry = entry.unwrap();
            files.push((
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(entry.path()).unwrap(),
            ));
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let tree = common::dir_with(&refs);
    let db = tree.path().join("no-such.sqlite");
    for format in ["json", "table", "sarif"] {
        let out = common::vouch()
            .env("VOUCH_DB", &db)
            .args(["scan", "--format", format])
            .arg(tree.path())
            .output()
            .unwrap();
        assert_no_token(&out);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("https://***@pypi.internal.example/simple"),
            "{format}: {stdout}"
        );
    }
}

/// A directory whose name carries `ESC [ 31 m` (and a right-to-left override).
const EVIL_DIR: &str = "evil\x1b[31m\u{202e}dir";
const EVIL_SHOWN: &str = "evil\\x1b[31m\\u{202e}dir";

#[test]
fn file_names_with_escape_sequences_are_escaped_in_the_table() {
    let tree = common::dir_with(&[(
        &format!("{EVIL_DIR}/Dockerfile"),
        "FROM alpine:latest\nUSER app\n",
    )]);
    let out = common::vouch()
        .args(["check", "--today", "2026-11-22"])
        .arg(tree.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("{EVIL_SHOWN}/Dockerfile:1")),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b') && !stdout.contains('\u{202e}'));

    // JSON keeps the real path (serde escapes the control character itself).
    let out = common::vouch()
        .args(["check", "--today", "2026-11-22", "--format", "json"])
        .arg(tree.path())
        .output()
        .unwrap();
    let v = common::json(&out.stdout);
    assert_eq!(
        v["findings"][0]["location"]["path"],
        format!("{EVIL_DIR}/Dockerfile")
    );
}

#[test]
fn warnings_with_escape_sequences_are_escaped_on_stderr() {
    let tree = common::dir_with(&[(
        &format!("{EVIL_DIR}/package-lock.json"),
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n",
    )]);
    let out = common::vouch()
        .arg("sbom")
        .arg(tree.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("warning: {EVIL_SHOWN}/package-lock.json:4:")),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b') && !stderr.contains('\u{202e}'));
}

#[test]
fn errors_with_escape_sequences_are_escaped_on_stderr() {
    let tree = common::dir_with(&[(&format!("{EVIL_DIR}/.gitlab-ci.yml"), "a: [\n")]);
    let out = common::vouch()
        .args(["check", "--today", "2026-11-22"])
        .arg(tree.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("could not check {EVIL_SHOWN}/.gitlab-ci.yml")),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b') && !stderr.contains('\u{202e}'));
}
