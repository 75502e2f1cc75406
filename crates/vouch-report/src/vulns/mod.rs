//! The result of matching components against an advisory database, as data for the renderers
//! (vouch-advisory fills it in; [`render`] writes it as a table, JSON, SARIF, CycloneDX or
//! GitLab's dependency-scanning report).

use serde::Serialize;

use crate::{Finding, Report, RuleMeta, Severity};

pub mod render;

/// The rule code of a match against a malicious-package record (`docs/rules/malicious-package.md`).
pub const MALICIOUS_RULE: &str = "malicious-package";

/// What a matched record says about the package: it has a vulnerability, or it **is**
/// malicious (an ossf/malicious-packages `MAL-` record or a record naming CWE-506: published to
/// do harm, with no fixed version to upgrade to).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    #[default]
    Vulnerability,
    Malicious,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Vulnerability => "vulnerability",
            MatchKind::Malicious => "malicious",
        }
    }
}

/// Whether the component is known to be affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "reason")]
pub enum MatchStatus {
    Affected,
    /// Could not evaluate; the reason.
    CouldNotEvaluate(String),
}

/// One CVSS (or other) severity entry of a matched record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rating {
    pub advisory: String,
    /// OSV severity type (`CVSS_V3`, `CVSS_V4`, `CVSS_V2`) or `database_specific`.
    pub kind: String,
    pub vector: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub severity: Severity,
}

/// The component a match is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedComponent {
    /// The ecosystem as vouch names it in JSON (`Npm`, `PyPi`, `Debian`).
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub purl: String,
    /// The file the component was found in (first evidence), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// One (merged) vulnerability of one component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnMatch {
    pub component: MatchedComponent,
    /// A vulnerability, or a malicious package (reported under [`MALICIOUS_RULE`], critical).
    pub kind: MatchKind,
    /// The primary id (see the module docs).
    pub id: String,
    /// Every merged advisory id, sorted.
    pub ids: Vec<String>,
    /// Aliases of the merged records that are not themselves stored ids, sorted.
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    pub severity: Severity,
    pub severity_source: String,
    pub ratings: Vec<Rating>,
    /// Fixed versions named by the affecting ranges.
    pub fixed: Vec<String>,
    #[serde(flatten)]
    pub status: MatchStatus,
    /// RustSec informational kind, when this is such an advisory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub informational: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    pub modified: String,
    pub references: Vec<String>,
    /// The finding reported for this match (suppression is recorded there).
    pub finding: Finding,
}

impl VulnMatch {
    /// The merged ids other than the primary one, then the aliases.
    pub fn other_ids(&self) -> impl Iterator<Item = &String> {
        self.ids
            .iter()
            .filter(|i| **i != self.id)
            .chain(self.aliases.iter())
    }
}

/// The result of matching.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchOutcome {
    pub matches: Vec<VulnMatch>,
    pub db_digest: String,
    pub components: usize,
    /// What could not be matched (OS packages of a release the database does not cover): the
    /// outcome is then incomplete, whatever the matches say (exit 2).
    pub not_checked: Vec<crate::NotChecked>,
}

impl MatchOutcome {
    /// The matches of one kind.
    pub fn of_kind(&self, kind: MatchKind) -> impl Iterator<Item = &VulnMatch> {
        self.matches.iter().filter(move |m| m.kind == kind)
    }

    /// A report with one rule per advisory and one finding per match; every malicious-package
    /// match shares the one rule [`MALICIOUS_RULE`].
    pub fn report(&self, tool: &str, version: &str) -> Report {
        let mut report = Report::new(tool, version);
        for m in &self.matches {
            if m.kind == MatchKind::Malicious {
                let mut rule =
                    RuleMeta::new(MALICIOUS_RULE, "Malicious package", Severity::Critical);
                rule.description = Some(
                    "The package version is named by a malicious-package record (ossf/malicious-packages `MAL-` or CWE-506): it was published to do harm. Remove it and treat machines that installed it as compromised.".into(),
                );
                rule.help_uri = Some(format!("docs/rules/{MALICIOUS_RULE}.md"));
                report.rules.push(rule);
                report.findings.push(m.finding.clone());
                continue;
            }
            let mut rule = RuleMeta::new(
                &m.id,
                m.summary
                    .clone()
                    .unwrap_or_else(|| format!("vulnerability {}", m.id)),
                m.severity,
            );
            rule.help_uri = m.references.first().cloned();
            report.rules.push(rule);
            report.findings.push(m.finding.clone());
        }
        report.rules.sort_by(|a, b| a.id.cmp(&b.id));
        report.rules.dedup_by(|a, b| a.id == b.id);
        report.not_checked.extend(self.not_checked.iter().cloned());
        report
    }
}

/// An ignore entry that matched a finding but has expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expired {
    pub id: String,
    pub purl: Option<String>,
    pub expires: String,
    pub reason: String,
}
