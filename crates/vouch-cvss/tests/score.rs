//! Scores of published vectors, the full reference table, and every error variant.

use vouch_cvss::{CvssError, CvssVersion, Rating, score};

fn check(cases: &[(&str, f64)]) {
    for (vector, want) in cases {
        let got = score(vector).unwrap_or_else(|e| panic!("{vector}: {e}"));
        assert_eq!(got.base, *want, "{vector}");
        assert_eq!(got.rating, Rating::of(got.version, *want), "{vector}");
    }
}

/// FIRST, "CVSS v3.1 Examples" (<https://www.first.org/cvss/v3-1/examples>), one per CVE.
#[test]
fn v31_first_examples() {
    check(&[
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1), // CVE-2013-1937 phpMyAdmin XSS
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4), // CVE-2013-0375 MySQL
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1), // CVE-2014-3566 POODLE
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9), // CVE-2012-1516 VMware
        ("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2), // CVE-2009-0783 Tomcat
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8), // CVE-2012-0384 Cisco IOS
        ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8), // CVE-2015-1098 Apple iWork
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5), // CVE-2014-0160 Heartbleed
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8), // CVE-2014-6271 Shellshock
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8), // CVE-2008-1447 DNS
        ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8), // CVE-2014-2005 Sophos
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8), // CVE-2010-0467 Joomla
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", 5.8), // CVE-2012-1342 Cisco
        ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H", 9.3), // CVE-2013-6014 Juniper
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4), // CVE-2014-9253 DotNetNuke
        ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8), // CVE-2011-1265 Bluetooth
        ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6), // CVE-2014-2019 iOS
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4), // CVE-2014-0224 OpenSSL CCS
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6), // CVE-2012-5376 Chrome
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", 6.8), // CVE-2016-0128 Badlock
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0), // CVE-2021-44228 Log4Shell (NVD)
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ]);
}

/// The same FIRST examples as published for v3.0 ("CVSS v3.0 Examples").
#[test]
fn v30_first_examples() {
    check(&[
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
        ("CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
        ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
        ("CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2),
        ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
        ("CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8),
        ("CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8),
        ("CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H", 9.3),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6),
    ]);
}

/// CVSS v2 guide section 3.3 examples and NVD v2 scores of well-known CVEs.
#[test]
fn v2_published() {
    check(&[
        ("AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8), // CVE-2002-0392 Apache chunked encoding (guide)
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0), // CVE-2003-0818 Windows ASN.1 (guide)
        ("AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2), // CVE-2003-0062 NOD32 (guide)
        ("AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0), // CVE-2014-0160 Heartbleed (NVD)
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
        ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3),
        ("AV:N/AC:M/Au:N/C:C/I:C/A:C", 9.3),
        ("AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2),
        ("AV:N/AC:M/Au:N/C:P/I:P/A:P", 6.8),
        ("AV:N/AC:L/Au:S/C:P/I:P/A:P", 6.5),
        ("AV:L/AC:L/Au:N/C:P/I:N/A:N", 2.1),
        ("AV:N/AC:H/Au:N/C:P/I:P/A:P", 5.1),
        ("(AV:N/AC:L/Au:N/C:N/I:N/A:P)", 5.0), // NVD's parenthesised form
        ("AV:N/AC:L/Au:N/C:N/I:N/A:N/E:F/RL:OF/RC:C", 0.0),
    ]);
}

/// FIRST "CVSS v4.0 Examples" and the reference calculator's documented example.
#[test]
fn v4_published() {
    check(&[
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            9.3,
        ), // CVE-2014-6271
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
            10.0,
        ), // CVE-2021-44228
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
            8.7,
        ), // CVE-2014-0160
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            8.5,
        ), // CVE-2022-41741
        (
            "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            7.7,
        ), // CVE-2020-3549
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N",
            5.1,
        ), // CVE-2013-1937
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            8.4,
        ), // CVE-2016-5729
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
            6.9,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            8.7,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
            0.0,
        ),
        // cvss40.js class documentation: CVSS-BTE 8.7.
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A",
            8.7,
        ),
    ]);
}

/// Every v2/v3.x base vector and 4,000 v4.0 vectors against the reference table.
#[test]
fn reference_table() {
    let table = include_str!("fixtures/reference-scores.txt");
    let mut n = 0;
    let mut wrong = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (vector, want) = line.rsplit_once(' ').expect("vector score");
        let want: f64 = want.parse().expect("score");
        let got = score(vector)
            .unwrap_or_else(|e| panic!("{vector}: {e}"))
            .base;
        if got != want {
            wrong.push(format!("{vector}: got {got}, want {want}"));
        }
        n += 1;
    }
    assert_eq!(n, 9913);
    assert!(
        wrong.is_empty(),
        "{} of {n} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn versions_and_ratings() {
    let s = score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N").unwrap();
    assert_eq!((s.version, s.rating), (CvssVersion::V3_0, Rating::Medium));
    assert_eq!(
        score("AV:L/AC:L/Au:N/C:P/I:N/A:N").unwrap().rating,
        Rating::Low
    );
    assert_eq!(Rating::of(CvssVersion::V3_1, 0.0), Rating::None);
    assert_eq!(Rating::of(CvssVersion::V3_1, 9.0), Rating::Critical);
    assert_eq!(Rating::of(CvssVersion::V2, 10.0), Rating::High);
}

#[test]
fn errors() {
    use CvssError::*;
    assert_eq!(score(""), Err(Empty));
    assert_eq!(score(&"A".repeat(600)), Err(TooLong { len: 600 }));
    assert_eq!(
        score("CVSS:2.0/AV:N"),
        Err(UnknownVersion {
            prefix: "CVSS:2.0".into()
        })
    );
    assert_eq!(
        score("CVSS:3.1/AV:N/AC"),
        Err(Malformed {
            part: "AC".into(),
            column: 15
        })
    );
    assert_eq!(
        score("CVSS:3.1/AV:N/XX:Y/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(UnknownMetric {
            version: CvssVersion::V3_1,
            name: "XX".into(),
            column: 15
        })
    );
    assert_eq!(
        score("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(InvalidValue {
            version: CvssVersion::V3_1,
            name: "AV",
            value: "Q".into(),
            expected: "N/A/L/P".into(),
            column: 10
        })
    );
    assert_eq!(
        score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(Duplicate {
            name: "AV",
            column: 15
        })
    );
    assert_eq!(
        score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),
        Err(Missing {
            version: CvssVersion::V3_1,
            name: "A"
        })
    );
    assert_eq!(
        score("CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
        Err(OutOfOrder {
            name: "AV",
            column: 15
        })
    );
    // v3 metrics are not v4 metrics, and the other way round.
    assert!(matches!(
        score("CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Err(InvalidValue { name: "S", .. })
    ));
    assert!(matches!(score("AV:N/AC:L/PR:N"), Err(UnknownMetric { .. })));
    // Trailing slash: an empty part is malformed.
    assert!(matches!(
        score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/"),
        Err(Malformed { .. })
    ));
    // Errors read as one lower-case line.
    let e = score("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid value `Q` for cvss 3.1 metric AV at column 10 (expected one of N/A/L/P)"
    );
}

/// Saved fuzzer inputs: each must give a score or an error, never a panic.
#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("fuzz-") {
            let bytes = std::fs::read(&path).expect("read");
            let _ = score(&String::from_utf8_lossy(&bytes));
        }
    }
}
