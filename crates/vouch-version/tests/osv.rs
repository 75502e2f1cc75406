//! OSV range evaluation: real advisories (tests/fixtures/osv, see SOURCES.md) and one test per
//! rule of the OSV schema's evaluation section.

use vouch_version::Scheme;
use vouch_version::osv::{Event, Range, RangeType, Verdict, evaluate, fixed_versions};

struct Affected {
    name: String,
    scheme: Scheme,
    ranges: Vec<Range>,
    versions: Vec<String>,
}

/// The `affected` entries of an OSV JSON file.
fn load(name: &str) -> Vec<Affected> {
    let path = format!("{}/tests/fixtures/osv/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut out = Vec::new();
    for a in doc["affected"].as_array().expect("affected") {
        let eco = a["package"]["ecosystem"].as_str().expect("ecosystem");
        let scheme = Scheme::for_osv_ecosystem(eco).expect("known ecosystem");
        let mut ranges = Vec::new();
        for r in a["ranges"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let kind = RangeType::from_osv(r["type"].as_str().expect("type")).expect("range type");
            let mut events = Vec::new();
            for e in r["events"].as_array().expect("events") {
                let (k, v) = e.as_object().and_then(|o| o.iter().next()).expect("event");
                let v = v.as_str().expect("string").to_owned();
                events.push(match k.as_str() {
                    "introduced" => Event::Introduced(v),
                    "fixed" => Event::Fixed(v),
                    "last_affected" => Event::LastAffected(v),
                    "limit" => Event::Limit(v),
                    other => panic!("event {other}"),
                });
            }
            ranges.push(Range { kind, events });
        }
        let versions = a["versions"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let name = a["package"]["name"].as_str().expect("name").to_owned();
        out.push(Affected {
            name,
            scheme,
            ranges,
            versions,
        });
    }
    out
}

/// The advisory's verdict for `version` of `package`: affected if any of its entries says so.
fn verdict(entries: &[Affected], package: &str, version: &str) -> Verdict {
    let mut unknown = None;
    for a in entries.iter().filter(|a| a.name == package) {
        match evaluate(a.scheme, version, &a.ranges, &a.versions) {
            Verdict::Affected => return Verdict::Affected,
            Verdict::Unknown(why) => unknown = Some(Verdict::Unknown(why)),
            Verdict::NotAffected => {}
        }
    }
    unknown.unwrap_or(Verdict::NotAffected)
}

use Verdict::{Affected as A, NotAffected as N};

#[track_caller]
fn expect(file: &str, package: &str, cases: &[(&str, Verdict)]) {
    let entries = load(file);
    for (version, want) in cases {
        assert_eq!(
            &verdict(&entries, package, version),
            want,
            "{file} {package} @ {version}"
        );
    }
}

#[test]
fn go_vulndb_argo_cd_semver_with_prerelease() {
    // introduced 0, fixed 2.1.11; introduced 2.2.0, fixed 2.2.6; introduced 2.3.0-rc1, fixed 2.3.0
    expect(
        "GO-2022-0357.json",
        "github.com/argoproj/argo-cd/v2",
        &[
            ("v0.0.0-20200101000000-0123456789ab", A),
            ("v2.1.10", A),
            ("v2.1.11", N),
            ("v2.1.12", N),
            ("v2.2.0", A),
            ("v2.2.5", A),
            ("v2.2.6", N),
            ("v2.3.0-rc0", N),
            ("v2.3.0-rc1", A),
            ("v2.3.0-rc5", A),
            ("v2.3.0", N),
            ("v2.4.0", N),
        ],
    );
    let entries = load("GO-2022-0357.json");
    // The pre-v2 module path: introduced 1.3.0, never fixed.
    assert_eq!(
        verdict(&entries, "github.com/argoproj/argo-cd", "v1.8.7"),
        A
    );
    assert_eq!(
        verdict(&entries, "github.com/argoproj/argo-cd", "v1.2.9"),
        N
    );
    let fixed: Vec<String> = entries
        .iter()
        .flat_map(|a| fixed_versions(&a.ranges))
        .collect();
    assert_eq!(fixed, ["2.1.11", "2.2.6", "2.3.0"]);
}

#[test]
fn go_vulndb_containerd_three_intervals() {
    expect(
        "GO-2022-0344.json",
        "github.com/containerd/containerd",
        &[
            ("v1.4.12", A),
            ("v1.4.13", N),
            ("v1.5.0", A),
            ("v1.5.9", A),
            ("v1.5.10", N),
            ("v1.6.0", A),
            ("v1.6.1", N),
            ("v1.6.0-rc.1", N),
        ],
    );
}

#[test]
fn ghsa_pypi_introduced_zero() {
    expect(
        "GHSA-8qpw-xqxj-h4r2.json",
        "aiohttp",
        &[
            ("0.1", A),
            ("3.9.1", A),
            ("3.9.2rc1", A),
            ("3.9.2", N),
            ("3.10.0", N),
            ("4.0.0a1", N),
        ],
    );
}

#[test]
fn ghsa_maven_two_intervals_and_versions_only_entry() {
    expect(
        "GHSA-53ph-2r2x-vqw8.json",
        "org.jenkins-ci.main:jenkins-core",
        &[
            ("2.216", N),
            ("2.217", A),
            ("2.426.2", A),
            ("2.426.3", N),
            ("2.426.10", N),
            ("2.427", A),
            ("2.440", A),
            ("2.441", A),
            ("2.442", N),
            ("2.442-SNAPSHOT", A),
        ],
    );
}

#[test]
fn ghsa_npm_ranges_and_versions() {
    expect(
        "GHSA-pjwm-rvh2-c87w.json",
        "ua-parser-js",
        &[
            ("0.7.28", N),
            ("0.7.29", A),
            ("0.7.30", N),
            ("0.8.0", A),
            ("0.8.1", N),
            ("1.0.0", A),
            ("1.0.1", N),
        ],
    );
}

#[test]
fn ghsa_go_prerelease_introduced() {
    expect(
        "GHSA-xr7r-f8xq-vfvv.json",
        "github.com/opencontainers/runc",
        &[
            ("v1.0.0-rc92", N),
            ("v1.0.0-rc93", A),
            ("v1.1.11", A),
            ("v1.1.12", N),
        ],
    );
}

/// PYSEC-2022-42969 (`py`): `introduced: 0`, `last_affected: 1.11.0`, and a versions list that
/// spells one version `0.8.0-alpha2` (PEP 440 normal form `0.8.0a2`).
#[test]
fn pypa_last_affected_and_normalised_versions() {
    let path = format!(
        "{}/tests/fixtures/osv/PYSEC-2022-42969.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    assert!(text.contains("last_affected: '1.11.0'"));
    let versions: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("  versions:"))
        .skip(1)
        .take_while(|l| l.starts_with("  - "))
        .map(|l| l.trim_start_matches("  - ").to_owned())
        .collect();
    assert!(versions.contains(&"0.8.0-alpha2".to_owned()));
    let ranges = [Range {
        kind: RangeType::Ecosystem,
        events: vec![
            Event::Introduced("0".into()),
            Event::LastAffected("1.11.0".into()),
        ],
    }];
    for (v, want) in [
        ("1.11.0", A),
        ("1.10.0", A),
        ("1.11.1", N),
        ("1.12.0", N),
        ("0.8.0a2", A),
    ] {
        assert_eq!(evaluate(Scheme::Pep440, v, &ranges, &versions), want, "{v}");
    }
    // The versions list alone matches by PEP 440 equality: `0.8.0a2` is listed as `0.8.0-alpha2`.
    assert_eq!(evaluate(Scheme::Pep440, "0.8.0a2", &[], &versions), A);
    assert_eq!(evaluate(Scheme::Pep440, "1.4.7.dev3", &[], &versions), A);
    assert_eq!(evaluate(Scheme::Pep440, "1.12.0", &[], &versions), N);
}

// ---------------------------------------------------------------- rules, one by one

fn eco(events: Vec<Event>) -> Range {
    Range {
        kind: RangeType::Ecosystem,
        events,
    }
}

fn i(v: &str) -> Event {
    Event::Introduced(v.into())
}
fn f(v: &str) -> Event {
    Event::Fixed(v.into())
}
fn la(v: &str) -> Event {
    Event::LastAffected(v.into())
}
fn lim(v: &str) -> Event {
    Event::Limit(v.into())
}

#[test]
fn fixed_is_exclusive_and_last_affected_inclusive() {
    let r = [eco(vec![i("1.0"), f("2.0")])];
    assert_eq!(evaluate(Scheme::Pep440, "1.0", &r, &[]), A);
    assert_eq!(evaluate(Scheme::Pep440, "1.9.9", &r, &[]), A);
    assert_eq!(evaluate(Scheme::Pep440, "2.0", &r, &[]), N);
    assert_eq!(evaluate(Scheme::Pep440, "0.9", &r, &[]), N);
    let r = [eco(vec![i("1.0"), la("2.0")])];
    assert_eq!(evaluate(Scheme::Pep440, "2.0", &r, &[]), A);
    assert_eq!(evaluate(Scheme::Pep440, "2.0.post1", &r, &[]), N);
}

#[test]
fn events_are_sorted_by_version_before_walking() {
    // Events listed out of order, as some databases emit them.
    let r = [eco(vec![f("1.2-3"), i("2.0-1"), f("2.1-1"), i("0")])];
    for (v, want) in [
        ("1.0-1", A),
        ("1.2-3", N),
        ("1.9", N),
        ("2.0-1", A),
        ("2.1-1", N),
        ("1:0.1", N),
    ] {
        assert_eq!(evaluate(Scheme::Dpkg, v, &r, &[]), want, "{v}");
    }
}

#[test]
fn adjacent_intervals_leave_their_shared_version_affected_in_any_order() {
    // PYSEC-2022-42972 (apache-iotdb) as listed: `introduced: 0.13.0` before `fixed: 0.13.0`.
    // Sorting `introduced` before `fixed` at one version used to close [0.13.0, 0.14.0rc1) at
    // once, so 0.13.0-0.13.2 were missed.
    let iotdb = [eco(vec![
        i("0.13.0"),
        f("0.14.0rc1"),
        i("0.12.2"),
        f("0.13.0"),
    ])];
    // PYSEC-2022-236 (pyspark): `fixed: 3.1.1` listed before `introduced: 3.1.1`.
    let pyspark = [eco(vec![
        i("0"),
        f("3.1.1"),
        i("3.2.0"),
        f("3.2.2"),
        i("3.1.1"),
        f("3.1.3"),
    ])];
    for (r, v, want) in [
        (&iotdb, "0.12.1", N),
        (&iotdb, "0.12.2", A),
        (&iotdb, "0.13.0", A),
        (&iotdb, "0.13.2", A),
        (&iotdb, "0.14.0rc1", N),
        (&pyspark, "3.0.3", A),
        (&pyspark, "3.1.1", A),
        (&pyspark, "3.1.2", A),
        (&pyspark, "3.1.3", N),
        (&pyspark, "3.2.1", A),
        (&pyspark, "3.2.2", N),
    ] {
        assert_eq!(evaluate(Scheme::Pep440, v, r, &[]), want, "{v}");
    }
    // Every listing order of the same intervals gives the same answers.
    let mut events = vec![i("0.13.0"), f("0.14.0rc1"), i("0.12.2"), f("0.13.0")];
    for _ in 0..4 {
        events.rotate_left(1);
        let r = [eco(events.clone())];
        for v in ["0.12.2", "0.13.0", "0.13.1"] {
            assert_eq!(evaluate(Scheme::Pep440, v, &r, &[]), A, "{v} {events:?}");
        }
        assert_eq!(evaluate(Scheme::Pep440, "0.14.0", &r, &[]), N);
    }
    // `last_affected` and `introduced` at one version: affected either way.
    let r = [eco(vec![i("2.0"), i("1.0"), la("2.0"), f("3.0")])];
    assert_eq!(evaluate(Scheme::Pep440, "2.0", &r, &[]), A);
    assert_eq!(evaluate(Scheme::Pep440, "2.5", &r, &[]), A);
}

#[test]
fn ranges_are_ored() {
    let r = [
        eco(vec![i("0"), f("1.0.0")]),
        eco(vec![i("2.0.0"), f("2.0.5")]),
    ];
    assert_eq!(evaluate(Scheme::SemVer, "0.5.0", &r, &[]), A);
    assert_eq!(evaluate(Scheme::SemVer, "2.0.4", &r, &[]), A);
    assert_eq!(evaluate(Scheme::SemVer, "1.5.0", &r, &[]), N);
}

#[test]
fn limit_bounds_the_range() {
    let r = [eco(vec![i("1.0.0"), lim("1.5.0")])];
    assert_eq!(evaluate(Scheme::SemVer, "1.4.9", &r, &[]), A);
    assert_eq!(evaluate(Scheme::SemVer, "1.5.0", &r, &[]), N);
    assert_eq!(evaluate(Scheme::SemVer, "3.0.0", &r, &[]), N);
    let r = [eco(vec![i("1.0.0"), lim("*")])];
    assert_eq!(evaluate(Scheme::SemVer, "9.0.0", &r, &[]), A);
}

#[test]
fn versions_list_is_exact_string_match_outside_pypi() {
    let listed = vec!["1.0".to_owned()];
    assert_eq!(evaluate(Scheme::SemVer, "1.0", &[], &listed), A);
    // RubyGems orders 1.0 == 1.0.0, but the list matches strings exactly.
    assert_eq!(evaluate(Scheme::RubyGems, "1.0.0", &[], &listed), N);
    assert_eq!(evaluate(Scheme::Pep440, "1.0.0", &[], &listed), A);
}

#[test]
fn semver_ranges_use_semver_whatever_the_ecosystem() {
    let r = [Range {
        kind: RangeType::SemVer,
        events: vec![i("0"), f("1.2.3")],
    }];
    assert_eq!(evaluate(Scheme::Go, "v1.2.2", &r, &[]), A);
    assert_eq!(evaluate(Scheme::Go, "v1.2.3", &r, &[]), N);
    assert_eq!(evaluate(Scheme::SemVer, "1.2.3-beta.1", &r, &[]), A);
}

#[test]
fn git_ranges_need_the_versions_list() {
    let git = Range {
        kind: RangeType::Git,
        events: vec![i("0"), f("a1b2c3d")],
    };
    let listed = vec!["1.2.3".to_owned()];
    assert_eq!(
        evaluate(Scheme::SemVer, "1.2.3", std::slice::from_ref(&git), &listed),
        A
    );
    let Verdict::Unknown(why) =
        evaluate(Scheme::SemVer, "1.2.4", std::slice::from_ref(&git), &listed)
    else {
        panic!("expected unknown");
    };
    assert_eq!(
        why,
        "only GIT ranges (commits) are given and `versions` does not list 1.2.4"
    );
    // With an ECOSYSTEM range beside it, the ECOSYSTEM range decides.
    let both = [git, eco(vec![i("0"), f("1.2.4")])];
    assert_eq!(evaluate(Scheme::SemVer, "1.2.4", &both, &[]), N);
    assert_eq!(evaluate(Scheme::SemVer, "1.2.0", &both, &[]), A);
}

#[test]
fn unparsable_input_is_unknown_never_a_guess() {
    let r = [eco(vec![i("0"), f("2.0.0")])];
    let Verdict::Unknown(why) = evaluate(Scheme::SemVer, "not-a-version", &r, &[]) else {
        panic!("expected unknown");
    };
    assert!(
        why.starts_with("cannot order the version: invalid semver version `not-a-version`"),
        "{why}"
    );
    // An unparsable event: Unknown, not NotAffected...
    let bad = [eco(vec![i("0"), f("2.0.0.0.0")])];
    let Verdict::Unknown(why) = evaluate(Scheme::SemVer, "3.0.0", &bad, &[]) else {
        panic!("expected unknown");
    };
    assert!(
        why.starts_with("cannot order the range's fixed event: invalid semver version `2.0.0.0.0`"),
        "{why}"
    );
    // ...unless another range proves the version affected.
    let mixed = [bad[0].clone(), eco(vec![i("2.5.0")])];
    assert_eq!(evaluate(Scheme::SemVer, "3.0.0", &mixed, &[]), A);
    // A range without events, and an entry with nothing at all.
    assert!(matches!(
        evaluate(Scheme::SemVer, "1.0.0", &[eco(vec![])], &[]),
        Verdict::Unknown(_)
    ));
    assert!(matches!(
        evaluate(Scheme::SemVer, "1.0.0", &[], &[]),
        Verdict::Unknown(_)
    ));
}

#[test]
fn fixed_versions_in_order_without_duplicates() {
    let r = [
        eco(vec![i("0"), f("1.0"), i("2.0"), f("2.1")]),
        Range {
            kind: RangeType::Git,
            events: vec![f("deadbeef")],
        },
        eco(vec![i("0"), f("1.0")]),
    ];
    assert_eq!(fixed_versions(&r), ["1.0", "2.1"]);
}
