//! in-toto Statement v1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of the older Statement v0.1, still accepted when reading.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";

/// An in-toto Statement: subjects plus a typed predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub predicate: serde_json::Value,
}

/// One subject: a name and a digest set (algorithm -> lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    /// A subject identified by its SHA-256 (hex).
    pub fn sha256(name: impl Into<String>, hex: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            digest: BTreeMap::from([("sha256".to_owned(), hex.into())]),
        }
    }
}

/// Why a statement could not be parsed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("in-toto statement is not valid json")]
    Json(#[source] serde_json::Error),
    #[error("in-toto statement has _type `{found}`, expected `{STATEMENT_V1}`")]
    UnknownType { found: String },
    #[error("in-toto statement has no subjects")]
    NoSubjects,
    #[error("in-toto statement subject {index} has no digest")]
    SubjectWithoutDigest { index: usize },
    #[error("in-toto statement has an empty predicateType")]
    MissingPredicateType,
    #[error("in-toto statement has no predicate")]
    MissingPredicate,
}

impl Statement {
    /// A Statement v1.
    pub fn new(
        subject: Vec<Subject>,
        predicate_type: impl Into<String>,
        predicate: serde_json::Value,
    ) -> Self {
        Self {
            type_: STATEMENT_V1.to_owned(),
            subject,
            predicate_type: predicate_type.into(),
            predicate,
        }
    }

    /// Parse and check `_type` and that there is at least one subject.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let st: Statement = serde_json::from_slice(bytes).map_err(ParseError::Json)?;
        if st.type_ != STATEMENT_V1 && st.type_ != STATEMENT_V01 {
            return Err(ParseError::UnknownType { found: st.type_ });
        }
        if st.subject.is_empty() {
            return Err(ParseError::NoSubjects);
        }
        if let Some(index) = st.subject.iter().position(|s| s.digest.is_empty()) {
            return Err(ParseError::SubjectWithoutDigest { index });
        }
        if st.predicate_type.is_empty() {
            return Err(ParseError::MissingPredicateType);
        }
        if st.predicate.is_null() {
            return Err(ParseError::MissingPredicate);
        }
        Ok(st)
    }

    /// Whether some subject has this SHA-256 (hex, case-insensitive).
    pub fn has_sha256_subject(&self, hex: &str) -> bool {
        self.has_subject_digest("sha256", hex)
    }

    /// Whether some subject has digest `algorithm` (e.g. `sha512`) equal to `hex`.
    pub fn has_subject_digest(&self, algorithm: &str, hex: &str) -> bool {
        self.subject.iter().any(|s| {
            s.digest
                .get(algorithm)
                .is_some_and(|d| d.eq_ignore_ascii_case(hex))
        })
    }
}
