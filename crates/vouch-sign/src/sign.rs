//! Signing with a local key into Sigstore bundles (no Fulcio, no Rekor: fully offline).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest as _;
use vouch_attest::dsse;

use crate::bundle::{Bundle, MEDIA_TYPE_V03};
use crate::key::{KeyError, SigningKey};

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    #[error("could not sign with the private key")]
    Key(#[from] KeyError),
    #[error("the bundle vouch produced does not parse back (a bug in vouch)")]
    Roundtrip(#[source] crate::bundle::BundleError),
}

/// The key hint written into bundles: hex SHA-256 of the public key's SPKI DER.
pub fn key_hint(key: &SigningKey) -> String {
    key.public_key().fingerprint().hex()
}

fn finish(value: serde_json::Value) -> Result<Bundle, SignError> {
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    Bundle::parse(&bytes).map_err(SignError::Roundtrip)
}

/// Sign `artifact` into a v0.3 bundle holding a `messageSignature` over its SHA-256 digest.
pub fn sign_blob(key: &SigningKey, artifact: &[u8]) -> Result<Bundle, SignError> {
    let digest = sha2::Sha256::digest(artifact);
    let signature = key.sign(artifact)?;
    finish(serde_json::json!({
        "mediaType": MEDIA_TYPE_V03,
        "verificationMaterial": {
            "publicKey": { "hint": key_hint(key) },
            "tlogEntries": [],
        },
        "messageSignature": {
            "messageDigest": { "algorithm": "SHA2_256", "digest": STANDARD.encode(digest) },
            "signature": STANDARD.encode(signature),
        }
    }))
}

/// Sign a DSSE envelope over `payload` (one signature, keyid = the key hint).
pub fn sign_envelope(
    key: &SigningKey,
    payload_type: &str,
    payload: Vec<u8>,
) -> Result<dsse::Envelope, SignError> {
    let mut env = dsse::Envelope::new(payload_type, payload);
    let sig = key.sign(&env.signed_bytes())?;
    env.signatures.push(dsse::Signature {
        keyid: Some(key_hint(key)),
        sig,
    });
    Ok(env)
}

/// Sign an in-toto statement into a v0.3 bundle holding a DSSE envelope.
pub fn sign_statement(
    key: &SigningKey,
    statement: &vouch_attest::Statement,
) -> Result<Bundle, SignError> {
    let payload = serde_json::to_vec(statement).unwrap_or_default();
    let env = sign_envelope(key, dsse::IN_TOTO_PAYLOAD_TYPE, payload)?;
    finish(serde_json::json!({
        "mediaType": MEDIA_TYPE_V03,
        "verificationMaterial": {
            "publicKey": { "hint": key_hint(key) },
            "tlogEntries": [],
        },
        "dsseEnvelope": env.to_value(),
    }))
}
