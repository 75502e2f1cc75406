#![no_main]
//! Any bytes as an advisory file told by its content, JSON then YAML (the Alpine secdb reader
//! behind both, and the sniffing that picks it): records and problems, never a panic.
use libfuzzer_sys::fuzz_target;
use vouch_advisory::import::{Format, parse_document};

fuzz_target!(|data: &[u8]| {
    let _ = parse_document(Format::Json, data);
    let _ = parse_document(Format::Yaml, data);
});
