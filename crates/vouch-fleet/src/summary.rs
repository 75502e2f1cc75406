//! What a dashboard shows beside the answers: the last rescan, every stored finding, and the
//! packages that entered or left artifacts since that rescan.

use serde::Serialize;

use crate::StoreError;
use crate::store::{Change, Finding, Store};

/// One recorded rescan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RescanRecord {
    /// When it ran (RFC 3339 UTC, to the second).
    pub at: String,
    /// The advisory database's content digest it matched against.
    pub db_digest: String,
    pub artifacts: i64,
    pub findings: i64,
    /// Unsuppressed findings that were new with it.
    pub new_findings: i64,
}

/// The answer of [`Store::changes_since_rescan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// The last rescan, or `None` when the store has never been rescanned (then every change
    /// is listed).
    pub last_rescan: Option<RescanRecord>,
    /// Packages that entered or left artifacts at or after the last rescan's second, by
    /// artifact, revision, change and purl: their findings are not in the stored ones yet.
    pub changes: Vec<Change>,
}

impl Store {
    /// The most recent rescan, if any.
    pub fn last_rescan(&mut self) -> Result<Option<RescanRecord>, StoreError> {
        let rows = self.conn.query(
            "SELECT at, db_digest, artifacts, findings, new_findings FROM rescans
             ORDER BY id DESC LIMIT 1",
            &[],
        )?;
        Ok(rows.first().map(|r| RescanRecord {
            at: r[0].text(),
            db_digest: r[1].text(),
            artifacts: r[2].int(),
            findings: r[3].int(),
            new_findings: r[4].int(),
        }))
    }

    /// Every finding stored by the last rescan (suppressed ones too), sorted.
    pub fn findings(&mut self) -> Result<Vec<Finding>, StoreError> {
        self.stored_findings(None)
    }

    /// What entered or left artifacts since the last rescan. Times are compared to the second
    /// and an ingest in the same second as the rescan counts as after it: a change may be
    /// listed that the rescan did see, never the other way round.
    pub fn changes_since_rescan(&mut self) -> Result<Changes, StoreError> {
        let last_rescan = self.last_rescan()?;
        let since = last_rescan
            .as_ref()
            .map_or("", |r| r.at.as_str())
            .to_owned();
        let names = self.conn.query(
            "SELECT DISTINCT a.name FROM package_history h
             JOIN artifact_versions v ON v.id = h.version_id
             JOIN artifacts a ON a.id = h.artifact_id
             WHERE v.ingested_at >= $1 ORDER BY a.name",
            &[since.as_str().into()],
        )?;
        let mut changes = Vec::new();
        for row in names {
            let name = row[0].text();
            changes.extend(
                self.history(&name)?
                    .into_iter()
                    .filter(|c| c.at.as_str() >= since.as_str()),
            );
        }
        Ok(Changes {
            last_rescan,
            changes,
        })
    }
}
