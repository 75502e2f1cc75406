//! `vouch slo rules` and `vouch slo status`: read the files, call `vouch_slo`, print.

use anyhow::Context as _;

use crate::cli::{SloCommand, SloFormat, SloRulesArgs, SloStatusArgs};
use crate::exit::ExitStatus;
use vouch_slo::status::Verdict;

/// Largest SLO file read.
const MAX_SPEC: u64 = 4 * 1024 * 1024;
/// Largest event file read.
const MAX_EVENTS_FILE: u64 = 64 * 1024 * 1024;

pub fn run(cmd: SloCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        SloCommand::Rules(args) => rules(&args),
        SloCommand::Status(args) => status(&args),
    }
}

/// The SLOs of `path`, or `None` after printing `error[slo-spec-invalid]` (exit 2).
fn load(path: &std::path::Path) -> anyhow::Result<Option<Vec<vouch_slo::Slo>>> {
    let text = vouch_fs::read::read_to_string(path, MAX_SPEC)
        .with_context(|| format!("cannot read SLO file {}", path.display()))?;
    match vouch_slo::load(&text) {
        Ok(slos) => Ok(Some(slos)),
        Err(err) => {
            eprintln!(
                "error[slo-spec-invalid]: SLO file {}: {}",
                path.display(),
                vouch_secrets::redact(&err.to_string())
            );
            Ok(None)
        }
    }
}

fn rules(args: &SloRulesArgs) -> anyhow::Result<ExitStatus> {
    let Some(slos) = load(&args.spec)? else {
        return Ok(ExitStatus::Error);
    };
    let text = vouch_slo::rules::render(&slos);
    crate::output::write(args.output.as_deref(), text.as_bytes())?;
    Ok(ExitStatus::Success)
}

/// Where `--store` (or, without `--events`, `VOUCH_STORE`) says the events are; `None` for
/// files.
fn store_location(args: &SloStatusArgs) -> anyhow::Result<Option<vouch_fleet::Location>> {
    let env = std::env::var("VOUCH_STORE").ok().filter(|s| !s.is_empty());
    let chosen = match (&args.store, env) {
        (Some(s), _) if !s.is_empty() => Some(s.clone()),
        // Bare `--store`: VOUCH_STORE, else the fleet's default location.
        (Some(_), env) => Some(env.unwrap_or_default()),
        (None, Some(env)) if args.events.is_empty() => Some(env),
        (None, _) => None,
    };
    match chosen {
        Some(store) => Ok(Some(crate::commands::fleet::location(
            &crate::commands::fleet::StoreArgs { store: Some(store) },
        )?)),
        None if args.events.is_empty() => anyhow::bail!(
            "no pipeline events: give --events FILE… or --store [PATH|URL] (or set VOUCH_STORE)"
        ),
        None => Ok(None),
    }
}

/// The events of `--events` files, or `None` after printing `error[slo-event-invalid]`.
fn read_files(
    args: &SloStatusArgs,
) -> anyhow::Result<Option<Vec<vouch_slo::event::PipelineEvent>>> {
    let mut events = Vec::new();
    for path in &args.events {
        let bytes = vouch_fs::read::read(path, MAX_EVENTS_FILE)
            .with_context(|| format!("cannot read events file {}", path.display()))?;
        match vouch_slo::event::parse(&bytes) {
            Ok(parsed) => events.extend(parsed),
            Err(err) => {
                eprintln!(
                    "error[slo-event-invalid]: events file {}: {}",
                    path.display(),
                    vouch_secrets::redact(&err.to_string())
                );
                return Ok(None);
            }
        }
        if events.len() > vouch_slo::event::MAX_EVENTS {
            anyhow::bail!(
                "more than {} events in the files given",
                vouch_slo::event::MAX_EVENTS
            );
        }
    }
    Ok(Some(events))
}

fn status(args: &SloStatusArgs) -> anyhow::Result<ExitStatus> {
    let Some(slos) = load(&args.spec)? else {
        return Ok(ExitStatus::Error);
    };
    let now = match &args.now {
        Some(t) => t
            .parse::<jiff::Timestamp>()
            .with_context(|| format!("--now `{t}` is not an RFC 3339 time"))?,
        None => crate::clock::now()?,
    };
    let events = match store_location(args)? {
        Some(location) => {
            // Only what a window can count.
            let since = vouch_slo::status::window_start(&slos, now);
            let mut store = vouch_fleet::Store::open(&location)?;
            let events = store
                .events_in_window(since)
                .with_context(|| format!("cannot read the events of {}", store.location()))?;
            eprintln!(
                "read {} pipeline event(s) from {}",
                events.len(),
                store.location()
            );
            events
        }
        None => {
            let Some(events) = read_files(args)? else {
                return Ok(ExitStatus::Error);
            };
            events
        }
    };
    let report = vouch_slo::status::evaluate(&slos, events, now);
    let text = match args.format {
        SloFormat::Table => vouch_slo::status::render_table(&report),
        SloFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report).context("cannot render JSON")?;
            s.push('\n');
            s
        }
    };
    crate::output::write(None, text.as_bytes())?;
    for s in &report.slos {
        let value = s.value.map(|v| v.to_string()).unwrap_or_default();
        match s.verdict {
            Verdict::Met => {}
            Verdict::Breached => eprintln!(
                "error[slo-breached]: slo `{}` ({}) is {value} over {}, objective {}; {} of {} events bad",
                s.name, s.indicator, s.window, s.objective, s.bad, s.total
            ),
            Verdict::BudgetExhausted => eprintln!(
                "error[slo-budget-exhausted]: slo `{}` ({}) has spent its whole error budget over {}: {} of {} events bad",
                s.name, s.indicator, s.window, s.bad, s.total
            ),
            Verdict::NotEvaluated => eprintln!(
                "error[slo-not-evaluated]: slo `{}` was not evaluated: {}",
                s.name,
                s.reason.as_deref().unwrap_or("no events")
            ),
        }
    }
    Ok(match report.exit_code() {
        0 => ExitStatus::Success,
        1 => ExitStatus::Failure,
        _ => ExitStatus::Error,
    })
}
