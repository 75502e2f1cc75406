//! Go module versions (<https://go.dev/ref/mod#versions>, `golang.org/x/mod/semver`).
//!
//! A Go version is SemVer 2.0 with a `v` prefix (accepted without it too: OSV advisories for Go
//! write `1.2.3`). `vMAJOR` and `vMAJOR.MINOR` are
//! shorthands for `vMAJOR.0.0` and `vMAJOR.MINOR.0` (as `semver.Compare` treats them).
//! Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.2019…-abc`,
//! `v1.2.3-pre.0.2019…-abc`) are SemVer pre-releases, so they order by SemVer precedence: below
//! the release they precede, by timestamp among themselves. `+incompatible` is build metadata and
//! ignored for ordering.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// A Go module version.
#[derive(Debug, Clone)]
pub struct GoVersion(::semver::Version);

impl GoVersion {
    /// Parses `vMAJOR[.MINOR[.PATCH[-PRE][+BUILD]]]`; the `v` may be left out, as OSV
    /// advisories for Go do.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        // Module versions carry the `v`; OSV `ECOSYSTEM` events for Go leave it out.
        let body = s.strip_prefix('v').unwrap_or(s);
        // Shorthands: `v1` and `v1.2` (no pre-release or build allowed, as in x/mod/semver).
        let dots = body.bytes().filter(|b| *b == b'.').count();
        let plain = !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let full;
        let body = if plain && dots < 2 {
            full = if dots == 0 {
                format!("{body}.0.0")
            } else {
                format!("{body}.0")
            };
            full.as_str()
        } else {
            body
        };
        let offset = usize::from(s.starts_with('v'));
        crate::semver::parse_semver(Scheme::Go, s, body, offset).map(GoVersion)
    }

    /// Whether this is a pseudo-version (`…-yyyymmddhhmmss-abcdefabcdef`).
    pub fn is_pseudo(&self) -> bool {
        let pre = self.0.pre.as_str();
        let mut parts = pre.rsplitn(3, ['-', '.']);
        let rev = parts.next().unwrap_or("");
        let time = parts.next().unwrap_or("");
        rev.len() == 12
            && rev.bytes().all(|b| b.is_ascii_hexdigit())
            && time.len() == 14
            && time.bytes().all(|b| b.is_ascii_digit())
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GoVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GoVersion {}
