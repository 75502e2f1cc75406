//! `vouch admission serve`: the Kubernetes admission webhook (docs/admission.md,
//! docs/admission-server.md). The server is `vouch_server::admission`; the decisions are the
//! admission library's, built here from `--config`.
//!
//! Everything that can fail is done before the socket listens: a config, policy, key or trust
//! root that does not load, or TLS files that cannot be read, are exit 2 and the webhook never
//! starts open.

use std::sync::Arc;

use anyhow::Context as _;
use vouch_server::admission::{Decide, ServeOptions};

use crate::cli::{AdmissionCommand, AdmissionServeArgs};
use crate::exit::ExitStatus;

pub fn run(command: AdmissionCommand) -> anyhow::Result<ExitStatus> {
    match command {
        AdmissionCommand::Serve(args) => serve(args),
    }
}

fn serve(args: AdmissionServeArgs) -> anyhow::Result<ExitStatus> {
    let (decide, deadline) = decide_from_config(&args)?;
    let mut options = ServeOptions::new(args.listen, args.tls_cert.clone(), args.tls_key.clone());
    options.deadline = deadline;
    vouch_server::admission::serve(options, decide)
        .with_context(|| format!("admission webhook on {}", args.listen))?;
    Ok(ExitStatus::Success)
}

/// The decision library for `--config` (with `--db` and `--insecure-registry`): the
/// configuration and every gate policy it names loaded (an error is exit 2 before listening),
/// a `RegistryVerifier` over the same registry client `vouch gate registry:IMAGE` uses, and the
/// `Engine` behind the server's [`Decide`].
fn decide_from_config(
    args: &AdmissionServeArgs,
) -> anyhow::Result<(Arc<dyn Decide>, std::time::Duration)> {
    // The clock is read per decision; a malformed SOURCE_DATE_EPOCH is refused here, once.
    crate::clock::now()?;
    let db_path = super::db::resolve(&args.db)?;
    let db_given = db_path.is_file().then_some(db_path.as_path());
    let config = vouch_admission::Config::load(&args.config, db_given).with_context(|| {
        format!(
            "cannot load the admission configuration {}",
            args.config.display()
        )
    })?;
    let db = match db_given {
        Some(p) => Some(
            vouch_advisory::Database::open(p)
                .with_context(|| format!("the advisory database {} cannot be used", p.display()))?,
        ),
        None => None,
    };
    let resolver = crate::registry::resolver(&args.registry.insecure_registry)?;
    let verifier = vouch_admission::RegistryVerifier::new(resolver, clock, db);
    let deadline = config.deadline;
    let engine = vouch_admission::Engine::new(config, Arc::new(verifier));
    Ok((Arc::new(Adapter(engine)), deadline))
}

/// The admission clock: `SOURCE_DATE_EPOCH` when set (checked at start), else the system's.
fn clock() -> jiff::Timestamp {
    // Checked at start; the environment does not change while serving.
    crate::clock::now().unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// `vouch_admission::Engine` as the server's [`Decide`].
struct Adapter(vouch_admission::Engine);

impl Decide for Adapter {
    fn review(
        &self,
        endpoint: vouch_server::admission::Endpoint,
        body: &[u8],
        deadline: std::time::Instant,
    ) -> Result<vouch_server::admission::Answer, vouch_server::admission::DecideError> {
        answer(self.0.review(engine_endpoint(endpoint), body, deadline))
    }

    fn review_now(
        &self,
        endpoint: vouch_server::admission::Endpoint,
        body: &[u8],
    ) -> Option<Result<vouch_server::admission::Answer, vouch_server::admission::DecideError>> {
        self.0
            .review_now(engine_endpoint(endpoint), body)
            .map(answer)
    }

    fn ready(&self) -> bool {
        // The engine exists only once every policy, key and trust root loaded.
        true
    }
}

fn engine_endpoint(endpoint: vouch_server::admission::Endpoint) -> vouch_admission::Endpoint {
    match endpoint {
        vouch_server::admission::Endpoint::Validate => vouch_admission::Endpoint::Validate,
        vouch_server::admission::Endpoint::Mutate => vouch_admission::Endpoint::Mutate,
    }
}

/// The engine's outcome as the server's answer; a body the engine cannot read is HTTP 400.
fn answer(
    outcome: Result<vouch_admission::Outcome, vouch_admission::ReviewError>,
) -> Result<vouch_server::admission::Answer, vouch_server::admission::DecideError> {
    use vouch_server::admission::{Answer, DecideError, Verdict};
    let outcome = outcome.map_err(|e| DecideError::Malformed {
        message: e.to_string(),
    })?;
    Ok(Answer {
        response: outcome.response,
        log: outcome.log,
        verdict: match outcome.verdict {
            vouch_admission::Verdict::Allowed => Verdict::Allowed,
            vouch_admission::Verdict::Denied => Verdict::Denied,
            vouch_admission::Verdict::Warned => Verdict::Warned,
        },
        reasons: outcome.reasons,
        cache_hits: outcome.cache_hits,
        registry_errors: outcome.registry_errors,
    })
}
