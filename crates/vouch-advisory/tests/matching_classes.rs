//! The matching classes an independent OSV evaluator disagreed on, each from real advisories
//! (`tests/fixtures/matching-classes/`): upper-case Go module paths, range events not listed in
//! version order, and first-party packages named like registry packages
//! (`tests/fixtures/first-party/`, one lockfile per ecosystem).

use std::path::{Path, PathBuf};

use vouch_advisory::matching::MatchStatus;
use vouch_advisory::{Database, MatchOptions, MatchOutcome, import};
use vouch_inventory::{Component, Ecosystem, FileKind, Inventory, Scope, Source};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn db_of(names: &[&str]) -> Database {
    let paths: Vec<PathBuf> = names
        .iter()
        .map(|n| fixtures().join("matching-classes").join(n))
        .collect();
    let c = import::read_paths(&paths).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(c.records.len(), names.len());
    let mut db = Database::in_memory().unwrap();
    db.import(&c.records).unwrap();
    db
}

fn component(ecosystem: Ecosystem, name: &str, version: &str) -> Component {
    Component {
        ecosystem,
        name: name.into(),
        version: version.into(),
        purl: vouch_purl::Purl::package(ecosystem.purl_type(), name, version).to_string(),
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

/// (name, version, primary id, status) of every match.
fn found(outcome: &MatchOutcome) -> Vec<(String, String, String, MatchStatus)> {
    outcome
        .matches
        .iter()
        .map(|m| {
            (
                m.component.name.clone(),
                m.component.version.clone(),
                m.id.clone(),
                m.status.clone(),
            )
        })
        .collect()
}

fn hit(name: &str, version: &str, id: &str) -> (String, String, String, MatchStatus) {
    (
        name.into(),
        version.into(),
        id.into(),
        MatchStatus::Affected,
    )
}

// ---- Go module paths are case-sensitive ----

#[test]
fn go_module_path_with_upper_case_letters_matches_as_written() {
    let db = db_of(&["GO-2022-0411.json"]);
    let go = |name: &str, version: &str| component(Ecosystem::Go, name, version);
    let components = [
        go("github.com/Masterminds/goutils", "v1.1.0"),
        go("github.com/Masterminds/goutils", "v1.1.1"),
    ];
    // The purl keeps the path's case, so an SBOM written from it names the same module.
    assert_eq!(
        components[0].purl,
        "pkg:golang/github.com/Masterminds/goutils@v1.1.0"
    );
    let out = db
        .match_components(&components, None, &MatchOptions::default())
        .unwrap();
    assert_eq!(
        found(&out),
        vec![hit(
            "github.com/Masterminds/goutils",
            "v1.1.0",
            "GO-2022-0411"
        )]
    );
}

#[test]
fn go_module_paths_are_not_folded_on_one_side() {
    // `github.com/masterminds/goutils` is another module path (Go refuses to mix the two
    // spellings in one build): an advisory for the upper-case path is not about it.
    let db = db_of(&["GO-2022-0411.json"]);
    let out = db
        .match_components(
            &[component(
                Ecosystem::Go,
                "github.com/masterminds/goutils",
                "v1.1.0",
            )],
            None,
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(found(&out), vec![]);
}

// ---- range events in any order ----

#[test]
fn out_of_order_events_apache_iotdb() {
    // PYSEC-2022-42972 lists `introduced: 0.13.0, fixed: 0.14.0rc1, introduced: 0.12.2,
    // fixed: 0.13.0`: 0.12.2–0.12.6 and 0.13.0–0.13.2 are affected ("Apache IoTDB version
    // 0.12.2 to 0.12.6, 0.13.0 to 0.13.2"); `versions` lists only the 0.12 ones, so 0.13.x is
    // affected through the ranges alone.
    let db = db_of(&["PYSEC-2022-42972.yaml"]);
    let versions = [
        "0.12.1",
        "0.12.2",
        "0.12.6",
        "0.13.0",
        "0.13.2",
        "0.14.0rc1",
        "0.14.0",
    ];
    let components: Vec<Component> = versions
        .iter()
        .map(|v| component(Ecosystem::PyPi, "apache-iotdb", v))
        .collect();
    let out = db
        .match_components(&components, None, &MatchOptions::default())
        .unwrap();
    assert_eq!(
        found(&out),
        ["0.12.2", "0.12.6", "0.13.0", "0.13.2"]
            .iter()
            .map(|v| hit("apache-iotdb", v, "PYSEC-2022-42972"))
            .collect::<Vec<_>>()
    );
    // The fix offered for 0.13.0 is the end of its own interval.
    let m = out
        .matches
        .iter()
        .find(|m| m.component.version == "0.13.0")
        .unwrap();
    assert_eq!(m.fixed, vec!["0.14.0rc1".to_string()]);
}

#[test]
fn out_of_order_events_pyspark_ranges_alone() {
    // PYSEC-2022-236's ECOSYSTEM range, as listed (`fixed: 3.1.1` before `introduced: 3.1.1`):
    // [0, 3.1.1) ∪ [3.2.0, 3.2.2) ∪ [3.1.1, 3.1.3). Evaluated without its `versions` list, so
    // the ranges alone decide.
    use vouch_version::Scheme;
    use vouch_version::osv::{Event, Range, RangeType, Verdict, evaluate};
    let range = Range {
        kind: RangeType::Ecosystem,
        events: vec![
            Event::Introduced("0".into()),
            Event::Fixed("3.1.1".into()),
            Event::Introduced("3.2.0".into()),
            Event::Fixed("3.2.2".into()),
            Event::Introduced("3.1.1".into()),
            Event::Fixed("3.1.3".into()),
        ],
    };
    let verdict = |v: &str| evaluate(Scheme::Pep440, v, std::slice::from_ref(&range), &[]);
    for v in ["3.0.3", "3.1.1", "3.1.2", "3.2.0", "3.2.1"] {
        assert_eq!(verdict(v), Verdict::Affected, "{v}");
    }
    for v in ["3.1.3", "3.2.2", "3.3.0"] {
        assert_eq!(verdict(v), Verdict::NotAffected, "{v}");
    }
    // The record itself, with its `versions` list, agrees.
    let db = db_of(&["PYSEC-2022-236.yaml"]);
    let components: Vec<Component> = ["3.1.1", "3.1.3"]
        .iter()
        .map(|v| component(Ecosystem::PyPi, "pyspark", v))
        .collect();
    let out = db
        .match_components(&components, None, &MatchOptions::default())
        .unwrap();
    assert_eq!(found(&out), vec![hit("pyspark", "3.1.1", "PYSEC-2022-236")]);
}

// ---- first-party packages ----

fn inventory(kind: FileKind, dir: &str, file: &str) -> Inventory {
    let bytes = std::fs::read(fixtures().join("first-party").join(dir).join(file)).unwrap();
    let parsed = vouch_inventory::parse(kind, &Source::alone(file, &bytes)).unwrap();
    Inventory::build(
        "test",
        None,
        vec![(file.to_owned(), kind, parsed)],
        Vec::new(),
    )
}

/// (name, version, first_party) of every component.
fn marks(inv: &Inventory) -> Vec<(String, String, bool)> {
    inv.components
        .iter()
        .map(|c| (c.name.clone(), c.version.clone(), c.first_party))
        .collect()
}

fn m(name: &str, version: &str, first_party: bool) -> (String, String, bool) {
    (name.into(), version.into(), first_party)
}

fn matches_of(inv: &Inventory, advisories: &[&str]) -> Vec<(String, String, String, MatchStatus)> {
    let db = db_of(advisories);
    found(
        &db.match_components(&inv.components, None, &MatchOptions::default())
            .unwrap(),
    )
}

#[test]
fn cargo_path_packages_are_first_party_and_never_matched() {
    let inv = inventory(FileKind::CargoLock, "cargo", "Cargo.lock");
    // The root crate `app` is the inventory's subject, not a component.
    let root = inv.root.as_ref().expect("root crate");
    assert_eq!(
        (root.name.as_str(), root.version.as_str(), root.first_party),
        ("app", "0.1.0", true)
    );
    assert_eq!(
        marks(&inv),
        vec![m("smallvec", "0.6.5", true), m("smallvec", "1.6.0", false)]
    );
    // RUSTSEC-2021-0003 affects crates.io smallvec 0.6.3–0.6.13 and 1.0.0–1.6.0: only the
    // registry crate is reported, not the path dependency of the same name.
    assert_eq!(
        matches_of(&inv, &["RUSTSEC-2021-0003.md"]),
        vec![hit("smallvec", "1.6.0", "RUSTSEC-2021-0003")]
    );
}

#[test]
fn npm_workspace_members_are_first_party_and_never_matched() {
    let inv = inventory(FileKind::NpmLock, "npm", "package-lock.json");
    assert_eq!(
        marks(&inv),
        vec![
            m("braces", "1.0.0", true),
            m("braces", "3.0.2", false),
            m("micromatch", "4.0.5", false),
        ]
    );
    assert_eq!(
        matches_of(&inv, &["GHSA-grv7-fg5c-xmjg.json"]),
        vec![hit("braces", "3.0.2", "GHSA-grv7-fg5c-xmjg")]
    );
}

#[test]
fn pnpm_file_packages_are_first_party_and_never_matched() {
    let inv = inventory(FileKind::PnpmLock, "pnpm", "pnpm-lock.yaml");
    assert_eq!(
        marks(&inv),
        vec![
            m("braces", "1.0.0", true),
            m("braces", "3.0.2", false),
            m("fill-range", "7.0.1", false),
        ]
    );
    assert_eq!(
        matches_of(&inv, &["GHSA-grv7-fg5c-xmjg.json"]),
        vec![hit("braces", "3.0.2", "GHSA-grv7-fg5c-xmjg")]
    );
}

#[test]
fn uv_path_dependencies_are_first_party_and_never_matched() {
    let inv = inventory(FileKind::UvLock, "uv", "uv.lock");
    assert_eq!(
        marks(&inv),
        vec![m("requests", "2.30.0", true), m("urllib3", "2.0.6", false)]
    );
    assert_eq!(
        matches_of(&inv, &["PYSEC-2023-74.yaml", "PYSEC-2023-212.yaml"]),
        vec![hit("urllib3", "2.0.6", "PYSEC-2023-212")]
    );
}

#[test]
fn poetry_path_dependencies_are_first_party_and_never_matched() {
    let inv = inventory(FileKind::PoetryLock, "poetry", "poetry.lock");
    assert_eq!(
        marks(&inv),
        vec![m("requests", "2.30.0", true), m("urllib3", "2.0.6", false)]
    );
    assert_eq!(
        matches_of(&inv, &["PYSEC-2023-74.yaml", "PYSEC-2023-212.yaml"]),
        vec![hit("urllib3", "2.0.6", "PYSEC-2023-212")]
    );
}

#[test]
fn the_same_package_from_a_registry_elsewhere_stays_matched() {
    // First-party only when every source says so: a `smallvec 1.6.0` that one lockfile lists
    // from crates.io is matched even if another lists it as a path package.
    let cargo = |source: &str| {
        format!("version = 3\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\n{source}")
    };
    let registry = cargo("source = \"registry+https://github.com/rust-lang/crates.io-index\"\n");
    let path = cargo("");
    let parse = |text: &str| {
        vouch_inventory::parse(
            FileKind::CargoLock,
            &Source::alone("Cargo.lock", text.as_bytes()),
        )
        .unwrap()
    };
    let inv = Inventory::build(
        "test",
        None,
        vec![
            ("a/Cargo.lock".into(), FileKind::CargoLock, parse(&path)),
            ("b/Cargo.lock".into(), FileKind::CargoLock, parse(&registry)),
        ],
        Vec::new(),
    );
    assert_eq!(marks(&inv), vec![m("smallvec", "1.6.0", false)]);
    assert_eq!(
        matches_of(&inv, &["RUSTSEC-2021-0003.md"]),
        vec![hit("smallvec", "1.6.0", "RUSTSEC-2021-0003")]
    );
}
