//! NuGet package versions (`NuGet.Versioning.NuGetVersion` with `VersionComparer.Default`,
//! <https://learn.microsoft.com/en-us/nuget/concepts/package-versioning>).
//!
//! `Major[.Minor[.Patch[.Revision]]][-Release][+Metadata]`: missing numbers are 0 (`1.0` ==
//! `1.0.0.0`), leading zeros are allowed; a release label makes a pre-release, compared per
//! SemVer 2 (dot-separated; numeric identifiers numerically and below alphanumeric ones) but
//! case-insensitively (`1.0.0-BETA` == `1.0.0-beta`). Metadata is ignored.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// A NuGet version.
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    numbers: [u32; 4],
    release: Vec<String>,
}

impl NuGetVersion {
    /// Parses a NuGet version.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let err = |at: usize, why: &'static str| VersionError::invalid(Scheme::NuGet, s, at, why);
        let (rest, metadata) = match s.split_once('+') {
            Some((r, m)) => (r, Some(m)),
            None => (s, None),
        };
        if let Some(m) = metadata {
            let at = rest.len() + 1;
            if m.is_empty() {
                return Err(err(at, "empty build metadata"));
            }
            check_identifiers(m).map_err(|i| err(at + i, "invalid build metadata identifier"))?;
        }
        let (core, release) = match rest.split_once('-') {
            Some((c, r)) => (c, Some(r)),
            None => (rest, None),
        };
        let mut numbers = [0u32; 4];
        let mut at = 0;
        for (count, part) in core.split('.').enumerate() {
            let Some(slot) = numbers.get_mut(count) else {
                return Err(err(at, "more than four version numbers"));
            };
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(at, "version number is not a non-negative integer"));
            }
            *slot = part
                .parse::<u32>()
                .ok()
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or_else(|| err(at, "version number is larger than 2147483647"))?;
            at += part.len() + 1;
        }
        let mut labels = Vec::new();
        if let Some(r) = release {
            let at = core.len() + 1;
            if r.is_empty() {
                return Err(err(at, "empty pre-release label"));
            }
            check_identifiers(r).map_err(|i| err(at + i, "invalid pre-release identifier"))?;
            labels = r.split('.').map(str::to_ascii_lowercase).collect();
        }
        Ok(NuGetVersion {
            numbers,
            release: labels,
        })
    }

    /// Whether the version has a release label.
    pub fn is_prerelease(&self) -> bool {
        !self.release.is_empty()
    }
}

/// Checks dot-separated `[0-9A-Za-z-]+` identifiers; on error, the byte offset.
fn check_identifiers(s: &str) -> Result<(), usize> {
    let mut at = 0;
    for id in s.split('.') {
        if id.is_empty() {
            return Err(at);
        }
        if let Some(i) = id.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            return Err(at + i);
        }
        at += id.len() + 1;
    }
    Ok(())
}

fn cmp_label(a: &str, b: &str) -> Ordering {
    let num = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match (num(a), num(b)) {
        (true, true) => {
            let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.release.is_empty(), other.release.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.release.iter().zip(&other.release) {
                        match cmp_label(a, b) {
                            Ordering::Equal => {}
                            o => return o,
                        }
                    }
                    self.release.len().cmp(&other.release.len())
                }
            }
        })
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}
