//! `vouch fleet`: the fleet index (vouch-fleet) from the command line: ingest SBOMs,
//! directories and images, ask which artifacts hold a package or are affected by an advisory,
//! re-scan, history, pipeline events.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_advisory::db::Database;
use vouch_advisory::suppress::{Date, Suppressions};
use vouch_fleet::{Finding, Ingest, Location, Pattern, Store};

use crate::cli::DbLocation;
use crate::cli::WalkArgs;
use crate::exit::ExitStatus;

#[derive(Debug, clap::Subcommand)]
pub enum FleetCommand {
    /// Ingest SBOMs (CycloneDX 1.2–1.7, SPDX 2.2/2.3 JSON), or inventory a directory or image
    /// and ingest it; re-ingesting an artifact replaces its components and keeps history.
    Add(AddArgs),
    /// Which artifacts contain a package: pkg:TYPE/NAME, pkg:TYPE/NAME@VERSION, or a range
    /// in the ecosystem's order (pkg:npm/lodash@<4.17.21, pkg:pypi/django@>=4.0,<4.2).
    Query(QueryArgs),
    /// Which artifacts an advisory affects (an id, or an alias such as a CVE id).
    Affected(AffectedArgs),
    /// Re-match every artifact against the advisory database and print what is new since the
    /// last rescan (exit 1 when something is new).
    Rescan(RescanArgs),
    /// List the artifacts with their current version.
    Artifacts(ListArgs),
    /// One artifact: its components and the findings of the last rescan.
    Show(ShowArgs),
    /// When packages entered and left artifacts: a purl (pkg:npm/lodash) or an artifact name.
    History(HistoryArgs),
    /// Pipeline events (GitLab pipeline/job and GitHub workflow_run/workflow_job webhooks).
    #[command(subcommand)]
    Events(EventsCommand),
}

#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The fleet store: an SQLite file or postgres://… [default:
    /// $XDG_DATA_HOME/vouch/fleet.sqlite or ~/.local/share/vouch/fleet.sqlite].
    #[arg(
        long = "store",
        value_name = "PATH|URL",
        env = "VOUCH_STORE",
        global = true
    )]
    pub store: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FleetFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// SBOM files, directories or images (registry:…, oci-dir:…, docker-archive:…).
    #[arg(required = true, value_name = "SBOM|DIR|IMAGE")]
    pub inputs: Vec<PathBuf>,
    /// The artifact's name [default: the SBOM's subject, else the input as given]; with several
    /// inputs, each becomes a version of this one artifact in order.
    #[arg(long)]
    pub name: Option<String>,
    /// The artifact's version.
    #[arg(long)]
    pub version: Option<String>,
    /// The artifact's digest (sha256:…); an image's manifest digest is taken by default.
    #[arg(long)]
    pub digest: Option<String>,
    /// A label KEY=VALUE (team=payments, env=prod); repeatable.
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    #[arg(value_name = "PURL-OR-PATTERN")]
    pub pattern: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: FleetFormat,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct SuppressArgs {
    /// OpenVEX document applied to every artifact (repeatable).
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Ignore file (vouch's ignore.toml schema) applied to every artifact.
    #[arg(long = "ignore", value_name = "FILE")]
    pub ignore: Option<PathBuf>,
    /// OpenVEX document for one artifact: ARTIFACT=FILE (repeatable).
    #[arg(long = "vex-for", value_name = "ARTIFACT=FILE")]
    pub vex_for: Vec<String>,
    /// Ignore file for one artifact: ARTIFACT=FILE (repeatable).
    #[arg(long = "ignore-for", value_name = "ARTIFACT=FILE")]
    pub ignore_for: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct AffectedArgs {
    #[arg(value_name = "ADVISORY-ID")]
    pub id: String,
    #[command(flatten)]
    pub db: DbLocation,
    #[command(flatten)]
    pub suppress: SuppressArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: FleetFormat,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct RescanArgs {
    #[command(flatten)]
    pub db: DbLocation,
    #[command(flatten)]
    pub suppress: SuppressArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: FleetFormat,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: FleetFormat,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    pub artifact: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: FleetFormat,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    #[arg(value_name = "PURL|ARTIFACT")]
    pub subject: String,
    #[arg(long, value_enum, default_value = "table")]
    pub format: FleetFormat,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum EventsCommand {
    /// Store webhook payload files (each told by its content).
    Add(EventsAddArgs),
    /// List stored events as JSON, oldest first.
    List(EventsListArgs),
}

#[derive(Debug, clap::Args)]
pub struct EventsAddArgs {
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, clap::Args)]
pub struct EventsListArgs {
    /// Only events queued at or after this RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

pub fn run(cmd: FleetCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        FleetCommand::Add(args) => add(args),
        FleetCommand::Query(args) => query(args),
        FleetCommand::Affected(args) => affected(args),
        FleetCommand::Rescan(args) => rescan(args),
        FleetCommand::Artifacts(args) => artifacts(args),
        FleetCommand::Show(args) => show(args),
        FleetCommand::History(args) => history(args),
        FleetCommand::Events(EventsCommand::Add(args)) => events_add(args),
        FleetCommand::Events(EventsCommand::List(args)) => events_list(args),
    }
}

/// The store's location: `--store`/`VOUCH_STORE`, else the data directory's fleet.sqlite.
pub fn location(args: &StoreArgs) -> anyhow::Result<Location> {
    if let Some(s) = args.store.as_deref().filter(|s| !s.is_empty()) {
        return Ok(Location::parse(s));
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Ok(Location::Sqlite(
            PathBuf::from(dir).join("vouch").join("fleet.sqlite"),
        ));
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Ok(Location::Sqlite(
            PathBuf::from(home).join(".local/share/vouch/fleet.sqlite"),
        )),
        None => anyhow::bail!(
            "cannot find a data directory: set --store, VOUCH_STORE, XDG_DATA_HOME or HOME"
        ),
    }
}

fn open(args: &StoreArgs) -> anyhow::Result<Store> {
    let location = location(args)?;
    Ok(Store::open(&location)?)
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_header(header.iter().map(|h| h.to_uppercase()));
    for r in rows {
        t.add_row(r);
    }
    writeln!(std::io::stdout().lock(), "{t}")?;
    Ok(())
}

fn add(args: AddArgs) -> anyhow::Result<ExitStatus> {
    let labels = vouch_fleet::parse_labels(&args.labels)?;
    let now = now_text()?;
    let mut store = open(&args.store)?;
    let mut batch: Vec<Ingest> = Vec::new();
    for input in &args.inputs {
        let source = input.display().to_string();
        let is_file = std::fs::metadata(input).is_ok_and(|m| m.is_file());
        let sbom = if is_file {
            let bytes = crate::files::read(input, "SBOM", crate::files::MAX_EVIDENCE)?;
            match vouch_sbom::read::detect(&bytes) {
                Ok(_) => Some(
                    vouch_sbom::read::parse(&bytes)
                        .with_context(|| format!("cannot read the SBOM {source}"))?,
                ),
                Err(_) => None,
            }
        } else {
            None
        };
        let mut ingest = match sbom {
            Some(sbom) => Ingest::from_sbom(sbom, args.name.clone(), &source, &now),
            None => {
                // Not an SBOM: inventoried the way `vouch sbom` does it.
                let inventory = crate::inventory::collect(input, &args.walk)?;
                crate::inventory::refuse_walk_errors(&inventory, input)?;
                let digest = inventory
                    .image
                    .as_ref()
                    .and_then(|i| i.manifest_digest.clone());
                Ingest {
                    name: args
                        .name
                        .clone()
                        .unwrap_or_else(|| inventory.subject.clone()),
                    version: None,
                    digest,
                    source: source.clone(),
                    format: "inventory".to_owned(),
                    labels: BTreeMap::new(),
                    distro: inventory.distro,
                    unmapped: 0,
                    components: inventory.components,
                    at: now.clone(),
                }
            }
        };
        ingest.version = args.version.clone().or(ingest.version);
        ingest.digest = args.digest.clone().or(ingest.digest);
        ingest.labels = labels.clone();
        if ingest.unmapped > 0 {
            eprintln!(
                "warning: {source}: {} components without a purl of a known type or a version were not indexed",
                ingest.unmapped
            );
        }
        batch.push(ingest);
        if batch.len() >= ADD_BATCH {
            ingest_batch(&mut store, &mut batch)?;
        }
    }
    ingest_batch(&mut store, &mut batch)?;
    Ok(ExitStatus::Success)
}

/// SBOMs stored per transaction by `fleet add`: one commit writes each index page it touched
/// once for the lot (docs/fleet.md, Performance). A failure stores none of the batch.
const ADD_BATCH: usize = 100;

fn ingest_batch(store: &mut Store, batch: &mut Vec<Ingest>) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let added = store
        .add_all(batch)
        .with_context(|| match batch.as_slice() {
            [one] => format!("cannot ingest {}", one.source),
            [first, .., last] => format!(
                "cannot ingest the {} inputs {} … {} (none of them was stored)",
                batch.len(),
                first.source,
                last.source
            ),
            [] => String::new(),
        })?;
    for a in added {
        eprintln!(
            "{}: revision {}, {} components ({} entered, {} left)",
            a.artifact, a.revision, a.components, a.entered, a.left
        );
    }
    batch.clear();
    Ok(())
}

fn query(args: QueryArgs) -> anyhow::Result<ExitStatus> {
    let pattern = Pattern::parse(&args.pattern)?;
    let mut store = open(&args.store)?;
    let answer = store.query(&pattern)?;
    match args.format {
        FleetFormat::Json => print_json(&answer)?,
        FleetFormat::Table => {
            table(
                &["artifact", "version", "package", "package version", "purl"],
                answer
                    .hits
                    .iter()
                    .map(|h| {
                        vec![
                            h.artifact.clone(),
                            h.artifact_version.clone().unwrap_or_default(),
                            h.package.clone(),
                            h.version.clone(),
                            h.purl.clone(),
                        ]
                    })
                    .collect(),
            )?;
            eprintln!(
                "{} artifact(s) match {}",
                answer
                    .hits
                    .iter()
                    .map(|h| &h.artifact)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                answer.query
            );
        }
    }
    for (hit, why) in &answer.unordered {
        eprintln!(
            "warning: {} in {}: version {} not compared: {why}",
            hit.package, hit.artifact, hit.version
        );
    }
    // A component whose version could not be compared is an unanswered part of the query.
    Ok(if answer.unordered.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Error
    })
}

fn open_db(location: &DbLocation) -> anyhow::Result<Database> {
    let path = super::db::resolve(location)?;
    Database::open(&path)
        .with_context(|| format!("cannot use the advisory database {}", path.display()))
}

fn pairs(values: &[String], flag: &str) -> anyhow::Result<Vec<(String, PathBuf)>> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((a, f)) if !a.is_empty() && !f.is_empty() => Ok((a.to_owned(), PathBuf::from(f))),
            _ => anyhow::bail!("{flag} `{v}`: expected ARTIFACT=FILE"),
        })
        .collect()
}

fn suppressions(
    args: &SuppressArgs,
) -> anyhow::Result<(Suppressions, BTreeMap<String, Suppressions>)> {
    use super::vulns::IgnoreSource;
    let ignore = match &args.ignore {
        Some(p) => IgnoreSource::File(p.as_path()),
        None => IgnoreSource::None,
    };
    let shared = super::vulns::suppressions(&args.vex, ignore)?;
    let mut own: BTreeMap<String, Suppressions> = BTreeMap::new();
    for (artifact, file) in pairs(&args.vex_for, "--vex-for")? {
        let s = super::vulns::suppressions(&[file], IgnoreSource::None)?;
        own.entry(artifact).or_default().vex.extend(s.vex);
    }
    for (artifact, file) in pairs(&args.ignore_for, "--ignore-for")? {
        let s = super::vulns::suppressions(&[], IgnoreSource::File(Path::new(&file)))?;
        own.entry(artifact).or_default().ignore.extend(s.ignore);
    }
    Ok((shared, own))
}

/// Now as RFC 3339 UTC to the second (`SOURCE_DATE_EPOCH` honoured by the clock).
fn now_text() -> anyhow::Result<String> {
    Ok(crate::clock::now()?
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string())
}

fn today() -> anyhow::Result<Date> {
    Ok(Date::from_unix_seconds(crate::clock::now()?.as_second()))
}

fn findings_table(findings: &[Finding]) -> anyhow::Result<()> {
    table(
        &["artifact", "advisory", "severity", "package", "status"],
        findings
            .iter()
            .map(|f| {
                vec![
                    f.artifact.clone(),
                    f.advisory.clone(),
                    f.severity.clone(),
                    f.purl.clone(),
                    match &f.suppressed {
                        Some(why) => format!("suppressed ({why})"),
                        None => f.status.clone(),
                    },
                ]
            })
            .collect(),
    )
}

fn affected(args: AffectedArgs) -> anyhow::Result<ExitStatus> {
    let db = open_db(&args.db)?;
    let (shared, _) = suppressions(&args.suppress)?;
    if !args.suppress.vex_for.is_empty() || !args.suppress.ignore_for.is_empty() {
        anyhow::bail!(
            "--vex-for and --ignore-for apply to `vouch fleet rescan`, not to `affected`"
        );
    }
    let mut store = open(&args.store)?;
    let answer = store.affected(&db, &args.id, &shared, today()?)?;
    match args.format {
        FleetFormat::Json => print_json(&answer)?,
        FleetFormat::Table => {
            findings_table(&answer.findings)?;
            eprintln!(
                "{} artifact(s) affected by {} ({})",
                answer
                    .findings
                    .iter()
                    .filter(|f| f.suppressed.is_none())
                    .map(|f| &f.artifact)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                answer.query,
                answer.advisories.join(", ")
            );
        }
    }
    let unsuppressed = answer.findings.iter().filter(|f| f.suppressed.is_none());
    if unsuppressed.clone().any(|f| f.status != "affected") {
        return Ok(ExitStatus::Error);
    }
    Ok(if unsuppressed.count() > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn rescan(args: RescanArgs) -> anyhow::Result<ExitStatus> {
    let db = open_db(&args.db)?;
    let (shared, own) = suppressions(&args.suppress)?;
    let mut store = open(&args.store)?;
    let at = now_text()?;
    let result = store.rescan(&db, &shared, &own, today()?, &at)?;
    match args.format {
        FleetFormat::Json => print_json(&result)?,
        FleetFormat::Table => {
            findings_table(&result.new)?;
            eprintln!(
                "rescanned {} artifact(s): {} finding(s), {} new, {} resolved since the last rescan",
                result.artifacts,
                result.findings,
                result.new.len(),
                result.resolved.len()
            );
        }
    }
    if result.new.iter().any(|f| f.status != "affected") {
        return Ok(ExitStatus::Error);
    }
    Ok(if result.new.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn artifacts(args: ListArgs) -> anyhow::Result<ExitStatus> {
    let mut store = open(&args.store)?;
    let list = store.artifacts()?;
    match args.format {
        FleetFormat::Json => print_json(&list)?,
        FleetFormat::Table => table(
            &[
                "artifact",
                "version",
                "components",
                "revisions",
                "ingested",
                "labels",
            ],
            list.iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        a.version.clone().unwrap_or_default(),
                        a.components.to_string(),
                        a.revisions.to_string(),
                        a.ingested_at.clone(),
                        a.labels
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(","),
                    ]
                })
                .collect(),
        )?,
    }
    Ok(ExitStatus::Success)
}

fn show(args: ShowArgs) -> anyhow::Result<ExitStatus> {
    let mut store = open(&args.store)?;
    let detail = store.artifact(&args.artifact)?;
    match args.format {
        FleetFormat::Json => print_json(&detail)?,
        FleetFormat::Table => {
            table(
                &["ecosystem", "package", "version", "purl"],
                detail
                    .component_list
                    .iter()
                    .map(|c| {
                        vec![
                            c.ecosystem.clone(),
                            c.name.clone(),
                            c.version.clone(),
                            c.purl.clone(),
                        ]
                    })
                    .collect(),
            )?;
            if !detail.findings.is_empty() {
                findings_table(&detail.findings)?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

fn history(args: HistoryArgs) -> anyhow::Result<ExitStatus> {
    let mut store = open(&args.store)?;
    let changes = store.history(&args.subject)?;
    match args.format {
        FleetFormat::Json => print_json(&changes)?,
        FleetFormat::Table => table(
            &["at", "artifact", "revision", "change", "purl"],
            changes
                .iter()
                .map(|c| {
                    vec![
                        c.at.clone(),
                        c.artifact.clone(),
                        c.revision.to_string(),
                        c.change.clone(),
                        c.purl.clone(),
                    ]
                })
                .collect(),
        )?,
    }
    Ok(ExitStatus::Success)
}

fn events_add(args: EventsAddArgs) -> anyhow::Result<ExitStatus> {
    let mut events = Vec::new();
    for file in &args.files {
        let bytes = crate::files::read(file, "webhook payload", crate::files::MAX_EVIDENCE)?;
        // vouch-slo's reader, the one `vouch slo status --events` uses.
        match vouch_fleet::events::parse(&bytes) {
            Ok(parsed) => events.extend(parsed),
            Err(err) => {
                eprintln!(
                    "error[slo-event-invalid]: webhook payload {}: {}",
                    file.display(),
                    vouch_secrets::redact(&err.to_string())
                );
                return Ok(ExitStatus::Error);
            }
        }
        if events.len() > vouch_slo::event::MAX_EVENTS {
            anyhow::bail!(
                "more than {} events in the files given",
                vouch_slo::event::MAX_EVENTS
            );
        }
    }
    let mut store = open(&args.store)?;
    let n = store.add_events(&events)?;
    eprintln!("stored {n} pipeline event(s)");
    Ok(ExitStatus::Success)
}

fn events_list(args: EventsListArgs) -> anyhow::Result<ExitStatus> {
    let mut store = open(&args.store)?;
    let since = args
        .since
        .as_deref()
        .map(|t| {
            t.parse::<jiff::Timestamp>()
                .with_context(|| format!("--since `{t}` is not an RFC 3339 time"))
        })
        .transpose()?;
    print_json(&store.events(since)?)?;
    Ok(ExitStatus::Success)
}
