//! The allow-list file (`.vouch/secrets.toml`) and the baseline file.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};
use vouch_fs::read::Location;

/// Largest secrets config read (1 MiB).
pub const MAX_CONFIG_LEN: u64 = 1024 * 1024;
/// Largest baseline read (64 MiB).
pub const MAX_BASELINE_LEN: u64 = 64 * 1024 * 1024;

/// A TOML error as `path:line:column` and the parser's message, without the source snippet
/// that `toml::de::Error`'s `Display` includes; secret-looking values are redacted.
/// A JSON error as `path:line:column` and serde_json's message without its " at line … column
/// …" suffix; secret-looking values (serde quotes unexpected strings) are redacted.
pub(crate) fn json_error(path: &Path, e: &serde_json::Error) -> (Location, String) {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    (
        Location {
            path: path.display().to_string(),
            line: e.line(),
            column: e.column(),
        },
        crate::redact(message),
    )
}

pub(crate) fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> (Location, String) {
    let at = e.span().map_or(0, |s| s.start);
    (
        Location::at(path.display().to_string(), text, at),
        crate::redact(e.message().trim()),
    )
}

/// Why a config or baseline file was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error(transparent)]
    Read(#[from] vouch_fs::read::ReadError),
    /// The file is not a valid secrets config. The message names the position and never quotes
    /// the file (secret-looking values in the parser's message are redacted).
    #[error("{location}: not a valid secrets config: {message}")]
    Toml { location: Location, message: String },
    #[error("{path}: allow.paths entry `{glob}` is not a valid glob")]
    Glob {
        path: PathBuf,
        glob: String,
        #[source]
        source: globset::Error,
    },
    #[error("{path}: allow.regexes entry number {index} is not a valid regular expression")]
    Regex {
        path: PathBuf,
        index: usize,
        #[source]
        source: regex::Error,
    },
    #[error("{path}: disable names unknown rule `{rule}`")]
    UnknownRule { path: PathBuf, rule: String },
    #[error("{location}: not a vouch secrets baseline (JSON with a `findings` list): {message}")]
    Baseline { location: Location, message: String },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    allow: RawAllow,
    #[serde(default)]
    disable: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    fingerprints: Vec<String>,
}

/// A validated allow-list: paths are not scanned; secrets matching a regex, and findings with a
/// listed fingerprint, are reported as suppressed.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    pub(crate) paths: Vec<GlobSet>,
    pub(crate) regexes: Vec<Regex>,
    pub(crate) fingerprints: std::collections::HashSet<String>,
    /// Rule ids switched off.
    pub disabled_rules: Vec<String>,
}

impl AllowList {
    /// Parse `text` (the content of `path`, used in messages).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (location, message) = toml_error(path, text, &e);
            ConfigError::Toml { location, message }
        })?;
        let mut allow = AllowList::default();
        allow.add_globs(&raw.allow.paths, path)?;
        for (index, r) in raw.allow.regexes.iter().enumerate() {
            allow
                .regexes
                .push(Regex::new(r).map_err(|source| ConfigError::Regex {
                    path: path.to_owned(),
                    index: index + 1,
                    source,
                })?);
        }
        allow.fingerprints = raw.allow.fingerprints.into_iter().collect();
        for rule in &raw.disable {
            if crate::RuleSet::builtin().get(rule).is_none() {
                return Err(ConfigError::UnknownRule {
                    path: path.to_owned(),
                    rule: rule.clone(),
                });
            }
        }
        allow.disabled_rules = raw.disable;
        Ok(allow)
    }

    /// Read and parse a config file the operator named (`--config`): a regular file of at
    /// most `MAX_CONFIG_LEN` bytes.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = vouch_fs::read::read_to_string(path, MAX_CONFIG_LEN)?;
        Self::parse(&text, path)
    }

    /// Read and parse the config of the scanned repository `root` (`.vouch/secrets.toml`,
    /// found by [`vouch_fs::config`]): like [`AllowList::load`], and refused when it resolves
    /// outside `root`; the default allow-list when nothing is at that path.
    pub fn load_repo(root: &Path) -> Result<Self, ConfigError> {
        match vouch_fs::config::read_text(root, "secrets.toml", MAX_CONFIG_LEN)? {
            Some((path, text)) => Self::parse(&text, &path),
            None => Ok(Self::default()),
        }
    }

    /// Add path globs (used for `--exclude` too). Globs match the `/`-separated path relative to
    /// the scanned root; `*` crosses directories.
    pub fn add_globs(&mut self, globs: &[String], origin: &Path) -> Result<(), ConfigError> {
        if globs.is_empty() {
            return Ok(());
        }
        let mut builder = GlobSetBuilder::new();
        for g in globs {
            let glob = Glob::new(g).map_err(|source| ConfigError::Glob {
                path: origin.to_owned(),
                glob: g.clone(),
                source,
            })?;
            builder.add(glob);
            // `dir` also excludes everything under it
            if !g.ends_with("/**")
                && let Ok(glob) = Glob::new(&format!("{}/**", g.trim_end_matches('/')))
            {
                builder.add(glob);
            }
        }
        let set = builder.build().map_err(|source| ConfigError::Glob {
            path: origin.to_owned(),
            glob: globs.join(", "),
            source,
        })?;
        self.paths.push(set);
        Ok(())
    }

    pub(crate) fn path_excluded(&self, rel: &str) -> bool {
        self.paths.iter().any(|s| s.is_match(rel))
    }
}

/// One baseline entry. Only the fingerprint decides; rule and path help people read the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub path: String,
}

/// A baseline: known findings that later runs do not report again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    pub fn from_findings(findings: &[vouch_report::Finding]) -> Self {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule_id.clone(),
                path: f
                    .location
                    .as_ref()
                    .map(|l| l.path.clone())
                    .unwrap_or_default(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
        });
        entries.dedup();
        Self {
            version: 1,
            findings: entries,
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        serde_json::from_str(text).map_err(|e| {
            let (location, message) = json_error(path, &e);
            ConfigError::Baseline { location, message }
        })
    }

    /// Read (a regular file of at most `MAX_BASELINE_LEN` bytes) and parse a baseline.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = vouch_fs::read::read_to_string(path, MAX_BASELINE_LEN)?;
        Self::parse(&text, path)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("baseline serializes");
        s.push('\n');
        s
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.findings.iter().any(|e| e.fingerprint == fingerprint)
    }
}
