//! Checking a (verified) statement against expectations: predicate type, source repository,
//! source commit, builder id. Reads SLSA Provenance v1 and v0.2 predicates.

use crate::Statement;
use crate::slsa::Provenance;

/// What the caller requires of a statement. `None` means "no requirement".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    pub predicate_type: Option<String>,
    pub source_uri: Option<String>,
    pub commit: Option<String>,
    pub builder_id: Option<String>,
}

/// A statement that does not meet an expectation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExpectationError {
    #[error("predicate type is `{found}`, expected `{expected}`")]
    PredicateType { expected: String, found: String },
    #[error("source repository is {}, expected {expected}", found.as_deref().unwrap_or("absent"))]
    SourceUri {
        expected: String,
        found: Option<String>,
    },
    #[error("source commit is {}, expected {expected}", found.as_deref().unwrap_or("absent"))]
    Commit {
        expected: String,
        found: Option<String>,
    },
    #[error("builder id is {}, expected {expected}", found.as_deref().unwrap_or("absent"))]
    BuilderId {
        expected: String,
        found: Option<String>,
    },
}

impl ExpectationError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ExpectationError::PredicateType { .. } => "predicate-type-mismatch",
            ExpectationError::SourceUri { .. } => "source-mismatch",
            ExpectationError::Commit { .. } => "commit-mismatch",
            ExpectationError::BuilderId { .. } => "builder-mismatch",
        }
    }
}

/// `https://github.com/a/b.git`, `git+https://github.com/a/b@refs/x` and `github.com/a/b` all
/// normalise to `github.com/a/b`.
pub fn normalize_repo(uri: &str) -> String {
    let u = uri.trim();
    let u = u.strip_prefix("git+").unwrap_or(u);
    let u = u.split_once("://").map_or(u, |(_, rest)| rest);
    let u = u.split('@').next().unwrap_or(u);
    let u = u.trim_end_matches('/');
    let u = u.strip_suffix(".git").unwrap_or(u);
    u.to_ascii_lowercase()
}

/// Source repository named by a provenance predicate (v1 or v0.2).
pub fn source_uri(st: &Statement) -> Option<String> {
    if let Ok(p) = Provenance::from_value(&st.predicate)
        && let Some(u) = p.source_uri()
    {
        return Some(u);
    }
    st.predicate
        .pointer("/invocation/configSource/uri")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Source commit named by a provenance predicate (v1 or v0.2).
pub fn source_commit(st: &Statement) -> Option<String> {
    if let Ok(p) = Provenance::from_value(&st.predicate)
        && let Some(c) = p.source_commit()
    {
        return Some(c.to_owned());
    }
    let digest = st.predicate.pointer("/invocation/configSource/digest")?;
    ["sha1", "gitCommit", "sha256"]
        .iter()
        .find_map(|k| digest.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
}

/// Builder id named by a provenance predicate (v1 or v0.2).
pub fn builder_id(st: &Statement) -> Option<String> {
    st.predicate
        .pointer("/runDetails/builder/id")
        .or_else(|| st.predicate.pointer("/builder/id"))
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Check every expectation; the first unmet one is returned.
pub fn check(st: &Statement, e: &Expectations) -> Result<(), ExpectationError> {
    if let Some(want) = &e.predicate_type
        && &st.predicate_type != want
    {
        return Err(ExpectationError::PredicateType {
            expected: want.clone(),
            found: st.predicate_type.clone(),
        });
    }
    if let Some(want) = &e.source_uri {
        let found = source_uri(st);
        if found.as_deref().map(normalize_repo) != Some(normalize_repo(want)) {
            return Err(ExpectationError::SourceUri {
                expected: want.clone(),
                found,
            });
        }
    }
    if let Some(want) = &e.commit {
        let found = source_commit(st);
        if !found
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case(want))
        {
            return Err(ExpectationError::Commit {
                expected: want.clone(),
                found,
            });
        }
    }
    if let Some(want) = &e.builder_id {
        let found = builder_id(st);
        // A builder id may carry a ref (`...release.yml@refs/tags/v1`); the expectation may omit it.
        let ok = found
            .as_deref()
            .is_some_and(|f| f == want || f.split('@').next() == Some(want.as_str()));
        if !ok {
            return Err(ExpectationError::BuilderId {
                expected: want.clone(),
                found,
            });
        }
    }
    Ok(())
}
