//! The shared YAML loader (`vouch check`, `vouch scan`, `vouch pin` read YAML and Kubernetes JSON
//! through it) and the line index on arbitrary text. Seeds: `seeds/yaml_load/` (deep flow and
//! block nesting, JSON nesting, merge keys). Inputs are capped at 256 KiB inside the target and
//! the documented run command passes `-timeout=10`, so a slow input is reported as a timeout.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 256 * 1024 {
        return;
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = vouch_yaml::load_all(s);
        let _ = vouch_yaml::LineIndex::build(s);
    }
});
