//! `admission.toml`: which gate policy judges which images in which namespaces, in which mode,
//! and what happens when evidence cannot be judged. Deserialised, then validated into
//! [`Config`]: every policy loaded (keys, trust roots, Rego) before the server may start, so a
//! server never starts open.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use vouch_digest::Digest;
use vouch_fs::read::{self as fsread, ReadError};

/// Largest `admission.toml` read (1 MiB).
pub const MAX_CONFIG: u64 = fsread::MIB;
/// The longest deadline: the API server waits at most 30 s for a webhook.
pub const MAX_DEADLINE: Duration = Duration::from_secs(30);
/// The deadline when none is written.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);
/// The cache's TTL for passing decisions when none is written.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The cache's TTL for denials and registry errors when none is written.
pub const DEFAULT_NEGATIVE_TTL: Duration = Duration::from_secs(10);

/// Why `admission.toml` (or a policy it names) cannot be used: the server exits 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("could not read admission config {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: ReadError,
    },
    #[error("admission config {} is not valid", path.display())]
    Toml {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("admission config {}: `{key}` = \"{value}\" is not a duration (expected e.g. \"5s\", \"500ms\", \"5m\")", path.display())]
    Duration {
        path: PathBuf,
        key: &'static str,
        value: String,
    },
    #[error("admission config {}: `deadline` = \"{value}\" is longer than the API server's 30 s limit", path.display())]
    DeadlineTooLong { path: PathBuf, value: String },
    #[error("admission config {}: `deadline` = \"{value}\" must be longer than 0", path.display())]
    DeadlineZero { path: PathBuf, value: String },
    #[error("admission config {} has no [[rules]]", path.display())]
    NoRules { path: PathBuf },
    #[error("admission config {}: rules[{rule}].{key} is empty (expected at least one glob)", path.display())]
    EmptyGlobs {
        path: PathBuf,
        rule: usize,
        key: &'static str,
    },
    #[error("admission config {}: rules[{rule}].{key}: bad glob `{pattern}`", path.display())]
    Glob {
        path: PathBuf,
        rule: usize,
        key: &'static str,
        pattern: String,
        #[source]
        source: globset::Error,
    },
    #[error("admission config {}: rules[{rule}].policy {} could not be loaded", path.display(), policy.display())]
    Policy {
        path: PathBuf,
        rule: usize,
        policy: PathBuf,
        #[source]
        source: Box<vouch_gate::LoadError>,
    },
    #[error("admission config {}: rules[{rule}].policy {} has `{key} = true`, but an admission request has no source tree to check (expected a policy without `{key}`)", path.display(), policy.display())]
    NeedsSourceTree {
        path: PathBuf,
        rule: usize,
        policy: PathBuf,
        key: &'static str,
    },
    #[error("admission config {}: rules[{rule}].policy {} has [vulnerabilities], but no advisory database was given", path.display(), policy.display())]
    NeedsDatabase {
        path: PathBuf,
        rule: usize,
        policy: PathBuf,
    },
    #[error("could not read {what} {} named by policy {}", path.display(), policy.display())]
    TrustFile {
        what: &'static str,
        path: PathBuf,
        policy: PathBuf,
        #[source]
        source: ReadError,
    },
}

/// What to do with images no rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unmatched {
    Deny,
    Allow,
}

/// What a rule's denials do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Denied.
    Enforce,
    /// Allowed, with AdmissionReview warnings.
    Warn,
}

/// What happens when an image's evidence cannot be judged (registry error, deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Fail closed (the default).
    Deny,
    /// Fail open: allowed, with a warning, and `"fail_open": true` in the log line.
    Allow,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    unmatched: Option<Unmatched>,
    deadline: Option<String>,
    cache: Option<RawCache>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCache {
    ttl: Option<String>,
    negative_ttl: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    images: Vec<String>,
    namespaces: Option<Vec<String>>,
    policy: PathBuf,
    mode: Option<Mode>,
    on_error: Option<OnError>,
}

/// A gate policy as loaded once for every rule that names it, with the digests that key the
/// decision cache.
#[derive(Debug)]
pub struct PolicyEntry {
    /// The path as resolved against admission.toml's folder.
    pub path: PathBuf,
    pub loaded: vouch_gate::Loaded,
    /// SHA-256 over the policy file and its Rego modules (`Loaded.source`).
    pub policy_digest: Digest,
    /// SHA-256 over the trusted keys' and the trusted root's bytes (or the embedded root's name).
    pub trust_digest: Digest,
}

/// One `[[rules]]` entry, validated.
#[derive(Debug)]
pub struct Rule {
    pub images: Vec<GlobMatcher>,
    pub namespaces: Vec<GlobMatcher>,
    pub policy: Arc<PolicyEntry>,
    pub mode: Mode,
    pub on_error: OnError,
}

impl Rule {
    /// Whether this rule covers `image` (the normalised name `HOST/REPO`, or the whole
    /// normalised reference, or the reference as written) in `namespace`.
    pub fn covers(&self, candidates: &[&str], namespace: &str) -> bool {
        self.namespaces.iter().any(|g| g.is_match(namespace))
            && self
                .images
                .iter()
                .any(|g| candidates.iter().any(|c| g.is_match(c)))
    }
}

/// A validated `admission.toml`.
#[derive(Debug)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub unmatched: Unmatched,
    pub deadline: Duration,
    pub ttl: Duration,
    pub negative_ttl: Duration,
    /// In file order: the first rule that covers an image decides it.
    pub rules: Vec<Rule>,
    /// The advisory database given, when a policy has `[vulnerabilities]`.
    pub db: Option<PathBuf>,
}

/// `"5s"`, `"500ms"`, `"5m"`, `"1h"`, or a friendly/ISO 8601 duration jiff reads.
fn duration(path: &Path, key: &'static str, value: &str) -> Result<Duration, ConfigError> {
    let bad = || ConfigError::Duration {
        path: path.to_owned(),
        key,
        value: value.to_owned(),
    };
    let d: jiff::SignedDuration = value.trim().parse().map_err(|_| bad())?;
    if d.is_negative() {
        return Err(bad());
    }
    Duration::try_from(d).map_err(|_| bad())
}

fn globs(
    path: &Path,
    rule: usize,
    key: &'static str,
    patterns: &[String],
) -> Result<Vec<GlobMatcher>, ConfigError> {
    if patterns.is_empty() {
        return Err(ConfigError::EmptyGlobs {
            path: path.to_owned(),
            rule,
            key,
        });
    }
    patterns
        .iter()
        .map(|p| {
            globset::GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .map(|g: Glob| g.compile_matcher())
                .map_err(|source| ConfigError::Glob {
                    path: path.to_owned(),
                    rule,
                    key,
                    pattern: p.clone(),
                    source,
                })
        })
        .collect()
}

/// The digest of the trust material a policy names: each key file's bytes and the trusted
/// root's (or the embedded snapshot's name).
fn trust_digest(loaded: &vouch_gate::Loaded, policy: &Path) -> Result<Digest, ConfigError> {
    let mut acc = Vec::new();
    let read = |what: &'static str, p: PathBuf, limit: u64| {
        fsread::read(&p, limit).map_err(|source| ConfigError::TrustFile {
            what,
            path: p.clone(),
            policy: policy.to_owned(),
            source,
        })
    };
    for k in &loaded.policy.trust.keys {
        let bytes = read("public key", loaded.base.join(k), vouch_gate::load::MAX_KEY)?;
        acc.extend_from_slice(Digest::sha256(&bytes).to_string().as_bytes());
        acc.push(b'\n');
    }
    match &loaded.policy.trust.trusted_root {
        Some(r) => {
            let bytes = read(
                "trusted root",
                loaded.base.join(r),
                vouch_gate::load::MAX_TRUSTED_ROOT,
            )?;
            acc.extend_from_slice(Digest::sha256(&bytes).to_string().as_bytes());
        }
        None => acc.extend_from_slice(loaded.trust_root.source().to_string().as_bytes()),
    }
    Ok(Digest::sha256(&acc))
}

fn policy_digest(loaded: &vouch_gate::Loaded) -> Digest {
    let mut acc = loaded.source.sha256.to_string();
    for (name, d) in &loaded.source.modules {
        acc.push('\n');
        acc.push_str(name);
        acc.push(' ');
        acc.push_str(&d.to_string());
    }
    Digest::sha256(acc.as_bytes())
}

impl Config {
    /// Reads and validates `path`; loads every policy it names (relative to its folder).
    /// `db` is the advisory database for policies with `[vulnerabilities]`.
    pub fn load(path: &Path, db: Option<&Path>) -> Result<Config, ConfigError> {
        let text =
            fsread::read_to_string(path, MAX_CONFIG).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
        Self::parse(path, &text, db)
    }

    /// [`Config::load`] over text already read; `path` names it and its folder is the base.
    pub fn parse(path: &Path, text: &str, db: Option<&Path>) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|source| ConfigError::Toml {
            path: path.to_owned(),
            source,
        })?;
        let deadline = match &raw.deadline {
            Some(v) => {
                let d = duration(path, "deadline", v)?;
                if d > MAX_DEADLINE {
                    return Err(ConfigError::DeadlineTooLong {
                        path: path.to_owned(),
                        value: v.clone(),
                    });
                }
                if d.is_zero() {
                    return Err(ConfigError::DeadlineZero {
                        path: path.to_owned(),
                        value: v.clone(),
                    });
                }
                d
            }
            None => DEFAULT_DEADLINE,
        };
        let (ttl, negative_ttl) = match &raw.cache {
            Some(c) => (
                match &c.ttl {
                    Some(v) => duration(path, "cache.ttl", v)?,
                    None => DEFAULT_TTL,
                },
                match &c.negative_ttl {
                    Some(v) => duration(path, "cache.negative-ttl", v)?,
                    None => DEFAULT_NEGATIVE_TTL,
                },
            ),
            None => (DEFAULT_TTL, DEFAULT_NEGATIVE_TTL),
        };
        if raw.rules.is_empty() {
            return Err(ConfigError::NoRules {
                path: path.to_owned(),
            });
        }
        let base = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut policies: BTreeMap<PathBuf, Arc<PolicyEntry>> = BTreeMap::new();
        let mut rules = Vec::new();
        for (i, r) in raw.rules.iter().enumerate() {
            let images = globs(path, i, "images", &r.images)?;
            let namespaces = match &r.namespaces {
                Some(n) => globs(path, i, "namespaces", n)?,
                None => globs(path, i, "namespaces", &["*".to_owned()])?,
            };
            let policy_path = base.join(&r.policy);
            let entry = match policies.get(&policy_path) {
                Some(e) => e.clone(),
                None => {
                    let loaded =
                        vouch_gate::load(&policy_path).map_err(|source| ConfigError::Policy {
                            path: path.to_owned(),
                            rule: i,
                            policy: policy_path.clone(),
                            source: Box::new(source),
                        })?;
                    for (on, key) in [
                        (loaded.policy.check, "check"),
                        (loaded.policy.secrets, "secrets"),
                    ] {
                        if on {
                            return Err(ConfigError::NeedsSourceTree {
                                path: path.to_owned(),
                                rule: i,
                                policy: policy_path.clone(),
                                key,
                            });
                        }
                    }
                    if loaded.policy.vulnerabilities.is_some() && db.is_none() {
                        return Err(ConfigError::NeedsDatabase {
                            path: path.to_owned(),
                            rule: i,
                            policy: policy_path.clone(),
                        });
                    }
                    let trust_digest = trust_digest(&loaded, &policy_path)?;
                    let e = Arc::new(PolicyEntry {
                        path: policy_path.clone(),
                        policy_digest: policy_digest(&loaded),
                        trust_digest,
                        loaded,
                    });
                    policies.insert(policy_path, e.clone());
                    e
                }
            };
            rules.push(Rule {
                images,
                namespaces,
                policy: entry,
                mode: r.mode.unwrap_or(Mode::Enforce),
                on_error: r.on_error.unwrap_or(OnError::Deny),
            });
        }
        Ok(Config {
            path: path.to_owned(),
            unmatched: raw.unmatched.unwrap_or(Unmatched::Deny),
            deadline,
            ttl,
            negative_ttl,
            rules,
            db: db.map(Path::to_owned),
        })
    }

    /// Whether any rule is fail-open (`on-error = "allow"`): the server says so at start-up.
    pub fn fail_open_rules(&self) -> Vec<usize> {
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.on_error == OnError::Allow)
            .map(|(i, _)| i)
            .collect()
    }
}
