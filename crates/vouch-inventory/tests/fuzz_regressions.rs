//! Replays every saved fuzzer input under `tests/fixtures/fuzz-regressions/<target>/` through
//! the parser its fuzz target drives (the folder name is the target name, see `fuzz/`). Each
//! must give packages or an error, never a panic. Files named `*.md` are notes, not inputs.

use std::path::Path;

use vouch_inventory::{FileKind, Source, parse};

/// Fuzz target name -> the parser it drives (as in `fuzz/fuzz_targets/<target>.rs`).
fn kind(target: &str) -> Option<FileKind> {
    Some(match target {
        "cargo_lock" => FileKind::CargoLock,
        "npm_lock" => FileKind::NpmLock,
        "yarn_lock" => FileKind::YarnLock,
        "pnpm_lock" => FileKind::PnpmLock,
        "poetry_lock" => FileKind::PoetryLock,
        "uv_lock" => FileKind::UvLock,
        "pipfile_lock" => FileKind::PipfileLock,
        "requirements" => FileKind::Requirements,
        "go_mod" => FileKind::GoMod,
        "gemfile_lock" => FileKind::GemfileLock,
        "composer_lock" => FileKind::ComposerLock,
        "python_installed" => FileKind::PythonInstalled,
        "node_module" => FileKind::NodeModule,
        "dpkg_status" => FileKind::DpkgStatus,
        "apk_installed" => FileKind::ApkInstalled,
        "rpm_sqlite" => FileKind::RpmSqlite,
        // The first two bytes pick the chunk size (see fuzz_targets/binary.rs); the parser
        // scans the rest.
        "binary" => FileKind::Binary,
        _ => return None,
    })
}

/// The parsers of the `nesting` target, in its order.
const NESTING: &[FileKind] = &[
    FileKind::NpmLock,
    FileKind::PnpmLock,
    FileKind::ComposerLock,
    FileKind::PipfileLock,
    FileKind::NodeModule,
];

#[test]
fn saved_fuzz_inputs_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let targets = std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let mut replayed = 0;
    let mut dirs: Vec<_> = targets
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let target = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        // `nesting` picks its parser with the first byte (fuzz/fuzz_targets/nesting.rs).
        let kind = (target != "nesting").then(|| {
            kind(&target)
                .unwrap_or_else(|| panic!("{}: no fuzz target named `{target}`", dir.display()))
        });
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            // Same call as the fuzz target: any result is fine, a panic fails the test.
            match kind {
                Some(FileKind::Binary) => binary_property(&bytes),
                Some(kind) => {
                    let _ = parse(kind, &Source::alone("fuzz", &bytes));
                }
                None => {
                    if let Some((&first, rest)) = bytes.split_first() {
                        let kind = NESTING[usize::from(first) % NESTING.len()];
                        let _ = parse(kind, &Source::alone("fuzz", rest));
                    }
                }
            }
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} saved fuzz input(s)");
}

/// What `fuzz_targets/binary.rs` checks: no panic, and the same result in chunks of the size
/// the first two bytes give as in one pass.
fn binary_property(data: &[u8]) {
    use vouch_inventory::binary::{Scanner, scan_bytes};
    if data.len() < 2 {
        return;
    }
    let size = usize::from(u16::from_le_bytes([data[0], data[1]])).max(1);
    let bytes = &data[2..];
    let whole = scan_bytes(bytes);
    let mut s = Scanner::new();
    for c in bytes.chunks(size) {
        s.feed(c);
    }
    assert_eq!(whole, s.finish(), "chunk size {size}");
}
