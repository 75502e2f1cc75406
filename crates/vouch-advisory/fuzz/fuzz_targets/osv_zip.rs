#![no_main]
//! Any bytes as an OSV zip export (`<ECOSYSTEM>/all.zip`, which first use downloads from the
//! configured source): records and problems, or an error, never a panic or an unbounded read.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vouch_advisory::import::read_zip_bytes(data, "fuzz/all.zip");
});
