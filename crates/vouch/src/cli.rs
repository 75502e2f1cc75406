//! clap definitions only. Doc comments are the help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[path = "cli_evidence.rs"]
mod evidence;
pub use evidence::*;

#[path = "cli_advisory.rs"]
mod advisory;
pub use advisory::*;

#[path = "cli_pin.rs"]
mod pin;
pub use pin::*;

#[path = "cli_gate.rs"]
mod gate;
pub use gate::*;

#[path = "cli_admission.rs"]
mod admission;
pub use admission::*;

#[path = "cli_fetch.rs"]
mod fetch;
pub use fetch::*;

#[path = "cli_slo.rs"]
mod slo;
pub use slo::*;
#[path = "cli_package.rs"]
mod package;
pub use package::*;
#[path = "cli_repro.rs"]
mod repro;
pub use repro::*;

/// vouch: know what you ship, where it came from, and that it has not changed.
#[derive(Debug, Parser)]
#[command(name = "vouch", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Dockerfiles, CI definitions, Kubernetes/compose manifests and package settings
    /// against the built-in rules and Rego policies (conftest conventions).
    Check(CheckArgs),
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
    /// Find leaked credentials in files, git history, staged changes or stdin.
    Secrets(SecretsArgs),
    /// Manage the offline vulnerability database (import OSV/RustSec data, status, update).
    #[command(subcommand)]
    Db(DbCommand),
    /// Match an inventory or an SBOM against the vulnerability database.
    Vulns(VulnsArgs),
    /// Pin image tags, action refs, includes and hook revisions to digests and commits, in
    /// place, and record them in vouch.lock.
    Pin(PinArgs),
    /// Move pins to the newest release within their major, with an interface check.
    Update(UpdateArgs),
    /// Download a file (or every entry of a sources.lock) and keep it only when its SHA-256
    /// matches.
    Fetch(FetchArgs),
    /// Verify an artifact's whole evidence set against a gate policy; on a pass, write a signed
    /// verification summary and print the `sha256:` reference to promote.
    Gate(GateArgs),
    /// List the signatures, attestations and SBOMs attached to an image in its registry, where
    /// each was found, and (given a key or identity) whether each verifies.
    Evidence(EvidenceArgs),
    /// Print the page of a rule or diagnostic code (the `error[CODE]` and rule ids vouch
    /// reports), from the docs built into this binary.
    Explain(ExplainArgs),
    /// The Kubernetes admission webhook: only signed, attested, digest-pinned images run.
    #[command(subcommand)]
    Admission(AdmissionCommand),
    /// Delivery SLOs: Prometheus rules from an SLO file, and SLO status from CI pipeline events.
    #[command(subcommand)]
    Slo(SloCommand),
    /// Package a directory as a deterministic OCI image (one layer; sorted entries, fixed
    /// owners, modes and times) and print its `sha256:` manifest digest.
    Package(PackageArgs),
    /// Compare two artifacts (files, directories, tar/zip archives, OCI images, JSON) and list
    /// what differs; exit 1 when they differ.
    Diff(DiffArgs),
    /// Build a source tree twice under varied environments and compare the artifacts; exit 1,
    /// naming the variation, when they differ.
    Reproduce(ReproduceArgs),
    /// The fleet index: which artifacts contain a package or are affected by an advisory,
    /// across every SBOM ingested (SQLite by default, PostgreSQL with --store postgres://…).
    #[command(subcommand)]
    Fleet(crate::commands::fleet::FleetCommand),
    /// The fleet dashboard: pages and a JSON API answering which artifacts contain a package
    /// or are affected by an advisory, over the fleet store (plain HTTP, for a reverse proxy).
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (plain HTTP: terminate TLS and authenticate people at a reverse
    /// proxy in front).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    #[command(flatten)]
    pub store: crate::commands::fleet::StoreArgs,
    /// Advisory database for advisory searches (GHSA-…, CVE-…); without it only package
    /// searches are answered.
    #[arg(long = "db", value_name = "PATH", env = "VOUCH_DB")]
    pub db: Option<PathBuf>,
    /// SLO file (seed format) evaluated over the store's pipeline events: the SLO panel and
    /// /api/slo.
    #[arg(long, value_name = "FILE")]
    pub slo: Option<PathBuf>,
    /// File holding the ingest token that enables POST /api/sbom and POST /api/events
    /// (also VOUCH_INGEST_TOKEN); without one the server is read-only.
    #[arg(long, value_name = "FILE")]
    pub ingest_token_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The code, e.g. `invalid-signature`, `dockerfile-latest-tag`, `generic-password`.
    #[arg(required_unless_present = "list")]
    pub code: Option<String>,
    /// List every code that has a page.
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Directory or root filesystem to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub db: DbLocation,
    #[command(flatten)]
    pub db_source: DbSourceArgs,
    /// Exit 1 when an unsuppressed finding is at or above this severity
    /// (info, low, medium, high, critical).
    #[arg(long, default_value = "medium", value_name = "SEVERITY")]
    pub fail_on: String,
    /// Output format: a summary and one findings table, or every result as JSON.
    #[arg(long, default_value = "table", value_parser = formats(&[Format::Table, Format::Json, Format::Sarif, Format::Lines]))]
    pub format: Format,
    /// Do not read `PATH/.vouch/scan.toml` (for scanning untrusted changes: only `--exclude`
    /// given here applies).
    #[arg(long)]
    pub no_scan_config: bool,
    /// OpenVEX document whose not_affected/fixed statements suppress vulnerabilities
    /// (repeatable), as for `vouch vulns`.
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Ignore file for vulnerabilities and configuration findings
    /// [default: PATH/.vouch/ignore.toml].
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// List suppressed findings in the table (they are always counted).
    #[arg(long)]
    pub show_suppressed: bool,
    /// Do not run this check (repeatable); it is reported as skipped, never as clean.
    #[arg(long, value_enum, value_name = "CHECK")]
    pub skip: Vec<ScanCheck>,
    /// Helm values file merged over each chart's values.yaml before rendering (repeatable;
    /// later files win), as `helm template --values`.
    #[arg(long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Another tool's SARIF 2.1.0 log to merge into the report (repeatable): one finding per
    /// result, rule ids prefixed with the tool (`semgrep/…`); docs/sarif.md.
    #[arg(long = "sarif", value_name = "FILE")]
    pub sarif: Vec<PathBuf>,
}

/// The checks of `vouch scan`, for `--skip` and `skip` in `.vouch/scan.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanCheck {
    Vulnerabilities,
    Secrets,
    Configuration,
    Pinning,
    Typosquats,
}

/// How a directory is walked for inventory (shared by `scan`, `sbom` and `vulns`).
#[derive(Debug, Clone, clap::Args)]
pub struct WalkArgs {
    /// Leave out paths matching this glob (gitignore syntax, relative to PATH; repeatable).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Treat warnings (unreadable or malformed files) as errors: exit 2 and write nothing.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub image: ImageArgs,
}

/// How an image is read when PATH names one (`oci-dir:`, `oci-archive:`, `docker-archive:`,
/// `registry:`, or a layout directory or archive file); docs/images.md.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ImageArgs {
    /// Platform of a multi-platform image, os/arch[/variant] [default: this machine's].
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Registry HOST:PORT to ask over plain HTTP (loopback test registries; repeatable).
    #[arg(long = "insecure-registry", value_name = "HOST:PORT")]
    pub insecure_registry: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct SbomArgs {
    /// Directory or root filesystem to inventory, or an image.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Sign the SBOM as an attestation about the image (`registry:…` only) and attach it to
    /// the image in its registry; needs --key.
    #[arg(long, requires = "key")]
    pub attest: bool,
    /// Private key for --attest (password from VOUCH_PASSWORD or a prompt).
    #[arg(long, value_name = "NAME.key", requires = "attest")]
    pub key: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "cyclonedx-json")]
    pub format: SbomFormat,
    /// Write the SBOM to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub walk: WalkArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    CyclonedxJson,
    /// SPDX 2.3 JSON.
    SpdxJson,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check (directories are walked; default `.`).
    pub paths: Vec<PathBuf>,
    /// Directory of Rego policies (repeatable); `.vouch/policy/` under the root is always added.
    /// `-p` as in conftest.
    #[arg(short = 'p', long = "policy", value_name = "DIR")]
    pub policy: Vec<PathBuf>,
    /// Do not evaluate the built-in rule pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = formats(&[Format::Table, Format::Json, Format::Sarif, Format::Gitlab, Format::Lines]))]
    pub format: Format,
    /// Exit 1 when an unsuppressed finding is at or above this severity
    /// (info, low, medium, high, critical).
    #[arg(long, default_value = "medium", value_name = "SEVERITY")]
    pub fail_on: String,
    /// URL prefix lockfile packages may resolve from (repeatable); default: the public npm and
    /// PyPI registries.
    #[arg(long, value_name = "URL_PREFIX")]
    pub allowed_registry: Vec<String>,
    /// Ignore file (default `<root>/.vouch/ignore.toml`).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Skip files and folders matching this glob (gitignore syntax, relative to the root;
    /// repeatable). Files named on the command line are still checked.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Print the normalised policy input of FILE as JSON and exit.
    #[arg(long, value_name = "FILE")]
    pub print_input: Option<PathBuf>,
    /// List the built-in rules and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Files larger than this many bytes are reported instead of read (default 8 MiB).
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Date used for ignore-entry expiry (YYYY-MM-DD); default SOURCE_DATE_EPOCH, else today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Evaluate the `--policy` folders exactly as `conftest test` does: the input is each parsed
    /// document of each YAML/JSON/TOML file, `deny`/`violation` fail and `warn` warns, in the
    /// `--namespace` packages (default `main`). The built-in rules are not run.
    #[arg(long)]
    pub conftest: bool,
    /// With --conftest: the package(s) to query (repeatable, `*` wildcards) [default: main].
    #[arg(long = "namespace", value_name = "NS", requires = "conftest")]
    pub namespace: Vec<String>,
    /// With --conftest: query every package of the policies.
    #[arg(long, requires = "conftest", conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// With --conftest: exit 1 on warnings too.
    #[arg(long, requires = "conftest")]
    pub fail_on_warn: bool,
    /// Helm values file merged over each chart's values.yaml before rendering (repeatable;
    /// later files win), as `helm template --values`.
    #[arg(long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Registry (`ghcr.io`) or repository prefix (`ghcr.io/acme`) an image's base may come
    /// from (repeatable; images only, rule image-base-registry-not-allowed).
    #[arg(long = "allowed-base-registry", value_name = "REGISTRY")]
    pub allowed_base_registry: Vec<String>,
    #[command(flatten)]
    pub image: ImageArgs,
}

#[derive(Debug, clap::Args)]
pub struct SecretsArgs {
    /// Directory or file to scan, the repository for --git/--staged, or `-` for stdin.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Scan every commit reachable from any reference (secrets deleted later included).
    #[arg(long)]
    pub git: bool,
    /// Scan what is staged (index against HEAD), for pre-commit hooks.
    #[arg(long)]
    pub staged: bool,
    /// Output format.
    #[arg(long, short = 'f', default_value = "table", value_parser = formats(&[Format::Table, Format::Json, Format::Sarif, Format::Gitlab, Format::Lines]))]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Exit 1 when there are findings (the default; kept explicit for hooks and CI).
    #[arg(long, conflicts_with = "no_fail")]
    pub fail: bool,
    /// Exit 0 even when there are findings (report only).
    #[arg(long)]
    pub no_fail: bool,
    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this run to a baseline file.
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Allow-list config (default: .vouch/secrets.toml under the scanned directory, if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Skip paths matching this glob (gitignore syntax, relative to the scanned root;
    /// repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files and blobs larger than this many bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Worker threads (0: one per CPU).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print secrets in clear, for local triage only. Never use in CI.
    #[arg(long)]
    pub show_secrets: bool,
    #[command(flatten)]
    pub image: ImageArgs,
}

/// The report formats the finding commands share (`check`, `secrets`, `scan`, `vulns`). Each
/// command accepts the ones it can write ([`formats`]), and its `--help` lists exactly those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// vouch's own JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitLab's report for the command: Code Quality (check), Secret Detection (secrets),
    /// Dependency Scanning (vulns).
    Gitlab,
    /// CycloneDX 1.6 with a `vulnerabilities` array (vulns).
    Cyclonedx,
    /// One line per finding, `path:line: reference[rule]: message`, for editors and grep.
    Lines,
}

impl Format {
    /// The error for a format a command cannot write. The command's [`formats`] parser refuses
    /// it first; this keeps each command's `match` total without a panic.
    pub fn unavailable(self, command: &str) -> anyhow::Error {
        use clap::ValueEnum as _;
        let name = self
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        anyhow::anyhow!("--format {name} is not available for vouch {command}")
    }
}

/// A `--format` parser that accepts only `allowed` (with their help), as [`Format`].
pub fn formats(allowed: &'static [Format]) -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::ValueEnum as _;
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(allowed.iter().filter_map(Format::to_possible_value))
        .try_map(|s| Format::from_str(&s, false))
}
