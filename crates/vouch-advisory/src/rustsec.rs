//! RustSec advisories (TOML front matter in a fenced block, then Markdown) converted to OSV the
//! way RustSec's own OSV export does: ecosystem `crates.io`, SEMVER ranges computed as the
//! complement of the `patched` and `unaffected` requirements, `withdrawn`, aliases, related ids,
//! and `informational` advisories kept with their kind in `database_specific.informational`.

use std::cmp::Ordering;

use semver::{Comparator, Op, Version, VersionReq};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::osv::{Record, RecordError};

#[derive(Debug, Deserialize)]
struct Front {
    advisory: Meta,
    #[serde(default)]
    versions: Versions,
    #[serde(default)]
    affected: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
struct Meta {
    id: String,
    package: String,
    date: toml::Value,
    #[serde(default)]
    withdrawn: Option<toml::Value>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    license: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Splits the front matter from the Markdown body.
fn split(text: &str) -> Result<(&str, &str), RecordError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    let Some(after) = trimmed.strip_prefix("```toml") else {
        return Err(RecordError::RustSec(
            "the file does not start with a ```toml block".into(),
        ));
    };
    let Some(end) = after.find("\n```") else {
        return Err(RecordError::RustSec(
            "the ```toml block is not closed".into(),
        ));
    };
    let front = &after[..end];
    let body = after[end + 4..]
        .trim_start_matches(|c| c != '\n')
        .trim_start();
    Ok((front, body))
}

fn date_string(v: &toml::Value, field: &str) -> Result<String, RecordError> {
    let s = match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        _ => return Err(RecordError::RustSec(format!("`{field}` is not a date"))),
    };
    let date = vouch_report::Date::parse(&s)
        .ok_or_else(|| RecordError::RustSec(format!("`{field}` is `{s}`, expected YYYY-MM-DD")))?;
    Ok(format!("{date}T12:00:00Z"))
}

/// Parses a RustSec advisory file into an OSV record.
pub fn parse(bytes: &[u8]) -> Result<Record, RecordError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        RecordError::RustSec(format!(
            "the file is not valid UTF-8 (byte {})",
            e.valid_up_to()
        ))
    })?;
    let (front, body) = split(text)?;
    let front: Front =
        toml::from_str(front).map_err(|e| RecordError::Toml(e.message().to_owned()))?;
    let meta = front.advisory;
    let date = date_string(&meta.date, "date")?;
    let withdrawn = meta
        .withdrawn
        .as_ref()
        .map(|w| date_string(w, "withdrawn"))
        .transpose()?;

    // Title: the first `# ` heading; details: the rest.
    let (title, details) = match body.strip_prefix("# ") {
        Some(rest) => {
            let (t, d) = rest.split_once('\n').unwrap_or((rest, ""));
            (t.trim().to_owned(), d.trim().to_owned())
        }
        None => (
            meta.title.clone().unwrap_or_default(),
            body.trim().to_owned(),
        ),
    };
    let details = if details.is_empty() {
        meta.description.clone().unwrap_or_default()
    } else {
        details
    };

    let ranges = ranges(&meta.package, &front.versions)?;
    let mut events = Vec::new();
    for r in &ranges {
        events.push(json!({"introduced": r.introduced}));
        match &r.end {
            Some(End::Fixed(v)) => events.push(json!({"fixed": v})),
            Some(End::LastAffected(v)) => events.push(json!({"last_affected": v})),
            None => {}
        }
    }
    let mut affected = json!({
        "package": {
            "ecosystem": "crates.io",
            "name": meta.package,
            "purl": format!("pkg:cargo/{}", meta.package),
        },
    });
    if !events.is_empty() {
        affected["ranges"] = json!([{"type": "SEMVER", "events": events}]);
    }
    let mut affects = serde_json::Map::new();
    if let Some(toml::Value::Table(t)) = &front.affected {
        for key in ["arch", "os", "functions"] {
            if let Some(v) = t.get(key) {
                affects.insert(
                    key.to_owned(),
                    serde_json::to_value(v).unwrap_or(Value::Null),
                );
            }
        }
    }
    if !affects.is_empty() {
        affected["ecosystem_specific"] = json!({"affects": affects});
    }
    let mut db_specific = json!({
        "categories": meta.categories,
        "cvss": meta.cvss,
        "informational": meta.informational,
        "source": "https://github.com/rustsec/advisory-db",
    });
    if let Some(l) = &meta.license {
        db_specific["license"] = json!(l);
    }
    if !meta.keywords.is_empty() {
        db_specific["keywords"] = json!(meta.keywords);
    }
    affected["database_specific"] = json!({"categories": meta.categories, "cvss": meta.cvss, "informational": meta.informational});

    let mut references = vec![
        json!({"type": "PACKAGE", "url": format!("https://crates.io/crates/{}", meta.package)}),
    ];
    references.push(json!({"type": "ADVISORY", "url": format!("https://rustsec.org/advisories/{}.html", meta.id)}));
    for url in meta.url.iter().chain(meta.references.iter()) {
        references.push(json!({"type": "WEB", "url": url}));
    }
    let mut record = json!({
        "schema_version": "1.6.0",
        "id": meta.id,
        "modified": date,
        "published": date,
        "aliases": meta.aliases,
        "related": meta.related,
        "summary": title,
        "details": details,
        "affected": [affected],
        "references": references,
        "database_specific": db_specific,
    });
    if let Some(w) = withdrawn {
        record["withdrawn"] = json!(w);
    }
    if let Some(cvss) = &meta.cvss {
        let kind = if cvss.starts_with("CVSS:4") {
            "CVSS_V4"
        } else {
            "CVSS_V3"
        };
        record["severity"] = json!([{"type": kind, "score": cvss}]);
    }
    Record::from_value(record)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    Fixed(String),
    LastAffected(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AffectedRange {
    introduced: String,
    end: Option<End>,
}

/// A bound of an interval of versions; `None` is unbounded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bound {
    version: Version,
    inclusive: bool,
}

#[derive(Debug, Clone)]
struct Interval {
    lo: Option<Bound>,
    hi: Option<Bound>,
}

fn v(major: u64, minor: u64, patch: u64) -> Version {
    Version::new(major, minor, patch)
}

fn lower(c: &Comparator) -> Version {
    let mut ver = v(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
    ver.pre = c.pre.clone();
    ver
}

/// The first version past everything that `c` names when it is partial (`1.2` → `1.3.0`).
fn past(c: &Comparator) -> Version {
    match (c.minor, c.patch) {
        (None, _) => v(c.major.saturating_add(1), 0, 0),
        (Some(m), None) => v(c.major, m.saturating_add(1), 0),
        (Some(m), Some(p)) => v(c.major, m, p.saturating_add(1)),
    }
}

fn comparator_interval(c: &Comparator) -> Interval {
    let inc = |version| {
        Some(Bound {
            version,
            inclusive: true,
        })
    };
    let exc = |version| {
        Some(Bound {
            version,
            inclusive: false,
        })
    };
    let exact = c.minor.is_some() && c.patch.is_some();
    match c.op {
        Op::Exact if exact => Interval {
            lo: inc(lower(c)),
            hi: inc(lower(c)),
        },
        Op::Exact | Op::Wildcard => Interval {
            lo: inc(lower(c)),
            hi: exc(past(c)),
        },
        Op::Greater if exact => Interval {
            lo: exc(lower(c)),
            hi: None,
        },
        Op::Greater => Interval {
            lo: inc(past(c)),
            hi: None,
        },
        Op::GreaterEq => Interval {
            lo: inc(lower(c)),
            hi: None,
        },
        Op::Less => Interval {
            lo: None,
            hi: exc(lower(c)),
        },
        Op::LessEq if exact => Interval {
            lo: None,
            hi: inc(lower(c)),
        },
        Op::LessEq => Interval {
            lo: None,
            hi: exc(past(c)),
        },
        Op::Tilde => {
            let hi = match c.minor {
                Some(m) => v(c.major, m.saturating_add(1), 0),
                None => v(c.major.saturating_add(1), 0, 0),
            };
            Interval {
                lo: inc(lower(c)),
                hi: exc(hi),
            }
        }
        // Caret, and anything semver adds later (treated as caret, its default).
        _ => {
            let hi = match (c.major, c.minor, c.patch) {
                (0, Some(0), Some(p)) => v(0, 0, p.saturating_add(1)),
                (0, Some(0), None) => v(0, 1, 0),
                (0, Some(m), _) => v(0, m.saturating_add(1), 0),
                (0, None, _) => v(1, 0, 0),
                (maj, _, _) => v(maj.saturating_add(1), 0, 0),
            };
            Interval {
                lo: inc(lower(c)),
                hi: exc(hi),
            }
        }
    }
}

fn cmp_lo(a: &Option<Bound>, b: &Option<Bound>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x
            .version
            .cmp(&y.version)
            .then(y.inclusive.cmp(&x.inclusive)),
    }
}

fn cmp_hi(a: &Option<Bound>, b: &Option<Bound>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x
            .version
            .cmp(&y.version)
            .then(x.inclusive.cmp(&y.inclusive)),
    }
}

fn intersect(a: Interval, b: Interval) -> Interval {
    let lo = if cmp_lo(&a.lo, &b.lo) == Ordering::Less {
        b.lo
    } else {
        a.lo
    };
    let hi = if cmp_hi(&a.hi, &b.hi) == Ordering::Less {
        a.hi
    } else {
        b.hi
    };
    Interval { lo, hi }
}

fn is_empty(i: &Interval) -> bool {
    match (&i.lo, &i.hi) {
        (Some(l), Some(h)) => match l.version.cmp(&h.version) {
            Ordering::Greater => true,
            Ordering::Equal => !(l.inclusive && h.inclusive),
            Ordering::Less => false,
        },
        _ => false,
    }
}

/// Whether interval `a` (sorted before `b`) touches or overlaps `b`.
fn touches(a: &Interval, b: &Interval) -> bool {
    match (&a.hi, &b.lo) {
        (None, _) | (_, None) => true,
        (Some(h), Some(l)) => match h.version.cmp(&l.version) {
            Ordering::Greater => true,
            Ordering::Equal => h.inclusive || l.inclusive,
            Ordering::Less => false,
        },
    }
}

/// The affected ranges: everything not covered by a `patched` or `unaffected` requirement.
fn ranges(package: &str, versions: &Versions) -> Result<Vec<AffectedRange>, RecordError> {
    let mut safe = Vec::new();
    for req in versions.patched.iter().chain(&versions.unaffected) {
        let parsed = VersionReq::parse(req).map_err(|e| {
            RecordError::RustSec(format!(
                "`{req}` in [versions] of {package} is not a version requirement: {e}"
            ))
        })?;
        let mut interval = Interval { lo: None, hi: None };
        for c in &parsed.comparators {
            interval = intersect(interval, comparator_interval(c));
        }
        if !is_empty(&interval) {
            safe.push(interval);
        }
    }
    safe.sort_by(|a, b| cmp_lo(&a.lo, &b.lo));
    // Merge overlapping safe intervals.
    let mut merged: Vec<Interval> = Vec::new();
    for i in safe {
        match merged.last_mut() {
            Some(last) if touches(last, &i) => {
                if cmp_hi(&last.hi, &i.hi) == Ordering::Less {
                    last.hi = i.hi;
                }
            }
            _ => merged.push(i),
        }
    }
    let mut out = Vec::new();
    let mut start: Option<String> = Some("0".to_owned());
    for i in &merged {
        if let Some(intro) = start.take() {
            let end = match &i.lo {
                None => None,
                Some(b) if b.inclusive => Some(End::Fixed(b.version.to_string())),
                Some(b) => Some(End::LastAffected(b.version.to_string())),
            };
            // Skip empty stretches (between `=0.2.0` and `=0.2.1`, say).
            let empty = match (&end, Version::parse(&intro)) {
                (Some(End::Fixed(f)), Ok(iv)) => Version::parse(f).is_ok_and(|f| f <= iv),
                (Some(End::LastAffected(l)), Ok(iv)) => Version::parse(l).is_ok_and(|l| l < iv),
                _ => false,
            };
            if i.lo.is_some() && !empty {
                out.push(AffectedRange {
                    introduced: intro,
                    end,
                });
            }
        }
        start = match &i.hi {
            None => None,
            Some(b) if b.inclusive => {
                let mut next = b.version.clone();
                if next.pre.is_empty() {
                    next.patch = next.patch.saturating_add(1);
                } else {
                    next.pre = semver::Prerelease::EMPTY;
                }
                next.build = semver::BuildMetadata::EMPTY;
                Some(next.to_string())
            }
            Some(b) => Some(b.version.to_string()),
        };
    }
    if let Some(intro) = start {
        out.push(AffectedRange {
            introduced: intro,
            end: None,
        });
    }
    Ok(out)
}

/// The requirements as (introduced, fixed-or-last_affected) pairs, for tests and docs.
pub fn affected_ranges(
    patched: &[&str],
    unaffected: &[&str],
) -> Result<Vec<(String, Option<String>)>, RecordError> {
    let versions = Versions {
        patched: patched.iter().map(|s| (*s).to_owned()).collect(),
        unaffected: unaffected.iter().map(|s| (*s).to_owned()).collect(),
    };
    Ok(ranges("test", &versions)?
        .into_iter()
        .map(|r| {
            let end = r.end.map(|e| match e {
                End::Fixed(v) => format!("fixed {v}"),
                End::LastAffected(v) => format!("last_affected {v}"),
            });
            (r.introduced, end)
        })
        .collect())
}
