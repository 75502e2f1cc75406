//! Discovery and span finding on arbitrary bytes (the first byte picks the file kind), then a
//! rewrite of every located reference: nothing may panic, every span must lie on character
//! boundaries inside the text, and the rewrite must apply.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_pin::FileKind;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let kind = FileKind::ALL[usize::from(first) % FileKind::ALL.len()];
    vouch_pin::fuzzing::discover_and_rewrite(kind, rest);
});
