//! clap definitions for `vouch fetch`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["url", "lock"])))]
pub struct FetchArgs {
    /// URL to download (http or https). Credentials in it are never printed.
    #[arg(requires_all = ["sha256", "output"])]
    pub url: Option<String>,
    /// The SHA-256 the file must have (64 hex digits, `sha256:` prefix optional).
    #[arg(long, value_name = "HEX", conflicts_with = "lock")]
    pub sha256: Option<String>,
    /// Where to write the file; written only when the digest matches.
    #[arg(short, long, value_name = "FILE", conflicts_with = "lock")]
    pub output: Option<PathBuf>,
    /// Fetch every entry of this lock file (`sources.lock`, see docs/fetch.md) instead.
    #[arg(long, value_name = "FILE")]
    pub lock: Option<PathBuf>,
    /// Folder the lock's paths are relative to (default: the lock's folder).
    #[arg(long, value_name = "DIR", requires = "lock")]
    pub dir: Option<PathBuf>,
    /// Downloads run at the same time with --lock (1 to 32).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=32), requires = "lock")]
    pub jobs: u16,
    /// Follow redirects to this host too (repeatable); by default only redirects to the URL's
    /// own host are followed, and never from https to http.
    #[arg(long = "allow-redirect-host", value_name = "HOST")]
    pub allow_redirect_host: Vec<String>,
    /// Largest download accepted, in bytes (default 4 GiB).
    #[arg(long, value_name = "BYTES", default_value_t = vouch_resolve::fetch::DEFAULT_MAX_SIZE)]
    pub max_size: u64,
    /// Seconds one download may take, connection included.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
}
