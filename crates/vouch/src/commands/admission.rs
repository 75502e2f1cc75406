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
    let decide = decide_from_config(&args)?;
    let options = ServeOptions::new(args.listen, args.tls_cert.clone(), args.tls_key.clone());
    vouch_server::admission::serve(options, decide)
        .with_context(|| format!("admission webhook on {}", args.listen))?;
    Ok(ExitStatus::Success)
}

/// The decision library for `--config` (with `--db` and `--insecure-registry`).
///
/// The admission library (`vouch-admission`) is merged separately; until then this refuses
/// to start, so the webhook can never run without its decisions. At the merge it becomes:
/// `Config::load(&args.config, db)`, a `RegistryVerifier` over `crate::registry::resolver`,
/// `Engine::new`, wrapped in the adapter that implements [`Decide`].
fn decide_from_config(args: &AdmissionServeArgs) -> anyhow::Result<Arc<dyn Decide>> {
    anyhow::bail!(
        "admission library not merged yet: cannot load {}",
        args.config.display()
    )
}
