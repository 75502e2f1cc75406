//! Any bytes into the SBOM readers: never a panic. Seed with `tests/fixtures/{peers,read-errors}`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vouch_sbom::read::parse(data);
});
