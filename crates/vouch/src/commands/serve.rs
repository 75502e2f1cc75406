//! `vouch serve`: the fleet dashboard (vouch-server's `dashboard`) over a fleet store.

use anyhow::Context as _;
use std::sync::Arc;

use crate::cli::ServeArgs;
use crate::exit::ExitStatus;
use vouch_server::dashboard::{self, DashboardOptions, IngestToken};

/// Largest token file read.
const MAX_TOKEN_FILE: u64 = 64 * 1024;
/// Largest SLO file read (as `vouch slo`).
const MAX_SPEC: u64 = 4 * 1024 * 1024;

pub fn run(args: ServeArgs) -> anyhow::Result<ExitStatus> {
    let location = super::fleet::location(&args.store)?;
    let ingest_token = match (&args.ingest_token_file, std::env::var("VOUCH_INGEST_TOKEN")) {
        (Some(path), _) => {
            let text = vouch_fs::read::read_to_string(path, MAX_TOKEN_FILE)
                .with_context(|| format!("cannot read the ingest token file {}", path.display()))?;
            Some(IngestToken::new(
                &text,
                &format!("--ingest-token-file {}", path.display()),
            )?)
        }
        (None, Ok(text)) if !text.is_empty() => {
            Some(IngestToken::new(&text, "VOUCH_INGEST_TOKEN")?)
        }
        _ => None,
    };
    let slo = match &args.slo {
        Some(path) => {
            let text = vouch_fs::read::read_to_string(path, MAX_SPEC)
                .with_context(|| format!("cannot read SLO file {}", path.display()))?;
            match vouch_slo::load(&text) {
                Ok(slos) => Some(slos),
                Err(err) => {
                    eprintln!(
                        "error[slo-spec-invalid]: SLO file {}: {}",
                        path.display(),
                        vouch_secrets::redact(&err.to_string())
                    );
                    return Ok(ExitStatus::Error);
                }
            }
        }
        None => None,
    };
    // A malformed SOURCE_DATE_EPOCH is refused here; it cannot change while serving, so the
    // clock below never meets that error.
    let started = crate::clock::now()?;
    let clock: dashboard::Clock = Arc::new(move || crate::clock::now().unwrap_or(started));
    let options = DashboardOptions {
        listen: args.listen,
        store: location.clone(),
        db: args.db.clone(),
        slo,
        ingest_token,
        clock,
        stop_on_signals: true,
    };
    let server = dashboard::Dashboard::bind(options)?;
    eprintln!(
        "vouch serve: http://{} over the fleet store {}{}{}",
        server.local_addr(),
        location.display(),
        match &args.db {
            Some(db) => format!(", advisory database {}", db.display()),
            None => String::new(),
        },
        if server.ingest_enabled() {
            "; ingest enabled (POST /api/sbom, /api/events)"
        } else {
            "; read-only"
        }
    );
    server.run()?;
    Ok(ExitStatus::Success)
}
