//! clap definitions for the evidence commands: key, sign, verify, attest, verify-attestation.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgorithmArg {
    EcdsaP256,
    Ed25519,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key pair: NAME.key (encrypted, mode 0600) and NAME.pub.
    ///
    /// The password comes from VOUCH_PASSWORD, else a terminal prompt.
    Generate(KeyGenerateArgs),
}

#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// Key algorithm.
    #[arg(long, value_enum, default_value = "ecdsa-p256")]
    pub algorithm: KeyAlgorithmArg,
    /// Write NAME.key and NAME.pub.
    #[arg(long, default_value = "vouch", value_name = "NAME")]
    pub output_prefix: PathBuf,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

/// Registries spoken to over plain HTTP (evidence commands on `registry:` images).
#[derive(Debug, Clone, Default, Args)]
pub struct RegistryArgs {
    /// Registry HOST:PORT to ask over plain HTTP (loopback test registries; repeatable).
    #[arg(long = "insecure-registry", value_name = "HOST:PORT")]
    pub insecure_registry: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// File to sign, or an image in a registry (`registry:HOST/REPO:TAG|@sha256:…`): its
    /// manifest digest is signed and the signature attached to it.
    pub file: PathBuf,
    /// Private key file (vouch or cosign format). Password from VOUCH_PASSWORD or a prompt.
    #[arg(long, value_name = "NAME.key")]
    pub key: PathBuf,
    /// Where to write the bundle [default: FILE.sigstore.json; an image's is pushed only].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Who must have signed: a key, or a certificate identity and issuer.
#[derive(Debug, Args)]
pub struct SignerArgs {
    /// Public key (PEM SubjectPublicKeyInfo) the bundle must be signed with.
    #[arg(long, value_name = "PUB", conflicts_with_all = ["certificate_identity", "certificate_oidc_issuer"])]
    pub key: Option<PathBuf>,
    /// Exact certificate identity (SAN: email or URI) for keyless bundles.
    #[arg(long, requires = "certificate_oidc_issuer", value_name = "ID")]
    pub certificate_identity: Option<String>,
    /// Exact OIDC issuer for keyless bundles.
    #[arg(long, requires = "certificate_identity", value_name = "ISS")]
    pub certificate_oidc_issuer: Option<String>,
    /// trusted_root.json to use instead of the embedded production Sigstore root.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// With --key: require a verified transparency-log entry (by default key-signed bundles
    /// without log entries are accepted and reported as such).
    #[arg(long)]
    pub require_tlog: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed file, its digest as sha256:HEX, or an image in a registry
    /// (`registry:HOST/REPO:TAG|@sha256:…`), whose attached signatures are verified.
    pub artifact: String,
    /// Sigstore bundle (required for a file; an image's signatures come from its registry).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Sign SLSA v1 provenance for build outputs, filled from GitLab CI, GitHub Actions or the
    /// local git checkout.
    Provenance(AttestProvenanceArgs),
    /// Sign an SBOM (CycloneDX or SPDX JSON) as an attestation about a file.
    Sbom(AttestSbomArgs),
    /// Sign a rebuild attestation: this rebuilder built the subject from the named source and
    /// got the same bytes (or, with --rebuilt, the digest it got instead), valid for a window.
    Rebuild(AttestRebuildArgs),
    /// Sign another tool's SARIF 2.1.0 log as an attestation about the file it scanned
    /// (predicate type `https://vouch.dev/sarif/v1`), so the gate knows who ran the scan.
    Sarif(AttestSarifArgs),
}

#[derive(Debug, Args)]
pub struct AttestSarifArgs {
    /// The file the scan was about, or an image in a registry (`registry:…`), to which the
    /// attestation is attached.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub subject: Vec<PathBuf>,
    /// The SARIF 2.1.0 log (read and checked before it is signed).
    #[arg(long, value_name = "FILE")]
    pub sarif: PathBuf,
    /// Private key file.
    #[arg(long, value_name = "NAME.key")]
    pub key: PathBuf,
    /// Output file (JSON Lines, one bundle per line) [default: sarif.intoto.jsonl; an image's
    /// attestation is pushed only].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub struct AttestRebuildArgs {
    /// The artifact rebuilt (a file, by SHA-256), or one image in a registry
    /// (`registry:HOST/REPO:TAG|@sha256:…`), to which the attestation is attached.
    #[arg(long, value_name = "ARTIFACT")]
    pub subject: PathBuf,
    /// Private key file of this rebuilder.
    #[arg(long, value_name = "NAME.key")]
    pub key: PathBuf,
    /// The source commit the rebuild started from (repeatable).
    #[arg(long = "source-commit", value_name = "SHA")]
    pub source_commit: Vec<String>,
    /// A source file the rebuild started from, by digest (repeatable).
    #[arg(long = "source-digest", value_name = "NAME=sha256:HEX")]
    pub source_digest: Vec<String>,
    /// What this rebuild produced when it differs from the subject: a file or `sha256:HEX`
    /// [default: the subject itself, i.e. the same bytes]. A different digest is written as a
    /// mismatch report and exits 1.
    #[arg(long, value_name = "FILE|sha256:HEX")]
    pub rebuilt: Option<String>,
    /// How the statement names this rebuilder [default: `key:` and the key's fingerprint].
    #[arg(long, value_name = "ID")]
    pub rebuilder_id: Option<String>,
    /// How long the claim holds from now (e.g. `30d`, `12h`; at most 366 days).
    #[arg(long, default_value = "30d", value_name = "DURATION")]
    pub valid_for: String,
    /// Output file (JSON Lines, one bundle per line) [default: rebuild.intoto.jsonl; an
    /// image's attestation is pushed only].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub struct AttestProvenanceArgs {
    /// Build outputs (subjects), by SHA-256; or one image in a registry
    /// (`registry:HOST/REPO:TAG|@sha256:…`), to which the attestation is attached.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub subject: Vec<PathBuf>,
    /// Private key file.
    #[arg(long, value_name = "NAME.key")]
    pub key: PathBuf,
    /// CycloneDX or SPDX JSON SBOM whose components become resolved dependencies.
    #[arg(long, value_name = "SBOM")]
    pub sbom: Option<PathBuf>,
    /// Output file (JSON Lines, one bundle per line) [default: provenance.intoto.jsonl; an
    /// image's attestation is pushed only].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub struct AttestSbomArgs {
    /// The file the SBOM describes, or an image in a registry (`registry:…`), to which the
    /// attestation is attached.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub subject: Vec<PathBuf>,
    /// CycloneDX or SPDX JSON SBOM.
    #[arg(long, value_name = "SBOM")]
    pub sbom: PathBuf,
    /// Private key file.
    #[arg(long, value_name = "NAME.key")]
    pub key: PathBuf,
    /// Output file (JSON Lines, one bundle per line) [default: sbom.intoto.jsonl; an image's
    /// attestation is pushed only].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub struct VerifyAttestationArgs {
    /// The attested file (or sha256:HEX), or an image in a registry (`registry:…`); its
    /// digest must be a subject.
    pub artifact: String,
    /// Attestation file: JSON Lines of Sigstore bundles (required for a file; an image's
    /// attestations come from its registry).
    #[arg(long, value_name = "ATT.jsonl")]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    /// Required predicate type (e.g. `https://slsa.dev/provenance/v1`).
    #[arg(long)]
    pub predicate_type: Option<String>,
    /// Required source repository URI (SLSA provenance).
    #[arg(long)]
    pub source_uri: Option<String>,
    /// Required source commit (SLSA provenance).
    #[arg(long)]
    pub commit: Option<String>,
    /// Required builder id (SLSA provenance).
    #[arg(long)]
    pub builder_id: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// The image (`registry:HOST/REPO:TAG|@sha256:…`).
    pub image: String,
    /// Who must have signed, to show verdicts (without it, what is attached is only listed).
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub registry: RegistryArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
}
