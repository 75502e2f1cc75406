//! Trust roots: which Fulcio CAs, Rekor logs, CT logs and timestamp authorities are trusted.

use std::fmt;

use serde::Serialize;

/// The embedded production trusted root (see `trust/SOURCES.md`).
const PRODUCTION_JSON: &str = include_str!("../trust/production-trusted_root.json");

/// Where the embedded production snapshot comes from.
pub const PRODUCTION_SNAPSHOT: &str = "sigstore public-good production trusted root, snapshot from sigstore-python 27db13db (newest log from 2025-09-23)";

/// Largest trusted root file accepted (4 MiB).
pub const MAX_TRUSTED_ROOT_LEN: usize = 4 * 1024 * 1024;

/// Which trust material a verification used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TrustSource {
    /// The production snapshot embedded in vouch.
    EmbeddedProduction { snapshot: &'static str },
    /// A trusted root the caller supplied; `name` says where it came from (e.g. a path).
    Custom { name: String },
    /// No trusted root was used: the signature was checked with the given public key alone
    /// (cosign legacy signatures).
    PublicKeyOnly,
}

impl fmt::Display for TrustSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustSource::EmbeddedProduction { snapshot } => write!(f, "embedded {snapshot}"),
            TrustSource::Custom { name } => write!(f, "trusted root {name}"),
            TrustSource::PublicKeyOnly => {
                f.write_str("the given public key only (no trusted root)")
            }
        }
    }
}

/// Why a trusted root could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustRootError {
    #[error("trusted root {name} is {len} bytes, more than the {max} byte limit")]
    Oversized {
        name: String,
        len: usize,
        max: usize,
    },
    #[error("trusted root {name} is not utf-8 json")]
    NotUtf8 { name: String },
    #[error("trusted root {name} could not be parsed")]
    Parse {
        name: String,
        #[source]
        source: sigstore_verify::trust_root::Error,
    },
    #[error("trusted root {name} cannot be used for verification")]
    Unusable {
        name: String,
        #[source]
        source: Box<sigstore_verify::Error>,
    },
}

/// A loaded, checked trusted root, ready to verify with.
pub struct TrustRoot {
    pub(crate) verifier: sigstore_verify::Verifier,
    pub(crate) root: sigstore_verify::trust_root::TrustedRoot,
    source: TrustSource,
}

impl fmt::Debug for TrustRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustRoot")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl TrustRoot {
    /// The production trusted root embedded in vouch.
    pub fn production() -> Result<Self, TrustRootError> {
        Self::load(
            PRODUCTION_JSON,
            TrustSource::EmbeddedProduction {
                snapshot: PRODUCTION_SNAPSHOT,
            },
        )
    }

    /// A trusted root from its JSON (`name` is shown in messages, e.g. the path).
    pub fn from_json(bytes: &[u8], name: impl Into<String>) -> Result<Self, TrustRootError> {
        let name = name.into();
        if bytes.len() > MAX_TRUSTED_ROOT_LEN {
            return Err(TrustRootError::Oversized {
                name,
                len: bytes.len(),
                max: MAX_TRUSTED_ROOT_LEN,
            });
        }
        let json = std::str::from_utf8(bytes)
            .map_err(|_| TrustRootError::NotUtf8 { name: name.clone() })?;
        Self::load(json, TrustSource::Custom { name })
    }

    fn load(json: &str, source: TrustSource) -> Result<Self, TrustRootError> {
        let name = source.to_string();
        let root = sigstore_verify::trust_root::TrustedRoot::from_json(json).map_err(|source| {
            TrustRootError::Parse {
                name: name.clone(),
                source,
            }
        })?;
        let verifier =
            sigstore_verify::Verifier::new(&root).map_err(|e| TrustRootError::Unusable {
                name,
                source: Box::new(e),
            })?;
        Ok(Self {
            verifier,
            root,
            source,
        })
    }

    pub fn source(&self) -> &TrustSource {
        &self.source
    }

    /// Number of (Fulcio CAs, Rekor logs, CT logs, timestamp authorities).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        (
            self.root.certificate_authorities.len(),
            self.root.tlogs.len(),
            self.root.ctlogs.len(),
            self.root.timestamp_authorities.len(),
        )
    }
}
