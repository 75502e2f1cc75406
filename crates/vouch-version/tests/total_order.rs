//! Property tests: every comparator is a total order on generated versions — reflexive,
//! antisymmetric, transitive (checked on triples and on every pair of a sorted list), and
//! consistent with equality.

use std::cmp::Ordering;

use proptest::prelude::*;
use vouch_version::{Scheme, Version, parse};

/// A generator of mostly-valid versions for each scheme (rejected strings are skipped).
fn pattern(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::SemVer => {
            "v?[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-[0-9a-z]{1,3}(\\.[0-9a-z]{1,3}){0,2})?(\\+[a-z0-9]{1,3})?"
        }
        Scheme::Go => {
            "v?[0-9]{1,2}(\\.[0-9]{1,2}(\\.[0-9]{1,2}(-(0\\.)?[0-9a-z]{1,3}(\\.[0-9]{1,14})?)?(\\+incompatible)?)?)?"
        }
        Scheme::Pep440 => {
            "([0-9]!)?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}((a|b|rc|alpha|c|pre)[0-9]?)?(\\.post[0-9]|-[0-9])?(\\.dev[0-9]?)?(\\+[a-z0-9]{1,3}(\\.[a-z0-9]{1,2})?)?"
        }
        Scheme::Dpkg => "([0-9]{1,2}:)?[0-9][0-9a-zA-Z.+~]{0,6}(-[0-9a-z.+~]{1,4})?",
        Scheme::Apk => {
            "[0-9]{1,2}(\\.[0-9]{1,3}){0,2}[a-c]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,2}){0,2}(~[0-9a-f]{1,3})?(-r[0-9]{1,2})?"
        }
        Scheme::RubyGems => "[0-9]{1,2}(\\.[0-9a-zA-Z]{1,3}){0,3}(-[0-9a-z]{1,3})?",
        Scheme::Maven => {
            "(alpha|beta|milestone|rc|cr|snapshot|sp|ga|final|release|a|b|m|x|[0-9]{1,2}|0|00|[.]|-){1,8}"
        }
        Scheme::Packagist => {
            "v?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}([._-]?(alpha|beta|b|a|rc|RC|p|pl|patch|stable)([.-]?[0-9]{1,2})?)?([.-]dev)?"
        }
        Scheme::NuGet => {
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}(-[0-9a-zA-Z]{1,3}(\\.[0-9a-zA-Z]{1,3}){0,2})?(\\+[a-z]{1,2})?"
        }
        Scheme::Rpm => "([0-9]:)?[0-9a-z.~^_+]{1,8}(-[0-9a-z.~^_]{1,4})?",
        _ => "[0-9.]{1,5}",
    }
}

fn versions(scheme: Scheme, n: usize) -> impl Strategy<Value = Vec<Version>> {
    proptest::collection::vec(pattern(scheme), n)
        .prop_map(move |v| v.iter().filter_map(|s| parse(scheme, s).ok()).collect())
}

fn check_total_order(list: &[Version]) -> Result<(), TestCaseError> {
    for a in list {
        prop_assert_eq!(a.cmp(a), Ordering::Equal, "reflexive: {}", a);
        for b in list {
            let ab = a.cmp(b);
            prop_assert_eq!(ab, b.cmp(a).reverse(), "antisymmetric: {} vs {}", a, b);
            prop_assert_eq!(
                ab == Ordering::Equal,
                a == b,
                "eq consistent: {} vs {}",
                a,
                b
            );
            for c in list {
                let bc = b.cmp(c);
                if ab != Ordering::Greater && bc != Ordering::Greater {
                    prop_assert!(
                        a.cmp(c) != Ordering::Greater,
                        "transitive: {} <= {} <= {}",
                        a,
                        b,
                        c
                    );
                }
                if ab == Ordering::Equal {
                    prop_assert_eq!(a.cmp(c), bc, "equal substitutable: {} == {} vs {}", a, b, c);
                }
            }
        }
    }
    let mut sorted = list.to_vec();
    sorted.sort();
    for (i, a) in sorted.iter().enumerate() {
        for b in sorted.iter().skip(i + 1) {
            prop_assert!(a <= b, "sorted list out of order: {} > {}", a, b);
        }
    }
    Ok(())
}

macro_rules! total_order {
    ($name:ident, $scheme:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
            #[test]
            fn $name(list in versions($scheme, 12)) {
                check_total_order(&list)?;
            }
        }
    };
}

total_order!(semver_is_total, Scheme::SemVer);
total_order!(go_is_total, Scheme::Go);
total_order!(pep440_is_total, Scheme::Pep440);
total_order!(dpkg_is_total, Scheme::Dpkg);
total_order!(apk_is_total, Scheme::Apk);
total_order!(rubygems_is_total, Scheme::RubyGems);
total_order!(maven_is_total, Scheme::Maven);
total_order!(packagist_is_total, Scheme::Packagist);
total_order!(nuget_is_total, Scheme::NuGet);
total_order!(rpm_is_total, Scheme::Rpm);

/// The generators must mostly produce versions, or the properties above prove little.
#[test]
fn generators_mostly_parse() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for scheme in Scheme::ALL {
        let strategy = proptest::string::string_regex(pattern(scheme)).expect("regex");
        let mut ok = 0;
        for _ in 0..200 {
            let s = strategy.new_tree(&mut runner).expect("tree").current();
            ok += usize::from(parse(scheme, &s).is_ok());
        }
        assert!(ok >= 100, "{scheme}: only {ok}/200 generated strings parse");
    }
}
