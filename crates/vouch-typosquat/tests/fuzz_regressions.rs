//! Replays every list in tests/fixtures (hand-made hostile inputs and saved fuzzer crashes)
//! through the properties of the fuzz targets: a list or an error, never a panic; every name of
//! a list is popular and never flagged; a suspect never resembles itself.

use vouch_typosquat::{Ecosystem, Index, Popular, source};

#[test]
fn fuzz_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut replayed = 0;
    let mut parsed = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        replayed += 1;
        for eco in Ecosystem::ALL {
            if let Ok(p) = Popular::parse(eco, &text, "fixture") {
                parsed += 1;
                let index = Index::new(&p);
                for n in &p.names {
                    assert!(index.is_popular(n), "{}: {n:?}", path.display());
                    assert_eq!(index.check(n), None, "{}: {n:?}", path.display());
                    // Each name with one more letter: a suspect, if any, is another name.
                    let near = format!("{n}x");
                    if let Some(s) = index.check(&near) {
                        assert_ne!(eco.normalize(&s.resembles), eco.normalize(&near));
                    }
                }
                assert_eq!(Popular::parse(eco, &p.to_text(), "fixture"), Ok(p));
            }
        }
        let _ = source::top_pypi_json(&bytes, "fixture");
        let _ = source::npm_high_impact_js(&text, "fixture", "2026-01-01");
    }
    assert!(replayed >= 2, "{replayed}");
    // hostile-valid.txt parses for both ecosystems except its scoped names under PyPI.
    assert_eq!(
        parsed, 1,
        "only the npm reading of hostile-valid.txt parses"
    );
}
