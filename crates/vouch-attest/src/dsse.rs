//! DSSE (Dead Simple Signing Envelope) v1.
//!
//! Unlike `sigstore-types`' envelope, [`Envelope`] accepts any number of signatures, as the DSSE
//! specification allows.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The payload type of in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Largest envelope [`Envelope::parse`] accepts (16 MiB).
pub const MAX_ENVELOPE_LEN: usize = 16 * 1024 * 1024;

/// A DSSE envelope with its payload decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    pub signatures: Vec<Signature>,
}

/// One signature in an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Optional, unauthenticated hint naming the key.
    pub keyid: Option<String>,
    pub sig: Vec<u8>,
}

/// Why an envelope could not be parsed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("dsse envelope is {len} bytes, more than the {max} byte limit")]
    Oversized { len: usize, max: usize },
    #[error("dsse envelope is not valid json")]
    Json(#[source] serde_json::Error),
    #[error("dsse envelope field `{field}` is not valid base64")]
    Base64 {
        field: &'static str,
        #[source]
        source: base64::DecodeError,
    },
    #[error("dsse envelope has no signatures")]
    NoSignatures,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEnvelope {
    payload_type: String,
    payload: String,
    #[serde(default)]
    signatures: Vec<RawSignature>,
}

#[derive(Serialize, Deserialize)]
struct RawSignature {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keyid: Option<String>,
    sig: String,
}

/// Standard or URL-safe base64, with or without padding (DSSE allows either).
fn decode_b64(field: &'static str, s: &str) -> Result<Vec<u8>, ParseError> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    STANDARD
        .decode(s)
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .or_else(|_| URL_SAFE.decode(s))
        .or_else(|_| URL_SAFE_NO_PAD.decode(s))
        .map_err(|source| ParseError::Base64 { field, source })
}

impl Envelope {
    /// An unsigned envelope; add signatures with [`Envelope::signatures`].
    pub fn new(payload_type: impl Into<String>, payload: Vec<u8>) -> Self {
        Self {
            payload_type: payload_type.into(),
            payload,
            signatures: Vec::new(),
        }
    }

    /// Parse the JSON form of an envelope.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        if bytes.len() > MAX_ENVELOPE_LEN {
            return Err(ParseError::Oversized {
                len: bytes.len(),
                max: MAX_ENVELOPE_LEN,
            });
        }
        let raw: RawEnvelope = serde_json::from_slice(bytes).map_err(ParseError::Json)?;
        Self::from_raw(raw)
    }

    /// Parse from an already-decoded JSON value (e.g. the `dsseEnvelope` of a bundle).
    pub fn from_value(value: serde_json::Value) -> Result<Self, ParseError> {
        let raw: RawEnvelope = serde_json::from_value(value).map_err(ParseError::Json)?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: RawEnvelope) -> Result<Self, ParseError> {
        if raw.signatures.is_empty() {
            return Err(ParseError::NoSignatures);
        }
        let payload = decode_b64("payload", &raw.payload)?;
        let signatures = raw
            .signatures
            .into_iter()
            .map(|s| {
                Ok(Signature {
                    keyid: s.keyid.filter(|k| !k.is_empty()),
                    sig: decode_b64("signatures[].sig", &s.sig)?,
                })
            })
            .collect::<Result<_, ParseError>>()?;
        Ok(Self {
            payload_type: raw.payload_type,
            payload,
            signatures,
        })
    }

    /// The bytes a signer signs: `PAE(payloadType, payload)`.
    pub fn signed_bytes(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// The JSON form as a value (standard base64 with padding).
    pub fn to_value(&self) -> serde_json::Value {
        let raw = RawEnvelope {
            payload_type: self.payload_type.clone(),
            payload: STANDARD.encode(&self.payload),
            signatures: self
                .signatures
                .iter()
                .map(|s| RawSignature {
                    keyid: s.keyid.clone(),
                    sig: STANDARD.encode(&s.sig),
                })
                .collect(),
        };
        serde_json::to_value(raw).unwrap_or(serde_json::Value::Null)
    }

    /// The compact JSON form.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }
}

/// DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_spec_example() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }
}
