#![no_main]
//! Any bytes as an OSV JSON record: a record or an error, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vouch_advisory::osv::parse_json(data);
});
