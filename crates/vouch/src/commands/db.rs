//! `vouch db`: import advisories, show the database status, download the OSV exports.
//!
//! The database path is resolved here (the edge): `--db`, else `VOUCH_DB`, else
//! `$XDG_DATA_HOME/vouch/osv.sqlite`, else `~/.local/share/vouch/osv.sqlite`.

use std::path::PathBuf;

use anyhow::Context as _;
use vouch_advisory::import::{self, Problem};
use vouch_advisory::{Database, DbError, Importer, SourceRecord, osv::Record};

use crate::cli::{DbCommand, DbImportArgs, DbLocation, DbStatusArgs, DbStatusFormat, DbUpdateArgs};
use crate::exit::ExitStatus;

pub fn run(cmd: DbCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        DbCommand::Import(args) => import_cmd(args),
        DbCommand::Status(args) => status(args),
        DbCommand::Update(args) => update(args),
    }
}

/// The database file to use.
pub fn resolve(location: &DbLocation) -> anyhow::Result<PathBuf> {
    if let Some(p) = &location.db {
        return Ok(p.clone());
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("vouch").join("osv.sqlite"));
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/vouch/osv.sqlite")),
        None => {
            anyhow::bail!("cannot find a data directory: set --db, VOUCH_DB, XDG_DATA_HOME or HOME")
        }
    }
}

/// Writes each record into the import transaction as soon as it is read, so an import holds one
/// record in memory, not the whole export; nothing is visible until the commit.
struct Store<'i, 'tx> {
    importer: &'i mut Importer<'tx>,
    records: usize,
    /// Records that name malicious packages (`MAL-…`, see `Advisory::is_malicious`).
    malicious: usize,
    problems: usize,
}

impl import::Sink for Store<'_, '_> {
    fn record(&mut self, _file: &str, record: Record) -> Result<(), DbError> {
        self.records += 1;
        if record.advisory.is_malicious() {
            self.malicious += 1;
        }
        self.importer.add(&record)
    }

    fn problem(&mut self, problem: Problem) {
        eprintln!("warning: skipped {problem}");
        self.problems += 1;
    }
}

/// Opens the database at `path`, hands `read` a sink that writes into one transaction, commits.
fn store(
    path: &std::path::Path,
    read: impl FnOnce(&mut Store<'_, '_>) -> anyhow::Result<()>,
) -> anyhow::Result<ExitStatus> {
    let mut db = Database::create(path)?;
    let (mut records, mut malicious, mut problems) = (0, 0, 0);
    let summary = db.import_with(|importer| -> anyhow::Result<()> {
        let mut sink = Store {
            importer,
            records: 0,
            malicious: 0,
            problems: 0,
        };
        read(&mut sink)?;
        (records, malicious, problems) = (sink.records, sink.malicious, sink.problems);
        Ok(())
    })?;
    let digest = db.digest()?;
    eprintln!(
        "imported {records} advisories into {} ({} new or updated, {} unchanged, {problems} skipped as malformed); {malicious} malicious\ndigest {digest}",
        path.display(),
        summary.written,
        summary.unchanged,
    );
    Ok(ExitStatus::Success)
}

fn import_cmd(args: DbImportArgs) -> anyhow::Result<ExitStatus> {
    let path = resolve(&args.location)?;
    let now = crate::clock::now()?;
    store(&path, |sink| {
        let mut sources = Vec::new();
        for p in &args.paths {
            let before = sink.records;
            import::read_paths_into(std::slice::from_ref(p), sink)?;
            sources.push(source_record(p, sink.records - before)?);
        }
        sink.importer.set_provenance(vouch_advisory::Provenance {
            updated_at: now.as_second(),
            how: "import".to_owned(),
            sources,
        });
        Ok(())
    })
}

/// What `db status` records of one imported path: its SHA-256 and size when it is a file.
fn source_record(p: &std::path::Path, records: usize) -> anyhow::Result<SourceRecord> {
    let (sha256, bytes) = if p.is_file() {
        let cannot = || format!("cannot read {}", p.display());
        let file = std::fs::File::open(p).with_context(cannot)?;
        let size = file.metadata().with_context(cannot)?.len();
        let digest = vouch_digest::Digest::sha256_reader(file).with_context(cannot)?;
        (Some(digest.to_string()), Some(size))
    } else {
        (None, None)
    };
    Ok(SourceRecord {
        location: p.display().to_string(),
        sha256,
        bytes,
        records,
    })
}

fn status(args: DbStatusArgs) -> anyhow::Result<ExitStatus> {
    let path = resolve(&args.location)?;
    let db = Database::open(&path)?;
    let status = db.status()?;
    match args.format {
        DbStatusFormat::Json => {
            let mut v = serde_json::to_value(&status)?;
            v["path"] = serde_json::json!(path.display().to_string());
            crate::output::write(
                None,
                format!("{}\n", serde_json::to_string_pretty(&v)?).as_bytes(),
            )?;
        }
        DbStatusFormat::Table => {
            let mut out = format!("database  {}\n", path.display());
            out.push_str(&format!(
                "advisories {} ({} withdrawn)\n",
                status.advisories, status.withdrawn
            ));
            out.push_str(&format!(
                "newest modified {}\n",
                status.newest_modified.as_deref().unwrap_or("-")
            ));
            out.push_str(&format!("digest    {}\n", status.digest));
            match &status.provenance {
                Some(p) => {
                    let when = jiff::Timestamp::from_second(p.updated_at)
                        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                        .unwrap_or_else(|_| p.updated_at.to_string());
                    out.push_str(&format!("updated   {when} ({})\n", p.how));
                    for s in &p.sources {
                        out.push_str(&format!("source    {}", s.location));
                        if let Some(d) = &s.sha256 {
                            out.push_str(&format!(" {d}"));
                        }
                        out.push_str(&format!(" ({} records)\n", s.records));
                    }
                }
                None => out.push_str("updated   unknown (no update time recorded)\n"),
            }
            out.push('\n');
            let width = status
                .ecosystems
                .keys()
                .map(|k| k.len())
                .max()
                .unwrap_or(9)
                .max(9);
            out.push_str(&format!("{:<width$}  advisories\n", "ecosystem"));
            for (eco, n) in &status.ecosystems {
                out.push_str(&format!("{eco:<width$}  {n}\n"));
            }
            crate::output::write(None, out.as_bytes())?;
        }
    }
    Ok(ExitStatus::Success)
}

fn update(args: DbUpdateArgs) -> anyhow::Result<ExitStatus> {
    let path = resolve(&args.location)?;
    let now = crate::clock::now()?;
    let client = vouch_resolve::http::client(vouch_resolve::http::Timeouts {
        connect: None,
        total: std::time::Duration::from_secs(600),
    })
    .context("cannot set up the HTTP client")?;
    if args.popular {
        crate::popular::update(&client, &args, &path)?;
        if args.ecosystems.is_empty() {
            return Ok(ExitStatus::Success);
        }
    }
    let source = super::db_fetch::Source::Mirror(args.url.clone());
    // In the order given, each once.
    let mut ecosystems = Vec::new();
    for eco in &args.ecosystems {
        if !ecosystems.contains(eco) {
            ecosystems.push(eco.clone());
        }
    }
    store(&path, |sink| {
        let mut sources = Vec::new();
        for eco in &ecosystems {
            let one = std::collections::BTreeSet::from([eco.clone()]);
            let before = sink.records;
            let mut got = super::db_fetch::read(sink.importer, &source, &one, Some(&client))?;
            sink.records = before + got.iter().map(|s| s.records).sum::<usize>();
            sources.append(&mut got);
        }
        sink.importer.set_provenance(vouch_advisory::Provenance {
            updated_at: now.as_second(),
            how: "fetch".to_owned(),
            sources,
        });
        Ok(())
    })
}
