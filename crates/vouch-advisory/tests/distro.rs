//! Distro (OS) advisories: the Debian Security Tracker JSON, Alpine secdb (JSON and YAML) and OSV
//! distro records imported, told apart by content, merged per release, and matched against OS
//! packages with the distro's version order and release; releases the database does not cover
//! are not checked.

use std::path::{Path, PathBuf};

use vouch_advisory::osv::RecordError;
use vouch_advisory::{Database, MatchOptions, MatchOutcome, import};
use vouch_inventory::{Component, Distro, Ecosystem, Evidence, Scope, SourceKind, SourcePackage};

fn os() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/os")
}

fn db_of(paths: &[PathBuf]) -> Database {
    let c = import::read_paths(paths).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let mut db = Database::in_memory().unwrap();
    db.import(&c.records).unwrap();
    db
}

fn os_package(
    eco: Ecosystem,
    name: &str,
    version: &str,
    source: Option<(&str, &str)>,
) -> Component {
    Component {
        ecosystem: eco,
        name: name.into(),
        version: version.into(),
        purl: format!("pkg:{}/{name}@{version}", eco.purl_type()),
        scope: Scope::Required,
        hashes: vec![],
        licenses: vec![],
        source_package: source.map(|(n, v)| SourcePackage {
            name: n.into(),
            version: v.into(),
        }),
        resolved: None,
        evidence: vec![Evidence {
            path: "var/lib/dpkg/status".into(),
            kind: SourceKind::Installed,
            line: None,
        }],
        dependencies: vec![],
        first_party: false,
        properties: Default::default(),
    }
}

fn distro(id: &str, version: Option<&str>, codename: Option<&str>) -> Distro {
    Distro {
        id: id.into(),
        version_id: version.map(str::to_owned),
        codename: codename.map(str::to_owned),
        pretty_name: None,
    }
}

fn found(o: &MatchOutcome) -> Vec<(String, String, Vec<String>)> {
    o.matches
        .iter()
        .map(|m| (m.component.name.clone(), m.id.clone(), m.fixed.clone()))
        .collect()
}

fn problems(file: &str) -> Vec<RecordError> {
    let c = import::read_paths(&[os().join("bad").join(file)]).unwrap();
    c.problems.into_iter().map(|p| p.error).collect()
}

fn s(v: &str) -> String {
    v.to_owned()
}

#[test]
fn debian_tracker_json_becomes_one_record_per_cve_with_its_releases() {
    let c = import::read_paths(&[os().join("debian-tracker/vunnel-debian.json")]).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let ids: Vec<&str> = c.records.iter().map(|r| r.advisory.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "DEBIAN-CVE-2005-3111",
            "DEBIAN-CVE-2007-2383",
            "DEBIAN-CVE-2008-7220",
            "DEBIAN-CVE-2013-1444",
            // chromium-browser: `"releases": []` (the tracker's empty map), no affected entry.
            "DEBIAN-CVE-2022-0358",
            "DEBIAN-CVE-2022-0456",
            "DEBIAN-CVE-2025-53603"
        ]
    );
    // `fixed_version: "0"` in every release: never affected, so no affected entry at all.
    let never = &c.records[1].advisory;
    assert!(never.affected.is_empty());
    assert_eq!(never.aliases, ["CVE-2007-2383"]);
    // chromium: fixed in bookworm and bullseye, open (every version) in buster and stretch.
    assert!(c.records[4].advisory.affected.is_empty());
    let chromium = &c.records[5].advisory;
    type Line = (String, Vec<(Option<String>, Option<String>)>);
    let lines: Vec<Line> = chromium
        .affected
        .iter()
        .map(|a| {
            (
                a.package.as_ref().unwrap().ecosystem.clone(),
                a.ranges[0]
                    .events
                    .iter()
                    .map(|e| (e.introduced.clone(), e.fixed.clone()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (
                s("Debian:12"),
                vec![(Some(s("0")), None), (None, Some(s("98.0.4758.80-1")))]
            ),
            (
                s("Debian:11"),
                vec![
                    (Some(s("0")), None),
                    (None, Some(s("98.0.4758.80-1~deb11u1")))
                ]
            ),
            (s("Debian:10"), vec![(Some(s("0")), None)]),
            (
                s("Debian:sid"),
                vec![(Some(s("0")), None), (None, Some(s("98.0.4758.80-1")))]
            ),
            (s("Debian:9"), vec![(Some(s("0")), None)]),
        ]
    );
}

#[test]
fn the_format_is_told_by_content_not_by_name() {
    // The tracker's own download is named `json`, without an extension.
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(os().join("debian-tracker/glibc-CVE-2023-4911.json")).unwrap();
    std::fs::write(dir.path().join("json"), &bytes).unwrap();
    // An Alpine secdb document named like an OSV record.
    let secdb = std::fs::read(os().join("alpine-secdb-json/v3.10/community.json")).unwrap();
    std::fs::write(dir.path().join("ALPINE-1.json"), &secdb).unwrap();
    let c = import::read_paths(&[
        dir.path().join("json"),
        dir.path().join("ALPINE-1.json"),
        os().join("alpine-secdb/v3.15/main.yaml"),
        os().join("debian-osv/DSA-3029-1.json"),
    ])
    .unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let ids: Vec<&str> = c.records.iter().map(|r| r.advisory.id.as_str()).collect();
    assert!(ids.contains(&"DEBIAN-CVE-2023-4911"), "{ids:?}");
    assert!(ids.contains(&"ALPINE-CVE-2018-20187"), "{ids:?}");
    assert!(ids.contains(&"ALPINE-CVE-2022-37434"), "{ids:?}");
    assert!(ids.contains(&"DSA-3029-1"), "{ids:?}");
    assert_eq!(c.files, 4);
}

#[test]
fn alpine_secdb_yaml_and_json_give_alpine_release_records() {
    let c =
        import::read_paths(&[os().join("alpine-secdb"), os().join("alpine-secdb-json")]).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let zlib = c
        .records
        .iter()
        .find(|r| r.advisory.id == "ALPINE-CVE-2022-37434")
        .unwrap();
    assert_eq!(zlib.advisory.aliases, ["CVE-2022-37434"]);
    let a = &zlib.advisory.affected[0];
    let p = a.package.as_ref().unwrap();
    assert_eq!(
        (p.ecosystem.as_str(), p.name.as_str()),
        ("Alpine:v3.15", "zlib")
    );
    assert_eq!(a.ranges[0].events[1].fixed.as_deref(), Some("1.2.12-r2"));
    // JSON form (claircore): v3.10 community.
    let botan = c
        .records
        .iter()
        .find(|r| r.advisory.id == "ALPINE-CVE-2018-9860")
        .unwrap();
    assert_eq!(
        botan.advisory.affected[0]
            .package
            .as_ref()
            .unwrap()
            .ecosystem,
        "Alpine:v3.10"
    );
}

#[test]
fn osv_distro_records_import_and_dla_without_affected_matches_nothing() {
    let db = db_of(&[os().join("debian-osv")]);
    assert_eq!(db.advisory_count().unwrap(), 2);
    let nginx = os_package(Ecosystem::Debian, "nginx", "1.2.1-2.2+wheezy2", None);
    let wheezy = distro("debian", Some("7"), Some("wheezy"));
    let out = db
        .match_components(
            std::slice::from_ref(&nginx),
            Some(&wheezy),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(
        found(&out),
        [(s("nginx"), s("DSA-3029-1"), vec![s("1.2.1-2.2+wheezy3")])]
    );
    assert!(out.not_checked.is_empty());
    // The fixed version installed: not reported.
    let fixed = os_package(Ecosystem::Debian, "nginx", "1.2.1-2.2+wheezy3", None);
    let out = db
        .match_components(&[fixed], Some(&wheezy), &MatchOptions::default())
        .unwrap();
    assert!(out.matches.is_empty());
    // DLA-3623-1 (`"affected": []`, `upstream`) is stored and names no package.
    let linux = os_package(Ecosystem::Debian, "linux", "4.19.0-1", None);
    let out = db
        .match_components(&[linux], Some(&wheezy), &MatchOptions::default())
        .unwrap();
    assert!(out.matches.is_empty());
}

#[test]
fn binary_packages_match_through_their_source_package_in_their_release_only() {
    let db = db_of(&[os().join("debian-tracker")]);
    let libc6 = os_package(
        Ecosystem::Debian,
        "libc6",
        "2.36-9+deb12u1",
        Some(("glibc", "2.36-9+deb12u1")),
    );
    let bookworm = distro("debian", Some("12"), Some("bookworm"));
    let out = db
        .match_components(
            std::slice::from_ref(&libc6),
            Some(&bookworm),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(
        found(&out),
        [(
            s("libc6"),
            s("DEBIAN-CVE-2023-4911"),
            vec![s("2.36-9+deb12u3")]
        )]
    );
    assert_eq!(out.matches[0].aliases, ["CVE-2023-4911"]);
    // Debian's own order: the fix with its `+deb12u3` revision installed is not affected.
    let patched = os_package(
        Ecosystem::Debian,
        "libc6",
        "2.36-9+deb12u3",
        Some(("glibc", "2.36-9+deb12u3")),
    );
    let out = db
        .match_components(&[patched], Some(&bookworm), &MatchOptions::default())
        .unwrap();
    assert!(out.matches.is_empty(), "{:?}", found(&out));
    // bullseye: `fixed_version: "0"` (never affected); the database covers Debian:11 through the
    // other records, so the package was checked.
    let bullseye = distro("debian", Some("11"), Some("bullseye"));
    let old = os_package(
        Ecosystem::Debian,
        "libc6",
        "2.31-13+deb11u5",
        Some(("glibc", "2.31-13+deb11u5")),
    );
    let out = db
        .match_components(&[old], Some(&bullseye), &MatchOptions::default())
        .unwrap();
    assert!(out.matches.is_empty());
    assert!(out.not_checked.is_empty(), "{:?}", out.not_checked);
    // Testing without VERSION_ID: placed by its codename (trixie = Debian:13).
    let trixie = distro("debian", None, Some("trixie"));
    let out = db
        .match_components(&[libc6], Some(&trixie), &MatchOptions::default())
        .unwrap();
    assert_eq!(
        found(&out),
        [(s("libc6"), s("DEBIAN-CVE-2023-4911"), vec![s("2.37-12")])]
    );
}

#[test]
fn open_status_is_affected_at_every_version_without_a_fix() {
    let db = db_of(&[os().join("debian-tracker/vunnel-debian.json")]);
    let chromium = os_package(Ecosystem::Debian, "chromium", "200.0-1", None);
    let buster = distro("debian", Some("10"), Some("buster"));
    let out = db
        .match_components(
            std::slice::from_ref(&chromium),
            Some(&buster),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(
        found(&out),
        [(s("chromium"), s("DEBIAN-CVE-2022-0456"), vec![])]
    );
    // bookworm has a fix below 200.0: not affected.
    let bookworm = distro("debian", Some("12"), Some("bookworm"));
    let out = db
        .match_components(&[chromium], Some(&bookworm), &MatchOptions::default())
        .unwrap();
    assert!(out.matches.is_empty());
}

#[test]
fn a_release_the_database_does_not_cover_is_not_checked() {
    let db = db_of(&[os().join("debian-tracker"), os().join("alpine-secdb")]);
    let libc6 = os_package(
        Ecosystem::Debian,
        "libc6",
        "2.19-18",
        Some(("glibc", "2.19-18")),
    );
    let wheezy = distro("debian", Some("7"), Some("wheezy"));
    let out = db
        .match_components(
            std::slice::from_ref(&libc6),
            Some(&wheezy),
            &MatchOptions::default(),
        )
        .unwrap();
    assert!(out.matches.is_empty());
    assert_eq!(out.components, 0);
    assert_eq!(out.not_checked.len(), 1);
    assert_eq!(out.not_checked[0].check, "vulnerabilities");
    assert_eq!(
        out.not_checked[0].path.as_deref(),
        Some("var/lib/dpkg/status")
    );
    assert_eq!(
        out.not_checked[0].reason,
        "1 Debian package not checked: the advisory database holds no Debian:7 advisories \
         (it holds Debian:10, Debian:11, Debian:12, Debian:13, Debian:8, Debian:9, Debian:sid); \
         import that release's advisories"
    );
    // Alpine 3.19 against a database of v3.15 only.
    let zlib = os_package(
        Ecosystem::Alpine,
        "zlib",
        "1.2.11-r0",
        Some(("zlib", "1.2.11-r0")),
    );
    let alpine319 = distro("alpine", Some("3.19.1"), None);
    let out = db
        .match_components(
            std::slice::from_ref(&zlib),
            Some(&alpine319),
            &MatchOptions::default(),
        )
        .unwrap();
    assert!(out.matches.is_empty());
    assert_eq!(
        out.not_checked[0].reason,
        "1 Alpine package not checked: the advisory database holds no Alpine:v3.19 advisories \
         (it holds Alpine:v3.15); import that release's advisories"
    );
    // The same package on v3.15: both zlib fixes above it are reported, in apk order.
    let alpine315 = distro("alpine", Some("3.15.4"), None);
    let out = db
        .match_components(&[zlib], Some(&alpine315), &MatchOptions::default())
        .unwrap();
    assert_eq!(
        found(&out),
        [
            (s("zlib"), s("ALPINE-CVE-2018-25032"), vec![s("1.2.12-r0")]),
            (s("zlib"), s("ALPINE-CVE-2022-37434"), vec![s("1.2.12-r2")]),
        ]
    );
    assert!(out.not_checked.is_empty());
    // No release at all (no os-release): not checked, never matched against every release.
    let out = db
        .match_components(&[libc6], None, &MatchOptions::default())
        .unwrap();
    assert!(out.matches.is_empty());
    assert!(
        out.not_checked[0]
            .reason
            .starts_with("1 Debian package not checked: the distribution release is unknown"),
        "{:?}",
        out.not_checked
    );
}

#[test]
fn apk_revision_order_decides_the_fixed_version() {
    let db = db_of(&[os().join("alpine-secdb")]);
    let alpine315 = distro("alpine", Some("3.15.0"), None);
    // 1.2.12-r1 is past the first fix (-r0) but before the second (-r2).
    let zlib = os_package(
        Ecosystem::Alpine,
        "zlib",
        "1.2.12-r1",
        Some(("zlib", "1.2.12-r1")),
    );
    let out = db
        .match_components(&[zlib], Some(&alpine315), &MatchOptions::default())
        .unwrap();
    assert_eq!(
        found(&out),
        [(s("zlib"), s("ALPINE-CVE-2022-37434"), vec![s("1.2.12-r2")])]
    );
    let fixed = os_package(
        Ecosystem::Alpine,
        "zlib",
        "1.2.12-r2",
        Some(("zlib", "1.2.12-r2")),
    );
    let out = db
        .match_components(&[fixed], Some(&alpine315), &MatchOptions::default())
        .unwrap();
    assert!(out.matches.is_empty());
}

#[test]
fn feed_records_of_one_id_merge_release_by_release() {
    let mut db = Database::in_memory().unwrap();
    let v315 = import::read_paths(&[os().join("alpine-secdb/v3.15/main.yaml")]).unwrap();
    db.import(&v315.records).unwrap();
    // The same advisory from another release's file adds a line, it does not replace the record.
    let v316 = br#"{"distroversion": "v3.16", "reponame": "main", "packages": [
        {"pkg": {"name": "zlib", "secfixes": {"1.2.12-r3": ["CVE-2022-37434"]}}}]}"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.json"), v316).unwrap();
    let more = import::read_paths(&[dir.path().join("main.json")]).unwrap();
    assert!(more.problems.is_empty(), "{:?}", more.problems);
    let summary = db.import(&more.records).unwrap();
    assert_eq!(summary.written, 1);
    for (release, installed, fixed) in [
        ("3.15.1", "1.2.12-r1", "1.2.12-r2"),
        ("3.16.0", "1.2.12-r2", "1.2.12-r3"),
    ] {
        let zlib = os_package(Ecosystem::Alpine, "zlib", installed, None);
        let out = db
            .match_components(
                &[zlib],
                Some(&distro("alpine", Some(release), None)),
                &MatchOptions::default(),
            )
            .unwrap();
        assert_eq!(
            found(&out),
            [(s("zlib"), s("ALPINE-CVE-2022-37434"), vec![s(fixed)])],
            "{release}"
        );
    }
    // Importing the same file again changes nothing.
    let again = db.import(&more.records).unwrap();
    assert_eq!((again.written, again.unchanged), (0, 1));
    // A newer v3.15 file replaces what the older one said about v3.15 zlib, and keeps v3.16.
    let v315b = br#"{"distroversion": "v3.15", "packages": [
        {"pkg": {"name": "zlib", "secfixes": {"1.2.12-r5": ["CVE-2022-37434"]}}}]}"#;
    std::fs::write(dir.path().join("main.json"), v315b).unwrap();
    let newer = import::read_paths(&[dir.path().join("main.json")]).unwrap();
    db.import(&newer.records).unwrap();
    let zlib = os_package(Ecosystem::Alpine, "zlib", "1.2.12-r2", None);
    let out = db
        .match_components(
            &[zlib],
            Some(&distro("alpine", Some("3.15.1"), None)),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(
        found(&out),
        [(s("zlib"), s("ALPINE-CVE-2022-37434"), vec![s("1.2.12-r5")])]
    );
}

#[test]
fn tracker_urgency_is_the_severity() {
    let db = db_of(&[os().join("debian-tracker/vunnel-debian.json")]);
    let jessie = distro("debian", Some("8"), Some("jessie"));
    let backupninja = os_package(Ecosystem::Debian, "backupninja", "0.7-1", None);
    let txt2man = os_package(Ecosystem::Debian, "txt2man", "1.5.5-4", None);
    let prototype = os_package(Ecosystem::Debian, "prototypejs", "1.5.0-1", None);
    let out = db
        .match_components(
            &[backupninja, txt2man, prototype],
            Some(&jessie),
            &MatchOptions::default(),
        )
        .unwrap();
    let sev: Vec<(String, &str, String)> = out
        .matches
        .iter()
        .map(|m| (m.id.clone(), m.severity.as_str(), m.severity_source.clone()))
        .collect();
    assert_eq!(
        sev,
        [
            (
                s("DEBIAN-CVE-2005-3111"),
                "medium",
                s("database_specific.severity medium")
            ),
            (
                s("DEBIAN-CVE-2008-7220"),
                "high",
                s("database_specific.severity high")
            ),
            (
                s("DEBIAN-CVE-2013-1444"),
                "low",
                s("database_specific.severity low")
            ),
        ]
    );
}

// ---- bad input: each a warning naming what is wrong, the rest imports ----

#[test]
fn tracker_unknown_status_is_a_problem_and_the_rest_imports() {
    let c = import::read_paths(&[os().join("bad/tracker-unknown-status.json")]).unwrap();
    let ids: Vec<&str> = c.records.iter().map(|r| r.advisory.id.as_str()).collect();
    assert_eq!(ids, ["DEBIAN-CVE-2022-37434", "DEBIAN-CVE-2024-0001"]);
    assert_eq!(c.problems.len(), 1);
    assert!(
        c.problems[0]
            .file
            .ends_with("bad/tracker-unknown-status.json")
    );
    assert_eq!(
        c.problems[0].to_string(),
        format!(
            "{}: openssl CVE-2024-0001 bookworm: unknown status `maybe`; expected resolved, open or undetermined",
            c.problems[0].file
        )
    );
}

#[test]
fn tracker_bad_entries_name_package_cve_and_release() {
    assert_eq!(
        problems("tracker-resolved-without-fix.json"),
        [RecordError::Invalid {
            at: s("openssl CVE-2024-0002 bookworm"),
            what: s("status `resolved` without a `fixed_version`"),
        }]
    );
    assert_eq!(
        problems("tracker-entry-not-an-object.json"),
        [RecordError::Invalid {
            at: s("openssl CVE-2024-0003"),
            what: s("invalid type: string \"not an entry\", expected an object with `releases`"),
        }]
    );
    assert_eq!(
        problems("tracker-unknown-codename.json"),
        [RecordError::Invalid {
            at: s("releases"),
            what: s("unknown Debian codename(s) `woody2`; their lines were not imported"),
        }]
    );
    assert_eq!(
        problems("tracker-package-not-a-map.json"),
        [RecordError::Json {
            line: 1,
            column: 13,
            message: s(
                "not a Debian Security Tracker document (invalid type: integer `3`, expected a map)"
            ),
        }]
    );
    assert_eq!(
        problems("empty-object.json"),
        [RecordError::Shape(s(
            "the document is empty: neither an OSV record (no `id`), an Alpine secdb document \
             (no `distroversion`) nor a Debian Security Tracker package map"
        ))]
    );
    assert_eq!(
        problems("array.json"),
        [RecordError::Shape(s("the document is not a JSON object"))]
    );
}

#[test]
fn secdb_bad_input_names_what_is_wrong() {
    assert_eq!(
        problems("secdb-bad-distroversion.yaml"),
        [RecordError::Invalid {
            at: s("distroversion"),
            what: s("`three` is not an Alpine release such as `v3.19` or `edge`"),
        }]
    );
    let c = import::read_paths(&[os().join("bad/secdb-package-without-name.json")]).unwrap();
    assert_eq!(
        c.records
            .iter()
            .map(|r| r.advisory.id.as_str())
            .collect::<Vec<_>>(),
        ["ALPINE-CVE-2023-45853"]
    );
    assert_eq!(
        c.problems.into_iter().map(|p| p.error).collect::<Vec<_>>(),
        [RecordError::Invalid {
            at: s("packages[0]"),
            what: s("expected `pkg: {name, secfixes}`: missing field `name`"),
        }]
    );
    let c = import::read_paths(&[os().join("bad/secdb-id-not-a-string.yaml")]).unwrap();
    assert_eq!(c.records.len(), 1);
    assert_eq!(
        c.problems.into_iter().map(|p| p.error).collect::<Vec<_>>(),
        [RecordError::Invalid {
            at: s("packages[0] (zlib) secfixes `1.3.1-r0`"),
            what: s("expected an advisory id, found 42"),
        }]
    );
}

#[test]
fn codenames_are_data() {
    use vouch_advisory::distro::debian_release;
    for (c, n) in [
        ("buster", "10"),
        ("bullseye", "11"),
        ("bookworm", "12"),
        ("trixie", "13"),
        ("sid", "sid"),
        ("unstable", "sid"),
        ("Bookworm", "12"),
    ] {
        assert_eq!(debian_release(c), Some(n), "{c}");
    }
    assert_eq!(debian_release("experimental"), None);
}

#[test]
fn osv_distro_record_without_introduced_is_refused_naming_the_range() {
    assert_eq!(
        problems("osv-dsa-range-without-introduced.json"),
        [RecordError::NoIntroduced {
            at: s("affected[0].ranges[0]"),
        }]
    );
}
