//! The other parsers: release tags, action and component interfaces, vouch.lock.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vouch_pin::fuzzing::formats(data);
});
