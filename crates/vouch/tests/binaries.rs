//! `vouch sbom` (and `vulns`) on executables: Go build info and `cargo auditable` data read from
//! ELF files in a tree or given as PATH (fixtures: vouch-inventory's tests/fixtures/binary, see
//! its SOURCES.md).

mod common;

use std::path::{Path, PathBuf};

use common::{assert_exit, json, vouch};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vouch-inventory/tests/fixtures/binary")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

/// An ELF file holding the real syft build info: the real ELF header of the Rust fixture, then
/// the build info at a 16-byte aligned offset.
fn go_elf() -> Vec<u8> {
    let mut f = read("rust-auditable-hello")[..64].to_vec();
    f.resize(8192, 0);
    f.extend_from_slice(&read("go-syft-1.18.1.buildinfo"));
    f
}

fn purls(doc: &serde_json::Value) -> Vec<String> {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn sbom_of_a_tree_lists_go_and_rust_executables() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("usr/bin")).unwrap();
    std::fs::write(d.path().join("usr/bin/hello"), read("rust-auditable-hello")).unwrap();
    std::fs::write(d.path().join("usr/bin/syft"), go_elf()).unwrap();
    let out = vouch()
        .args(["sbom", "--format", "cyclonedx-json"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out.stdout);
    let p = purls(&doc);
    for want in [
        "pkg:cargo/itoa@1.0.19",
        "pkg:cargo/autocfg@1.5.1",
        "pkg:golang/github.com/anchore/syft@v1.18.1",
        "pkg:golang/stdlib@1.23.4",
        "pkg:golang/dario.cat/mergo@v1.0.1",
    ] {
        assert!(p.iter().any(|x| x == want), "{want} missing from {p:?}");
    }
}

#[test]
fn sbom_of_one_executable_makes_its_root_crate_the_subject() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("hello");
    std::fs::write(&path, read("rust-auditable-hello")).unwrap();
    let out = vouch()
        .args(["sbom", "--format", "cyclonedx-json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let doc = json(&out.stdout);
    assert_eq!(doc["metadata"]["component"]["name"], "auditable-hello");
    assert_eq!(doc["metadata"]["component"]["version"], "0.3.1");
    assert!(purls(&doc).contains(&"pkg:cargo/itoa@1.0.19".to_owned()));
}

#[test]
fn broken_build_info_is_a_warning_naming_the_file_and_strict_makes_it_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let mut f = read("rust-auditable-hello")[..64].to_vec();
    f.resize(4096, 0);
    f.extend_from_slice(&read("go-pointer-format.buildinfo"));
    std::fs::write(d.path().join("old-go-tool"), &f).unwrap();
    let out = vouch().arg("sbom").arg(d.path()).output().unwrap();
    assert_exit(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("old-go-tool: go binary built with go < 1.18: build info not read"),
        "{stderr}"
    );
    let out = vouch()
        .args(["sbom", "--strict"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(out.stdout.is_empty());
}

#[test]
fn vulns_on_an_executable_match_its_main_module_and_standard_library() {
    // Real Go vulndb records: GO-2026-4809 (github.com/anchore/syft < 1.42.3) and
    // GO-2025-3503 (stdlib < 1.23.7). The syft build info's main module is `(devel)`: only
    // the version read from -ldflags (v1.18.1) lets the first one match.
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let osv = common::advisory_fixtures().join("advisories/go-vulndb-osv");
    let out = vouch()
        .env("VOUCH_DB", &db)
        .args(["db", "import"])
        .arg(osv.join("GO-2026-4809.json"))
        .arg(osv.join("GO-2025-3503.json"))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("syft"), go_elf()).unwrap();
    let out = vouch()
        .env("VOUCH_DB", &db)
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .args(["vulns", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let report = json(&out.stdout);
    let mut ids: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = f.to_string();
            let purl = [
                "pkg:golang/stdlib@1.23.4",
                "pkg:golang/golang.org/x/net@v0.32.0",
                "pkg:golang/github.com/anchore/syft@v1.18.1",
            ]
            .into_iter()
            .find(|p| text.contains(p))
            .unwrap_or("?");
            format!(
                "{} {} {purl}",
                f["rule_id"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap()
            )
        })
        .collect();
    ids.sort();
    // GO-2025-3503 also names golang.org/x/net < 0.36.0: syft was built with v0.32.0.
    assert_eq!(
        ids,
        [
            "GO-2025-3503 syft pkg:golang/golang.org/x/net@v0.32.0",
            "GO-2025-3503 syft pkg:golang/stdlib@1.23.4",
            "GO-2026-4809 syft pkg:golang/github.com/anchore/syft@v1.18.1"
        ]
    );
}
