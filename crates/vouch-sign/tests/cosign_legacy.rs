//! cosign's legacy image signatures (`.sig`) and attestations (`.att`), verified by
//! `vouch_sign::cosign`.
//!
//! Two sources: signatures built here by an independent implementation of the documented
//! format (cosign SIGNATURE_SPEC: the simple-signing payload written out by hand, signed with
//! the `p256` crate, base64), and real signatures cosign made, from containers/image's test data
//! (tests/fixtures/cosign-legacy/SOURCES.md).

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::EncodePublicKey as _;
use vouch_attest::statement::{Statement, Subject};
use vouch_digest::Digest;
use vouch_sign::cosign::{self, LegacySignature};
use vouch_sign::key::{Algorithm, PublicKey, SigningKey};
use vouch_sign::trust::{TrustRoot, TrustSource};
use vouch_sign::verify::{Artifact, Content, Policy, Signer, TlogPolicy, VerifyError};

const IMAGE: &str = "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";

/// An ECDSA P-256 key of the independent implementation (fixed scalar: RFC 6979 signatures
/// make every run the same).
fn p256_key(seed: u8) -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_bytes(&[seed; 32].into()).unwrap()
}

fn public(key: &p256::ecdsa::SigningKey) -> PublicKey {
    let der = key.verifying_key().to_public_key_der().unwrap();
    PublicKey::from_spki_der(der.as_bytes()).unwrap()
}

fn key_policy(key: PublicKey) -> Policy {
    Policy::Key {
        key,
        tlog: TlogPolicy::IfPresent,
    }
}

/// The simple-signing payload exactly as SIGNATURE_SPEC documents it, written out by hand.
fn payload_by_hand(reference: &str, digest: &str) -> Vec<u8> {
    format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{reference}"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#
    )
    .into_bytes()
}

/// A `.sig` layer signed by the independent implementation: ECDSA P-256 with SHA-256 over the
/// payload bytes, DER, standard base64.
fn sign_by_hand(key: &p256::ecdsa::SigningKey, payload: Vec<u8>) -> LegacySignature {
    let signature: p256::ecdsa::Signature = key.sign(&payload);
    LegacySignature {
        signature_b64: STANDARD.encode(signature.to_der().as_bytes()),
        payload,
        certificate_pem: None,
        chain_pem: None,
        rekor_bundle: None,
    }
}

fn image() -> Digest {
    IMAGE.parse().unwrap()
}

#[test]
fn vouch_writes_the_payload_cosign_documents() {
    assert_eq!(
        cosign::simple_signing_payload("registry.example/app", &image()),
        payload_by_hand("registry.example/app", IMAGE)
    );
}

#[test]
fn a_signature_made_by_an_independent_implementation_verifies() {
    let key = p256_key(7);
    let sig = sign_by_hand(&key, payload_by_hand("registry.example/app", IMAGE));
    let v = cosign::verify_legacy_signature(&sig, &image(), &key_policy(public(&key))).unwrap();
    assert_eq!(v.artifact_digest(), &image());
    assert!(
        matches!(v.value(), Content::Artifact(a) if a.digest == image()),
        "{:?}",
        v.value()
    );
    assert_eq!(
        v.signer(),
        &Signer::Key {
            fingerprint: public(&key).fingerprint(),
            algorithm: vouch_sign::key::PublicKeyAlgorithm::EcdsaP256,
        }
    );
    assert_eq!(v.trust(), &TrustSource::PublicKeyOnly);
    assert!(!v.tlog_verified() && !v.certificate_verified());
}

#[test]
fn ed25519_keys_sign_the_payload_bytes() {
    let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
    let payload = cosign::simple_signing_payload("registry.example/app", &image());
    let sig = LegacySignature {
        signature_b64: STANDARD.encode(key.sign(&payload).unwrap()),
        payload,
        certificate_pem: None,
        chain_pem: None,
        rekor_bundle: None,
    };
    let policy = key_policy(key.public_key().clone());
    assert!(cosign::verify_legacy_signature(&sig, &image(), &policy).is_ok());
}

#[test]
fn wrong_key_is_an_invalid_signature() {
    let sig = sign_by_hand(&p256_key(7), payload_by_hand("registry.example/app", IMAGE));
    let other = public(&p256_key(8));
    let err =
        cosign::verify_legacy_signature(&sig, &image(), &key_policy(other.clone())).unwrap_err();
    assert_eq!(err.code(), "invalid-signature");
    assert!(
        err.to_string()
            .ends_with(&format!("with ecdsa-p256 key {}", other.fingerprint())),
        "{err}"
    );
}

#[test]
fn a_signature_for_another_image_is_an_image_digest_mismatch() {
    let key = p256_key(7);
    let other = "sha256:0489474da8ea22426ece86ace6c1c0026ab2fd3cdfbbd62b7e94650266c37d9a";
    let sig = sign_by_hand(&key, payload_by_hand("registry.example/app", other));
    let err =
        cosign::verify_legacy_signature(&sig, &image(), &key_policy(public(&key))).unwrap_err();
    assert!(
        matches!(&err, VerifyError::ImageDigestMismatch { image: i, signed } if i == &image() && signed.to_string() == other),
        "{err:?}"
    );
    assert_eq!(err.code(), "image-digest-mismatch");
    assert_eq!(
        err.to_string(),
        format!("the signature is for image {other}, not for {IMAGE}")
    );
}

#[test]
fn an_altered_payload_is_an_invalid_signature() {
    let key = p256_key(7);
    let mut sig = sign_by_hand(&key, payload_by_hand("registry.example/app", IMAGE));
    sig.payload = payload_by_hand("registry.example/evil", IMAGE);
    let err =
        cosign::verify_legacy_signature(&sig, &image(), &key_policy(public(&key))).unwrap_err();
    assert_eq!(err.code(), "invalid-signature");
    // A signature that is not base64 at all.
    sig.signature_b64 = "not base64!".to_owned();
    let err =
        cosign::verify_legacy_signature(&sig, &image(), &key_policy(public(&key))).unwrap_err();
    assert_eq!(err.code(), "invalid-signature");
    assert!(err.to_string().contains("not base64"), "{err}");
}

#[test]
fn payloads_cosign_would_not_have_signed_are_refused_after_the_signature() {
    let key = p256_key(7);
    let cases: &[(&str, &str)] = &[
        (
            r#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"IMAGE"},"type":"atomic container signature"},"optional":null}"#,
            "simple-signing payload has critical.type `atomic container signature`, expected `cosign container image signature`",
        ),
        (
            r#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"IMAGE"},"type":"cosign container image signature","extra":1},"optional":null}"#,
            "simple-signing payload is not a cosign image signature: unknown field `extra`",
        ),
        (
            r#"{"critical":{"identity":{"docker-reference":"r"},"image":{"Docker-manifest-digest":"IMAGE"},"type":"cosign container image signature"},"optional":null}"#,
            "simple-signing payload is not a cosign image signature: unknown field `Docker-manifest-digest`",
        ),
        (
            r#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:abc"},"type":"cosign container image signature"},"optional":null}"#,
            "simple-signing payload has a docker-manifest-digest that is not a digest",
        ),
        (
            r#"{"critical":{"identity":{"docker-reference":"r"},"type":"cosign container image signature"},"optional":null}"#,
            "simple-signing payload is not a cosign image signature: missing field `image`",
        ),
    ];
    for (payload, message) in cases {
        let sig = sign_by_hand(&key, payload.replace("IMAGE", IMAGE).into_bytes());
        let err =
            cosign::verify_legacy_signature(&sig, &image(), &key_policy(public(&key))).unwrap_err();
        assert_eq!(err.code(), "invalid-simple-signing-payload", "{payload}");
        assert!(err.to_string().starts_with(message), "{err}");
    }
    // Optional claims are allowed.
    let with_optional = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"r"}},"image":{{"docker-manifest-digest":"{IMAGE}"}},"type":"cosign container image signature"}},"optional":{{"creator":"atomic","timestamp":1458239713}}}}"#
    );
    let sig = sign_by_hand(&key, with_optional.into_bytes());
    assert!(cosign::verify_legacy_signature(&sig, &image(), &key_policy(public(&key))).is_ok());
}

#[test]
fn keyless_legacy_signatures_are_not_supported() {
    let key = p256_key(7);
    let mut sig = sign_by_hand(&key, payload_by_hand("registry.example/app", IMAGE));
    sig.certificate_pem = Some("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".into());
    let identity = Policy::Identity {
        identity: "someone@example.com".into(),
        issuer: "https://accounts.example.com".into(),
    };
    let err = cosign::verify_legacy_signature(&sig, &image(), &identity).unwrap_err();
    assert_eq!(err.code(), "legacy-keyless-unsupported");
    assert_eq!(
        err.to_string(),
        "cosign legacy signature carries a signing certificate (keyless), but vouch verifies legacy signatures with a key only (use --key, or sign again as a sigstore bundle)"
    );
    // Without a certificate, an identity policy has nothing to check: a key is required.
    sig.certificate_pem = None;
    let err = cosign::verify_legacy_signature(&sig, &image(), &identity).unwrap_err();
    assert_eq!(err.code(), "key-required");
}

#[test]
fn a_required_log_entry_is_never_there() {
    let key = p256_key(7);
    let mut sig = sign_by_hand(&key, payload_by_hand("registry.example/app", IMAGE));
    sig.rekor_bundle = Some("{}".into());
    let policy = Policy::Key {
        key: public(&key),
        tlog: TlogPolicy::Required,
    };
    let err = cosign::verify_legacy_signature(&sig, &image(), &policy).unwrap_err();
    assert_eq!(err.code(), "missing-log-entry");
}

#[test]
fn oversized_payloads_are_refused() {
    let key = p256_key(7);
    let sig = sign_by_hand(&key, vec![b' '; cosign::MAX_PAYLOAD_LEN + 1]);
    let err =
        cosign::verify_legacy_signature(&sig, &image(), &key_policy(public(&key))).unwrap_err();
    assert_eq!(err.code(), "invalid-simple-signing-payload");
}

// Real signatures made by cosign (containers/image test data).

fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cosign-legacy")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// containers/image stores a `.sig` layer as `\0sigstore-json\n` + {mimeType, payload,
/// annotations}.
fn stored_signature(dir: &str) -> LegacySignature {
    let bytes = fixture(&format!("{dir}/signature-1"));
    let json = bytes.strip_prefix(b"\x00sigstore-json\n").unwrap();
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    assert_eq!(
        v["mimeType"],
        vouch_oci_simple_signing_media_type(),
        "{dir}"
    );
    let annotation = |k: &str| v["annotations"][k].as_str().map(str::to_owned);
    LegacySignature {
        payload: STANDARD.decode(v["payload"].as_str().unwrap()).unwrap(),
        signature_b64: annotation("dev.cosignproject.cosign/signature").unwrap(),
        certificate_pem: annotation("dev.sigstore.cosign/certificate"),
        chain_pem: annotation("dev.sigstore.cosign/chain"),
        rekor_bundle: annotation("dev.sigstore.cosign/bundle"),
    }
}

fn vouch_oci_simple_signing_media_type() -> &'static str {
    "application/vnd.dev.cosign.simplesigning.v1+json"
}

fn manifest_digest(dir: &str) -> Digest {
    Digest::sha256(&fixture(&format!("{dir}/manifest.json")))
}

fn cosign_pub(name: &str) -> Policy {
    key_policy(PublicKey::from_pem(&fixture(name)).unwrap())
}

#[test]
fn real_cosign_signature_verifies_with_its_key() {
    let sig = stored_signature("dir-img-cosign-valid");
    let digest = manifest_digest("dir-img-cosign-valid");
    assert_eq!(digest, image());
    let v = cosign::verify_legacy_signature(&sig, &digest, &cosign_pub("cosign.pub")).unwrap();
    assert_eq!(v.artifact_digest(), &digest);
    // The same signature with cosign2.pub: another key.
    let err =
        cosign::verify_legacy_signature(&sig, &digest, &cosign_pub("cosign2.pub")).unwrap_err();
    assert_eq!(err.code(), "invalid-signature");
}

#[test]
fn real_cosign_signature_copied_to_another_image_is_a_mismatch() {
    // containers/image's "manifest-digest-error": a valid signature of image 634a… next to
    // the manifest of another image.
    let dir = "dir-img-cosign-manifest-digest-error";
    let err = cosign::verify_legacy_signature(
        &stored_signature(dir),
        &manifest_digest(dir),
        &cosign_pub("cosign.pub"),
    )
    .unwrap_err();
    assert!(
        matches!(&err, VerifyError::ImageDigestMismatch { signed, .. } if signed == &image()),
        "{err:?}"
    );
}

#[test]
fn real_cosign_keyless_signature_is_not_supported() {
    let dir = "dir-img-cosign-fulcio-rekor-valid";
    let sig = stored_signature(dir);
    assert!(sig.certificate_pem.is_some() && sig.rekor_bundle.is_some());
    let identity = Policy::Identity {
        identity: "someone@example.com".into(),
        issuer: "https://github.com/login/oauth".into(),
    };
    let err = cosign::verify_legacy_signature(&sig, &manifest_digest(dir), &identity).unwrap_err();
    assert_eq!(err.code(), "legacy-keyless-unsupported");
}

#[test]
fn real_cosign_key_signature_with_a_rekor_bundle() {
    let dir = "dir-img-cosign-key-rekor-valid";
    let sig = stored_signature(dir);
    assert!(sig.rekor_bundle.is_some() && sig.certificate_pem.is_none());
    // The SET is not verified: a policy that requires a log entry refuses it ...
    let required = Policy::Key {
        key: PublicKey::from_pem(&fixture("cosign.pub")).unwrap(),
        tlog: TlogPolicy::Required,
    };
    let err = cosign::verify_legacy_signature(&sig, &manifest_digest(dir), &required).unwrap_err();
    assert_eq!(err.code(), "missing-log-entry");
    // ... and one that does not verifies the signature with the key, the SET unread.
    let key = cosign_pub("dir-img-cosign-key-rekor-valid/public-key-from-rekor-entry.pem");
    let v = cosign::verify_legacy_signature(&sig, &manifest_digest(dir), &key).unwrap();
    assert!(!v.tlog_verified());
}

// `.att`: DSSE envelopes made by hand.

fn statement_about(digest: &Digest) -> Vec<u8> {
    serde_json::to_vec(&Statement::new(
        vec![Subject::new("registry.example/app", digest.clone())],
        "https://slsa.dev/provenance/v1",
        serde_json::json!({"buildDefinition": {}}),
    ))
    .unwrap()
}

/// A DSSE envelope as cosign's `.att` layer holds it, written and signed by hand: PAE by the
/// DSSE specification, ECDSA P-256 over it with the `p256` crate.
fn envelope_by_hand(key: &p256::ecdsa::SigningKey, payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut pae = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(payload);
    let signature: p256::ecdsa::Signature = key.sign(&pae);
    serde_json::to_vec(&serde_json::json!({
        "payloadType": payload_type,
        "payload": STANDARD.encode(payload),
        "signatures": [{"keyid": "", "sig": STANDARD.encode(signature.to_der().as_bytes())}],
    }))
    .unwrap()
}

#[test]
fn a_hand_made_att_envelope_verifies_as_an_attestation() {
    let key = p256_key(7);
    let trust = TrustRoot::production().unwrap();
    let envelope = envelope_by_hand(
        &key,
        "application/vnd.in-toto+json",
        &statement_about(&image()),
    );
    let subject = Artifact::Sha256(image().as_bytes().try_into().unwrap());
    let v =
        cosign::verify_legacy_attestation(&envelope, subject, &key_policy(public(&key)), &trust)
            .unwrap();
    assert_eq!(v.value().predicate_type, "https://slsa.dev/provenance/v1");
    assert!(v.value().has_subject(&image()));

    // Another key.
    let err = cosign::verify_legacy_attestation(
        &envelope,
        subject,
        &key_policy(public(&p256_key(8))),
        &trust,
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid-signature");

    // About another image.
    let other = Digest::sha256(b"another image");
    let err = cosign::verify_legacy_attestation(
        &envelope_by_hand(
            &key,
            "application/vnd.in-toto+json",
            &statement_about(&other),
        ),
        subject,
        &key_policy(public(&key)),
        &trust,
    )
    .unwrap_err();
    assert_eq!(err.code(), "subject-mismatch");

    // A payload type other than in-toto.
    let err = cosign::verify_legacy_attestation(
        &envelope_by_hand(&key, "text/plain", &statement_about(&image())),
        subject,
        &key_policy(public(&key)),
        &trust,
    )
    .unwrap_err();
    assert_eq!(err.code(), "unsupported-payload-type");

    // Required log entry; identity policy.
    let required = Policy::Key {
        key: public(&key),
        tlog: TlogPolicy::Required,
    };
    let err = cosign::verify_legacy_attestation(&envelope, subject, &required, &trust).unwrap_err();
    assert_eq!(err.code(), "missing-log-entry");
    let identity = Policy::Identity {
        identity: "someone@example.com".into(),
        issuer: "https://accounts.example.com".into(),
    };
    let err = cosign::verify_legacy_attestation(&envelope, subject, &identity, &trust).unwrap_err();
    assert_eq!(err.code(), "legacy-keyless-unsupported");

    // Not an envelope at all.
    let err = cosign::verify_legacy_attestation(b"{}", subject, &key_policy(public(&key)), &trust)
        .unwrap_err();
    assert_eq!(err.code(), "invalid-bundle");
}

#[test]
fn an_envelope_with_several_signatures_verifies_when_one_does() {
    let (a, b) = (p256_key(7), p256_key(8));
    let payload = statement_about(&image());
    let one: serde_json::Value = serde_json::from_slice(&envelope_by_hand(
        &a,
        "application/vnd.in-toto+json",
        &payload,
    ))
    .unwrap();
    let two: serde_json::Value = serde_json::from_slice(&envelope_by_hand(
        &b,
        "application/vnd.in-toto+json",
        &payload,
    ))
    .unwrap();
    let mut both = one.clone();
    both["signatures"] = serde_json::json!([one["signatures"][0], two["signatures"][0]]);
    let both = serde_json::to_vec(&both).unwrap();
    let trust = TrustRoot::production().unwrap();
    let subject = Artifact::Sha256(image().as_bytes().try_into().unwrap());
    for key in [&a, &b] {
        assert!(
            cosign::verify_legacy_attestation(&both, subject, &key_policy(public(key)), &trust)
                .is_ok()
        );
    }
    let err = cosign::verify_legacy_attestation(
        &both,
        subject,
        &key_policy(public(&p256_key(9))),
        &trust,
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid-signature");
}

// cosign v3: the image signature is a statement in a DSSE bundle.

#[test]
fn cosign_v3_image_signature_is_a_signed_statement_about_the_image() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let statement = vouch_attest::image_signature("registry.example/app", &image());
    let bundle = vouch_sign::sign::sign_statement(&key, &statement).unwrap();
    let envelope = bundle.dsse_envelope_json().unwrap();
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    let trust = TrustRoot::production().unwrap();
    let policy = key_policy(key.public_key().clone());
    let subject = Artifact::Sha256(image().as_bytes().try_into().unwrap());
    let v = vouch_sign::verify::verify_attestation(&bundle, subject, &policy, &trust).unwrap();
    assert_eq!(
        v.value().predicate_type,
        vouch_attest::IMAGE_SIGNATURE_PREDICATE
    );
    assert_eq!(v.value().subject[0].name, "registry.example/app");
    assert_eq!(v.value().predicate, serde_json::json!({}));
    // The same bundle for another image: its subject does not match.
    let other = Digest::sha256(b"another image");
    let err = vouch_sign::verify::verify_attestation(
        &bundle,
        Artifact::Sha256(other.as_bytes().try_into().unwrap()),
        &policy,
        &trust,
    )
    .unwrap_err();
    assert_eq!(err.code(), "subject-mismatch");
}

#[test]
fn a_bundle_cosign_attached_to_an_image_verifies_as_an_attestation_about_it() {
    let bundle =
        vouch_sign::bundle::Bundle::parse(&fixture_v3("cosign-oci-attestation.sigstore.json"))
            .unwrap();
    let image: Digest = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
        .parse()
        .unwrap();
    let subject = Artifact::Sha256(image.as_bytes().try_into().unwrap());
    let trust = TrustRoot::production().unwrap();
    let identity = Policy::Identity {
        identity: "cody@soyland.com".into(),
        issuer: "https://github.com/login/oauth".into(),
    };
    let v = vouch_sign::verify::verify_attestation(&bundle, subject, &identity, &trust).unwrap();
    assert_eq!(
        v.value().predicate_type,
        "https://cosign.sigstore.dev/attestation/v1"
    );
    assert!(v.tlog_verified() && v.certificate_verified());
    // Another image: the statement is not about it.
    let other = Artifact::Sha256(Digest::sha256(b"x").as_bytes().try_into().unwrap());
    let err =
        vouch_sign::verify::verify_attestation(&bundle, other, &identity, &trust).unwrap_err();
    assert_eq!(err.code(), "subject-mismatch");
    // Another signer.
    let someone = Policy::Identity {
        identity: "someone@example.com".into(),
        issuer: "https://github.com/login/oauth".into(),
    };
    let err =
        vouch_sign::verify::verify_attestation(&bundle, subject, &someone, &trust).unwrap_err();
    assert_eq!(err.code(), "identity-mismatch");
}

fn fixture_v3(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/cosign-v3")
            .join(name),
    )
    .unwrap()
}
