//! Debian package versions, compared as dpkg compares them
//! (<https://www.debian.org/doc/debian-policy/ch-controlfields.html#version>, dpkg's
//! `lib/dpkg/version.c` `verrevcmp`).
//!
//! `[epoch:]upstream_version[-debian_revision]`: epochs compare numerically; upstream and
//! revision compare by alternating non-digit and digit runs. Non-digit runs compare character by
//! character where `~` sorts before everything (even the end of the string), letters before
//! non-letters; digit runs compare numerically. A missing revision equals `0`.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// A Debian package version.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    epoch: u64,
    upstream: String,
    revision: String,
}

impl DpkgVersion {
    /// Parses `[epoch:]upstream[-revision]` with dpkg's syntax checks.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let err = |at: usize, why: &'static str| VersionError::invalid(Scheme::Dpkg, s, at, why);
        let (epoch, rest, rest_at) = match s.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() {
                    return Err(err(0, "epoch in version is empty"));
                }
                if let Some(i) = e.find(|c: char| !c.is_ascii_digit()) {
                    return Err(err(i, "epoch in version is not a number"));
                }
                let epoch = e
                    .parse::<u64>()
                    .map_err(|_| err(0, "epoch in version is too big"))?;
                (epoch, rest, e.len() + 1)
            }
            None => (0, s, 0),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => {
                if r.is_empty() {
                    return Err(err(s.len(), "revision number is empty"));
                }
                (u, r)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(err(rest_at, "version number is empty"));
        }
        if !upstream.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return Err(err(rest_at, "version number does not start with digit"));
        }
        if let Some(i) = upstream.find(|c: char| {
            !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '~' | ':'))
        }) {
            return Err(err(rest_at + i, "invalid character in version number"));
        }
        if let Some(i) =
            revision.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~')))
        {
            return Err(err(
                rest_at + upstream.len() + 1 + i,
                "invalid character in revision number",
            ));
        }
        Ok(DpkgVersion {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
        })
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision (empty when absent).
    pub fn revision(&self) -> &str {
        &self.revision
    }
}

/// dpkg's `order()`: digits (and the end) 0, letters their code, `~` -1, others code + 256.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0usize, 0usize);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return Ordering::Greater;
        }
        if digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}
