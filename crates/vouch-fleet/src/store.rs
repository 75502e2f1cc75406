//! The store: artifacts, their versions, current components, history, rescans, events.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use serde::Serialize;
use vouch_advisory::db::Database;
use vouch_advisory::matching::{MatchOptions, MatchStatus, VulnMatch};
use vouch_advisory::suppress::{Date, Suppressions};
use vouch_inventory::{Component, Distro, Ecosystem, Scope, SourcePackage};
use vouch_version::Scheme;

use crate::StoreError;
use crate::backend::{Cell, Conn};
use crate::events::{self, PipelineEvent};
use crate::pattern::{Pattern, Selection};
use jiff::Timestamp;

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file (created with its folder when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://USER@HOST/DB`, or key=value form); the
    /// database must exist, the tables are created.
    Postgres(String),
}

impl Location {
    /// `postgres://…` / `postgresql://…` is PostgreSQL; anything else a file path.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_owned())
        } else {
            Location::Sqlite(PathBuf::from(s))
        }
    }

    /// For messages: the path, or the connection string without its password.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(url) => redact(url),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; `password=…` masked.
fn redact(url: &str) -> String {
    if let Some(rest) = url.split_once("://").map(|(_, r)| r)
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, _)) = userinfo.split_once(':')
    {
        let scheme = &url[..url.len() - rest.len()];
        return format!("{scheme}{user}:***@{host}");
    }
    url.split(' ')
        .map(|kv| {
            if kv.starts_with("password=") {
                "password=***"
            } else {
                kv
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One SBOM (or inventory) to ingest as a version of an artifact.
#[derive(Debug, Clone)]
pub struct Ingest {
    /// The artifact's name: re-ingesting a name replaces its components.
    pub name: String,
    pub version: Option<String>,
    /// `sha256:…` where known (an image's manifest digest, the SBOM subject's hash).
    pub digest: Option<String>,
    /// Where it came from (the SBOM file, the directory or image inventoried).
    pub source: String,
    /// `CycloneDX 1.6`, `SPDX 2.3`, `inventory`.
    pub format: String,
    pub labels: BTreeMap<String, String>,
    pub distro: Option<Distro>,
    pub components: Vec<Component>,
    /// Components the SBOM listed that could not be mapped (no purl, unknown type…).
    pub unmapped: usize,
    /// When, RFC 3339 (the caller's clock).
    pub at: String,
}

/// Parses `KEY=VALUE` labels.
pub fn parse_labels(labels: &[String]) -> Result<BTreeMap<String, String>, StoreError> {
    labels
        .iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
            _ => Err(StoreError::Label { label: l.clone() }),
        })
        .collect()
}

/// What [`Store::add`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Added {
    pub artifact: String,
    /// The number of this version of the artifact (1 for the first ingest).
    pub revision: i64,
    pub components: usize,
    /// Packages (purls) that were not in the previous version.
    pub entered: usize,
    /// Packages of the previous version no longer present.
    pub left: usize,
}

/// An artifact and its current version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub name: String,
    pub version: Option<String>,
    pub digest: Option<String>,
    pub source: String,
    pub format: String,
    pub labels: BTreeMap<String, String>,
    pub ingested_at: String,
    pub revisions: i64,
    pub components: i64,
}

/// One component of an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredComponent {
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub purl: String,
}

/// An artifact with its components and its last rescan's findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactDetail {
    #[serde(flatten)]
    pub artifact: Artifact,
    pub component_list: Vec<StoredComponent>,
    pub findings: Vec<Finding>,
}

/// One artifact holding a package the query selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub artifact: String,
    pub artifact_version: Option<String>,
    pub digest: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub package: String,
    pub version: String,
    pub purl: String,
}

/// The answer to a query: the hits, and components of that package whose version could not
/// be placed against the range (never silently left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryAnswer {
    pub query: String,
    pub hits: Vec<Hit>,
    pub unordered: Vec<(Hit, String)>,
}

/// One stored finding of a rescan (or of [`Store::affected`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, PartialOrd, Ord)]
pub struct Finding {
    pub artifact: String,
    pub advisory: String,
    pub purl: String,
    /// Every id of the merged records (GHSA, CVE, …).
    pub ids: Vec<String>,
    pub severity: String,
    /// `affected` or `could-not-evaluate: REASON`.
    pub status: String,
    /// Why it is suppressed (`vex: not_affected: …`, `ignore-file: …`), when it is.
    pub suppressed: Option<String>,
}

/// The answer of [`Store::affected`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Affected {
    pub query: String,
    /// The advisory ids the query resolved to (the id itself, or the records aliasing it).
    pub advisories: Vec<String>,
    pub findings: Vec<Finding>,
    pub db_digest: String,
}

/// The answer of [`Store::rescan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rescan {
    pub artifacts: usize,
    pub findings: usize,
    /// Unsuppressed findings not present (for that artifact) after the previous rescan.
    pub new: Vec<Finding>,
    /// Findings of the previous rescan that are gone.
    pub resolved: Vec<Finding>,
    pub db_digest: String,
    /// Whether an earlier rescan existed (on the first, every finding is new).
    pub first: bool,
}

/// One entry of a history: a package entered or left an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub at: String,
    pub artifact: String,
    pub revision: i64,
    /// `entered` or `left`.
    pub change: String,
    pub purl: String,
    pub version: String,
}

/// An open fleet store.
pub struct Store {
    pub(crate) conn: Conn,
    location: String,
    packages: PackageCache,
}

/// Rows a single answer may hold; more is refused rather than exhausting memory.
pub const MAX_ROWS: usize = 5_000_000;

fn labels_json(labels: &BTreeMap<String, String>) -> String {
    serde_json::to_string(labels).unwrap_or_else(|_| "{}".to_owned())
}

fn labels_of(cell: &Cell) -> BTreeMap<String, String> {
    serde_json::from_str(&cell.text()).unwrap_or_default()
}

fn ecosystem_of(s: &str) -> Option<Ecosystem> {
    Ecosystem::from_name(s)
}

fn scheme_for(ecosystem: Ecosystem, distro: Option<&Distro>) -> Option<Scheme> {
    Scheme::for_osv_ecosystem(vouch_advisory::matching::osv_ecosystem(ecosystem, distro))
}

const COMPONENT_COLUMNS: &str =
    "c.ecosystem, c.name, c.version, c.purl, c.source_name, c.source_version, c.first_party";

fn component_of(row: &[Cell]) -> Option<Component> {
    let ecosystem = ecosystem_of(&row[0].text())?;
    // '' is "no source package" (schema version 3).
    let source_package = match (row[4].opt_text(), row[5].opt_text()) {
        (Some(name), Some(version)) if !name.is_empty() => Some(SourcePackage { name, version }),
        _ => None,
    };
    Some(Component {
        ecosystem,
        name: row[1].text(),
        version: row[2].text(),
        purl: row[3].text(),
        scope: Scope::Required,
        hashes: Vec::new(),
        licenses: Vec::new(),
        source_package,
        resolved: None,
        evidence: Vec::new(),
        dependencies: Vec::new(),
        first_party: row[6].int() != 0,
        properties: BTreeMap::new(),
    })
}

impl Store {
    /// Opens (creating when missing) the store and runs its migrations.
    pub fn open(location: &Location) -> Result<Store, StoreError> {
        let shown = location.display();
        let open_err = |message: String| StoreError::Open {
            location: shown.clone(),
            message,
        };
        let conn = match location {
            Location::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
                }
                let conn = rusqlite::Connection::open(path).map_err(|e| open_err(e.to_string()))?;
                conn.execute_batch(
                    // A page cache of up to 256 MiB: the name, purl and artifact indexes
                    // of millions of components are updated at random places on ingest.
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;
                     PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;
                     PRAGMA wal_autocheckpoint=16384;",
                )
                .map_err(|e| open_err(e.to_string()))?;
                conn.busy_timeout(std::time::Duration::from_secs(30))
                    .map_err(|e| open_err(e.to_string()))?;
                Conn::Sqlite(conn)
            }
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => {
                let client = postgres::Client::connect(url, postgres::NoTls)
                    .map_err(|e| open_err(redact(&e.to_string())))?;
                Conn::Postgres(Box::new(crate::backend::Pg::new(client)))
            }
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(_) => return Err(StoreError::NoPostgres),
        };
        let mut store = Store {
            conn,
            location: shown,
            packages: PackageCache::new(),
        };
        crate::schema::migrate(&mut store.conn, &store.location)?;
        Ok(store)
    }

    /// The location, as printed (password masked).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The schema version of the open store.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query("SELECT MAX(version) FROM schema_version", &[])?
            .first()
            .and_then(|r| r.first())
            .map_or(0, Cell::int))
    }

    /// Runs `f` in a transaction: committed when it returns `Ok`, rolled back otherwise.
    fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn.batch("BEGIN")?;
        match f(&mut self.conn) {
            Ok(v) => {
                self.conn.batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Ingests one version of an artifact: its components replace the previous version's in
    /// one transaction, and what entered and left is added to the history.
    pub fn add(&mut self, ingest: &Ingest) -> Result<Added, StoreError> {
        let mut added = self.add_all(std::slice::from_ref(ingest))?;
        Ok(added.remove(0))
    }

    /// Ingests several versions (of one or more artifacts) in one transaction: all or none.
    /// Each is ingested as [`Store::add`] would, in order; one commit for the lot writes each
    /// index page it touched once, not once per SBOM (what makes bulk ingest fast).
    pub fn add_all(&mut self, ingests: &[Ingest]) -> Result<Vec<Added>, StoreError> {
        let cache = std::mem::take(&mut self.packages);
        let mut pending = PackageCache::new();
        let result = self.transaction(|conn| {
            ingests
                .iter()
                .map(|i| add_in(conn, &cache, &mut pending, i))
                .collect::<Result<Vec<_>, _>>()
        });
        self.packages = cache;
        let added = result?;
        // Committed: the ids are real.
        if self.packages.len() + pending.len() > PACKAGE_CACHE {
            self.packages.clear();
        }
        self.packages.extend(pending);
        Ok(added)
    }

    /// Artifacts holding a package the pattern selects, sorted by artifact and version.
    pub fn query(&mut self, pattern: &Pattern) -> Result<QueryAnswer, StoreError> {
        let rows = self.conn.query(
            "SELECT a.name, v.version, v.digest, v.labels, c.name, c.version, c.purl, v.distro
             FROM packages c
             JOIN artifact_packages l ON l.package_id = c.id
             JOIN artifacts a ON a.id = l.artifact_id
             JOIN artifact_versions v ON v.id = a.current_version
             WHERE c.ecosystem = $1 AND c.norm_name = $2",
            &[
                pattern.ecosystem.as_str().into(),
                (&pattern.normalized).into(),
            ],
        )?;
        let mut hits = Vec::new();
        let mut unordered = Vec::new();
        let mut schemes: HashMap<String, Option<Scheme>> = HashMap::new();
        for row in &rows {
            let distro_text = row[7].text();
            let scheme = *schemes.entry(distro_text.clone()).or_insert_with(|| {
                let distro: Option<Distro> = serde_json::from_str(&distro_text).ok();
                scheme_for(pattern.ecosystem, distro.as_ref())
            });
            let hit = Hit {
                artifact: row[0].text(),
                artifact_version: row[1].opt_text(),
                digest: row[2].opt_text(),
                labels: labels_of(&row[3]),
                package: row[4].text(),
                version: row[5].text(),
                purl: row[6].text(),
            };
            match pattern.selects(scheme, &hit.version) {
                Selection::Yes => hits.push(hit),
                Selection::No => {}
                Selection::Unordered(why) => unordered.push((hit, why)),
            }
        }
        hits.sort_by(|a, b| (&a.artifact, &a.purl).cmp(&(&b.artifact, &b.purl)));
        unordered.sort_by(|a, b| (&a.0.artifact, &a.0.purl).cmp(&(&b.0.artifact, &b.0.purl)));
        Ok(QueryAnswer {
            query: pattern.text.clone(),
            hits,
            unordered,
        })
    }

    /// Every artifact with its current version, by name.
    pub fn artifacts(&mut self) -> Result<Vec<Artifact>, StoreError> {
        let rows = self
            .conn
            .query(&format!("{ARTIFACT_SELECT} ORDER BY a.name"), &[])?;
        Ok(rows.iter().map(|r| artifact_of(r)).collect())
    }

    /// One artifact, its components and its findings of the last rescan.
    pub fn artifact(&mut self, name: &str) -> Result<ArtifactDetail, StoreError> {
        let rows = self.conn.query(
            &format!("{ARTIFACT_SELECT} WHERE a.name = $1"),
            &[name.into()],
        )?;
        let artifact =
            rows.first()
                .map(|r| artifact_of(r))
                .ok_or_else(|| StoreError::UnknownArtifact {
                    name: name.to_owned(),
                })?;
        let comps = self.conn.query(
            "SELECT c.ecosystem, c.name, c.version, c.purl FROM packages c
             JOIN artifact_packages l ON l.package_id = c.id
             JOIN artifacts a ON a.id = l.artifact_id WHERE a.name = $1
             ORDER BY c.ecosystem, c.norm_name, c.version, c.purl",
            &[name.into()],
        )?;
        let component_list = comps
            .iter()
            .map(|r| StoredComponent {
                ecosystem: r[0].text(),
                name: r[1].text(),
                version: r[2].text(),
                purl: r[3].text(),
            })
            .collect();
        let findings = self.stored_findings(Some(name))?;
        Ok(ArtifactDetail {
            artifact,
            component_list,
            findings,
        })
    }

    /// When packages entered and left artifacts. `subject` is a purl (with or without a
    /// version: every version of that package) or an artifact name. Oldest first.
    pub fn history(&mut self, subject: &str) -> Result<Vec<Change>, StoreError> {
        let rows = if subject.starts_with("pkg:") {
            let pattern = Pattern::parse(subject)?;
            let rows = self.conn.query(
                "SELECT v.ingested_at, a.name, v.id, h.change, p.purl, p.version, h.artifact_id
                 FROM package_history h JOIN packages p ON p.id = h.package_id
                 JOIN artifacts a ON a.id = h.artifact_id
                 JOIN artifact_versions v ON v.id = h.version_id
                 WHERE p.ecosystem = $1 AND p.norm_name = $2",
                &[
                    pattern.ecosystem.as_str().into(),
                    (&pattern.normalized).into(),
                ],
            )?;
            rows.into_iter()
                .filter(|r| {
                    matches!(
                        pattern.selects(scheme_for(pattern.ecosystem, None), &r[5].text()),
                        Selection::Yes
                    )
                })
                .collect()
        } else {
            let rows = self.conn.query(
                "SELECT v.ingested_at, a.name, v.id, h.change, p.purl, p.version, h.artifact_id
                 FROM package_history h JOIN packages p ON p.id = h.package_id
                 JOIN artifacts a ON a.id = h.artifact_id
                 JOIN artifact_versions v ON v.id = h.version_id
                 WHERE a.name = $1",
                &[subject.into()],
            )?;
            if rows.is_empty() {
                let known = self.conn.query(
                    "SELECT id FROM artifacts WHERE name = $1",
                    &[subject.into()],
                )?;
                if known.is_empty() {
                    return Err(StoreError::UnknownArtifact {
                        name: subject.to_owned(),
                    });
                }
            }
            rows
        };
        // Revision numbers: the version's rank within its artifact.
        let mut revisions: HashMap<i64, i64> = HashMap::new();
        let ids: BTreeSet<i64> = rows.iter().map(|r| r[6].int()).collect();
        for artifact_id in ids {
            let versions = self.conn.query(
                "SELECT id FROM artifact_versions WHERE artifact_id = $1 ORDER BY id",
                &[Cell::Int(artifact_id)],
            )?;
            for (n, v) in versions.iter().enumerate() {
                revisions.insert(v[0].int(), n as i64 + 1);
            }
        }
        let mut out: Vec<Change> = rows
            .iter()
            .map(|r| Change {
                at: r[0].text(),
                artifact: r[1].text(),
                revision: revisions.get(&r[2].int()).copied().unwrap_or(0),
                change: r[3].text(),
                purl: r[4].text(),
                version: r[5].text(),
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.artifact, a.revision, &a.change, &a.purl).cmp(&(
                &b.artifact,
                b.revision,
                &b.change,
                &b.purl,
            ))
        });
        Ok(out)
    }

    /// The artifacts affected by one advisory (an id, or an alias such as a CVE id that the
    /// database's GHSA/OSV records list), matched with `vouch-advisory`'s matcher.
    pub fn affected(
        &mut self,
        db: &Database,
        id: &str,
        suppressions: &Suppressions,
        today: Date,
    ) -> Result<Affected, StoreError> {
        let records = db.find(id)?;
        if records.is_empty() {
            return Err(StoreError::UnknownAdvisory {
                id: id.to_owned(),
                db: db.path().display().to_string(),
            });
        }
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut packages: BTreeSet<(Ecosystem, String)> = BTreeSet::new();
        for record in &records {
            names.insert(record.advisory.id.clone());
            for affected in &record.advisory.affected {
                let Some(package) = &affected.package else {
                    continue;
                };
                if let Some(eco) = ecosystem_of(&package.ecosystem) {
                    packages.insert((eco, eco.normalize_name(&package.name)));
                }
            }
        }
        // Candidates: components of that name, or OS packages built from that source package.
        let mut candidates: Vec<Vec<Cell>> = Vec::new();
        for (eco, name) in &packages {
            for sql in [
                "c.ecosystem = $1 AND c.norm_name = $2",
                "c.ecosystem = $1 AND c.source_name = $2",
            ] {
                candidates.extend(self.conn.query(
                    &format!(
                        "SELECT DISTINCT v.distro, {COMPONENT_COLUMNS} FROM packages c
                         JOIN artifact_packages l ON l.package_id = c.id
                         JOIN artifacts a ON a.id = l.artifact_id
                         JOIN artifact_versions v ON v.id = a.current_version WHERE {sql}"
                    ),
                    &[eco.as_str().into(), name.into()],
                )?);
            }
        }
        let (findings, db_digest) = match_rows(
            &mut self.conn,
            db,
            &candidates,
            suppressions,
            &BTreeMap::new(),
            today,
            |m| {
                m.ids
                    .iter()
                    .chain(&m.aliases)
                    .any(|i| names.contains(i) || i == id)
            },
        )?;
        Ok(Affected {
            query: id.to_owned(),
            advisories: names.into_iter().collect(),
            findings,
            db_digest,
        })
    }

    /// Re-matches every artifact's current components against `db`, stores the findings and
    /// returns what is new since the previous rescan. `suppressions` apply to every artifact;
    /// `per_artifact` adds an artifact's own VEX and ignore entries.
    pub fn rescan(
        &mut self,
        db: &Database,
        suppressions: &Suppressions,
        per_artifact: &BTreeMap<String, Suppressions>,
        today: Date,
        at: &str,
    ) -> Result<Rescan, StoreError> {
        let rows = self.conn.query(
            &format!(
                "SELECT DISTINCT v.distro, {COMPONENT_COLUMNS} FROM packages c
                 JOIN artifact_packages l ON l.package_id = c.id
                 JOIN artifacts a ON a.id = l.artifact_id
                 JOIN artifact_versions v ON v.id = a.current_version"
            ),
            &[],
        )?;
        if rows.len() > MAX_ROWS {
            return Err(StoreError::Database {
                backend: "fleet",
                message: format!(
                    "{} distinct components, more than the {MAX_ROWS} a rescan reads",
                    rows.len()
                ),
            });
        }
        let artifacts = self.conn.query("SELECT COUNT(*) FROM artifacts", &[])?;
        let artifacts = artifacts.first().map_or(0, |r| r[0].int()) as usize;
        let (findings, db_digest) = match_rows(
            &mut self.conn,
            db,
            &rows,
            suppressions,
            per_artifact,
            today,
            |_| true,
        )?;
        let previous = self.stored_findings(None)?;
        let first = self
            .conn
            .query("SELECT COUNT(*) FROM rescans", &[])?
            .first()
            .is_none_or(|r| r[0].int() == 0);
        let key = |f: &Finding| (f.artifact.clone(), f.advisory.clone(), f.purl.clone());
        let before: BTreeSet<_> = previous
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(key)
            .collect();
        let now: BTreeSet<_> = findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(key)
            .collect();
        let new: Vec<Finding> = findings
            .iter()
            .filter(|f| f.suppressed.is_none() && !before.contains(&key(f)))
            .cloned()
            .collect();
        let resolved: Vec<Finding> = previous
            .iter()
            .filter(|f| f.suppressed.is_none() && !now.contains(&key(f)))
            .cloned()
            .collect();
        let total = findings.len();
        let new_count = new.len() as i64;
        let digest = db_digest.clone();
        let at = at.to_owned();
        self.transaction(move |conn| {
            let id = conn
                .query(
                    "INSERT INTO rescans(at, db_digest, artifacts, findings, new_findings)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[
                        (&at).into(),
                        (&digest).into(),
                        Cell::Int(artifacts as i64),
                        Cell::Int(total as i64),
                        Cell::Int(new_count),
                    ],
                )?
                .first()
                .map_or(0, |r| r[0].int());
            conn.execute("DELETE FROM findings", &[])?;
            let ids: HashMap<String, i64> = conn
                .query("SELECT name, id FROM artifacts", &[])?
                .into_iter()
                .map(|r| (r[0].text(), r[1].int()))
                .collect();
            for f in &findings {
                conn.execute(
                    "INSERT INTO findings(artifact_id, advisory_id, purl, ids, severity, status, suppressed, first_seen)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        Cell::Int(ids.get(&f.artifact).copied().unwrap_or(0)),
                        (&f.advisory).into(),
                        (&f.purl).into(),
                        f.ids.join(" ").as_str().into(),
                        (&f.severity).into(),
                        (&f.status).into(),
                        f.suppressed.as_deref().into(),
                        Cell::Int(id),
                    ],
                )?;
            }
            Ok(())
        })?;
        Ok(Rescan {
            artifacts,
            findings: total,
            new,
            resolved,
            db_digest,
            first,
        })
    }

    pub(crate) fn stored_findings(
        &mut self,
        artifact: Option<&str>,
    ) -> Result<Vec<Finding>, StoreError> {
        let base = "SELECT a.name, f.advisory_id, f.purl, f.ids, f.severity, f.status, f.suppressed
                    FROM findings f JOIN artifacts a ON a.id = f.artifact_id";
        let rows = match artifact {
            Some(name) => self
                .conn
                .query(&format!("{base} WHERE a.name = $1"), &[name.into()])?,
            None => self.conn.query(base, &[])?,
        };
        let mut out: Vec<Finding> = rows
            .iter()
            .map(|r| Finding {
                artifact: r[0].text(),
                advisory: r[1].text(),
                purl: r[2].text(),
                ids: r[3].text().split(' ').map(str::to_owned).collect(),
                severity: r[4].text(),
                status: r[5].text(),
                suppressed: r[6].opt_text(),
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// Stores pipeline events, one row per (provider, kind, project, id, attempt): a delivery
    /// replaces the stored one when it is at least as far (queued, running, finished), as
    /// [`vouch_slo::event::latest`] folds deliveries. Returns how many were given.
    pub fn add_events(&mut self, events: &[PipelineEvent]) -> Result<usize, StoreError> {
        let sql = format!(
            "INSERT INTO pipeline_events({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT(provider, kind, project, id, attempt) DO UPDATE SET
               pipeline_id = excluded.pipeline_id, name = excluded.name,
               outcome = excluded.outcome, progress = excluded.progress,
               git_ref = excluded.git_ref, queued_at = excluded.queued_at,
               started_at = excluded.started_at, finished_at = excluded.finished_at
             WHERE pipeline_events.progress <= excluded.progress",
            events::COLUMNS
        );
        self.transaction(|conn| {
            for e in events {
                conn.execute(&sql, &events::row(e)?)?;
            }
            Ok(events.len())
        })
    }

    /// Pipeline events queued at or after `since`, or all; oldest first.
    pub fn events(&mut self, since: Option<Timestamp>) -> Result<Vec<PipelineEvent>, StoreError> {
        let cols = format!("SELECT {} FROM pipeline_events", events::COLUMNS);
        let order = "ORDER BY queued_at, provider, kind, project, id, attempt";
        let rows = match since {
            Some(t) => self.conn.query(
                &format!("{cols} WHERE queued_at >= $1 {order}"),
                &[events::time_text(t).as_str().into()],
            )?,
            None => self.conn.query(&format!("{cols} {order}"), &[])?,
        };
        rows.iter().map(|r| events::from_row(r)).collect()
    }

    /// Pipeline events started or finished at or after `since`: every event an SLO window
    /// starting at `since` can count (`vouch slo status --store`); oldest first.
    pub fn events_in_window(&mut self, since: Timestamp) -> Result<Vec<PipelineEvent>, StoreError> {
        let rows = self.conn.query(
            &format!(
                "SELECT {} FROM pipeline_events WHERE started_at >= $1 OR finished_at >= $2
                 ORDER BY queued_at, provider, kind, project, id, attempt",
                events::COLUMNS
            ),
            &[
                events::time_text(since).as_str().into(),
                events::time_text(since).as_str().into(),
            ],
        )?;
        rows.iter().map(|r| events::from_row(r)).collect()
    }
}

const ARTIFACT_SELECT: &str =
    "SELECT a.name, v.version, v.digest, v.source, v.format, v.labels, v.ingested_at,
        (SELECT COUNT(*) FROM artifact_versions w WHERE w.artifact_id = a.id),
        v.components
    FROM artifacts a JOIN artifact_versions v ON v.id = a.current_version";

fn artifact_of(r: &[Cell]) -> Artifact {
    Artifact {
        name: r[0].text(),
        version: r[1].opt_text(),
        digest: r[2].opt_text(),
        source: r[3].text(),
        format: r[4].text(),
        labels: labels_of(&r[5]),
        ingested_at: r[6].text(),
        revisions: r[7].int(),
        components: r[8].int(),
    }
}

/// A component's identity in `packages`: every field a match or an answer reads (purl, name,
/// version, ecosystem, source package name and version — '' when none —, first party).
pub(crate) type PackageKey = (String, String, String, &'static str, String, String, bool);

fn package_key(c: &Component) -> PackageKey {
    let (source_name, source_version) = c
        .source_package
        .as_ref()
        .map_or((String::new(), String::new()), |s| {
            (s.name.clone(), s.version.clone())
        });
    (
        c.purl.clone(),
        c.name.clone(),
        c.version.clone(),
        c.ecosystem.as_str(),
        source_name,
        source_version,
        c.first_party,
    )
}

/// Package ids the store has handed out, by key; entries are only added after their
/// transaction committed, and `packages` rows are never deleted, so an entry stays true.
/// Emptied past [`PACKAGE_CACHE`] entries.
pub(crate) type PackageCache = HashMap<PackageKey, i64>;

/// Most package ids kept in memory by one open store.
const PACKAGE_CACHE: usize = 1_000_000;

/// The ids of `keys` in `packages`, inserting the missing ones.
fn package_ids(
    conn: &mut Conn,
    cache: &PackageCache,
    pending: &PackageCache,
    keys: &[(PackageKey, String)],
) -> Result<HashMap<PackageKey, i64>, StoreError> {
    let mut ids: HashMap<PackageKey, i64> = HashMap::with_capacity(keys.len());
    let mut missing: Vec<&(PackageKey, String)> = Vec::new();
    for entry in keys {
        match cache.get(&entry.0).or_else(|| pending.get(&entry.0)) {
            Some(id) => {
                ids.insert(entry.0.clone(), *id);
            }
            None => missing.push(entry),
        }
    }
    if missing.is_empty() {
        return Ok(ids);
    }
    let rows: Vec<Vec<Cell>> = missing
        .iter()
        .map(|(k, norm)| {
            vec![
                k.3.into(),
                (&k.1).into(),
                norm.into(),
                (&k.2).into(),
                (&k.0).into(),
                (&k.4).into(),
                (&k.5).into(),
                Cell::Int(i64::from(k.6)),
            ]
        })
        .collect();
    insert_many(
        conn,
        "INSERT INTO packages(ecosystem, name, norm_name, version, purl, source_name, source_version, first_party) VALUES ",
        " ON CONFLICT(purl, name, version, ecosystem, source_name, source_version, first_party) DO NOTHING",
        &rows,
    )?;
    let purls: BTreeSet<&str> = missing.iter().map(|(k, _)| k.0.as_str()).collect();
    let purls: Vec<&str> = purls.into_iter().collect();
    for chunk in purls.chunks(500) {
        let mut sql = String::from(
            "SELECT id, purl, name, version, ecosystem, source_name, source_version, first_party FROM packages WHERE purl IN (",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(i + 1).to_string());
        }
        sql.push(')');
        let params: Vec<Cell> = chunk.iter().map(|p| Cell::from(*p)).collect();
        for r in conn.query(&sql, &params)? {
            let Some(eco) = ecosystem_of(&r[4].text()) else {
                continue;
            };
            let key: PackageKey = (
                r[1].text(),
                r[2].text(),
                r[3].text(),
                eco.as_str(),
                r[5].text(),
                r[6].text(),
                r[7].int() != 0,
            );
            ids.insert(key, r[0].int());
        }
    }
    for (k, _) in &missing {
        if !ids.contains_key(k) {
            return Err(StoreError::Database {
                backend: "fleet",
                message: format!("package {} was inserted but not found", k.0),
            });
        }
    }
    Ok(ids)
}

/// One ingest inside the caller's transaction; package ids it resolved that `cache` did not
/// hold go to `pending` (cached once the transaction committed).
fn add_in(
    conn: &mut Conn,
    cache: &PackageCache,
    pending: &mut PackageCache,
    ingest: &Ingest,
) -> Result<Added, StoreError> {
    let existing = conn.query(
        "SELECT id FROM artifacts WHERE name = $1",
        &[(&ingest.name).into()],
    )?;
    let (artifact_id, known) = match existing.first() {
        Some(r) => (r[0].int(), true),
        None => (
            conn.query(
                "INSERT INTO artifacts(name) VALUES ($1) RETURNING id",
                &[(&ingest.name).into()],
            )?
            .first()
            .map_or(0, |r| r[0].int()),
            false,
        ),
    };
    let distro = ingest
        .distro
        .as_ref()
        .and_then(|d| serde_json::to_string(d).ok());
    let version_id = conn
        .query(
            "INSERT INTO artifact_versions(artifact_id, version, digest, source, format, distro, labels, ingested_at, components, unmapped)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            &[
                Cell::Int(artifact_id),
                ingest.version.as_deref().into(),
                ingest.digest.as_deref().into(),
                (&ingest.source).into(),
                (&ingest.format).into(),
                distro.as_deref().into(),
                labels_json(&ingest.labels).as_str().into(),
                (&ingest.at).into(),
                Cell::Int(ingest.components.len() as i64),
                Cell::Int(ingest.unmapped as i64),
            ],
        )?
        .first()
        .map_or(0, |r| r[0].int());
    let revision = if known {
        conn.query(
            "SELECT COUNT(*) FROM artifact_versions WHERE artifact_id = $1",
            &[Cell::Int(artifact_id)],
        )?
        .first()
        .map_or(1, |r| r[0].int())
    } else {
        1
    };
    // This version's components, the first of each purl.
    let mut seen: HashSet<&str> = HashSet::with_capacity(ingest.components.len());
    let mut keys: Vec<(PackageKey, String)> = Vec::with_capacity(ingest.components.len());
    for c in &ingest.components {
        if seen.insert(c.purl.as_str()) {
            keys.push((package_key(c), c.ecosystem.normalize_name(&c.name)));
        }
    }
    let ids = package_ids(conn, cache, pending, &keys)?;
    // purl → package id, now and in the previous version (a new artifact has none).
    let now: BTreeMap<&str, i64> = keys.iter().map(|(k, _)| (k.0.as_str(), ids[k])).collect();
    let before: BTreeMap<String, i64> = if known {
        conn.query(
            "SELECT p.purl, l.package_id FROM artifact_packages l
             JOIN packages p ON p.id = l.package_id WHERE l.artifact_id = $1",
            &[Cell::Int(artifact_id)],
        )?
        .into_iter()
        .map(|r| (r[0].text(), r[1].int()))
        .collect()
    } else {
        BTreeMap::new()
    };
    let now_ids: BTreeSet<i64> = now.values().copied().collect();
    let before_ids: BTreeSet<i64> = before.values().copied().collect();
    let gone: Vec<i64> = before_ids.difference(&now_ids).copied().collect();
    for chunk in gone.chunks(500) {
        let mut sql = String::from(
            "DELETE FROM artifact_packages WHERE artifact_id = $1 AND package_id IN (",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(i + 2).to_string());
        }
        sql.push(')');
        let mut params = vec![Cell::Int(artifact_id)];
        params.extend(chunk.iter().map(|id| Cell::Int(*id)));
        conn.execute(&sql, &params)?;
    }
    let links: Vec<Vec<Cell>> = now_ids
        .difference(&before_ids)
        .map(|id| vec![Cell::Int(artifact_id), Cell::Int(*id)])
        .collect();
    insert_many(
        conn,
        "INSERT INTO artifact_packages(artifact_id, package_id) VALUES ",
        "",
        &links,
    )?;
    // History: purls that entered and left.
    let mut history_rows: Vec<Vec<Cell>> = Vec::new();
    for (purl, id) in &now {
        if !before.contains_key(*purl) {
            history_rows.push(vec![
                Cell::Int(artifact_id),
                Cell::Int(version_id),
                "entered".into(),
                Cell::Int(*id),
            ]);
        }
    }
    let entered = history_rows.len();
    for (purl, id) in &before {
        if !now.contains_key(purl.as_str()) {
            history_rows.push(vec![
                Cell::Int(artifact_id),
                Cell::Int(version_id),
                "left".into(),
                Cell::Int(*id),
            ]);
        }
    }
    let left = history_rows.len() - entered;
    insert_many(
        conn,
        "INSERT INTO package_history(artifact_id, version_id, change, package_id) VALUES ",
        "",
        &history_rows,
    )?;
    conn.execute(
        "UPDATE artifacts SET current_version = $1 WHERE id = $2",
        &[Cell::Int(version_id), Cell::Int(artifact_id)],
    )?;
    let added = Added {
        artifact: ingest.name.clone(),
        revision,
        components: now.len(),
        entered,
        left,
    };
    for (k, id) in ids {
        if !cache.contains_key(&k) {
            pending.insert(k, id);
        }
    }
    Ok(added)
}

/// Parameters per multi-row statement: far below both databases' limits (SQLite 32,766,
/// PostgreSQL 65,535), large enough that a few hundred rows take one or two statements.
const INSERT_PARAMS: usize = 2_000;

/// Inserts `rows` (all of one width) with multi-row `VALUES` lists of numbered parameters —
/// the placeholders are generated, the values always bound; `suffix` follows the list (an
/// `ON CONFLICT` clause).
fn insert_many(
    conn: &mut Conn,
    prefix: &str,
    suffix: &str,
    rows: &[Vec<Cell>],
) -> Result<(), StoreError> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for chunk in rows.chunks((INSERT_PARAMS / width).max(1)) {
        let mut sql = String::from(prefix);
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..width {
                n += 1;
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            sql.push(')');
        }
        sql.push_str(suffix);
        let params: Vec<Cell> = chunk.iter().flatten().cloned().collect();
        conn.execute(&sql, &params)?;
    }
    Ok(())
}

/// Matches candidate rows (`v.distro`, the component columns, `a.name`) with the advisory
/// database: each distinct (distro, component) once, per distro one matcher call; then each
/// match is given to every artifact holding that component. `keep` filters the matches.
fn match_rows(
    conn: &mut Conn,
    db: &Database,
    rows: &[Vec<Cell>],
    shared: &Suppressions,
    per_artifact: &BTreeMap<String, Suppressions>,
    today: Date,
    keep: impl Fn(&VulnMatch) -> bool,
) -> Result<(Vec<Finding>, String), StoreError> {
    // distro text → purl → component: each distinct component once per distro.
    let mut groups: BTreeMap<String, BTreeMap<String, Component>> = BTreeMap::new();
    for row in rows {
        let distro = row[0].text();
        let Some(component) = component_of(&row[1..8]) else {
            continue;
        };
        groups
            .entry(distro)
            .or_default()
            .entry(component.purl.clone())
            .or_insert(component);
    }
    let mut findings = Vec::new();
    let mut db_digest = String::new();
    if groups.is_empty() {
        db_digest = db.digest()?;
    }
    // purl → (artifact, distro text) of every current holder, looked up once per matched purl.
    let mut holders: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (distro_text, components) in groups {
        let distro: Option<Distro> = serde_json::from_str(&distro_text).ok();
        let components: Vec<Component> = components.into_values().collect();
        let mut outcome =
            db.match_components(&components, distro.as_ref(), &MatchOptions::default())?;
        db_digest = outcome.db_digest.clone();
        outcome.matches.retain(|m| keep(m));
        shared.apply(&mut outcome.matches, today);
        for m in &outcome.matches {
            if !holders.contains_key(&m.component.purl) {
                let found = conn.query(
                    "SELECT a.name, v.distro FROM packages c
                     JOIN artifact_packages l ON l.package_id = c.id
                     JOIN artifacts a ON a.id = l.artifact_id
                     JOIN artifact_versions v ON v.id = a.current_version
                     WHERE c.purl = $1",
                    &[(&m.component.purl).into()],
                )?;
                holders.insert(
                    m.component.purl.clone(),
                    found.iter().map(|r| (r[0].text(), r[1].text())).collect(),
                );
            }
            let artifacts = holders
                .get(&m.component.purl)
                .into_iter()
                .flatten()
                .filter(|(_, d)| *d == distro_text)
                .map(|(a, _)| a);
            for artifact in artifacts {
                match per_artifact.get(artifact) {
                    // The artifact's own VEX and ignore entries, on a copy of the match.
                    Some(own) if m.finding.suppressed.is_none() => {
                        let mut copy = m.clone();
                        own.apply(std::slice::from_mut(&mut copy), today);
                        findings.push(finding_of(artifact, &copy));
                    }
                    _ => findings.push(finding_of(artifact, m)),
                }
            }
        }
    }
    findings.sort();
    findings.dedup();
    Ok((findings, db_digest))
}

fn finding_of(artifact: &str, m: &VulnMatch) -> Finding {
    Finding {
        artifact: artifact.to_owned(),
        advisory: m.id.clone(),
        purl: m.component.purl.clone(),
        ids: m
            .ids
            .iter()
            .chain(&m.aliases)
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        severity: m.severity.to_string(),
        status: match &m.status {
            MatchStatus::Affected => "affected".to_owned(),
            MatchStatus::CouldNotEvaluate(why) => format!("could-not-evaluate: {why}"),
        },
        suppressed: m
            .finding
            .suppressed
            .as_ref()
            .map(|s| format!("{}: {}", s.kind, s.reason)),
    }
}

impl Ingest {
    /// An SBOM read by `vouch_sbom::read::parse` as an ingest: the name is `name`, else the
    /// document's subject, else `source`.
    pub fn from_sbom(
        sbom: vouch_sbom::read::ReadSbom,
        name: Option<String>,
        source: &str,
        at: &str,
    ) -> Ingest {
        Ingest {
            name: name
                .or(sbom.subject.clone())
                .unwrap_or_else(|| source.to_owned()),
            version: None,
            digest: None,
            source: source.to_owned(),
            format: sbom.format.to_string(),
            labels: BTreeMap::new(),
            distro: sbom.distro,
            unmapped: sbom.unmapped.len(),
            components: sbom.components,
            at: at.to_owned(),
        }
    }
}
