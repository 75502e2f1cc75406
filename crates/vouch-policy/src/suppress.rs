//! Suppressions: inline `# vouch:ignore RULE-ID reason` comments and the ignore file
//! (`.vouch/ignore.toml`), with mandatory reasons and expiry dates.

use std::path::Path;

use globset::{Glob, GlobMatcher};
use vouch_report::Suppression;
use vouch_report::ignore::Target;

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
    /// The shared schema (vouch_report::ignore) rejected the file; secret-looking values the
    /// parser's message quotes are redacted.
    #[error("{}", vouch_secrets::redact(&.0.to_string()))]
    Invalid(vouch_report::ignore::IgnoreError),
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

    /// Validate the text of an ignore file (the one schema of `vouch_report::ignore`) and keep
    /// its `rule` entries; `id` entries (advisories) are for `vouch vulns` and `vouch scan`.
    pub fn parse(text: &str, shown: &str) -> Result<Self, IgnoreFileError> {
        let file = vouch_report::ignore::IgnoreFile::parse(text, shown)
            .map_err(IgnoreFileError::Invalid)?;
        let mut entries = Vec::new();
        for e in file.entries {
            let Target::Rule { rule, path } = e.target else {
                continue;
            };
            let matcher = match &path {
                Some(p) => Some(
                    Glob::new(p)
                        .map_err(|err| IgnoreFileError::Entry {
                            path: shown.to_owned(),
                            index: e.index,
                            message: format!("bad path glob: {err}"),
                        })?
                        .compile_matcher(),
                ),
                None => None,
            };
            entries.push(IgnoreEntry {
                rule,
                path,
                matcher,
                reason: e.reason,
                expires: e.expires,
                line: e.line,
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
