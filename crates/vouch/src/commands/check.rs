//! `vouch check`: policy as code over Dockerfiles, CI, Kubernetes, compose and package settings.

use std::path::PathBuf;

use anyhow::Context as _;
use vouch_policy::{Checker, Date, Options};
use vouch_report::{Report, Severity};

use crate::cli::{CheckArgs, Format};
use crate::exit::ExitStatus;

/// Today's date at the edge: `--today`, else `SOURCE_DATE_EPOCH`, else the system clock
/// (both through `clock.rs`).
fn today(args: &CheckArgs) -> anyhow::Result<Date> {
    if let Some(d) = &args.today {
        return d.parse::<Date>().context("invalid --today");
    }
    Ok(Date::from_unix_seconds(crate::clock::now()?.as_second()))
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitStatus> {
    let fail_on: Severity = args.fail_on.parse()?;
    let mut opts = Options::new(today(&args)?);
    opts.policy_dirs.clone_from(&args.policy);
    opts.builtin = !args.no_builtin;
    opts.allowed_registries.clone_from(&args.allowed_registry);
    opts.ignore_file.clone_from(&args.ignore_file);
    opts.excludes.clone_from(&args.exclude);
    opts.helm_values.clone_from(&args.values);
    if let Some(cap) = args.max_file_size {
        opts.max_file_size = cap;
    }
    if args.conftest {
        return conftest(&args, &opts);
    }
    if let Some(file) = &args.print_input {
        let mut input = vouch_policy::print_input(file, &opts)?;
        vouch_report::redact_json(&mut input);
        println!("{}", serde_json::to_string_pretty(&input)?);
        return Ok(ExitStatus::Success);
    }
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if let [one] = paths.as_slice()
        && let crate::image::Target::Image(source) = crate::image::target(one)?
    {
        return check_image(&args, opts, &source, fail_on);
    }
    // The root holds `.vouch/policy` and `.vouch/ignore.toml`: the one directory given, else `.`.
    let root = match paths.as_slice() {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
    };
    let checker = Checker::new(&root, &opts).context("could not load policies")?;
    if args.list_rules {
        for r in checker.policies().rules() {
            println!("{:<38} {:<8} {}", r.id, r.severity.as_str(), r.title);
        }
        return Ok(ExitStatus::Success);
    }
    let outcome = checker.check(&paths)?;
    finish(&args, outcome, fail_on)
}

/// `vouch check IMAGE`: the image rules over the image's config, history and files; the
/// policies and ignore file of the directory vouch runs in (docs/images.md).
fn check_image(
    args: &CheckArgs,
    opts: Options,
    source: &vouch_oci::image::Source,
    fail_on: Severity,
) -> anyhow::Result<ExitStatus> {
    let input = crate::image::check_input(source, &args.image)?;
    let mut image_opts = vouch_policy::ImageOptions::new(std::path::Path::new("."), opts.today);
    image_opts.check = opts;
    image_opts
        .allowed_base_registries
        .clone_from(&args.allowed_base_registry);
    let outcome = vouch_policy::check_image(&input, &image_opts)
        .with_context(|| format!("could not check the image {source}"))?;
    finish(args, outcome, fail_on)
}

fn finish(
    args: &CheckArgs,
    outcome: vouch_policy::CheckOutcome,
    fail_on: Severity,
) -> anyhow::Result<ExitStatus> {
    let mut report = Report::new("vouch", env!("CARGO_PKG_VERSION"));
    report.rules = outcome.rules;
    report.findings = outcome.findings;
    // Every file that could not be evaluated and every directory the walk could not open: the
    // JSON lists them under `not_checked`, SARIF as `toolExecutionNotifications`.
    report.not_checked = outcome
        .errors
        .iter()
        .map(|e| {
            vouch_report::NotChecked::new("configuration", Some(e.path.clone()), e.message.clone())
        })
        .chain(outcome.not_checked.iter().map(|n| {
            vouch_report::NotChecked::new("configuration", Some(n.path.clone()), n.reason.clone())
        }))
        .collect();
    report.sort();
    let rendered = match args.format {
        Format::Table => vouch_report::render::table(&report),
        Format::Json => vouch_report::render::json(&report),
        Format::Lines => vouch_report::render::lines(&report),
        Format::Sarif => vouch_report::render::sarif(&report),
        Format::Gitlab => vouch_report::render::gitlab_code_quality(&report),
        other => return Err(other.unavailable("check")),
    };
    print!("{rendered}");
    for e in &outcome.errors {
        eprintln!(
            "error: could not check {}\n  caused by: {}",
            e.path, e.message
        );
    }
    for n in &outcome.not_checked {
        eprintln!("error: not checked: {}: {}", n.path, n.reason);
    }
    if args.format == Format::Table {
        eprintln!(
            "checked {} file(s), {} could not be checked",
            outcome.files_checked,
            outcome.errors.len() + outcome.not_checked.len()
        );
    }
    // Something not checked is exit 2 even when findings were found (they are still printed):
    // the run is incomplete, and a finding elsewhere does not make it complete.
    Ok(
        if !outcome.errors.is_empty() || !outcome.not_checked.is_empty() {
            ExitStatus::Error
        } else if report.any_at_or_above(fail_on) {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}

/// `vouch check --conftest`: conftest's evaluation and output (docs/check.md#conftest-mode).
fn conftest(args: &CheckArgs, opts: &Options) -> anyhow::Result<ExitStatus> {
    use vouch_policy::conftest::{Conftest, Options as ConftestOptions, render};
    let policy_dirs = if args.policy.is_empty() {
        vec![PathBuf::from("policy")]
    } else {
        args.policy.clone()
    };
    let c = Conftest::load(&ConftestOptions {
        policy_dirs,
        namespaces: args.namespace.clone(),
        all_namespaces: args.all_namespaces,
        max_file_size: opts.max_file_size,
    })
    .context("could not load policies")?;
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let results = c.test(&paths).context("could not evaluate")?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&results)?),
        Format::Table => print!("{}", render(&results)),
        other => return Err(other.unavailable("check --conftest")),
    }
    let failures = results.iter().any(|r| !r.failures.is_empty());
    let warnings = results.iter().any(|r| !r.warnings.is_empty());
    Ok(if failures || (args.fail_on_warn && warnings) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
