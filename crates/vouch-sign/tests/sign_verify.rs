//! Signing with a local key and verifying offline; one test per failure mode.

use base64::Engine as _;
use vouch_attest::Statement;
use vouch_attest::statement::Subject;
use vouch_sign::bundle::{Bundle, BundleError};
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::sign;
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{self, Artifact, Content, Policy, Signer, TlogPolicy, VerifyError};

fn key_policy(key: &SigningKey) -> Policy {
    Policy::Key {
        key: key.public_key().clone(),
        tlog: TlogPolicy::IfPresent,
    }
}

fn trust() -> TrustRoot {
    TrustRoot::production().unwrap()
}

fn sha256(b: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(b).into()
}

#[test]
fn sign_and_verify_blob_both_algorithms() {
    for alg in [Algorithm::EcdsaP256, Algorithm::Ed25519] {
        let key = SigningKey::generate(alg).unwrap();
        let bundle = sign::sign_blob(&key, b"release.tar.gz contents").unwrap();
        assert_eq!(
            bundle.media_type(),
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        let v = verify::verify(
            &bundle,
            Artifact::Bytes(b"release.tar.gz contents"),
            &key_policy(&key),
            &trust(),
        )
        .unwrap();
        assert!(
            matches!(v.signer(), Signer::Key { fingerprint, .. } if *fingerprint == key.public_key().fingerprint())
        );
        assert!(!v.tlog_verified());
        assert!(matches!(v.value(), Content::Artifact(_)));
    }
}

#[test]
fn verify_by_digest() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"abc").unwrap();
    verify::verify(
        &bundle,
        Artifact::Sha256(sha256(b"abc")),
        &key_policy(&key),
        &trust(),
    )
    .unwrap();
}

#[test]
fn digest_mismatch() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"abc").unwrap();
    let err = verify::verify(
        &bundle,
        Artifact::Bytes(b"abd"),
        &key_policy(&key),
        &trust(),
    )
    .unwrap_err();
    assert!(matches!(err, VerifyError::DigestMismatch { .. }), "{err:?}");
    assert!(err.to_string().contains(&hex::encode(sha256(b"abd"))));
}

#[test]
fn wrong_key() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let other = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"abc").unwrap();
    let err = verify::verify(
        &bundle,
        Artifact::Bytes(b"abc"),
        &key_policy(&other),
        &trust(),
    )
    .unwrap_err();
    // The bundle's key hint names the signing key: "signed by a different key".
    let given = other.public_key().fingerprint();
    match &err {
        VerifyError::KeyMismatch { hint, given: g } => {
            assert_eq!(hint, &key.public_key().fingerprint().hex());
            assert_eq!(g, &given);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "key-mismatch");
    assert_eq!(
        err.to_string(),
        format!(
            "signed by a different key: the bundle names key {}, the given key is {given}",
            key.public_key().fingerprint().hex()
        )
    );

    // Without a hint, or with the given key's own hint over a changed signature, nothing says
    // which key signed: the signature simply does not verify.
    let mut json = bundle.json().clone();
    json["verificationMaterial"]["publicKey"]
        .as_object_mut()
        .unwrap()
        .remove("hint");
    let unhinted = Bundle::parse(&serde_json::to_vec(&json).unwrap()).unwrap();
    let err = verify::verify(
        &unhinted,
        Artifact::Bytes(b"abc"),
        &key_policy(&other),
        &trust(),
    )
    .unwrap_err();
    assert!(
        matches!(err, VerifyError::InvalidSignature { .. }),
        "{err:?}"
    );
}

#[test]
fn wrong_key_type() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let ed = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let bundle = sign::sign_blob(&key, b"abc").unwrap();
    let err =
        verify::verify(&bundle, Artifact::Bytes(b"abc"), &key_policy(&ed), &trust()).unwrap_err();
    // The bundle's hint names the ECDSA key: an Ed25519 key is a different key.
    assert!(matches!(err, VerifyError::KeyMismatch { .. }), "{err:?}");
}

#[test]
fn tampered_signature() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"abc").unwrap();
    let mut json = bundle.json().clone();
    let other = sign::sign_blob(&key, b"xyz").unwrap();
    json["messageSignature"]["signature"] = other.json()["messageSignature"]["signature"].clone();
    let tampered = Bundle::parse(json.to_string().as_bytes()).unwrap();
    let err = verify::verify(
        &tampered,
        Artifact::Bytes(b"abc"),
        &key_policy(&key),
        &trust(),
    )
    .unwrap_err();
    assert!(
        matches!(err, VerifyError::InvalidSignature { .. }),
        "{err:?}"
    );
}

#[test]
fn missing_log_entry_when_required() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"abc").unwrap();
    let policy = Policy::Key {
        key: key.public_key().clone(),
        tlog: TlogPolicy::Required,
    };
    let err = verify::verify(&bundle, Artifact::Bytes(b"abc"), &policy, &trust()).unwrap_err();
    assert!(matches!(err, VerifyError::MissingLogEntry), "{err:?}");
}

#[test]
fn key_bundle_with_identity_policy() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"abc").unwrap();
    let policy = Policy::Identity {
        identity: "a@example.com".into(),
        issuer: "https://accounts.example.com".into(),
    };
    let err = verify::verify(&bundle, Artifact::Bytes(b"abc"), &policy, &trust()).unwrap_err();
    assert!(matches!(err, VerifyError::KeyRequired), "{err:?}");
}

fn statement(subject: &[u8]) -> Statement {
    Statement::new(
        vec![Subject::new(
            "app.bin",
            vouch_digest::Digest::from_hex(
                vouch_digest::Algorithm::Sha256,
                &hex::encode(sha256(subject)),
            )
            .unwrap(),
        )],
        "https://slsa.dev/provenance/v1",
        serde_json::json!({"buildDefinition": {"buildType": "x", "externalParameters": {}}, "runDetails": {"builder": {"id": "b"}}}),
    )
}

#[test]
fn attestation_roundtrip_and_subject_mismatch() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_statement(&key, &statement(b"app")).unwrap();
    let v = verify::verify_attestation(
        &bundle,
        Artifact::Bytes(b"app"),
        &key_policy(&key),
        &trust(),
    )
    .unwrap();
    assert_eq!(v.value().predicate_type, "https://slsa.dev/provenance/v1");
    let err = verify::verify_attestation(
        &bundle,
        Artifact::Bytes(b"other"),
        &key_policy(&key),
        &trust(),
    )
    .unwrap_err();
    assert!(
        matches!(err, VerifyError::SubjectMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn tampered_dsse_payload() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_statement(&key, &statement(b"app")).unwrap();
    let mut json = bundle.json().clone();
    let mut st = statement(b"app");
    st.predicate_type = "https://evil.example/predicate".into();
    json["dsseEnvelope"]["payload"] = base64::engine::general_purpose::STANDARD
        .encode(serde_json::to_vec(&st).unwrap())
        .into();
    let tampered = Bundle::parse(json.to_string().as_bytes()).unwrap();
    let err = verify::verify_attestation(
        &tampered,
        Artifact::Bytes(b"app"),
        &key_policy(&key),
        &trust(),
    )
    .unwrap_err();
    assert!(
        matches!(err, VerifyError::InvalidSignature { .. }),
        "{err:?}"
    );
}

#[test]
fn message_bundle_is_not_an_attestation() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"abc").unwrap();
    let err = verify::verify_attestation(
        &bundle,
        Artifact::Bytes(b"abc"),
        &key_policy(&key),
        &trust(),
    )
    .unwrap_err();
    assert!(matches!(err, VerifyError::NotAnAttestation), "{err:?}");
}

#[test]
fn bad_bundles_have_distinct_errors() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let good = sign::sign_blob(&key, b"abc").unwrap().json().to_string();
    let truncated = &good[..good.len() / 2];
    assert!(matches!(
        Bundle::parse(truncated.as_bytes()),
        Err(BundleError::Truncated { .. })
    ));
    assert!(matches!(Bundle::parse(b"   "), Err(BundleError::Empty)));
    assert!(matches!(Bundle::parse(b"{]"), Err(BundleError::Json(_))));
    let big = vec![b' '; vouch_sign::bundle::MAX_BUNDLE_LEN + 1];
    assert!(matches!(
        Bundle::parse(&big),
        Err(BundleError::Oversized { .. })
    ));
    let wrong = good.replace("bundle.v0.3+json", "bundle.v0.9+json");
    let err = Bundle::parse(wrong.as_bytes()).unwrap_err();
    assert!(
        matches!(err, BundleError::UnsupportedMediaType { ref found } if found.contains("v0.9"))
    );
    assert!(err.to_string().contains("expected"));
    let no_mt = good.replace("mediaType", "mediaTipe");
    assert!(matches!(
        Bundle::parse(no_mt.as_bytes()),
        Err(BundleError::MissingMediaType)
    ));
    let schema =
        r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":7}"#;
    assert!(matches!(
        Bundle::parse(schema.as_bytes()),
        Err(BundleError::Schema { .. })
    ));
}

#[test]
fn unknown_ca_and_trust_root_errors() {
    // A keyless conformance bundle checked against a trusted root with no Fulcio CA.
    let dir = format!("{}/tests/fixtures/conformance", env!("CARGO_MANIFEST_DIR"));
    let bundle = Bundle::parse(
        &std::fs::read(format!("{dir}/happy-path-v0.3/bundle.sigstore.json")).unwrap(),
    )
    .unwrap();
    let artifact = std::fs::read(format!("{dir}/a.txt")).unwrap();
    let mut root: serde_json::Value =
        serde_json::from_str(include_str!("../trust/production-trusted_root.json")).unwrap();
    root["certificateAuthorities"] = serde_json::json!([]);
    let trust = TrustRoot::from_json(root.to_string().as_bytes(), "no-ca.json").unwrap();
    let policy = Policy::Identity {
        identity: "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main".into(),
        issuer: "https://token.actions.githubusercontent.com".into(),
    };
    let err = verify::verify(&bundle, Artifact::Bytes(&artifact), &policy, &trust).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::UntrustedCertificate { .. } | VerifyError::NoValidAuthority { .. }
        ),
        "{err:?}"
    );
    // identity mismatch on the real trust root
    let wrong = Policy::Identity {
        identity: "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main".into(),
        issuer: "https://token.actions.githubusercontent.com".into(),
    };
    let err = verify::verify(
        &bundle,
        Artifact::Bytes(&artifact),
        &wrong,
        &TrustRoot::production().unwrap(),
    )
    .unwrap_err();
    assert!(
        matches!(err, VerifyError::IdentityMismatch { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "identity-mismatch");
    let wrong_iss = Policy::Identity {
        identity: "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main".into(),
        issuer: "https://accounts.google.com".into(),
    };
    let err = verify::verify(
        &bundle,
        Artifact::Bytes(&artifact),
        &wrong_iss,
        &TrustRoot::production().unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, VerifyError::IssuerMismatch { .. }), "{err:?}");
    // key given for a certificate bundle
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let err = verify::verify(
        &bundle,
        Artifact::Bytes(&artifact),
        &key_policy(&key),
        &TrustRoot::production().unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, VerifyError::CertificateRequired), "{err:?}");
    // unusable trusted roots
    assert!(TrustRoot::from_json(b"{", "broken.json").is_err());
}

#[test]
fn jsonl_reads_one_bundle_per_line() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let a = sign::sign_statement(&key, &statement(b"a")).unwrap();
    let b = sign::sign_statement(&key, &statement(b"b")).unwrap();
    let text = format!("{}\n{}\n", a.json(), b.json());
    assert_eq!(vouch_sign::jsonl::parse(text.as_bytes()).unwrap().len(), 2);
    let bad = format!("{}\nnot json\n", a.json());
    assert!(matches!(
        vouch_sign::jsonl::parse(bad.as_bytes()),
        Err(vouch_sign::jsonl::JsonlError::Line { line: 2, .. })
    ));
}
