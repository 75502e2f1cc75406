//! Reading Sigstore bundles (media types v0.1, v0.2, v0.3).

use serde::Serialize;

/// Largest bundle accepted (16 MiB).
pub const MAX_BUNDLE_LEN: usize = 16 * 1024 * 1024;

/// The media type vouch writes.
pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Bundle media types vouch reads.
pub const MEDIA_TYPES: &[&str] = &[
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    MEDIA_TYPE_V03,
];

/// What the bundle signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContentKind {
    MessageSignature,
    DsseEnvelope,
}

/// How the bundle names its signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaterialKind {
    /// A Fulcio (or other X.509) certificate or chain.
    Certificate,
    /// A public-key hint: the verifier must supply the key.
    PublicKey,
}

/// Why a bundle could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("bundle is {len} bytes, more than the {max} byte limit")]
    Oversized { len: usize, max: usize },
    #[error("bundle is empty")]
    Empty,
    #[error("bundle is truncated: json ends at line {line}, column {column}")]
    Truncated { line: usize, column: usize },
    #[error("bundle is not valid json")]
    Json(#[source] serde_json::Error),
    #[error("bundle has no `mediaType`")]
    MissingMediaType,
    #[error(
        "bundle has media type `{found}`, expected one of application/vnd.dev.sigstore.bundle+json;version=0.1|0.2|0.3 or {MEDIA_TYPE_V03}"
    )]
    UnsupportedMediaType { found: String },
    #[error("bundle does not match the sigstore bundle schema: {detail}")]
    Schema { detail: String },
}

/// A parsed bundle. Parsing checks structure only; nothing here is verified yet.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub(crate) inner: sigstore_verify::types::Bundle,
    pub(crate) json: serde_json::Value,
    media_type: String,
}

impl BundleError {
    /// Stable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::Oversized { .. } => "oversized-bundle",
            BundleError::Empty => "empty-bundle",
            BundleError::Truncated { .. } => "truncated-bundle",
            BundleError::Json(_) => "malformed-bundle",
            BundleError::MissingMediaType => "missing-media-type",
            BundleError::UnsupportedMediaType { .. } => "unsupported-media-type",
            BundleError::Schema { .. } => "bundle-schema",
        }
    }
}

impl Bundle {
    /// Parse a bundle's JSON.
    pub fn parse(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > MAX_BUNDLE_LEN {
            return Err(BundleError::Oversized {
                len: bytes.len(),
                max: MAX_BUNDLE_LEN,
            });
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(BundleError::Empty);
        }
        let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_eof() {
                BundleError::Truncated {
                    line: e.line(),
                    column: e.column(),
                }
            } else {
                BundleError::Json(e)
            }
        })?;
        let media_type = json
            .get("mediaType")
            .and_then(|m| m.as_str())
            .ok_or(BundleError::MissingMediaType)?
            .to_owned();
        if !MEDIA_TYPES.contains(&media_type.as_str()) {
            return Err(BundleError::UnsupportedMediaType { found: media_type });
        }
        let inner: sigstore_verify::types::Bundle =
            serde_json::from_value(json.clone()).map_err(|e| BundleError::Schema {
                detail: e.to_string().to_lowercase(),
            })?;
        Ok(Self {
            inner,
            json,
            media_type,
        })
    }

    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    pub fn content_kind(&self) -> ContentKind {
        match self.inner.content {
            sigstore_verify::types::SignatureContent::DsseEnvelope(_) => ContentKind::DsseEnvelope,
            _ => ContentKind::MessageSignature,
        }
    }

    pub fn material_kind(&self) -> MaterialKind {
        use sigstore_verify::types::bundle::VerificationMaterialContent as V;
        match self.inner.verification_material.content {
            V::PublicKey { .. } => MaterialKind::PublicKey,
            _ => MaterialKind::Certificate,
        }
    }

    /// Number of transparency-log entries.
    pub fn tlog_entry_count(&self) -> usize {
        self.inner.verification_material.tlog_entries.len()
    }

    /// The message digest the bundle claims (`messageSignature.messageDigest`), as
    /// `(algorithm, lower-case hex)`. Unverified.
    pub fn claimed_message_digest(&self) -> Option<(String, String)> {
        let md = self.json.get("messageSignature")?.get("messageDigest")?;
        let alg = md.get("algorithm")?.as_str()?.to_owned();
        let b64 = md.get("digest")?.as_str()?;
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        Some((alg, hex::encode(bytes)))
    }

    /// The public-key hint the bundle names (`verificationMaterial.publicKey.hint`), if any.
    /// Unverified: only used to say which key a bundle that does not verify was made with.
    pub fn key_hint(&self) -> Option<&str> {
        self.json
            .pointer("/verificationMaterial/publicKey/hint")
            .and_then(|h| h.as_str())
    }

    /// The raw DSSE envelope JSON, if the bundle carries one. Unverified.
    pub fn dsse_envelope_json(&self) -> Option<&serde_json::Value> {
        self.json.get("dsseEnvelope")
    }

    /// The bundle as JSON.
    pub fn json(&self) -> &serde_json::Value {
        &self.json
    }
}
