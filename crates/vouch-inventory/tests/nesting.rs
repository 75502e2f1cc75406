//! Nesting depth in the JSON and YAML lockfile parsers: `pnpm-lock.yaml` goes through the
//! `vouch-yaml` depth check (limit 128, block and flow), the JSON parsers through `serde_json`'s
//! recursion limit (it refuses level 128, so 127 levels are read). Over the limit is an error with line and column; at the limit the
//! file is read. Speed is measured in bench/parse-bounds.sh, never asserted here.

use vouch_inventory::{FileKind, ParseError, Source, parse};

fn parse_text(kind: FileKind, text: &str) -> Result<vouch_inventory::Parsed, ParseError> {
    parse(kind, &Source::alone("lock", text.as_bytes()))
}

/// A v9 `pnpm-lock.yaml` with one package, and `depth` flow sequences nested under `settings`.
fn pnpm_flow(depth: usize) -> String {
    format!(
        "lockfileVersion: '9.0'\nsettings: {}{}\npackages:\n  left-pad@1.3.0:\n    resolution: {{integrity: sha512-AAAA}}\nsnapshots:\n  left-pad@1.3.0: {{}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// The same with `depth` nested block mappings under `settings`.
fn pnpm_block(depth: usize) -> String {
    let mut s = String::from("lockfileVersion: '9.0'\nsettings:\n");
    for i in 1..depth {
        s.push_str(&" ".repeat(i));
        s.push_str("a:\n");
    }
    s.push_str(&" ".repeat(depth));
    s.push_str("b: 1\npackages:\n  left-pad@1.3.0:\n    resolution: {integrity: sha512-AAAA}\nsnapshots:\n  left-pad@1.3.0: {}\n");
    s
}

#[test]
fn pnpm_flow_over_the_limit_is_refused_with_line_and_column() {
    // Level 1 is the top mapping; the n-th `[` opens level n + 1 at column 10 + n + 1.
    let err = parse_text(FileKind::PnpmLock, &pnpm_flow(300)).unwrap_err();
    assert_eq!(
        err,
        ParseError {
            line: Some(2),
            column: Some(11 + 127),
            message: "nesting deeper than the limit of 128 levels".into(),
        }
    );
}

#[test]
fn pnpm_block_over_the_limit_is_refused_with_line_and_column() {
    // `settings:` holds level 2 (line 3, column 2); level n starts on line n + 1, column n.
    let err = parse_text(FileKind::PnpmLock, &pnpm_block(200)).unwrap_err();
    assert_eq!(
        (err.line, err.column, err.message.as_str()),
        (
            Some(130),
            Some(129),
            "nesting deeper than the limit of 128 levels"
        )
    );
}

#[test]
fn pnpm_at_the_limit_is_read() {
    for text in [pnpm_flow(127), pnpm_block(127)] {
        let parsed = parse_text(FileKind::PnpmLock, &text).unwrap();
        assert_eq!(parsed.packages.len(), 1);
        assert_eq!(parsed.packages[0].name, "left-pad");
    }
}

/// `package-lock.json` v3 with one package and `depth` nested arrays in an unknown field.
fn npm(depth: usize) -> String {
    format!(
        "{{\"lockfileVersion\": 3, \"packages\": {{\"node_modules/left-pad\": {{\"version\": \"1.3.0\"}}}},\n\"x\": {}{}}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

#[test]
fn json_lockfiles_stop_at_serde_json_recursion_limit() {
    // The document is level 1; serde_json refuses level 128, the 127th `[` (column 5 + 127).
    let err = parse_text(FileKind::NpmLock, &npm(300)).unwrap_err();
    assert_eq!(
        err,
        ParseError {
            line: Some(2),
            column: Some(5 + 127),
            message: "recursion limit exceeded".into(),
        }
    );
    let parsed = parse_text(FileKind::NpmLock, &npm(126)).unwrap();
    assert_eq!(parsed.packages.len(), 1);
}

/// The `nesting` fuzz target's seeds (fuzz/seeds/nesting; the first byte picks the parser as in
/// the target): each deep one is refused by a depth limit, the one at serde_json's limit is read.
#[test]
fn fuzz_seeds_are_refused_by_a_depth_limit() {
    const KINDS: &[FileKind] = &[
        FileKind::NpmLock,
        FileKind::PnpmLock,
        FileKind::ComposerLock,
        FileKind::PipfileLock,
        FileKind::NodeModule,
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/nesting");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 9);
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let (first, rest) = bytes.split_first().unwrap();
        let kind = KINDS[usize::from(*first) % KINDS.len()];
        let result = parse(kind, &Source::alone("seed", rest));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "npm-json-128" {
            assert!(result.is_ok(), "{name}: {result:?}");
            continue;
        }
        let err = result.expect_err(&name);
        assert!(
            err.message == "nesting deeper than the limit of 128 levels"
                || err.message == "recursion limit exceeded",
            "{name}: {err:?}"
        );
    }
}
