//! `vouch scan` lists npm packages that run install scripts and packages resolved outside the
//! allowed registries, and that listing agrees with the `packages-install-script` and
//! `packages-registry-not-allowed` findings on real lockfiles (slsa-verifier's package-lock v3,
//! sigstore/protobuf-specs' v2, cdxgen's v1 fixture with plain-http `resolved` URLs).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

fn npm_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vouch-inventory/tests/fixtures/npm")
        .join(name)
}

/// Scans a folder holding the fixture as `package-lock.json` (no vulnerability check).
fn scan(fixture: &str) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(npm_fixture(fixture), dir.path().join("package-lock.json")).unwrap();
    let json = common::vouch()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--skip", "vulnerabilities"])
        .output()
        .unwrap();
    let table = common::vouch()
        .arg("scan")
        .arg(dir.path())
        .args(["--skip", "vulnerabilities"])
        .output()
        .unwrap();
    (
        json.status.code().unwrap(),
        common::json(&json.stdout),
        String::from_utf8_lossy(&table.stdout).into_owned(),
    )
}

fn listed(v: &Value, key: &str) -> BTreeSet<String> {
    v["inventory"][key]
        .as_array()
        .unwrap_or_else(|| panic!("no inventory.{key}: {v:#}"))
        .iter()
        .map(|l| {
            format!(
                "{}@{}",
                l["name"].as_str().unwrap(),
                l["version"].as_str().unwrap()
            )
        })
        .collect()
}

/// The `name@version` of every finding of `rule`, from its message.
fn flagged(v: &Value, rule: &str, until: &str) -> BTreeSet<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            let m = f["message"].as_str().unwrap();
            m.split(until).next().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn install_scripts_are_listed_as_the_rule_reports_them() {
    let (code, v, table) = scan("slsa-verifier.package-lock.v3.json");
    // The findings are `low`, below scan's default `--fail-on medium`; the listing never counts.
    assert_eq!(code, 0, "{v:#}");
    let listed = listed(&v, "install_scripts");
    assert_eq!(
        listed,
        [
            "better-sqlite3@9.6.0",
            "core-js-pure@3.37.1",
            "dtrace-provider@0.8.8",
            "re2@1.20.11",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect()
    );
    assert_eq!(
        listed,
        flagged(&v, "packages-install-script", " runs an install script")
    );
    assert!(
        table.contains("npm packages that run an install script (4):\n  better-sqlite3 9.6.0  (package-lock.json:"),
        "{table}"
    );
    assert_eq!(listed_v2(), flagged_v2());
}

fn listed_v2() -> BTreeSet<String> {
    let (_, v, _) = scan("protobuf-specs-hack.package-lock.v2.json");
    let l = listed(&v, "install_scripts");
    assert_eq!(l.len(), 2, "{l:?}");
    l
}

fn flagged_v2() -> BTreeSet<String> {
    let (_, v, _) = scan("protobuf-specs-hack.package-lock.v2.json");
    flagged(&v, "packages-install-script", " runs an install script")
}

#[test]
fn packages_from_outside_the_registries_are_listed_as_the_rule_reports_them() {
    // cdxgen's v1 fixture resolves ten packages from `http://registry.npmjs.org/` — plain HTTP,
    // not the allowed `https://registry.npmjs.org/`.
    let (_, v, table) = scan("cdxgen-fixture.package-lock.v1.json");
    let outside = v["inventory"]["outside_registries"].as_array().unwrap();
    assert!(!outside.is_empty(), "{v:#}");
    for l in outside {
        assert!(
            l["resolved"]
                .as_str()
                .unwrap()
                .starts_with("http://registry.npmjs.org/"),
            "{l}"
        );
    }
    let names: BTreeSet<String> = outside
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        flagged(&v, "packages-registry-not-allowed", " resolves from ")
    );
    assert!(
        table.contains("npm packages resolved outside the allowed registries ("),
        "{table}"
    );
    // v1 lockfiles do not record install scripts: nothing listed, nothing flagged.
    assert_eq!(listed(&v, "install_scripts"), BTreeSet::new());
    assert!(flagged(&v, "packages-install-script", " runs").is_empty());

    // A lockfile whose every package comes from the registry lists nothing.
    let (_, v, _) = scan("slsa-spec.package-lock.v3.json");
    assert_eq!(v["inventory"]["outside_registries"], serde_json::json!([]));
    assert!(flagged(&v, "packages-registry-not-allowed", " resolves").is_empty());
}
