//! The advisory database on first use: where it comes from (`--db-source`, `VOUCH_DB_SOURCE`,
//! by default the OSV bulk export for the ecosystems the scanned tree has), fetching it once when
//! `vouch scan`, `vouch vulns` or `vouch gate` find none, and how old it may be (`--db-max-age`,
//! `advisory-db-stale`). docs/db.md#first-use.
//!
//! This is a network edge: exports are downloaded with the one HTTP client
//! (`vouch_resolve::http`), streamed into anonymous temporary files with a size cap, and imported
//! with the same readers as `vouch db import` into a new database file beside the final one,
//! which is renamed into place only after the import committed. A download or import that
//! fails leaves no database behind, so a half-fetched database is never used.

use std::collections::BTreeSet;
use std::io::{IsTerminal as _, Seek as _, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use vouch_advisory::import::{self, Problem};
use vouch_advisory::osv::Record;
use vouch_advisory::{Database, DbError, Importer, Provenance, SourceRecord};
use vouch_inventory::{Component, Distro, Ecosystem};

use crate::cli::DbSourceArgs;

/// The public OSV bucket: `<base>/<ECOSYSTEM>/all.zip`, one zip of OSV JSON records each.
pub const OSV_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// How old a database may be before it is flagged (`advisory-db-stale`), when neither
/// `--db-max-age` nor `VOUCH_DB_MAX_AGE` says otherwise.
pub const DEFAULT_MAX_AGE: &str = "7d";

/// Largest export accepted (the biggest ecosystem exports are a few hundred MiB).
pub const MAX_DOWNLOAD: u64 = 2 * 1024 * 1024 * 1024;

/// How long connecting to the source may take before the fetch gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Where advisories are fetched from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A base URL serving `<ECOSYSTEM>/all.zip` (the OSV bucket or a mirror of it): one export
    /// per ecosystem the scanned packages belong to.
    Mirror(String),
    /// The URL of one zip export, used whatever the ecosystems.
    Zip(String),
    /// A local zip export, OSV file or folder (read as `vouch db import` reads it).
    Local(PathBuf),
}

impl Source {
    /// `--db-source`/`VOUCH_DB_SOURCE`, else the OSV bucket.
    pub fn from_args(args: &DbSourceArgs) -> Self {
        match args.db_source.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => Self::parse(text),
            _ => Self::Mirror(OSV_BASE.to_owned()),
        }
    }

    /// An `http(s)://` URL whose path ends in `.zip` is one export, any other `http(s)://` URL a
    /// mirror base; `file://PATH` and anything else a local path.
    pub fn parse(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let path = text.split(['?', '#']).next().unwrap_or(text);
            if path.to_ascii_lowercase().ends_with(".zip") {
                Self::Zip(text.to_owned())
            } else {
                Self::Mirror(text.trim_end_matches('/').to_owned())
            }
        } else if let Some(rest) = text.strip_prefix("file://") {
            Self::Local(PathBuf::from(rest))
        } else {
            Self::Local(PathBuf::from(text))
        }
    }

    /// Whether reading it needs the network.
    pub fn remote(&self) -> bool {
        !matches!(self, Self::Local(_))
    }

    /// Whether what it holds depends on the ecosystems asked for.
    pub fn per_ecosystem(&self) -> bool {
        matches!(self, Self::Mirror(_))
    }

    /// For messages: the URL without credentials, or the path.
    pub fn shown(&self) -> String {
        match self {
            Self::Mirror(u) | Self::Zip(u) => vouch_url::redact(u).into_owned(),
            Self::Local(p) => p.display().to_string(),
        }
    }
}

/// The OSV ecosystems to fetch for `components`: each package's OSV ecosystem, with the
/// distro release for Debian and Alpine packages (`Debian:12`, `Alpine:v3.19`: OSV exports
/// distro advisories per release). The project's own packages, ecosystems OSV does not
/// publish (`Docker`, `GitLab`) and OS packages of an unknown release or of an RPM distro
/// (whose OSV names carry more than a release) are left out; matching then reports the latter
/// as not checked.
pub fn ecosystems(components: &[Component], distro: Option<&Distro>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in components.iter().filter(|c| !c.first_party) {
        let base = vouch_advisory::matching::osv_ecosystem(c.ecosystem, distro);
        match c.ecosystem {
            Ecosystem::Docker | Ecosystem::GitLab | Ecosystem::Rpm => {}
            Ecosystem::Debian | Ecosystem::Alpine => {
                if let Some(release) = distro.and_then(vouch_advisory::matching::distro_release) {
                    out.insert(format!("{base}:{release}"));
                }
            }
            _ => {
                out.insert(base.to_owned());
            }
        }
    }
    out
}

/// The export URL for one ecosystem (`Debian:12` → `<base>/Debian:12/all.zip`, spaces and
/// slashes encoded).
pub fn export_url(base: &str, ecosystem: &str) -> String {
    let eco = ecosystem.replace(' ', "%20").replace('/', "%2F");
    format!("{}/{eco}/all.zip", base.trim_end_matches('/'))
}

/// Why the vulnerability check has no database to use, when it has none: the reason a
/// `not checked` entry (or the error of `vouch vulns` and `vouch gate`) gives.
pub fn missing(db: &Path, args: &DbSourceArgs, ecosystems: &BTreeSet<String>) -> Option<String> {
    if db.is_file() {
        return None;
    }
    let source = Source::from_args(args);
    let hint =
        "run `vouch db update` or `vouch db import PATH`, pass --db, or --skip vulnerabilities";
    if source.per_ecosystem() && ecosystems.is_empty() {
        return Some(format!("no advisory database at {} ({hint})", db.display()));
    }
    if args.offline && source.remote() {
        return Some(format!(
            "no advisory database at {}, and --offline (VOUCH_OFFLINE) forbids fetching one from {} ({hint})",
            db.display(),
            source.shown()
        ));
    }
    None
}

/// The database at `db` when one exists; otherwise fetched once from `args`' source (for
/// `ecosystems` when the source is per ecosystem) and then opened. `Err` is the reason the
/// vulnerability check could not run, for a `not checked` entry.
pub fn ensure(
    db: &Path,
    args: &DbSourceArgs,
    ecosystems: &BTreeSet<String>,
    now: jiff::Timestamp,
) -> Result<(), String> {
    if db.is_file() {
        return Ok(());
    }
    if let Some(reason) = missing(db, args, ecosystems) {
        return Err(reason);
    }
    let source = Source::from_args(args);
    fetch(db, &source, ecosystems, now).map_err(|e| {
        let mut reason = format!(
            "no advisory database at {}, and fetching one from {} failed: {e}",
            db.display(),
            source.shown()
        );
        for cause in e.chain().skip(1) {
            reason.push_str(": ");
            reason.push_str(&cause.to_string());
        }
        vouch_url::redact(&reason).into_owned()
    })
}

/// Fetches `source` into a new database at `db` (which must not be used meanwhile): imported
/// into a temporary file beside it, renamed into place after the import committed. Prints
/// where each part came from, its digest and record count, and the database's digest.
pub fn fetch(
    db: &Path,
    source: &Source,
    ecosystems: &BTreeSet<String>,
    now: jiff::Timestamp,
) -> anyhow::Result<()> {
    let dir = match db.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    let partial = tempfile::Builder::new()
        .prefix(".vouch-db-")
        .suffix(".partial")
        .tempfile_in(&dir)
        .with_context(|| format!("cannot create a temporary database in {}", dir.display()))?;
    let mut database = Database::create(partial.path())?;
    let client = if source.remote() {
        Some(
            vouch_resolve::http::client(vouch_resolve::http::Timeouts {
                connect: Some(CONNECT_TIMEOUT),
                total: Duration::from_secs(600),
            })
            .context("cannot set up the HTTP client")?,
        )
    } else {
        None
    };
    let mut records = Vec::new();
    database.import_with(|importer| -> anyhow::Result<()> {
        records = read(importer, source, ecosystems, client.as_ref())?;
        importer.set_provenance(Provenance {
            updated_at: now.as_second(),
            how: "fetch".to_owned(),
            sources: records.clone(),
        });
        Ok(())
    })?;
    let count = database.advisory_count()?;
    if count == 0 {
        bail!(
            "{} held no advisories for {}; nothing was written",
            source.shown(),
            shown_ecosystems(ecosystems)
        );
    }
    let digest = database.digest()?;
    drop(database);
    partial
        .persist(db)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot move the fetched database to {}", db.display()))?;
    eprintln!(
        "fetched advisory database {}: {count} advisories from {}, digest {digest}",
        db.display(),
        source.shown()
    );
    Ok(())
}

fn shown_ecosystems(ecosystems: &BTreeSet<String>) -> String {
    if ecosystems.is_empty() {
        return "any ecosystem".to_owned();
    }
    ecosystems.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Reads everything `source` holds for `ecosystems` into `importer`; one [`SourceRecord`] per
/// file or URL read. Shared by first use and `vouch db update`.
pub fn read(
    importer: &mut Importer<'_>,
    source: &Source,
    ecosystems: &BTreeSet<String>,
    client: Option<&vouch_resolve::http::Client>,
) -> anyhow::Result<Vec<SourceRecord>> {
    let mut out = Vec::new();
    let mut sink = Counting {
        importer,
        records: 0,
    };
    match source {
        Source::Mirror(base) => {
            let client = client.context("no HTTP client for a remote source")?;
            for eco in ecosystems {
                let url = export_url(base, eco);
                let (file, got) = download(client, &url)?;
                sink.records = 0;
                import::read_zip(
                    std::io::BufReader::new(file),
                    &format!("{eco}/all.zip"),
                    &mut sink,
                )
                .with_context(|| format!("the {eco} export {}", vouch_url::redact(&url)))?;
                out.push(record(&url, Some(&got), sink.records));
            }
        }
        Source::Zip(url) => {
            let client = client.context("no HTTP client for a remote source")?;
            let (file, got) = download(client, url)?;
            sink.records = 0;
            import::read_zip(std::io::BufReader::new(file), "all.zip", &mut sink)
                .with_context(|| format!("the export {}", vouch_url::redact(url)))?;
            out.push(record(url, Some(&got), sink.records));
        }
        Source::Local(path) => {
            let got = if path.is_file() {
                let cannot = || format!("cannot read {}", path.display());
                let file = std::fs::File::open(path).with_context(cannot)?;
                let size = file.metadata().with_context(cannot)?.len();
                let digest = vouch_digest::Digest::sha256_reader(file).with_context(cannot)?;
                Some(vouch_resolve::http::Downloaded { size, digest })
            } else {
                None
            };
            sink.records = 0;
            import::read_paths_into(std::slice::from_ref(path), &mut sink)?;
            if let Some(got) = &got {
                eprintln!(
                    "read {} ({} bytes, {})",
                    path.display(),
                    got.size,
                    got.digest
                );
            }
            out.push(record(
                &path.display().to_string(),
                got.as_ref(),
                sink.records,
            ));
        }
    }
    Ok(out)
}

fn record(
    location: &str,
    got: Option<&vouch_resolve::http::Downloaded>,
    records: usize,
) -> SourceRecord {
    SourceRecord {
        location: vouch_url::redact(location).into_owned(),
        sha256: got.map(|g| g.digest.to_string()),
        bytes: got.map(|g| g.size),
        records,
    }
}

/// Writes each record into the import transaction as it is read, counting them.
struct Counting<'i, 'tx> {
    importer: &'i mut Importer<'tx>,
    records: usize,
}

impl import::Sink for Counting<'_, '_> {
    fn record(&mut self, _file: &str, record: Record) -> Result<(), DbError> {
        self.records += 1;
        self.importer.add(&record)
    }

    fn problem(&mut self, problem: Problem) {
        eprintln!("warning: skipped {problem}");
    }
}

/// Downloads `url` into an anonymous temporary file (at most [`MAX_DOWNLOAD`] bytes, streamed,
/// its SHA-256 computed on the way, a byte counter on stderr when it is a terminal), rewound
/// for reading.
pub fn download(
    client: &vouch_resolve::http::Client,
    url: &str,
) -> anyhow::Result<(std::fs::File, vouch_resolve::http::Downloaded)> {
    let shown = vouch_url::redact(url).into_owned();
    eprintln!("downloading {shown}");
    let mut file =
        tempfile::tempfile().context("cannot create a temporary file for the download")?;
    let got = {
        let mut out = Counter::new(&mut file, &shown);
        let got = vouch_resolve::http::download(client, url, MAX_DOWNLOAD, None, &mut out);
        out.bar.finish_and_clear();
        got?
    };
    eprintln!("downloaded {} bytes, {}", got.size, got.digest);
    file.seek(std::io::SeekFrom::Start(0))
        .context("cannot rewind the downloaded export")?;
    Ok((file, got))
}

/// A writer that counts bytes on an indicatif bar, drawn only when stderr is a terminal.
struct Counter<'w> {
    inner: &'w mut std::fs::File,
    bar: indicatif::ProgressBar,
}

impl<'w> Counter<'w> {
    fn new(inner: &'w mut std::fs::File, what: &str) -> Self {
        let target = if std::io::stderr().is_terminal() {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        };
        let bar = indicatif::ProgressBar::with_draw_target(None, target);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} {bytes} ({bytes_per_sec}) [{elapsed}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(what.to_owned());
        Self { inner, bar }
    }
}

impl Write for Counter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A database last updated longer ago than allowed (`advisory-db-stale`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Why, naming the age and the limit.
    pub message: String,
}

/// `--db-max-age`/`VOUCH_DB_MAX_AGE`, else [`DEFAULT_MAX_AGE`]; `0` turns the check off.
pub fn max_age(args: &DbSourceArgs) -> anyhow::Result<Option<jiff::SignedDuration>> {
    let text = args.db_max_age.as_deref().unwrap_or(DEFAULT_MAX_AGE);
    if text.trim() == "0" {
        return Ok(None);
    }
    let d =
        vouch_pin::update::parse_min_age(text).map_err(|e| anyhow::anyhow!("--db-max-age: {e}"))?;
    Ok(Some(d))
}

/// Whether `db` is older than `max`: its age is `now` minus the time its last fetch or import
/// recorded (`vouch db status` shows it). A database that recorded none (an older vouch wrote
/// it) has an unknown age and is stale.
pub fn staleness(
    db: &Database,
    max: Option<jiff::SignedDuration>,
    now: jiff::Timestamp,
) -> anyhow::Result<Option<Stale>> {
    let Some(max) = max else { return Ok(None) };
    let Some(p) = db.provenance()? else {
        return Ok(Some(Stale {
            message: format!(
                "advisory database {} records no update time (written by an older vouch), so its age is unknown; the limit is {}",
                db.path().display(),
                human(max)
            ),
        }));
    };
    let age = jiff::SignedDuration::from_secs(now.as_second().saturating_sub(p.updated_at));
    if age <= max {
        return Ok(None);
    }
    let updated = jiff::Timestamp::from_second(p.updated_at)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| p.updated_at.to_string());
    Ok(Some(Stale {
        message: format!(
            "advisory database {} was last updated {updated}, {} ago, older than the limit of {}; advisories published since are missing",
            db.path().display(),
            human(age),
            human(max)
        ),
    }))
}

/// `9d 4h`, `36h`, `12m`: days and hours (minutes below an hour), for messages.
pub fn human(d: jiff::SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    match (days, hours) {
        (0, 0) => format!("{mins}m"),
        (0, h) => format!("{h}h"),
        (d, 0) => format!("{d}d"),
        (d, h) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        assert_eq!(
            Source::parse("https://mirror.example/osv/"),
            Source::Mirror("https://mirror.example/osv".into())
        );
        assert_eq!(
            Source::parse("https://mirror.example/PyPI/all.zip?x=1"),
            Source::Zip("https://mirror.example/PyPI/all.zip?x=1".into())
        );
        assert_eq!(
            Source::parse("file:///srv/osv"),
            Source::Local("/srv/osv".into())
        );
        assert_eq!(Source::parse("all.zip"), Source::Local("all.zip".into()));
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(jiff::SignedDuration::from_hours(36)), "1d 12h");
        assert_eq!(human(jiff::SignedDuration::from_hours(7 * 24)), "7d");
        assert_eq!(human(jiff::SignedDuration::from_mins(5)), "5m");
    }
}
