//! clap definitions only. Doc comments are the help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// vouch: know what you ship, where it came from, and that it has not changed.
#[derive(Debug, Parser)]
#[command(name = "vouch", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory a directory and run every check on it (the umbrella command).
    Scan(ScanArgs),
    /// Write an SBOM (CycloneDX 1.6 or SPDX 2.3 JSON) for a directory or root filesystem.
    Sbom(SbomArgs),
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Directory or root filesystem to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct SbomArgs {
    /// Directory or root filesystem to inventory.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}
