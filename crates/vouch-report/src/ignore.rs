//! The ignore file (`.vouch/ignore.toml`): one schema for every check that reads it.
//!
//! Each `[[ignore]]` entry suppresses either a configuration finding (`rule`, optionally only
//! under `path`, read by `vouch check` and the configuration part of `vouch scan`) or a
//! vulnerability (`id`, optionally only for `purl`, read by `vouch vulns`, `vouch scan` and the
//! gate). `reason` and `expires` are required for both; `expires` is a [`Date`] (a TOML date or a
//! `"YYYY-MM-DD"` string), the last day the entry applies.
//!
//! ```toml
//! [[ignore]]
//! rule = "dockerfile-latest-tag"   # a check rule id, or "*"
//! path = "docker/dev/**"           # optional glob, relative to the scanned root
//! reason = "development image, never deployed"
//! expires = 2026-12-31
//!
//! [[ignore]]
//! id = "RUSTSEC-2020-0071"         # an advisory id or alias
//! purl = "pkg:cargo/time"          # optional: only this package
//! reason = "not reachable: we never call localtime"
//! expires = "2026-12-31"
//! ```
//!
//! Files written for either command before the two were merged are valid as they are: a
//! `rule`/`path` file and an `id`/`purl` file are both subsets of this schema. Each reader
//! takes the entries of its kind and leaves the others alone.
//!
//! ```
//! use vouch_report::ignore::{IgnoreFile, Target};
//! let text = "[[ignore]]\nrule = \"r\"\nreason = \"x\"\nexpires = 2030-01-01\n\
//!             [[ignore]]\nid = \"CVE-1\"\nreason = \"y\"\nexpires = \"2030-01-01\"\n";
//! let file = IgnoreFile::parse(text, ".vouch/ignore.toml").unwrap();
//! assert!(matches!(file.entries[0].target, Target::Rule { .. }));
//! assert!(matches!(file.entries[1].target, Target::Advisory { .. }));
//! ```

use serde::Deserialize;

use crate::Date;

/// What an entry suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A configuration finding of rule `rule` (`*`: any rule), under `path` (a glob) if given.
    Rule { rule: String, path: Option<String> },
    /// A vulnerability named `id` (an advisory id or alias), for `purl` if given.
    Advisory { id: String, purl: Option<String> },
}

/// One validated entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub target: Target,
    pub reason: String,
    /// The last day the entry applies.
    pub expires: Date,
    /// 1-based index among the file's entries.
    pub index: usize,
    /// Line of the entry's `[[ignore]]` header.
    pub line: u32,
}

/// A validated ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreFile {
    /// The file as shown in messages.
    pub path: String,
    pub entries: Vec<Entry>,
}

/// Why an ignore file was rejected. Messages name the file, line and column or entry, never
/// the file's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IgnoreError {
    #[error("{file}: not a valid ignore file at line {line} column {column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: ignore entry {index} (line {line}): {message}")]
    Entry {
        file: String,
        index: usize,
        line: u32,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    ignore: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    rule: Option<String>,
    path: Option<String>,
    id: Option<String>,
    purl: Option<String>,
    reason: Option<String>,
    expires: Option<toml::Value>,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |n| before.len() - n - 1)
        + 1;
    (line, column)
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

impl IgnoreFile {
    /// Parses and validates the text of an ignore file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, IgnoreError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            IgnoreError::Syntax {
                file: file.to_owned(),
                line,
                column,
                message: e.message().trim_end_matches('\n').to_owned(),
            }
        })?;
        let headers: Vec<u32> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[ignore]]")
            .map(|(n, _)| u32::try_from(n + 1).unwrap_or(u32::MAX))
            .collect();
        let mut entries = Vec::with_capacity(raw.ignore.len());
        for (i, r) in raw.ignore.into_iter().enumerate() {
            let index = i + 1;
            let line = headers.get(i).copied().unwrap_or(1);
            let bad = |message: &str| IgnoreError::Entry {
                file: file.to_owned(),
                index,
                line,
                message: message.to_owned(),
            };
            let target = match (non_empty(r.rule), non_empty(r.id)) {
                (Some(_), Some(_)) => {
                    return Err(bad(
                        "has both `rule` and `id`; an entry suppresses either a rule (`rule`, `path`) or an advisory (`id`, `purl`): split it in two",
                    ));
                }
                (None, None) => {
                    return Err(bad(
                        "needs `rule` (a check rule id) or `id` (an advisory id or alias)",
                    ));
                }
                (Some(rule), None) => {
                    if r.purl.is_some() {
                        return Err(bad(
                            "`purl` goes with `id` (an advisory), not with `rule`; use `path` to limit a rule",
                        ));
                    }
                    Target::Rule { rule, path: r.path }
                }
                (None, Some(id)) => {
                    if r.path.is_some() {
                        return Err(bad(
                            "`path` goes with `rule`, not with `id` (an advisory); use `purl` to limit an advisory to one package",
                        ));
                    }
                    Target::Advisory { id, purl: r.purl }
                }
            };
            let reason = non_empty(r.reason).ok_or_else(|| bad("`reason` is required"))?;
            let expires = match r.expires {
                None => return Err(bad("`expires` (YYYY-MM-DD) is required")),
                Some(toml::Value::String(s)) => s.parse::<Date>().ok(),
                Some(toml::Value::Datetime(d)) if d.time.is_none() && d.offset.is_none() => {
                    d.to_string().parse::<Date>().ok()
                }
                Some(_) => None,
            }
            .ok_or_else(|| bad("`expires` is not a date (YYYY-MM-DD)"))?;
            entries.push(Entry {
                target,
                reason,
                expires,
                index,
                line,
            });
        }
        Ok(Self {
            path: file.to_owned(),
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_in_one_file() {
        let text = "[[ignore]]\nrule = \"r\"\npath = \"a/**\"\nreason = \"x\"\nexpires = \"2030-01-01\"\n\n[[ignore]]\nid = \"CVE-1\"\npurl = \"pkg:npm/a\"\nreason = \"y\"\nexpires = 2030-01-02\n";
        let f = IgnoreFile::parse(text, "i.toml").unwrap();
        assert_eq!(
            f.entries[0].target,
            Target::Rule {
                rule: "r".into(),
                path: Some("a/**".into())
            }
        );
        assert_eq!(f.entries[1].line, 7);
        assert_eq!(f.entries[1].expires.to_string(), "2030-01-02");
    }

    #[test]
    fn mixed_entry_is_refused_with_what_to_change() {
        let text =
            "[[ignore]]\nrule = \"r\"\nid = \"CVE-1\"\nreason = \"x\"\nexpires = \"2030-01-01\"\n";
        let e = IgnoreFile::parse(text, "i.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "i.toml: ignore entry 1 (line 1): has both `rule` and `id`; an entry suppresses either a rule (`rule`, `path`) or an advisory (`id`, `purl`): split it in two"
        );
        let text =
            "[[ignore]]\nid = \"CVE-1\"\npath = \"a\"\nreason = \"x\"\nexpires = \"2030-01-01\"\n";
        assert!(matches!(
            IgnoreFile::parse(text, "i.toml"),
            Err(IgnoreError::Entry { index: 1, .. })
        ));
    }

    #[test]
    fn syntax_error_names_line_and_column_not_content() {
        let text = "[[ignore]]\nid = \"CVE-1\"\nsecret = \"hunter2\"\n";
        let e = IgnoreFile::parse(text, "i.toml").unwrap_err();
        let shown = e.to_string();
        assert!(matches!(e, IgnoreError::Syntax { line: 3, .. }), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
