#![no_main]
//! Any bytes as an advisory archive — a tar (plain, gzip, xz) and a zip: records and named
//! problems, or an error, never a panic, and bounded memory (the per-entry and total caps; the
//! total is lowered here so a run stays fast).
use libfuzzer_sys::fuzz_target;
use vouch_advisory::import::{self, Collected, Compression};

fuzz_target!(|data: &[u8]| {
    for c in [Compression::None, Compression::Gzip, Compression::Xz] {
        let mut out = Collected::default();
        let _ = import::read_tar_capped(data, c, "fuzz.tar", &mut out, 64 * 1024 * 1024);
    }
    let mut out = Collected::default();
    let _ = import::read_zip(std::io::Cursor::new(data), "fuzz.zip", &mut out);
});
