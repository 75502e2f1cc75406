#![no_main]
//! Any bytes given to the NugetLock parser: an error or packages, never a panic.
use libfuzzer_sys::fuzz_target;
use vouch_inventory::{FileKind, Source, parse};

fuzz_target!(|data: &[u8]| {
    let _ = parse(FileKind::NugetLock, &Source::alone("fuzz", data));
});
