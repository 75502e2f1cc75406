//! clap definitions of `vouch diff` and `vouch reproduce` (docs/diff.md, docs/reproduce.md).

use std::ffi::OsString;
use std::path::PathBuf;

/// Output of `diff` and `reproduce`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReproFormat {
    /// A table for people.
    Table,
    /// vouch's own JSON.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The left artifact: a file, directory, tar/tar.gz/tar.zst, zip, JSON document, OCI
    /// layout or archive (`oci-dir:PATH[:TAG]`, `oci-archive:FILE[:TAG]`, or told by content).
    pub left: String,
    /// The right artifact, of the same kind.
    pub right: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReproFormat,
    /// For images: the platform of a multi-platform index to compare, `os/arch[/variant]`
    /// (default: this machine's).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Also hand each differing member pair to diffoscope (when installed) and print its text
    /// under the member. The exit code stays vouch's own.
    #[arg(long)]
    pub diffoscope: bool,
}

#[derive(Debug, clap::Args)]
pub struct ReproduceArgs {
    /// The artifact the build writes, relative to the source tree (a file or a directory).
    #[arg(long, value_name = "PATH")]
    pub artifact: PathBuf,
    /// What to vary: `all` (the default), `NAME,NAME` (exactly those), `-NAME` (all but it),
    /// `+NAME` (all and it). Names: build-path, time, source-date-epoch, timezone, locale,
    /// umask, home, env-order, file-order.
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub vary: Option<String>,
    /// The source tree to copy for each build (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,
    /// Keep the temporary folder (the copies, build logs and artifacts) and print its path.
    #[arg(long)]
    pub keep: bool,
    /// Longest one build may run, in seconds; past it the build is killed (exit 2).
    #[arg(long, value_name = "SECONDS", default_value_t = 7200)]
    pub timeout: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReproFormat,
    /// The build command, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}
