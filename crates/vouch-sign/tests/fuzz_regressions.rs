//! Replays saved fuzz inputs (tests/fixtures/fuzz/<target>/*) through the same parsers the fuzz
//! targets call: none may panic.

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

#[test]
fn bundle_inputs() {
    for (_, data) in inputs("bundle") {
        if let Ok(b) = vouch_sign::bundle::Bundle::parse(&data) {
            let _ = b.claimed_message_digest();
        }
        let _ = vouch_sign::jsonl::parse(&data);
    }
}

#[test]
fn dsse_inputs() {
    for (_, data) in inputs("dsse") {
        if let Ok(env) = vouch_attest::dsse::Envelope::parse(&data) {
            let _ = vouch_attest::Statement::parse(&env.payload);
        }
        let _ = vouch_attest::Statement::parse(&data);
    }
}

#[test]
fn pem_inputs() {
    for (_, data) in inputs("pem") {
        let _ = vouch_sign::key::PublicKey::from_pem(&data);
        let _ = vouch_sign::key::PublicKey::from_spki_der(&data);
    }
}

#[test]
fn key_file_inputs() {
    let pw = vouch_sign::key::Password::new("fuzz");
    for (_, data) in inputs("key_file") {
        let _ = vouch_sign::key::SigningKey::from_pem(&data, &pw);
        let _ = vouch_sign::key::SigningKey::from_pkcs8_der(&data);
    }
}
