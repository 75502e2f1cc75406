//! `vouch scan`: the umbrella command. One run inventories PATH and runs every check that
//! applies to it: known vulnerabilities (when an advisory database exists), leaked secrets, and
//! configuration policy. Each check's findings go into one report; a check that cannot run is
//! an error (exit 2), never a silent pass.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context as _;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use vouch_inventory::Inventory;
use vouch_report::{Report, Severity};

use crate::cli::{ScanArgs, ScanFormat};
use crate::exit::ExitStatus;

/// What each check said, for the summary and the JSON output.
#[derive(Debug, serde::Serialize)]
struct CheckSummary {
    check: &'static str,
    ran: bool,
    note: String,
    findings: usize,
}

/// `<root>/.vouch/scan.toml`: what a repository asks `vouch scan` to skip (see docs/scan.md).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanConfig {
    /// Globs (gitignore syntax, relative to the root) every check skips, added to `--exclude`.
    #[serde(default)]
    exclude: Vec<String>,
}

fn load_config(root: &Path) -> anyhow::Result<ScanConfig> {
    let path = root.join(".vouch/scan.toml");
    if !path.is_file() {
        return Ok(ScanConfig::default());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{}: invalid scan configuration", path.display()))
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
        args.walk.exclude.extend(config.exclude);
    }
    let inventory = crate::inventory::collect(&args.path, &args.walk)?;
    let mut report = Report::new("vouch", env!("CARGO_PKG_VERSION"));
    let checks = vec![
        vulnerabilities(&args, &inventory, &mut report)?,
        secrets(&args.path, &args.walk.exclude, &mut report)?,
        policy(&args.path, &args.walk.exclude, &mut report)?,
        pinning(&args.path, &args.walk.exclude, &mut report)?,
    ];
    report.sort();

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
                "checks": checks,
                "excludes": args.walk.exclude,
                "findings": report.findings,
            });
            // Warnings and notes quote file content: no URL credentials in them either.
            vouch_report::redact_json(&mut value);
            serde_json::to_string_pretty(&value)? + "\n"
        }
        ScanFormat::Sarif => vouch_report::render::sarif(&report),
        ScanFormat::Table => table_text(&inventory, &checks, &report, fail_on),
    };
    crate::output::write(None, text.as_bytes())?;
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn vulnerabilities(
    args: &ScanArgs,
    inventory: &Inventory,
    report: &mut Report,
) -> anyhow::Result<CheckSummary> {
    let path = crate::commands::db::resolve(&args.db)?;
    if !path.is_file() {
        return Ok(CheckSummary {
            check: "vulnerabilities",
            ran: false,
            note: format!(
                "not checked: no advisory database at {} (run `vouch db import PATH` or `vouch db update`)",
                path.display()
            ),
            findings: 0,
        });
    }
    let db = vouch_advisory::Database::open(&path)
        .with_context(|| format!("cannot open the advisory database {}", path.display()))?;
    let outcome = db
        .match_components(
            &inventory.components,
            inventory.distro.as_ref(),
            &Default::default(),
        )
        .context("cannot match the inventory against the advisory database")?;
    let vulns = outcome.report("vouch", env!("CARGO_PKG_VERSION"));
    let n = vulns.findings.len();
    report.findings.extend(vulns.findings);
    report.rules.extend(vulns.rules);
    Ok(CheckSummary {
        check: "vulnerabilities",
        ran: true,
        note: format!("database {} (digest {})", path.display(), outcome.db_digest),
        findings: n,
    })
}

fn secrets(root: &Path, excludes: &[String], report: &mut Report) -> anyhow::Result<CheckSummary> {
    let config = root.join(".vouch/secrets.toml");
    let mut allow = if config.is_file() {
        vouch_secrets::AllowList::load(&config).context("could not load the secrets config")?
    } else {
        vouch_secrets::AllowList::default()
    };
    allow
        .add_globs(excludes, Path::new("--exclude"))
        .context("invalid --exclude")?;
    let options = vouch_secrets::Options {
        allow,
        ..Default::default()
    };
    let outcome = vouch_secrets::scan_dir(root, &options)
        .with_context(|| format!("cannot scan {} for secrets", root.display()))?;
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    let n = outcome.findings.len();
    report.findings.extend(outcome.findings);
    Ok(CheckSummary {
        check: "secrets",
        ran: true,
        note: format!("{} files scanned", outcome.stats.files_scanned),
        findings: n,
    })
}

fn policy(root: &Path, excludes: &[String], report: &mut Report) -> anyhow::Result<CheckSummary> {
    let today = crate::clock::now()?.as_second();
    let mut options = vouch_policy::Options::new(vouch_policy::Date::from_unix_seconds(today));
    options.excludes = excludes.to_vec();
    let outcome = vouch_policy::check_dir(root, &options)
        .with_context(|| format!("cannot check the configuration files in {}", root.display()))?;
    for e in &outcome.errors {
        eprintln!("warning: {}: cannot evaluate: {}", e.path, e.message);
    }
    let n = outcome.findings.len();
    report.findings.extend(outcome.findings);
    report.rules.extend(outcome.rules);
    let note = if outcome.errors.is_empty() {
        format!("{} files checked", outcome.files_checked)
    } else {
        format!(
            "{} files checked, {} could not be evaluated",
            outcome.files_checked,
            outcome.errors.len()
        )
    };
    Ok(CheckSummary {
        check: "configuration",
        ran: true,
        note,
        findings: n,
    })
}

/// Unpinned image, action, include and hook references (offline: discovery only, see
/// docs/pin.md). A file that cannot be parsed is a warning here, as in the policy check.
fn pinning(root: &Path, excludes: &[String], report: &mut Report) -> anyhow::Result<CheckSummary> {
    let excludes = vouch_policy::exclude_overrides(root, excludes)
        .map_err(|e| anyhow::anyhow!("invalid --exclude pattern: {e}"))?;
    let tree = vouch_pin::walk::walk_excluding(root, &excludes);
    for e in &tree.errors {
        eprintln!("warning: {e} (references not checked)");
    }
    let findings = vouch_pin::report::unpinned_findings(&tree);
    let n = findings.len();
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
    Ok(CheckSummary {
        check: "pinning",
        ran: true,
        note,
        findings: n,
    })
}

fn table_text(
    inventory: &Inventory,
    checks: &[CheckSummary],
    report: &Report,
    fail_on: Severity,
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
    checks_table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(["check", "findings", "note"]);
    for c in checks {
        let n = if c.ran {
            c.findings.to_string()
        } else {
            "-".to_owned()
        };
        checks_table.add_row([c.check.to_owned(), n, c.note.clone()]);
    }
    out.push_str(&checks_table.to_string());
    out.push_str("\n\n");
    out.push_str(&vouch_report::render::table(report));
    let counting = report
        .findings
        .iter()
        .filter(|f| f.counts_at(fail_on))
        .count();
    out.push_str(&format!("{counting} finding(s) at or above {fail_on}\n"));
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
