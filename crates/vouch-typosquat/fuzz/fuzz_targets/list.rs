#![no_main]
//! Any bytes as a popular list (the downloaded copy `vouch scan` reads) and as the two source
//! formats `vouch db update --popular` converts: a list or an error, never a panic; a list that
//! parses indexes, and each of its names is popular and never flagged.
use libfuzzer_sys::fuzz_target;
use vouch_typosquat::{Ecosystem, Index, Popular, source};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for eco in Ecosystem::ALL {
        if let Ok(p) = Popular::parse(eco, &text, "fuzz") {
            let index = Index::new(&p);
            for n in &p.names {
                assert!(index.is_popular(n), "{n:?}");
                assert!(index.check(n).is_none(), "{n:?}");
            }
            assert_eq!(Popular::parse(eco, &p.to_text(), "fuzz").as_ref(), Ok(&p));
        }
    }
    let _ = source::top_pypi_json(data, "fuzz");
    let _ = source::npm_high_impact_js(&text, "fuzz", "2026-01-01");
});
