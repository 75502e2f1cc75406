//! Each comparator against the orderings its ecosystem documents or tests. The source of every
//! table is cited above it.

use std::cmp::Ordering::{self, Equal, Greater, Less};

use vouch_version::{Scheme, VersionError, compare, parse};

/// Asserts `list` is strictly increasing, checking every pair in both directions.
#[track_caller]
fn ascending(scheme: Scheme, list: &[&str]) {
    for (i, a) in list.iter().enumerate() {
        assert_eq!(cmp(scheme, a, a), Equal, "{scheme}: {a} == {a}");
        for b in list.iter().skip(i + 1) {
            assert_eq!(cmp(scheme, a, b), Less, "{scheme}: expected {a} < {b}");
            assert_eq!(cmp(scheme, b, a), Greater, "{scheme}: expected {b} > {a}");
        }
    }
}

#[track_caller]
fn cmp(scheme: Scheme, a: &str, b: &str) -> Ordering {
    compare(scheme, a, b).unwrap_or_else(|e| panic!("{scheme}: {a} vs {b}: {e}"))
}

#[track_caller]
fn table(scheme: Scheme, rows: &[(&str, &str, Ordering)]) {
    for (a, b, want) in rows {
        assert_eq!(cmp(scheme, a, b), *want, "{scheme}: {a} vs {b}");
        assert_eq!(cmp(scheme, b, a), want.reverse(), "{scheme}: {b} vs {a}");
    }
}

#[track_caller]
fn rejects(scheme: Scheme, bad: &[&str]) {
    for s in bad {
        assert!(
            matches!(
                parse(scheme, s),
                Err(VersionError::Invalid { .. } | VersionError::Empty { .. })
            ),
            "{scheme}: `{s}` should be rejected, got {:?}",
            parse(scheme, s)
        );
    }
}

// ---------------------------------------------------------------- SemVer

/// semver.org, spec item 11 (precedence examples).
#[test]
fn semver_precedence_examples() {
    ascending(Scheme::SemVer, &["1.0.0", "2.0.0", "2.1.0", "2.1.1"]);
    ascending(
        Scheme::SemVer,
        &[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ],
    );
    // Spec item 10: build metadata is ignored for precedence. npm's loose `v` prefix.
    table(
        Scheme::SemVer,
        &[
            ("1.0.0+20130313144700", "1.0.0", Equal),
            ("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta", Equal),
            ("v1.2.3", "1.2.3", Equal),
            ("1.10.0", "1.9.0", Greater),
        ],
    );
    rejects(
        Scheme::SemVer,
        &["1.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0 ", "latest"],
    );
}

// ---------------------------------------------------------------- Go

/// golang.org/x/mod/semver `semver_test.go` (`tests`, listed in increasing order; `v1` and
/// `v1.0` are shorthands of `v1.0.0`), plus the pseudo-version forms of the Go modules
/// reference (<https://go.dev/ref/mod#pseudo-versions>).
#[test]
fn go_semver_test_order() {
    ascending(
        Scheme::Go,
        &[
            "v1.0.0-alpha",
            "v1.0.0-alpha.1",
            "v1.0.0-alpha.beta",
            "v1.0.0-beta",
            "v1.0.0-beta.2",
            "v1.0.0-beta.11",
            "v1.0.0-rc.1",
            "v1.0.0",
            "v1.2.0",
            "v1.2.3-456",
            "v1.2.3-456.789",
            "v1.2.3-456-789",
            "v1.2.3-456a",
            "v1.2.3-pre",
            "v1.2.3-pre.1",
            "v1.2.3-zzz",
            "v1.2.3",
        ],
    );
    table(
        Scheme::Go,
        &[
            ("v1", "v1.0.0", Equal),
            ("v1.0", "v1.0.0", Equal),
            ("v1.2", "v1.2.0", Equal),
            ("v1.2.3-pre+meta", "v1.2.3-pre", Equal),
            ("v1.2.3+meta", "v1.2.3", Equal),
            ("v1.2.3+meta-pre.sha.256a", "v1.2.3", Equal),
            // `+incompatible` is build metadata.
            ("v2.0.0+incompatible", "v2.0.0", Equal),
            ("v2.0.1+incompatible", "v2.0.0+incompatible", Greater),
        ],
    );
    rejects(
        Scheme::Go,
        &[
            "bad",
            "v1-pre",
            "v1+meta",
            "v1.2-pre",
            "v1.2.3.4",
            "v1.02.3",
            "v1.2.3-01",
            "v",
        ],
    );
}

#[test]
fn go_pseudo_versions() {
    ascending(
        Scheme::Go,
        &[
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101000000-0123456789ab",
            "v0.1.0",
            "v1.2.3-pre",
            "v1.2.3-pre.0.20191109021931-daa7c04131f5",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4-0.20200101000000-0123456789ab",
            "v1.2.4",
        ],
    );
    let v = vouch_version::go::GoVersion::parse("v1.2.4-0.20191109021931-daa7c04131f5").unwrap();
    assert!(v.is_pseudo());
    assert!(
        !vouch_version::go::GoVersion::parse("v1.2.4-rc.1")
            .unwrap()
            .is_pseudo()
    );
}

// ---------------------------------------------------------------- PEP 440

/// PEP 440, "Summary of permitted suffixes and relative ordering" (the example list), plus
/// epochs and normalisation from the same document.
#[test]
fn pep440_spec_order() {
    ascending(
        Scheme::Pep440,
        &[
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ],
    );
    table(
        Scheme::Pep440,
        &[
            ("1!1.0", "2.0", Greater),
            ("1.0", "1.0.0", Equal),
            ("1.0-alpha1", "1.0a1", Equal),
            ("1.0.preview2", "1.0rc2", Equal),
            ("v1.0", "1.0", Equal),
            ("1.0-1", "1.0.post1", Equal),
            ("1.10", "1.9", Greater),
            ("2.31.0", "2.4", Greater),
        ],
    );
    rejects(
        Scheme::Pep440,
        &["not a version", "1.0+", "1..0", "1.0+local+again", "==1.0"],
    );
}

// ---------------------------------------------------------------- dpkg

/// Debian Policy 5.6.12 (`~` sorts before anything, even the end) and dpkg's
/// `lib/dpkg/t/t-version.c` comparison cases.
#[test]
fn dpkg_policy_and_test_suite() {
    // Policy: "~~" < "~~a" < "~" < "" < "a".
    ascending(Scheme::Dpkg, &["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a"]);
    ascending(
        Scheme::Dpkg,
        &[
            "0.9",
            "1.0~rc1",
            "1.0",
            "1.0-1~bpo1",
            "1.0-1",
            "1.0-1ubuntu1",
            "1.0-2",
            "1.0a",
            "1.0+",
            "1.0+dfsg",
            "1.0.0",
            "1.9",
            "1.10",
            "1:0.1",
            "2:0.0",
        ],
    );
    table(
        Scheme::Dpkg,
        &[
            // t-version.c: equal versions, epochs, revisions.
            ("1.2.3", "1.2.3", Equal),
            ("4.4.3-2", "4.4.3-2", Equal),
            ("1:2ab:5", "1:2ab:5", Equal),
            ("7:1-a:b-5", "7:1-a:b-5", Equal),
            ("57:1.2.3abYZ+~-4-5", "57:1.2.3abYZ+~-4-5", Equal),
            ("0:1.0", "1.0", Equal),
            ("1.0", "1.0-0", Equal),
            ("1.0-0", "1.0-00", Equal),
            ("1.001", "1.1", Equal),
            ("1:1.0", "2:0.9", Less),
            ("2.36-9+deb12u4", "2.36-9+deb12u10", Less),
            ("1.2.3-1", "1.2.3-1+b1", Less),
            ("3.0.11-1~deb12u2", "3.0.11-1", Less),
            ("9.9", "10.0", Less),
        ],
    );
    rejects(
        Scheme::Dpkg,
        &[
            "a1.0",
            ":1.0",
            "x:1.0",
            "1.0-",
            "1.0 0",
            "1:",
            "1.0-a_b",
            "1.0\u{e9}",
        ],
    );
}

// ---------------------------------------------------------------- apk

// Every apk vector below was written for vouch from the documented version format
// (`digit{.digit}…{letter}{_suffix{number}}…{~hash}{-rN}`, Alpine's APKBUILD reference and
// apk-package(5)) and the suffix order Alpine documents (`_alpha` < `_beta` < `_pre` < `_rc`
// < no suffix < `_cvs` < `_svn` < `_git` < `_hg` < `_p`). None is copied from apk-tools'
// GPL-2.0 `test/version.data`; see tests/SOURCES.md. The reasoning for each group is above it.

/// Suffixes: the documented order, pre-release suffixes below the bare version, post-release
/// ones above it; a suffix without a number sorts below the same suffix with one, and suffix
/// numbers compare numerically (`_alpha3` < `_alpha12`).
#[test]
fn apk_suffix_order() {
    ascending(
        Scheme::Apk,
        &[
            "4.7_alpha",
            "4.7_alpha3",
            "4.7_alpha12",
            "4.7_beta",
            "4.7_beta1",
            "4.7_pre5",
            "4.7_rc2",
            "4.7",
            "4.7_cvs",
            "4.7_svn",
            "4.7_git20240315",
            "4.7_hg",
            "4.7_p",
            "4.7_p3",
            "4.7_p20",
        ],
    );
    // A second suffix after an equal first one: a pre-release suffix makes the version older,
    // a post-release one newer, and the first suffix's number still decides first.
    ascending(
        Scheme::Apk,
        &["2.5_rc1_alpha", "2.5_rc1", "2.5_rc1_p1", "2.5_rc2"],
    );
}

/// Numbers: dotted components compare numerically one by one (`9.10` > `9.9`), a version with
/// more components is newer when the shared ones are equal, and the first component never has
/// the leading-zero rule (it is the initial digit of the grammar).
#[test]
fn apk_numbers() {
    ascending(
        Scheme::Apk,
        &[
            "5", "5.0", "5.0.0", "5.0.0.1", "5.1", "9.9", "9.10", "9.99", "9.100", "10",
        ],
    );
    table(
        Scheme::Apk,
        &[
            ("010", "9", Greater),
            ("0010", "10", Equal),
            ("3.0.0", "3.0.0", Equal),
        ],
    );
}

/// The leading-zero rule (inherited from Gentoo): when either dotted component after the first
/// starts with `0`, the two compare as strings, so `2.09` < `2.1` although 9 > 1.
#[test]
fn apk_leading_zero() {
    table(
        Scheme::Apk,
        &[
            ("2.09", "2.1", Less),
            ("2.05", "2.5", Less),
            ("2.005", "2.05", Less),
            ("2.050", "2.05", Greater),
            ("7.1.04", "7.1.3", Less),
        ],
    );
}

/// Letters and token kinds: one letter after the numbers compares by character; when the next
/// tokens differ in kind, the one earlier in the grammar is newer (a further number beats a
/// letter, a letter beats a suffix, a post-release suffix beats a revision, a revision beats
/// the end of the version), except that a pre-release suffix is always older.
#[test]
fn apk_letters_and_kinds() {
    ascending(
        Scheme::Apk,
        &[
            "7.3_rc4", "7.3", "7.3-r5", "7.3_p9", "7.3a", "7.3b", "7.3z", "7.3.1",
        ],
    );
    table(
        Scheme::Apk,
        &[
            ("7.3a-r2", "7.3a-r11", Less),
            ("7.3b-r0", "7.3a-r11", Greater),
        ],
    );
}

/// Revisions (`-rN`): numeric, and only when everything before them is equal.
#[test]
fn apk_revisions() {
    ascending(
        Scheme::Apk,
        &[
            "3.14.2-r0",
            "3.14.2-r1",
            "3.14.2-r9",
            "3.14.2-r10",
            "3.14.2-r100",
            "3.14.3-r0",
        ],
    );
    table(
        Scheme::Apk,
        &[
            ("0.8.1_rc2-r6", "0.8.1-r0", Less),
            ("12.0_p20250101-r0", "12.0-r3", Greater),
            ("1.36.1-r29", "1.36.1-r29", Equal),
        ],
    );
}

/// Inputs outside the grammar: a leading letter, an unknown suffix, a revision without `r` or
/// number, an empty component, a suffix without name, trailing space, a number after a letter.
#[test]
fn apk_rejects() {
    rejects(
        Scheme::Apk,
        &[
            "b2",
            "3.0_final",
            "3.0-2",
            "3.0-rc",
            "3..1",
            "3.0_",
            "3.0 ",
            "3.0b2",
        ],
    );
}

// ---------------------------------------------------------------- RubyGems

/// rubygems `test/rubygems/test_gem_version.rb` (`test_spaceship`, `test_prerelease`,
/// `test_eql_eh`, `test_canonical_segments`).
#[test]
fn rubygems_test_gem_version() {
    table(
        Scheme::RubyGems,
        &[
            ("1.0", "1.0.0", Equal),
            ("1.0", "1.0.a", Greater),
            ("1.8.2", "0.0.0", Greater),
            ("1.8.2", "1.8.2.a", Greater),
            ("1.8.2.b", "1.8.2.a", Greater),
            ("1.8.2.a10", "1.8.2.a9", Greater),
            ("0.beta.1", "0.0.beta.1", Equal),
            ("0.0.beta", "0.0.beta.1", Less),
            ("0.0.beta", "0.beta.1", Less),
            ("5.a", "5.0.0.rc2", Less),
            ("5.x", "5.0.0.rc2", Greater),
            ("1.9.3", "1.9.3", Equal),
            ("1.9.3", "1.9.2.99", Greater),
            ("1.9.3", "1.9.3.1", Less),
            ("1.0.0-rc1", "1.0.0.pre.rc1", Equal),
            ("1.0.a.2", "1.0.a2", Equal),
        ],
    );
    ascending(
        Scheme::RubyGems,
        &[
            "1.0.0.a",
            "1.0.0.alpha",
            "1.0.0.b1",
            "1.0.0.beta",
            "1.0.0.rc1",
            "1.0.0",
            "1.0.1",
            "1.10",
        ],
    );
    assert!(
        vouch_version::rubygems::GemVersion::parse("1.A")
            .unwrap()
            .is_prerelease()
    );
    assert!(
        !vouch_version::rubygems::GemVersion::parse("1.2.0")
            .unwrap()
            .is_prerelease()
    );
    rejects(
        Scheme::RubyGems,
        &["junk", "1.0\n2.0", "1..2", "1.2.3-", "a.b.c"],
    );
}

// ---------------------------------------------------------------- Maven

/// apache/maven `ComparableVersionTest.java` (compat/maven-artifact, stored commit
/// 08b4701a88f3de8f309fa03da4c54c97fda33684): `VERSIONS_QUALIFIER`, `VERSIONS_NUMBER`,
/// `testVersionsEqual`, `testVersionComparing`, MNG-5568, MNG-6572, MNG-6964, MNG-7644, MNG-7714.
#[test]
fn maven_comparable_version_test() {
    ascending(
        Scheme::Maven,
        &[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ],
    );
    ascending(
        Scheme::Maven,
        &[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ],
    );
    let equal = [
        ("1", "1"),
        ("1", "1.0"),
        ("1", "1.0.0"),
        ("1.0", "1.0.0"),
        ("1", "1-0"),
        ("1", "1.0-0"),
        ("1.0", "1.0-0"),
        ("1a", "1-a"),
        ("1a", "1.0-a"),
        ("1a", "1.0.0-a"),
        ("1.0a", "1-a"),
        ("1.0.0a", "1-a"),
        ("1x", "1-x"),
        ("1x", "1.0-x"),
        ("1x", "1.0.0-x"),
        ("1.0x", "1-x"),
        ("1.0.0x", "1-x"),
        ("1cr", "1rc"),
        ("1a1", "1-alpha-1"),
        ("1b2", "1-beta-2"),
        ("1m3", "1-milestone-3"),
        ("1X", "1x"),
        ("1A", "1a"),
        ("1B", "1b"),
        ("1M", "1m"),
        ("1Cr", "1Rc"),
        ("1cR", "1rC"),
        ("1m3", "1Milestone3"),
        ("1m3", "1MileStone3"),
        ("1m3", "1MILESTONE3"),
        // testVersionsHaveSameOrderButAreNotEqual
        ("1ga", "1"),
        ("1release", "1"),
        ("1final", "1"),
        ("1GA", "1"),
        ("1RELeaSE", "1"),
        ("1FINAL", "1"),
        // testLexicographicASCIISortOrder, testCompareLowerCaseToUpperCaseASCII
        ("1.0.0-alpha1", "1.0.0-ALPHA1"),
        ("1.a", "1.A"),
        (
            "1-abcdefghijklmnopqrstuvwxyz",
            "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        ),
        // testVersionEqualWithLeadingZeroes
        ("0000000000000000001", "1"),
        ("01", "1"),
        ("0000000000000000000", "0"),
    ];
    for (a, b) in equal {
        assert_eq!(cmp(Scheme::Maven, a, b), Equal, "{a} == {b}");
        assert_eq!(cmp(Scheme::Maven, b, a), Equal, "{b} == {a}");
    }
    let less = [
        ("1", "2"),
        ("1.5", "2"),
        ("1", "2.5"),
        ("1.0", "1.1"),
        ("1.1", "1.2"),
        ("1.0.0", "1.1"),
        ("1.0.1", "1.1"),
        ("1.1", "1.2.0"),
        ("1.0-alpha-1", "1.0"),
        ("1.0-alpha-1", "1.0-alpha-2"),
        ("1.0-alpha-1", "1.0-beta-1"),
        ("1.0-beta-1", "1.0-SNAPSHOT"),
        ("1.0-SNAPSHOT", "1.0"),
        ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
        ("1.0", "1.0-1"),
        ("1.0-1", "1.0-2"),
        ("1.0.0", "1.0-1"),
        ("2.0-1", "2.0.1"),
        ("2.0.1-klm", "2.0.1-lmn"),
        ("2.0.1", "2.0.1-xyz"),
        ("2.0.1", "2.0.1-123"),
        ("2.0.1-xyz", "2.0.1-123"),
        ("0.7", "2"),
        ("0.2", "1.0.7"),
        ("J", "7"),
        ("c", "7"),
        ("aardvark", "zebra"),
        // MNG-5568
        ("6.1.0rc3", "6.1.0"),
        ("6.1.0rc3", "6.1H.5-beta"),
        ("6.1.0", "6.1H.5-beta"),
        // MNG-6572
        ("20190126.230843", "1234567890.12345"),
        ("1234567890.12345", "123456789012345.1H.5-beta"),
        (
            "123456789012345.1H.5-beta",
            "12345678901234567890.1H.5-beta",
        ),
        // MNG-6964
        ("1-0.alpha", "1"),
        ("1-0.beta", "1"),
        ("1-0.alpha", "1-0.beta"),
        // MNG-7714
        ("1.0.final-redhat", "1.0-sp1-redhat"),
        ("1.0.final-redhat", "1.0-sp-1-redhat"),
        ("1.0.final-redhat", "1.0-sp.1-redhat"),
    ];
    for (a, b) in less {
        assert_eq!(cmp(Scheme::Maven, a, b), Less, "{a} < {b}");
        assert_eq!(cmp(Scheme::Maven, b, a), Greater, "{b} > {a}");
    }
    // MNG-7644
    for x in [
        "abc",
        "alpha",
        "a",
        "beta",
        "b",
        "def",
        "milestone",
        "m",
        "RC",
    ] {
        let (a, b) = (format!("1.0.0.{x}1"), format!("1.0.0-{x}2"));
        assert_eq!(cmp(Scheme::Maven, &a, &b), Less, "{a} < {b}");
        for (a, b) in [
            (format!("2-{x}"), format!("2.0.{x}")),
            (format!("2-{x}"), format!("2.0.0.{x}")),
            (format!("2.0.{x}"), format!("2.0.0.{x}")),
        ] {
            assert_eq!(cmp(Scheme::Maven, &a, &b), Equal, "{a} == {b}");
        }
    }
    // testGetCanonical (MNG-7700)
    let canonical = |s: &str| {
        vouch_version::maven::MavenVersion::parse(s)
            .unwrap()
            .canonical()
    };
    assert_eq!(canonical("0.x"), "x");
    assert_eq!(canonical("0.2"), "0.2");
    // Like Maven, more than 256 characters is refused.
    assert!(matches!(
        parse(Scheme::Maven, &"1.".repeat(129)),
        Err(VersionError::Invalid { .. })
    ));
}

// ---------------------------------------------------------------- Packagist

/// Composer `VersionParserTest::normalize` cases and `ComparatorTest` / `version_compare`
/// special-form order (dev < alpha < beta < RC < stable < patch).
#[test]
fn composer_order() {
    ascending(
        Scheme::Packagist,
        &[
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta1-dev",
            "1.0.0-beta1",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0-rc2",
            "1.0.0",
            "1.0.0-patch1",
            "1.0.0-pl2",
            "1.0.1",
            "1.24.0",
            "1.25.0",
            "2.0",
        ],
    );
    table(
        Scheme::Packagist,
        &[
            ("v1.0.0", "1.0.0", Equal),
            ("1.0", "1.0.0.0", Equal),
            ("1.0.0-stable", "1.0.0", Equal),
            ("1.0.0b1", "1.0.0-beta1", Equal),
            ("1.0.0.a1", "1.0.0-alpha1", Equal),
            ("1.0.0-RC1", "1.0.0-rc1", Equal),
            ("1.0.0-beta.5", "1.0.0-beta5", Equal),
            ("1.0.0-p1", "1.0.0-patch1", Equal),
            ("5.4.3", "5.4.10", Less),
        ],
    );
    rejects(
        Scheme::Packagist,
        &[
            "dev-master",
            "1.x-dev",
            "1.0.0-foo",
            "1.2.3.4.5",
            "latest",
            "1.0.*",
        ],
    );
}

// ---------------------------------------------------------------- NuGet

/// NuGet docs, "Package versioning": pre-release precedence (SemVer 2 example list),
/// normalisation (`1.0` == `1.0.0.0`, leading zeros), case-insensitive labels, metadata ignored.
#[test]
fn nuget_order() {
    ascending(
        Scheme::NuGet,
        &[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.10",
        ],
    );
    table(
        Scheme::NuGet,
        &[
            ("1.0", "1.0.0.0", Equal),
            ("1", "1.0.0", Equal),
            ("1.01.1", "1.1.1", Equal),
            ("1.0.0-BETA", "1.0.0-beta", Equal),
            ("1.0.0+git.abc", "1.0.0", Equal),
            ("1.0.0-Beta.2", "1.0.0-beta.10", Less),
        ],
    );
    rejects(
        Scheme::NuGet,
        &[
            "1.0.0.0.0",
            "a.b",
            "1.0.0-",
            "1.0.0-be$ta",
            "1.0.0+",
            "2147483648.0",
            "1..0",
        ],
    );
}

// ---------------------------------------------------------------- RPM

/// rpm `tests/rpmvercmp.at` (every `RPMVERCMP(a, b, result)` case).
#[test]
fn rpm_rpmvercmp_at() {
    let cases: &[(&str, &str, i8)] = &[
        ("1.0", "1.0", 0),
        ("1.0", "2.0", -1),
        ("2.0.1", "2.0.1", 0),
        ("2.0", "2.0.1", -1),
        ("2.0.1a", "2.0.1a", 0),
        ("2.0.1a", "2.0.1", 1),
        ("5.5p1", "5.5p1", 0),
        ("5.5p1", "5.5p2", -1),
        ("5.5p10", "5.5p10", 0),
        ("5.5p1", "5.5p10", -1),
        ("10xyz", "10.1xyz", -1),
        ("xyz10", "xyz10", 0),
        ("xyz10", "xyz10.1", -1),
        ("xyz.4", "xyz.4", 0),
        ("xyz.4", "8", -1),
        ("xyz.4", "2", -1),
        ("5.5p2", "5.6p1", -1),
        ("5.6p1", "6.5p1", -1),
        ("6.0.rc1", "6.0", 1),
        ("10b2", "10a1", 1),
        ("10a2", "10b2", -1),
        ("1.0aa", "1.0aa", 0),
        ("1.0a", "1.0aa", -1),
        ("10.0001", "10.0001", 0),
        ("10.0001", "10.1", 0),
        ("10.0001", "10.0039", -1),
        ("4.999.9", "5.0", -1),
        ("20101121", "20101121", 0),
        ("20101121", "20101122", -1),
        ("2_0", "2_0", 0),
        ("2.0", "2_0", 0),
        ("a", "a", 0),
        ("a+", "a+", 0),
        ("a+", "a_", 0),
        ("+a", "+a", 0),
        ("+a", "_a", 0),
        ("+_", "+_", 0),
        ("_+", "+_", 0),
        ("_+", "_", 0),
        ("+", "_", 0),
        ("1.0~rc1", "1.0~rc1", 0),
        ("1.0~rc1", "1.0", -1),
        ("1.0~rc1", "1.0~rc2", -1),
        ("1.0~rc1~git123", "1.0~rc1~git123", 0),
        ("1.0~rc1~git123", "1.0~rc1", -1),
        ("1.0^", "1.0^", 0),
        ("1.0^", "1.0", 1),
        ("1.0^git1", "1.0^git1", 0),
        ("1.0^git1", "1.0", 1),
        ("1.0^git1", "1.0^git2", -1),
        ("1.0^git1", "1.01", -1),
        ("1.0^20160101", "1.0^20160101", 0),
        ("1.0^20160101", "1.0.1", -1),
        ("1.0^20160101^git1", "1.0^20160101^git1", 0),
        ("1.0^20160102", "1.0^20160101^git1", 1),
        ("1.0~rc1^git1", "1.0~rc1^git1", 0),
        ("1.0~rc1^git1", "1.0~rc1", 1),
        ("1.0^git1~pre", "1.0^git1~pre", 0),
        ("1.0^git1", "1.0^git1~pre", 1),
    ];
    for (a, b, r) in cases {
        let want = r.cmp(&0);
        assert_eq!(cmp(Scheme::Rpm, a, b), want, "rpmvercmp({a}, {b})");
        assert_eq!(
            cmp(Scheme::Rpm, b, a),
            want.reverse(),
            "rpmvercmp({b}, {a})"
        );
    }
    // Epoch and release (rpmVersionCompare / EVR).
    table(
        Scheme::Rpm,
        &[
            ("1:1.0-1", "2.0-1", Greater),
            ("0:1.0-1", "1.0-1", Equal),
            ("1.0-1.el9", "1.0-2.el9", Less),
            ("1.0-1.el9_2", "1.0-1.el9_10", Less),
            ("1.0", "1.0-1", Less),
            ("3.0.7-24.el9", "3.0.7-27.el9", Less),
        ],
    );
    rejects(
        Scheme::Rpm,
        &["1.0-", "x:1.0", ":1.0", "1:2:3", "1.0 1", "-1"],
    );
}

// ---------------------------------------------------------------- errors

/// One rejected input per scheme, with the exact variant, column and reason.
#[test]
fn each_scheme_says_what_is_wrong() {
    let cases: &[(Scheme, &str, usize, &str)] = &[
        (
            Scheme::SemVer,
            "1.0",
            1,
            "unexpected end of input while parsing minor version number",
        ),
        (
            Scheme::Go,
            "v1.02.3",
            2,
            "invalid leading zero in minor version number",
        ),
        (
            Scheme::Dpkg,
            "1.0-a_b",
            6,
            "invalid character in revision number",
        ),
        (Scheme::Dpkg, "x:1.0", 1, "epoch in version is not a number"),
        (Scheme::Dpkg, "1.0-", 5, "revision number is empty"),
        (
            Scheme::Apk,
            "1.0_foo",
            4,
            "not an apk version: expected digit{.digit}…{letter}{_suffix{number}}…{~hash}{-rN}",
        ),
        (Scheme::RubyGems, "1..2", 3, "empty segment after `.`"),
        (
            Scheme::RubyGems,
            "1.0 beta",
            4,
            "unexpected character in version",
        ),
        (
            Scheme::Packagist,
            "1.0.0-foo",
            6,
            "unexpected text after the version number",
        ),
        (
            Scheme::Packagist,
            "dev-master",
            1,
            "branch versions have no order",
        ),
        (
            Scheme::NuGet,
            "1.0.0.0.0",
            9,
            "more than four version numbers",
        ),
        (
            Scheme::NuGet,
            "2147483648.0",
            1,
            "version number is larger than 2147483647",
        ),
        (Scheme::Rpm, "1.0-", 5, "release is empty"),
        (Scheme::Rpm, "1:2:3", 4, "more than one `:` in version"),
    ];
    for (scheme, input, column, reason) in cases {
        assert_eq!(
            parse(*scheme, input).unwrap_err(),
            VersionError::Invalid {
                scheme: *scheme,
                input: (*input).to_owned(),
                column: *column,
                reason: (*reason).to_owned(),
            },
            "{scheme} {input}"
        );
    }
    let e = parse(Scheme::Pep440, "1.0+").unwrap_err();
    assert!(
        matches!(&e, VersionError::Invalid { reason, .. } if reason.contains("local")),
        "{e}"
    );
    // Long input is cut in the message (the field keeps all of it).
    let long = "1.".repeat(129);
    let e = parse(Scheme::Maven, &long).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "invalid maven version `{}…` at column 1: maven versions are at most 256 characters long",
            &long[..64]
        )
    );
}

#[test]
fn errors_name_the_problem() {
    for scheme in Scheme::ALL {
        let e = parse(scheme, " 1.0.0").unwrap_err();
        assert!(
            matches!(e, VersionError::Invalid { column: 1, .. }),
            "{scheme}: {e:?}"
        );
        let e = parse(scheme, "1.0.0\n").unwrap_err();
        assert!(
            matches!(e, VersionError::Invalid { column: 6, .. }),
            "{scheme}: {e:?}"
        );
    }
    assert_eq!(
        parse(Scheme::Dpkg, ""),
        Err(VersionError::Empty {
            scheme: Scheme::Dpkg
        })
    );
    assert_eq!(
        parse(Scheme::Rpm, &"1".repeat(2000)),
        Err(VersionError::TooLong {
            scheme: Scheme::Rpm,
            len: 2000
        })
    );
    let e = parse(Scheme::Dpkg, "1:a1.0").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid dpkg version `1:a1.0` at column 3: version number does not start with digit"
    );
    let e = parse(Scheme::Go, "v1.2.3.4").unwrap_err();
    assert!(
        matches!(
            e,
            VersionError::Invalid {
                scheme: Scheme::Go,
                column: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(cmp(Scheme::Go, "1.2.3", "v1.2.3"), Equal);
    let e = parse(Scheme::NuGet, "1.0.0-be$ta").unwrap_err();
    assert!(
        matches!(e, VersionError::Invalid { column: 9, .. }),
        "{e:?}"
    );
    let e = parse(Scheme::Apk, "1.0_foo").unwrap_err();
    assert!(
        matches!(
            e,
            VersionError::Invalid {
                scheme: Scheme::Apk,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn osv_ecosystems() {
    let cases = [
        ("crates.io", Some(Scheme::SemVer)),
        ("npm", Some(Scheme::SemVer)),
        ("Go", Some(Scheme::Go)),
        ("PyPI", Some(Scheme::Pep440)),
        ("Debian:12", Some(Scheme::Dpkg)),
        ("Ubuntu:22.04:LTS", Some(Scheme::Dpkg)),
        ("Alpine:v3.18", Some(Scheme::Apk)),
        ("RubyGems", Some(Scheme::RubyGems)),
        ("Maven", Some(Scheme::Maven)),
        ("Packagist", Some(Scheme::Packagist)),
        ("NuGet", Some(Scheme::NuGet)),
        ("Red Hat", Some(Scheme::Rpm)),
        ("Rocky Linux:9", Some(Scheme::Rpm)),
        ("AlmaLinux:8", Some(Scheme::Rpm)),
        ("openSUSE:Leap 15.5", Some(Scheme::Rpm)),
        ("SUSE:Linux Enterprise Server 15 SP5", Some(Scheme::Rpm)),
        ("Alpaquita:stream", Some(Scheme::Apk)),
        ("Photon OS:3.0", Some(Scheme::Rpm)),
        ("Azure Linux:3", Some(Scheme::Rpm)),
        ("GIT", None),
        ("Hackage", None),
        ("Root:Alpine:3.18", None),
        ("OSS-Fuzz", None),
        ("pypi", None),
        ("", None),
    ];
    for (name, want) in cases {
        assert_eq!(Scheme::for_osv_ecosystem(name), want, "{name}");
    }
}
