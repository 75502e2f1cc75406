//! Matching real lockfiles and hand-made records; suppressions; output formats.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vouch_advisory::matching::{MatchOptions, MatchStatus};
use vouch_advisory::osv::Record;
use vouch_advisory::suppress::{self, Date, Suppressions};
use vouch_advisory::{Database, MatchOutcome, import};
use vouch_inventory::{
    Component, Distro, Ecosystem, FileKind, Inventory, Scope, Source, SourcePackage,
};
use vouch_report::Severity;
use vouch_report::vulns::render;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn inventory_of(kind: FileKind, file: &str) -> Inventory {
    let bytes = std::fs::read(fixtures().join("lockfiles").join(file)).unwrap();
    let parsed = vouch_inventory::parse(kind, &Source::alone(file, &bytes)).unwrap();
    Inventory::build(
        "test",
        None,
        vec![(file.to_owned(), kind, parsed)],
        Vec::new(),
    )
}

fn db_of(paths: &[PathBuf]) -> Database {
    let c = import::read_paths(paths).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let mut db = Database::in_memory().unwrap();
    db.import(&c.records).unwrap();
    db
}

fn ids(outcome: &MatchOutcome) -> Vec<(String, String, String)> {
    outcome
        .matches
        .iter()
        .map(|m| {
            (
                m.component.name.clone(),
                m.component.version.clone(),
                m.id.clone(),
            )
        })
        .collect()
}

fn t(name: &str, version: &str, id: &str) -> (String, String, String) {
    (name.to_owned(), version.to_owned(), id.to_owned())
}

#[test]
fn cargo_audit_vulnerable_binary_fixture() {
    let inv = inventory_of(
        FileKind::CargoLock,
        "rustsec-fixture.vulnerable-binary.Cargo.lock",
    );
    let db = db_of(&[fixtures().join("advisories/rustsec-crates")]);
    let outcome = db
        .match_components(&inv.components, None, &MatchOptions::default())
        .unwrap();
    // Worked out by hand from each advisory's [versions] (see tests/fixtures/SOURCES.md).
    let expected = vec![
        t("branca", "0.9.2", "RUSTSEC-2020-0075"),
        t("crayon", "0.7.1", "RUSTSEC-2024-0018"),
        t("crossbeam-deque", "0.5.2", "RUSTSEC-2021-0093"),
        t("gix-date", "0.11.1", "RUSTSEC-2025-0140"),
        t("idna", "0.1.5", "RUSTSEC-2024-0421"),
        t("mail-internals", "0.2.3", "RUSTSEC-2023-0054"),
        t("owning_ref", "0.4.1", "RUSTSEC-2022-0040"),
        t("parse_duration", "2.1.1", "RUSTSEC-2021-0041"),
        t("ruint", "1.16.0", "RUSTSEC-2025-0137"),
        t("ruint", "1.16.0", "RUSTSEC-2026-0220"),
        t("rustc-serialize", "0.3.25", "RUSTSEC-2022-0004"),
        t("sequoia-openpgp", "2.0.0", "RUSTSEC-2025-0136"),
        t("time", "0.2.22", "RUSTSEC-2020-0071"),
        t("whoami", "1.4.1", "RUSTSEC-2024-0020"),
        t("zlib-rs", "0.3.1", "RUSTSEC-2024-0401"),
    ];
    assert_eq!(ids(&outcome), expected);
    assert!(
        outcome
            .matches
            .iter()
            .all(|m| m.status == MatchStatus::Affected)
    );
    let time = outcome
        .matches
        .iter()
        .find(|m| m.id == "RUSTSEC-2020-0071")
        .unwrap();
    assert_eq!(time.fixed, vec!["0.2.23".to_string()]);
    assert_eq!(
        time.aliases,
        vec![
            "CVE-2020-26235".to_string(),
            "GHSA-wcg3-cvx6-7396".to_string()
        ]
    );
    assert_eq!(
        time.finding.location.as_ref().unwrap().path,
        "rustsec-fixture.vulnerable-binary.Cargo.lock"
    );

    // Informational advisories only on request; the withdrawn xml-rs one never.
    let info = db
        .match_components(
            &inv.components,
            None,
            &MatchOptions {
                informational: true,
            },
        )
        .unwrap();
    let extra: Vec<_> = ids(&info)
        .into_iter()
        .filter(|x| !expected.contains(x))
        .collect();
    assert!(
        extra.contains(&t("cgmath", "0.16.1", "RUSTSEC-2026-0196")),
        "{extra:?}"
    );
    assert!(
        !extra.iter().any(|x| x.2 == "RUSTSEC-2022-0048"),
        "withdrawn advisory matched"
    );
    assert!(
        info.matches
            .iter()
            .filter(|m| m.informational.is_some())
            .all(|m| m.severity == Severity::Info)
    );
}

#[test]
fn osv_scanner_with_insecure_composer_fixture() {
    let inv = inventory_of(
        FileKind::ComposerLock,
        "osv-scanner-fixture.locks-many-with-insecure.composer.lock",
    );
    let db = db_of(&[
        fixtures().join("packagist"),
        fixtures().join("advisories/ghsa-sample"),
    ]);
    let outcome = db
        .match_components(&inv.components, None, &MatchOptions::default())
        .unwrap();
    assert_eq!(
        ids(&outcome),
        vec![t("league/flysystem", "1.0.8", "GHSA-9f46-5r25-5wfm")]
    );
    let m = &outcome.matches[0];
    assert_eq!(m.aliases, vec!["CVE-2021-32708".to_string()]);
    assert_eq!(m.fixed, vec!["1.1.4".to_string()]);
    assert_eq!(m.severity, Severity::Critical);
    assert_eq!(m.finding.rule_id, "GHSA-9f46-5r25-5wfm");
}

fn record(v: Value) -> Record {
    Record::from_value(v).unwrap()
}

fn component(eco: Ecosystem, name: &str, version: &str) -> Component {
    Component {
        ecosystem: eco,
        name: name.into(),
        version: version.into(),
        purl: format!("pkg:{}/{}@{}", eco.purl_type(), name, version),
        scope: Scope::Required,
        hashes: vec![],
        licenses: vec![],
        source_package: None,
        resolved: None,
        evidence: vec![],
        dependencies: vec![],
        first_party: false,
        properties: Default::default(),
    }
}

fn pypi(id: &str, aliases: &[&str], fixed: &str) -> Record {
    record(json!({
        "id": id, "modified": "2024-01-01T00:00:00Z", "aliases": aliases,
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Jinja2"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}],
        "database_specific": {"severity": "MODERATE"}
    }))
}

#[test]
fn aliases_merge_into_one_finding() {
    let mut db = Database::in_memory().unwrap();
    db.import(&[
        pypi("PYSEC-2024-1", &["CVE-2024-1"], "3.1.3"),
        pypi("GHSA-aaaa-bbbb-cccc", &["CVE-2024-1"], "3.1.3"),
        pypi("GHSA-dddd-eeee-ffff", &[], "3.1.4"),
    ])
    .unwrap();
    let c = component(Ecosystem::PyPi, "jinja2", "3.1.2");
    let out = db
        .match_components(&[c], None, &MatchOptions::default())
        .unwrap();
    assert_eq!(out.matches.len(), 2);
    let merged = &out.matches[0];
    assert_eq!(merged.id, "GHSA-aaaa-bbbb-cccc");
    assert_eq!(
        merged.ids,
        vec![
            "GHSA-aaaa-bbbb-cccc".to_string(),
            "PYSEC-2024-1".to_string()
        ]
    );
    assert_eq!(merged.aliases, vec!["CVE-2024-1".to_string()]);
    assert_eq!(merged.severity, Severity::Medium);
    assert_eq!(out.matches[1].id, "GHSA-dddd-eeee-ffff");
}

#[test]
fn withdrawn_advisories_are_kept_but_never_matched() {
    let mut db = Database::in_memory().unwrap();
    let mut r = pypi("GHSA-wwww-wwww-wwww", &[], "9.0");
    r.advisory.withdrawn = Some("2024-02-01T00:00:00Z".into());
    r.json["withdrawn"] = json!("2024-02-01T00:00:00Z");
    db.import(&[r]).unwrap();
    assert_eq!(db.status().unwrap().withdrawn, 1);
    let out = db
        .match_components(
            &[component(Ecosystem::PyPi, "jinja2", "1.0")],
            None,
            &MatchOptions::default(),
        )
        .unwrap();
    assert!(out.matches.is_empty());
}

#[test]
fn uncomparable_version_is_reported_as_could_not_evaluate() {
    let mut db = Database::in_memory().unwrap();
    db.import(&[pypi("GHSA-aaaa-bbbb-cccc", &[], "3.1.3")])
        .unwrap();
    let out = db
        .match_components(
            &[component(Ecosystem::PyPi, "jinja2", "not a version!")],
            None,
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(out.matches.len(), 1);
    assert!(
        matches!(&out.matches[0].status, MatchStatus::CouldNotEvaluate(why) if why.contains("cannot order the version"))
    );
    assert!(
        out.matches[0]
            .finding
            .message
            .starts_with("could not evaluate jinja2 not a version! against GHSA-aaaa-bbbb-cccc")
    );
    assert!(out.matches[0].finding.suppressed.is_none());
}

#[test]
fn distro_releases_and_source_packages() {
    let mut db = Database::in_memory().unwrap();
    let deb = |id: &str, release: &str, fixed: &str| {
        record(json!({"id": id, "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": format!("Debian:{release}"), "name": "openssl"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]}))
    };
    db.import(&[
        deb("DSA-1", "12", "3.0.11-1~deb12u2"),
        deb("DSA-2", "11", "9.9"),
        record(json!({"id": "ALPINE-1", "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "Alpine:v3.18", "name": "openssl"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.4-r1"}]}]}]})),
    ])
    .unwrap();
    // Binary package libssl3, built from source openssl.
    let mut c = component(Ecosystem::Debian, "libssl3", "3.0.11-1~deb12u1");
    c.source_package = Some(SourcePackage {
        name: "openssl".into(),
        version: "3.0.11-1~deb12u1".into(),
    });
    let debian12 = Distro {
        id: "debian".into(),
        version_id: Some("12".into()),
        codename: None,
        pretty_name: None,
    };
    let out = db
        .match_components(
            std::slice::from_ref(&c),
            Some(&debian12),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(ids(&out), vec![t("libssl3", "3.0.11-1~deb12u1", "DSA-1")]);
    assert_eq!(out.matches[0].fixed, vec!["3.0.11-1~deb12u2".to_string()]);

    let mut a = component(Ecosystem::Alpine, "libssl3", "3.1.4-r0");
    a.source_package = Some(SourcePackage {
        name: "openssl".into(),
        version: "3.1.4-r0".into(),
    });
    let alpine = Distro {
        id: "alpine".into(),
        version_id: Some("3.18.4".into()),
        codename: None,
        pretty_name: None,
    };
    let out = db
        .match_components(
            std::slice::from_ref(&a),
            Some(&alpine),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(ids(&out), vec![t("libssl3", "3.1.4-r0", "ALPINE-1")]);
    let alpine319 = Distro {
        version_id: Some("3.19.0".into()),
        ..alpine
    };
    let out = db
        .match_components(&[a], Some(&alpine319), &MatchOptions::default())
        .unwrap();
    assert!(out.matches.is_empty());
    // Not "clean": the database holds no Alpine:v3.19 line, so the package was not checked.
    assert_eq!(
        out.not_checked
            .iter()
            .map(|n| n.reason.as_str())
            .collect::<Vec<_>>(),
        [
            "1 Alpine package not checked: the advisory database holds no Alpine:v3.19 advisories \
          (it holds Alpine:v3.18); import that release's advisories"
        ]
    );
}

fn flysystem_outcome() -> MatchOutcome {
    let db = db_of(&[fixtures().join("packagist")]);
    let mut c = component(Ecosystem::Packagist, "league/flysystem", "1.0.8");
    c.evidence.push(vouch_inventory::Evidence {
        path: "composer.lock".into(),
        kind: vouch_inventory::SourceKind::Lockfile,
        line: None,
    });
    db.match_components(&[c], None, &MatchOptions::default())
        .unwrap()
}

fn vex(status: &str, product: &str, extra: Value) -> Vec<suppress::VexStatement> {
    let mut statement = json!({
        "vulnerability": {"name": "CVE-2021-32708"},
        "products": [{"@id": product}],
        "status": status,
    });
    if let (Some(s), Some(e)) = (statement.as_object_mut(), extra.as_object()) {
        s.extend(e.clone());
    }
    let doc = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.invalid/vex/1",
        "author": "test",
        "timestamp": "2024-01-01T00:00:00Z",
        "version": 1,
        "statements": [statement],
    });
    suppress::parse_vex("vex.json", doc.to_string().as_bytes(), 0).unwrap()
}

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 22,
};

#[test]
fn openvex_not_affected_and_fixed_suppress() {
    for (status, product) in [
        ("not_affected", "pkg:composer/league/flysystem"),
        ("not_affected", "pkg:composer/league/flysystem@1.0.8"),
        ("fixed", "pkg:composer/league/flysystem@1.0.8"),
    ] {
        let mut out = flysystem_outcome();
        let s = Suppressions {
            vex: vex(
                status,
                product,
                json!({"justification": "vulnerable_code_not_in_execute_path"}),
            ),
            ignore: vec![],
        };
        s.apply(&mut out.matches, TODAY);
        let sup = out.matches[0]
            .finding
            .suppressed
            .as_ref()
            .unwrap_or_else(|| panic!("{status} {product}"));
        assert_eq!(sup.kind, "vex");
        assert!(sup.reason.contains(status), "{}", sup.reason);
    }
    for (status, product) in [
        ("affected", "pkg:composer/league/flysystem@1.0.8"),
        ("under_investigation", "pkg:composer/league/flysystem"),
        ("not_affected", "pkg:composer/league/flysystem@1.0.9"),
        ("not_affected", "pkg:composer/other/flysystem"),
    ] {
        let mut out = flysystem_outcome();
        let s = Suppressions {
            vex: vex(
                status,
                product,
                json!({"justification": "vulnerable_code_not_present"}),
            ),
            ignore: vec![],
        };
        s.apply(&mut out.matches, TODAY);
        assert!(
            out.matches[0].finding.suppressed.is_none(),
            "{status} {product}"
        );
    }
    let err = suppress::parse_vex("v.json", br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"X"},"products":[],"status":"not_affected"}]}"#, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "v.json: not an OpenVEX document: statements[0]: status `not_affected` needs a `justification` or an `impact_statement`"
    );
}

#[test]
fn ignore_file_entries_and_expiry() {
    let text = r#"
[[ignore]]
id = "CVE-2021-32708"
purl = "pkg:composer/league/flysystem"
reason = "uploads are not user-controlled"
expires = 2026-12-31
"#;
    let entries = suppress::parse_ignore(".vouch/ignore.toml", text).unwrap();
    let mut out = flysystem_outcome();
    let expired = Suppressions {
        vex: vec![],
        ignore: entries.clone(),
    }
    .apply(&mut out.matches, TODAY);
    assert!(expired.is_empty());
    assert_eq!(
        out.matches[0].finding.suppressed.as_ref().unwrap().kind,
        "ignore-file"
    );

    let later = Date {
        year: 2027,
        month: 1,
        day: 1,
    };
    let mut out = flysystem_outcome();
    let expired = Suppressions {
        vex: vec![],
        ignore: entries,
    }
    .apply(&mut out.matches, later);
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].expires, "2026-12-31");
    assert!(out.matches[0].finding.suppressed.is_none());

    let err = suppress::parse_ignore("i.toml", "[[ignore]]\nid = \"X\"\nexpires = 2026-01-01\n")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "i.toml: ignore entry 1 (line 1): `reason` is required"
    );
    let err =
        suppress::parse_ignore("i.toml", "[[ignore]]\nid = \"X\"\nreason = \"r\"\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "i.toml: ignore entry 1 (line 1): `expires` (YYYY-MM-DD) is required"
    );
    let err = suppress::parse_ignore(
        "i.toml",
        "[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = \"2026-02-30\"\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "i.toml: ignore entry 1 (line 1): `expires` is not a date (YYYY-MM-DD)"
    );
}

#[test]
fn date_from_unix_seconds() {
    assert_eq!(
        Date::from_unix_seconds(0),
        Date {
            year: 1970,
            month: 1,
            day: 1
        }
    );
    assert_eq!(
        Date::from_unix_seconds(1_700_000_000),
        Date {
            year: 2023,
            month: 11,
            day: 14
        }
    );
    assert_eq!(
        Date::from_unix_seconds(951_782_400),
        Date {
            year: 2000,
            month: 2,
            day: 29
        }
    );
}

#[test]
fn outputs_record_the_digest() {
    let out = flysystem_outcome();
    let j: Value = serde_json::from_str(&render::json(&out, &[], "0.1.0")).unwrap();
    assert_eq!(j["database"]["digest"], json!(out.db_digest));
    assert_eq!(j["findings"][0]["rule_id"], json!("GHSA-9f46-5r25-5wfm"));
    let sarif: Value = serde_json::from_str(&render::sarif(&out, "0.1.0")).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["vouch-advisory-db-digest"],
        json!(out.db_digest)
    );
    let table = render::table(&out, &[]);
    assert!(
        table.contains("league/flysystem 1.0.8 [packagist]"),
        "{table}"
    );
    assert!(
        table.contains("critical GHSA-9f46-5r25-5wfm (CVE-2021-32708)  fixed in 1.1.4"),
        "{table}"
    );
}

#[test]
fn gitlab_dependency_scanning_report() {
    let out = flysystem_outcome();
    let g: Value =
        serde_json::from_str(&render::gitlab(&out, "0.1.0", "2026-11-22T00:00:00")).unwrap();
    assert_eq!(g["version"], json!("15.0.7"));
    assert_eq!(g["scan"]["type"], json!("dependency_scanning"));
    let v = &g["vulnerabilities"][0];
    assert_eq!(v["severity"], json!("Critical"));
    assert_eq!(v["location"]["file"], json!("composer.lock"));
    assert_eq!(
        v["location"]["dependency"]["package"]["name"],
        json!("league/flysystem")
    );
    assert_eq!(v["location"]["dependency"]["version"], json!("1.0.8"));
    assert_eq!(v["identifiers"][0]["value"], json!("GHSA-9f46-5r25-5wfm"));
    assert_eq!(v["identifiers"][1]["type"], json!("cve"));
    assert_eq!(v["solution"], json!("Upgrade league/flysystem to 1.1.4"));
}

#[test]
fn cyclonedx_vulnerabilities_validate_against_the_1_6_schema() {
    let mut out = flysystem_outcome();
    let doc = render::cyclonedx(&out, "0.1.0");
    assert_eq!(vouch_test::cyclonedx_errors(&doc), Vec::<String>::new());
    let v: Value = serde_json::from_str(&doc).unwrap();
    let vuln = &v["vulnerabilities"][0];
    assert_eq!(vuln["id"], json!("GHSA-9f46-5r25-5wfm"));
    assert_eq!(
        vuln["affects"][0]["ref"],
        json!("pkg:composer/league/flysystem@1.0.8")
    );
    assert_eq!(
        vuln["recommendation"],
        json!("Upgrade league/flysystem to 1.1.4")
    );
    assert_eq!(
        v["metadata"]["properties"][0]["value"],
        json!(out.db_digest)
    );

    // Suppressed by VEX: an analysis with the mapped justification, still schema-valid.
    let s = Suppressions {
        vex: vex(
            "not_affected",
            "pkg:composer/league/flysystem",
            json!({"justification": "vulnerable_code_not_in_execute_path"}),
        ),
        ignore: vec![],
    };
    s.apply(&mut out.matches, TODAY);
    let doc = render::cyclonedx(&out, "0.1.0");
    assert_eq!(vouch_test::cyclonedx_errors(&doc), Vec::<String>::new());
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(
        v["vulnerabilities"][0]["analysis"]["state"],
        json!("not_affected")
    );
    assert_eq!(
        v["vulnerabilities"][0]["analysis"]["justification"],
        json!("code_not_reachable")
    );
}
