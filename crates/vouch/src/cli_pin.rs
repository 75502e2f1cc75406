//! clap definitions for `vouch pin` and `vouch update`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::Format;

/// Where references resolve: registries and forges (shared by `pin` and `update`).
#[derive(Debug, Clone, Args)]
pub struct ResolveArgs {
    /// Reach this registry (`HOST:PORT`, as written in image references) over plain HTTP
    /// (repeatable).
    #[arg(long = "insecure-registry", value_name = "HOST:PORT")]
    pub insecure_registry: Vec<String>,
    /// Base URL of GitHub (Enterprise): `uses: owner/repo@ref` resolves in `{URL}/owner/repo`.
    #[arg(long, value_name = "URL", default_value = "https://github.com")]
    pub github_url: String,
    /// Base URL of GitLab: includes and components resolve in `{URL}/group/project`.
    #[arg(long, value_name = "URL", default_value = "https://gitlab.com")]
    pub gitlab_url: String,
}

#[derive(Debug, Args)]
pub struct PinArgs {
    /// Directory (or single file) whose references to pin; `vouch.lock` is written there.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Print the changes as a unified diff on stdout and write nothing.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Change nothing; exit 1 when a reference is unpinned or a version comment disagrees with
    /// its commit.
    #[arg(long)]
    pub check: bool,
    /// With `--check`: only report unpinned references, without resolving anything (no
    /// network), so version comments are not compared with their commits.
    #[arg(long, requires = "check")]
    pub offline: bool,
    /// With `--check`: the findings' format on stdout.
    #[arg(long, requires = "check", default_value = "lines", value_parser = crate::cli::formats(&[Format::Lines, Format::Json, Format::Sarif]))]
    pub format: Format,
    #[command(flatten)]
    pub resolve: ResolveArgs,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Directory (or single file) whose pins to update; `vouch.lock` is rewritten there.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Allow moving to a newer major version.
    #[arg(long)]
    pub major: bool,
    /// Skip releases younger than this (`7d`, `36h`, `2w`; friendly or ISO 8601 durations).
    #[arg(long, value_name = "DURATION")]
    pub min_age: Option<String>,
    /// Apply non-major updates even when they remove an input or output, or add a required
    /// input.
    #[arg(long)]
    pub allow_breaking: bool,
    /// Print the changes as a unified diff on stdout and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub resolve: ResolveArgs,
}
