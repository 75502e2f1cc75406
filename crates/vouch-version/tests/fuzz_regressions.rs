//! Replays saved crash inputs (tests/fixtures/fuzz) through the check their fuzz target runs.

use std::cmp::Ordering;

use vouch_version::{Scheme, compare, parse};

fn scheme(target: &str) -> Option<Scheme> {
    Some(match target {
        "compare_semver" => Scheme::SemVer,
        "compare_go" => Scheme::Go,
        "compare_pep440" => Scheme::Pep440,
        "compare_dpkg" => Scheme::Dpkg,
        "compare_apk" => Scheme::Apk,
        "compare_rubygems" => Scheme::RubyGems,
        "compare_maven" => Scheme::Maven,
        "compare_packagist" => Scheme::Packagist,
        "compare_nuget" => Scheme::NuGet,
        "compare_rpm" => Scheme::Rpm,
        _ => return None,
    })
}

/// The body of the `compare_*` fuzz targets.
fn check(scheme: Scheme, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\n').unwrap_or((&text, ""));
    match (compare(scheme, a, b), compare(scheme, b, a)) {
        (Ok(x), Ok(y)) => assert_eq!(x, y.reverse(), "{a:?} vs {b:?}"),
        (Err(_), Err(_)) => {}
        (x, y) => panic!("asymmetric errors: {x:?} / {y:?}"),
    }
    if let Ok(v) = parse(scheme, a) {
        assert_eq!(v.cmp(&v), Ordering::Equal);
    }
}

#[test]
fn replay_saved_inputs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures/fuzz") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some(scheme) = name.split('-').next().and_then(scheme) else {
            continue;
        };
        check(scheme, &std::fs::read(&path).expect("read"));
        n += 1;
    }
    assert!(n >= 1, "no saved inputs found in {}", dir.display());
}

#[test]
fn go_shorthand_underflow_is_an_error() {
    assert!(parse(Scheme::Go, "v1.").is_err());
    assert!(parse(Scheme::Go, "1.").is_err());
    assert!(parse(Scheme::Go, "v.").is_err());
}
