//! Suppressions: inline `# vouch:ignore RULE-ID reason` comments and the ignore file
//! (`.vouch/ignore.toml`), with mandatory reasons and expiry dates.

use std::path::Path;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use vouch_report::Suppression;

pub use vouch_report::{Date, DateError};

/// An inline suppression for `rule_id` at `line` (1-based) of `text`, if any: a
/// `vouch:ignore <RULE-ID> <reason>` comment on that line or the line above.
pub fn inline(text: &str, line: u32, rule_id: &str) -> Option<Suppression> {
    let idx = usize::try_from(line).ok()?.checked_sub(1)?;
    let lines: Vec<&str> = text
        .lines()
        .skip(idx.saturating_sub(1))
        .take(if idx == 0 { 1 } else { 2 })
        .collect();
    for l in lines {
        let Some(pos) = l.find("vouch:ignore") else {
            continue;
        };
        let rest = l[pos + "vouch:ignore".len()..].trim();
        let (id, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if id == rule_id {
            return Some(Suppression {
                kind: "inline".into(),
                reason: if reason.trim().is_empty() {
                    "no reason given".into()
                } else {
                    reason.trim().to_owned()
                },
            });
        }
    }
    None
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnoreFile {
    #[serde(default)]
    ignore: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    rule: Option<String>,
    path: Option<String>,
    reason: Option<String>,
    expires: Option<String>,
}

/// One validated ignore entry.
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    pub rule: String,
    pub path: Option<String>,
    matcher: Option<GlobMatcher>,
    pub reason: String,
    pub expires: Date,
    /// Line of the entry's `[[ignore]]` header in the ignore file.
    pub line: u32,
}

/// The ignore file, validated.
#[derive(Debug, Clone, Default)]
pub struct IgnoreFile {
    pub path: String,
    pub entries: Vec<IgnoreEntry>,
}

/// Why an ignore file was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IgnoreFileError {
    #[error("could not read ignore file {path}")]
    Read {
        path: String,
        #[source]
        source: vouch_fs::read::ReadError,
    },
    /// `location` is `path:line:column`; the message never quotes the file (secret-looking
    /// values in the parser's message are redacted).
    #[error("ignore file {location} is not valid TOML: {message}")]
    Syntax {
        location: vouch_fs::read::Location,
        message: String,
    },
    #[error("ignore file {path}, entry {index}: {message}")]
    Entry {
        path: String,
        index: usize,
        message: String,
    },
}

/// Largest ignore file read (8 MiB).
pub const MAX_IGNORE_FILE_LEN: u64 = 8 * 1024 * 1024;

impl IgnoreFile {
    /// Read and validate `path` (a regular file of at most [`MAX_IGNORE_FILE_LEN`] bytes); a
    /// missing file is an empty ignore list. With `root` (the repository's own ignore file),
    /// a path that resolves outside `root` is refused.
    pub fn load(path: &Path, shown: &str, root: Option<&Path>) -> Result<Self, IgnoreFileError> {
        if path.symlink_metadata().is_err() {
            return Ok(Self {
                path: shown.to_owned(),
                entries: Vec::new(),
            });
        }
        let text = match root {
            Some(root) => vouch_fs::read::read_to_string_in_root(root, path, MAX_IGNORE_FILE_LEN),
            None => vouch_fs::read::read_to_string(path, MAX_IGNORE_FILE_LEN),
        }
        .map_err(|source| IgnoreFileError::Read {
            path: shown.to_owned(),
            source,
        })?;
        Self::parse(&text, shown)
    }

    /// Validate the text of an ignore file: every entry needs `rule`, `reason` and `expires`.
    pub fn parse(text: &str, shown: &str) -> Result<Self, IgnoreFileError> {
        let raw: RawIgnoreFile = toml::from_str(text).map_err(|e| IgnoreFileError::Syntax {
            location: vouch_fs::read::Location::at(shown, text, e.span().map_or(0, |s| s.start)),
            message: vouch_secrets::redact(e.message().trim()),
        })?;
        let header_lines: Vec<u32> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == "[[ignore]]")
            .map(|(n, _)| u32::try_from(n + 1).unwrap_or(u32::MAX))
            .collect();
        let mut entries = Vec::new();
        for (i, e) in raw.ignore.into_iter().enumerate() {
            let bad = |m: &str| IgnoreFileError::Entry {
                path: shown.to_owned(),
                index: i + 1,
                message: m.to_owned(),
            };
            let rule = e
                .rule
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| bad("`rule` is required"))?;
            let reason = e
                .reason
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| bad("`reason` is required"))?;
            let expires_s = e
                .expires
                .ok_or_else(|| bad("`expires` (YYYY-MM-DD) is required"))?;
            let expires: Date = expires_s
                .parse()
                .map_err(|err: DateError| bad(&err.to_string()))?;
            let matcher = match &e.path {
                Some(p) => Some(
                    Glob::new(p)
                        .map_err(|err| bad(&format!("bad path glob: {err}")))?
                        .compile_matcher(),
                ),
                None => None,
            };
            entries.push(IgnoreEntry {
                rule,
                path: e.path,
                matcher,
                reason,
                expires,
                line: header_lines.get(i).copied().unwrap_or(1),
            });
        }
        Ok(Self {
            path: shown.to_owned(),
            entries,
        })
    }

    /// The first unexpired entry that matches `rule_id` at `path`.
    pub fn matching(&self, rule_id: &str, path: &str, today: Date) -> Option<&IgnoreEntry> {
        self.entries.iter().find(|e| {
            e.expires >= today
                && (e.rule == rule_id || e.rule == "*")
                && e.matcher.as_ref().is_none_or(|m| m.is_match(path))
        })
    }

    /// Entries whose expiry date is before `today`.
    pub fn expired(&self, today: Date) -> impl Iterator<Item = &IgnoreEntry> {
        self.entries.iter().filter(move |e| e.expires < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_on_line_or_above() {
        let t = "a\n# vouch:ignore r1 vendored base\nb # vouch:ignore r2\n";
        assert_eq!(
            inline(t, 3, "r1").map(|s| s.reason),
            Some("vendored base".into())
        );
        assert_eq!(
            inline(t, 3, "r2").map(|s| s.reason),
            Some("no reason given".into())
        );
        assert!(inline(t, 1, "r1").is_none());
    }
}
