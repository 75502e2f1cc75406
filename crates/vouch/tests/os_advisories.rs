//! Distro (OS) advisories end to end: `vouch db import` of the Debian Security Tracker JSON,
//! Alpine secdb and OSV distro records, then `vouch vulns DIR` and `vouch scan DIR` on root
//! filesystems (real dpkg and apk databases under an os-release): exact ids and fixed versions,
//! the fixed version installed not reported, a release the database does not cover not checked
//! (exit 2), and bad feed input a warning naming the file while the rest imports.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn vouch(db: &Path) -> Command {
    let mut cmd = common::vouch();
    cmd.env("VOUCH_DB", db);
    cmd
}

fn os_advisories() -> PathBuf {
    common::advisory_fixtures().join("os")
}

fn rootfs(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/os")
        .join(name)
}

/// A copy of a fixture root filesystem, with `edit` applied to the package database text.
fn rootfs_copy(name: &str, db_rel: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = rootfs(name);
    let os_release = std::fs::read_to_string(from.join("etc/os-release")).unwrap();
    common::write(dir.path(), "etc/os-release", &os_release);
    let db = std::fs::read_to_string(from.join(db_rel)).unwrap();
    common::write(dir.path(), db_rel, &edit(&db));
    dir
}

fn import(db: &Path, paths: &[PathBuf]) -> std::process::Output {
    let out = vouch(db)
        .args(["db", "import"])
        .args(paths)
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    out
}

/// (package, id, fixed versions) of each match in `vouch vulns --format json`.
fn matches(stdout: &[u8]) -> Vec<(String, String, Vec<String>)> {
    let v = common::json(stdout);
    v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["component"]["name"].as_str().unwrap().to_owned(),
                m["id"].as_str().unwrap().to_owned(),
                m["fixed"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[test]
fn debian_rootfs_matches_glibc_advisories_through_the_source_package() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    import(
        &db,
        &[
            os_advisories().join("debian-tracker"),
            os_advisories().join("debian-osv"),
        ],
    );
    let out = vouch(&db)
        .arg("vulns")
        .arg(rootfs("debian-12"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    assert_eq!(
        matches(&out.stdout),
        [
            (
                s("libc-bin"),
                s("DEBIAN-CVE-2023-4911"),
                vec![s("2.36-9+deb12u3")]
            ),
            (
                s("libc6"),
                s("DEBIAN-CVE-2023-4911"),
                vec![s("2.36-9+deb12u3")]
            ),
        ]
    );
    let v = common::json(&out.stdout);
    assert_eq!(v["complete"], true);
    assert_eq!(
        v["matches"][1]["component"]["purl"],
        "pkg:deb/debian/libc6@2.27-3ubuntu1?arch=amd64&distro=debian-12"
    );
    assert_eq!(
        v["matches"][1]["aliases"],
        serde_json::json!(["CVE-2023-4911"])
    );

    // The fixed version installed: nothing to report, exit 0.
    let fixed = rootfs_copy("debian-12", "var/lib/dpkg/status", |t| {
        t.replace("Version: 2.27-3ubuntu1\n", "Version: 2.36-9+deb12u3\n")
    });
    let out = vouch(&db)
        .arg("vulns")
        .arg(fixed.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert!(matches(&out.stdout).is_empty());

    // The same through `vouch scan`.
    let out = vouch(&db)
        .arg("scan")
        .arg(rootfs("debian-12"))
        .args([
            "--skip",
            "secrets",
            "--skip",
            "configuration",
            "--skip",
            "pinning",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["DEBIAN-CVE-2023-4911", "DEBIAN-CVE-2023-4911"],
        "{v}"
    );
}

#[test]
fn alpine_rootfs_matches_secdb_lines_of_its_release() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    import(&db, &[os_advisories().join("alpine-secdb")]);
    // zlib 1.2.12-r1: past the -r0 fix of CVE-2018-25032, before the -r2 fix of CVE-2022-37434.
    let affected = rootfs_copy("alpine-3.15", "lib/apk/db/installed", |t| {
        t.replace("P:zlib\nV:1.2.12-r3\n", "P:zlib\nV:1.2.12-r1\n")
    });
    let out = vouch(&db)
        .arg("vulns")
        .arg(affected.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    assert_eq!(
        matches(&out.stdout),
        [(s("zlib"), s("ALPINE-CVE-2022-37434"), vec![s("1.2.12-r2")])]
    );
    // As shipped (zlib 1.2.12-r3, above every fix): clean, exit 0.
    let out = vouch(&db)
        .arg("vulns")
        .arg(rootfs("alpine-3.15"))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.starts_with("0 vulnerabilities in 14 component(s) checked"),
        "{table}"
    );
}

#[test]
fn a_release_the_database_does_not_cover_is_not_checked_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    import(&db, &[os_advisories().join("alpine-secdb")]);
    let v319 = rootfs_copy("alpine-3.15", "lib/apk/db/installed", |t| t.to_owned());
    common::write(
        v319.path(),
        "etc/os-release",
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n",
    );
    let reason = "14 Alpine packages not checked: the advisory database holds no Alpine:v3.19 \
                  advisories (it holds Alpine:v3.15); import that release's advisories";
    let out = vouch(&db)
        .arg("vulns")
        .arg(v319.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let v = common::json(&out.stdout);
    assert_eq!(v["complete"], false);
    assert_eq!(v["components_checked"], 0);
    assert_eq!(v["not_checked"][0]["check"], "vulnerabilities");
    assert_eq!(v["not_checked"][0]["path"], "lib/apk/db/installed");
    assert_eq!(v["not_checked"][0]["reason"], reason);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "error: not checked: vulnerabilities: lib/apk/db/installed: {reason}"
        )),
        "{stderr}"
    );
    // The table says so too.
    let out = vouch(&db).arg("vulns").arg(v319.path()).output().unwrap();
    common::assert_exit(&out, 2);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("INCOMPLETE: 1 part(s) not checked"),
        "{table}"
    );
    // SARIF: the run did not succeed.
    let out = vouch(&db)
        .arg("vulns")
        .arg(v319.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let sarif = common::json(&out.stdout);
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
    // `vouch scan`: the vulnerabilities check is incomplete, exit 2.
    let out = vouch(&db)
        .arg("scan")
        .arg(v319.path())
        .args([
            "--skip",
            "secrets",
            "--skip",
            "configuration",
            "--skip",
            "pinning",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let v: Value = common::json(&out.stdout);
    let reasons: Vec<&str> = v["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, [reason], "{v}");
}

#[test]
fn bad_feed_input_is_a_warning_naming_the_file_and_the_rest_imports() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let bad = os_advisories().join("bad/tracker-unknown-status.json");
    let out = import(&db, std::slice::from_ref(&bad));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "warning: skipped {}: openssl CVE-2024-0001 bookworm: unknown status `maybe`; expected resolved, open or undetermined",
            bad.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("imported 2 advisories"), "{stderr}");
    let out = vouch(&db)
        .args(["db", "status", "--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert_eq!(common::json(&out.stdout)["ecosystems"]["Debian"], 2);
}

#[test]
fn the_tracker_download_named_json_is_read_by_its_content() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let file = tmp.path().join("json");
    std::fs::copy(
        os_advisories().join("debian-tracker/glibc-CVE-2023-4911.json"),
        &file,
    )
    .unwrap();
    let out = import(&db, &[file]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("imported 1 advisories"), "{stderr}");
}

#[test]
fn an_sbom_of_the_rootfs_matches_the_same_distro_advisories() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    import(&db, &[os_advisories().join("debian-tracker")]);
    for format in ["cyclonedx-json", "spdx-json"] {
        let sbom = tmp.path().join(format!("rootfs.{format}"));
        let out = vouch(&db)
            .arg("sbom")
            .arg(rootfs("debian-12"))
            .args(["--format", format, "-o"])
            .arg(&sbom)
            .output()
            .unwrap();
        common::assert_exit(&out, 0);
        let out = vouch(&db)
            .args(["vulns", "--format", "json", "--sbom"])
            .arg(&sbom)
            .output()
            .unwrap();
        common::assert_exit(&out, 1);
        assert_eq!(
            matches(&out.stdout),
            [
                (
                    s("libc-bin"),
                    s("DEBIAN-CVE-2023-4911"),
                    vec![s("2.36-9+deb12u3")]
                ),
                (
                    s("libc6"),
                    s("DEBIAN-CVE-2023-4911"),
                    vec![s("2.36-9+deb12u3")]
                ),
            ],
            "{format}"
        );
    }
}
