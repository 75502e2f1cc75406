//! `vouch sbom` and `vouch scan` end to end: the real binary over trees built from real fixtures.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vouch-inventory/tests/fixtures")
}

fn vouch(args: &[&str]) -> Output {
    common::vouch().args(args).output().expect("vouch runs")
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A project tree holding one real lockfile of every supported kind, plus installed packages.
fn project_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let f = fixtures();
    copy(
        &f.join("cargo/ripgrep.Cargo.lock"),
        &root.join("rust/Cargo.lock"),
    );
    copy(
        &f.join("npm/slsa-verifier.package-lock.v3.json"),
        &root.join("web/package-lock.json"),
    );
    copy(
        &f.join("yarn/syft-fixture.yarn-berry.yarn.lock"),
        &root.join("berry/yarn.lock"),
    );
    copy(
        &f.join("yarn/syft-fixture.yarn-v1-deps.yarn.lock"),
        &root.join("classic/yarn.lock"),
    );
    copy(
        &f.join("pnpm/cdxgen-fixture.bytemd.pnpm-lock.v6.yaml"),
        &root.join("pnpm/pnpm-lock.yaml"),
    );
    copy(
        &f.join("python/trivy-fixture.with-groups.poetry.lock"),
        &root.join("poetry/poetry.lock"),
    );
    copy(&f.join("python/uv.uv.lock"), &root.join("uv/uv.lock"));
    copy(
        &f.join("python/checkov.Pipfile.lock"),
        &root.join("pipenv/Pipfile.lock"),
    );
    copy(
        &f.join("python/sigstore-python.install.requirements-hashes.txt"),
        &root.join("pip/requirements.txt"),
    );
    copy(&f.join("go/cosign.go.mod"), &root.join("go/go.mod"));
    copy(&f.join("go/cosign.go.sum"), &root.join("go/go.sum"));
    copy(
        &f.join("ruby/cdxgen-fixture.Gemfile.lock"),
        &root.join("ruby/Gemfile.lock"),
    );
    copy(
        &f.join("php/syft-fixture.composer.lock"),
        &root.join("php/composer.lock"),
    );
    copy(
        &f.join("node_modules/is-number/package.json"),
        &root.join("web/node_modules/is-number/package.json"),
    );
    dir
}

fn validate(schema: &str, doc: &serde_json::Value) {
    let text = doc.to_string();
    match schema {
        "cyclonedx" => vouch_test::assert_valid_cyclonedx(&text),
        _ => vouch_test::assert_valid_spdx(&text),
    }
}

#[test]
fn sbom_of_a_real_project_tree_is_valid_cyclonedx_and_spdx() {
    let tree = project_tree();
    let path = tree.path().to_str().unwrap();
    let out = vouch(&["sbom", path]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cdx: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate("cyclonedx", &cdx);
    assert_eq!(cdx["specVersion"], "1.6");
    let components = cdx["components"].as_array().unwrap();
    // Every ecosystem of the tree is present.
    for prefix in [
        "pkg:cargo/",
        "pkg:npm/",
        "pkg:pypi/",
        "pkg:golang/",
        "pkg:gem/",
        "pkg:composer/",
    ] {
        assert!(
            components
                .iter()
                .any(|c| c["purl"].as_str().unwrap_or("").starts_with(prefix)),
            "no {prefix} component"
        );
    }

    let out = vouch(&["sbom", "--format", "spdx-json", path]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spdx: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate("spdx", &spdx);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
}

#[test]
fn same_input_gives_byte_identical_output() {
    let tree = project_tree();
    let path = tree.path().to_str().unwrap();
    for format in ["cyclonedx-json", "spdx-json"] {
        let a = vouch(&["sbom", "--format", format, path]);
        let b = vouch(&["sbom", "--format", format, path]);
        assert!(a.status.success());
        assert_eq!(a.stdout, b.stdout, "{format} output differs between runs");
    }
    let cdx: serde_json::Value = serde_json::from_slice(&vouch(&["sbom", path]).stdout).unwrap();
    assert_eq!(cdx["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
}

#[test]
fn lockfile_and_installed_copy_are_one_component_with_both_evidence() {
    let tree = project_tree();
    let out = vouch(&["sbom", tree.path().to_str().unwrap()]);
    let cdx: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let matches: Vec<&serde_json::Value> = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["purl"] == "pkg:npm/is-number@7.0.0")
        .collect();
    assert_eq!(matches.len(), 1, "is-number must be one component");
    let locations: Vec<&str> = matches[0]["evidence"]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["location"].as_str().unwrap())
        .collect();
    // is-number 7.0.0 is also locked by the tree's pnpm project: one component, three files.
    assert_eq!(
        locations,
        [
            "pnpm/pnpm-lock.yaml",
            "web/node_modules/is-number/package.json",
            "web/package-lock.json"
        ]
    );
}

#[test]
fn root_filesystem_gets_distro_qualified_purls() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy(
        &fixtures().join("dpkg/trivy-valid/var/lib/dpkg/status"),
        &root.join("var/lib/dpkg/status"),
    );
    write(
        &root.join("usr/lib/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
    );
    std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release"))
        .or_else(|_| {
            std::fs::create_dir_all(root.join("etc"))?;
            std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release"))
        })
        .unwrap();
    let out = vouch(&["sbom", root.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cdx: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate("cyclonedx", &cdx);
    let purls: Vec<&str> = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    // Independent count: stanzas whose Status is exactly "install ok installed".
    let status = std::fs::read_to_string(root.join("var/lib/dpkg/status")).unwrap();
    let installed = status
        .lines()
        .filter(|l| *l == "Status: install ok installed")
        .count();
    let deb: Vec<&&str> = purls
        .iter()
        .filter(|p| p.starts_with("pkg:deb/debian/"))
        .collect();
    assert_eq!(deb.len(), installed);
    assert!(
        deb.iter().all(|p| p.contains("distro=debian-12")),
        "{deb:?}"
    );
}

#[test]
fn malformed_file_is_a_warning_with_position_and_the_rest_is_kept() {
    let tree = project_tree();
    write(
        &tree.path().join("broken/package-lock.json"),
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n",
    );
    let path = tree.path().to_str().unwrap();
    let out = vouch(&["sbom", path]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: broken/package-lock.json:4:"),
        "warning names file, line and column: {stderr}"
    );
    let cdx: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(cdx["components"].as_array().unwrap().len() > 100);

    let strict = vouch(&["sbom", "--strict", path]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(strict.stdout.is_empty(), "--strict writes nothing");
    assert!(String::from_utf8_lossy(&strict.stderr).contains("--strict"));
}

#[test]
fn symlinks_do_not_leave_the_root_or_loop() {
    let outside = tempfile::tempdir().unwrap();
    copy(
        &fixtures().join("cargo/ripgrep.Cargo.lock"),
        &outside.path().join("Cargo.lock"),
    );
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    copy(
        &fixtures().join("php/syft-fixture.composer.lock"),
        &root.join("app/composer.lock"),
    );
    // A directory loop, a directory link out of the root, and a file link out of the root.
    std::os::unix::fs::symlink(root, root.join("app/loop")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("escape-dir")).unwrap();
    std::fs::create_dir_all(root.join("rust")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("Cargo.lock"),
        root.join("rust/Cargo.lock"),
    )
    .unwrap();
    // A file link inside the root is read.
    std::fs::create_dir_all(root.join("php2")).unwrap();
    std::os::unix::fs::symlink(
        root.join("app/composer.lock"),
        root.join("php2/composer.lock"),
    )
    .unwrap();

    let out = vouch(&["sbom", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "warning: rust/Cargo.lock: symbolic link points outside the scanned root; not followed"
        ),
        "{stderr}"
    );
    let cdx: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let components = cdx["components"].as_array().unwrap();
    assert!(
        components
            .iter()
            .all(|c| !c["purl"].as_str().unwrap_or("").starts_with("pkg:cargo/"))
    );
    let composer = components
        .iter()
        .find(|c| {
            c["purl"]
                .as_str()
                .unwrap_or("")
                .starts_with("pkg:composer/")
        })
        .expect("composer packages");
    let occurrences = composer["evidence"]["occurrences"].as_array().unwrap();
    assert_eq!(
        occurrences.len(),
        2,
        "read through the in-root link too: {occurrences:?}"
    );
}

#[test]
fn output_file_is_written_and_missing_path_is_exit_2() {
    let tree = project_tree();
    let out_file = tree.path().join("sbom.cdx.json");
    let out = vouch(&[
        "sbom",
        "-o",
        out_file.to_str().unwrap(),
        tree.path().to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(written["bomFormat"], "CycloneDX");

    let missing = vouch(&["sbom", "/nonexistent/vouch-test"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("cannot inventory /nonexistent/vouch-test"),
        "{stderr}"
    );
}

#[test]
fn scan_prints_a_summary_per_ecosystem_and_file() {
    let tree = project_tree();
    let out = vouch(&["scan", tree.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ecosystem"), "{stdout}");
    for needle in [
        "cargo",
        "npm",
        "pypi",
        "go",
        "rubygems",
        "packagist",
        "rust/Cargo.lock",
        "web/package-lock.json",
    ] {
        assert!(stdout.contains(needle), "missing {needle}: {stdout}");
    }
}
