//! `vouch scan`: the umbrella command. One run inventories PATH and runs every check that
//! applies to it: known vulnerabilities, leaked secrets, configuration policy and pinning. Each
//! check's findings go into one report. Whatever could not be checked (no usable advisory
//! database, a file a check could not evaluate, a directory the walk could not open) is a
//! [`NotChecked`] in the report: listed in the table, the JSON and SARIF `invocations`, and the
//! run exits 2, never a silent pass. `--skip CHECK` is the explicit way to leave a check out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context as _;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use vouch_inventory::Inventory;
use vouch_report::{Finding, NotChecked, Report, Severity};

use crate::cli::{ScanArgs, ScanCheck, ScanFormat};
use crate::exit::ExitStatus;

/// What each check said, for the summary and the JSON output.
#[derive(Debug, serde::Serialize)]
struct CheckSummary {
    check: &'static str,
    /// `complete`, `incomplete` (ran, but some inputs could not be checked), `not checked`
    /// (could not run) or `skipped` (`--skip`).
    status: &'static str,
    note: String,
    /// Unsuppressed findings.
    findings: usize,
    /// Suppressed findings (counted, listed only with `--show-suppressed`).
    suppressed: usize,
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
}

/// `<root>/.vouch/scan.toml`: what a repository asks `vouch scan` to skip (see docs/scan.md).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanConfig {
    /// Globs (gitignore syntax, relative to the root) every check skips, added to `--exclude`.
    #[serde(default)]
    exclude: Vec<String>,
    /// Checks this repository does not run in `vouch scan`, each with the reason shown in every
    /// output format (never silently: the check is `skipped`, with the reason, and
    /// `--no-scan-config` runs it anyway).
    #[serde(default)]
    skip: Vec<SkipEntry>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipEntry {
    check: ScanCheck,
    reason: String,
}

fn load_config(root: &Path) -> anyhow::Result<ScanConfig> {
    // The repository's own file: a regular file inside `root`, and errors never quote it.
    let Some((path, text)) = crate::files::read_config(root, "scan.toml", "scan configuration")?
    else {
        return Ok(ScanConfig::default());
    };
    crate::files::parse_toml(&path, &text).context("invalid scan configuration")
}

pub fn run(mut args: ScanArgs) -> anyhow::Result<ExitStatus> {
    let fail_on: Severity = args.fail_on.parse()?;
    let config = if args.no_scan_config {
        ScanConfig::default()
    } else {
        load_config(&args.path)?
    };
    if !config.exclude.is_empty() {
        eprintln!(
            "note: .vouch/scan.toml excludes {} from every check",
            config.exclude.join(", ")
        );
        args.walk.exclude.extend(config.exclude.iter().cloned());
    }
    for e in &config.skip {
        if e.reason.trim().is_empty() {
            anyhow::bail!(
                "invalid scan configuration {}: every `skip` entry needs a `reason`",
                args.path.join(".vouch/scan.toml").display()
            );
        }
        if !args.skip.contains(&e.check) {
            eprintln!(
                "note: .vouch/scan.toml skips the {} check: {}",
                check_name(e.check),
                e.reason.trim()
            );
        }
    }
    let inventory = crate::inventory::collect_all(&args.path, &args.walk.exclude)?;
    let mut report = Report::new("vouch", env!("CARGO_PKG_VERSION"));
    // Walk errors always, and with --strict every other inventory warning: the components of
    // those files are missing, so the vulnerability check did not see them.
    for w in &inventory.warnings {
        if args.walk.strict || vouch_inventory::walk::is_walk_error(w) {
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
    // Who asked for a check to be left out: the command line wins over the repository's file.
    let skipped = |c: ScanCheck| -> Option<String> {
        if args.skip.contains(&c) {
            Some("skipped (--skip)".to_owned())
        } else {
            config
                .skip
                .iter()
                .find(|e| e.check == c)
                .map(|e| format!("skipped (.vouch/scan.toml: {})", e.reason.trim()))
        }
    };
    // In this order: the table and the JSON list the checks as they ran.
    let checks = vec![
        match skipped(ScanCheck::Vulnerabilities) {
            Some(note) => skip_summary("vulnerabilities", note),
            None => vulnerabilities(&args, &inventory, &mut report)?,
        },
        match skipped(ScanCheck::Secrets) {
            Some(note) => skip_summary("secrets", note),
            None => secrets(&args.path, &args.walk.exclude, &mut report)?,
        },
        match skipped(ScanCheck::Configuration) {
            Some(note) => skip_summary("configuration", note),
            None => policy(&args, &mut report)?,
        },
        match skipped(ScanCheck::Pinning) {
            Some(note) => skip_summary("pinning", note),
            None => pinning(&args.path, &args.walk.exclude, &mut report)?,
        },
    ];
    report.sort();

    for n in &report.not_checked {
        eprintln!("error: not checked: {n}");
    }
    let failed = report.any_at_or_above(fail_on);
    let text = match args.format {
        ScanFormat::Json => {
            let mut value = serde_json::json!({
                "subject": inventory.subject,
                "distro": inventory.distro,
                "inventory": {
                    "components": inventory.components.len(),
                    "per_ecosystem": inventory.counts().into_iter()
                        .map(|(e, n)| (e.as_str().to_owned(), n)).collect::<BTreeMap<_, _>>(),
                    "files": inventory.files,
                    "warnings": inventory.warnings,
                },
                "complete": report.not_checked.is_empty(),
                "checks": checks,
                "not_checked": report.not_checked,
                "excludes": args.walk.exclude,
                "findings": report.findings,
            });
            // Warnings and notes quote file content: no URL credentials in them either.
            vouch_report::redact_json(&mut value);
            serde_json::to_string_pretty(&value)? + "\n"
        }
        ScanFormat::Sarif => vouch_report::render::sarif(&report),
        ScanFormat::Table => {
            table_text(&inventory, &checks, &report, fail_on, args.show_suppressed)
        }
    };
    crate::output::write(None, text.as_bytes())?;
    Ok(if !report.not_checked.is_empty() {
        ExitStatus::Error
    } else if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn check_name(c: ScanCheck) -> &'static str {
    match c {
        ScanCheck::Vulnerabilities => "vulnerabilities",
        ScanCheck::Secrets => "secrets",
        ScanCheck::Configuration => "configuration",
        ScanCheck::Pinning => "pinning",
    }
}

fn skip_summary(check: &'static str, note: String) -> CheckSummary {
    CheckSummary::not_run(check, "skipped", note)
}

fn vulnerabilities(
    args: &ScanArgs,
    inventory: &Inventory,
    report: &mut Report,
) -> anyhow::Result<CheckSummary> {
    const CHECK: &str = "vulnerabilities";
    let path = crate::commands::db::resolve(&args.db)?;
    // Suppressions first: a bad VEX document or ignore file is a usage error (exit 2 before
    // any output), as in `vouch vulns`.
    let supp = match &args.ignore_file {
        Some(p) => super::vulns::suppressions(&args.vex, super::vulns::IgnoreSource::File(p))?,
        None => super::vulns::suppressions(
            &args.vex,
            super::vulns::IgnoreSource::Repository(&args.path),
        )?,
    };
    // Any failure to open or match (missing, empty, corrupt, unreadable database) means the
    // check could not run: it is reported as not checked, never as clean.
    let matched = if path.is_file() {
        vouch_advisory::Database::open(&path)
            .map_err(anyhow::Error::from)
            .and_then(|db| {
                db.match_components(
                    &inventory.components,
                    inventory.distro.as_ref(),
                    &Default::default(),
                )
                .map_err(anyhow::Error::from)
            })
            .map_err(|e| {
                let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
                format!(
                    "cannot use the advisory database {}: {}",
                    path.display(),
                    chain.join(": ")
                )
            })
    } else {
        Err(format!(
            "no advisory database at {} (run `vouch db update` or `vouch db import PATH`, pass --db, or --skip vulnerabilities)",
            path.display()
        ))
    };
    let mut outcome = match matched {
        Ok(o) => o,
        Err(reason) => {
            report
                .not_checked
                .push(NotChecked::new(CHECK, None, reason.clone()));
            return Ok(CheckSummary::not_run(
                CHECK,
                "not checked",
                format!("not checked: {reason}"),
            ));
        }
    };
    let today = vouch_advisory::suppress::Date::from_unix_seconds(crate::clock::now()?.as_second());
    super::vulns::apply(&supp, &mut outcome.matches, today);
    let vulns = outcome.report("vouch", env!("CARGO_PKG_VERSION"));
    let summary = CheckSummary::new(
        CHECK,
        format!("database {} (digest {})", path.display(), outcome.db_digest),
        &vulns.findings,
        0,
    );
    report.findings.extend(vulns.findings);
    report.rules.extend(vulns.rules);
    Ok(summary)
}

fn secrets(root: &Path, excludes: &[String], report: &mut Report) -> anyhow::Result<CheckSummary> {
    let mut allow =
        vouch_secrets::AllowList::load_repo(root).context("could not load the secrets config")?;
    allow
        .add_globs(excludes, Path::new("--exclude"))
        .context("invalid --exclude")?;
    let options = vouch_secrets::Options {
        allow,
        ..Default::default()
    };
    let outcome = vouch_secrets::scan_dir(root, &options)
        .with_context(|| format!("cannot scan {} for secrets", root.display()))?;
    // A file or directory the scan could not read was not checked.
    for w in &outcome.warnings {
        report.not_checked.push(NotChecked::new(
            "secrets",
            Some(w.subject.clone()),
            w.message.clone(),
        ));
    }
    let mut note = format!("{} files scanned", outcome.stats.files_scanned);
    if !outcome.warnings.is_empty() {
        note.push_str(&format!(", {} could not be read", outcome.warnings.len()));
    }
    let summary = CheckSummary::new("secrets", note, &outcome.findings, outcome.warnings.len());
    report.findings.extend(outcome.findings);
    Ok(summary)
}

fn policy(args: &ScanArgs, report: &mut Report) -> anyhow::Result<CheckSummary> {
    let root = &args.path;
    let today = crate::clock::now()?.as_second();
    let mut options = vouch_policy::Options::new(vouch_policy::Date::from_unix_seconds(today));
    options.excludes.clone_from(&args.walk.exclude);
    options.ignore_file.clone_from(&args.ignore_file);
    let outcome = vouch_policy::check_dir(root, &options)
        .with_context(|| format!("cannot check the configuration files in {}", root.display()))?;
    // A file that could not be evaluated, or a directory the walk could not open, was not
    // checked: the same rule as `vouch check`.
    for e in &outcome.errors {
        report.not_checked.push(NotChecked::new(
            "configuration",
            Some(e.path.clone()),
            e.message.clone(),
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
        outcome.errors.len(),
    );
    report.findings.extend(outcome.findings);
    report.rules.extend(outcome.rules);
    Ok(summary)
}

/// Unpinned image, action, include and hook references (offline: discovery only, see
/// docs/pin.md). A file that cannot be read or parsed was not checked, as in the policy check.
fn pinning(root: &Path, excludes: &[String], report: &mut Report) -> anyhow::Result<CheckSummary> {
    let excludes = vouch_policy::exclude_overrides(root, excludes)
        .map_err(|e| anyhow::anyhow!("invalid --exclude pattern: {e}"))?;
    let tree = vouch_pin::walk::walk_excluding(root, &excludes);
    for e in &tree.errors {
        report.not_checked.push(NotChecked::new(
            "pinning",
            None,
            format!("{e} (references not checked)"),
        ));
    }
    let findings = vouch_pin::report::unpinned_findings(&tree);
    let summary_findings = findings.clone();
    report.findings.extend(findings);
    report.rules.push(vouch_pin::report::rule());
    let note = if tree.errors.is_empty() {
        format!("{} files with references", tree.files.len())
    } else {
        format!(
            "{} files with references, {} could not be read",
            tree.files.len(),
            tree.errors.len()
        )
    };
    Ok(CheckSummary::new(
        "pinning",
        note,
        &summary_findings,
        tree.errors.len(),
    ))
}

fn table_text(
    inventory: &Inventory,
    checks: &[CheckSummary],
    report: &Report,
    fail_on: Severity,
    show_suppressed: bool,
) -> String {
    let mut out = String::new();
    out.push_str(&format!("Inventory of {}", inventory.subject));
    if let Some(d) = &inventory.distro {
        out.push_str(&format!(" ({})", d.pretty_name.as_deref().unwrap_or(&d.id)));
    }
    out.push('\n');
    if inventory.components.is_empty() {
        out.push_str("no components found\n");
    } else {
        out.push_str(&summary_table(inventory).to_string());
        out.push('\n');
    }
    if !inventory.files.is_empty() {
        let mut files = Table::new();
        files
            .load_preset(UTF8_FULL_CONDENSED)
            .set_header(["file", "kind", "packages"]);
        for f in &inventory.files {
            files.add_row([f.path.clone(), f.kind.clone(), f.packages.to_string()]);
        }
        out.push_str(&files.to_string());
        out.push('\n');
    }
    out.push_str(&format!(
        "{} components from {} files, {} warning(s)\n\n",
        inventory.components.len(),
        inventory.files.len(),
        inventory.warnings.len()
    ));
    let mut checks_table = Table::new();
    checks_table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "check",
        "status",
        "findings",
        "suppressed",
        "note",
    ]);
    for c in checks {
        let (n, s) = if matches!(c.status, "complete" | "incomplete") {
            (c.findings.to_string(), c.suppressed.to_string())
        } else {
            ("-".to_owned(), "-".to_owned())
        };
        checks_table.add_row([
            c.check.to_owned(),
            c.status.to_owned(),
            n,
            s,
            c.note.clone(),
        ]);
    }
    out.push_str(&checks_table.to_string());
    out.push_str("\n\n");
    out.push_str(&vouch_report::render::table_with(report, show_suppressed));
    if !show_suppressed && report.findings.iter().any(|f| f.suppressed.is_some()) {
        out.push_str("(list suppressed findings with --show-suppressed)\n");
    }
    let counting = report
        .findings
        .iter()
        .filter(|f| f.counts_at(fail_on))
        .count();
    out.push_str(&format!("{counting} finding(s) at or above {fail_on}\n"));
    if !report.not_checked.is_empty() {
        out.push_str(&format!(
            "\nINCOMPLETE: {} thing(s) not checked (exit 2):\n",
            report.not_checked.len()
        ));
        for n in &report.not_checked {
            out.push_str(&format!("  not checked: {n}\n"));
        }
    }
    vouch_report::terminal::sanitize(&out).into_owned()
}

fn summary_table(inventory: &Inventory) -> Table {
    let mut files_per_eco = BTreeMap::<_, BTreeSet<&str>>::new();
    for c in &inventory.components {
        for e in &c.evidence {
            files_per_eco
                .entry(c.ecosystem)
                .or_default()
                .insert(e.path.as_str());
        }
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(["ecosystem", "components", "files"]);
    for (eco, n) in inventory.counts() {
        let files = files_per_eco.get(&eco).map_or(0, |f| f.len());
        table.add_row([eco.to_string(), n.to_string(), files.to_string()]);
    }
    table
}
