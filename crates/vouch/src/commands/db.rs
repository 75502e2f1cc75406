//! `vouch db`: import advisories, show the database status, download the OSV exports.
//!
//! The database path is resolved here (the edge): `--db`, else `VOUCH_DB`, else
//! `$XDG_DATA_HOME/vouch/osv.sqlite`, else `~/.local/share/vouch/osv.sqlite`.

use std::path::PathBuf;

use std::io::Seek as _;

use anyhow::Context as _;
use vouch_advisory::import::{self, Problem};
use vouch_advisory::{Database, DbError, Importer, osv::Record};

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
    store(&path, |sink| {
        Ok(import::read_paths_into(&args.paths, sink)?)
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
            out.push_str(&format!("digest    {}\n\n", status.digest));
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
    let client = vouch_resolve::http::client(vouch_resolve::http::Timeouts {
        connect: None,
        total: std::time::Duration::from_secs(600),
    })
    .context("cannot set up the HTTP client")?;
    store(&path, |sink| {
        for eco in &args.ecosystems {
            let url = export_url(&args.url, eco);
            eprintln!("downloading {}", vouch_url::redact(&url));
            let file = download(&client, &url)?;
            import::read_zip(
                std::io::BufReader::new(file),
                &format!("{eco}/all.zip"),
                sink,
            )
            .with_context(|| format!("the {eco} export"))?;
        }
        Ok(())
    })
}

// ---- the network edge: downloading OSV exports ----

/// Largest export accepted (the biggest ecosystem exports are a few hundred MiB).
const MAX_DOWNLOAD: u64 = 2 * 1024 * 1024 * 1024;

/// The export URL for one ecosystem (`Debian:12` → `<base>/Debian:12/all.zip`, spaces encoded).
fn export_url(base: &str, ecosystem: &str) -> String {
    let eco = ecosystem.replace(' ', "%20").replace('/', "%2F");
    format!("{}/{eco}/all.zip", base.trim_end_matches('/'))
}

/// Downloads `url` into an anonymous temporary file (at most [`MAX_DOWNLOAD`] bytes, streamed,
/// its SHA-256 computed on the way), rewound for reading.
fn download(client: &vouch_resolve::http::Client, url: &str) -> anyhow::Result<std::fs::File> {
    let mut file =
        tempfile::tempfile().context("cannot create a temporary file for the download")?;
    let got = vouch_resolve::http::download(client, url, MAX_DOWNLOAD, None, &mut file)?;
    eprintln!("downloaded {} bytes, {}", got.size, got.digest);
    file.seek(std::io::SeekFrom::Start(0))
        .context("cannot rewind the downloaded export")?;
    Ok(file)
}
