//! Inputs saved from fuzzing (tests/fixtures/fuzz-regressions/<target>/) replayed through the
//! fuzz targets' code for every file kind: none may panic.

use std::path::Path;

use vouch_pin::FileKind;

#[test]
fn saved_fuzz_inputs_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut n = 0;
    for target in std::fs::read_dir(&root).unwrap() {
        let dir = target.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            for kind in FileKind::ALL {
                vouch_pin::fuzzing::discover_and_rewrite(kind, &bytes);
            }
            vouch_pin::fuzzing::formats(&bytes);
            n += 1;
        }
    }
    assert!(n > 0, "no saved inputs under {}", root.display());
}
