#![no_main]
//! The JSON and YAML lockfile parsers (npm, pnpm, composer, Pipfile, node_modules) on arbitrary
//! bytes, the first byte picking the parser: an error or packages, never a panic or a slow input.
//! Seeds: `seeds/nesting/` (deep JSON and YAML nesting). Inputs are capped at 256 KiB here and
//! the documented run command passes `-timeout=10`.
use libfuzzer_sys::fuzz_target;
use vouch_inventory::{FileKind, Source, parse};

const KINDS: &[FileKind] = &[
    FileKind::NpmLock,
    FileKind::PnpmLock,
    FileKind::ComposerLock,
    FileKind::PipfileLock,
    FileKind::NodeModule,
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    if rest.len() > 256 * 1024 {
        return;
    }
    let kind = KINDS[usize::from(first) % KINDS.len()];
    let _ = parse(kind, &Source::alone("fuzz", rest));
});
