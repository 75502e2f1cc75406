//! RPM versions, compared as rpm compares them (`rpmio/rpmvercmp.c`, `rpmVersionCompare`).
//!
//! `[epoch:]version[-release]`: epochs compare numerically (missing = 0), then version, then
//! release with `rpmvercmp`: both strings are cut into runs of digits or of ASCII letters, other
//! characters only separate. Digit runs compare numerically, letter runs bytewise, and a digit
//! run beats a letter run. `~` sorts before everything, even the end of the string (`1.0~rc1` <
//! `1.0`); `^` sorts after the end but before anything else (`1.0` < `1.0^git1` < `1.0.1`). A
//! missing release sorts before any release.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// An RPM `[epoch:]version[-release]`.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    epoch: u64,
    version: String,
    release: Option<String>,
}

impl RpmVersion {
    /// Parses `[epoch:]version[-release]`.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let err = |at: usize, why: &'static str| VersionError::invalid(Scheme::Rpm, s, at, why);
        if let Some(i) = s.find(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(err(i, "whitespace or control character in version"));
        }
        let (epoch, rest, at) = match s.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(0, "epoch is not a number"));
                }
                let epoch = e.parse::<u64>().map_err(|_| err(0, "epoch is too big"))?;
                (epoch, rest, e.len() + 1)
            }
            None => (0, s, 0),
        };
        if let Some(i) = rest.find(':') {
            return Err(err(at + i, "more than one `:` in version"));
        }
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => {
                if r.is_empty() {
                    return Err(err(s.len(), "release is empty"));
                }
                (v, Some(r.to_owned()))
            }
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(err(at, "version is empty"));
        }
        if let Some(i) = version.find('-') {
            return Err(err(at + i, "more than one `-` in version"));
        }
        Ok(RpmVersion {
            epoch,
            version: version.to_owned(),
            release,
        })
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The version part.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The release part, if given.
    pub fn release(&self) -> Option<&str> {
        self.release.as_deref()
    }
}

fn is_sep(c: Option<u8>) -> bool {
    matches!(c, Some(c) if !c.is_ascii_alphanumeric() && c != b'~' && c != b'^')
}

/// rpm's `rpmvercmp`.
pub(crate) fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        while is_sep(a.get(i).copied()) {
            i += 1;
        }
        while is_sep(b.get(j).copied()) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else { break };
        let isnum = ca.is_ascii_digit();
        let run = |s: &[u8], mut k: usize| {
            while s.get(k).is_some_and(|c| {
                if isnum {
                    c.is_ascii_digit()
                } else {
                    c.is_ascii_alphabetic()
                }
            }) {
                k += 1;
            }
            k
        };
        let (ei, ej) = (run(a, i), run(b, j));
        if ej == j {
            // Different kinds of segment: a number beats letters.
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut sa, mut sb) = (a.get(i..ei).unwrap_or(&[]), b.get(j..ej).unwrap_or(&[]));
        if isnum {
            while let [b'0', rest @ ..] = sa {
                sa = rest;
            }
            while let [b'0', rest @ ..] = sb {
                sb = rest;
            }
            match sa.len().cmp(&sb.len()) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match sa.cmp(sb) {
            Ordering::Equal => {}
            o => return o,
        }
        i = ei;
        j = ej;
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(self.version.as_bytes(), other.version.as_bytes()))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a.as_bytes(), b.as_bytes()),
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
            })
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}
