//! `vouch secrets`: find credentials in a working tree, git history, the staged index or stdin.

use anyhow::Context as _;
use vouch_report::{Report, Severity};
use vouch_secrets::{AllowList, Baseline, Options, RuleSet, ScanOutcome};

use crate::cli::{Format, SecretsArgs};
use crate::exit::ExitStatus;

pub fn run(args: SecretsArgs) -> anyhow::Result<ExitStatus> {
    let started = now_utc()?;
    let stdin = args.path.as_os_str() == "-";
    let allow = match &args.config {
        Some(p) => AllowList::load(p).context("could not load the secrets config")?,
        None if !stdin => {
            // The scanned repository's own allow-list: a regular file inside the repository.
            let base = if args.path.is_dir() && !args.path.join("oci-layout").is_file() {
                args.path.clone()
            } else {
                std::path::PathBuf::from(".")
            };
            AllowList::load_repo(&base).context("could not load the secrets config")?
        }
        None => AllowList::default(),
    };
    let excludes = vouch_fs::walk::Excludes::new(&args.exclude).context("invalid --exclude")?;
    let options = Options {
        max_file_size: args.max_file_size,
        allow,
        excludes,
        show_secrets: args.show_secrets,
        threads: args.threads,
        rules: None,
    };
    if args.git && args.staged {
        anyhow::bail!("--git and --staged cannot be combined");
    }
    let mut outcome: ScanOutcome = if stdin {
        vouch_secrets::scan_reader(std::io::stdin().lock(), "-", &options)?
    } else if args.git {
        vouch_secrets::scan_git_history(&args.path, &options)?
    } else if args.staged {
        vouch_secrets::scan_staged(&args.path, &options)?
    } else if let crate::image::Target::Image(source) = crate::image::target(&args.path)? {
        crate::image::secrets(&source, &args.image, &options)?
    } else {
        vouch_secrets::scan_dir(&args.path, &options)?
    };

    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::from_findings(&outcome.findings);
        crate::output::write_atomic(path, baseline.to_json().as_bytes())
            .context("could not write the baseline")?;
        eprintln!(
            "wrote {} finding(s) to baseline {}",
            baseline.findings.len(),
            path.display()
        );
    }
    if let Some(path) = &args.baseline {
        let baseline = Baseline::load(path).context("could not load the baseline")?;
        outcome.apply_baseline(&baseline);
    }

    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    let s = &outcome.stats;
    eprintln!(
        "scanned {} file(s), {} byte(s){}; skipped {} binary, {} over {} bytes; {} baselined; {} warning(s)",
        s.files_scanned,
        s.bytes_scanned,
        if args.git {
            format!(" in {} commit(s)", s.commits_scanned)
        } else {
            String::new()
        },
        s.skipped_binary,
        s.skipped_large,
        options.max_file_size,
        s.baselined,
        outcome.warnings.len()
    );

    let mut report = Report::new("vouch", env!("CARGO_PKG_VERSION"));
    let rules = RuleSet::builtin();
    report.rules = rules.metas();
    report.findings = std::mem::take(&mut outcome.findings);
    // A file or directory the scan could not read was not checked: listed in JSON/SARIF, exit 2.
    report.not_checked = outcome
        .warnings
        .iter()
        .map(|w| {
            vouch_report::NotChecked::new("secrets", Some(w.subject.clone()), w.message.clone())
        })
        .collect();
    report.sort();
    let text = match args.format {
        Format::Table => vouch_report::render::table(&report),
        Format::Json => vouch_report::render::json(&report),
        Format::Lines => vouch_report::render::lines(&report),
        Format::Sarif => vouch_report::render::sarif(&report),
        Format::Gitlab => vouch_report::gitlab_secrets::render(
            &report,
            &vouch_report::gitlab_secrets::ScanTimes {
                start: started,
                end: now_utc()?,
            },
        ),
        other => return Err(other.unavailable("secrets")),
    };
    match &args.output {
        // With --show-secrets the report holds secrets in clear: a new file gets 0600.
        Some(path) if args.show_secrets => crate::output::write_with(
            path,
            text.as_bytes(),
            &vouch_fs::write::Options {
                new_mode: 0o600,
                ..vouch_fs::write::Options::output()
            },
        )?,
        path => crate::output::write(path.as_deref(), text.as_bytes())?,
    }
    if args.show_secrets {
        eprintln!("warning: --show-secrets printed secrets in clear; do not share this output");
    }
    let failing = report.any_at_or_above(Severity::Info);
    Ok(if !report.not_checked.is_empty() {
        ExitStatus::Error
    } else if failing && !args.no_fail {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, from the binary's clock (honours `SOURCE_DATE_EPOCH`).
fn now_utc() -> anyhow::Result<String> {
    Ok(crate::clock::now()?
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string())
}
