//! The scanner entry point on arbitrary bytes: no panic, and no finding message or property
//! carries the clear secret.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let options = vouch_secrets::Options::default();
    let outcome = vouch_secrets::scan_bytes(data, "fuzz.txt", &options).expect("scan_bytes does not fail on bytes");
    let matches = vouch_secrets::RuleSet::builtin().scan(data);
    for m in &matches {
        let secret = m.secret.expose();
        if secret.len() >= 12 {
            for f in &outcome.findings {
                assert!(memfind(f.message.as_bytes(), secret).is_none(), "message leaks a secret");
            }
        }
    }
});

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
