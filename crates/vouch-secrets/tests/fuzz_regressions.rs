//! Replays saved fuzz inputs (tests/fixtures/fuzz/<target>/*) through the same entry points as
//! the fuzz targets in fuzz/, so a fixed crash stays fixed without nightly or cargo-fuzz.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} must exist: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

#[test]
fn rules_parse_inputs() {
    for (name, data) in inputs("rules") {
        if let Ok(text) = std::str::from_utf8(&data)
            && let Ok(rules) = vouch_secrets::RuleSet::parse(text)
        {
            for rule in rules.rules() {
                for ex in &rule.positive_examples {
                    let _ = rules.scan(ex.as_bytes());
                }
            }
        }
        eprintln!("replayed rules/{name}");
    }
}

#[test]
fn scan_bytes_inputs() {
    for (name, data) in inputs("scan") {
        let out = vouch_secrets::scan_bytes(&data, "fuzz.txt", &vouch_secrets::Options::default())
            .unwrap_or_else(|e| panic!("scan/{name}: {e}"));
        for m in vouch_secrets::RuleSet::builtin().scan(&data) {
            let secret = m.secret.expose();
            if secret.len() >= 12 {
                for f in &out.findings {
                    assert!(
                        !f.message
                            .as_bytes()
                            .windows(secret.len())
                            .any(|w| w == secret)
                    );
                }
            }
        }
    }
}
