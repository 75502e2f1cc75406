//! Malicious packages end to end: `vouch db import` of ossf/malicious-packages' tar.xz and zip
//! forms (counts on stderr), then `vouch vulns` and `vouch scan` reporting a locked malicious
//! version as `malicious-package` (critical, exit 1) and a clean lockfile as nothing.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;

fn malicious() -> PathBuf {
    common::advisory_fixtures().join("malicious")
}

fn vouch(db: &Path) -> Command {
    let mut cmd = common::vouch();
    cmd.env("VOUCH_DB", db);
    cmd
}

/// A package-lock v3 naming `@solana/web3.js` at `version` (the record: 1.95.6 and 1.95.7 were
/// the hijacked releases) and `lodash` 4.17.21.
fn lockfile(version: &str) -> String {
    format!(
        r#"{{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {{
    "": {{
      "name": "app",
      "version": "1.0.0",
      "dependencies": {{
        "@solana/web3.js": "^1.95.0",
        "lodash": "^4.17.21"
      }}
    }},
    "node_modules/@solana/web3.js": {{
      "version": "{version}",
      "resolved": "https://registry.npmjs.org/@solana/web3.js/-/web3.js-{version}.tgz"
    }},
    "node_modules/lodash": {{
      "version": "4.17.21",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"
    }}
  }}
}}
"#
    )
}

fn imported(what: &str) -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let out = vouch(&db)
        .args(["db", "import"])
        .arg(malicious().join(what))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (tmp, db, stderr)
}

#[test]
fn db_import_reads_the_tar_xz_and_the_zip_and_counts_malicious_records() {
    let (_t, _db, stderr) = imported("records.tar.xz");
    assert!(
        stderr.contains("imported 8 advisories into ")
            && stderr
                .contains("(8 new or updated, 0 unchanged, 0 skipped as malformed); 8 malicious\n"),
        "{stderr}"
    );
    let (_t, _db, stderr) = imported("typosquat-records.zip");
    assert!(
        stderr.contains("imported 899 advisories into ")
            && stderr.contains(
                "(899 new or updated, 0 unchanged, 0 skipped as malformed); 899 malicious\n"
            ),
        "{stderr}"
    );
}

#[test]
fn vulns_reports_a_malicious_version_and_nothing_for_a_clean_lockfile() {
    let (_t, db, _) = imported("records.tar.xz");
    let bad = common::dir_with(&[("package-lock.json", &lockfile("1.95.6"))]);
    let out = vouch(&db)
        .arg("vulns")
        .arg(bad.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v:#}");
    assert_eq!(findings[0]["rule_id"], "malicious-package");
    assert_eq!(findings[0]["severity"], "critical");
    assert_eq!(
        findings[0]["message"],
        "@solana/web3.js 1.95.6 is a malicious package: MAL-2024-11183 (also GHSA-2mhj-xmf4-pr8m): Malicious code in @solana/web3.js (npm)"
    );
    assert_eq!(findings[0]["location"]["path"], "package-lock.json");
    assert_eq!(v["matches"][0]["kind"], "malicious");
    assert_eq!(v["matches"][0]["id"], "MAL-2024-11183");

    // The table says what it is, apart from vulnerabilities.
    let out = vouch(&db).arg("vulns").arg(bad.path()).output().unwrap();
    common::assert_exit(&out, 1);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(
            "  critical MALICIOUS MAL-2024-11183 (GHSA-2mhj-xmf4-pr8m)  fixed in 1.95.8\n"
        ),
        "{table}"
    );
    assert!(
        table.contains("1 malicious package, 0 vulnerabilities in 2 component(s) checked"),
        "{table}"
    );

    // 1.95.5 and 1.95.8 are the releases around the hijack: nothing to report.
    for clean in ["1.95.5", "1.95.8"] {
        let ok = common::dir_with(&[("package-lock.json", &lockfile(clean))]);
        let out = vouch(&db)
            .arg("vulns")
            .arg(ok.path())
            .args(["--format", "json"])
            .output()
            .unwrap();
        common::assert_exit(&out, 0);
        let v = common::json(&out.stdout);
        assert_eq!(v["findings"], serde_json::json!([]), "{clean}");
        assert_eq!(v["components_checked"], 2);
    }
}

#[test]
fn an_ignore_entry_for_the_record_id_suppresses_it() {
    let (_t, db, _) = imported("records.tar.xz");
    let bad = common::dir_with(&[
        ("package-lock.json", &lockfile("1.95.7")),
        (
            ".vouch/ignore.toml",
            "[[ignore]]\nid = \"MAL-2024-11183\"\npurl = \"pkg:npm/%40solana/web3.js\"\nreason = \"a mirror that never served the hijacked tarball\"\nexpires = 2030-01-01\n",
        ),
    ]);
    let out = vouch(&db)
        .arg("vulns")
        .arg(bad.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let v = common::json(&out.stdout);
    assert_eq!(v["findings"][0]["rule_id"], "malicious-package");
    assert_eq!(v["findings"][0]["suppressed"]["kind"], "ignore-file");
}

#[test]
fn scan_reports_malicious_packages_in_json_and_sarif() {
    let (_t, db, _) = imported("records.tar.xz");
    // A PyPI package too: `fabrice` (every version, ECOSYSTEM `introduced: 0`).
    let bad = common::dir_with(&[
        ("package-lock.json", &lockfile("1.95.6")),
        ("requirements.txt", "fabrice==1.0\nrequests==2.32.3\n"),
    ]);
    let out = vouch(&db)
        .arg("scan")
        .arg(bad.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    let malicious: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "malicious-package")
        .map(|f| {
            (
                f["properties"]["advisory_id"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        malicious,
        [
            (
                "MAL-2024-11183",
                "@solana/web3.js 1.95.6 is a malicious package: MAL-2024-11183 (also GHSA-2mhj-xmf4-pr8m): Malicious code in @solana/web3.js (npm)"
            ),
            (
                "MAL-2024-10573",
                "fabrice 1.0 is a malicious package: MAL-2024-10573: Malicious code in fabrice (PyPI)"
            ),
        ]
    );
    let out = vouch(&db)
        .arg("scan")
        .arg(bad.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let sarif = common::json(&out.stdout);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(
        rules
            .iter()
            .filter(|r| r["id"] == "malicious-package")
            .count(),
        1
    );
    // The rule's page ships in the binary.
    let out = common::vouch()
        .args(["explain", "malicious-package"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# malicious-package:"));
}
