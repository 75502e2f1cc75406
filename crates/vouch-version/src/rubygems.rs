//! RubyGems versions, compared as `Gem::Version#<=>` (rubygems `lib/rubygems/version.rb`).
//!
//! The version must match `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`
//! (surrounding whitespace is stripped; `-` means `.pre.`). It splits into numeric and letter
//! segments (`1.0.b1` → `1, 0, "b", 1`); trailing zeros of the numeric part and of the part after
//! the first letter segment are dropped (canonical segments). Segments compare pairwise, a missing
//! segment counting as `0`: numbers numerically, strings bytewise, and any string below any
//! number, so a version with a letter segment is a pre-release (`1.0.a` < `1.0`).

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros (`""` is zero).
    Num(String),
    Str(String),
}

fn cmp_num(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Num(n) if n.is_empty())
    }

    fn cmp(&self, other: &Segment) -> Ordering {
        match (self, other) {
            (Segment::Num(a), Segment::Num(b)) => cmp_num(a, b),
            (Segment::Str(a), Segment::Str(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
            (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
        }
    }
}

/// A RubyGems version.
#[derive(Debug, Clone)]
pub struct GemVersion {
    canonical: Vec<Segment>,
}

impl GemVersion {
    /// Parses a gem version.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let err =
            |at: usize, why: &'static str| VersionError::invalid(Scheme::RubyGems, s, at, why);
        let lead = s.len() - s.trim_start().len();
        let t = s.trim();
        if t.is_empty() {
            return Err(err(0, "version is blank"));
        }
        check_pattern(t).map_err(|(at, why)| err(lead + at, why))?;
        let t = t.replace('-', ".pre.");
        // Scan `[0-9]+|[a-z]+` runs (case-insensitive); everything else separates.
        let mut segments = Vec::new();
        let bytes = t.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            let Some(&b) = bytes.get(i) else { break };
            if b.is_ascii_digit() {
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                let digits = t.get(start..i).unwrap_or("").trim_start_matches('0');
                segments.push(Segment::Num(digits.to_owned()));
            } else if b.is_ascii_alphabetic() {
                while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                segments.push(Segment::Str(t.get(start..i).unwrap_or("").to_owned()));
            } else {
                i += 1;
            }
        }
        // canonical_segments: drop trailing zeros of the numeric part and of the string part.
        let split = segments
            .iter()
            .position(|s| matches!(s, Segment::Str(_)))
            .unwrap_or(segments.len());
        let (numeric, string) = segments.split_at(split);
        let mut canonical = Vec::with_capacity(segments.len());
        for part in [numeric, string] {
            let keep = part.iter().rposition(|s| !s.is_zero()).map_or(0, |k| k + 1);
            canonical.extend(part.iter().take(keep).cloned());
        }
        Ok(GemVersion { canonical })
    }

    /// Whether the version has a letter segment (`Gem::Version#prerelease?`).
    pub fn is_prerelease(&self) -> bool {
        self.canonical.iter().any(|s| matches!(s, Segment::Str(_)))
    }
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN`, by hand.
fn check_pattern(t: &str) -> Result<(), (usize, &'static str)> {
    let b = t.as_bytes();
    let mut i = 0;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == 0 {
        return Err((0, "version must start with a digit"));
    }
    // (\.[0-9a-zA-Z]+)*
    while b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
            i += 1;
        }
        if i == start {
            return Err((i, "empty segment after `.`"));
        }
    }
    // (-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
    if b.get(i) == Some(&b'-') {
        loop {
            let start = i + 1;
            i = start;
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
            {
                i += 1;
            }
            if i == start {
                return Err((i, "empty segment in pre-release part"));
            }
            if b.get(i) != Some(&b'.') {
                break;
            }
        }
    }
    if i != b.len() {
        return Err((i, "unexpected character in version"));
    }
    Ok(())
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Num(String::new());
        let n = self.canonical.len().max(other.canonical.len());
        for k in 0..n {
            let l = self.canonical.get(k).unwrap_or(&zero);
            let r = other.canonical.get(k).unwrap_or(&zero);
            match l.cmp(r) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}
