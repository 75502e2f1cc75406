//! Reading advisories from files, folders, OSV zip exports and tar archives.
//!
//! | input | read as |
//! | --- | --- |
//! | `*.json` | by content: one OSV record, an Alpine secdb document or the Debian Security Tracker JSON ([`crate::distro`]) |
//! | `*.yaml`, `*.yml` | by content: one OSV record in YAML (the PyPA database) or an Alpine secdb document |
//! | a file named as a root with another name | JSON when its first non-blank byte is `{` (the tracker's download is named `json`) |
//! | `*.md` starting with a ```` ```toml ```` block | a RustSec advisory, converted to OSV |
//! | `*.zip` | an OSV export (`all.zip`): every `*.json`, `*.yaml`, `*.yml` and `*.md` entry, in name order |
//! | `*.tar`, `*.tar.gz`/`*.tgz`, `*.tar.xz`/`*.txz` | a tar archive (ossf/malicious-packages' `git archive`): every such regular-file entry, in archive order |
//! | a folder | every file above below it, in path order; hidden entries (`.git`) skipped |
//!
//! A malformed advisory is a [`Problem`] naming the file and the reason; the rest still imports.
//! Inside an archive the file is `archive!entry/path.json`. Directory entries, links and other
//! non-regular entries, hidden paths and archives inside archives are skipped. An archive is
//! bounded: each entry at most [`MAX_RECORD`] bytes, the whole archive at most
//! [`MAX_ARCHIVE_TOTAL`] bytes uncompressed (a tar's headers and skipped entries count too), and
//! the xz decoder at most [`XZ_MEMLIMIT`] of memory; a corrupt or truncated archive is a
//! [`ReadError`], not a problem, since what follows the damage cannot be read.
//!
//! Reading streams: each record goes to a [`Sink`] as soon as it is parsed. [`read_paths`]
//! collects them ([`Collected`]); `vouch db import` passes a sink that adds each to an
//! [`Importer`](crate::Importer) ([`Database::import_with`](crate::Database::import_with)), so an import holds one record at a time, not the whole export.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::distro::{self, Kind};
use crate::osv::{self, Record, RecordError};
use crate::rustsec;

/// Deepest folder nesting followed below an import root.
const MAX_DEPTH: usize = 32;
/// Largest single advisory accepted (an archive entry or a file).
pub const MAX_RECORD: u64 = 16 * 1024 * 1024;
/// Largest file read whole: a Debian Security Tracker document (tens of MiB) is one
/// file; any other kind above [`MAX_RECORD`] is refused after its kind is told.
const MAX_DOCUMENT: u64 = 512 * 1024 * 1024;
/// Largest archive (zip or tar) accepted in total, uncompressed.
pub const MAX_ARCHIVE_TOTAL: u64 = 4 * 1024 * 1024 * 1024;
/// Most memory the xz decoder may use: `xz -9` needs 65 MiB; a header asking for more (up to
/// 1.5 GiB is valid xz) is refused rather than allocated.
pub const XZ_MEMLIMIT: u64 = 256 * 1024 * 1024;

/// One advisory file that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (for a zip entry: `archive.zip!entry.json`).
    pub file: String,
    pub error: RecordError,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.error)
    }
}

/// Why an import root could not be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a readable zip archive")]
    Zip {
        path: String,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("{path} is not a readable tar archive")]
    Tar {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {what}")]
    Limit { path: String, what: String },
    /// A file that is not regular (a FIFO, a device) or cannot be opened.
    #[error(transparent)]
    File(vouch_fs::read::ReadError),
    /// The sink could not take a record (the database write failed).
    #[error(transparent)]
    Db(#[from] crate::DbError),
}

/// Where records go as they are read.
pub trait Sink {
    /// One advisory read from `file`. An error stops the reading.
    fn record(&mut self, file: &str, record: Record) -> Result<(), crate::DbError>;
    /// One advisory file that was skipped.
    fn problem(&mut self, problem: Problem);
    /// One file (or zip entry) was parsed, well or not ([`Collected::files`]).
    fn parsed(&mut self) {}
}

/// Everything read from the import roots.
#[derive(Debug, Default)]
pub struct Collected {
    pub records: Vec<Record>,
    pub problems: Vec<Problem>,
    /// Files (and zip entries) looked at.
    pub files: usize,
}

/// Which format a file name says it holds, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    RustSec,
    Zip,
    Tar(Compression),
}

/// How a tar archive is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Xz,
}

impl Format {
    /// Whether the format holds other files (zip, tar): archives inside archives are not read.
    pub fn is_archive(self) -> bool {
        matches!(self, Format::Zip | Format::Tar(_))
    }
}

pub fn format_of(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar.xz") || lower.ends_with(".txz") {
        Some(Format::Tar(Compression::Xz))
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        Some(Format::Tar(Compression::Gzip))
    } else if lower.ends_with(".tar") {
        Some(Format::Tar(Compression::None))
    } else if lower.ends_with(".json") {
        Some(Format::Json)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Format::Yaml)
    } else if lower.ends_with(".md") {
        Some(Format::RustSec)
    } else if lower.ends_with(".zip") {
        Some(Format::Zip)
    } else {
        None
    }
}

/// Parses one advisory document, told by its content (see [`crate::distro`]): a JSON file is an
/// OSV record, an Alpine secdb document or a Debian Security Tracker document; a YAML file an
/// OSV record or an Alpine secdb document. A feed document gives many records, and the entries
/// of it that cannot be converted are errors beside them. `None` for a Markdown file that is not
/// a RustSec advisory (a README beside the advisories).
pub fn parse_document(format: Format, bytes: &[u8]) -> Option<Records> {
    let one =
        |r: Result<Record, RecordError>| -> Option<Records> { Some(Box::new(std::iter::once(r))) };
    let too_large = || {
        one(Err(RecordError::Shape(format!(
            "file is larger than {MAX_RECORD} bytes"
        ))))
    };
    match format {
        Format::Json => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            match distro::sniff_json(body) {
                Err(e) => one(Err(e)),
                Ok(Kind::DebianTracker) => Some(match distro::debian_tracker(body) {
                    Ok(records) => Box::new(records),
                    Err(e) => Box::new(std::iter::once(Err(e))),
                }),
                Ok(_) if bytes.len() as u64 > MAX_RECORD => too_large(),
                Ok(Kind::Osv) => one(osv::parse_json(bytes)),
                Ok(Kind::AlpineSecdb) => Some(converted(
                    serde_json::from_slice(body)
                        .map_err(distro::json_error)
                        .and_then(distro::alpine_secdb),
                )),
            }
        }
        Format::Yaml if bytes.len() as u64 > MAX_RECORD => too_large(),
        Format::Yaml => match vouch_yaml::from_slice::<serde_json::Value>(bytes) {
            Ok(doc) if distro::is_alpine_secdb(&doc) => Some(converted(distro::alpine_secdb(doc))),
            // The OSV reader gives its own positioned errors (and reads the value once more:
            // OSV YAML records are small).
            _ => one(osv::parse_yaml(bytes)),
        },
        Format::RustSec => {
            if bytes.len() as u64 > MAX_RECORD {
                return too_large();
            }
            let start = bytes
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(bytes.len());
            if !bytes[start..].starts_with(b"```toml") {
                return None;
            }
            one(rustsec::parse(bytes))
        }
        Format::Zip | Format::Tar(_) => None,
    }
}

/// The records of one document, each made when it is taken.
pub type Records = Box<dyn Iterator<Item = Result<Record, RecordError>>>;

fn converted(c: Result<distro::Converted, RecordError>) -> Records {
    match c {
        Err(e) => Box::new(std::iter::once(Err(e))),
        Ok(c) => Box::new(
            c.records
                .into_iter()
                .map(Ok)
                .chain(c.problems.into_iter().map(Err)),
        ),
    }
}

impl Sink for Collected {
    fn record(&mut self, _file: &str, record: Record) -> Result<(), crate::DbError> {
        self.records.push(record);
        Ok(())
    }

    fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn parsed(&mut self) {
        self.files += 1;
    }
}

/// Hands one parsed document (or its error) to `out`.
fn push(out: &mut dyn Sink, file: String, results: Option<Records>) -> Result<(), ReadError> {
    let Some(results) = results else {
        return Ok(());
    };
    out.parsed();
    for result in results {
        match result {
            Ok(r) => out.record(&file, r)?,
            Err(error) => out.problem(Problem {
                file: file.clone(),
                error,
            }),
        }
    }
    Ok(())
}

/// Reads every advisory below `roots` (files, folders, zip exports).
pub fn read_paths(roots: &[PathBuf]) -> Result<Collected, ReadError> {
    let mut out = Collected::default();
    read_paths_into(roots, &mut out)?;
    Ok(out)
}

/// Reads every advisory below `roots` into `out`, one record at a time.
pub fn read_paths_into(roots: &[PathBuf], out: &mut dyn Sink) -> Result<(), ReadError> {
    for root in roots {
        read_path(root, 0, out)?;
    }
    Ok(())
}

fn read_path(path: &Path, depth: usize, out: &mut dyn Sink) -> Result<(), ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        if depth >= MAX_DEPTH {
            return Err(ReadError::Limit {
                path: path.display().to_string(),
                what: format!("folders nested deeper than {MAX_DEPTH} levels"),
            });
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(|e| e.ok())
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter(|e| e.file_type().map(|t| !t.is_symlink()).unwrap_or(false))
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            let is_dir = entry.is_dir();
            let known = entry
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(format_of)
                .is_some();
            if is_dir || known {
                read_path(&entry, depth + 1, out)?;
            }
        }
        return Ok(());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let display = path.display().to_string();
    let sniffed = (depth == 0).then(|| sniff_format(path)).flatten();
    let Some(format) = format_of(&name).or(sniffed) else {
        out.problem(Problem {
            file: display,
            error: RecordError::Shape(
                "unknown file type; expected .json, .yaml, .yml, .md, .zip, .tar, .tar.gz or .tar.xz"
                    .into(),
            ),
        });
        return Ok(());
    };
    if format == Format::Zip {
        // Opened without blocking on a FIFO; only a regular file is read.
        let file = vouch_fs::read::open(path).map_err(ReadError::File)?;
        return read_zip(file, &display, out);
    }
    if let Format::Tar(compression) = format {
        let file = vouch_fs::read::open(path).map_err(ReadError::File)?;
        return read_tar(std::io::BufReader::new(file), compression, &display, out);
    }
    // The limit is checked on the bytes read, and a FIFO or device is refused before reading.
    let limit = if format == Format::Json {
        MAX_DOCUMENT
    } else {
        MAX_RECORD
    };
    let bytes = match vouch_fs::read::read(path, limit) {
        Ok(b) => b,
        Err(vouch_fs::read::ReadError::TooLarge { .. }) => {
            out.problem(Problem {
                file: display,
                error: RecordError::Shape(format!("file is larger than {limit} bytes")),
            });
            return Ok(());
        }
        Err(e) => return Err(ReadError::File(e)),
    };
    push(out, display, parse_document(format, &bytes))
}

/// The format of a file named on the command line without a known extension (the tracker's
/// download is named `json`): JSON when its first non-blank byte is `{`.
fn sniff_format(path: &Path) -> Option<Format> {
    let mut head = [0u8; 512];
    let file = vouch_fs::read::open(path).ok()?;
    let n = (&file).read(&mut head).ok()?;
    let first = head[..n]
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&head[..n])
        .iter()
        .find(|b| !b.is_ascii_whitespace())?;
    (*first == b'{').then_some(Format::Json)
}

/// Reads every advisory entry (`*.json`, `*.yaml`, `*.yml`, `*.md`) of an OSV zip export, in
/// entry-name order.
pub fn read_zip<R: Read + std::io::Seek>(
    reader: R,
    display: &str,
    out: &mut dyn Sink,
) -> Result<(), ReadError> {
    let zip_err = |source| ReadError::Zip {
        path: display.to_owned(),
        source,
    };
    let mut archive = zip::ZipArchive::new(reader).map_err(zip_err)?;
    let mut names: Vec<(String, usize)> = (0..archive.len())
        .filter_map(|i| archive.name_for_index(i)?.ok().map(|n| (n.into_owned(), i)))
        .filter(|(n, _)| !n.ends_with('/'))
        .collect();
    names.sort();
    let mut total: u64 = 0;
    for (name, index) in names {
        let file = format!("{display}!{name}");
        let Some(format) = format_of(&name).filter(|f| !f.is_archive()) else {
            continue;
        };
        let mut entry = match archive.by_index(index) {
            Ok(e) => e,
            Err(e) => {
                out.problem(Problem {
                    file,
                    error: RecordError::Shape(format!("unreadable zip entry: {e}")),
                });
                continue;
            }
        };
        if entry.size() > MAX_RECORD {
            out.problem(Problem {
                file,
                error: RecordError::Shape(format!("entry is larger than {MAX_RECORD} bytes")),
            });
            continue;
        }
        total = total.saturating_add(entry.size());
        if total > MAX_ARCHIVE_TOTAL {
            return Err(ReadError::Limit {
                path: display.to_owned(),
                what: format!("archive expands to more than {MAX_ARCHIVE_TOTAL} bytes"),
            });
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        // Bounded read: a lying size header cannot make us read more than the limit.
        let read = (&mut entry).take(MAX_RECORD + 1).read_to_end(&mut bytes);
        match read {
            Ok(_) if bytes.len() as u64 > MAX_RECORD => out.problem(Problem {
                file,
                error: RecordError::Shape(format!("entry is larger than {MAX_RECORD} bytes")),
            }),
            Ok(_) => push(out, file, parse_document(format, &bytes))?,
            Err(e) => out.problem(Problem {
                file,
                error: RecordError::Shape(format!("unreadable zip entry: {e}")),
            }),
        }
    }
    Ok(())
}

/// Reads an OSV zip export held in memory (what `vouch db update` downloads).
pub fn read_zip_bytes(bytes: &[u8], display: &str) -> Result<Collected, ReadError> {
    let mut out = Collected::default();
    read_zip(std::io::Cursor::new(bytes), display, &mut out)?;
    Ok(out)
}

/// A reader that stops with an error once more than `limit` bytes came through, and says so in
/// `exceeded` (the tar reader wraps the error in its own).
struct Capped<R> {
    inner: R,
    read: u64,
    limit: u64,
    exceeded: std::rc::Rc<std::cell::Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read = self.read.saturating_add(n as u64);
        if self.read > self.limit {
            self.exceeded.set(true);
            return Err(std::io::Error::other(format!(
                "archive expands to more than {} bytes",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// Whether a path inside an archive has a hidden component (`.git/…`, `./.x`), skipped as a
/// folder import skips hidden entries.
fn hidden(name: &str) -> bool {
    name.split('/')
        .any(|part| part.starts_with('.') && part != "." && part != "..")
}

/// Reads every advisory entry (`*.json`, `*.yaml`, `*.yml`, `*.md`) of a tar archive, plain,
/// gzip- or xz-compressed, in archive order (the order does not change the result: see
/// [`crate::Importer`]). Directory entries, links, PAX headers and hidden paths are skipped; an
/// entry over [`MAX_RECORD`] bytes is a [`Problem`]; more than [`MAX_ARCHIVE_TOTAL`] bytes in
/// all, or a corrupt stream, is a [`ReadError`].
pub fn read_tar<R: Read>(
    reader: R,
    compression: Compression,
    display: &str,
    out: &mut dyn Sink,
) -> Result<(), ReadError> {
    read_tar_capped(reader, compression, display, out, MAX_ARCHIVE_TOTAL)
}

/// [`read_tar`] with another total limit (the tests use a small one).
pub fn read_tar_capped<R: Read>(
    reader: R,
    compression: Compression,
    display: &str,
    out: &mut dyn Sink,
    limit: u64,
) -> Result<(), ReadError> {
    let decoded: Box<dyn Read + '_> = match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Xz => {
            let stream = liblzma::stream::Stream::new_stream_decoder(
                XZ_MEMLIMIT,
                liblzma::stream::CONCATENATED,
            )
            .map_err(|e| ReadError::Tar {
                path: display.to_owned(),
                source: e.into(),
            })?;
            Box::new(liblzma::read::XzDecoder::new_stream(reader, stream))
        }
    };
    let exceeded = std::rc::Rc::new(std::cell::Cell::new(false));
    let mut archive = tar::Archive::new(Capped {
        inner: decoded,
        read: 0,
        limit,
        exceeded: std::rc::Rc::clone(&exceeded),
    });
    let fail = |source: std::io::Error| {
        if exceeded.get() {
            ReadError::Limit {
                path: display.to_owned(),
                what: format!("archive expands to more than {limit} bytes"),
            }
        } else {
            ReadError::Tar {
                path: display.to_owned(),
                source,
            }
        }
    };
    let entries = archive.entries().map_err(fail)?;
    for entry in entries {
        let mut entry = entry.map_err(fail)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = name.trim_start_matches("./").to_owned();
        if hidden(&name) {
            continue;
        }
        let Some(format) = format_of(&name).filter(|f| !f.is_archive()) else {
            continue;
        };
        let file = format!("{display}!{name}");
        if entry.size() > MAX_RECORD {
            out.problem(Problem {
                file,
                error: RecordError::Shape(format!("entry is larger than {MAX_RECORD} bytes")),
            });
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        (&mut entry)
            .take(MAX_RECORD + 1)
            .read_to_end(&mut bytes)
            .map_err(fail)?;
        push(out, file, parse_document(format, &bytes))?;
    }
    Ok(())
}
