//! OSV `affected[].ranges` and `affected[].versions` evaluation.
//!
//! Follows the OSV schema's evaluation rules
//! (<https://ossf.github.io/osv-schema/#evaluation>):
//!
//! - within one `SEMVER` or `ECOSYSTEM` range, events are sorted by version (`introduced: "0"`
//!   first; at one version, `fixed` and `last_affected` before `introduced`, so adjacent
//!   intervals listed in any order leave their shared version affected) and walked in order: `introduced` opens an affected interval (inclusive), `fixed`
//!   closes it (exclusive: the fixed version is not affected), `last_affected` closes it after that
//!   version (inclusive). A version at or above a `limit` of the range is outside the range;
//! - ranges are OR'ed, and a version listed in `versions` is affected whatever the ranges say;
//! - `versions` entries match by string equality (PyPI: by PEP 440 equality, so `1.0` matches
//!   `1.0.0`);
//! - `SEMVER` ranges are compared as Semantic Versioning 2.0 (a leading `v` is ignored, as Go
//!   advisories use un-prefixed SemVer), `ECOSYSTEM` ranges with the package's [`Scheme`];
//! - `GIT` ranges name commits, which a version string cannot be placed against. They are ignored
//!   when the affected entry also has `SEMVER`/`ECOSYSTEM` ranges; when only `GIT` ranges exist,
//!   the answer is [`Verdict::Affected`] if `versions` lists the version, else
//!   [`Verdict::Unknown`].
//!
//! Anything that cannot be decided (the version or an event does not parse, a range has no
//! events) gives [`Verdict::Unknown`] with the reason, unless another range or the `versions`
//! list already proves the version affected.

use std::cmp::Ordering;

use crate::{Scheme, Version, VersionError};

/// An OSV range `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeType {
    /// `SEMVER`: Semantic Versioning 2.0 ordering whatever the ecosystem.
    SemVer,
    /// `ECOSYSTEM`: the ecosystem's own ordering.
    Ecosystem,
    /// `GIT`: commit hashes.
    Git,
}

impl RangeType {
    /// The range type for an OSV `type` string (`SEMVER`, `ECOSYSTEM`, `GIT`).
    pub fn from_osv(s: &str) -> Option<RangeType> {
        match s {
            "SEMVER" => Some(RangeType::SemVer),
            "ECOSYSTEM" => Some(RangeType::Ecosystem),
            "GIT" => Some(RangeType::Git),
            _ => None,
        }
    }
}

/// One OSV range event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Event {
    /// `introduced`: this version and later are affected (`"0"`: every version).
    Introduced(String),
    /// `fixed`: this version and later are not affected.
    Fixed(String),
    /// `last_affected`: versions after this one are not affected.
    LastAffected(String),
    /// `limit`: versions at or above this one are outside the range.
    Limit(String),
}

impl Event {
    /// The version (or commit) the event names.
    pub fn value(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Event::Introduced(_) => "introduced",
            Event::Fixed(_) => "fixed",
            Event::LastAffected(_) => "last_affected",
            Event::Limit(_) => "limit",
        }
    }

    /// Order of events that name the same version: close before open. Advisories describe a
    /// range as a union of intervals and list them in any order; two adjacent intervals share
    /// the version where one is fixed and the next introduced (`fixed: 3.1.1` of `[0, 3.1.1)`
    /// and `introduced: 3.1.1` of `[3.1.1, 3.1.3)`, PYSEC-2022-236), and that version is
    /// affected whichever of the two is listed first.
    fn rank(&self) -> u8 {
        match self {
            Event::Fixed(_) => 0,
            Event::LastAffected(_) => 1,
            Event::Introduced(_) => 2,
            Event::Limit(_) => 3,
        }
    }
}

/// One entry of `affected[].ranges`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Range {
    /// The range `type`.
    pub kind: RangeType,
    /// The `events`, in any order.
    pub events: Vec<Event>,
}

/// Whether a version is affected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The version is inside a range or listed in `versions`.
    Affected,
    /// The version was placed against every range and is outside all of them.
    NotAffected,
    /// Could not decide; the reason, lower case.
    Unknown(String),
}

/// Evaluates one installed `version` against an affected entry's `ranges` and `versions`.
pub fn evaluate(scheme: Scheme, version: &str, ranges: &[Range], versions: &[String]) -> Verdict {
    if listed(scheme, version, versions) {
        return Verdict::Affected;
    }
    let ordered: Vec<&Range> = ranges.iter().filter(|r| r.kind != RangeType::Git).collect();
    if ordered.is_empty() {
        if ranges.is_empty() {
            if versions.is_empty() {
                return Verdict::Unknown(
                    "the affected entry has neither ranges nor versions".into(),
                );
            }
            return Verdict::NotAffected;
        }
        return Verdict::Unknown(format!(
            "only GIT ranges (commits) are given and `versions` does not list {version}"
        ));
    }
    let mut unknown: Option<String> = None;
    for range in ordered {
        match in_range(scheme, version, range) {
            Ok(true) => return Verdict::Affected,
            Ok(false) => {}
            Err(why) => {
                unknown.get_or_insert(why);
            }
        }
    }
    match unknown {
        Some(why) => Verdict::Unknown(why),
        None => Verdict::NotAffected,
    }
}

/// The `fixed` versions of the `SEMVER` and `ECOSYSTEM` ranges, in order of appearance, without
/// duplicates.
pub fn fixed_versions(ranges: &[Range]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for range in ranges.iter().filter(|r| r.kind != RangeType::Git) {
        for event in &range.events {
            if let Event::Fixed(v) = event
                && !out.iter().any(|o| o == v)
            {
                out.push(v.clone());
            }
        }
    }
    out
}

fn listed(scheme: Scheme, version: &str, versions: &[String]) -> bool {
    if versions.iter().any(|v| v == version) {
        return true;
    }
    if scheme == Scheme::Pep440
        && let Ok(want) = crate::parse(Scheme::Pep440, version)
    {
        return versions
            .iter()
            .filter_map(|v| crate::parse(Scheme::Pep440, v).ok())
            .any(|v| v == want);
    }
    false
}

/// Parses a version for a range of `kind`; `SEMVER` ranges ignore a leading `v`.
fn parse_for(kind: RangeType, scheme: Scheme, s: &str) -> Result<Version, VersionError> {
    match kind {
        RangeType::SemVer => crate::parse(Scheme::SemVer, s.strip_prefix('v').unwrap_or(s)),
        _ => crate::parse(scheme, s),
    }
}

fn in_range(scheme: Scheme, version: &str, range: &Range) -> Result<bool, String> {
    if range.events.is_empty() {
        return Err("a range has no events".into());
    }
    let kind = range.kind;
    let v =
        parse_for(kind, scheme, version).map_err(|e| format!("cannot order the version: {e}"))?;
    // `None` stands for `introduced: "0"`, below every version.
    let mut events: Vec<(Option<Version>, &Event)> = Vec::with_capacity(range.events.len());
    for event in &range.events {
        let at = match event {
            Event::Introduced(s) if s == "0" => None,
            Event::Limit(s) if s == "*" => continue,
            _ => Some(
                parse_for(kind, scheme, event.value())
                    .map_err(|e| format!("cannot order the range's {} event: {e}", event.name()))?,
            ),
        };
        events.push((at, event));
    }
    events.sort_by(|(a, ea), (b, eb)| {
        let by_version = match (a, b) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(a), Some(b)) => a.cmp(b),
        };
        by_version.then(ea.rank().cmp(&eb.rank()))
    });
    let mut affected = false;
    for (at, event) in &events {
        match (event, at) {
            (Event::Introduced(_), None) => affected = true,
            (Event::Introduced(_), Some(at)) => {
                if v >= *at {
                    affected = true;
                }
            }
            (Event::Fixed(_), Some(at)) => {
                if v >= *at {
                    affected = false;
                }
            }
            (Event::LastAffected(_), Some(at)) => {
                if v > *at {
                    affected = false;
                }
            }
            (Event::Limit(_), _) | (_, None) => {}
        }
    }
    // A limit bounds the whole range, whatever the order of the other events.
    let beyond_limit = events
        .iter()
        .any(|(at, e)| matches!(e, Event::Limit(_)) && at.as_ref().is_some_and(|at| v >= *at));
    Ok(affected && !beyond_limit)
}
