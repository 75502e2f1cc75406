//! Strict verification: each field of a bundle is verified, required to agree with what was
//! verified, or rejected where it must not be. Every failing case is a copy of a real bundle (the
//! Sigstore conformance suite's Rekor v2 `hashedrekord` 0.0.2 bundles, or a bundle `vouch sign`
//! wrote) changed in one field by the test, and asserts the exact `VerifyError` variant.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use vouch_attest::Statement;
use vouch_attest::statement::Subject;
use vouch_sign::bundle::Bundle;
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::sign;
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{self, Artifact, Policy, TlogPolicy, VerifyError};

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn conformance() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance")
}

/// A conformance case: its bundle JSON, trusted root and artifact (`a.txt`).
struct Case {
    json: Value,
    trust: TrustRoot,
    artifact: Vec<u8>,
}

fn case(name: &str) -> Case {
    let dir = conformance().join(name);
    let json =
        serde_json::from_slice(&std::fs::read(dir.join("bundle.sigstore.json")).unwrap()).unwrap();
    let trust = TrustRoot::from_json(
        &std::fs::read(dir.join("trusted_root.json")).unwrap(),
        "trusted_root.json",
    )
    .unwrap();
    let artifact = std::fs::read(conformance().join("a.txt")).unwrap();
    Case {
        json,
        trust,
        artifact,
    }
}

impl Case {
    fn verify(&self, json: &Value) -> Result<(), VerifyError> {
        let bundle = Bundle::parse(&serde_json::to_vec(json).unwrap()).expect("bundle parses");
        let policy = Policy::Identity {
            identity: IDENTITY.into(),
            issuer: ISSUER.into(),
        };
        verify::verify(
            &bundle,
            Artifact::Bytes(&self.artifact),
            &policy,
            &self.trust,
        )
        .map(|_| ())
    }

    /// A copy with `f` applied to the first log entry.
    fn with_entry(&self, f: impl FnOnce(&mut Value)) -> Value {
        let mut j = self.json.clone();
        f(&mut j["verificationMaterial"]["tlogEntries"][0]);
        j
    }
}

fn flip_b64(s: &str) -> String {
    let mut b = STANDARD.decode(s).unwrap();
    b[0] ^= 1;
    STANDARD.encode(b)
}

#[test]
fn the_real_rekor_v2_bundles_verify() {
    for name in ["rekor2-happy-path", "rekor2-dsse-happy-path"] {
        let c = case(name);
        assert_eq!(
            c.json["verificationMaterial"]["tlogEntries"][0]["kindVersion"],
            json!({"kind": "hashedrekord", "version": "0.0.2"}),
            "{name} is a rekor v2 entry"
        );
        c.verify(&c.json)
            .unwrap_or_else(|e| panic!("{name}: {e} ({})", e.code()));
    }
}

#[test]
fn rekor_v2_mutated_root_hash_is_rejected() {
    let c = case("rekor2-happy-path");
    let original = c.json["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["rootHash"]
        .as_str()
        .unwrap()
        .to_owned();
    let mutated = c.with_entry(|e| {
        e["inclusionProof"]["rootHash"] = json!(flip_b64(&original));
    });
    let err = c.verify(&mutated).unwrap_err();
    let want_computed = hex::encode(STANDARD.decode(&original).unwrap());
    let want_found = hex::encode(STANDARD.decode(flip_b64(&original)).unwrap());
    match &err {
        VerifyError::RootHashMismatch {
            log_index,
            field,
            computed,
            found,
        } => {
            assert_eq!(*log_index, 735);
            assert_eq!(*field, "inclusionProof.rootHash");
            assert_eq!(computed, &want_computed);
            assert_eq!(found, &want_found);
        }
        other => panic!("expected RootHashMismatch, got {other:?}"),
    }
    assert_eq!(err.code(), "root-hash-mismatch");
}

#[test]
fn rekor_v2_integrated_time_is_rejected_unless_zero() {
    let c = case("rekor2-happy-path");
    // Inside the certificate's validity (2025-06-12T12:02:16Z + 10 min): not a time problem,
    // a field Rekor v2 never sets.
    let mutated = c.with_entry(|e| e["integratedTime"] = json!("1749729800"));
    let err = c.verify(&mutated).unwrap_err();
    assert!(
        matches!(
            &err,
            VerifyError::UnexpectedLogField { log_index: 735, field: "integratedTime", found }
                if found == "1749729800"
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "unexpected-log-field");
    // proto3 JSON: "0" is the default, the same as absent.
    let zero = c.with_entry(|e| e["integratedTime"] = json!("0"));
    c.verify(&zero).unwrap();
}

#[test]
fn rekor_v2_proof_tree_size_must_be_the_checkpoints() {
    let c = case("rekor2-happy-path");
    let mutated = c.with_entry(|e| e["inclusionProof"]["treeSize"] = json!("737"));
    let err = c.verify(&mutated).unwrap_err();
    assert!(
        matches!(
            &err,
            VerifyError::InconsistentLogEntry { log_index: 735, field: "inclusionProof.treeSize", expected, found }
                if expected.starts_with("736 ") && found == "737"
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "inconsistent-log-entry");
}

#[test]
fn rekor_v2_proof_log_index_must_be_the_entrys() {
    let c = case("rekor2-happy-path");
    let mutated = c.with_entry(|e| e["inclusionProof"]["logIndex"] = json!("734"));
    let err = c.verify(&mutated).unwrap_err();
    assert!(
        matches!(
            &err,
            VerifyError::InconsistentLogEntry { log_index: 735, field: "inclusionProof.logIndex", expected, found }
                if expected == "735" && found == "734"
        ),
        "{err:?}"
    );
}

#[test]
fn message_digest_algorithm_must_be_spelled_as_the_spec_does() {
    let c = case("rekor2-happy-path");
    // The right digest, the Rekor API's spelling: still refused.
    let mut mutated = c.json.clone();
    mutated["messageSignature"]["messageDigest"]["algorithm"] = json!("sha256");
    let err = c.verify(&mutated).unwrap_err();
    assert!(
        matches!(&err, VerifyError::UnknownDigestAlgorithm { found } if found == "sha256"),
        "{err:?}"
    );
    assert_eq!(err.code(), "unknown-digest-algorithm");
}

#[test]
fn message_digest_spelled_differently_with_a_wrong_digest_is_rejected() {
    // A bundle `vouch sign` wrote, key-signed and offline: the signature covers the file, so only
    // the message digest check can notice a wrong digest.
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"release").unwrap();
    let policy = Policy::Key {
        key: key.public_key().clone(),
        tlog: TlogPolicy::IfPresent,
    };
    let trust = TrustRoot::production().unwrap();
    let wrong = STANDARD.encode([7u8; 32]);
    for (alg, want) in [
        ("sha256", "unknown-digest-algorithm"),
        ("SHA-256", "unknown-digest-algorithm"),
        ("sha2_256", "unknown-digest-algorithm"),
        ("SHA2_256", "digest-mismatch"),
    ] {
        let mut j = bundle.json().clone();
        j["messageSignature"]["messageDigest"] = json!({"algorithm": alg, "digest": wrong});
        let b = Bundle::parse(&serde_json::to_vec(&j).unwrap()).unwrap();
        let err = verify::verify(&b, Artifact::Bytes(b"release"), &policy, &trust).unwrap_err();
        assert_eq!(err.code(), want, "{alg}: {err}");
    }
    // SHA2_512 of the file, right and wrong.
    use sha2::Digest as _;
    let mut j = bundle.json().clone();
    j["messageSignature"]["messageDigest"] = json!({
        "algorithm": "SHA2_512",
        "digest": STANDARD.encode(sha2::Sha512::digest(b"release")),
    });
    let b = Bundle::parse(&serde_json::to_vec(&j).unwrap()).unwrap();
    verify::verify(&b, Artifact::Bytes(b"release"), &policy, &trust).unwrap();
    let err = verify::verify(&b, Artifact::Bytes(b"other"), &policy, &trust).unwrap_err();
    assert!(
        matches!(&err, VerifyError::ArtifactMismatch { .. }),
        "{err:?}"
    );
    // Only a SHA-256 digest of the artifact: a SHA2_512 claim cannot be checked.
    let err = verify::verify(
        &b,
        Artifact::Sha256(sha2::Sha256::digest(b"release").into()),
        &policy,
        &trust,
    )
    .unwrap_err();
    assert!(
        matches!(&err, VerifyError::UnsupportedBundle { .. }),
        "{err:?}"
    );
}

#[test]
fn message_digest_mismatch_carries_typed_digests_and_a_short_digest_is_malformed() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let bundle = sign::sign_blob(&key, b"release").unwrap();
    let policy = Policy::Key {
        key: key.public_key().clone(),
        tlog: TlogPolicy::IfPresent,
    };
    let trust = TrustRoot::production().unwrap();
    let verify_with = |digest: &[u8]| {
        let mut j = bundle.json().clone();
        j["messageSignature"]["messageDigest"] =
            json!({"algorithm": "SHA2_256", "digest": STANDARD.encode(digest)});
        let b = Bundle::parse(&serde_json::to_vec(&j).unwrap()).unwrap();
        verify::verify(&b, Artifact::Bytes(b"release"), &policy, &trust).unwrap_err()
    };
    let err = verify_with(&[7u8; 32]);
    let VerifyError::DigestMismatch { expected, found } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*found, vouch_digest::Digest::sha256(b"release"));
    assert_eq!(expected.hex(), "07".repeat(32));
    assert_eq!(
        err.to_string(),
        format!(
            "artifact has digest sha256:{}, but the bundle signs sha256:{}",
            hex_sha256(b"release"),
            "07".repeat(32)
        )
    );
    let err = verify_with(&[7u8; 20]);
    assert!(
        matches!(&err, VerifyError::InvalidBundle { detail } if detail.contains("has 20 bytes")),
        "{err:?}"
    );
}

#[test]
fn dsse_payload_type_must_be_in_toto() {
    // The real Rekor v2 DSSE bundle, payload type changed.
    let c = case("rekor2-dsse-happy-path");
    let mut mutated = c.json.clone();
    mutated["dsseEnvelope"]["payloadType"] = json!("application/json");
    let err = c.verify(&mutated).unwrap_err();
    assert!(
        matches!(&err, VerifyError::UnsupportedPayloadType { found } if found == "application/json"),
        "{err:?}"
    );
    assert_eq!(err.code(), "unsupported-payload-type");

    // A key-signed envelope whose signature covers the other payload type: the signature is
    // good, the type is still not in-toto.
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let st = Statement::new(
        vec![Subject::new(
            "a",
            vouch_digest::Digest::from_hex(vouch_digest::Algorithm::Sha256, &hex_sha256(b"a"))
                .unwrap(),
        )],
        "https://example.com/p/v1",
        json!({}),
    );
    let env = sign::sign_envelope(&key, "text/plain", serde_json::to_vec(&st).unwrap()).unwrap();
    let j = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": sign::key_hint(&key)}, "tlogEntries": []},
        "dsseEnvelope": env.to_value(),
    });
    let b = Bundle::parse(&serde_json::to_vec(&j).unwrap()).unwrap();
    let policy = Policy::Key {
        key: key.public_key().clone(),
        tlog: TlogPolicy::IfPresent,
    };
    let trust = TrustRoot::production().unwrap();
    let err = verify::verify(&b, Artifact::Bytes(b"a"), &policy, &trust).unwrap_err();
    assert!(
        matches!(&err, VerifyError::UnsupportedPayloadType { found } if found == "text/plain"),
        "{err:?}"
    );
    // The same statement under the in-toto type verifies.
    let good = sign::sign_statement(&key, &st).unwrap();
    verify::verify(&good, Artifact::Bytes(b"a"), &policy, &trust).unwrap();
}

fn hex_sha256(b: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(b))
}
