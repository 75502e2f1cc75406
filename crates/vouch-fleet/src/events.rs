//! Pipeline events in the store: vouch-slo's [`PipelineEvent`] — the one reader of GitLab
//! pipeline/job and GitHub `workflow_run`/`workflow_job` webhooks, the type `vouch slo status`
//! evaluates — kept as rows of `pipeline_events`, one per (provider, kind, project, id,
//! attempt). A delivery replaces the stored row only when it is at least as far (queued,
//! running, finished), as [`vouch_slo::event::latest`] folds the deliveries it reads from
//! files: the store and the files give `slo status` the same events.
//!
//! Times are stored as RFC 3339 UTC text with nine fractional digits
//! (`2023-01-10T13:50:05.000000000Z`): fixed width, so text order is time order in both
//! databases, and lossless.

use jiff::Timestamp;

pub use vouch_slo::event::{EventError, Kind, Outcome, PipelineEvent, Provider, parse};

use crate::StoreError;
use crate::backend::Cell;

/// The fixed-width text a time is stored as.
pub(crate) fn time_text(t: Timestamp) -> String {
    jiff::fmt::temporal::DateTimePrinter::new()
        .precision(Some(9))
        .timestamp_to_string(&t)
}

/// The columns of `pipeline_events` in the order [`row`] and [`from_row`] use.
pub(crate) const COLUMNS: &str = "provider, kind, project, id, attempt, pipeline_id, name, outcome, progress, git_ref, queued_at, started_at, finished_at";

fn key_text(e: &PipelineEvent) -> String {
    format!(
        "{} {} {} {} (attempt {})",
        e.provider.as_str(),
        e.kind.as_str(),
        e.project,
        e.id,
        e.attempt
    )
}

fn int(e: &PipelineEvent, what: &str, v: u64) -> Result<Cell, StoreError> {
    i64::try_from(v)
        .map(Cell::Int)
        .map_err(|_| StoreError::Event {
            event: key_text(e),
            reason: format!("{what} {v} is larger than the store's 64-bit signed integers"),
        })
}

/// An event as the row's cells.
pub(crate) fn row(e: &PipelineEvent) -> Result<Vec<Cell>, StoreError> {
    let time = |t: Option<Timestamp>| t.map_or(Cell::Null, |t| Cell::Text(time_text(t)));
    Ok(vec![
        e.provider.as_str().into(),
        e.kind.as_str().into(),
        (&e.project).into(),
        int(e, "id", e.id)?,
        int(e, "attempt", e.attempt)?,
        match e.pipeline_id {
            Some(p) => int(e, "pipeline id", p)?,
            None => Cell::Null,
        },
        (&e.name).into(),
        e.outcome.as_str().into(),
        Cell::Int(i64::from(e.outcome.progress())),
        e.git_ref.as_deref().into(),
        time(e.queued_at),
        time(e.started_at),
        time(e.finished_at),
    ])
}

/// A stored row as the event; a row this vouch cannot read is an error naming it, never
/// skipped (a status over fewer events than were stored would look better than it is).
pub(crate) fn from_row(row: &[Cell]) -> Result<PipelineEvent, StoreError> {
    let [
        provider,
        kind,
        project,
        id,
        attempt,
        pipeline_id,
        name,
        outcome,
        _progress,
        git_ref,
        queued,
        started,
        finished,
    ] = row
    else {
        return Err(StoreError::Event {
            event: "?".into(),
            reason: format!("a row of {} columns, expected 13", row.len()),
        });
    };
    let event = format!(
        "{} {} {} {} (attempt {})",
        provider.text(),
        kind.text(),
        project.text(),
        id.text(),
        attempt.text()
    );
    let bad = |reason: String| StoreError::Event {
        event: event.clone(),
        reason,
    };
    let unsigned = |c: &Cell, what: &str| {
        u64::try_from(c.int()).map_err(|_| bad(format!("negative {what} {}", c.int())))
    };
    let time = |c: &Cell, what: &str| -> Result<Option<Timestamp>, StoreError> {
        c.opt_text()
            .map(|s| {
                s.parse::<Timestamp>()
                    .map_err(|_| bad(format!("{what} `{s}` is not an RFC 3339 time")))
            })
            .transpose()
    };
    Ok(PipelineEvent {
        provider: Provider::from_name(&provider.text())
            .ok_or_else(|| bad(format!("unknown provider `{}`", provider.text())))?,
        kind: Kind::from_name(&kind.text())
            .ok_or_else(|| bad(format!("unknown kind `{}`", kind.text())))?,
        project: project.text(),
        id: unsigned(id, "id")?,
        pipeline_id: match pipeline_id {
            Cell::Null => None,
            c => Some(unsigned(c, "pipeline id")?),
        },
        attempt: unsigned(attempt, "attempt")?,
        name: name.text(),
        outcome: Outcome::from_name(&outcome.text()).ok_or_else(|| {
            bad(format!(
                "outcome `{}` is none of queued, running, success, failed, canceled, skipped",
                outcome.text()
            ))
        })?,
        git_ref: git_ref.opt_text(),
        queued_at: time(queued, "queued_at")?,
        started_at: time(started, "started_at")?,
        finished_at: time(finished, "finished_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_are_fixed_width_and_round_trip() {
        let t: Timestamp = "2016-08-12T15:23:28Z".parse().unwrap();
        assert_eq!(time_text(t), "2016-08-12T15:23:28.000000000Z");
        let u: Timestamp = "2016-08-12T15:23:28.5Z".parse().unwrap();
        assert_eq!(time_text(u), "2016-08-12T15:23:28.500000000Z");
        assert!(time_text(t) < time_text(u));
        assert_eq!(time_text(u).parse::<Timestamp>().unwrap(), u);
    }
}
