//! The rebuild attestation: a rebuilder's signed claim that it built an artifact from the named
//! source and got the bytes of the digest it names, valid for a stated window.
//!
//! Predicate type [`REBUILD_V1`] (`https://vouch.dev/rebuild/v1`), vouch's own: neither OSS
//! Rebuild's `Rebuild@v0.1` (a build definition, no verdict and no validity window) nor a SLSA
//! VSA (a verifier's policy result, no validity window) carries what a k-of-n gate needs to
//! decide, so the choice is written down in `docs/rebuilds.md`. The statement's subject is the
//! artifact the rebuilder checked; [`Rebuild::rebuilt`] is the digest its own build produced.
//! The two are equal when the rebuild reproduced the artifact.
//!
//! ```
//! use vouch_attest::rebuild::{Rebuild, Source};
//! use vouch_digest::Digest;
//! let now: jiff::Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
//! let until: jiff::Timestamp = "2026-12-31T00:00:00Z".parse().unwrap();
//! let r = Rebuild::new(
//!     "https://rebuild.example/a",
//!     vec![Source::commit("0123456789abcdef0123456789abcdef01234567")],
//!     Digest::sha256(b"app"),
//!     now,
//!     until,
//! )
//! .unwrap();
//! let back = Rebuild::parse(&serde_json::to_value(&r).unwrap()).unwrap();
//! assert_eq!(back.rebuilt_digest().unwrap(), Digest::sha256(b"app"));
//! assert!(back.window().unwrap().contains(now));
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vouch_digest::{Algorithm, Digest};

use crate::slsa::ResourceDescriptor;

/// `predicateType` of vouch's rebuild attestation.
pub const REBUILD_V1: &str = "https://vouch.dev/rebuild/v1";

/// Who rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rebuilder {
    pub id: String,
}

/// What was rebuilt: the digest of the rebuilder's own output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rebuilt {
    pub digest: BTreeMap<String, String>,
}

/// One source the rebuild started from: a git commit (`digest.gitCommit`) or a named source
/// archive (`name`, `digest.sha256`), as a SLSA resource descriptor.
pub type Source = ResourceDescriptor;

impl ResourceDescriptor {
    /// A git commit (40 or 64 hex digits, as written).
    pub fn commit(sha: &str) -> Self {
        ResourceDescriptor {
            uri: None,
            digest: BTreeMap::from([("gitCommit".to_owned(), sha.to_owned())]),
            name: None,
        }
    }

    /// A named source file by its digest.
    pub fn file(name: &str, digest: &Digest) -> Self {
        ResourceDescriptor {
            uri: None,
            digest: BTreeMap::from([(digest.algorithm().as_str().to_owned(), digest.hex())]),
            name: Some(name.to_owned()),
        }
    }
}

/// A rebuild predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rebuild {
    pub rebuilder: Rebuilder,
    /// The sources the build started from (at least one).
    pub source: Vec<Source>,
    pub rebuilt: Rebuilt,
    /// RFC 3339 time of the rebuild.
    pub time_rebuilt: String,
    /// RFC 3339: the claim holds from this time …
    pub valid_from: String,
    /// … until (exclusive) this time.
    pub valid_until: String,
}

/// A predicate that is not a valid rebuild attestation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RebuildError {
    #[error("rebuild predicate does not match {REBUILD_V1}: {detail}")]
    Json { detail: String },
    #[error("rebuild predicate is missing the required field `{field}`")]
    MissingField { field: &'static str },
    #[error("rebuild predicate `{field}` `{found}` is not an RFC 3339 time")]
    Time { field: &'static str, found: String },
    #[error(
        "rebuild predicate's validity window is empty: `validFrom` {from} is not before `validUntil` {until}"
    )]
    EmptyWindow {
        from: jiff::Timestamp,
        until: jiff::Timestamp,
    },
    #[error("rebuild predicate `rebuilt.digest` has no valid sha256 (found `{found}`)")]
    RebuiltDigest { found: String },
    #[error("rebuild predicate source {index} has no digest")]
    SourceDigest { index: usize },
}

/// When a rebuild claim holds: `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: jiff::Timestamp,
    pub until: jiff::Timestamp,
}

impl Window {
    pub fn contains(&self, at: jiff::Timestamp) -> bool {
        self.from <= at && at < self.until
    }
}

fn time(field: &'static str, s: &str) -> Result<jiff::Timestamp, RebuildError> {
    s.parse().map_err(|_| RebuildError::Time {
        field,
        found: s.to_owned(),
    })
}

impl Rebuild {
    /// A predicate: `rebuilder` built `rebuilt` from `source` at `at`; the claim is valid from
    /// `at` until `until`.
    pub fn new(
        rebuilder: impl Into<String>,
        source: Vec<Source>,
        rebuilt: Digest,
        at: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> Result<Self, RebuildError> {
        let r = Rebuild {
            rebuilder: Rebuilder {
                id: rebuilder.into(),
            },
            source,
            rebuilt: Rebuilt {
                digest: BTreeMap::from([(rebuilt.algorithm().as_str().to_owned(), rebuilt.hex())]),
            },
            time_rebuilt: at.to_string(),
            valid_from: at.to_string(),
            valid_until: until.to_string(),
        };
        r.validate()?;
        Ok(r)
    }

    /// Read and validate a predicate: every field present, times RFC 3339, a non-empty window,
    /// a sha256 rebuilt digest, each source with a digest.
    pub fn parse(value: &serde_json::Value) -> Result<Self, RebuildError> {
        let r: Rebuild = serde_json::from_value(value.clone()).map_err(|e| RebuildError::Json {
            detail: e.to_string(),
        })?;
        r.validate()?;
        Ok(r)
    }

    fn validate(&self) -> Result<(), RebuildError> {
        if self.rebuilder.id.trim().is_empty() {
            return Err(RebuildError::MissingField {
                field: "rebuilder.id",
            });
        }
        if self.source.is_empty() {
            return Err(RebuildError::MissingField { field: "source" });
        }
        if let Some(index) = self.source.iter().position(|s| s.digest.is_empty()) {
            return Err(RebuildError::SourceDigest { index });
        }
        self.rebuilt_digest()?;
        time("timeRebuilt", &self.time_rebuilt)?;
        self.window()?;
        Ok(())
    }

    /// The digest the rebuilder's build produced.
    pub fn rebuilt_digest(&self) -> Result<Digest, RebuildError> {
        let found = self
            .rebuilt
            .digest
            .get("sha256")
            .cloned()
            .unwrap_or_default();
        Digest::from_hex(Algorithm::Sha256, &found)
            .map_err(|_| RebuildError::RebuiltDigest { found })
    }

    /// The validity window.
    pub fn window(&self) -> Result<Window, RebuildError> {
        let from = time("validFrom", &self.valid_from)?;
        let until = time("validUntil", &self.valid_until)?;
        if from >= until {
            return Err(RebuildError::EmptyWindow { from, until });
        }
        Ok(Window { from, until })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> serde_json::Value {
        let r = Rebuild::new(
            "https://rebuild.example/a",
            vec![
                Source::commit("0123456789abcdef0123456789abcdef01234567"),
                Source::file("app-1.0.tar.gz", &Digest::sha256(b"src")),
            ],
            Digest::sha256(b"app"),
            "2026-12-01T00:00:00Z".parse().unwrap(),
            "2026-12-31T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
        serde_json::to_value(r).unwrap()
    }

    #[test]
    fn field_names_and_roundtrip() {
        let v = sample();
        assert_eq!(v["rebuilder"]["id"], "https://rebuild.example/a");
        assert_eq!(
            v["source"][0]["digest"]["gitCommit"],
            "0123456789abcdef0123456789abcdef01234567"
        );
        assert_eq!(v["source"][1]["name"], "app-1.0.tar.gz");
        assert_eq!(
            v["rebuilt"]["digest"]["sha256"],
            Digest::sha256(b"app").hex()
        );
        assert_eq!(v["validFrom"], "2026-12-01T00:00:00Z");
        assert_eq!(v["validUntil"], "2026-12-31T00:00:00Z");
        let r = Rebuild::parse(&v).unwrap();
        let w = r.window().unwrap();
        assert!(w.contains("2026-12-01T00:00:00Z".parse().unwrap()));
        assert!(!w.contains("2026-12-31T00:00:00Z".parse().unwrap()));
        assert!(!w.contains("2026-11-30T23:59:59Z".parse().unwrap()));
    }

    #[test]
    fn rejects_bad_predicates_with_the_field() {
        let mut v = sample();
        v["validUntil"] = "2026-11-01T00:00:00Z".into();
        assert_eq!(
            Rebuild::parse(&v).unwrap_err().to_string(),
            "rebuild predicate's validity window is empty: `validFrom` 2026-12-01T00:00:00Z is not before `validUntil` 2026-11-01T00:00:00Z"
        );
        let mut v = sample();
        v["validFrom"] = "soon".into();
        assert_eq!(
            Rebuild::parse(&v).unwrap_err(),
            RebuildError::Time {
                field: "validFrom",
                found: "soon".into()
            }
        );
        let mut v = sample();
        v["rebuilt"]["digest"] = serde_json::json!({"sha256": "abc"});
        assert_eq!(
            Rebuild::parse(&v).unwrap_err(),
            RebuildError::RebuiltDigest {
                found: "abc".into()
            }
        );
        let mut v = sample();
        v["source"] = serde_json::json!([]);
        assert_eq!(
            Rebuild::parse(&v).unwrap_err(),
            RebuildError::MissingField { field: "source" }
        );
        let mut v = sample();
        v.as_object_mut().unwrap().remove("validUntil");
        assert!(matches!(
            Rebuild::parse(&v).unwrap_err(),
            RebuildError::Json { .. }
        ));
    }
}
