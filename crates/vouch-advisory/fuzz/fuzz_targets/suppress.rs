#![no_main]
//! Any bytes as an OpenVEX document, an ignore file and a purl: never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vouch_advisory::suppress::parse_vex("fuzz", data, 0);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = vouch_advisory::suppress::parse_ignore("fuzz", text);
        let _ = vouch_purl::Purl::parse(text);
    }
});
