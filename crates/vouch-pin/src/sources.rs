//! `sources.lock`: downloads (URL, SHA-256, size, where to put them), as TOML, sorted and
//! deterministic. `vouch pin` records the `ADD`/`curl`/`wget` downloads it finds into it, next
//! to `vouch.lock`; `vouch fetch --lock sources.lock` fetches every entry, verified.
//!
//! ```toml
//! # sources.lock: downloads pinned by URL, SHA-256 and size. Written by `vouch pin`,
//! # read by `vouch fetch --lock`.
//! version = 1
//!
//! [[source]]
//! url = "https://ftp.gnu.org/gnu/hello/hello-2.12.tar.gz"
//! sha256 = "cf04af86dc085268c5f4470fbae49b18afbc221b78096aab842d934a76bad0ab"
//! size = 1017722
//! path = "hello-2.12.tar.gz"
//! files = ["Dockerfile"]
//! ```
//!
//! TOML rather than a line format (`URL SHA256 SIZE [PATH]`): URLs and paths may hold spaces
//! and `#`, the fields are named (a column swapped by hand is an error, not a wrong download),
//! `files` records where `vouch pin` found each download, and it reads like `vouch.lock`
//! through the same parser. `path` defaults to the URL's last path segment.
//!
//! ```
//! use vouch_pin::sources::Sources;
//! let text = "version = 1\n[[source]]\nurl = \"https://example.com/a/tool.tgz\"\nsha256 = \"24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d\"\nsize = 3\n";
//! let lock = Sources::parse(text).unwrap();
//! assert_eq!(lock.sources[0].path().unwrap(), "tool.tgz");
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use vouch_digest::{Algorithm, Digest};

/// File name of the lock, written beside `vouch.lock`.
pub const FILE_NAME: &str = "sources.lock";

/// Most entries one lock may hold.
pub const MAX_ENTRIES: usize = 10_000;

const HEADER: &str = "# sources.lock: downloads pinned by URL, SHA-256 and size. Written by `vouch pin`,\n# read by `vouch fetch --lock`.\n";

/// The whole lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    pub version: u32,
    #[serde(default, rename = "source")]
    pub sources: Vec<Entry>,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            version: 1,
            sources: Vec::new(),
        }
    }
}

/// One download.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub url: String,
    /// 64 lower-case hex digits.
    pub sha256: String,
    pub size: u64,
    /// Where `vouch fetch --lock` writes it, relative to its folder; default: the last segment
    /// of the URL's path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Files (relative to the lock's folder) where `vouch pin` found this download.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

/// Why `sources.lock` could not be used. Never quotes the line (the file comes from the
/// repository; URLs print redacted).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourcesError {
    #[error("malformed sources.lock at line {line} column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("sources.lock has version {found}, expected 1")]
    Version { found: u32 },
    #[error("sources.lock has {found} entries, more than the {max} allowed")]
    TooMany { found: usize, max: usize },
    #[error("sources.lock entry {index} ({url}): sha256 `{found}` is not 64 hex digits")]
    Digest {
        index: usize,
        url: vouch_url::Url,
        found: String,
    },
    #[error("sources.lock entry {index} ({url}): {reason}")]
    Path {
        index: usize,
        url: vouch_url::Url,
        reason: String,
    },
    #[error("sources.lock entries {first} and {second} both write `{path}`")]
    DuplicatePath {
        first: usize,
        second: usize,
        path: String,
    },
}

/// An entry checked: a digest, and a relative path that stays inside the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub url: String,
    pub sha256: Digest,
    pub size: u64,
    pub path: String,
}

impl Entry {
    /// Where the entry is written: `path`, or the URL's last path segment. Refused: empty,
    /// absolute, `.`/`..` components, backslashes, NUL.
    pub fn path(&self) -> Result<String, String> {
        let path = match &self.path {
            Some(p) => p.clone(),
            None => default_path(&self.url)
                .ok_or_else(|| "the URL has no file name; give a `path`".to_owned())?,
        };
        check_path(&path)?;
        Ok(path)
    }
}

/// How a download's URL is recorded (and looked up) in the lock: without credentials
/// (`https://user:TOKEN@host/x` → `https://host/x`, sensitive query values `***`), since the
/// lock is committed beside the code ([`vouch_url::strip_credentials`]).
pub fn lock_url(url: &str) -> String {
    vouch_url::strip_credentials(url).into_owned()
}

/// The last non-empty segment of the URL's path (no query or fragment).
fn default_path(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (_, path) = rest.split_once('/')?;
    let name = path.rsplit('/').find(|s| !s.is_empty())?;
    Some(name.to_owned())
}

fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".to_owned());
    }
    if path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return Err(format!(
            "path `{path}` must be relative, with `/` separators"
        ));
    }
    if path
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(format!(
            "path `{path}` may not hold empty, `.` or `..` components"
        ));
    }
    Ok(())
}

impl Sources {
    /// Parses the TOML text (no checks beyond the shape; see [`Sources::check`]).
    pub fn parse(text: &str) -> Result<Self, SourcesError> {
        let lock: Sources = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start).min(text.len());
            let before = text.get(..at).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            SourcesError::Syntax {
                line,
                column: before.get(start..).unwrap_or_default().chars().count() + 1,
                message: e.message().trim().to_owned(),
            }
        })?;
        if lock.version != 1 {
            return Err(SourcesError::Version {
                found: lock.version,
            });
        }
        if lock.sources.len() > MAX_ENTRIES {
            return Err(SourcesError::TooMany {
                found: lock.sources.len(),
                max: MAX_ENTRIES,
            });
        }
        Ok(lock)
    }

    /// Every entry checked (1-based indexes in errors): digests parsed, paths relative and
    /// inside the folder, no path written twice.
    pub fn check(&self) -> Result<Vec<Checked>, SourcesError> {
        let mut seen: Vec<(String, usize)> = Vec::new();
        let mut out = Vec::with_capacity(self.sources.len());
        for (i, e) in self.sources.iter().enumerate() {
            let index = i + 1;
            let sha256 = Digest::from_hex(Algorithm::Sha256, &e.sha256).map_err(|_| {
                SourcesError::Digest {
                    index,
                    url: vouch_url::Url::new(e.url.as_str()),
                    found: e.sha256.chars().take(80).collect(),
                }
            })?;
            let path = e.path().map_err(|reason| SourcesError::Path {
                index,
                url: vouch_url::Url::new(e.url.as_str()),
                reason,
            })?;
            if let Some((_, first)) = seen.iter().find(|(p, _)| *p == path) {
                return Err(SourcesError::DuplicatePath {
                    first: *first,
                    second: index,
                    path,
                });
            }
            seen.push((path.clone(), index));
            out.push(Checked {
                url: e.url.clone(),
                sha256,
                size: e.size,
                path,
            });
        }
        Ok(out)
    }

    /// Adds or replaces the entry for `entry.url` (merging `files`), keeping entries sorted by
    /// URL.
    pub fn record(&mut self, mut entry: Entry) {
        if let Some(old) = self.sources.iter_mut().find(|e| e.url == entry.url) {
            let files: BTreeSet<String> =
                old.files.drain(..).chain(entry.files.drain(..)).collect();
            entry.files = files.into_iter().collect();
            if entry.path.is_none() {
                entry.path = old.path.take();
            }
            *old = entry;
        } else {
            entry.files.sort();
            entry.files.dedup();
            self.sources.push(entry);
        }
        self.sources.sort_by(|a, b| a.url.cmp(&b.url));
    }

    /// The entry for `url`, if recorded.
    pub fn get(&self, url: &str) -> Option<&Entry> {
        self.sources.iter().find(|e| e.url == url)
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

    const HEX: &str = "24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d";

    #[test]
    fn lock_urls_carry_no_credentials() {
        assert_eq!(
            lock_url("https://ci:s3cret@example.com/a.tgz"),
            "https://example.com/a.tgz"
        );
        assert_eq!(
            lock_url("https://example.com/a.tgz?token=s3cret"),
            "https://example.com/a.tgz?token=***"
        );
    }

    #[test]
    fn default_paths() {
        assert_eq!(
            default_path("https://h/a/b.tgz?x=1#f").as_deref(),
            Some("b.tgz")
        );
        assert_eq!(default_path("https://h/a/").as_deref(), Some("a"));
        assert_eq!(default_path("https://h"), None);
        assert_eq!(default_path("https://h/"), None);
    }

    #[test]
    fn render_parse_roundtrip_and_checks() {
        let mut lock = Sources::default();
        lock.record(Entry {
            url: "https://b.example/x.tgz".into(),
            sha256: HEX.into(),
            size: 3,
            path: None,
            files: vec!["Dockerfile".into()],
        });
        lock.record(Entry {
            url: "https://a.example/y.tgz".into(),
            sha256: HEX.into(),
            size: 4,
            path: Some("deps/y.tgz".into()),
            files: vec![],
        });
        let text = lock.render();
        assert_eq!(
            text,
            format!(
                "{HEADER}version = 1\n\n[[source]]\nurl = \"https://a.example/y.tgz\"\nsha256 = \"{HEX}\"\nsize = 4\npath = \"deps/y.tgz\"\n\n[[source]]\nurl = \"https://b.example/x.tgz\"\nsha256 = \"{HEX}\"\nsize = 3\nfiles = [\"Dockerfile\"]\n"
            )
        );
        let back = Sources::parse(&text).unwrap();
        assert_eq!(back, lock);
        let checked = back.check().unwrap();
        assert_eq!(checked[1].path, "x.tgz");
    }

    #[test]
    fn bad_entries_are_named() {
        let bad = |body: &str| {
            Sources::parse(&format!("version = 1\n{body}"))
                .and_then(|l| l.check())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            bad("[[source]]\nurl = \"https://u:pw@h/x\"\nsha256 = \"abc\"\nsize = 1\n"),
            "sources.lock entry 1 (https://***@h/x): sha256 `abc` is not 64 hex digits"
        );
        assert_eq!(
            bad(&format!(
                "[[source]]\nurl = \"https://h/x\"\nsha256 = \"{HEX}\"\nsize = 1\npath = \"../x\"\n"
            )),
            "sources.lock entry 1 (https://h/x): path `../x` may not hold empty, `.` or `..` components"
        );
        assert_eq!(
            bad(&format!(
                "[[source]]\nurl = \"https://h/x\"\nsha256 = \"{HEX}\"\nsize = 1\npath = \"/etc/x\"\n"
            )),
            "sources.lock entry 1 (https://h/x): path `/etc/x` must be relative, with `/` separators"
        );
        assert_eq!(
            bad(&format!(
                "[[source]]\nurl = \"https://h/a/x\"\nsha256 = \"{HEX}\"\nsize = 1\n[[source]]\nurl = \"https://g/b/x\"\nsha256 = \"{HEX}\"\nsize = 1\n"
            )),
            "sources.lock entries 1 and 2 both write `x`"
        );
        assert_eq!(
            Sources::parse("version = 2\n").unwrap_err().to_string(),
            "sources.lock has version 2, expected 1"
        );
        assert!(matches!(
            Sources::parse("version = 1\n[[source]]\nurl = 3\n"),
            Err(SourcesError::Syntax { line: 3, .. })
        ));
    }
}
