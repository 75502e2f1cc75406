//! Replays `tests/fixtures/fuzz/<target>/*` through the calls its fuzz target makes
//! (`fuzz/fuzz_targets/<target>.rs`). Every saved input is malformed on purpose: each must be
//! rejected with an error (not accepted, and never a panic).

use std::path::Path;

use vouch_advisory::{osv, rustsec, suppress};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no inputs", dir.display());
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn osv_json_inputs_are_rejected() {
    for (name, bytes) in inputs("osv_json") {
        let err = osv::parse_json(&bytes).expect_err(&name);
        assert!(!err.to_string().is_empty(), "{name}");
    }
}

#[test]
fn osv_yaml_inputs_are_rejected() {
    for (name, bytes) in inputs("osv_yaml") {
        let err = osv::parse_yaml(&bytes).expect_err(&name);
        assert!(!err.to_string().is_empty(), "{name}");
    }
}

#[test]
fn rustsec_inputs_are_rejected() {
    for (name, bytes) in inputs("rustsec") {
        let err = rustsec::parse(&bytes).expect_err(&name);
        assert!(!err.to_string().is_empty(), "{name}");
    }
}

#[test]
fn suppress_inputs_are_rejected() {
    for (name, bytes) in inputs("suppress") {
        let text = String::from_utf8_lossy(&bytes);
        if name.ends_with(".json") {
            let err = suppress::parse_vex(&name, &bytes, 0).expect_err(&name);
            assert!(err.to_string().starts_with(&name), "{name}: {err}");
        } else if name.ends_with(".toml") {
            let err = suppress::parse_ignore(&name, &text).expect_err(&name);
            assert!(err.to_string().starts_with(&name), "{name}: {err}");
        } else {
            assert!(vouch_purl::Purl::parse(&text).is_err(), "{name}");
        }
    }
}
