//! clap definitions for `vouch gate`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// Output formats of `vouch gate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    /// The decision and its reasons on stderr; the `sha256:` reference to promote on stdout.
    Table,
    /// The whole decision as JSON on stdout.
    Json,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The artifact file to promote, or an image in a registry
    /// (`registry:HOST/REPO:TAG|@sha256:…`), whose evidence is what is attached to it.
    pub artifact: PathBuf,
    /// Gate policy (TOML; see docs/gate.md). Relative paths in it are relative to its folder.
    #[arg(long, value_name = "gate.toml")]
    pub policy: PathBuf,
    /// Folder holding the evidence: the signature bundle, the SBOM and every `*.intoto.jsonl`
    /// [default: the artifact's folder].
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Advisory database, for policies with `[vulnerabilities]`.
    #[command(flatten)]
    pub db: crate::cli::DbLocation,
    #[command(flatten)]
    pub db_source: crate::cli::DbSourceArgs,
    /// Source tree for `check = true` and `secrets = true` in the policy.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub source: PathBuf,
    /// Private key that signs the verification summary on a pass (password from
    /// VOUCH_PASSWORD or a prompt). Without it no summary is written.
    #[arg(long, value_name = "NAME.key")]
    pub key: Option<PathBuf>,
    /// Where to write the verification summary [default: EVIDENCE/vsa.intoto.jsonl].
    #[arg(long, value_name = "FILE")]
    pub vsa: Option<PathBuf>,
    /// Another tool's SARIF 2.1.0 log (semgrep, CodeQL, gitleaks, trivy, ...; repeatable):
    /// its results are judged by the policy's `[sarif]` (docs/sarif.md). Unsigned input: a
    /// signed SARIF attestation in the evidence folder says who ran the scan.
    #[arg(long = "sarif", value_name = "FILE")]
    pub sarif: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: GateFormat,
    #[command(flatten)]
    pub registry: crate::cli::RegistryArgs,
}
