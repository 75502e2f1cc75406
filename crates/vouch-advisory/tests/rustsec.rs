//! RustSec → OSV conversion.

use vouch_advisory::rustsec::{affected_ranges, parse};

fn r(intro: &str, end: Option<&str>) -> (String, Option<String>) {
    (intro.to_owned(), end.map(str::to_owned))
}

#[test]
fn ranges_are_the_complement_of_patched_and_unaffected() {
    // rustsec's EXAMPLE_ADVISORY.md
    assert_eq!(
        affected_ranges(&[">= 1.2.3, < 1.3.0", ">= 1.3.4"], &["<= 0.1.2"]).unwrap(),
        vec![
            r("0.1.3", Some("fixed 1.2.3")),
            r("1.3.0", Some("fixed 1.3.4"))
        ]
    );
    // time's RUSTSEC-2020-0071: single unaffected versions, then a patch.
    let unaffected = [
        "=0.2.0", "=0.2.1", "=0.2.2", "=0.2.3", "=0.2.4", "=0.2.5", "=0.2.6",
    ];
    assert_eq!(
        affected_ranges(&[">= 0.2.23"], &unaffected).unwrap(),
        vec![
            r("0", Some("fixed 0.2.0")),
            r("0.2.7", Some("fixed 0.2.23"))
        ]
    );
    // Nothing patched: every version.
    assert_eq!(affected_ranges(&[], &[]).unwrap(), vec![r("0", None)]);
    // Caret requirements (smallvec's RUSTSEC-2018-0003).
    assert_eq!(
        affected_ranges(&[">= 0.6.3", "^0.3.4", "^0.4.5", "^0.5.1"], &["< 0.3.2"]).unwrap(),
        vec![
            r("0.3.2", Some("fixed 0.3.4")),
            r("0.4.0", Some("fixed 0.4.5")),
            r("0.5.0", Some("fixed 0.5.1")),
            r("0.6.0", Some("fixed 0.6.3")),
        ]
    );
    // `>` gives last_affected.
    assert_eq!(
        affected_ranges(&[], &["> 0.4.20"]).unwrap(),
        vec![r("0", Some("last_affected 0.4.20"))]
    );
    assert!(affected_ranges(&["not a req"], &[]).is_err());
}

#[test]
fn converts_front_matter_to_osv() {
    let text = include_bytes!("fixtures/advisories/rustsec-crates/time/RUSTSEC-2020-0071.md");
    let rec = parse(text).unwrap();
    let a = &rec.advisory;
    assert_eq!(a.id, "RUSTSEC-2020-0071");
    assert_eq!(
        a.aliases,
        vec![
            "CVE-2020-26235".to_string(),
            "GHSA-wcg3-cvx6-7396".to_string()
        ]
    );
    assert_eq!(
        a.affected[0].package.as_ref().unwrap().ecosystem,
        "crates.io"
    );
    assert_eq!(a.affected[0].ranges[0].kind, "SEMVER");
    assert!(
        a.summary
            .as_deref()
            .unwrap()
            .starts_with("Potential segfault in the time crate"),
        "{:?}",
        a.summary
    );
    assert_eq!(rec.informational, None);

    let unmaintained = parse(include_bytes!(
        "fixtures/advisories/rustsec-crates/failure/RUSTSEC-2020-0036.md"
    ))
    .unwrap();
    assert_eq!(unmaintained.informational.as_deref(), Some("unmaintained"));

    let err = parse(b"# no front matter\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a RustSec advisory: the file does not start with a ```toml block"
    );
    let err = parse(b"```toml\n[advisory]\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a RustSec advisory: the ```toml block is not closed"
    );
}
