//! The `vouch scan` umbrella as a library: which checks run over one tree (known
//! vulnerabilities, leaked secrets, configuration policy, pinning), what a repository's
//! `.vouch/scan.toml` may leave out, and one typed report in which whatever could not be
//! checked is a [`NotChecked`] (so the run can never come out as a silent pass), and package
//! names that resemble popular packages ([`typosquat`]).
//!
//! A composition over vouch-inventory, vouch-advisory, vouch-secrets, vouch-policy and
//! vouch-pin, beside vouch-gate. The caller (the binary, or a server) walks the tree once with
//! the one walker ([`vouch_fs::walk`]; it owns progress output) into a [`Walked`] that the
//! inventory and every `*_walked` check share, resolves the advisory database, reads the clock and
//! the repository's configuration files, then runs each check in [`Check::ALL`] order that
//! [`skipped`] does not leave out, and renders the [`Scan`] (see [`render`]).
//!
//! ```
//! use vouch_report::Report;
//! use vouch_scan::{Check, Config, skipped};
//! let config: Config =
//!     toml::from_str("[[skip]]\ncheck = \"pinning\"\nreason = \"images pinned by the platform\"\n")
//!         .unwrap();
//! assert_eq!(
//!     skipped(Check::Pinning, &[], &config).as_deref(),
//!     Some("skipped (.vouch/scan.toml: images pinned by the platform)")
//! );
//! assert_eq!(skipped(Check::Secrets, &[], &config), None);
//! let dir = tempfile::tempdir().unwrap();
//! let mut report = Report::new("vouch", "0.1.0");
//! let summary = vouch_scan::secrets(dir.path(), &[], &mut report).unwrap();
//! assert_eq!(summary.status, "complete");
//! ```

pub mod listing;
pub mod render;
pub mod sarif;
pub mod typosquat;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vouch_advisory::matching::VulnMatch;
use vouch_inventory::Inventory;
use vouch_report::{Finding, NotChecked, Report};

/// The checks of `vouch scan`, for `--skip` and `skip` in `.vouch/scan.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    Vulnerabilities,
    Secrets,
    Configuration,
    Pinning,
    /// Package names that resemble a popular package (`packages-typosquat`).
    Typosquats,
}

impl Check {
    /// Every check, in the order they run (and are listed in the table and the JSON).
    pub const ALL: [Check; 5] = [
        Check::Vulnerabilities,
        Check::Secrets,
        Check::Configuration,
        Check::Pinning,
        Check::Typosquats,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Check::Vulnerabilities => "vulnerabilities",
            Check::Secrets => "secrets",
            Check::Configuration => "configuration",
            Check::Pinning => "pinning",
            Check::Typosquats => "typosquats",
        }
    }
}

/// `<root>/.vouch/scan.toml`: what a repository asks `vouch scan` to skip (see docs/scan.md).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Globs (gitignore syntax, relative to the root) every check skips, added to `--exclude`.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Checks this repository does not run in `vouch scan`, each with the reason shown in every
    /// output format (never silently: the check is `skipped`, with the reason, and
    /// `--no-scan-config` runs it anyway).
    #[serde(default)]
    pub skip: Vec<Skip>,
}

/// One `[[skip]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skip {
    pub check: Check,
    pub reason: String,
}

/// Why `.vouch/scan.toml` cannot be used. (Its TOML is parsed by the caller, which reads
/// the file: `Config` is plain `serde`.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("invalid scan configuration {}: every `skip` entry needs a `reason`", path.display())]
    EmptyReason { path: PathBuf },
}

impl Skip {
    /// The reason, trimmed; an empty one is an error naming `path` (the config file).
    pub fn reason(&self, path: &Path) -> Result<&str, ConfigError> {
        let r = self.reason.trim();
        if r.is_empty() {
            return Err(ConfigError::EmptyReason {
                path: path.to_owned(),
            });
        }
        Ok(r)
    }
}

/// Why a check is left out, or `None` when it runs. The command line (`cli_skips`) wins over
/// the repository's file.
pub fn skipped(check: Check, cli_skips: &[Check], config: &Config) -> Option<String> {
    if cli_skips.contains(&check) {
        Some("skipped (--skip)".to_owned())
    } else {
        config
            .skip
            .iter()
            .find(|e| e.check == check)
            .map(|e| format!("skipped (.vouch/scan.toml: {})", e.reason.trim()))
    }
}

/// What one check said, for the summary and the JSON output.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckSummary {
    pub check: &'static str,
    /// `complete`, `incomplete` (ran, but some inputs could not be checked), `not checked`
    /// (could not run) or `skipped` (`--skip`, `.vouch/scan.toml`).
    pub status: &'static str,
    pub note: String,
    /// Unsuppressed findings.
    pub findings: usize,
    /// Suppressed findings (counted, listed only with `--show-suppressed`).
    pub suppressed: usize,
}

impl CheckSummary {
    fn new(check: &'static str, note: String, findings: &[Finding], not_checked: usize) -> Self {
        let suppressed = findings.iter().filter(|f| f.suppressed.is_some()).count();
        Self {
            check,
            status: if not_checked == 0 {
                "complete"
            } else {
                "incomplete"
            },
            note,
            findings: findings.len() - suppressed,
            suppressed,
        }
    }

    fn not_run(check: &'static str, status: &'static str, note: String) -> Self {
        Self {
            check,
            status,
            note,
            findings: 0,
            suppressed: 0,
        }
    }

    /// A check left out, with why (see [`skipped`]).
    pub fn skipped(check: Check, note: String) -> Self {
        Self::not_run(check.as_str(), "skipped", note)
    }

    /// True when the check ran (complete or incomplete).
    pub fn ran(&self) -> bool {
        matches!(self.status, "complete" | "incomplete")
    }
}

/// Why a check could not run at all (exit 2 before any output).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    #[error("could not load the secrets config")]
    SecretsConfig(#[source] vouch_secrets::ConfigError),
    #[error("invalid --exclude")]
    Exclude(#[source] vouch_secrets::ConfigError),
    #[error("cannot scan {} for secrets", root.display())]
    Secrets {
        root: PathBuf,
        #[source]
        source: vouch_secrets::ScanError,
    },
    #[error("cannot check the configuration files in {}", root.display())]
    Configuration {
        root: PathBuf,
        #[source]
        source: vouch_policy::CheckError,
    },
    #[error("invalid --exclude pattern: {0}")]
    ExcludePattern(String),
}

/// The inventory's warnings that mean something was not checked: walk errors always, every
/// warning with `strict` (the components of those files are missing, so the vulnerability
/// check did not see them).
pub fn inventory_not_checked(inventory: &Inventory, strict: bool, report: &mut Report) {
    for w in &inventory.warnings {
        if strict || vouch_inventory::walk::is_walk_error(w) {
            report.not_checked.push(NotChecked::new(
                "inventory",
                Some(w.path.clone()),
                match w.line {
                    Some(l) => format!("line {l}: {}", w.message),
                    None => w.message.clone(),
                },
            ));
        }
    }
}

/// Known vulnerabilities of the inventory's components from the database at `db_path`;
/// `suppress` applies VEX and ignore entries to the matches (the caller warns about expired
/// entries). Any failure to open or match (missing, empty, corrupt, unreadable database) means
/// the check could not run: it is a [`NotChecked`], never clean.
pub fn vulnerabilities(
    db_path: &Path,
    inventory: &Inventory,
    report: &mut Report,
    suppress: impl FnOnce(&mut [VulnMatch]),
) -> CheckSummary {
    const CHECK: &str = "vulnerabilities";
    let matched = if db_path.is_file() {
        vouch_advisory::Database::open(db_path)
            .map_err(|e| chain(&e))
            .and_then(|db| {
                db.match_components(
                    &inventory.components,
                    inventory.distro.as_ref(),
                    &Default::default(),
                )
                .map_err(|e| chain(&e))
            })
            .map_err(|e| {
                format!(
                    "cannot use the advisory database {}: {e}",
                    db_path.display()
                )
            })
    } else {
        Err(format!(
            "no advisory database at {} (run `vouch db update` or `vouch db import PATH`, pass --db, or --skip vulnerabilities)",
            db_path.display()
        ))
    };
    let mut outcome = match matched {
        Ok(o) => o,
        Err(reason) => {
            report
                .not_checked
                .push(NotChecked::new(CHECK, None, reason.clone()));
            return CheckSummary::not_run(CHECK, "not checked", format!("not checked: {reason}"));
        }
    };
    suppress(&mut outcome.matches);
    let vulns = outcome.report(&report.tool, &report.version);
    // Malicious-package matches are findings of this check too (rule `malicious-package`);
    // the note counts them apart from vulnerabilities.
    let malicious = outcome
        .of_kind(vouch_advisory::matching::MatchKind::Malicious)
        .filter(|m| m.finding.suppressed.is_none())
        .count();
    let summary = CheckSummary::new(
        CHECK,
        format!(
            "database {} (digest {}){}",
            db_path.display(),
            outcome.db_digest,
            match malicious {
                0 => String::new(),
                1 => "; 1 malicious package".to_owned(),
                n => format!("; {n} malicious packages"),
            }
        ),
        &vulns.findings,
        vulns.not_checked.len(),
    );
    report.findings.extend(vulns.findings);
    report.rules.extend(vulns.rules);
    // OS packages of a release the database does not cover: not checked, never clean.
    report.not_checked.extend(vulns.not_checked);
    summary
}

/// An error and its causes, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

/// Leaked secrets under `root`, honouring its `.vouch/secrets.toml` and `excludes`. A file or
/// directory the scan could not read was not checked.
pub fn secrets(
    root: &Path,
    excludes: &[String],
    report: &mut Report,
) -> Result<CheckSummary, ScanError> {
    let mut options = secrets_options(root)?;
    options.excludes = vouch_fs::walk::Excludes::new(excludes)
        .map_err(|e| ScanError::ExcludePattern(format!("`{}`: {}", e.pattern, e.reason())))?;
    let outcome = vouch_secrets::scan_dir(root, &options).map_err(|source| ScanError::Secrets {
        root: root.to_owned(),
        source,
    })?;
    Ok(secrets_summary(outcome, report))
}

/// [`secrets`] over the shared walk of `root` (its excludes were applied by the walk).
pub fn secrets_walked(
    root: &Path,
    walked: &Walked,
    report: &mut Report,
) -> Result<CheckSummary, ScanError> {
    let options = secrets_options(root)?;
    let outcome =
        vouch_secrets::scan_walked(&walked.tree, &walked.walk, &options).map_err(|source| {
            ScanError::Secrets {
                root: root.to_owned(),
                source,
            }
        })?;
    Ok(secrets_summary(outcome, report))
}

/// The options of the secrets check: `root`'s `.vouch/secrets.toml` allow-list, if any.
fn secrets_options(root: &Path) -> Result<vouch_secrets::Options, ScanError> {
    // `.vouch/secrets.toml` through the one `.vouch/` lookup: absent is the default list;
    // something there that is not a regular file inside the repository is an error.
    let allow = vouch_secrets::AllowList::load_repo(root).map_err(ScanError::SecretsConfig)?;
    Ok(vouch_secrets::Options {
        allow,
        ..Default::default()
    })
}

/// Adds a secrets scan's findings and what it could not scan to `report` (for an image, whose
/// scan the caller ran while the layers streamed).
pub fn secrets_summary(outcome: vouch_secrets::ScanOutcome, report: &mut Report) -> CheckSummary {
    for w in &outcome.warnings {
        report.not_checked.push(NotChecked::new(
            "secrets",
            Some(w.subject.clone()),
            w.message.clone(),
        ));
    }
    let mut note = format!("{} files scanned", outcome.stats.files_scanned);
    if !outcome.warnings.is_empty() {
        note.push_str(&format!(", {} not scanned", outcome.warnings.len()));
    }
    let summary = CheckSummary::new("secrets", note, &outcome.findings, outcome.warnings.len());
    report.findings.extend(outcome.findings);
    summary
}

/// One walk of the scanned directory, shared by every check of `vouch scan` (the inventory,
/// secrets, configuration and pinning): the tree is walked once and each check takes the
/// entries it wants.
#[derive(Debug)]
pub struct Walked {
    pub tree: vouch_fs::walk::DirTree,
    pub walk: vouch_fs::walk::Walk,
}

/// Configuration policy (`vouch check`) over `root`; `today` for ignore-entry expiry. A file
/// that could not be evaluated, or a directory the walk could not open, was not checked.
pub fn configuration(
    root: &Path,
    excludes: &[String],
    ignore_file: Option<&Path>,
    today: vouch_policy::Date,
    report: &mut Report,
) -> Result<CheckSummary, ScanError> {
    let mut options = vouch_policy::Options::new(today);
    options.excludes = excludes.to_vec();
    options.ignore_file = ignore_file.map(Path::to_path_buf);
    let outcome =
        vouch_policy::check_dir(root, &options).map_err(|source| ScanError::Configuration {
            root: root.to_owned(),
            source,
        })?;
    Ok(configuration_summary(outcome, report))
}

/// [`configuration`] over the shared walk of `root` (its excludes were applied by the walk).
pub fn configuration_walked(
    root: &Path,
    walked: &Walked,
    ignore_file: Option<&Path>,
    today: vouch_policy::Date,
    report: &mut Report,
) -> Result<CheckSummary, ScanError> {
    let mut options = vouch_policy::Options::new(today);
    options.ignore_file = ignore_file.map(Path::to_path_buf);
    configuration_walked_with(root, walked, &options, report)
}

/// [`configuration_walked`] with every policy option given (`--values` files for Helm charts).
pub fn configuration_walked_with(
    root: &Path,
    walked: &Walked,
    options: &vouch_policy::Options,
    report: &mut Report,
) -> Result<CheckSummary, ScanError> {
    let outcome = vouch_policy::check_walked(root, &walked.tree, &walked.walk, options).map_err(
        |source| ScanError::Configuration {
            root: root.to_owned(),
            source,
        },
    )?;
    Ok(configuration_summary(outcome, report))
}

/// Adds a configuration check's findings and what it could not evaluate to `report` (for an
/// image, checked by `vouch_policy::check_image`).
pub fn configuration_summary(
    outcome: vouch_policy::CheckOutcome,
    report: &mut Report,
) -> CheckSummary {
    for e in &outcome.errors {
        report.not_checked.push(NotChecked::new(
            "configuration",
            Some(e.path.clone()),
            e.message.clone(),
        ));
    }
    // Parts of charts and overlays left out (remote bases, subchart archives).
    for n in &outcome.not_checked {
        report.not_checked.push(NotChecked::new(
            "configuration",
            Some(n.path.clone()),
            n.reason.clone(),
        ));
    }
    let note = if outcome.errors.is_empty() {
        format!("{} files checked", outcome.files_checked)
    } else {
        format!(
            "{} files checked, {} could not be evaluated",
            outcome.files_checked,
            outcome.errors.len()
        )
    };
    let summary = CheckSummary::new(
        "configuration",
        note,
        &outcome.findings,
        outcome.errors.len() + outcome.not_checked.len(),
    );
    report.findings.extend(outcome.findings);
    report.rules.extend(outcome.rules);
    summary
}

/// Unpinned image, action, include and hook references (offline: discovery only, see
/// docs/pin.md). A file that cannot be read or parsed was not checked.
pub fn pinning(
    root: &Path,
    excludes: &[String],
    report: &mut Report,
) -> Result<CheckSummary, ScanError> {
    let excludes = vouch_policy::excludes(excludes).map_err(ScanError::ExcludePattern)?;
    let tree = vouch_pin::walk::walk_excluding(root, &excludes);
    Ok(pinning_summary(root, &tree, report))
}

/// [`pinning`] over the shared walk of `root` (its excludes were applied by the walk).
pub fn pinning_walked(root: &Path, walked: &Walked, report: &mut Report) -> CheckSummary {
    pinning_summary(
        root,
        &vouch_pin::walk::walked(&walked.tree, root, &walked.walk),
        report,
    )
}

/// `root/sources.lock` (the downloads `vouch pin` recorded), when `root` is a folder holding
/// one. A lock that cannot be read or parsed is reported as not checked, and the downloads are
/// then judged without it (each unverified one is a finding: never a silent pass).
fn sources_lock(root: &Path, report: &mut Report) -> vouch_pin::sources::Sources {
    let path = root.join(vouch_pin::sources::FILE_NAME);
    if !root.is_dir() || std::fs::symlink_metadata(&path).is_err() {
        return vouch_pin::sources::Sources::default();
    }
    let parsed = vouch_fs::read::read_to_string_in_root(root, &path, 8 * 1024 * 1024)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            let lock = vouch_pin::sources::Sources::parse(&text).map_err(|e| e.to_string())?;
            lock.check().map_err(|e| e.to_string())?;
            Ok(lock)
        });
    match parsed {
        Ok(lock) => lock,
        Err(reason) => {
            report.not_checked.push(NotChecked::new(
                "pinning",
                None,
                format!("{reason} (downloads judged without sources.lock)"),
            ));
            vouch_pin::sources::Sources::default()
        }
    }
}

fn pinning_summary(root: &Path, tree: &vouch_pin::walk::Tree, report: &mut Report) -> CheckSummary {
    for e in &tree.errors {
        report.not_checked.push(NotChecked::new(
            "pinning",
            None,
            format!("{e} (references not checked)"),
        ));
    }
    let sources = sources_lock(root, report);
    let (findings, folded) = fold_into_configuration(
        vouch_pin::report::unpinned_findings_with(tree, &sources),
        report,
    );
    let mut note = if tree.errors.is_empty() {
        format!("{} files with references", tree.files.len())
    } else {
        format!(
            "{} files with references, {} could not be read or parsed",
            tree.files.len(),
            tree.errors.len()
        )
    };
    if folded > 0 {
        note.push_str(&format!(
            ", {folded} unpinned reported by the configuration rules"
        ));
    }
    let summary = CheckSummary::new("pinning", note, &findings, tree.errors.len());
    let downloads = findings
        .iter()
        .any(|f| f.rule_id == vouch_pin::report::DOWNLOAD);
    report.findings.extend(findings);
    report.rules.push(vouch_pin::report::rule());
    if downloads {
        report.rules.push(vouch_pin::report::download_rule());
    }
    summary
}

/// Configuration rules that report an unpinned image, action or include: the same fact as the
/// pinning check's `unpinned-reference`.
pub const PINNING_RULES: &[&str] = &[
    "dockerfile-add-remote-url",
    "dockerfile-base-not-pinned",
    "dockerfile-download-no-checksum",
    "github-action-not-pinned",
    "github-image-not-pinned",
    "gitlab-image-not-pinned",
    "gitlab-include-unpinned",
    "workload-image-not-pinned",
];

/// Each unpinned reference is reported once. Where a configuration rule of [`PINNING_RULES`]
/// already reports it (same file and line), that finding stays (its rule id says what kind of
/// reference it is, and its suppressions, inline, ignore-file or a peer's pragma, apply), and
/// it takes the pinning check's information as its `pinning` property (the reference and the
/// `vouch pin` remedy); the `unpinned-reference` finding goes. References no configuration rule
/// covers (pre-commit hooks, compose files when not checked, a skipped configuration check)
/// keep their `unpinned-reference` finding. Returns the findings kept and how many folded.
pub fn fold_into_configuration(pin: Vec<Finding>, report: &mut Report) -> (Vec<Finding>, usize) {
    let at = |f: &Finding| f.location.as_ref().map(|l| (l.path.clone(), l.line));
    let mut kept = Vec::new();
    let mut folded = 0;
    for p in pin {
        let place = at(&p);
        let mut matched = false;
        for c in report.findings.iter_mut().filter(|c| {
            PINNING_RULES.contains(&c.rule_id.as_str()) && place.is_some() && at(c) == place
        }) {
            matched = true;
            let info = serde_json::json!({
                "rule_id": p.rule_id,
                "reference": p.properties.get("reference"),
                "remediation": p.remediation,
            });
            c.properties.insert("pinning".to_owned(), info);
        }
        if matched {
            folded += 1;
        } else {
            kept.push(p);
        }
    }
    (kept, folded)
}

/// A finished scan: the inventory, what each check said, and every finding and not-checked
/// item in one report.
#[derive(Debug)]
pub struct Scan {
    pub inventory: Inventory,
    pub checks: Vec<CheckSummary>,
    pub report: Report,
    /// The excludes every check used (`--exclude` and `.vouch/scan.toml`).
    pub excludes: Vec<String>,
}

/// The inventory part of the JSON output.
#[derive(Debug, serde::Serialize)]
struct InventorySummary<'a> {
    components: usize,
    per_ecosystem: BTreeMap<String, usize>,
    files: &'a [vouch_inventory::SourceFile],
    warnings: &'a [vouch_inventory::Warning],
    /// npm packages that run install scripts (`install_scripts`) or are fetched from outside
    /// the allowed registries (`outside_registries`): see [`listing`].
    #[serde(flatten)]
    listing: listing::Listing,
}

/// The `--format json` document.
#[derive(Debug, serde::Serialize)]
struct JsonScan<'a> {
    subject: &'a str,
    distro: &'a Option<vouch_inventory::Distro>,
    inventory: InventorySummary<'a>,
    complete: bool,
    checks: &'a [CheckSummary],
    not_checked: &'a [NotChecked],
    excludes: &'a [String],
    findings: &'a [Finding],
}

impl Scan {
    /// The npm packages with install scripts or from outside the default allowed registries
    /// (`vouch scan` has no `--allowed-registry`; its configuration check uses the defaults).
    pub fn listing(&self) -> listing::Listing {
        listing::list(&self.inventory, &[])
    }

    /// True when everything was checked.
    pub fn complete(&self) -> bool {
        self.report.not_checked.is_empty()
    }

    /// The JSON document of `vouch scan --format json`, with URL credentials redacted
    /// (warnings and notes quote file content).
    pub fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        let inv = &self.inventory;
        let doc = JsonScan {
            subject: &inv.subject,
            distro: &inv.distro,
            inventory: InventorySummary {
                components: inv.components.len(),
                per_ecosystem: inv
                    .counts()
                    .into_iter()
                    .map(|(e, n)| (e.as_str().to_owned(), n))
                    .collect(),
                files: &inv.files,
                warnings: &inv.warnings,
                listing: self.listing(),
            },
            complete: self.complete(),
            checks: &self.checks,
            not_checked: &self.report.not_checked,
            excludes: &self.excludes,
            findings: &self.report.findings,
        };
        let mut value = serde_json::to_value(&doc)?;
        vouch_report::redact_json(&mut value);
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn the_command_line_wins_over_the_file() {
        let c = config("[[skip]]\ncheck = \"secrets\"\nreason = \" fixtures \"\n").unwrap();
        assert_eq!(
            skipped(Check::Secrets, &[], &c).as_deref(),
            Some("skipped (.vouch/scan.toml: fixtures)")
        );
        assert_eq!(
            skipped(Check::Secrets, &[Check::Secrets], &c).as_deref(),
            Some("skipped (--skip)")
        );
        assert_eq!(skipped(Check::Pinning, &[], &c), None);
    }

    #[test]
    fn unknown_fields_and_an_empty_reason_are_refused() {
        assert!(config("exclude = []\nbogus = 1\n").is_err());
        assert!(config("[[skip]]\ncheck = \"everything\"\nreason = \"r\"\n").is_err());
        let c = config("[[skip]]\ncheck = \"pinning\"\nreason = \"  \"\n").unwrap();
        let err = c.skip[0]
            .reason(Path::new("r/.vouch/scan.toml"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid scan configuration r/.vouch/scan.toml: every `skip` entry needs a `reason`"
        );
    }

    #[test]
    fn a_missing_database_is_not_checked_never_clean() {
        let d = tempfile::tempdir().unwrap();
        let inv = Inventory::build("t", None, vec![], vec![]);
        let mut report = Report::new("vouch", "0.1.0");
        let s = vulnerabilities(&d.path().join("none.sqlite"), &inv, &mut report, |_| {
            panic!("nothing to suppress")
        });
        assert_eq!(s.status, "not checked");
        assert!(!s.ran());
        assert_eq!(report.not_checked.len(), 1);
    }

    #[test]
    fn checks_run_over_a_tree_and_report_findings() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("Dockerfile"),
            "FROM python:latest\nUSER app\n",
        )
        .unwrap();
        let mut report = Report::new("vouch", "0.1.0");
        let today = "2026-01-01".parse().unwrap();
        let c = configuration(d.path(), &[], None, today, &mut report).unwrap();
        assert_eq!(c.status, "complete");
        assert!(c.findings > 0);
        std::fs::write(
            d.path().join(".pre-commit-config.yaml"),
            "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n",
        )
        .unwrap();
        let p = pinning(d.path(), &[], &mut report).unwrap();
        assert_eq!((p.check, p.status), ("pinning", "complete"));
        // the base image is the configuration rule's finding; the hook rev no rule covers
        assert_eq!(p.findings, 1, "{p:?}");
        let unpinned: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == "unpinned-reference")
            .map(|f| f.location.as_ref().unwrap().path.as_str())
            .collect();
        assert_eq!(unpinned, [".pre-commit-config.yaml"]);
        let scan = Scan {
            inventory: Inventory::build("t", None, vec![], vec![]),
            checks: vec![
                c,
                p,
                CheckSummary::skipped(Check::Secrets, "skipped (--skip)".into()),
            ],
            report,
            excludes: vec![],
        };
        let v = scan.to_json().unwrap();
        assert_eq!(v["complete"], true);
        assert_eq!(v["checks"][2]["status"], "skipped");
        assert!(v["findings"].as_array().is_some_and(|f| !f.is_empty()));
    }

    #[test]
    fn every_check_shares_one_walk_and_sees_the_same_files() {
        use vouch_fs::walk::{DirTree, Excludes, Tree as _};
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("deploy")).unwrap();
        std::fs::write(r.join(".gitignore"), "deploy/\n").unwrap();
        std::fs::write(
            r.join("deploy/Dockerfile"),
            format!("FROM python:latest\nENV K=AKIA{}\n", "Z7Q3LNV5R2XKD4PW"),
        )
        .unwrap();
        std::fs::write(r.join("deploy/requirements.txt"), "requests==2.31.0\n").unwrap();
        let tree = DirTree::open(r, Excludes::none()).unwrap();
        let walk = tree.walk();
        let walked = Walked { tree, walk };
        let inv = vouch_inventory::walk::inventory_walked(
            &walked.tree,
            &walked.walk,
            "t",
            &Default::default(),
            &vouch_inventory::walk::Silent,
        );
        let mut report = Report::new("vouch", "0.1.0");
        let today = "2026-01-01".parse().unwrap();
        let s = secrets_walked(r, &walked, &mut report).unwrap();
        let c = configuration_walked(r, &walked, None, today, &mut report).unwrap();
        let p = pinning_walked(r, &walked, &mut report);
        assert_eq!(
            walked.tree.walks(),
            1,
            "one walk for the inventory and every check"
        );
        assert_eq!(inv.files.len(), 1);
        assert_eq!(s.note, "3 files scanned");
        // FROM python:latest: reported once, by dockerfile-base-not-pinned (with the pinning
        // check's information), not again as unpinned-reference
        assert_eq!((s.findings, c.status, p.findings), (1, "complete", 0));
        assert_eq!(
            p.note,
            "1 files with references, 1 unpinned reported by the configuration rules"
        );
        let base = report
            .findings
            .iter()
            .find(|f| f.rule_id == "dockerfile-base-not-pinned")
            .unwrap();
        assert_eq!(base.properties["pinning"]["rule_id"], "unpinned-reference");
        assert_eq!(base.properties["pinning"]["reference"], "python:latest");
        let mut by_check: Vec<(&str, &str)> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == "aws-access-key-id" || f.rule_id == "dockerfile-latest-tag")
            .chain(
                report
                    .findings
                    .iter()
                    .filter(|f| f.rule_id == "unpinned-reference"),
            )
            .map(|f| {
                (
                    f.rule_id.as_str(),
                    f.location.as_ref().map_or("", |l| l.path.as_str()),
                )
            })
            .collect();
        by_check.sort();
        assert_eq!(
            by_check,
            [
                ("aws-access-key-id", "deploy/Dockerfile"),
                ("dockerfile-latest-tag", "deploy/Dockerfile"),
            ]
        );
        // The standalone entry points walk on their own, by the same rules; without the
        // configuration check, the pinning check reports the reference itself.
        let mut alone = Report::new("vouch", "0.1.0");
        let s2 = secrets(r, &[], &mut alone).unwrap();
        let p2 = pinning(r, &[], &mut alone).unwrap();
        assert_eq!(s2.note, s.note);
        assert_eq!(
            (p2.note.as_str(), p2.findings),
            ("1 files with references", 1)
        );
        assert_eq!(
            alone
                .findings
                .iter()
                .filter(|f| f.rule_id == "unpinned-reference")
                .count(),
            1
        );
    }
}
