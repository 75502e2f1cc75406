//! Findings and how they are shown.
//!
//! A [`Finding`] is what a capability reports when it did its job and has something to say (a
//! denied rule, a matched advisory, a leaked secret). It is never an error. A [`Report`] groups the
//! findings of one run with the metadata of the rules that produced them, and renders to:
//!
//! - [`render::table`] for people (stdout),
//! - [`render::json`], vouch's own stable JSON,
//! - [`render::sarif`], SARIF 2.1.0 for code-scanning UIs,
//! - [`render::gitlab_code_quality`], GitLab's Code Quality report.
//!
//! ```
//! use vouch_report::{Finding, Location, Report, RuleMeta, Severity};
//! let mut report = Report::new("vouch", "0.1.0");
//! report.rules.push(RuleMeta::new("latest-tag", "Image uses a mutable tag", Severity::High));
//! report.findings.push(
//!     Finding::new("latest-tag", Severity::High, "FROM uses python:latest")
//!         .at(Location::new("Dockerfile").line(1).column(6)),
//! );
//! assert!(report.any_at_or_above(Severity::Medium));
//! let sarif = vouch_report::render::sarif(&report);
//! assert!(sarif.contains("\"version\": \"2.1.0\""));
//! ```

mod date;
pub mod gitlab_secrets;
pub mod ignore;
pub mod render;
pub mod sarif;
mod severity;
pub mod terminal;
pub mod verdict;
pub mod vulns;

pub use date::{Date, DateError};
pub use severity::{ParseSeverityError, Severity};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// Where a finding points: a file (relative to the scanned root, `/`-separated) and a position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end_column: Option<u32>,
}

impl Location {
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            line: None,
            column: None,
            end_line: None,
            end_column: None,
        }
    }
    #[must_use]
    pub fn line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }
    #[must_use]
    pub fn column(mut self, column: u32) -> Self {
        self.column = Some(column);
        self
    }
    #[must_use]
    pub fn end(mut self, line: u32, column: u32) -> Self {
        self.end_line = Some(line);
        self.end_column = Some(column);
        self
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule or diagnostic id, e.g. `dockerfile-latest-tag`; documented in `docs/rules/<id>.md`.
    pub rule_id: String,
    pub severity: Severity,
    /// One line, lower-case start allowed; must never contain a secret in clear. The builders
    /// ([`Finding::new`], [`Finding::remediation`], [`Finding::property`]) pass text through
    /// [`vouch_url::redact`], so URL credentials quoted from a scanned file never get here.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remediation: Option<String>,
    /// Stable identity of this finding across runs (for baselines and de-duplication).
    pub fingerprint: String,
    /// Set when an ignore entry, inline comment or VEX statement suppressed it; suppressed
    /// findings stay in JSON/SARIF output but never count toward failure.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub suppressed: Option<Suppression>,
    /// Capability-specific data (advisory aliases, commit, fixed versions...).
    #[serde(skip_serializing_if = "serde_json::Map::is_empty", default)]
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// Why a finding does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `inline`, `ignore-file`, `vex`, `baseline`...
    pub kind: String,
    pub reason: String,
}

impl Finding {
    /// A finding whose fingerprint is derived from rule, message and location. Call
    /// [`Finding::fingerprint`] to set a better one (e.g. one that survives line moves).
    ///
    /// The credentials of every URL in `message` are redacted ([`vouch_url::redact`]): this is
    /// the one place every capability's findings (built-in and user Rego rules, pinning,
    /// advisories, secrets) pass through, so no message reaches a renderer with them.
    pub fn new(rule_id: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        let mut finding = Self {
            rule_id: rule_id.into(),
            severity,
            message: redact_owned(message.into()),
            location: None,
            remediation: None,
            fingerprint: String::new(),
            suppressed: None,
            properties: serde_json::Map::new(),
        };
        finding.fingerprint = finding.default_fingerprint();
        finding
    }

    #[must_use]
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self.fingerprint = self.default_fingerprint();
        self
    }

    #[must_use]
    pub fn remediation(mut self, text: impl Into<String>) -> Self {
        self.remediation = Some(redact_owned(text.into()));
        self
    }

    #[must_use]
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = fingerprint.into();
        self
    }

    /// Set a property; URL credentials in its string values (nested ones too) are redacted.
    /// A value that must stay in clear (`--show-secrets`) is inserted into `properties`
    /// directly.
    #[must_use]
    pub fn property(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        let mut value = value.into();
        redact_json(&mut value);
        self.properties.insert(key.to_owned(), value);
        self
    }

    /// Whether this finding counts toward a failing exit code at `threshold`.
    pub fn counts_at(&self, threshold: Severity) -> bool {
        self.suppressed.is_none() && self.severity >= threshold
    }

    fn default_fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.rule_id.as_bytes());
        h.update([0]);
        h.update(self.message.as_bytes());
        h.update([0]);
        if let Some(loc) = &self.location {
            h.update(loc.path.as_bytes());
            h.update([0]);
            h.update(loc.line.unwrap_or(0).to_le_bytes());
        }
        let digest = h.finalize();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn redact_owned(text: String) -> String {
    match vouch_url::redact(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

/// Redact the URL credentials in every string of `value` (nested ones too), in place.
pub fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => *s = redact_owned(std::mem::take(s)),
        serde_json::Value::Array(a) => a.iter_mut().for_each(redact_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(redact_json),
        _ => {}
    }
}

/// What a rule is, for SARIF `tool.driver.rules` and help text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub default_severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub help_uri: Option<String>,
}

impl RuleMeta {
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        default_severity: Severity,
    ) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            default_severity,
            description: None,
            help_uri: None,
        }
    }
}

/// The findings of one run, with the rules behind them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tool: String,
    pub version: String,
    pub rules: Vec<RuleMeta>,
    pub findings: Vec<Finding>,
    /// What this run could not check. Not empty means the run is incomplete: it is never a
    /// pass (exit 2), and SARIF says `executionSuccessful: false` with one notification each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<NotChecked>,
}

/// A check, or one input of a check, that did not run: an unusable advisory database, a file
/// that could not be evaluated, a directory the walk could not open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotChecked {
    /// The check (`vulnerabilities`, `configuration`, `secrets`, `pinning`, `inventory`).
    pub check: String,
    /// The file or directory concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    /// Why it was not checked (lower case, no final period).
    pub reason: String,
}

impl NotChecked {
    pub fn new(check: impl Into<String>, path: Option<String>, reason: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            path,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for NotChecked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}: {p}: {}", self.check, self.reason),
            None => write!(f, "{}: {}", self.check, self.reason),
        }
    }
}

impl Report {
    pub fn new(tool: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            tool: tool.into(),
            version: version.into(),
            rules: Vec::new(),
            findings: Vec::new(),
            not_checked: Vec::new(),
        }
    }

    /// Whether any unsuppressed finding is at or above `threshold`.
    pub fn any_at_or_above(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.counts_at(threshold))
    }

    /// Sort findings into a stable order (path, line, column, rule, message) so output is
    /// byte-identical for the same input whatever order the work finished in.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            let key = |f: &Finding| {
                (
                    f.location
                        .as_ref()
                        .map(|l| (l.path.clone(), l.line, l.column)),
                    f.rule_id.clone(),
                    f.message.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        self.rules.dedup_by(|a, b| a.id == b.id);
    }
}
