//! `vouch.lock`: every pin in the tree, as TOML, sorted and deterministic.
//!
//! ```toml
//! # vouch.lock: written by `vouch pin` and `vouch update`. Do not edit by hand.
//! version = 1
//!
//! [[pin]]
//! kind = "action"
//! reference = "actions/checkout"
//! version = "v4.1.1"
//! commit = "b4ffde65f46336ab88eb53be808477a3936bae11"
//! resolved-at = "2026-11-22T10:00:00Z"
//! files = [".github/workflows/ci.yml"]
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vouch_digest::Digest;

/// File name of the lock.
pub const FILE_NAME: &str = "vouch.lock";

const HEADER: &str =
    "# vouch.lock: written by `vouch pin` and `vouch update`. Do not edit by hand.\n";

/// The whole lock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    #[serde(default, rename = "pin")]
    pub pins: Vec<Entry>,
}

/// One pinned reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// `image`, `action`, `include`, `component` or `pre-commit`.
    pub kind: String,
    /// `python`, `actions/checkout`, `group/project`, …
    pub reference: String,
    /// The human version: image tag, or the tag in the comment beside a commit.
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// When vouch resolved it (RFC 3339, UTC).
    pub resolved_at: String,
    /// Files holding this pin, relative to the lock's directory.
    pub files: Vec<String>,
}

/// A pin seen in the tree after pinning.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Observed {
    pub kind: String,
    pub reference: String,
    pub version: String,
    /// What the pin points at.
    pub id: Pinned,
    pub file: String,
}

/// What a pin points at: an image digest or a git commit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pinned {
    /// `sha256:…`
    Digest(Digest),
    /// 40 lower-case hex digits.
    Commit(String),
}

/// Why `vouch.lock` could not be read: the position and the parser's message, never the
/// source line (`toml::de::Error`'s `Display` quotes it, and the file comes from the repository).
#[derive(Debug, thiserror::Error)]
#[error("malformed vouch.lock at line {line} column {column}: {message}")]
pub struct LockError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Where `vouch.lock` goes for a run over `root`: in it, or beside it when it is a file.
pub fn path_for(root: &std::path::Path) -> std::path::PathBuf {
    if root.is_file() {
        root.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .join(FILE_NAME)
    } else {
        root.join(FILE_NAME)
    }
}

/// The text of the lock for the pins in `files` (paths relative to the lock's folder), or
/// `None` when there is nothing to record and no lock existed (`had_lock` false).
pub fn text_for(
    files: &[crate::walk::SourceFile],
    previous: &Lock,
    had_lock: bool,
    now: jiff::Timestamp,
) -> Option<String> {
    let observed: Vec<Observed> = files
        .iter()
        .flat_map(|f| crate::pin::observed(f, &f.rel))
        .collect();
    if observed.is_empty() && !had_lock {
        return None;
    }
    Some(Lock::build(&observed, previous, now).render())
}

impl Lock {
    pub fn parse(text: &str) -> Result<Self, LockError> {
        toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start).min(text.len());
            let before = text.get(..at).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            LockError {
                line,
                column: before[start..].chars().count() + 1,
                message: e.message().trim().to_owned(),
            }
        })
    }

    /// The lock for the pins `observed` now, keeping the `resolved-at` of entries that did not
    /// change since `previous`. Entries are sorted and files deduplicated.
    pub fn build(observed: &[Observed], previous: &Lock, now: jiff::Timestamp) -> Self {
        let mut grouped: BTreeMap<(String, String, String, Pinned), Vec<String>> = BTreeMap::new();
        for o in observed {
            grouped
                .entry((
                    o.kind.clone(),
                    o.reference.clone(),
                    o.version.clone(),
                    o.id.clone(),
                ))
                .or_default()
                .push(o.file.clone());
        }
        let now = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let pins = grouped
            .into_iter()
            .map(|((kind, reference, version, id), mut files)| {
                files.sort();
                files.dedup();
                let resolved_at = previous
                    .pins
                    .iter()
                    .find(|e| {
                        e.kind == kind
                            && e.reference == reference
                            && e.version == version
                            && match &id {
                                Pinned::Digest(d) => e.digest.as_ref() == Some(d),
                                Pinned::Commit(c) => {
                                    e.digest.is_none() && e.commit.as_ref() == Some(c)
                                }
                            }
                    })
                    .map_or_else(|| now.clone(), |e| e.resolved_at.clone());
                Entry {
                    kind,
                    reference,
                    version,
                    digest: match &id {
                        Pinned::Digest(d) => Some(d.clone()),
                        Pinned::Commit(_) => None,
                    },
                    commit: match id {
                        Pinned::Digest(_) => None,
                        Pinned::Commit(c) => Some(c),
                    },
                    resolved_at,
                    files,
                }
            })
            .collect();
        Self { version: 1, pins }
    }

    /// The TOML text, with a header comment.
    pub fn render(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!("{HEADER}{body}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(kind: &str, r: &str, v: &str, id: &str, f: &str) -> Observed {
        Observed {
            kind: kind.into(),
            reference: r.into(),
            version: v.into(),
            id: match id.parse() {
                Ok(d) => Pinned::Digest(d),
                Err(_) => Pinned::Commit(id.into()),
            },
            file: f.into(),
        }
    }

    #[test]
    fn build_render_parse_roundtrip() {
        let t1: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let t2: jiff::Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        let sha = "b4ffde65f46336ab88eb53be808477a3936bae11";
        let d = format!("sha256:{}", "a".repeat(64));
        let o = vec![
            obs("image", "python", "3.12-slim", &d, "b/Dockerfile"),
            obs("action", "actions/checkout", "v4.1.1", sha, "w.yml"),
            obs("image", "python", "3.12-slim", &d, "a/Dockerfile"),
        ];
        let first = Lock::build(&o, &Lock::default(), t1);
        assert_eq!(first.pins.len(), 2);
        assert_eq!(first.pins[0].kind, "action");
        assert_eq!(first.pins[1].files, vec!["a/Dockerfile", "b/Dockerfile"]);
        let text = first.render();
        assert!(text.starts_with(HEADER));
        assert!(
            text.contains("resolved-at = \"2026-11-01T00:00:00Z\""),
            "{text}"
        );
        assert_eq!(Lock::parse(&text).unwrap(), first);
        // Unchanged entries keep their time; changed ones get the new time.
        let o2 = vec![
            obs("image", "python", "3.12-slim", &d, "a/Dockerfile"),
            obs("action", "actions/checkout", "v4.2.0", sha, "w.yml"),
        ];
        let second = Lock::build(&o2, &first, t2);
        assert_eq!(second.pins[0].resolved_at, "2026-11-22T10:00:00Z");
        assert_eq!(second.pins[1].resolved_at, "2026-11-01T00:00:00Z");
        // Deterministic.
        assert_eq!(Lock::build(&o2, &first, t2).render(), second.render());
    }

    #[test]
    fn malformed_lock() {
        assert!(Lock::parse("version = 1\n[[pin]]\nkind = 3\n").is_err());
        assert!(Lock::parse("nonsense = true\nversion = 1\n").is_err());
    }
}
