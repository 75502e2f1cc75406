//! clap definitions for `vouch slo`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum SloCommand {
    /// Turn an SLO file (vouch's seed format or OpenSLO v1) into Prometheus recording rules and
    /// multi-window multi-burn-rate alerts.
    Rules(SloRulesArgs),
    /// Compute each SLO from CI pipeline events (GitLab pipeline/job webhooks, GitHub
    /// workflow_run/workflow_job payloads): exit 0 all met, 1 one breached or out of budget,
    /// 2 one could not be evaluated.
    Status(SloStatusArgs),
}

#[derive(Debug, Args)]
pub struct SloRulesArgs {
    /// The SLO file (see docs/slo.md).
    pub spec: PathBuf,
    /// Write the rules here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SloStatusArgs {
    /// The SLO file (seed format: its indicators say what to measure).
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,
    /// Webhook payload files (one payload or a JSON array of payloads each).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub events: Vec<PathBuf>,
    /// Read the events stored by `vouch fleet events add` instead: an SQLite file or
    /// postgres://… [bare `--store`: $VOUCH_STORE, else the fleet store's default]. Without
    /// `--events`, a set VOUCH_STORE is used as if `--store` were given.
    #[arg(
        long,
        value_name = "PATH|URL",
        num_args = 0..=1,
        default_missing_value = "",
        conflicts_with = "events"
    )]
    pub store: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: SloFormat,
    /// The time to evaluate at (RFC 3339) [default: now, or SOURCE_DATE_EPOCH].
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SloFormat {
    Table,
    Json,
}
