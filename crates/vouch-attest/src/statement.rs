//! in-toto Statement v1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vouch_digest::{Algorithm, Digest};

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

/// One subject: a name and a digest set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub digest: DigestSet,
}

impl Subject {
    /// A subject identified by one digest.
    pub fn new(name: impl Into<String>, digest: Digest) -> Self {
        Self {
            name: name.into(),
            digest: DigestSet::from(digest),
        }
    }
}

/// An in-toto digest set. On the wire it is a JSON object, algorithm name -> hex, as the
/// in-toto specification has it; in memory the entries for sha256, sha384 and sha512 with
/// full-length hex are [`Digest`]s (hex normalised to lower case), and every other entry
/// (`gitCommit`, `sha1`, a malformed value) is kept as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestSet {
    typed: BTreeMap<Algorithm, Digest>,
    other: BTreeMap<String, String>,
}

impl DigestSet {
    /// Adds an entry as read from a statement: typed when the algorithm is one vouch knows and
    /// the value is well-formed, kept as written otherwise.
    pub fn insert_written(&mut self, algorithm: impl Into<String>, value: impl Into<String>) {
        let (algorithm, value) = (algorithm.into(), value.into());
        let known = match algorithm.as_str() {
            "sha256" => Some(Algorithm::Sha256),
            "sha384" => Some(Algorithm::Sha384),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        };
        match known.and_then(|a| Digest::from_hex(a, &value).ok()) {
            Some(d) => {
                self.other.remove(&algorithm);
                self.typed.insert(d.algorithm(), d);
            }
            None => {
                if let Some(a) = known {
                    self.typed.remove(&a);
                }
                self.other.insert(algorithm, value);
            }
        }
    }

    /// Adds (or replaces) the digest for its algorithm.
    pub fn insert(&mut self, digest: Digest) {
        self.other.remove(digest.algorithm().as_str());
        self.typed.insert(digest.algorithm(), digest);
    }

    /// The well-formed digest for `algorithm`, if any.
    pub fn get(&self, algorithm: Algorithm) -> Option<&Digest> {
        self.typed.get(&algorithm)
    }

    /// Whether the set holds exactly this digest.
    pub fn contains(&self, digest: &Digest) -> bool {
        self.typed.get(&digest.algorithm()) == Some(digest)
    }

    /// The well-formed digests.
    pub fn digests(&self) -> impl Iterator<Item = &Digest> {
        self.typed.values()
    }

    /// The entries vouch does not type (other algorithms, malformed values), as written.
    pub fn other(&self) -> &BTreeMap<String, String> {
        &self.other
    }

    pub fn is_empty(&self) -> bool {
        self.typed.is_empty() && self.other.is_empty()
    }

    /// The wire form: algorithm name -> hex.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        let mut map = self.other.clone();
        for d in self.typed.values() {
            map.insert(d.algorithm().as_str().to_owned(), d.hex());
        }
        map
    }
}

impl From<Digest> for DigestSet {
    fn from(digest: Digest) -> Self {
        let mut set = DigestSet::default();
        set.insert(digest);
        set
    }
}

impl Serialize for DigestSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DigestSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, String>::deserialize(deserializer)?;
        let mut set = DigestSet::default();
        for (algorithm, value) in map {
            set.insert_written(algorithm, value);
        }
        Ok(set)
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

    /// Whether some subject has this digest (hex compared case-insensitively on the wire).
    pub fn has_subject(&self, digest: &Digest) -> bool {
        self.subject.iter().any(|s| s.digest.contains(digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_set_keeps_the_wire_shape() {
        let sha = Digest::sha256(b"x");
        let json = format!(
            r#"{{"sha256":"{}","gitCommit":"abc","sha512":"00"}}"#,
            sha.hex().to_uppercase()
        );
        let set: DigestSet = serde_json::from_str(&json).unwrap();
        assert_eq!(set.get(Algorithm::Sha256), Some(&sha));
        assert!(set.contains(&sha));
        assert_eq!(set.get(Algorithm::Sha512), None);
        assert_eq!(
            set.other().get("gitCommit").map(String::as_str),
            Some("abc")
        );
        assert_eq!(set.other().get("sha512").map(String::as_str), Some("00"));
        assert_eq!(
            serde_json::to_value(&set).unwrap(),
            serde_json::json!({"gitCommit": "abc", "sha256": sha.hex(), "sha512": "00"})
        );
        assert!(!DigestSet::default().contains(&sha));
        assert!(DigestSet::default().is_empty());
    }

    #[test]
    fn has_subject_matches_typed_digests_only() {
        let sha = Digest::sha256(b"x");
        let mut malformed = DigestSet::default();
        malformed.insert_written("sha256", "zz");
        let st = Statement::new(
            vec![
                Subject {
                    name: "a".into(),
                    digest: malformed,
                },
                Subject::new("b", sha.clone()),
            ],
            "t",
            serde_json::json!({}),
        );
        assert!(st.has_subject(&sha));
        assert!(!st.has_subject(&Digest::sha256(b"y")));
        let back = Statement::parse(&serde_json::to_vec(&st).unwrap()).unwrap();
        assert_eq!(back, st);
        assert_eq!(back.subject[0].digest.other()["sha256"], "zz");
    }
}
