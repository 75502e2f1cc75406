//! Lockfile parsers for Cargo, npm, yarn, pnpm, Composer and Bundler, against real-world
//! lockfiles (tests/fixtures/<area>/SOURCES.md says where each came from).
//!
//! Every fixture's package count is checked against a count made independently here, in a
//! simpler way (a regex over the text, or a walk over `serde_json::Value`).

use std::path::Path;

use regex::Regex;
use serde_json::Value;
use vouch_inventory::{
    Ecosystem, FileKind, HashAlgorithm, Package, ParseError, Parsed, Scope, Source, parse, purl_of,
};

fn read(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(rel: &str) -> String {
    String::from_utf8(read(rel)).expect("fixture is UTF-8")
}

fn run(kind: FileKind, rel: &str) -> Parsed {
    let bytes = read(rel);
    parse(kind, &Source::alone(rel, &bytes)).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
}

fn fail(kind: FileKind, rel: &str) -> ParseError {
    let bytes = read(rel);
    match parse(kind, &Source::alone(rel, &bytes)) {
        Ok(p) => panic!(
            "{rel}: expected an error, got {} packages",
            p.packages.len()
        ),
        Err(e) => e,
    }
}

fn find<'a>(parsed: &'a Parsed, name: &str, version: &str) -> &'a Package {
    parsed
        .packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name}@{version} not found"))
}

fn count_matches(re: &str, text: &str) -> usize {
    Regex::new(re).expect("regex").find_iter(text).count()
}

fn files_in(area: &str, suffix: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(area);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(suffix))
        .map(|n| format!("{area}/{n}"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures in {area}");
    names
}

/// Every package has a name, a version, and a line inside the file; lines are distinct.
fn sane(parsed: &Parsed, rel: &str, lines_known: bool) {
    let line_count = text(rel).lines().count() as u32;
    for p in &parsed.packages {
        assert!(!p.name.is_empty() && !p.version.is_empty(), "{rel}: {p:?}");
        if lines_known {
            let line = p
                .line
                .unwrap_or_else(|| panic!("{rel}: no line for {}@{}", p.name, p.version));
            assert!(line >= 1 && line <= line_count, "{rel}: line {line}");
        }
    }
}

// ---------------------------------------------------------------- Cargo.lock

#[test]
fn cargo_counts_match_package_headers() {
    for rel in files_in("cargo", ".Cargo.lock") {
        let parsed = run(FileKind::CargoLock, &rel);
        let expected = count_matches(r"(?m)^\[\[package\]\]\r?$", &text(&rel));
        assert_eq!(parsed.packages.len(), expected, "{rel}");
        assert!(parsed.warnings.is_empty(), "{rel}: {:?}", parsed.warnings);
        sane(&parsed, &rel, true);
        // Every dependency edge resolved to an exact version present in the file.
        for p in &parsed.packages {
            for d in &p.dependencies {
                let v = d.version.as_deref().expect("resolved");
                find(&parsed, &d.name, v);
            }
        }
    }
}

#[test]
fn cargo_root_crate_is_the_path_package_nothing_depends_on() {
    let roots = |parsed: &Parsed| -> Vec<(String, String)> {
        parsed
            .packages
            .iter()
            .filter(|p| p.root)
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect()
    };
    let ripgrep = run(FileKind::CargoLock, "cargo/ripgrep.Cargo.lock");
    assert_eq!(roots(&ripgrep), [("ripgrep".into(), "15.2.0".into())]);
    assert!(
        ripgrep
            .packages
            .iter()
            .filter(|p| p.root)
            .all(|p| p.first_party)
    );

    // A virtual workspace: two members nothing depends on, so no root.
    let virtual_ws = "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n\n\
                      [[package]]\nname = \"b\"\nversion = \"0.1.0\"\n";
    let parsed = parse(
        FileKind::CargoLock,
        &Source::alone("Cargo.lock", virtual_ws.as_bytes()),
    )
    .unwrap();
    assert_eq!(parsed.packages.len(), 2);
    assert_eq!(roots(&parsed), []);

    // The inventory lifts the root of a top-level lockfile out of the components into
    // `Inventory::root`; a nested lockfile's root stays a first-party component.
    let bytes = read("cargo/ripgrep.Cargo.lock");
    let parsed = parse(FileKind::CargoLock, &Source::alone("Cargo.lock", &bytes)).unwrap();
    let count = parsed.packages.len();
    let top = vouch_inventory::Inventory::build(
        "rg",
        None,
        vec![("Cargo.lock".into(), FileKind::CargoLock, parsed.clone())],
        vec![],
    );
    let root = top.root.as_ref().expect("root lifted");
    assert_eq!(
        (root.name.as_str(), root.version.as_str()),
        ("ripgrep", "15.2.0")
    );
    assert!(root.first_party && !root.dependencies.is_empty());
    assert_eq!(top.components.len(), count - 1);
    assert!(!top.components.iter().any(|c| c.name == "ripgrep"));
    let nested = vouch_inventory::Inventory::build(
        "tree",
        None,
        vec![("rg/Cargo.lock".into(), FileKind::CargoLock, parsed.clone())],
        vec![],
    );
    assert!(nested.root.is_none());
    assert_eq!(nested.components.len(), count);
    // Two top-level lockfiles naming different roots: neither is the subject.
    let mut other = parsed.clone();
    for p in other.packages.iter_mut().filter(|p| p.root) {
        p.name = "other".into();
    }
    let two = vouch_inventory::Inventory::build(
        "tree",
        None,
        vec![
            ("Cargo.lock".into(), FileKind::CargoLock, parsed),
            ("x.lock".into(), FileKind::CargoLock, other),
        ],
        vec![],
    );
    assert!(two.root.is_none());
    assert!(
        two.components
            .iter()
            .any(|c| c.name == "ripgrep" && c.first_party)
    );
}

#[test]
fn cargo_ripgrep_snapshot() {
    let parsed = run(FileKind::CargoLock, "cargo/ripgrep.Cargo.lock");
    insta::assert_json_snapshot!("cargo_ripgrep", parsed.packages);
}

#[test]
fn cargo_details() {
    let parsed = run(
        FileKind::CargoLock,
        "cargo/rustsec-fixture.vulnerable-binary.Cargo.lock",
    );
    let ahash = find(&parsed, "ahash", "0.8.12");
    assert_eq!(ahash.line, Some(20));
    assert_eq!(ahash.hashes[0].algorithm, HashAlgorithm::Sha256);
    assert_eq!(
        ahash.hashes[0].hex,
        "5a15f179cd60c4584b8a8c596927aadc462e27f2ca70c04e0071964a73ba7a75"
    );
    assert_eq!(
        ahash.resolved.as_ref().map(vouch_inventory::Url::expose),
        Some("registry+https://github.com/rust-lang/crates.io-index")
    );
    // "cfg-if 1.0.4" (name + version) resolves to that exact version.
    assert!(
        ahash
            .dependencies
            .iter()
            .any(|d| d.name == "cfg-if" && d.version.as_deref() == Some("1.0.4"))
    );
    assert_eq!(purl_of(ahash, None).to_string(), "pkg:cargo/ahash@0.8.12");
    // The workspace's own package: kept, no source, no checksum.
    let ripgrep = run(FileKind::CargoLock, "cargo/ripgrep.Cargo.lock");
    let own = find(&ripgrep, "ripgrep", "15.2.0");
    assert_eq!(own.resolved, None);
    assert!(own.hashes.is_empty());
}

/// Cargo.lock v1 keeps checksums in `[metadata]` and writes every dependency as
/// `name version (source)`. Hand-written in the shape cargo 1.38 wrote (no v1 lockfile in the
/// shared corpus).
#[test]
fn cargo_v1_metadata_checksums() {
    let lock = br#"[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "itoa 1.0.11 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum itoa 1.0.11 (registry+https://github.com/rust-lang/crates.io-index)" = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"
"#;
    let parsed = parse(FileKind::CargoLock, &Source::alone("Cargo.lock", lock)).expect("parses");
    assert_eq!(parsed.packages.len(), 2);
    let itoa = find(&parsed, "itoa", "1.0.11");
    assert_eq!(itoa.line, Some(8));
    assert_eq!(
        itoa.hashes[0].hex,
        "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"
    );
    let app = find(&parsed, "app", "0.1.0");
    assert_eq!(app.dependencies[0].version.as_deref(), Some("1.0.11"));
}

#[test]
fn cargo_truncated_fails_at_the_cut() {
    let err = fail(FileKind::CargoLock, "truncated/Cargo.lock");
    assert_eq!((err.line, err.column), (Some(24), Some(65)), "{err:?}");
    assert_eq!(err.message, "invalid basic string, expected `\"`");
}

// ---------------------------------------------------------------- package-lock.json

/// v2+: keys of `packages` minus the root and links; v1: every node of the nested tree.
fn npm_expected(text: &str) -> usize {
    let root: Value = serde_json::from_str(text).expect("json");
    if let Some(packages) = root.get("packages").and_then(Value::as_object) {
        packages
            .iter()
            .filter(|(k, v)| !k.is_empty() && v.get("link") != Some(&Value::Bool(true)))
            .count()
    } else {
        fn walk(deps: &Value) -> usize {
            deps.as_object().map_or(0, |m| {
                m.values()
                    .map(|d| 1 + d.get("dependencies").map_or(0, walk))
                    .sum()
            })
        }
        root.get("dependencies").map_or(0, walk)
    }
}

#[test]
fn npm_counts_match_json_walk() {
    for rel in files_in("npm", ".json") {
        let parsed = run(FileKind::NpmLock, &rel);
        assert_eq!(parsed.packages.len(), npm_expected(&text(&rel)), "{rel}");
        assert!(parsed.warnings.is_empty(), "{rel}: {:?}", parsed.warnings);
        sane(&parsed, &rel, true);
        assert!(
            parsed
                .packages
                .iter()
                .all(|p| p.ecosystem == Ecosystem::Npm)
        );
    }
}

#[test]
fn npm_v3_details() {
    let rel = "npm/slsa-spec.package-lock.v3.json";
    let parsed = run(FileKind::NpmLock, rel);
    let debug = find(&parsed, "@types/debug", "4.1.13");
    assert_eq!(debug.line, Some(11));
    assert_eq!(
        purl_of(debug, None).to_string(),
        "pkg:npm/%40types/debug@4.1.13"
    );
    assert_eq!(debug.licenses, vec!["MIT".to_owned()]);
    assert_eq!(debug.hashes[0].algorithm, HashAlgorithm::Sha512);
    // base64 KSVgmQmz…yS2fWw== decoded independently (python3 base64.b64decode).
    assert_eq!(
        debug.hashes[0].hex,
        "2925609909b33303e59ad9633a899aca847cf56e05ca70808b713c3cfb3bbe60d53def38853faf18f2a425f4e19265ecd31d2301a6bd53cb96f1b6dfc92d9f5b"
    );
    assert_eq!(
        debug.resolved.as_ref().map(vouch_inventory::Url::expose),
        Some("https://registry.npmjs.org/@types/debug/-/debug-4.1.13.tgz")
    );
    // "@types/ms": "*" resolves to the installed copy.
    assert_eq!(debug.dependencies[0].name, "@types/ms");
    assert_eq!(debug.dependencies[0].version.as_deref(), Some("2.1.0"));
    insta::assert_json_snapshot!("npm_slsa_spec_first5", &parsed.packages[..5]);
}

#[test]
fn npm_v2_dev_scope() {
    let parsed = run(
        FileKind::NpmLock,
        "npm/slsa-verifier-installer.package-lock.v2.json",
    );
    assert!(parsed.packages.iter().any(|p| p.scope == Scope::Dev));
    assert!(parsed.packages.iter().any(|p| p.scope == Scope::Required));
}

#[test]
fn npm_v1_nested_and_dev() {
    let rel = "npm/cdxgen-fixture.package-lock.v1.json";
    let parsed = run(FileKind::NpmLock, rel);
    let frame = find(&parsed, "@babel/code-frame", "7.0.0-beta.44");
    assert_eq!(frame.line, Some(7));
    assert_eq!(frame.scope, Scope::Dev);
    assert_eq!(frame.dependencies[0].name, "@babel/highlight");
    assert_eq!(
        frame.dependencies[0].version.as_deref(),
        Some("7.0.0-beta.44")
    );
    insta::assert_json_snapshot!("npm_v1_first5", &parsed.packages[..5]);
}

/// Workspaces and links, hand-written in npm 9's v3 shape (no such lockfile in the corpus):
/// the link is skipped, the workspace member kept, and an edge through the link reaches it;
/// a nested copy wins over the hoisted one.
#[test]
fn npm_workspace_links_and_nesting() {
    let lock = br#"{
  "name": "root",
  "lockfileVersion": 3,
  "packages": {
    "": { "workspaces": ["packages/a"] },
    "node_modules/a": { "resolved": "packages/a", "link": true },
    "node_modules/b": { "version": "2.0.0", "dependencies": { "a": "*", "c": "^1" } },
    "node_modules/b/node_modules/c": { "version": "1.5.0", "optional": true },
    "node_modules/c": { "version": "3.0.0", "devOptional": true },
    "packages/a": { "name": "a", "version": "0.1.0", "dependencies": { "c": "^3" } }
  }
}"#;
    let parsed =
        parse(FileKind::NpmLock, &Source::alone("package-lock.json", lock)).expect("parses");
    let names: Vec<String> = parsed
        .packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    assert_eq!(names, ["b@2.0.0", "c@1.5.0", "c@3.0.0", "a@0.1.0"]);
    let b = find(&parsed, "b", "2.0.0");
    let deps: Vec<String> = b
        .dependencies
        .iter()
        .map(|d| format!("{}@{}", d.name, d.version.as_deref().unwrap_or("?")))
        .collect();
    assert_eq!(deps, ["a@0.1.0", "c@1.5.0"]);
    assert_eq!(find(&parsed, "c", "1.5.0").scope, Scope::Optional);
    assert_eq!(find(&parsed, "c", "3.0.0").scope, Scope::Dev);
    assert_eq!(
        find(&parsed, "a", "0.1.0").dependencies[0]
            .version
            .as_deref(),
        Some("3.0.0")
    );
}

#[test]
fn npm_truncated_fails_at_the_cut() {
    let err = fail(FileKind::NpmLock, "truncated/package-lock.json");
    assert_eq!((err.line, err.column), (Some(40), Some(68)), "{err:?}");
    assert_eq!(err.message, "EOF while parsing a string");
}

// ---------------------------------------------------------------- yarn.lock

fn yarn_expected(text: &str) -> usize {
    if text.contains("\n__metadata:") {
        let all = count_matches(r#"(?m)^  resolution: "#, text);
        let own = count_matches(
            r#"(?m)^  resolution: "?[^"\n]*@(workspace|link|portal):"#,
            text,
        );
        all - own
    } else {
        count_matches(r#"(?m)^  version "#, text)
    }
}

#[test]
fn yarn_counts_match_version_lines() {
    for rel in files_in("yarn", ".yarn.lock") {
        let parsed = run(FileKind::YarnLock, &rel);
        assert_eq!(parsed.packages.len(), yarn_expected(&text(&rel)), "{rel}");
        assert!(parsed.warnings.is_empty(), "{rel}: {:?}", parsed.warnings);
        sane(&parsed, &rel, true);
    }
}

#[test]
fn yarn_classic_snapshot_and_details() {
    let parsed = run(
        FileKind::YarnLock,
        "yarn/syft-fixture.yarn-v1-deps.yarn.lock",
    );
    insta::assert_json_snapshot!("yarn_v1_deps", parsed.packages);
    let frame = find(&parsed, "@babel/code-frame", "7.10.4");
    assert_eq!(frame.line, Some(5));
    assert_eq!(frame.hashes[0].algorithm, HashAlgorithm::Sha512);
    // The syft fixture is a subset: @babel/highlight is not locked in it, so the edge keeps
    // only the name.
    assert_eq!(frame.dependencies[0].name, "@babel/highlight");
    assert_eq!(frame.dependencies[0].version, None);
    assert_eq!(
        frame.resolved.as_ref().map(vouch_inventory::Url::expose),
        Some("https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.10.4.tgz")
    );
}

#[test]
fn yarn_berry_snapshot_skips_workspaces() {
    let parsed = run(FileKind::YarnLock, "yarn/trivy-fixture.monorepo.yarn.lock");
    insta::assert_json_snapshot!("yarn_berry_monorepo", parsed.packages);
    assert!(
        parsed
            .packages
            .iter()
            .all(|p| p.version != "0.0.0-use.local")
    );
    let berry = run(FileKind::YarnLock, "yarn/syft-fixture.yarn-berry.yarn.lock");
    insta::assert_json_snapshot!("yarn_berry_syft", berry.packages);
}

#[test]
fn yarn_classic_big_fixture_edges_resolve() {
    let parsed = run(
        FileKind::YarnLock,
        "yarn/cdxgen-fixture.yarn_locks.yarn.lock",
    );
    let total: usize = parsed.packages.iter().map(|p| p.dependencies.len()).sum();
    let unresolved = parsed
        .packages
        .iter()
        .flat_map(|p| &p.dependencies)
        .filter(|d| d.version.is_none())
        .count();
    assert!(total > 1000, "{total}");
    assert_eq!(unresolved, 0);
}

#[test]
fn yarn_classic_truncated_warns_at_the_cut() {
    let parsed = run(FileKind::YarnLock, "truncated/classic.yarn.lock");
    assert_eq!(parsed.packages.len(), 2, "entries before the cut are kept");
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    let w = &parsed.warnings[0];
    assert_eq!((w.line, w.column), (Some(19), Some(12)));
    assert_eq!(w.message, "unterminated quoted string; entry skipped");
}

#[test]
fn yarn_berry_truncated_warns_at_the_cut() {
    let parsed = run(FileKind::YarnLock, "truncated/berry.yarn.lock");
    assert_eq!(parsed.packages.len(), 2);
    let w = &parsed.warnings[0];
    assert_eq!((w.line, w.column), (Some(26), Some(15)));
    assert_eq!(w.message, "unterminated quoted string; entry skipped");
}

#[test]
fn yarn_garbage_is_an_error() {
    let err = parse(
        FileKind::YarnLock,
        &Source::alone("yarn.lock", b"  version \"1\"\n"),
    )
    .expect_err("no entries");
    assert_eq!((err.line, err.column), (Some(1), Some(1)));
    assert_eq!(err.message, "no yarn.lock entries found");
}

// ---------------------------------------------------------------- pnpm-lock.yaml

/// Two-space keys under the top-level `packages:`.
fn pnpm_expected(text: &str) -> usize {
    let section = text.split("\npackages:\n").nth(1).unwrap_or("");
    let end = Regex::new(r"(?m)^\S")
        .expect("regex")
        .find(section)
        .map_or(section.len(), |m| m.start());
    count_matches(r"(?m)^  \S.*:$", &section[..end])
}

#[test]
fn pnpm_counts_match_package_keys() {
    for rel in files_in("pnpm", ".yaml") {
        let parsed = run(FileKind::PnpmLock, &rel);
        assert_eq!(parsed.packages.len(), pnpm_expected(&text(&rel)), "{rel}");
        sane(&parsed, &rel, true);
    }
}

#[test]
fn pnpm_v5_details() {
    let parsed = run(
        FileKind::PnpmLock,
        "pnpm/cdxgen-fixture.pnpm-lock.v5.3.yaml",
    );
    let frame = find(&parsed, "@babel/code-frame", "7.16.7");
    assert_eq!(frame.line, Some(57));
    assert_eq!(frame.scope, Scope::Dev);
    assert_eq!(frame.hashes[0].algorithm, HashAlgorithm::Sha512);
    assert_eq!(frame.dependencies[0].name, "@babel/highlight");
    assert_eq!(frame.dependencies[0].version.as_deref(), Some("7.16.10"));
    insta::assert_json_snapshot!("pnpm_v5_first5", &parsed.packages[..5]);
}

#[test]
fn pnpm_v6_details() {
    let parsed = run(
        FileKind::PnpmLock,
        "pnpm/cdxgen-fixture.bytemd.pnpm-lock.v6.yaml",
    );
    let remap = find(&parsed, "@ampproject/remapping", "2.2.0");
    assert_eq!(remap.line, Some(382));
    assert_eq!(remap.scope, Scope::Dev);
    assert_eq!(remap.dependencies.len(), 2);
    insta::assert_json_snapshot!("pnpm_v6_first5", &parsed.packages[..5]);
}

#[test]
fn pnpm_v9_snapshots_and_scope() {
    let parsed = run(FileKind::PnpmLock, "pnpm/cdxgen.pnpm-lock.yaml");
    let parse_tools = find(&parsed, "@appthreat/atom-parsetools", "1.0.12");
    assert_eq!(parse_tools.line, Some(514));
    assert_eq!(parse_tools.scope, Scope::Optional);
    assert!(
        parse_tools
            .dependencies
            .iter()
            .any(|d| d.name == "@babel/parser" && d.version.as_deref() == Some("7.28.5"))
    );
    // v9 has no `dev` flag: reachable only from the importer's devDependencies → Dev;
    // typescript is a devDependency too but also reached from an optional dependency.
    assert_eq!(find(&parsed, "@biomejs/biome", "2.3.8").scope, Scope::Dev);
    assert_eq!(find(&parsed, "poku", "3.0.2").scope, Scope::Dev);
    assert_ne!(find(&parsed, "typescript", "5.9.3").scope, Scope::Dev);
    insta::assert_json_snapshot!("pnpm_v9_first5", &parsed.packages[..5]);
}

#[test]
fn pnpm_truncated_fails_at_the_cut() {
    let err = fail(FileKind::PnpmLock, "truncated/pnpm-lock.yaml");
    assert_eq!((err.line, err.column), (Some(25), Some(19)), "{err:?}");
    assert_eq!(err.message, "found unexpected end of stream");
}

// ---------------------------------------------------------------- composer.lock

#[test]
fn composer_counts_match_json_arrays() {
    for rel in files_in("php", ".lock") {
        let parsed = run(FileKind::ComposerLock, &rel);
        let root: Value = serde_json::from_str(&text(&rel)).expect("json");
        let count = |k: &str| root.get(k).and_then(Value::as_array).map_or(0, Vec::len);
        assert_eq!(
            parsed.packages.len(),
            count("packages") + count("packages-dev"),
            "{rel}"
        );
        assert_eq!(
            parsed
                .packages
                .iter()
                .filter(|p| p.scope == Scope::Dev)
                .count(),
            count("packages-dev"),
            "{rel}"
        );
        assert!(parsed.warnings.is_empty(), "{rel}: {:?}", parsed.warnings);
        sane(&parsed, &rel, true);
    }
}

#[test]
fn composer_snapshot_and_details() {
    let parsed = run(FileKind::ComposerLock, "php/trivy-fixture.composer.lock");
    insta::assert_json_snapshot!("composer_trivy", parsed.packages);
    let osv = run(
        FileKind::ComposerLock,
        "php/osv-scanner-fixture.locks-many-with-insecure.composer.lock",
    );
    let with_sha = osv
        .packages
        .iter()
        .find(|p| !p.hashes.is_empty())
        .expect("a shasum");
    assert_eq!(with_sha.hashes[0].algorithm, HashAlgorithm::Sha1);
    assert!(
        purl_of(with_sha, None)
            .to_string()
            .starts_with("pkg:composer/")
    );
}

#[test]
fn composer_truncated_fails_at_the_cut() {
    let err = fail(FileKind::ComposerLock, "truncated/composer.lock");
    assert_eq!((err.line, err.column), (Some(22), Some(11)), "{err:?}");
    assert_eq!(err.message, "EOF while parsing an object");
}

// ---------------------------------------------------------------- Gemfile.lock

#[test]
fn gemfile_counts_match_spec_lines() {
    for rel in files_in("ruby", ".Gemfile.lock") {
        let parsed = run(FileKind::GemfileLock, &rel);
        assert_eq!(
            parsed.packages.len(),
            count_matches(r"(?m)^    \S+ \(\S+\)$", &text(&rel)),
            "{rel}"
        );
        assert!(parsed.warnings.is_empty(), "{rel}: {:?}", parsed.warnings);
        sane(&parsed, &rel, true);
    }
}

#[test]
fn gemfile_snapshot_and_details() {
    let parsed = run(FileKind::GemfileLock, "ruby/osv-scanner-docs.Gemfile.lock");
    insta::assert_json_snapshot!("gemfile_osv_scanner_docs", parsed.packages);
    let ffi = find(&parsed, "ffi", "1.17.4");
    assert_eq!(ffi.line, Some(21));
    assert_eq!(
        ffi.qualifiers.get("platform").map(String::as_str),
        Some("x86_64-linux-gnu")
    );
    assert_eq!(
        purl_of(ffi, None).to_string(),
        "pkg:gem/ffi@1.17.4?platform=x86_64-linux-gnu"
    );
}

#[test]
fn gemfile_checksums() {
    let parsed = run(FileKind::GemfileLock, "ruby/osv-schema-docs.Gemfile.lock");
    let addressable = find(&parsed, "addressable", "2.9.0");
    assert_eq!(addressable.hashes[0].algorithm, HashAlgorithm::Sha256);
    assert_eq!(
        addressable.hashes[0].hex,
        "7fdf6ac3660f7f4e867a0838be3f6cf722ace541dd97767fa42bc6cfa980c7af"
    );
    let ffi_arm = parsed
        .packages
        .iter()
        .find(|p| {
            p.name == "ffi"
                && p.qualifiers.get("platform").map(String::as_str) == Some("arm-linux-gnu")
        })
        .expect("ffi arm");
    assert_eq!(
        ffi_arm.hashes[0].hex,
        "5bd4cea83b68b5ec0037f99c57d5ce2dd5aa438f35decc5ef68a7d085c785668"
    );
    let with_hash = parsed
        .packages
        .iter()
        .filter(|p| !p.hashes.is_empty())
        .count();
    assert!(with_hash > 100, "{with_hash}");
}

#[test]
fn gemfile_path_gem_and_edges() {
    let parsed = run(FileKind::GemfileLock, "ruby/cdxgen-fixture.Gemfile.lock");
    let cable = find(&parsed, "actioncable", "6.0.0");
    let deps: Vec<&str> = cable.dependencies.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(deps, ["actionpack", "nio4r", "websocket-driver"]);
    assert!(cable.dependencies.iter().all(|d| d.version.is_some()));
}

#[test]
fn gemfile_truncated_warns_at_the_cut() {
    let parsed = run(FileKind::GemfileLock, "truncated/Gemfile.lock");
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    let w = &parsed.warnings[0];
    assert_eq!((w.line, w.column), (Some(17), Some(5)));
    assert_eq!(
        w.message,
        "spec `addressable (2.9` is not `name (version)`; skipped"
    );
}

#[test]
fn gemfile_garbage_is_an_error() {
    let err = parse(
        FileKind::GemfileLock,
        &Source::alone("Gemfile.lock", b"  hello\n    world (1)\n"),
    )
    .expect_err("no sections");
    assert_eq!((err.line, err.column), (Some(1), Some(1)));
}

// ---------------------------------------------------------------- hostile input

/// Deep nesting is refused by each format's parser (a recursion limit), not a stack overflow.
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 5_000;
    let cases = [
        (
            FileKind::CargoLock,
            format!("a = {}", "[".repeat(n)),
            (1, 85),
            "cannot recurse further; max recursion depth met",
        ),
        (
            FileKind::NpmLock,
            "[".repeat(n),
            (1, 128),
            "recursion limit exceeded",
        ),
        (
            FileKind::ComposerLock,
            "[".repeat(n),
            (1, 128),
            "recursion limit exceeded",
        ),
    ];
    for (kind, input, (line, column), message) in cases {
        let err = parse(kind, &Source::alone("deep", input.as_bytes())).expect_err("too deep");
        assert_eq!(
            (err.line, err.column),
            (Some(line), Some(column)),
            "{kind:?}: {err:?}"
        );
        assert_eq!(err.message, message, "{kind:?}");
    }
    // Refused by the depth check (limit 128) before it is parsed: level 129 is the 128th `- `.
    let yaml = format!("packages:\n  {}", "- ".repeat(n));
    let err =
        parse(FileKind::PnpmLock, &Source::alone("deep", yaml.as_bytes())).expect_err("too deep");
    assert_eq!((err.line, err.column), (Some(2), Some(3 + 2 * 127)));
    assert_eq!(err.message, "nesting deeper than the limit of 128 levels");
    let yaml = format!("packages:\n  a: {}", "[".repeat(n));
    let err =
        parse(FileKind::PnpmLock, &Source::alone("deep", yaml.as_bytes())).expect_err("too deep");
    assert!(err.line.is_some(), "{err:?}");
}

/// npm v1 writes an alias `"foo": "npm:bar@1.0.0"` as the entry's version; the package is `bar`.
#[test]
fn npm_v1_alias() {
    let lock = br#"{
  "lockfileVersion": 1,
  "dependencies": {
    "app": { "version": "1.0.0", "requires": { "sw": "npm:string-width@^4" } },
    "sw": { "version": "npm:string-width@4.2.3" }
  }
}"#;
    let parsed =
        parse(FileKind::NpmLock, &Source::alone("package-lock.json", lock)).expect("parses");
    find(&parsed, "string-width", "4.2.3");
    let app = find(&parsed, "app", "1.0.0");
    assert_eq!(app.dependencies[0].name, "string-width");
    assert_eq!(app.dependencies[0].version.as_deref(), Some("4.2.3"));
}

/// A pnpm key that yields no name and version is skipped with a warning naming it.
#[test]
fn pnpm_bad_key_warns() {
    let lock = b"lockfileVersion: '6.0'\n\npackages:\n\n  /ok@1.0.0:\n    resolution: {integrity: sha512-AA==}\n\n  /broken:\n    resolution: {integrity: sha512-AA==}\n";
    let parsed = parse(FileKind::PnpmLock, &Source::alone("pnpm-lock.yaml", lock)).expect("parses");
    assert_eq!(parsed.packages.len(), 1);
    assert_eq!(parsed.packages[0].line, Some(5));
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].line, Some(8));
    assert_eq!(
        parsed.warnings[0].message,
        "package key `/broken` names no package and version; skipped"
    );
}

/// A git dependency's `#<commit>` is not a SHA-1 of a tarball, and stays in `resolved`.
#[test]
fn yarn_classic_git_fragment_is_not_a_hash() {
    let lock = b"# yarn lockfile v1\n\n\"left-pad@git+https://github.com/a/left-pad.git\":\n  version \"1.3.0\"\n  resolved \"git+https://github.com/a/left-pad.git#5a4c1ee6c3c1a8e7e4c6f5e0a8f8b2a1c9d0e1f2\"\n";
    let parsed = parse(FileKind::YarnLock, &Source::alone("yarn.lock", lock)).expect("parses");
    let p = find(&parsed, "left-pad", "1.3.0");
    assert!(p.hashes.is_empty());
    assert_eq!(
        p.resolved.as_ref().map(vouch_inventory::Url::expose),
        Some("git+https://github.com/a/left-pad.git#5a4c1ee6c3c1a8e7e4c6f5e0a8f8b2a1c9d0e1f2")
    );
}

/// GIT and PATH sections, in the shape Bundler 2.5 writes (hand-written: no fixture in the
/// corpus has a GIT section).
#[test]
fn gemfile_git_and_path_sources() {
    let lock = b"GIT
  remote: https://github.com/rails/rails.git
  revision: 0123456789abcdef0123456789abcdef01234567
  branch: main
  specs:
    activesupport (8.1.0.alpha)
      tzinfo (~> 2.0)

PATH
  remote: .
  specs:
    myapp (0.1.0)
      activesupport

GEM
  remote: https://rubygems.org/
  specs:
    tzinfo (2.0.6)
    broken-line

PLATFORMS
  ruby

DEPENDENCIES
  myapp!
";
    let parsed =
        parse(FileKind::GemfileLock, &Source::alone("Gemfile.lock", lock)).expect("parses");
    let names: Vec<String> = parsed
        .packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    assert_eq!(
        names,
        ["activesupport@8.1.0.alpha", "myapp@0.1.0", "tzinfo@2.0.6"]
    );
    let rails = find(&parsed, "activesupport", "8.1.0.alpha");
    assert_eq!(
        rails.resolved.as_ref().map(vouch_inventory::Url::expose),
        Some("https://github.com/rails/rails.git@0123456789abcdef0123456789abcdef01234567")
    );
    assert_eq!(rails.dependencies[0].version.as_deref(), Some("2.0.6"));
    let app = find(&parsed, "myapp", "0.1.0");
    assert_eq!(
        app.resolved.as_ref().map(vouch_inventory::Url::expose),
        Some("path:.")
    );
    assert_eq!(app.line, Some(12));
    assert_eq!(app.dependencies[0].version.as_deref(), Some("8.1.0.alpha"));
    assert_eq!(find(&parsed, "tzinfo", "2.0.6").resolved, None);
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(
        (parsed.warnings[0].line, parsed.warnings[0].column),
        (Some(19), Some(5))
    );
}
