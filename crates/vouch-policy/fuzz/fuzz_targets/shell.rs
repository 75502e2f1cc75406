//! The shell splitter and the YAML line index on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = vouch_policy::shell::split(s);
        let _ = vouch_yaml::LineIndex::build(s);
    }
});
