//! `vouch scan`: the umbrella command. One run inventories PATH and runs every check that
//! applies to it (known vulnerabilities, leaked secrets, configuration policy and pinning)
//! through `vouch_scan`; each check's findings go into one report. Whatever could not be
//! checked is a `NotChecked` in the report: listed in the table, the JSON and SARIF
//! `invocations`, and the run exits 2, never a silent pass. `--skip CHECK` is the explicit way
//! to leave a check out. This module wires arguments, files, the clock and output.

use anyhow::Context as _;
use vouch_report::{Report, Severity};
use vouch_scan::{Check, CheckSummary, Config, Scan};

use crate::cli::{Format, ScanArgs, ScanCheck};
use crate::exit::ExitStatus;

fn check(c: ScanCheck) -> Check {
    match c {
        ScanCheck::Vulnerabilities => Check::Vulnerabilities,
        ScanCheck::Secrets => Check::Secrets,
        ScanCheck::Configuration => Check::Configuration,
        ScanCheck::Pinning => Check::Pinning,
        ScanCheck::Typosquats => Check::Typosquats,
    }
}

/// `<root>/.vouch/scan.toml`, when there is one: a regular file inside `root`, and errors
/// never quote it.
fn load_config(args: &ScanArgs) -> anyhow::Result<(std::path::PathBuf, Config)> {
    let path = args.path.join(".vouch/scan.toml");
    if args.no_scan_config {
        return Ok((path, Config::default()));
    }
    let Some((path, text)) =
        crate::files::read_config(&args.path, "scan.toml", "scan configuration")?
    else {
        return Ok((path, Config::default()));
    };
    let config: Config =
        crate::files::parse_toml(&path, &text).context("invalid scan configuration")?;
    Ok((path, config))
}

pub fn run(mut args: ScanArgs) -> anyhow::Result<ExitStatus> {
    let fail_on: Severity = args.fail_on.parse()?;
    if let crate::image::Target::Image(source) = crate::image::target(&args.path)? {
        return image(&args, &source, fail_on);
    }
    let (config_path, config) = load_config(&args)?;
    if !config.exclude.is_empty() {
        eprintln!(
            "note: .vouch/scan.toml excludes {} from every check",
            config.exclude.join(", ")
        );
        args.walk.exclude.extend(config.exclude.iter().cloned());
    }
    let cli_skips: Vec<Check> = args.skip.iter().copied().map(check).collect();
    for e in &config.skip {
        let reason = e.reason(&config_path)?;
        if !cli_skips.contains(&e.check) {
            eprintln!(
                "note: .vouch/scan.toml skips the {} check: {reason}",
                e.check.as_str()
            );
        }
    }
    // One walk of PATH: the inventory and every check take their entries from it.
    let (inventory, walked) = crate::inventory::collect_all(&args.path, &args.walk.exclude)?;
    // One file as PATH is a directory holding only it: the checks read the walked entries
    // (that file) below its folder, the tree's root.
    let root: &std::path::Path = match walked.tree.single_file() {
        Some(_) => walked.tree.root(),
        None => &args.path,
    };
    let mut report = Report::new("vouch", env!("CARGO_PKG_VERSION"));
    vouch_scan::inventory_not_checked(&inventory, args.walk.strict, &mut report);
    // In this order: the table and the JSON list the checks as they ran.
    let mut checks = Vec::new();
    for c in Check::ALL {
        if let Some(note) = vouch_scan::skipped(c, &cli_skips, &config) {
            checks.push(CheckSummary::skipped(c, note));
            continue;
        }
        checks.push(match c {
            Check::Vulnerabilities => vulnerabilities(&args, &inventory, &mut report)?,
            Check::Secrets => vouch_scan::secrets_walked(root, &walked, &mut report)?,
            Check::Configuration => {
                let today = crate::clock::now()?.as_second();
                let mut options =
                    vouch_policy::Options::new(vouch_policy::Date::from_unix_seconds(today));
                options.ignore_file.clone_from(&args.ignore_file);
                options.helm_values.clone_from(&args.values);
                vouch_scan::configuration_walked_with(root, &walked, &options, &mut report)?
            }
            Check::Pinning => vouch_scan::pinning_walked(root, &walked, &mut report),
            Check::Typosquats => typosquats(&args, &inventory, Some(root), &mut report)?,
        });
    }
    finish(&args, inventory, checks, report, fail_on)
}

/// `vouch scan IMAGE`: the layers are read once for the inventory, the secrets of every layer
/// and the image rules; the policies, ignore file and scan configuration are those of the
/// directory vouch runs in (`--ignore-file` to name another). Pinning does not apply to an
/// image (it has no references to pin) and is listed as skipped, with that reason.
fn image(
    args: &ScanArgs,
    source: &vouch_oci::image::Source,
    fail_on: Severity,
) -> anyhow::Result<ExitStatus> {
    let cli_skips: Vec<Check> = args.skip.iter().copied().map(check).collect();
    let allow = vouch_secrets::AllowList::load_repo(std::path::Path::new("."))
        .context("could not load the secrets config")?;
    let secrets = vouch_secrets::Options {
        allow,
        ..Default::default()
    };
    let scan_secrets =
        vouch_scan::skipped(Check::Secrets, &cli_skips, &Config::default()).is_none();
    let mut scanned =
        crate::image::scan(source, &args.walk.image, scan_secrets.then_some(&secrets))?;
    let mut report = Report::new("vouch", env!("CARGO_PKG_VERSION"));
    vouch_scan::inventory_not_checked(&scanned.inventory, args.walk.strict, &mut report);
    let mut checks = Vec::new();
    for c in Check::ALL {
        if let Some(note) = vouch_scan::skipped(c, &cli_skips, &Config::default()) {
            checks.push(CheckSummary::skipped(c, note));
            continue;
        }
        checks.push(match c {
            Check::Vulnerabilities => vulnerabilities(args, &scanned.inventory, &mut report)?,
            Check::Secrets => match scanned.secrets.take() {
                Some(outcome) => vouch_scan::secrets_summary(outcome?, &mut report),
                None => anyhow::bail!("the image's secrets were not scanned"),
            },
            Check::Configuration => {
                let today = crate::clock::now()?.as_second();
                let mut options = vouch_policy::ImageOptions::new(
                    std::path::Path::new("."),
                    vouch_policy::Date::from_unix_seconds(today),
                );
                options.check.ignore_file.clone_from(&args.ignore_file);
                let outcome = vouch_policy::check_image(&scanned.policy, &options)
                    .with_context(|| format!("could not check the image {source}"))?;
                vouch_scan::configuration_summary(outcome, &mut report)
            }
            Check::Pinning => CheckSummary::skipped(
                c,
                "not applicable: an image holds no references to pin".to_owned(),
            ),
            Check::Typosquats => typosquats(args, &scanned.inventory, None, &mut report)?,
        });
    }
    finish(args, scanned.inventory, checks, report, fail_on)
}

fn finish(
    args: &ScanArgs,
    inventory: vouch_inventory::Inventory,
    checks: Vec<CheckSummary>,
    mut report: Report,
    fail_on: Severity,
) -> anyhow::Result<ExitStatus> {
    let mut checks = checks;
    // Other tools' SARIF: a file that cannot be read is exit 2, before any output. The ignore
    // file's rule entries apply to them as to configuration findings.
    let ignore = if args.sarif.is_empty() {
        None
    } else {
        let (path, root) = match &args.ignore_file {
            Some(p) => (p.clone(), None),
            None => (
                vouch_fs::config::path(&args.path, "ignore.toml"),
                Some(args.path.as_path()),
            ),
        };
        let shown = path.display().to_string();
        Some(vouch_policy::suppress::IgnoreFile::load(
            &path, &shown, root,
        )?)
    };
    let today = vouch_report::Date::from_unix_seconds(crate::clock::now()?.as_second());
    for path in &args.sarif {
        let shown = path.display().to_string();
        let bytes = crate::files::read(path, "SARIF file", crate::files::MAX_EVIDENCE)?;
        let log = vouch_report::sarif::read::parse(&bytes, &shown)?;
        checks.push(vouch_scan::sarif::merge(
            &shown,
            &log,
            ignore.as_ref(),
            today,
            &mut report,
        ));
    }
    report.sort();
    let scan = Scan {
        inventory,
        checks,
        report,
        excludes: args.walk.exclude.clone(),
    };

    for n in &scan.report.not_checked {
        eprintln!("error: not checked: {n}");
    }
    let failed = scan.report.any_at_or_above(fail_on);
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&scan.to_json()?)? + "\n",
        Format::Sarif => vouch_report::render::sarif(&scan.report),
        Format::Lines => vouch_report::render::lines(&scan.report),
        Format::Table => vouch_scan::render::table(&scan, fail_on, args.show_suppressed),
        other => return Err(other.unavailable("scan")),
    };
    crate::output::write(None, text.as_bytes())?;
    Ok(if !scan.complete() {
        ExitStatus::Error
    } else if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The vulnerability check: suppressions first (a bad VEX document or ignore file is a usage
/// error, exit 2 before any output, as in `vouch vulns`), then the database: fetched once from
/// the configured source when there is none (unless offline), or the check is not run, with
/// the reason. A database older than `--db-max-age` adds an `advisory-db-stale` finding.
fn vulnerabilities(
    args: &ScanArgs,
    inventory: &vouch_inventory::Inventory,
    report: &mut Report,
) -> anyhow::Result<CheckSummary> {
    const CHECK: &str = "vulnerabilities";
    let path = crate::commands::db::resolve(&args.db)?;
    let max_age = super::db_fetch::max_age(&args.db_source)?;
    let supp = match &args.ignore_file {
        Some(p) => super::vulns::suppressions(&args.vex, super::vulns::IgnoreSource::File(p))?,
        None => super::vulns::suppressions(
            &args.vex,
            super::vulns::IgnoreSource::Repository(&args.path),
        )?,
    };
    let now = crate::clock::now()?;
    let today = vouch_advisory::suppress::Date::from_unix_seconds(now.as_second());
    let ecosystems = super::db_fetch::ecosystems(&inventory.components, inventory.distro.as_ref());
    if let Err(reason) = super::db_fetch::ensure(&path, &args.db_source, &ecosystems, now) {
        report
            .not_checked
            .push(vouch_report::NotChecked::new(CHECK, None, reason.clone()));
        return Ok(CheckSummary {
            check: CHECK,
            status: "not checked",
            note: format!("not checked: {reason}"),
            findings: 0,
            suppressed: 0,
        });
    }
    let mut summary = vouch_scan::vulnerabilities(&path, inventory, report, |matches| {
        super::vulns::apply(&supp, matches, today);
    });
    if summary.ran() {
        let db = vouch_advisory::Database::open(&path)?;
        if let Some(stale) = super::db_fetch::staleness(&db, max_age, now)? {
            report.rules.push(vouch_report::RuleMeta::new(
                STALE,
                "Advisory database is older than allowed",
                Severity::High,
            ));
            report.findings.push(
                vouch_report::Finding::new(STALE, Severity::High, stale.message).remediation(
                    "run `vouch db update` (or delete the database so the next run fetches it), or raise --db-max-age",
                ),
            );
            summary.findings += 1;
        }
    }
    Ok(summary)
}

/// The code of a too-old advisory database (docs/rules/advisory-db-stale.md).
const STALE: &str = "advisory-db-stale";
/// The typosquat check: the popular lists (a newer copy in the data directory wins over the
/// shipped one, see [`crate::popular`]) for the ecosystems the inventory holds, and the rule
/// entries of the ignore file (`--ignore-file`, else `<root>/.vouch/ignore.toml`; for an image,
/// `./.vouch/ignore.toml`).
fn typosquats(
    args: &ScanArgs,
    inventory: &vouch_inventory::Inventory,
    root: Option<&std::path::Path>,
    report: &mut Report,
) -> anyhow::Result<CheckSummary> {
    let wanted = vouch_scan::typosquat::ecosystems(inventory);
    let db = super::db::resolve(&args.db)?;
    let lists = vouch_scan::typosquat::Lists::new(crate::popular::lists(&db, &wanted)?);
    let (path, root) = match (&args.ignore_file, root) {
        (Some(p), _) => (p.clone(), None),
        (None, Some(r)) => (vouch_fs::config::path(r, "ignore.toml"), Some(r)),
        (None, None) => (
            vouch_fs::config::path(std::path::Path::new("."), "ignore.toml"),
            Some(std::path::Path::new(".")),
        ),
    };
    let shown = path.display().to_string();
    let ignore = vouch_policy::suppress::IgnoreFile::load(&path, &shown, root)?;
    let today = vouch_policy::suppress::Date::from_unix_seconds(crate::clock::now()?.as_second());
    Ok(vouch_scan::typosquat::check(
        inventory,
        &lists,
        Some(&ignore),
        today,
        report,
    ))
}
