//! Key generation, cosign's encrypted format, and key-file errors.

use vouch_sign::key::{Algorithm, KeyError, Password, PublicKey, SigningKey};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn generated_keys_roundtrip_through_encrypted_pem() {
    for alg in [Algorithm::EcdsaP256, Algorithm::Ed25519] {
        let key = SigningKey::generate(alg).unwrap();
        let pw = Password::new("correct horse");
        let pem = key.to_encrypted_pem(&pw).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
        let back = SigningKey::from_pem(pem.as_bytes(), &pw).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        assert_eq!(back.algorithm(), alg);
        // The JSON inside carries cosign's parameters.
        let block = pem::parse(pem.as_bytes()).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(block.contents()).unwrap();
        assert_eq!(
            doc["kdf"]["params"],
            serde_json::json!({"N": 32768, "r": 8, "p": 1})
        );
        assert_eq!(doc["cipher"]["name"], "nacl/secretbox");
        // Public key PEM round trip.
        let pubkey = PublicKey::from_pem(key.public_key().to_pem().as_bytes()).unwrap();
        assert_eq!(&pubkey, key.public_key());
    }
}

#[test]
fn wrong_password_is_its_own_error() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let pem = key.to_encrypted_pem(&Password::new("a")).unwrap();
    let err = SigningKey::from_pem(pem.as_bytes(), &Password::new("b")).unwrap_err();
    assert!(matches!(err, KeyError::WrongPassword), "{err:?}");
}

#[test]
fn loads_cosign_generated_key_with_empty_password() {
    let key = SigningKey::from_pem(
        &fixture("cosign-generated-empty-password.key"),
        &Password::new(""),
    )
    .unwrap();
    assert_eq!(key.algorithm(), Algorithm::EcdsaP256);
}

#[test]
fn loads_legacy_cosign_label() {
    let key =
        SigningKey::from_pem(&fixture("cosign-legacy-ecdsa.key"), &Password::new("123")).unwrap();
    assert_eq!(key.algorithm(), Algorithm::EcdsaP256);
}

#[test]
fn loads_encrypted_ed25519() {
    let key =
        SigningKey::from_pem(&fixture("ed25519-encrypted.key"), &Password::new("123")).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Ed25519);
}

#[test]
fn debug_never_shows_secrets() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let dbg = format!("{key:?} {:?}", Password::new("hunter2"));
    assert!(!dbg.contains("hunter2"));
    assert!(dbg.contains("<redacted>"));
    assert!(!dbg.to_lowercase().contains("pkcs8"));
}

#[test]
fn bad_key_files_have_distinct_errors() {
    let pw = Password::new("x");
    // not PEM
    assert!(matches!(
        SigningKey::from_pem(b"hello", &pw),
        Err(KeyError::Pem(_))
    ));
    // wrong PEM type (a certificate where a key belongs)
    let cert = pem::encode(&pem::Pem::new("CERTIFICATE", vec![1, 2, 3]));
    assert!(matches!(
        SigningKey::from_pem(cert.as_bytes(), &pw),
        Err(KeyError::UnexpectedLabel { .. })
    ));
    assert!(matches!(
        PublicKey::from_pem(cert.as_bytes()),
        Err(KeyError::UnexpectedLabel { .. })
    ));
    // oversized
    let big = vec![b'a'; vouch_sign::key::MAX_KEY_FILE_LEN + 1];
    assert!(matches!(
        SigningKey::from_pem(&big, &pw),
        Err(KeyError::Oversized { .. })
    ));
    // truncated JSON inside the PEM
    let trunc = pem::encode(&pem::Pem::new(
        "ENCRYPTED SIGSTORE PRIVATE KEY",
        b"{\"kdf\":".to_vec(),
    ));
    assert!(matches!(
        SigningKey::from_pem(trunc.as_bytes(), &pw),
        Err(KeyError::Json(_))
    ));
    // unsupported kdf
    let doc = serde_json::json!({"kdf":{"name":"argon2","params":{"N":2,"r":1,"p":1},"salt":""},
        "cipher":{"name":"nacl/secretbox","nonce":""},"ciphertext":""});
    let p = pem::encode(&pem::Pem::new(
        "ENCRYPTED SIGSTORE PRIVATE KEY",
        doc.to_string().into_bytes(),
    ));
    assert!(matches!(
        SigningKey::from_pem(p.as_bytes(), &pw),
        Err(KeyError::UnsupportedKdf { .. })
    ));
    // absurd scrypt cost is refused before any work
    let doc = serde_json::json!({"kdf":{"name":"scrypt","params":{"N": 1u64<<40,"r":8,"p":1},"salt":""},
        "cipher":{"name":"nacl/secretbox","nonce":""},"ciphertext":""});
    let p = pem::encode(&pem::Pem::new(
        "ENCRYPTED SIGSTORE PRIVATE KEY",
        doc.to_string().into_bytes(),
    ));
    assert!(matches!(
        SigningKey::from_pem(p.as_bytes(), &pw),
        Err(KeyError::UnsupportedKdfParams { .. })
    ));
    // unsupported algorithm name
    assert!(matches!(
        "rsa-4096".parse::<Algorithm>(),
        Err(KeyError::UnsupportedAlgorithm { .. })
    ));
    // a P-384 PKCS#8 key is refused as unsupported for signing
    assert!(matches!(
        SigningKey::from_pkcs8_der(&[0x30, 0x03, 0x02, 0x01, 0x00]),
        Err(KeyError::UnsupportedPrivateKey)
    ));
    // public key that is not SPKI
    let junk = pem::encode(&pem::Pem::new("PUBLIC KEY", vec![0x30, 0x00]));
    assert!(matches!(
        PublicKey::from_pem(junk.as_bytes()),
        Err(KeyError::InvalidPublicKey { .. })
    ));
}

#[test]
fn error_messages_are_lower_case_and_name_the_problem() {
    let e = SigningKey::from_pem(b"hello", &Password::new("secret-pw")).unwrap_err();
    let msg = e.to_string();
    assert!(msg.chars().next().unwrap().is_lowercase());
    assert!(!msg.contains("secret-pw"));
}
