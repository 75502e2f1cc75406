//! The local advisory database: one SQLite file.
//!
//! Schema (version 1):
//!
//! - `advisories(id PRIMARY KEY, modified, published, withdrawn, summary, details, informational,
//!   content_sha256, json)`: one row per OSV record; `json` is the record's canonical JSON
//!   (object keys sorted, no insignificant white space) and `content_sha256` its SHA-256. The
//!   other columns are copies of fields of `json` for `vouch db status`; matching reads only
//!   `json`;
//! - `affected(ecosystem, release, name, id)`: one row per `affected[].package`, `ecosystem` being
//!   the OSV ecosystem before any `:` (`Debian`), `release` what follows it (`12`, or empty) and
//!   `name` the ecosystem-normalised package name, indexed on `(ecosystem, name)`;
//! - `meta(key, value)`: `schema_version`, `content_digest`, the content digest as the last
//!   import computed it, and `provenance` ([`Provenance`] as JSON: where the last import's data
//!   came from, its digest and when), written by imports that say so
//!   ([`Importer::set_provenance`]).
//!
//! **Content digest**: `sha256:` followed by the hex SHA-256 of, for every advisory in ascending
//! `id` order (byte order), the line `id TAB modified TAB sha256(json) LF`, then for every
//! `affected` row in ascending (`id`, `ecosystem`, `release`, `name`) order the line
//! `affected TAB id TAB ecosystem TAB release TAB name LF`. The SHA-256 of each record is
//! computed from the stored JSON itself, so the digest covers every stored byte matching reads:
//! it depends only on which records the database holds, not on the order they were imported in.
//!
//! **Integrity**: computing the digest checks each record's JSON against its `content_sha256`
//! ([`DbError::RecordDigest`]) and the result against the `content_digest` the last import
//! recorded ([`DbError::DigestMismatch`]); matching computes it before it reads any record, and
//! a stored record that does not parse is [`DbError::Record`], never a silent miss.
//!
//! **Interrupted imports**: an import is one transaction in SQLite's rollback-journal mode. A
//! killed import leaves a hot journal beside the file; [`Database::open`] rolls it back (which
//! needs a read-write connection) before it reads, so readers answer exactly as before the
//! interrupted import.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde_json::Value;
use vouch_digest::Digest;
use vouch_inventory::Ecosystem;

use crate::osv::Record;

const SCHEMA_VERSION: &str = "1";

/// How long a reader waits for a live import to finish committing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// SQLite's rollback journal beside `path`.
fn journal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// Why the database could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    #[error("no advisory database at {path}; run `vouch db import` or `vouch db update` first")]
    Missing { path: PathBuf },
    #[error("{path} is not a vouch advisory database (corrupt, or another kind of file)")]
    Corrupt {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path} has advisory database schema version {found}, this vouch reads version {SCHEMA_VERSION}"
    )]
    Schema { path: PathBuf, found: String },
    #[error("cannot create the directory for {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("advisory database {path}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("import stopped after {done} records (simulated failure); nothing was written")]
    Interrupted { done: usize },
    #[error(
        "{path} holds an interrupted import (hot journal {journal}) that could not be rolled back; open it once with write access, or run `vouch db import` again"
    )]
    HotJournal {
        path: PathBuf,
        journal: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "advisory database {path} holds no advisories (an import of nothing, or an interrupted first import), so vulnerabilities cannot be evaluated; run `vouch db import` or `vouch db update`"
    )]
    Empty { path: PathBuf },
    #[error(
        "advisory database {path}: stored record {id} has content sha256:{found}, but was imported with sha256:{expected} (the file was modified or is corrupt); import the advisories again"
    )]
    RecordDigest {
        path: PathBuf,
        id: String,
        expected: String,
        found: String,
    },
    #[error(
        "advisory database {path} has content digest {found}, but its last import recorded {expected} (the file was modified or is corrupt); import the advisories again"
    )]
    DigestMismatch {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error(
        "advisory database {path} records no content digest (written by an older vouch); run `vouch db import` again"
    )]
    NoRecordedDigest { path: PathBuf },
    #[error("advisory database {path}: its recorded provenance is not valid")]
    Provenance {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("advisory database {path}: stored record {id} is not a valid OSV record")]
    Record {
        path: PathBuf,
        id: String,
        #[source]
        source: RecordProblem,
    },
}

/// Why a stored record could not be read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordProblem {
    #[error("invalid JSON")]
    Json(#[source] serde_json::Error),
    #[error(transparent)]
    Osv(#[from] crate::osv::RecordError),
    #[error("the record's id is {found}")]
    IdMismatch { found: String },
}

/// An open advisory database.
pub struct Database {
    conn: Connection,
    path: PathBuf,
}

/// What one import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records that were new or replaced an older version of themselves.
    pub written: usize,
    /// Records already present with the same or a newer `modified`.
    pub unchanged: usize,
}

/// An import in progress ([`Database::import_with`]): statements prepared once on the open
/// transaction.
pub struct Importer<'tx> {
    existing: rusqlite::Statement<'tx>,
    stored_json: rusqlite::Statement<'tx>,
    delete_aff: rusqlite::Statement<'tx>,
    upsert: rusqlite::Statement<'tx>,
    insert_aff: rusqlite::Statement<'tx>,
    path: PathBuf,
    summary: ImportSummary,
    provenance: Option<Provenance>,
}

/// Where the data of the last import came from, recorded with it (`meta.provenance`), so
/// `vouch db status` can say what the database holds and how old it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    /// When the data was fetched or imported, seconds since the Unix epoch (UTC).
    pub updated_at: i64,
    /// How it got here: `fetch` (first use or `db update`) or `import`.
    pub how: String,
    /// Each source read, in the order read.
    pub sources: Vec<SourceRecord>,
}

/// One source of an import: a URL (credentials removed) or a path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceRecord {
    pub location: String,
    /// `sha256:<hex>` of the downloaded or read file, when it was one file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Its size in bytes, when it was one file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Valid records read from it.
    pub records: usize,
}

impl Importer<'_> {
    /// Records `provenance` in the import's transaction (replacing the last import's), so it
    /// is written exactly when the records are.
    pub fn set_provenance(&mut self, provenance: Provenance) {
        self.provenance = Some(provenance);
    }

    fn sql(&self, source: rusqlite::Error) -> DbError {
        DbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Writes one record (see [`Database::import`] for which version of a record wins). A record
    /// converted from a distro feed is merged into a stored converted record of the same id
    /// ([`crate::distro::merge`]).
    pub fn add(&mut self, record: &Record) -> Result<(), DbError> {
        if crate::distro::covers(&record.json).is_some() {
            let stored: Option<String> = self
                .stored_json
                .query_row([&record.advisory.id], |r| r.get(0))
                .optional()
                .map_err(|e| self.sql(e))?;
            let merged = stored
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .and_then(|old| crate::distro::merge(&old, &record.json))
                .and_then(|merged| Record::from_value(merged).ok());
            if let Some(merged) = merged {
                return self.write(&merged, true);
            }
        }
        self.write(record, false)
    }

    /// Stores `record`; `merged` replaces a stored record whatever its `modified`.
    fn write(&mut self, record: &Record, merged: bool) -> Result<(), DbError> {
        let a = &record.advisory;
        let json = canonical_json(&record.json);
        let sha = Digest::sha256(json.as_bytes()).hex();
        let old: Option<(String, String)> = self
            .existing
            .query_row([&a.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.sql(e))?;
        if let Some((old_modified, old_sha)) = old {
            let newer =
                (a.modified.as_str(), sha.as_str()) > (old_modified.as_str(), old_sha.as_str());
            if (merged && sha == old_sha) || (!merged && !newer) {
                self.summary.unchanged += 1;
                return Ok(());
            }
            self.delete_aff.execute([&a.id]).map_err(|e| self.sql(e))?;
        }
        self.upsert
            .execute(params![
                a.id,
                a.modified,
                a.published,
                a.withdrawn,
                a.summary,
                a.details,
                record.informational,
                sha,
                json
            ])
            .map_err(|e| self.sql(e))?;
        let mut seen = std::collections::BTreeSet::new();
        for aff in &a.affected {
            let Some(p) = &aff.package else { continue };
            let (base, release) = split_ecosystem(&p.ecosystem);
            let name = index_name(base, &p.name);
            if seen.insert((base.to_owned(), release.to_owned(), name.clone())) {
                self.insert_aff
                    .execute(params![base, release, name, a.id])
                    .map_err(|e| self.sql(e))?;
            }
        }
        self.summary.written += 1;
        Ok(())
    }
}

/// What `vouch db status` shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    pub advisories: usize,
    pub withdrawn: usize,
    /// Distinct advisories per OSV ecosystem (release suffix dropped), sorted by name.
    pub ecosystems: BTreeMap<String, usize>,
    /// The newest `modified` timestamp (string order), if any record exists.
    pub newest_modified: Option<String>,
    pub digest: String,
    /// Where the last import's data came from, when it recorded that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// Serialises a JSON value canonically: object keys sorted by byte order, no white space.
pub fn canonical_json(value: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    if let Some(inner) = map.get(*k) {
                        write(inner, out);
                    }
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// The (ecosystem, release) of an OSV ecosystem string: `Debian:12` → (`Debian`, `12`).
pub fn split_ecosystem(osv: &str) -> (&str, &str) {
    match osv.split_once(':') {
        Some((base, release)) => (base.trim(), release.trim()),
        None => (osv.trim(), ""),
    }
}

/// The package name as the `affected` index stores it.
pub fn index_name(ecosystem_base: &str, name: &str) -> String {
    match Ecosystem::from_name(ecosystem_base) {
        Some(eco) => eco.normalize_name(name),
        None => name.to_owned(),
    }
}

impl Database {
    /// Opens an existing database for reading and matching.
    ///
    /// A hot journal left by a killed import is rolled back first: SQLite does that only on a
    /// connection that may write, so one is opened, used for one read and closed before the
    /// read-only connection is made. Without write access the journal cannot be rolled back and
    /// the answer is [`DbError::HotJournal`], never a read of a half-written file.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        if !path.is_file() {
            return Err(DbError::Missing {
                path: path.to_owned(),
            });
        }
        let journal = journal_path(path);
        if std::fs::symlink_metadata(&journal).is_ok_and(|m| m.len() > 0) {
            let hot = |source| DbError::HotJournal {
                path: path.to_owned(),
                journal: journal.clone(),
                source,
            };
            let rw = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(hot)?;
            rw.busy_timeout(BUSY_TIMEOUT).map_err(hot)?;
            // Any read makes SQLite check the journal and roll it back when it is hot (no
            // live writer holds the lock).
            rw.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(hot)?;
            drop(rw);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| DbError::Corrupt {
            path: path.to_owned(),
            source,
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|source| DbError::Corrupt {
                path: path.to_owned(),
                source,
            })?;
        let db = Self {
            conn,
            path: path.to_owned(),
        };
        db.check_schema()?;
        Ok(db)
    }

    /// Opens a database for writing, creating the file (and its directory) when absent.
    pub fn create(path: &Path) -> Result<Self, DbError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                path: path.to_owned(),
                source,
            })?;
        }
        let exists = path.is_file()
            && std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
        let conn = Connection::open(path).map_err(|source| DbError::Corrupt {
            path: path.to_owned(),
            source,
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|source| DbError::Corrupt {
                path: path.to_owned(),
                source,
            })?;
        let db = Self {
            conn,
            path: path.to_owned(),
        };
        if exists {
            db.check_schema()?;
        } else {
            db.conn
                .execute_batch("PRAGMA journal_mode = DELETE;")
                .map_err(|source| DbError::Corrupt {
                    path: path.to_owned(),
                    source,
                })?;
            db.create_schema()?;
        }
        Ok(db)
    }

    /// Opens an in-memory database (tests, benchmarks).
    pub fn in_memory() -> Result<Self, DbError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| DbError::Sqlite {
            path: path.clone(),
            source,
        })?;
        let db = Self { conn, path };
        db.create_schema()?;
        Ok(db)
    }

    /// Creates the tables of an empty database and records [`SCHEMA_VERSION`] and the empty
    /// database's content digest, in one transaction.
    fn create_schema(&self) -> Result<(), DbError> {
        let corrupt = |source| DbError::Corrupt {
            path: self.path.clone(),
            source,
        };
        self.conn
            .execute_batch(
                "BEGIN;
                 CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE advisories(
                     id TEXT PRIMARY KEY,
                     modified TEXT NOT NULL,
                     published TEXT,
                     withdrawn TEXT,
                     summary TEXT,
                     details TEXT,
                     informational TEXT,
                     content_sha256 TEXT NOT NULL,
                     json TEXT NOT NULL);
                 CREATE TABLE affected(
                     ecosystem TEXT NOT NULL,
                     release TEXT NOT NULL,
                     name TEXT NOT NULL,
                     id TEXT NOT NULL);
                 CREATE INDEX affected_lookup ON affected(ecosystem, name);
                 CREATE INDEX affected_id ON affected(id);",
            )
            .map_err(corrupt)?;
        let digest = compute_digest(&self.conn, &self.path)?;
        self.conn
            .execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?1), ('content_digest', ?2)",
                [SCHEMA_VERSION, digest.as_str()],
            )
            .map_err(|e| self.sql(e))?;
        self.conn
            .execute_batch("COMMIT;")
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, source: rusqlite::Error) -> DbError {
        DbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn check_schema(&self) -> Result<(), DbError> {
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|source| DbError::Corrupt {
                path: self.path.clone(),
                source,
            })?;
        match found {
            Some(v) if v == SCHEMA_VERSION => Ok(()),
            Some(v) => Err(DbError::Schema {
                path: self.path.clone(),
                found: v,
            }),
            None => Err(DbError::Schema {
                path: self.path.clone(),
                found: "none".into(),
            }),
        }
    }

    /// Imports records in one transaction: either all of them are written or none.
    ///
    /// A record replaces a stored one with the same id when its `modified` is newer, or equal with
    /// a greater content hash (so the outcome does not depend on import order).
    pub fn import(&mut self, records: &[Record]) -> Result<ImportSummary, DbError> {
        self.import_with(|importer| records.iter().try_for_each(|r| importer.add(r)))
    }

    /// [`Database::import`] that fails after `fail_after` records, to test that an interrupted
    /// import leaves the database as it was.
    #[doc(hidden)]
    pub fn import_failing_after(
        &mut self,
        records: &[Record],
        fail_after: usize,
    ) -> Result<ImportSummary, DbError> {
        self.import_with(|importer| {
            for (n, record) in records.iter().enumerate() {
                if n == fail_after {
                    return Err(DbError::Interrupted { done: n });
                }
                importer.add(record)?;
            }
            Ok(())
        })
    }

    /// An import fed as records are read: `feed` gets an [`Importer`] on one open transaction
    /// and adds records one at a time (so memory stays that of one record); the transaction is
    /// committed when `feed` returns `Ok`, and nothing is written when it returns an error.
    pub fn import_with<E: From<DbError>>(
        &mut self,
        feed: impl FnOnce(&mut Importer<'_>) -> Result<(), E>,
    ) -> Result<ImportSummary, E> {
        let path = self.path.clone();
        let sql = |source| DbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let summary = {
            let mut importer = Importer {
                existing: tx
                    .prepare("SELECT modified, content_sha256 FROM advisories WHERE id = ?1")
                    .map_err(sql)?,
                stored_json: tx
                    .prepare("SELECT json FROM advisories WHERE id = ?1")
                    .map_err(sql)?,
                delete_aff: tx
                    .prepare("DELETE FROM affected WHERE id = ?1")
                    .map_err(sql)?,
                upsert: tx
                    .prepare(
                        "INSERT OR REPLACE INTO advisories
                         (id, modified, published, withdrawn, summary, details, informational, content_sha256, json)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )
                    .map_err(sql)?,
                insert_aff: tx
                    .prepare(
                        "INSERT INTO affected(ecosystem, release, name, id) VALUES (?1, ?2, ?3, ?4)",
                    )
                    .map_err(sql)?,
                path: path.clone(),
                summary: ImportSummary::default(),
                provenance: None,
            };
            feed(&mut importer)?;
            if let Some(p) = &importer.provenance {
                let text = serde_json::to_string(p).map_err(|source| DbError::Provenance {
                    path: path.clone(),
                    source,
                })?;
                tx.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('provenance', ?1)",
                    [text.as_str()],
                )
                .map_err(sql)?;
            }
            importer.summary
        };
        // The digest is recorded in the same transaction, so it always describes what committed.
        let digest = compute_digest(&tx, &path)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('content_digest', ?1)",
            [digest.as_str()],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(summary)
    }

    /// The content digest (see the module docs), computed from the stored records and checked
    /// against each record's `content_sha256` and against the digest the last import recorded.
    pub fn digest(&self) -> Result<String, DbError> {
        let found = compute_digest(&self.conn, &self.path)?;
        let recorded: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'content_digest'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        match recorded {
            None => Err(DbError::NoRecordedDigest {
                path: self.path.clone(),
            }),
            Some(expected) if expected != found => Err(DbError::DigestMismatch {
                path: self.path.clone(),
                expected,
                found,
            }),
            Some(_) => Ok(found),
        }
    }

    /// The (ecosystem, release) pairs the stored records name (`("Debian", "12")`), releases
    /// lower case without Alpine's `v`: what the database can answer for OS packages.
    pub fn releases(&self) -> Result<std::collections::BTreeSet<(String, String)>, DbError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT ecosystem, release FROM affected")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.sql(e))?;
        let mut out = std::collections::BTreeSet::new();
        for row in rows {
            let (eco, release) = row.map_err(|e| self.sql(e))?;
            out.insert((
                eco,
                release.trim().trim_start_matches('v').to_ascii_lowercase(),
            ));
        }
        Ok(out)
    }

    /// How many advisories (withdrawn ones included) the database holds.
    pub fn advisory_count(&self) -> Result<usize, DbError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM advisories", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(|e| self.sql(e))
    }

    /// Record counts, newest `modified` and the digest.
    pub fn status(&self) -> Result<Status, DbError> {
        let count = |q: &str| -> Result<usize, DbError> {
            self.conn
                .query_row(q, [], |r| r.get::<_, i64>(0))
                .map(|n| n as usize)
                .map_err(|e| self.sql(e))
        };
        let advisories = count("SELECT COUNT(*) FROM advisories")?;
        let withdrawn = count("SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL")?;
        let newest_modified: Option<String> = self
            .conn
            .query_row("SELECT MAX(modified) FROM advisories", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        let mut ecosystems = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT ecosystem, COUNT(DISTINCT id) FROM affected GROUP BY ecosystem ORDER BY ecosystem")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
            })
            .map_err(|e| self.sql(e))?;
        for row in rows {
            let (eco, n) = row.map_err(|e| self.sql(e))?;
            ecosystems.insert(eco, n);
        }
        let no_package =
            count("SELECT COUNT(*) FROM advisories WHERE id NOT IN (SELECT id FROM affected)")?;
        if no_package > 0 {
            ecosystems.insert("(no package)".into(), no_package);
        }
        Ok(Status {
            advisories,
            withdrawn,
            ecosystems,
            newest_modified,
            digest: self.digest()?,
            provenance: self.provenance()?,
        })
    }

    /// Where the last import's data came from ([`Importer::set_provenance`]); `None` when it
    /// did not say (an import by an older vouch, or through the library without it).
    pub fn provenance(&self) -> Result<Option<Provenance>, DbError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'provenance'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql(e))?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|source| DbError::Provenance {
                path: self.path.clone(),
                source,
            })
        })
        .transpose()
    }

    /// The stored records (not withdrawn) that name `name` in `ecosystem` (OSV base name), each
    /// with its RustSec `informational` kind. Everything is read from the stored JSON (checked
    /// against its `content_sha256`); a record that does not parse back is [`DbError::Record`].
    pub(crate) fn candidates(
        &self,
        ecosystem: &str,
        name: &str,
    ) -> Result<Vec<(crate::osv::Advisory, Option<String>)>, DbError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT a.id, a.json, a.content_sha256 FROM affected f
                 JOIN advisories a ON a.id = f.id
                 WHERE f.ecosystem = ?1 AND f.name = ?2 ORDER BY a.id",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([ecosystem, name], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, text, expected) = row.map_err(|e| self.sql(e))?;
            let record = self.read_record(&id, &text, &expected)?;
            if record.advisory.withdrawn.is_some() {
                continue;
            }
            out.push((record.advisory, record.informational));
        }
        Ok(out)
    }

    /// One stored row back as a validated [`Record`]: its JSON must hash to `expected`, parse,
    /// pass the import checks and carry the row's id.
    fn read_record(&self, id: &str, text: &str, expected: &str) -> Result<Record, DbError> {
        let found = Digest::sha256(text.as_bytes()).hex();
        if found != expected {
            return Err(DbError::RecordDigest {
                path: self.path.clone(),
                id: id.to_owned(),
                expected: expected.to_owned(),
                found,
            });
        }
        let problem = |source: RecordProblem| DbError::Record {
            path: self.path.clone(),
            id: id.to_owned(),
            source,
        };
        let value: Value =
            serde_json::from_str(text).map_err(|e| problem(RecordProblem::Json(e)))?;
        let record = Record::from_value(value).map_err(|e| problem(RecordProblem::Osv(e)))?;
        if record.advisory.id != id {
            return Err(problem(RecordProblem::IdMismatch {
                found: record.advisory.id.clone(),
            }));
        }
        Ok(record)
    }

    /// The records an advisory name refers to: the record with that id, else every record
    /// listing it among its `aliases` (a CVE id finds the GHSA and OSV records for it).
    /// Withdrawn records are left out. Sorted by id.
    pub fn find(&self, name: &str) -> Result<Vec<Record>, DbError> {
        let quoted = serde_json::to_string(name).unwrap_or_default();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, json, content_sha256 FROM advisories
                 WHERE withdrawn IS NULL AND (id = ?1 OR instr(json, ?2) > 0) ORDER BY id",
            )
            .map_err(|e| self.sql(e))?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([name, quoted.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.sql(e))?;
        let mut exact = Vec::new();
        let mut aliased = Vec::new();
        for (id, text, sha) in rows {
            let record = self.read_record(&id, &text, &sha)?;
            if id == name {
                exact.push(record);
            } else if record.advisory.aliases.iter().any(|a| a == name) {
                aliased.push(record);
            }
        }
        Ok(if exact.is_empty() { aliased } else { exact })
    }

    /// The stored JSON of one advisory, withdrawn or not.
    pub fn get(&self, id: &str) -> Result<Option<Value>, DbError> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT json, content_sha256 FROM advisories WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        // As in `candidates`: a stored row that no longer parses is an error, not "absent".
        row.map(|(text, sha)| self.read_record(id, &text, &sha).map(|r| r.json))
            .transpose()
    }
}

/// The content digest of what `conn` holds (see the module docs); each record's JSON is hashed
/// and must equal its `content_sha256`.
fn compute_digest(conn: &Connection, path: &Path) -> Result<String, DbError> {
    let sql = |source| DbError::Sqlite {
        path: path.to_owned(),
        source,
    };
    // One short line per record and per index row: small next to the records themselves.
    let mut lines: Vec<u8> = Vec::new();
    let mut stmt = conn
        .prepare("SELECT id, modified, content_sha256, json FROM advisories ORDER BY id")
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    while let Some(row) = rows.next().map_err(sql)? {
        let id: String = row.get(0).map_err(sql)?;
        let modified: String = row.get(1).map_err(sql)?;
        let expected: String = row.get(2).map_err(sql)?;
        let json = row.get_ref(3).map_err(sql)?;
        let bytes = match json {
            rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => b,
            _ => &[][..],
        };
        let found = Digest::sha256(bytes).hex();
        if found != expected {
            return Err(DbError::RecordDigest {
                path: path.to_owned(),
                id,
                expected,
                found,
            });
        }
        lines.extend_from_slice(format!("{id}\t{modified}\t{found}\n").as_bytes());
    }
    let mut stmt = conn
        .prepare(
            "SELECT id, ecosystem, release, name FROM affected ORDER BY id, ecosystem, release, name",
        )
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    while let Some(row) = rows.next().map_err(sql)? {
        let id: String = row.get(0).map_err(sql)?;
        let ecosystem: String = row.get(1).map_err(sql)?;
        let release: String = row.get(2).map_err(sql)?;
        let name: String = row.get(3).map_err(sql)?;
        lines.extend_from_slice(
            format!("affected\t{id}\t{ecosystem}\t{release}\t{name}\n").as_bytes(),
        );
    }
    Ok(Digest::sha256(&lines).to_string())
}
