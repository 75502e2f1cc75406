//! `vouch reproduce --artifact PATH -- COMMAND…`: vouch_repro's rebuild-and-compare. The
//! binary supplies what the library must not read itself: the environment the builds start
//! from, whether faketime is installed, where temporary folders go; progress goes to stderr
//! (a spinner on a terminal, plain lines otherwise).

use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::Context as _;
use vouch_repro::diff::Limits;
use vouch_repro::reproduce::{self, Plan, ReproduceError, Variation};

use crate::cli::{ReproFormat, ReproduceArgs};
use crate::exit::ExitStatus;

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

pub fn run(args: ReproduceArgs) -> anyhow::Result<ExitStatus> {
    let (vary, required) = match &args.vary {
        Some(text) => Variation::parse_list(text).map_err(|e| anyhow::anyhow!("--vary: {e}"))?,
        None => (Variation::defaults(), Vec::new()),
    };
    let source = match &args.source {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let source = source
        .canonicalize()
        .with_context(|| format!("cannot read the source tree {}", source.display()))?;
    if args.artifact.is_absolute() {
        anyhow::bail!(
            "--artifact {}: give the artifact's path relative to the source tree (the builds run in copies)",
            args.artifact.display()
        );
    }
    let plan = Plan {
        source,
        artifact: args.artifact.clone(),
        command: args.command.clone(),
        vary,
        required,
        env: std::env::vars_os().collect(),
        faketime: on_path("faketime"),
        work: std::env::temp_dir(),
        keep: args.keep,
        timeout: std::time::Duration::from_secs(args.timeout),
        limits: Limits::default(),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let progress = |line: &str| match &bar {
        Some(bar) => bar.set_message(format!("vouch reproduce: {line}")),
        None => eprintln!("vouch reproduce: {line}"),
    };
    let result = reproduce::run(&plan, &progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let outcome = match result {
        Ok(o) => o,
        Err(e @ ReproduceError::BuildFailed { .. }) => {
            eprintln!("error[build-failed]: {e}");
            return Ok(ExitStatus::Error);
        }
        Err(e) => return Err(e).context("cannot judge whether the build reproduces"),
    };
    for (v, why) in &outcome.not_varied {
        eprintln!("warning[variation-not-applied]: {v} was not varied: {why}");
    }
    if let Some(dir) = &outcome.kept {
        eprintln!("kept the builds, logs and artifacts in {}", dir.display());
    }
    match args.format {
        ReproFormat::Json => {
            let mut text = serde_json::to_string_pretty(&outcome)?;
            text.push('\n');
            crate::output::write(None, text.as_bytes())?;
        }
        ReproFormat::Table => {
            let names = |list: &[Variation]| {
                list.iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut out = String::new();
            if outcome.reproducible {
                out.push_str(&format!(
                    "reproducible: {} is identical across {} builds (varied: {})\n",
                    args.artifact.display(),
                    outcome.builds,
                    names(&outcome.varied)
                ));
            } else {
                out.push_str(&format!(
                    "not reproducible: {} differs between the control and the varied build (varied: {})\n",
                    args.artifact.display(),
                    names(&outcome.varied)
                ));
                if !outcome.culprits.is_empty() {
                    out.push_str(&format!("caused by: {}\n", names(&outcome.culprits)));
                }
                if outcome.unstable {
                    out.push_str("unstable: two builds with nothing varied already differ (the build is not deterministic by itself)\n");
                }
                if outcome.culprits.is_empty() && !outcome.unstable {
                    // Only the combination differs.
                    out.push_str("caused by: no single variation (several together)\n");
                }
                out.push('\n');
                out.push_str(&super::diff::table(&outcome.report));
            }
            crate::output::write(None, out.as_bytes())?;
        }
    }
    Ok(if outcome.reproducible {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
