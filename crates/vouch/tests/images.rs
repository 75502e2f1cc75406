//! `vouch sbom|secrets|vulns IMAGE` on real layouts and archives (vouch-oci's fixtures, see
//! crates/vouch-oci/tests/fixtures/SOURCES.md) and on layouts built here.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{assert_exit, json, vouch};
use vouch_test::oci::{E, gzip, layout, layout_with, tar_of};

fn oci_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vouch-oci/tests/fixtures")
        .join(name)
}

fn github_token() -> String {
    format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke")
}

/// The alpine layout's one layer, unpacked into a folder (regular files and links only).
fn unpacked_alpine(into: &Path) {
    let layout = oci_fixture("alpine-layout/blobs/sha256");
    let blob = std::fs::read_dir(&layout)
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(blob).unwrap());
    let mut archive = tar::Archive::new(gz);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let kind = entry.header().entry_type();
        if kind.is_file() || kind.is_symlink() || kind.is_dir() {
            entry.unpack_in(into).unwrap();
        }
    }
}

fn names(sbom: &serde_json::Value) -> BTreeSet<String> {
    sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library")
        .map(|c| {
            format!(
                "{}@{}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn an_image_inventories_like_its_unpacked_root_filesystem_with_the_image_as_subject() {
    let source = format!("oci-dir:{}:v2", oci_fixture("alpine-layout").display());
    let out = vouch().args(["sbom", &source]).output().unwrap();
    assert_exit(&out, 0);
    let image = json(&out.stdout);
    vouch_test::assert_valid_cyclonedx(std::str::from_utf8(&out.stdout).unwrap());
    let subject = &image["metadata"]["component"];
    assert_eq!(subject["type"], "container");
    assert_eq!(
        subject["version"],
        "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0"
    );
    assert_eq!(
        subject["purl"],
        "pkg:oci/alpine-layout@sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0?arch=amd64&tag=v2"
    );

    let dir = tempfile::tempdir().unwrap();
    unpacked_alpine(dir.path());
    let out = vouch().arg("sbom").arg(dir.path()).output().unwrap();
    assert_exit(&out, 0);
    let unpacked = json(&out.stdout);
    // The ground truth: the apk database's own package lines.
    let db = std::fs::read_to_string(dir.path().join("lib/apk/db/installed")).unwrap();
    let listed = db.lines().filter(|l| l.starts_with("P:")).count();
    assert_eq!(names(&image).len(), listed);
    assert_eq!(names(&image), names(&unpacked));
    // Every package came with the one layer.
    for c in image["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library")
    {
        let layer = c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "vouch:image:layer")
            .unwrap_or_else(|| panic!("no layer on {c}"));
        assert!(layer["value"].as_str().unwrap().starts_with("sha256:"));
    }
}

#[test]
fn a_package_database_rewritten_by_a_later_layer_keeps_each_package_at_the_layer_that_added_it() {
    let dir = tempfile::tempdir().unwrap();
    let one = "P:musl\nV:1.2.3-r4\nA:x86_64\n\nP:zlib\nV:1.2.13-r0\nA:x86_64\n\n";
    let two = format!("{one}P:curl\nV:8.0.0-r0\nA:x86_64\n\n");
    let os = "ID=alpine\nVERSION_ID=3.17.2\n";
    let l0 = tar_of(&[
        E::File("etc/os-release", os.as_bytes()),
        E::File("lib/apk/db/installed", one.as_bytes()),
    ]);
    let l1 = tar_of(&[E::File("lib/apk/db/installed", two.as_bytes())]);
    layout(
        dir.path(),
        &[(gzip(&l0), l0.clone()), (gzip(&l1), l1.clone())],
    );
    let out = vouch().arg("sbom").arg(dir.path()).output().unwrap();
    assert_exit(&out, 0);
    let sbom = json(&out.stdout);
    let layer_of = |name: &str| {
        let c = sbom["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "vouch:image:layer")
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let diff = vouch_test::registry::sha256;
    assert_eq!(layer_of("musl"), diff(&l0));
    assert_eq!(layer_of("zlib"), diff(&l0));
    assert_eq!(layer_of("curl"), diff(&l1));
}

#[test]
fn a_secret_in_a_layer_a_later_layer_deletes_still_ships_and_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let token = github_token();
    let env = format!("GITHUB_TOKEN={token}\n");
    let l0 = tar_of(&[E::File("app/.env", env.as_bytes()), E::File("app/ok", b"x")]);
    let l1 = tar_of(&[E::File("app/.wh..env", b"")]);
    layout(
        dir.path(),
        &[(gzip(&l0), l0.clone()), (gzip(&l1), l1.clone())],
    );
    let out = vouch()
        .args(["secrets", "--format", "json"])
        .arg(format!("oci-dir:{}", dir.path().display()))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(&token), "the secret is redacted");
    let report = json(&out.stdout);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    let f = &findings[0];
    assert_eq!(f["location"]["path"], "/app/.env");
    assert_eq!(f["properties"]["in_final_image"], false);
    assert!(
        f["message"].as_str().unwrap().ends_with(
            "(in layer 0, deleted or replaced by a later layer: it still ships in the image)"
        ),
        "{f}"
    );
}

#[test]
fn a_secret_in_the_image_configuration_env_is_found_by_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let l0 = tar_of(&[E::File("app/ok", b"x")]);
    let config =
        serde_json::json!({"Env": ["PATH=/usr/bin", format!("GITHUB_TOKEN={}", github_token())]});
    layout_with(dir.path(), &[(gzip(&l0), l0.clone())], config);
    let out = vouch()
        .args(["secrets", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let report = json(&out.stdout);
    assert_eq!(
        report["findings"][0]["location"]["path"], "config.Env[1]",
        "{report}"
    );
}

#[test]
fn a_tampered_image_is_exit_2_and_reports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let os = b"ID=alpine\nVERSION_ID=3.17.2\n";
    let l0 = tar_of(&[E::File("etc/os-release", os)]);
    let evil = tar_of(&[E::File("etc/os-release", b"ID=evil\n")]);
    // The manifest names the real layer's blob digest; the blob on disk is another.
    let blob = gzip(&l0);
    layout(dir.path(), &[(blob.clone(), l0.clone())]);
    let digest = vouch_test::registry::sha256(&blob);
    let name = &digest["sha256:".len()..];
    std::fs::write(dir.path().join("blobs/sha256").join(name), gzip(&evil)).unwrap();
    for command in ["sbom", "secrets"] {
        let out = vouch().arg(command).arg(dir.path()).output().unwrap();
        assert_exit(&out, 2);
        assert!(out.stdout.is_empty(), "{command}: nothing is reported");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("layer 0 blob: digest mismatch: expected sha256:"),
            "{err}"
        );
    }
}

#[test]
fn a_missing_platform_is_exit_2_naming_the_platforms_there() {
    let out = vouch()
        .args(["sbom", "--platform", "linux/riscv64"])
        .arg(format!(
            "oci-dir:{}",
            oci_fixture("multiplatform_oci_dir").display()
        ))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no image for platform linux/riscv64; the index has linux/amd64, linux/arm64"),
        "{err}"
    );
}

#[test]
fn docker_archives_with_whiteouts_are_read_by_bare_path() {
    let out = vouch()
        .args(["sbom", "--format", "spdx-json"])
        .arg(oci_fixture("whiteout_image.tar"))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let doc = json(&out.stdout);
    assert_eq!(doc["packages"][0]["primaryPackagePurpose"], "CONTAINER");
}

#[test]
fn check_runs_the_image_rules_on_the_config_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let l0 = tar_of(&[E::File("bin/sh", b"\x7fELF"), E::File("app/run", b"x")]);
    layout_with(
        dir.path(),
        &[(gzip(&l0), l0.clone())],
        serde_json::json!({}),
    );
    let image = format!("oci-dir:{}", dir.path().display());
    let out = vouch()
        .args(["check", "--format", "json", &image])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let report = json(&out.stdout);
    let found: Vec<(String, String)> = report["findings"]
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
    assert_eq!(
        found,
        [
            ("image-shell-present".to_owned(), format!("{image}#/bin/sh")),
            (
                "image-runs-as-root".to_owned(),
                format!("{image}#config.User")
            ),
        ]
    );
    // A non-root user and no shell: nothing to report.
    let clean = tempfile::tempdir().unwrap();
    let l0 = tar_of(&[E::File("app/run", b"x")]);
    layout_with(
        clean.path(),
        &[(gzip(&l0), l0.clone())],
        serde_json::json!({"User": "10001"}),
    );
    let out = vouch().arg("check").arg(clean.path()).output().unwrap();
    assert_exit(&out, 0);
}

#[test]
fn scan_reads_the_image_once_for_inventory_secrets_and_rules_and_pinning_does_not_apply() {
    let dir = tempfile::tempdir().unwrap();
    let env = format!("GITHUB_TOKEN={}\n", github_token());
    let os = b"ID=alpine\nVERSION_ID=3.17.2\n";
    let db = b"P:musl\nV:1.2.3-r4\nA:x86_64\n\n";
    let l0 = tar_of(&[
        E::File("etc/os-release", os),
        E::File("lib/apk/db/installed", db),
        E::File("app/.env", env.as_bytes()),
    ]);
    let l1 = tar_of(&[E::File("app/.wh..env", b"")]);
    layout_with(
        dir.path(),
        &[(gzip(&l0), l0.clone()), (gzip(&l1), l1.clone())],
        serde_json::json!({"User": "10001"}),
    );
    let out = vouch()
        .args(["scan", "--skip", "vulnerabilities", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let scan = json(&out.stdout);
    let status: Vec<(String, String)> = scan["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_owned(),
                c["note"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        status.contains(&(
            "pinning".to_owned(),
            "not applicable: an image holds no references to pin".to_owned()
        )),
        "{status:?}"
    );
    let findings = scan["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["location"]["path"] == "/app/.env"
                && f["properties"]["in_final_image"] == false),
        "{scan}"
    );
    assert_eq!(scan["inventory"]["components"], 1, "{scan}");
    // Skipped, the secrets check is listed as such and reads nothing.
    let out = vouch()
        .args([
            "scan",
            "--skip",
            "vulnerabilities",
            "--skip",
            "secrets",
            "--format",
            "json",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let scan = json(&out.stdout);
    assert_eq!(scan["checks"][1]["check"], "secrets");
    assert_eq!(scan["checks"][1]["status"], "skipped");
    assert_eq!(scan["findings"].as_array().unwrap().len(), 0, "{scan}");
}

#[test]
fn vulns_on_an_image_match_distro_advisories_through_the_source_package() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let advisories = common::advisory_fixtures().join("os");
    let out = vouch()
        .env("VOUCH_DB", &db)
        .args(["db", "import"])
        .arg(advisories.join("debian-tracker"))
        .arg(advisories.join("debian-osv"))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    // The Debian 12 root filesystem fixture of os_advisories.rs, as a two-layer image whose
    // second layer rewrites the dpkg database (unchanged).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/os/debian-12");
    let os = std::fs::read(root.join("etc/os-release")).unwrap();
    let status = std::fs::read(root.join("var/lib/dpkg/status")).unwrap();
    let l0 = tar_of(&[
        E::File("etc/os-release", &os),
        E::File("var/lib/dpkg/status", &status),
    ]);
    let l1 = tar_of(&[E::File("var/lib/dpkg/status", &status)]);
    let image = tempfile::tempdir().unwrap();
    layout(
        image.path(),
        &[(gzip(&l0), l0.clone()), (gzip(&l1), l1.clone())],
    );
    let out = vouch()
        .env("VOUCH_DB", &db)
        .args(["vulns", "--format", "json"])
        .arg(format!("oci-dir:{}", image.path().display()))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let report = json(&out.stdout);
    let found: Vec<(String, String)> = report["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["component"]["name"].as_str().unwrap().to_owned(),
                m["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("libc-bin".to_owned(), "DEBIAN-CVE-2023-4911".to_owned()),
            ("libc6".to_owned(), "DEBIAN-CVE-2023-4911".to_owned()),
        ]
    );
}

#[test]
fn executables_in_the_layers_are_scanned_as_they_stream_and_only_those_that_ship_count() {
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vouch-inventory/tests/fixtures/binary");
    // A real `cargo auditable` executable, and an ELF file carrying syft 1.18.1's real Go
    // build info (its ELF header taken from the former, the blob at an aligned offset).
    let rust = std::fs::read(fixtures.join("rust-auditable-hello")).unwrap();
    let mut go = rust[..64].to_vec();
    go.resize(4096, 0);
    go.extend(std::fs::read(fixtures.join("go-syft-1.18.1.buildinfo")).unwrap());
    let l0 = tar_of(&[
        E::File("usr/bin/hello", &rust),
        E::File("usr/local/bin/syft", &go),
        E::File("usr/local/bin/old-syft", &go),
    ]);
    let l1 = tar_of(&[E::File("usr/local/bin/.wh.old-syft", b"")]);
    let dir = tempfile::tempdir().unwrap();
    layout(
        dir.path(),
        &[(gzip(&l0), l0.clone()), (gzip(&l1), l1.clone())],
    );
    let out = vouch().arg("sbom").arg(dir.path()).output().unwrap();
    assert_exit(&out, 0);
    let sbom = json(&out.stdout);
    let evidence_of = |purl_prefix: &str| -> BTreeSet<String> {
        sbom["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["purl"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(purl_prefix))
            })
            .flat_map(|c| {
                c["evidence"]["occurrences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| o["location"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    assert_eq!(
        evidence_of("pkg:golang/github.com/anchore/syft@v1.18.1"),
        BTreeSet::from(["usr/local/bin/syft".to_owned()]),
        "the deleted copy does not count"
    );
    assert!(!evidence_of("pkg:cargo/").is_empty(), "{sbom}");
}
