//! An image archive of arbitrary bytes, read as an OCI archive and as a docker archive: the
//! archive index, index/manifest/config parsing, platform choice, layer decompression (gzip,
//! zstd, none), tar reading, whiteouts and the merged tree. Any error is fine; a panic, a hang
//! or unbounded memory is not. Caps are lowered so each input stays quick.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_fs::walk::Tree as _;
use vouch_oci::image::{self, Caps, Options, Platform, Scan, Source};

fuzz_target!(|data: &[u8]| {
    if data.len() > 1 << 20 {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    std::fs::write(&path, data).unwrap();
    let options = Options {
        platform: Platform::parse("linux/amd64").unwrap(),
    };
    let scan = Scan {
        retain: &|_| true,
        visit: Some(&|_, r| {
            let _ = std::io::copy(r, &mut std::io::sink());
        }),
        caps: Caps {
            layer: 64 << 20,
            image: 128 << 20,
            ratio_after: 1 << 20,
            ..Caps::default()
        },
        progress: None,
    };
    for source in [
        Source::OciArchive {
            path: path.clone(),
            selector: None,
        },
        Source::DockerArchive {
            path: path.clone(),
            selector: None,
        },
    ] {
        if let Ok(img) = image::open(&source, &options, None)
            && let Ok(tree) = img.read(&scan)
        {
            let walk = tree.walk();
            for e in walk.entries.iter().take(100) {
                let _ = tree.read(&e.rel, 1 << 20);
                let _ = tree.read_link(&e.rel);
            }
        }
    }
});
