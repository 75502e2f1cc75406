//! Secret scanning for vouch: rules, the matching engine, and scanners for a working tree, git
//! history, the staged index and stdin.
//!
//! One Aho-Corasick pass over a file's bytes picks the rules whose keywords occur; only those
//! rules' regexes run; each match then passes one filter stage ([`judge`]: placeholders,
//! templates, repeated characters, stop words, entropy, and for generic rules variable
//! references, paths, sequences and word-like values), whose reasons are [`NotASecret`].
//! Findings are [`vouch_report::Finding`]s whose message and properties carry only a redacted
//! form of the secret (see [`Secret::redacted`]).
//!
//! ```
//! use vouch_secrets::{Options, scan_bytes};
//! let token = format!("ghp_{}", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF2hJ4");
//! let text = format!("GITHUB_TOKEN={token}\n");
//! let outcome = scan_bytes(text.as_bytes(), "config.env", &Options::default()).unwrap();
//! assert_eq!(outcome.findings.len(), 1);
//! assert_eq!(outcome.findings[0].rule_id, "github-pat");
//! assert!(!outcome.findings[0].message.contains(&token));
//! ```
//!
//! Fingerprint scheme: the first 32 hex digits of
//! `sha256("vouch-secrets/v1" 0 rule-id 0 path 0 sha256-hex(secret))`. It does not contain the line
//! number or the commit, so a finding keeps its fingerprint when lines move, and the same secret
//! in the same file has one fingerprint across the working tree, the index and history.

mod config;
mod engine;
mod filter;
mod git;
mod rule;
mod secret;
mod walk;

use std::path::PathBuf;

pub use config::{AllowList, Baseline, BaselineEntry, ConfigError};
pub use engine::{ALLOW_MARKER, Match, Rejection, is_binary};
pub use filter::{NotASecret, judge};
pub use git::{scan_git_history, scan_staged};
pub use rule::{BUILTIN_RULES, Rule, RuleError, RuleSet};
pub use secret::Secret;
pub use walk::{scan_dir, scan_walked};

use sha2::{Digest as _, Sha256};
use vouch_report::{Finding, Location, Suppression};

/// `text` with every match of the built-in rules replaced by its redacted form
/// ([`Secret::redacted`]), inline `vouch:allow` markers or not. Error and warning messages that
/// quote a file (a parser's message, a line) pass through this before they are shown.
pub fn redact(text: &str) -> String {
    let mut matches = RuleSet::builtin().scan(text.as_bytes());
    if matches.is_empty() {
        return text.to_owned();
    }
    matches.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in &matches {
        if m.start < at {
            continue; // overlaps one already redacted
        }
        out.push_str(&String::from_utf8_lossy(&text.as_bytes()[at..m.start]));
        out.push_str(&m.secret.redacted());
        at = m.end;
    }
    out.push_str(&String::from_utf8_lossy(&text.as_bytes()[at..]));
    out
}

/// Files larger than this are skipped by default (10 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// How to scan.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files (and blobs) larger than this many bytes are skipped and counted.
    pub max_file_size: u64,
    /// Paths, secret regexes and fingerprints that are allowed.
    pub allow: AllowList,
    /// `--exclude` globs (gitignore syntax, relative to the root), the same builder as every
    /// walker's; applied to the walk and to paths in git history and the index.
    pub excludes: vouch_fs::walk::Excludes,
    /// Put the clear secret in each finding's `secret` property. Local triage only.
    pub show_secrets: bool,
    /// Worker threads; 0 picks the number of CPUs.
    pub threads: usize,
    /// The rules to use; `None` means the built-in rules minus `allow.disabled_rules`.
    pub rules: Option<std::sync::Arc<RuleSet>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            allow: AllowList::default(),
            excludes: vouch_fs::walk::Excludes::none(),
            show_secrets: false,
            threads: 0,
            rules: None,
        }
    }
}

impl Options {
    pub(crate) fn ruleset(&self) -> Result<std::borrow::Cow<'_, RuleSet>, ScanError> {
        if let Some(r) = &self.rules {
            return Ok(std::borrow::Cow::Borrowed(r));
        }
        let builtin = RuleSet::builtin();
        if self.allow.disabled_rules.is_empty() {
            Ok(std::borrow::Cow::Borrowed(builtin))
        } else {
            Ok(std::borrow::Cow::Owned(
                builtin
                    .without(&self.allow.disabled_rules)
                    .map_err(ScanError::Rules)?,
            ))
        }
    }

    pub(crate) fn threads(&self) -> usize {
        if self.threads == 0 {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        } else {
            self.threads
        }
    }
}

/// Counts of what a scan looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    pub commits_scanned: u64,
    pub blobs_scanned: u64,
    /// Findings left out because a baseline listed them (set by the caller that applies it).
    pub baselined: u64,
}

impl Stats {
    /// Adds `other`'s counts to these (scans of parts of one subject, such as an image's
    /// layers, summed into one).
    pub fn add(&mut self, other: &Stats) {
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.skipped_binary += other.skipped_binary;
        self.skipped_large += other.skipped_large;
        self.commits_scanned += other.commits_scanned;
        self.blobs_scanned += other.blobs_scanned;
        self.baselined += other.baselined;
    }
}

/// Something that could not be scanned; the scan went on without it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScanWarning {
    /// Path, or `commit:path` in history mode.
    pub subject: String,
    pub message: String,
}

impl std::fmt::Display for ScanWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.subject, self.message)
    }
}

/// What a scan found and what it looked at.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    /// Sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    pub stats: Stats,
    pub warnings: Vec<ScanWarning>,
}

impl ScanOutcome {
    /// Drop findings listed in `baseline`, counting them in [`Stats::baselined`].
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        let before = self.findings.len();
        self.findings.retain(|f| !baseline.contains(&f.fingerprint));
        self.stats.baselined += (before - self.findings.len()) as u64;
    }

    /// Findings by path, line, column and rule (a stable sort: equal keys keep their order),
    /// warnings by subject.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                (
                    f.location
                        .as_ref()
                        .map(|l| (l.path.clone(), l.line, l.column)),
                    f.rule_id.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        self.warnings.sort_by(|a, b| a.subject.cmp(&b.subject));
    }
}

/// Why a scan could not run at all. Per-file problems are [`ScanWarning`]s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    #[error("{path} does not exist or cannot be read")]
    Root {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not inside a git repository: {reason}")]
    NotARepository { path: PathBuf, reason: String },
    #[error("could not read git data of {path}: {what}")]
    Git { path: PathBuf, what: String },
    #[error("invalid rules")]
    Rules(#[source] RuleError),
    #[error("could not read stdin")]
    Stdin(#[source] std::io::Error),
    /// The path to scan is a single file that cannot be read (a FIFO, a device, too large).
    #[error(transparent)]
    File(vouch_fs::read::ReadError),
}

/// Where a match was found, for building its finding.
pub(crate) struct Origin<'a> {
    pub path: &'a str,
    pub commit: Option<&'a git::CommitInfo>,
}

/// The fingerprint of a secret at a path (see the crate docs for the scheme).
pub fn fingerprint(rule_id: &str, path: &str, secret: &Secret) -> String {
    let mut h = Sha256::new();
    h.update(b"vouch-secrets/v1\0");
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(secret.sha256_hex().as_bytes());
    secret::hex(&h.finalize()[..16])
}

pub(crate) fn to_finding(
    rules: &RuleSet,
    m: &Match,
    origin: &Origin<'_>,
    options: &Options,
) -> Finding {
    let rule = &rules.rules[m.rule];
    let redacted = m.secret.redacted();
    let mut message = format!("{}: {}", rule.description, redacted);
    if let Some(c) = origin.commit {
        message.push_str(&format!(" (introduced in {})", &c.id[..c.id.len().min(12)]));
    }
    let fp = fingerprint(&rule.id, origin.path, &m.secret);
    let mut f = Finding::new(&rule.id, rule.severity, message)
        .at(Location::new(origin.path)
            .line(m.line)
            .column(m.column)
            .end(m.end_line, m.end_column))
        .fingerprint(fp.clone())
        .remediation(
            "revoke and rotate this credential at its issuer, then remove it from the file \
             (and from git history if it was committed)",
        )
        .property("redacted", redacted);
    if let Some(c) = origin.commit {
        f = f
            .property("commit", c.id.clone())
            .property("commit_date", c.date.clone());
    }
    if options.show_secrets {
        // Inserted directly: `Finding::property` would redact URL credentials, and
        // `--show-secrets` asks for the clear value.
        f.properties.insert(
            "secret".to_owned(),
            String::from_utf8_lossy(m.secret.expose())
                .into_owned()
                .into(),
        );
    }
    if m.inline_allowed {
        f.suppressed = Some(Suppression {
            kind: "inline".into(),
            reason: "`vouch:allow` on the line".into(),
        });
    } else if options.allow.fingerprints.contains(&fp) {
        f.suppressed = Some(Suppression {
            kind: "allowlist".into(),
            reason: "fingerprint listed in the secrets config".into(),
        });
    } else if options
        .allow
        .regexes
        .iter()
        .any(|r| r.is_match(m.secret.expose()))
    {
        f.suppressed = Some(Suppression {
            kind: "allowlist".into(),
            reason: "secret matches an allow regex in the secrets config".into(),
        });
    }
    f
}

/// Scan one in-memory buffer (stdin, a single file) as if it were the file `path`.
pub fn scan_bytes(data: &[u8], path: &str, options: &Options) -> Result<ScanOutcome, ScanError> {
    let rules = options.ruleset()?;
    let mut outcome = ScanOutcome::default();
    if data.len() as u64 > options.max_file_size {
        outcome.stats.skipped_large += 1;
        return Ok(outcome);
    }
    if is_binary(data) {
        outcome.stats.skipped_binary += 1;
        return Ok(outcome);
    }
    outcome.stats.files_scanned = 1;
    outcome.stats.bytes_scanned = data.len() as u64;
    let origin = Origin { path, commit: None };
    outcome.findings = rules
        .scan(data)
        .iter()
        .map(|m| to_finding(&rules, m, &origin, options))
        .collect();
    outcome.sort();
    Ok(outcome)
}

/// Read `reader` (stdin) up to the size limit and scan it as the file `path` (e.g. `-`).
pub fn scan_reader(
    reader: impl std::io::Read,
    path: &str,
    options: &Options,
) -> Result<ScanOutcome, ScanError> {
    use std::io::Read as _;
    let mut data = Vec::new();
    reader
        .take(options.max_file_size.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(ScanError::Stdin)?;
    scan_bytes(&data, path, options)
}
