//! cosign's legacy image signatures and attestations (the `sha256-<hex>.sig` and `.att` tags),
//! verified with a key.
//!
//! A `.sig` layer is a simple-signing payload (the bytes that were signed, media type
//! `application/vnd.dev.cosign.simplesigning.v1+json`) with the base64 signature in the layer's
//! `dev.cosignproject.cosign/signature` annotation, and for keyless signatures the certificate,
//! chain and Rekor bundle in more annotations. [`verify_legacy_signature`] checks the signature
//! over the payload bytes with the caller's key, then the payload itself: `critical.type` must be
//! `cosign container image signature`, the fields of `critical` exactly those the format defines,
//! and `critical.image.docker-manifest-digest` the image's digest.
//!
//! A `.att` layer is a bare DSSE envelope; [`verify_legacy_attestation`] wraps it into a bundle
//! with key material and checks it exactly as [`crate::verify::verify_attestation`] does.
//!
//! What is not done, on purpose (docs/evidence.md): keyless legacy signatures (a certificate in
//! the annotations) are [`VerifyError::LegacyKeylessUnsupported`], never a pass, and the legacy
//! Rekor bundle (a SET) is not verified, so [`TlogPolicy::Required`] refuses every legacy
//! signature with [`VerifyError::MissingLogEntry`].
//!
//! ```
//! use vouch_digest::Digest;
//! use vouch_sign::cosign::{self, LegacySignature};
//! use vouch_sign::key::{Algorithm, SigningKey};
//! use vouch_sign::verify::{Policy, TlogPolicy};
//! use base64::Engine as _;
//!
//! let image = Digest::sha256(b"manifest");
//! let payload = cosign::simple_signing_payload("registry.example/app", &image);
//! let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
//! let sig = LegacySignature {
//!     signature_b64: base64::engine::general_purpose::STANDARD.encode(key.sign(&payload).unwrap()),
//!     payload,
//!     certificate_pem: None,
//!     chain_pem: None,
//!     rekor_bundle: None,
//! };
//! let policy = Policy::Key { key: key.public_key().clone(), tlog: TlogPolicy::IfPresent };
//! let verified = cosign::verify_legacy_signature(&sig, &image, &policy).unwrap();
//! assert_eq!(verified.artifact_digest(), &image);
//! ```

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use vouch_attest::Statement;
use vouch_digest::Digest;

use crate::bundle::{Bundle, MEDIA_TYPE_V03};
use crate::trust::TrustRoot;
use crate::verify::{
    self, Artifact, Content, Policy, SignedArtifact, TlogPolicy, Verified, VerifyError,
};

/// `critical.type` of a cosign image signature.
pub const SIGNATURE_TYPE: &str = "cosign container image signature";

/// Largest simple-signing payload accepted (64 KiB; cosign's are about 250 bytes).
pub const MAX_PAYLOAD_LEN: usize = 64 * 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SimpleSigning {
    critical: Critical,
    #[serde(default)]
    optional: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Critical {
    identity: Identity,
    image: Image,
    #[serde(rename = "type")]
    type_: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Identity {
    #[serde(rename = "docker-reference")]
    docker_reference: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Image {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

/// The simple-signing payload cosign signs for the image `digest`, as cosign writes it:
/// `{"critical":{"identity":{"docker-reference":REF},"image":{"docker-manifest-digest":DIGEST},"type":"cosign container image signature"},"optional":null}`.
pub fn simple_signing_payload(docker_reference: &str, digest: &Digest) -> Vec<u8> {
    let payload = SimpleSigning {
        critical: Critical {
            identity: Identity {
                docker_reference: docker_reference.to_owned(),
            },
            image: Image {
                docker_manifest_digest: digest.to_string(),
            },
            type_: SIGNATURE_TYPE.to_owned(),
        },
        optional: None,
    };
    serde_json::to_vec(&payload).unwrap_or_default()
}

/// One `.sig` layer: the payload blob and the layer's annotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacySignature {
    /// The layer blob: the simple-signing payload, the exact bytes that were signed.
    pub payload: Vec<u8>,
    /// `dev.cosignproject.cosign/signature`.
    pub signature_b64: String,
    /// `dev.sigstore.cosign/certificate` (keyless signatures).
    pub certificate_pem: Option<String>,
    /// `dev.sigstore.cosign/chain`.
    pub chain_pem: Option<String>,
    /// `dev.sigstore.cosign/bundle`: the Rekor SET and entry (not verified by vouch).
    pub rekor_bundle: Option<String>,
}

/// Verify a `.sig` layer for the image `digest`: the signature over the payload bytes with the
/// policy's key (ECDSA P-256/SHA-256 DER, Ed25519, or whatever else [`crate::key::PublicKey`]
/// holds), then the payload (its type, its exact `critical` fields, and its
/// `docker-manifest-digest` equal to `digest`: [`VerifyError::ImageDigestMismatch`] otherwise).
/// `critical.identity.docker-reference` is not checked, as cosign's specification says.
///
/// An identity policy is [`VerifyError::LegacyKeylessUnsupported`] for a signature with a
/// certificate, [`VerifyError::KeyRequired`] for one without; under a key policy a certificate
/// is ignored (as `cosign verify --key` does). [`TlogPolicy::Required`] is always
/// [`VerifyError::MissingLogEntry`]: the legacy Rekor bundle is not verified. Legacy signatures
/// name no key, so a wrong key and a changed payload are both [`VerifyError::InvalidSignature`].
pub fn verify_legacy_signature(
    sig: &LegacySignature,
    digest: &Digest,
    policy: &Policy,
) -> Result<Verified<Content>, VerifyError> {
    let key = match policy {
        Policy::Identity { .. } if sig.certificate_pem.is_some() => {
            return Err(VerifyError::LegacyKeylessUnsupported {
                what: "signature",
                carries: "carries a signing certificate (keyless)",
            });
        }
        Policy::Identity { .. } => return Err(VerifyError::KeyRequired),
        Policy::Key { tlog, .. } if *tlog == TlogPolicy::Required => {
            return Err(VerifyError::MissingLogEntry);
        }
        Policy::Key { key, .. } => key,
    };
    if sig.payload.len() > MAX_PAYLOAD_LEN {
        return Err(VerifyError::InvalidSimpleSigningPayload {
            detail: format!(
                "is {} bytes, more than the {MAX_PAYLOAD_LEN} byte limit",
                sig.payload.len()
            ),
        });
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(sig.signature_b64.trim())
        .map_err(|e| VerifyError::InvalidSignature {
            detail: format!("the signature annotation is not base64: {e}"),
        })?;
    verify::verify_raw_signature(key, &sig.payload, &signature)?;

    let payload: SimpleSigning = serde_json::from_slice(&sig.payload).map_err(|e| {
        VerifyError::InvalidSimpleSigningPayload {
            detail: format!("is not a cosign image signature: {e}"),
        }
    })?;
    if payload.critical.type_ != SIGNATURE_TYPE {
        return Err(VerifyError::InvalidSimpleSigningPayload {
            detail: format!(
                "has critical.type `{}`, expected `{SIGNATURE_TYPE}`",
                payload.critical.type_
            ),
        });
    }
    let signed: Digest = payload
        .critical
        .image
        .docker_manifest_digest
        .parse()
        .map_err(|e| VerifyError::InvalidSimpleSigningPayload {
            detail: format!("has a docker-manifest-digest that is not a digest: {e}"),
        })?;
    if &signed != digest {
        return Err(VerifyError::ImageDigestMismatch {
            image: digest.clone(),
            signed,
        });
    }
    Ok(Verified::by_key_only(
        Content::Artifact(SignedArtifact {
            digest: digest.clone(),
        }),
        key,
        digest.clone(),
    ))
}

/// A cosign `.att` layer (a bare DSSE envelope, payload type `application/vnd.in-toto+json`)
/// verified as an attestation about `subject`, under the rules of
/// [`crate::verify::verify_attestation`]: the envelope is wrapped into a v0.3 bundle with
/// public-key material (no log entries) and checked on the same path. An envelope with several
/// signatures verifies when one of them does (the first failure is reported otherwise). An
/// identity policy is [`VerifyError::LegacyKeylessUnsupported`]: a keyless `.att` keeps its
/// certificate in layer annotations this function does not take.
pub fn verify_legacy_attestation(
    envelope_json: &[u8],
    subject: Artifact<'_>,
    policy: &Policy,
    trust: &TrustRoot,
) -> Result<Verified<Statement>, VerifyError> {
    if matches!(policy, Policy::Identity { .. }) {
        return Err(VerifyError::LegacyKeylessUnsupported {
            what: "attestation",
            carries: "is checked against a certificate identity",
        });
    }
    let envelope = vouch_attest::dsse::Envelope::parse(envelope_json).map_err(|e| {
        VerifyError::InvalidBundle {
            detail: format!("cosign attestation layer is not a dsse envelope: {e}"),
        }
    })?;
    let mut first_error = None;
    for signature in &envelope.signatures {
        let mut single = envelope.clone();
        single.signatures = vec![signature.clone()];
        let bundle = wrap(&single)?;
        match verify::verify_attestation(&bundle, subject, policy, trust) {
            Ok(v) => return Ok(v),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(VerifyError::InvalidBundle {
        detail: "cosign attestation layer has no signatures".to_owned(),
    }))
}

/// A one-signature envelope as a key-material v0.3 bundle; the envelope's keyid becomes the
/// key hint (used only to tell a wrong key from a changed envelope).
fn wrap(envelope: &vouch_attest::dsse::Envelope) -> Result<Bundle, VerifyError> {
    let hint = envelope
        .signatures
        .first()
        .and_then(|s| s.keyid.clone())
        .unwrap_or_default();
    let json = serde_json::json!({
        "mediaType": MEDIA_TYPE_V03,
        "verificationMaterial": {
            "publicKey": { "hint": hint },
            "tlogEntries": [],
        },
        "dsseEnvelope": envelope.to_value(),
    });
    let bytes = serde_json::to_vec(&json).unwrap_or_default();
    Bundle::parse(&bytes).map_err(|e| VerifyError::InvalidBundle {
        detail: format!("cosign attestation layer cannot be read as a bundle: {e}"),
    })
}
