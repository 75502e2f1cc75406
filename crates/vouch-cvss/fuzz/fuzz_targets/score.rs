#![no_main]
//! Any string as a CVSS vector: a score in 0.0..=10.0 with one decimal, or an error; never a
//! panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = vouch_cvss::score(&text) {
        assert!((0.0..=10.0).contains(&s.base), "{text:?}: {}", s.base);
        assert!(((s.base * 10.0).round() - s.base * 10.0).abs() < 1e-9, "{text:?}: {}", s.base);
    }
});
