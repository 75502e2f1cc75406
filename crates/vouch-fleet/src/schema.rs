//! Numbered migrations, run in order on open inside one transaction each; `schema_version`
//! holds the highest applied. DDL differs between dialects only in the identity column and
//! SQLite's `WITHOUT ROWID` (a table that is its primary key).

use crate::StoreError;
use crate::backend::{Cell, Conn, Dialect};

/// The schema this vouch writes.
pub(crate) const VERSION: i64 = 3;

const V1: &str = "
CREATE TABLE artifacts(
    id {ID},
    name TEXT NOT NULL UNIQUE,
    current_version BIGINT);
CREATE TABLE artifact_versions(
    id {ID},
    artifact_id BIGINT NOT NULL,
    version TEXT,
    digest TEXT,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    distro TEXT,
    labels TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    components BIGINT NOT NULL,
    unmapped BIGINT NOT NULL);
CREATE INDEX artifact_versions_artifact ON artifact_versions(artifact_id);
CREATE TABLE components(
    artifact_id BIGINT NOT NULL,
    version_id BIGINT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    norm_name TEXT NOT NULL,
    version TEXT NOT NULL,
    purl TEXT NOT NULL,
    source_name TEXT,
    source_version TEXT,
    first_party BIGINT NOT NULL);
CREATE INDEX components_name ON components(ecosystem, norm_name);
CREATE INDEX components_artifact ON components(artifact_id);
CREATE INDEX components_purl ON components(purl);
CREATE INDEX components_source ON components(ecosystem, source_name);
CREATE TABLE history(
    artifact_id BIGINT NOT NULL,
    version_id BIGINT NOT NULL,
    change TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    norm_name TEXT NOT NULL,
    version TEXT NOT NULL,
    purl TEXT NOT NULL,
    at TEXT NOT NULL);
CREATE INDEX history_name ON history(ecosystem, norm_name);
CREATE INDEX history_artifact ON history(artifact_id);
CREATE TABLE rescans(
    id {ID},
    at TEXT NOT NULL,
    db_digest TEXT NOT NULL,
    artifacts BIGINT NOT NULL,
    findings BIGINT NOT NULL,
    new_findings BIGINT NOT NULL);
CREATE TABLE findings(
    artifact_id BIGINT NOT NULL,
    advisory_id TEXT NOT NULL,
    purl TEXT NOT NULL,
    ids TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    suppressed TEXT,
    first_seen BIGINT NOT NULL);
CREATE INDEX findings_artifact ON findings(artifact_id);
CREATE TABLE events(
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    project TEXT NOT NULL,
    id BIGINT NOT NULL,
    pipeline_id BIGINT,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    git_ref TEXT,
    queued_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    PRIMARY KEY(source, kind, project, id));
CREATE INDEX events_queued ON events(queued_at);
";

/// Pipeline events become vouch-slo's `PipelineEvent`: the run attempt joins the key, the
/// outcome is vouch-slo's word with its progress (a delivery replaces a row only when at least
/// as far), times are fixed-width RFC 3339 text. Rows of version 1 are carried over: the fleet
/// parser's status words mapped as vouch-slo maps the forges' words, second-precision times
/// widened to nine fractional digits (a fractional time of version 1 is kept as written).
const V2: &str = "
CREATE TABLE pipeline_events(
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    project TEXT NOT NULL,
    id BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    pipeline_id BIGINT,
    name TEXT NOT NULL,
    outcome TEXT NOT NULL,
    progress BIGINT NOT NULL,
    git_ref TEXT,
    queued_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    PRIMARY KEY(provider, kind, project, id, attempt));
CREATE INDEX pipeline_events_queued ON pipeline_events(queued_at);
CREATE INDEX pipeline_events_started ON pipeline_events(started_at);
CREATE INDEX pipeline_events_finished ON pipeline_events(finished_at);
INSERT INTO pipeline_events(provider, kind, project, id, attempt, pipeline_id, name, outcome,
        progress, git_ref, queued_at, started_at, finished_at)
    SELECT source, kind, project, id, 1, pipeline_id, name,
        CASE status
            WHEN 'pending' THEN 'queued' WHEN 'scheduled' THEN 'queued'
            WHEN 'waiting_for_callback' THEN 'queued'
            WHEN 'canceling' THEN 'canceled'
            WHEN 'manual' THEN 'skipped' WHEN 'neutral' THEN 'skipped'
            WHEN 'stale' THEN 'skipped' WHEN 'action_required' THEN 'skipped'
            WHEN 'startup_failure' THEN 'failed'
            ELSE status END,
        CASE status
            WHEN 'pending' THEN 0 WHEN 'scheduled' THEN 0 WHEN 'waiting_for_callback' THEN 0
            WHEN 'running' THEN 1
            ELSE 2 END,
        git_ref,
        CASE WHEN length(queued_at) = 20 THEN substr(queued_at, 1, 19) || '.000000000Z' ELSE queued_at END,
        CASE WHEN length(started_at) = 20 THEN substr(started_at, 1, 19) || '.000000000Z' ELSE started_at END,
        CASE WHEN length(finished_at) = 20 THEN substr(finished_at, 1, 19) || '.000000000Z' ELSE finished_at END
    FROM events;
DROP TABLE events;
";

/// Components de-duplicated across artifacts (issue #19, ingest speed): version 2 kept every
/// artifact's components as full text rows (ecosystem, names, version, purl) with four text
/// indexes, and every history entry as text with two more; at 10,000 SBOMs of ~300
/// components that is 6 million text rows whose index pages are updated at random places,
/// and ingest slowed to the disk's pace. Now a component is one `packages` row (keyed by
/// every field a match reads), an artifact's current components are (artifact, package) id
/// pairs, a history entry is four integers (its time is the revision's `ingested_at`).
/// Source package fields are '' when there is none, so the key is one unique index (NULLs are
/// distinct in unique indexes). Rows of version 2 are carried over.
const V3: &str = "
CREATE TABLE packages(
    id {ID},
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    norm_name TEXT NOT NULL,
    version TEXT NOT NULL,
    purl TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_version TEXT NOT NULL,
    first_party BIGINT NOT NULL);
CREATE UNIQUE INDEX packages_key
    ON packages(purl, name, version, ecosystem, source_name, source_version, first_party);
CREATE INDEX packages_name ON packages(ecosystem, norm_name);
CREATE INDEX packages_source ON packages(ecosystem, source_name);
CREATE TABLE artifact_packages(
    artifact_id BIGINT NOT NULL,
    package_id BIGINT NOT NULL,
    PRIMARY KEY(artifact_id, package_id)){WITHOUT_ROWID};
CREATE INDEX artifact_packages_package ON artifact_packages(package_id, artifact_id);
CREATE TABLE package_history(
    artifact_id BIGINT NOT NULL,
    version_id BIGINT NOT NULL,
    change TEXT NOT NULL,
    package_id BIGINT NOT NULL);
CREATE INDEX package_history_artifact ON package_history(artifact_id);
CREATE INDEX package_history_package ON package_history(package_id);
INSERT INTO packages(ecosystem, name, norm_name, version, purl, source_name, source_version, first_party)
    SELECT DISTINCT ecosystem, name, norm_name, version, purl,
        COALESCE(source_name, ''), COALESCE(source_version, ''), first_party
    FROM components;
INSERT INTO artifact_packages(artifact_id, package_id)
    SELECT DISTINCT c.artifact_id, p.id FROM components c JOIN packages p
        ON p.purl = c.purl AND p.name = c.name AND p.version = c.version
        AND p.ecosystem = c.ecosystem AND p.source_name = COALESCE(c.source_name, '')
        AND p.source_version = COALESCE(c.source_version, '') AND p.first_party = c.first_party;
INSERT INTO packages(ecosystem, name, norm_name, version, purl, source_name, source_version, first_party)
    SELECT h.ecosystem, MIN(h.norm_name), MIN(h.norm_name), MIN(h.version), h.purl, '', '', 0
    FROM history h WHERE NOT EXISTS (SELECT 1 FROM packages p WHERE p.purl = h.purl)
    GROUP BY h.ecosystem, h.purl;
INSERT INTO package_history(artifact_id, version_id, change, package_id)
    SELECT h.artifact_id, h.version_id, h.change,
        (SELECT MIN(p.id) FROM packages p WHERE p.purl = h.purl)
    FROM history h;
DROP TABLE components;
DROP TABLE history;
";

const MIGRATIONS: &[(i64, &str)] = &[(1, V1), (2, V2), (3, V3)];

pub(crate) fn migrate(conn: &mut Conn, location: &str) -> Result<(), StoreError> {
    conn.batch("CREATE TABLE IF NOT EXISTS schema_version(version BIGINT NOT NULL)")?;
    let current = conn
        .query("SELECT MAX(version) FROM schema_version", &[])?
        .first()
        .and_then(|r| r.first())
        .map_or(0, Cell::int);
    if current > VERSION {
        return Err(StoreError::NewerSchema {
            location: location.to_owned(),
            found: current,
            supported: VERSION,
        });
    }
    let (id, without_rowid) = match conn.dialect() {
        Dialect::Sqlite => ("INTEGER PRIMARY KEY", " WITHOUT ROWID"),
        Dialect::Postgres => ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", ""),
    };
    for (version, ddl) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        conn.batch("BEGIN")?;
        let applied = conn
            .batch(
                &ddl.replace("{ID}", id)
                    .replace("{WITHOUT_ROWID}", without_rowid),
            )
            .and_then(|()| {
                conn.execute(
                    "INSERT INTO schema_version(version) VALUES ($1)",
                    &[Cell::Int(*version)],
                )
            });
        match applied {
            Ok(_) => conn.batch("COMMIT")?,
            Err(e) => {
                let _ = conn.batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(())
}
