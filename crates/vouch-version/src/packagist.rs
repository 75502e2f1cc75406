//! Composer (Packagist) versions: Composer's `VersionParser::normalize`, then PHP's
//! `version_compare` on the normalised form, as Composer's constraint matching does.
//!
//! Normalisation: a leading `v` is dropped; one to four numbers are padded to four (`1.2` ==
//! `1.2.0.0`); a stability suffix follows, optionally after `.`, `-` or `_`: `alpha`/`a`,
//! `beta`/`b`, `RC`, `stable` (the same as none), `patch`/`pl`/`p`, optionally with a number,
//! and optionally a final `-dev`. Ordering (PHP `version_compare` special forms):
//! `dev` < `alpha` < `beta` < `RC` < release < `patch`; a trailing `-dev` sorts before the
//! version without it. Branch names (`dev-main`, `1.x-dev`) have no order and are rejected.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// One part of PHP's canonical version string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Digits without leading zeros.
    Num(String),
    /// A special form, by its rank: dev 0, alpha 1, beta 2, RC 3, patch 5.
    Form(u8),
}

const RELEASE_RANK: u8 = 4;

/// A Composer version.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    parts: Vec<Part>,
}

fn stability(word: &str) -> Option<u8> {
    match word {
        "alpha" | "a" => Some(1),
        "beta" | "b" => Some(2),
        "rc" => Some(3),
        "stable" => Some(RELEASE_RANK),
        "patch" | "pl" | "p" => Some(5),
        _ => None,
    }
}

fn num(digits: &str) -> Part {
    Part::Num(digits.trim_start_matches('0').to_owned())
}

impl ComposerVersion {
    /// Parses and normalises a Composer version.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let err =
            |at: usize, why: &'static str| VersionError::invalid(Scheme::Packagist, s, at, why);
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("dev-") || lower.ends_with(".x-dev") || lower.contains(".*") {
            return Err(err(0, "branch versions have no order"));
        }
        let body = lower.strip_prefix('v').unwrap_or(&lower);
        let offset = lower.len() - body.len();
        let b = body.as_bytes();
        let mut i = 0;
        let mut parts = Vec::new();
        // Up to four numbers separated by dots.
        loop {
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return Err(err(offset + i, "expected a number"));
            }
            if parts.len() == 4 {
                return Err(err(offset + start, "more than four version numbers"));
            }
            parts.push(num(body.get(start..i).unwrap_or("")));
            if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
            } else {
                break;
            }
        }
        while parts.len() < 4 {
            parts.push(Part::Num(String::new()));
        }
        // Optional [._-]? stability [[.-]?number]* and optional [.-]?dev.
        let rest = body.get(i..).unwrap_or("");
        let mut r = rest.as_bytes();
        let mut at = offset + i;
        let skip_sep = |r: &mut &[u8], at: &mut usize, seps: &[u8]| {
            if let [c, tail @ ..] = *r
                && seps.contains(c)
            {
                *r = tail;
                *at += 1;
            }
        };
        let word_len = |r: &[u8]| r.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let mut probe = r;
        let mut probe_at = at;
        skip_sep(&mut probe, &mut probe_at, b"._-");
        let n = word_len(probe);
        let word = std::str::from_utf8(probe.get(..n).unwrap_or(&[])).unwrap_or("");
        if let Some(rank) = stability(word) {
            r = probe.get(n..).unwrap_or(&[]);
            at = probe_at + n;
            if rank != RELEASE_RANK {
                parts.push(Part::Form(rank));
            }
            loop {
                let mut p = r;
                let mut pa = at;
                skip_sep(&mut p, &mut pa, b".-");
                let d = p.iter().take_while(|c| c.is_ascii_digit()).count();
                if d == 0 {
                    break;
                }
                parts.push(num(
                    std::str::from_utf8(p.get(..d).unwrap_or(&[])).unwrap_or("")
                ));
                r = p.get(d..).unwrap_or(&[]);
                at = pa + d;
            }
        }
        if !r.is_empty() {
            let mut p = r;
            let mut pa = at;
            skip_sep(&mut p, &mut pa, b".-");
            if p == b"dev" {
                parts.push(Part::Form(0));
                r = &[];
            }
        }
        if !r.is_empty() {
            return Err(err(at, "unexpected text after the version number"));
        }
        Ok(ComposerVersion { parts })
    }
}

fn rank(p: &Part) -> u8 {
    match p {
        Part::Num(_) => RELEASE_RANK,
        Part::Form(r) => *r,
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        for k in 0..n {
            let o = match (self.parts.get(k), other.parts.get(k)) {
                (Some(Part::Num(a)), Some(Part::Num(b))) => {
                    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
                }
                (Some(a), Some(b)) => rank(a).cmp(&rank(b)),
                // One side is exhausted: PHP compares the rest with `#N#` (a release).
                (Some(Part::Num(_)), None) => Ordering::Greater,
                (None, Some(Part::Num(_))) => Ordering::Less,
                (Some(a), None) => rank(a).cmp(&RELEASE_RANK),
                (None, Some(b)) => RELEASE_RANK.cmp(&rank(b)),
                (None, None) => Ordering::Equal,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ComposerVersion {}
