//! PEP 440 versions (PyPI), ordered by the `pep440_rs` crate
//! (<https://packaging.python.org/en/latest/specifications/version-scheme/>).
//!
//! Epoch first; then the release numbers (trailing zeros insignificant); `.devN` of a release
//! sorts before its pre-releases (`aN` < `bN` < `rcN`), which sort before the release, which sorts
//! before its `.postN`; a local version label (`+ubuntu1`) sorts after the same public version.
//! Normalisation applies (`1.0-alpha1` == `1.0a1`, `v1.0` == `1.0`).

use std::cmp::Ordering;
use std::str::FromStr;

use crate::{Scheme, VersionError};

/// A PEP 440 version.
#[derive(Debug, Clone)]
pub struct Pep440Version(pep440_rs::Version);

impl Pep440Version {
    /// Parses a PEP 440 version (normalised forms accepted).
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        pep440_rs::Version::from_str(s)
            .map(Pep440Version)
            .map_err(|e| VersionError::invalid(Scheme::Pep440, s, 0, e.to_string()))
    }

    /// The underlying `pep440_rs` value.
    pub fn inner(&self) -> &pep440_rs::Version {
        &self.0
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}
