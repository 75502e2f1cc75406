//! Issue #14, inventory gaps, end to end: a single file as the argument of `sbom` and `vulns`,
//! Maven/Gradle/NuGet/GitHub Actions components in a CycloneDX SBOM with their properties, and
//! the Go standard library matched against Go advisories. The files are the real ones under
//! crates/vouch-inventory/tests/fixtures (SOURCES.md there).

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vouch-inventory/tests/fixtures")
        .join(rel)
}

fn copy(rel: &str, to: &Path) {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::copy(fixture(rel), to).unwrap_or_else(|e| panic!("{rel}: {e}"));
}

fn sbom(path: &Path) -> Output {
    common::vouch()
        .args(["sbom", "--format", "cyclonedx-json"])
        .arg(path)
        .output()
        .unwrap()
}

/// purl → the component, from a CycloneDX document.
fn component<'a>(doc: &'a Value, purl: &str) -> &'a Value {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"] == purl)
        .unwrap_or_else(|| panic!("{purl} not in {}", purls(doc).join("\n")))
}

fn purls(doc: &Value) -> Vec<String> {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_owned))
        .collect()
}

fn property<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    c["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)?["value"]
        .as_str()
}

#[test]
fn sbom_of_a_single_lockfile_is_that_file_alone() {
    let d = tempfile::tempdir().unwrap();
    copy(
        "go/authelia-oauth2-provider.go.mod",
        &d.path().join("go.mod"),
    );
    // Beside it, another lockfile that a directory scan would pick up.
    copy(
        "maven/syft-fixture.gradle.lockfile",
        &d.path().join("gradle.lockfile"),
    );
    let out = sbom(&d.path().join("go.mod"));
    common::assert_exit(&out, 0);
    let text = String::from_utf8(out.stdout).unwrap();
    vouch_test::assert_valid_cyclonedx(&text);
    let doc = common::json(text.as_bytes());
    let all = purls(&doc);
    assert_eq!(all.len(), 30, "{all:?}");
    assert!(all.iter().all(|p| p.starts_with("pkg:golang/")), "{all:?}");
    let stdlib = component(&doc, "pkg:golang/stdlib@1.24.5");
    assert_eq!(stdlib["scope"], "required");
    let sys = component(&doc, "pkg:golang/golang.org/x/sys@v0.34.0");
    assert_eq!(property(sys, "vouch:dependency"), Some("indirect"));
    let crypto = component(&doc, "pkg:golang/golang.org/x/crypto@v0.40.0");
    assert_eq!(property(crypto, "vouch:dependency"), Some("direct"));
    // The same directory scanned whole has both files.
    let out = sbom(d.path());
    common::assert_exit(&out, 0);
    assert_eq!(purls(&common::json(&out.stdout)).len(), 34);
}

#[test]
fn sbom_of_a_file_of_no_known_kind_is_exit_2_naming_it() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("notes.txt");
    std::fs::write(&file, "not a lockfile\n").unwrap();
    let out = sbom(&file);
    common::assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{} is not a lockfile, package database or CI file vouch inventories",
            file.display()
        )),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn vulns_of_a_single_go_mod_matches_the_standard_library() {
    let tmp = tempfile::tempdir().unwrap();
    let advisories = tmp.path().join("advisories");
    std::fs::create_dir_all(&advisories).unwrap();
    let go_vulndb = common::advisory_fixtures().join("advisories/go-vulndb-osv");
    // GO-2025-4014: stdlib fixed in 1.24.8 (affects 1.24.5); GO-2022-0969: fixed in 1.18.6.
    for id in ["GO-2025-4014", "GO-2022-0969"] {
        std::fs::copy(
            go_vulndb.join(format!("{id}.json")),
            advisories.join(format!("{id}.json")),
        )
        .unwrap();
    }
    let db = tmp.path().join("osv.sqlite");
    let vouch = || {
        let mut c = common::vouch();
        c.env("VOUCH_DB", &db);
        c
    };
    let out = vouch()
        .args(["db", "import"])
        .arg(&advisories)
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let project = tmp.path().join("project");
    copy(
        "go/authelia-oauth2-provider.go.mod",
        &project.join("go.mod"),
    );
    let out = vouch()
        .args(["vulns", "--format", "json"])
        .arg(project.join("go.mod"))
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let report = common::json(&out.stdout);
    let findings = report["findings"].as_array().unwrap();
    let ids: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert_eq!(ids, ["GO-2025-4014"], "{report}");
    assert_eq!(findings[0]["location"]["path"], "go.mod");
    assert_eq!(findings[0]["location"]["line"], 5);

    // A toolchain past the fix: nothing found.
    let fixed = std::fs::read_to_string(project.join("go.mod"))
        .unwrap()
        .replace("toolchain go1.24.5", "toolchain go1.24.8");
    std::fs::write(project.join("go.mod"), fixed).unwrap();
    let out = vouch()
        .arg("vulns")
        .arg(project.join("go.mod"))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
}

#[test]
fn sbom_lists_maven_gradle_nuget_and_actions_with_their_properties() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    copy(
        "maven/cyclonedx-maven-plugin.pom.xml",
        &root.join("plugin/pom.xml"),
    );
    copy(
        "maven/syft-fixture.gradle.lockfile",
        &root.join("app/gradle.lockfile"),
    );
    copy(
        "nuget/syft-fixture.packages.lock.json",
        &root.join("dotnet/packages.lock.json"),
    );
    copy(
        "nuget/syft-fixture.dir-example-1.TestLibrary.deps.json",
        &root.join("dotnet/bin/TestLibrary.deps.json"),
    );
    copy(
        "ci/cosign.e2e-tests.yml",
        &root.join(".github/workflows/e2e-tests.yml"),
    );
    let out = sbom(root);
    common::assert_exit(&out, 0);
    let text = String::from_utf8(out.stdout).unwrap();
    vouch_test::assert_valid_cyclonedx(&text);
    let doc = common::json(text.as_bytes());

    // Maven: group and name as CycloneDX writes them, the Maven scope kept.
    let junit = component(&doc, "pkg:maven/junit/junit@4.13.2");
    assert_eq!(junit["group"], "junit");
    assert_eq!(junit["name"], "junit");
    assert_eq!(junit["scope"], "excluded");
    assert_eq!(property(junit, "vouch:maven-scope"), Some("test"));
    // junit 4.12 only in the Gradle lockfile's test configurations.
    let junit412 = component(&doc, "pkg:maven/junit/junit@4.12");
    assert_eq!(junit412["scope"], "excluded");
    assert_eq!(
        property(junit412, "vouch:gradle-configurations"),
        Some("testCompileClasspath,testRuntimeClasspath")
    );
    assert_eq!(
        component(&doc, "pkg:maven/joda-time/joda-time@2.2")["scope"],
        "required"
    );
    // NuGet: direct/transitive and the frameworks; the deps.json packages too.
    let options = component(&doc, "pkg:nuget/Microsoft.Extensions.Options@9.0.0");
    assert_eq!(property(options, "vouch:dependency"), Some("indirect"));
    assert_eq!(
        property(options, "vouch:nuget-target-frameworks"),
        Some("net8.0")
    );
    assert_eq!(options["hashes"][0]["alg"], "SHA-512");
    component(&doc, "pkg:nuget/Serilog@2.10.0");
    // GitHub Actions: pinned or not, the folder as the subpath.
    let checkout = component(
        &doc,
        "pkg:githubactions/actions/checkout@df4cb1c069e1874edd31b4311f1884172cec0e10",
    );
    assert_eq!(property(checkout, "vouch:pinned"), Some("true"));
    let scaffolding = component(
        &doc,
        "pkg:githubactions/sigstore/scaffolding@main#actions/setup",
    );
    assert_eq!(property(scaffolding, "vouch:pinned"), Some("false"));
    assert_eq!(
        scaffolding["evidence"]["occurrences"][0]["location"],
        ".github/workflows/e2e-tests.yml"
    );
    // The same tree as SPDX 2.3: valid, with every purl as a package-manager reference.
    let out = common::vouch()
        .args(["sbom", "--format", "spdx-json"])
        .arg(root)
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let text = String::from_utf8(out.stdout).unwrap();
    vouch_test::assert_valid_spdx(&text);
    assert!(
        text.contains("pkg:githubactions/sigstore/scaffolding@main#actions/setup"),
        "{text}"
    );
    assert!(text.contains("pkg:maven/junit/junit@4.13.2"));
}

#[test]
fn sbom_of_a_yarn_berry_lockfile_alone_takes_scopes_from_the_manifests_beside_it() {
    let out = sbom(&fixture("yarn/trivy-monorepo/yarn.lock"));
    common::assert_exit(&out, 0);
    let doc = common::json(&out.stdout);
    assert_eq!(purls(&doc).len(), 11);
    assert_eq!(
        component(&doc, "pkg:npm/prettier@2.8.8")["scope"],
        "excluded"
    );
    assert_eq!(
        component(&doc, "pkg:npm/prop-types@15.8.1")["scope"],
        "excluded"
    );
    assert_eq!(
        component(&doc, "pkg:npm/loose-envify@1.4.0")["scope"],
        "required"
    );
}

#[test]
fn scan_of_a_single_file_checks_that_file_alone() {
    let d = common::dir_with(&[
        ("Dockerfile", "FROM alpine:latest\n"),
        // Beside it, files every check would report in a directory scan.
        ("other.Dockerfile", "FROM debian:latest\n"),
        (
            "package-lock.json",
            "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"version\": \"1.0.0\"}}}\n",
        ),
    ]);
    let out = common::vouch()
        .args(["scan", "--skip", "vulnerabilities", "--format", "json"])
        .arg(d.path().join("Dockerfile"))
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let report = common::json(&out.stdout);
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{report}");
    let paths: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["location"]["path"].as_str())
        .collect();
    assert!(paths.iter().all(|p| *p == "Dockerfile"), "{paths:?}");
    let rules: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(rules.contains(&"dockerfile-latest-tag"), "{rules:?}");
    assert_eq!(report["complete"], true, "{report}");
}

#[test]
fn vulns_matches_a_maven_dependency_whose_version_is_a_property() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let vouch = || {
        let mut c = common::vouch();
        c.env("VOUCH_DB", &db);
        c
    };
    let out = vouch()
        .args(["db", "import"])
        .arg(common::advisory_fixtures().join("advisories/ghsa-sample"))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let pom = |version: &str| {
        format!(
            "<project>\n  <groupId>org.example</groupId>\n  <artifactId>plugin</artifactId>\n  <version>1.0</version>\n  <properties><jenkins.version>{version}</jenkins.version></properties>\n  <dependencies>\n    <dependency>\n      <groupId>org.jenkins-ci.main</groupId>\n      <artifactId>jenkins-core</artifactId>\n      <version>${{jenkins.version}}</version>\n    </dependency>\n  </dependencies>\n</project>\n"
        )
    };
    let project = tmp.path().join("project");
    common::write(&project, "pom.xml", &pom("2.426.2"));
    let out = vouch()
        .args(["vulns", "--format", "json"])
        .arg(project.join("pom.xml"))
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let report = common::json(&out.stdout);
    let hits: Vec<(&str, &str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        hits.contains(&("GHSA-53ph-2r2x-vqw8", "pom.xml", 7)),
        "{report}"
    );
    // Past the fix of that advisory's first range: it no longer matches.
    common::write(&project, "pom.xml", &pom("2.426.3"));
    let out = vouch()
        .args(["vulns", "--format", "json"])
        .arg(project.join("pom.xml"))
        .output()
        .unwrap();
    let report = common::json(&out.stdout);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule_id"] != "GHSA-53ph-2r2x-vqw8"),
        "{report}"
    );
}

/// GHSA-cxww-7g56-2vh6 as OSV serves it (ecosystem `GitHub Actions`, an ECOSYSTEM range),
/// reduced to the fields matching reads.
const DOWNLOAD_ARTIFACT_ADVISORY: &str = r#"{
  "schema_version": "1.4.0",
  "id": "GHSA-cxww-7g56-2vh6",
  "modified": "2024-09-03T19:57:02Z",
  "published": "2024-09-03T19:57:02Z",
  "aliases": ["CVE-2024-42471"],
  "summary": "@actions/download-artifact has an Arbitrary File Write via artifact extraction",
  "affected": [{
    "package": {"ecosystem": "GitHub Actions", "name": "actions/download-artifact"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "4.0.0"}, {"fixed": "4.1.3"}]}]
  }],
  "database_specific": {"severity": "HIGH"}
}"#;

#[test]
fn vulns_places_a_github_action_ref_in_its_advisory_range() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    common::write(
        tmp.path(),
        "advisories/GHSA-cxww-7g56-2vh6.json",
        DOWNLOAD_ARTIFACT_ADVISORY,
    );
    let vouch = || {
        let mut c = common::vouch();
        c.env("VOUCH_DB", &db);
        c
    };
    let out = vouch()
        .args(["db", "import"])
        .arg(tmp.path().join("advisories"))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let workflow = |refs: &[&str]| {
        let steps: String = refs
            .iter()
            .map(|r| format!("      - uses: actions/download-artifact@{r}\n"))
            .collect();
        format!("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{steps}")
    };
    let project = tmp.path().join("project");
    let run = |refs: &[&str]| {
        common::write(&project, ".github/workflows/ci.yml", &workflow(refs));
        let out = vouch()
            .args(["vulns", "--format", "json"])
            .arg(project.join(".github/workflows/ci.yml"))
            .output()
            .unwrap();
        let report = common::json(&out.stdout);
        let messages: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect();
        (out.status.code(), messages)
    };
    // Inside the range: affected.
    let (code, messages) = run(&["v4.1.2"]);
    assert_eq!(code, Some(1), "{messages:?}");
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0]
            .starts_with("actions/download-artifact v4.1.2 is affected by GHSA-cxww-7g56-2vh6"),
        "{messages:?}"
    );
    // At the fix: nothing.
    let (code, messages) = run(&["v4.1.3"]);
    assert_eq!((code, messages.len()), (Some(0), 0), "{messages:?}");
    // A major tag or a commit cannot be placed in a range: said, never dropped.
    let (code, messages) = run(&["v4"]);
    assert_eq!(code, Some(1));
    assert!(
        messages[0].starts_with(
            "could not evaluate actions/download-artifact v4 against GHSA-cxww-7g56-2vh6"
        ),
        "{messages:?}"
    );
}
