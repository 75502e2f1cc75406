//! Two artifacts of arbitrary bytes compared by `vouch_repro::diff`: the first byte picks the
//! file names (and so the format the names claim: tar, tar.gz, zip, wheel, JSON, none), the
//! second where the rest is split into left and right. Both go through detection by content,
//! the tar reader (vouch-oci's, plain/gzip/zstd), the zip reader, the JSON walk, and the image
//! reader when a tar is an OCI or docker archive; then every differing member is read back as
//! for diffoscope. Any error is fine; a panic, a hang or unbounded memory is not. Caps are
//! lowered so each input stays quick.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_oci::image::Caps;
use vouch_repro::diff::{self, Input, Limits};

const NAMES: [&str; 6] = ["a.tar", "a.tar.gz", "a.zip", "a.whl", "a.json", "a.bin"];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 || data.len() > 1 << 20 {
        return;
    }
    let name = NAMES[data[0] as usize % NAMES.len()];
    let rest = &data[2..];
    let split = (data[1] as usize * rest.len()) / 255;
    let (left, right) = rest.split_at(split.min(rest.len()));
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("l").join(name), dir.path().join("r").join(name));
    std::fs::create_dir_all(a.parent().unwrap()).unwrap();
    std::fs::create_dir_all(b.parent().unwrap()).unwrap();
    std::fs::write(&a, left).unwrap();
    std::fs::write(&b, right).unwrap();
    let limits = Limits {
        caps: Caps {
            layer: 64 << 20,
            image: 128 << 20,
            ratio_after: 1 << 20,
            entries: 10_000,
            file: 8 << 20,
            kept: 16 << 20,
            ..Caps::default()
        },
        members: 10_000,
        document: 4 << 20,
        differences: 1_000,
    };
    let (Ok(ia), Ok(ib)) = (Input::detect(&a), Input::detect(&b)) else {
        return;
    };
    if let Ok(report) = diff::compare_inputs(&ia, &ib, &limits) {
        for d in report.differences.iter().take(8) {
            let _ = diff::member_bytes(&ia, &d.path, &limits);
            let _ = diff::member_bytes(&ib, &d.path, &limits);
        }
    }
});
