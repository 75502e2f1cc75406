//! clap definitions for `vouch admission`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum AdmissionCommand {
    /// Run the HTTPS admission webhook: POST /validate and /mutate (AdmissionReview v1),
    /// /healthz, /readyz, /metrics. Every decision is the gate's, under admission.toml's
    /// rules; anything that cannot be decided in time is denied.
    Serve(AdmissionServeArgs),
}

#[derive(Debug, Args)]
pub struct AdmissionServeArgs {
    /// The webhook's rules: which images and namespaces each gate policy covers, its mode,
    /// the deadline (docs/admission.md).
    #[arg(long, value_name = "admission.toml")]
    pub config: PathBuf,
    /// PEM certificate chain the webhook serves (reloaded when the file changes).
    #[arg(long, value_name = "CRT")]
    pub tls_cert: PathBuf,
    /// PEM private key of the certificate (reloaded when the file changes).
    #[arg(long, value_name = "KEY")]
    pub tls_key: PathBuf,
    /// Address to listen on, IP:PORT (HTTPS only; e.g. 0.0.0.0:8443).
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub registry: crate::cli::RegistryArgs,
    /// Advisory database, for gate policies with `[vulnerabilities]`.
    #[command(flatten)]
    pub db: crate::cli::DbLocation,
}
