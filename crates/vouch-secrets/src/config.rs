//! The allow-list file (`.vouch/secrets.toml`) and the baseline file.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

/// Why a config or baseline file was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("could not read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML for a secrets config")]
    Toml {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
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
    #[error("{path} is not a vouch secrets baseline (JSON with a `findings` list)")]
    Baseline {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
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
        let raw: RawConfig = toml::from_str(text).map_err(|source| ConfigError::Toml {
            path: path.to_owned(),
            source,
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

    /// Read and parse a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
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
        serde_json::from_str(text).map_err(|source| ConfigError::Baseline {
            path: path.to_owned(),
            source,
        })
    }

    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
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
