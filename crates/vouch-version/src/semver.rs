//! Semantic Versioning 2.0.0 (crates.io, npm, OSV `SEMVER` ranges).
//!
//! Precedence per <https://semver.org/#spec-item-11>: numeric major, minor, patch; a pre-release
//! sorts before its release; pre-release identifiers compare numerically when numeric, else by
//! ASCII, numeric below alphanumeric, a longer list above its prefix. Build metadata is ignored
//! (`1.0.0+a` == `1.0.0+b`). A single leading `v` is accepted (npm's loose form).

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// A Semantic Versioning 2.0.0 version.
#[derive(Debug, Clone)]
pub struct SemVer(::semver::Version);

impl SemVer {
    /// Parses `MAJOR.MINOR.PATCH[-PRE][+BUILD]`, with an optional leading `v`.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let body = s.strip_prefix('v').unwrap_or(s);
        parse_semver(Scheme::SemVer, s, body, s.len() - body.len()).map(SemVer)
    }

    /// The underlying `semver` crate value.
    pub fn inner(&self) -> &::semver::Version {
        &self.0
    }
}

/// Parses `body`, which starts at byte `offset` of `input` (for the error's column).
pub(crate) fn parse_semver(
    scheme: Scheme,
    input: &str,
    body: &str,
    offset: usize,
) -> Result<::semver::Version, VersionError> {
    ::semver::Version::parse(body)
        .map_err(|e| VersionError::invalid(scheme, input, offset, e.to_string()))
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemVer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemVer {}
