//! clap definitions only. Doc comments are the help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[path = "cli_evidence.rs"]
mod evidence;
pub use evidence::*;

/// vouch: know what you ship, where it came from, and that it has not changed.
#[derive(Debug, Parser)]
#[command(name = "vouch", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate signing keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign a file into a Sigstore bundle with a local key (offline).
    Sign(SignArgs),
    /// Verify a Sigstore bundle for a file, offline.
    Verify(VerifyArgs),
    /// Sign in-toto attestations (SLSA provenance, SBOM) about build outputs.
    #[command(subcommand)]
    Attest(AttestCommand),
    /// Verify an attestation file for an artifact and check expectations.
    VerifyAttestation(VerifyAttestationArgs),
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
