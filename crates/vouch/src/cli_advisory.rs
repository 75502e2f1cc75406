//! clap definitions for `vouch db` and `vouch vulns`.

use std::path::PathBuf;

use super::{Format, WalkArgs};

/// Where the advisory database lives: `--db`, else `VOUCH_DB`, else the user's data directory.
#[derive(Debug, Clone, clap::Args)]
pub struct DbLocation {
    /// Advisory database file [default: $XDG_DATA_HOME/vouch/osv.sqlite or
    /// ~/.local/share/vouch/osv.sqlite].
    #[arg(long = "db", value_name = "PATH", env = "VOUCH_DB")]
    pub db: Option<PathBuf>,
}

/// Where the advisory database comes from when none exists yet, and how old it may be
/// (`vouch scan`, `vouch vulns`, `vouch gate`; docs/db.md#first-use).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DbSourceArgs {
    /// Where to fetch the advisory database from when none exists: a mirror base URL serving
    /// `<ECOSYSTEM>/all.zip` like the OSV bucket, the URL of one `.zip` export, or a local zip
    /// file or folder [default: the OSV bulk export, for the ecosystems found].
    #[arg(long, value_name = "URL|PATH", env = "VOUCH_DB_SOURCE")]
    pub db_source: Option<String>,
    /// Never use the network: without a database, vulnerabilities are "not checked" (exit 2).
    #[arg(
        long,
        env = "VOUCH_OFFLINE",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub offline: bool,
    /// Flag an advisory database last updated longer ago than this (`7d`, `36h`, `2w`;
    /// `advisory-db-stale`) [default: 7d].
    #[arg(long, value_name = "DURATION", env = "VOUCH_DB_MAX_AGE")]
    pub db_max_age: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Import OSV JSON/YAML files, folders, OSV zip exports, RustSec advisories, the Debian
    /// Security Tracker JSON and Alpine secdb files (each told by its content).
    Import(DbImportArgs),
    /// Show record counts per ecosystem, the newest `modified` time, the content digest, and
    /// where the last import or fetch read from and when.
    Status(DbStatusArgs),
    /// Download the public OSV exports (all.zip per ecosystem) and import them.
    Update(DbUpdateArgs),
}

#[derive(Debug, clap::Args)]
pub struct DbImportArgs {
    /// Files, folders or zip exports to import.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub location: DbLocation,
}

#[derive(Debug, clap::Args)]
pub struct DbStatusArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: DbStatusFormat,
    #[command(flatten)]
    pub location: DbLocation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DbStatusFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DbUpdateArgs {
    /// OSV ecosystem to download (`PyPI`, `crates.io`, `Debian:12`…; repeatable).
    #[arg(
        long = "ecosystem",
        required_unless_present = "popular",
        value_name = "NAME"
    )]
    pub ecosystems: Vec<String>,
    /// Also download the popular-package lists of the typosquat check (PyPI and npm) into
    /// `popular/` beside the database; a list newer than the one vouch ships is then used.
    #[arg(long)]
    pub popular: bool,
    /// Where the PyPI popular list is downloaded from (top-pypi-packages JSON).
    #[arg(
        long,
        value_name = "URL",
        env = "VOUCH_POPULAR_PYPI_URL",
        default_value = vouch_typosquat::source::PYPI_URL
    )]
    pub popular_pypi_url: String,
    /// Where the npm popular list is downloaded from (npm-high-impact's top-download.js).
    #[arg(
        long,
        value_name = "URL",
        env = "VOUCH_POPULAR_NPM_URL",
        default_value = vouch_typosquat::source::NPM_URL
    )]
    pub popular_npm_url: String,
    /// Base URL of the OSV export bucket.
    #[arg(
        long,
        env = "VOUCH_OSV_URL",
        default_value = "https://osv-vulnerabilities.storage.googleapis.com"
    )]
    pub url: String,
    #[command(flatten)]
    pub location: DbLocation,
}

#[derive(Debug, clap::Args)]
pub struct VulnsArgs {
    /// Directory or root filesystem to inventory (ignored with --sbom).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Match the components of this CycloneDX or SPDX JSON SBOM instead of walking PATH.
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<PathBuf>,
    /// OpenVEX document whose not_affected/fixed statements suppress findings (repeatable).
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Ignore file [default: PATH/.vouch/ignore.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = super::formats(&[Format::Table, Format::Json, Format::Sarif, Format::Cyclonedx, Format::Gitlab]))]
    pub format: Format,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 only for unsuppressed findings at or above this severity
    /// (info, low, medium, high, critical) [default: any finding].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Also report RustSec informational advisories (unmaintained, unsound, notice).
    #[arg(long)]
    pub informational: bool,
    #[command(flatten)]
    pub location: DbLocation,
    #[command(flatten)]
    pub source: DbSourceArgs,
    #[command(flatten)]
    pub walk: WalkArgs,
}
