//! Pipeline events: GitLab pipeline and job webhooks, GitHub `workflow_run` and
//! `workflow_job` webhooks, as one row shape the SLO code reads ([`PipelineEvent`]).
//!
//! A payload is told by its content: GitLab's `object_kind` (`pipeline`; `build` is the job
//! event), GitHub's `workflow_run` or `workflow_job` object. A delivery for a run or job that
//! is already stored replaces it (a job is delivered queued, then in progress, then completed).
//! Times are stored as RFC 3339 UTC (`2023-01-10T13:50:05Z`); GitLab's `2023-01-10 13:50:05 UTC`
//! is converted.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::StoreError;

/// Which CI system sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventSource {
    Gitlab,
    Github,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Gitlab => "gitlab",
            EventSource::Github => "github",
        }
    }

    fn parse(s: &str) -> Option<EventSource> {
        match s {
            "gitlab" => Some(EventSource::Gitlab),
            "github" => Some(EventSource::Github),
            _ => None,
        }
    }
}

/// A whole pipeline (GitLab pipeline, GitHub workflow run) or one job of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Pipeline,
    Job,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Pipeline => "pipeline",
            EventKind::Job => "job",
        }
    }

    fn parse(s: &str) -> Option<EventKind> {
        match s {
            "pipeline" => Some(EventKind::Pipeline),
            "job" => Some(EventKind::Job),
            _ => None,
        }
    }
}

/// One pipeline or job as last delivered.
///
/// `status` is normalised across both systems: `success`, `failed` (GitHub `failure` and
/// `timed_out`), `canceled` (GitHub `cancelled`), `skipped`, `running` (GitHub `in_progress`),
/// `pending` (GitHub `queued`, `waiting`, `requested`; GitLab `created`, `pending`,
/// `waiting_for_resource`, `preparing`); anything else is kept as sent, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineEvent {
    pub source: EventSource,
    pub kind: EventKind,
    /// GitLab `path_with_namespace` (or the project id), GitHub `owner/repo`.
    pub project: String,
    /// The pipeline's or job's id in its system.
    pub id: i64,
    /// For a job, the pipeline (GitHub: run) it belongs to.
    pub pipeline_id: Option<i64>,
    pub name: String,
    pub status: String,
    /// Branch or tag.
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    pub queued_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// A timestamp as RFC 3339 UTC; GitLab's `YYYY-MM-DD HH:MM:SS UTC` and offsets accepted.
fn time(v: &Value, key: &str, file: &str) -> Result<Option<String>, StoreError> {
    let Some(raw) = text(v, key) else {
        return Ok(None);
    };
    parse_time(&raw)
        .map(|t| Some(t.to_string()))
        .map_err(|reason| StoreError::Event {
            file: file.to_owned(),
            reason: format!("`{key}`: {reason}"),
        })
}

fn parse_time(raw: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(t) = raw.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    // GitLab: `2016-08-12 15:23:28 UTC` (or `+0200`).
    let (stamp, zone) = raw
        .rsplit_once(' ')
        .ok_or_else(|| format!("expected an RFC 3339 time, found `{raw}`"))?;
    let zone = match zone {
        "UTC" | "Z" => "+00:00".to_owned(),
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            format!("{}:{}", &z[..3], &z[3..])
        }
        _ => return Err(format!("expected an RFC 3339 time, found `{raw}`")),
    };
    format!("{}{zone}", stamp.replace(' ', "T"))
        .parse::<jiff::Timestamp>()
        .map_err(|_| format!("expected an RFC 3339 time, found `{raw}`"))
}

fn normalise_status(raw: &str) -> String {
    match raw.to_ascii_lowercase().as_str() {
        "success" => "success",
        "failed" | "failure" | "timed_out" => "failed",
        "canceled" | "cancelled" => "canceled",
        "skipped" => "skipped",
        "running" | "in_progress" => "running",
        "pending"
        | "created"
        | "queued"
        | "waiting"
        | "requested"
        | "waiting_for_resource"
        | "preparing" => "pending",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Largest payload accepted (GitHub caps deliveries at 25 MB).
pub const MAX_PAYLOAD: usize = 25 * 1024 * 1024;

/// Reads one webhook payload; `file` names it in errors. A payload of another event (a GitLab
/// push, a GitHub `check_run`) is an error naming what it was.
pub fn parse_payload(file: &str, bytes: &[u8]) -> Result<PipelineEvent, StoreError> {
    let bad = |reason: String| StoreError::Event {
        file: file.to_owned(),
        reason,
    };
    if bytes.len() > MAX_PAYLOAD {
        return Err(bad(format!(
            "{} bytes, more than the {MAX_PAYLOAD} allowed",
            bytes.len()
        )));
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let required =
        |v: &Value, key: &str| int(v, key).ok_or_else(|| bad(format!("no integer `{key}`")));
    if let Some(kind) = doc.get("object_kind").and_then(Value::as_str) {
        let project = doc
            .get("project")
            .and_then(|p| text(p, "path_with_namespace"))
            .or_else(|| text(&doc, "project_id"))
            .unwrap_or_default();
        return match kind {
            "pipeline" => {
                let attrs = doc.get("object_attributes").ok_or_else(|| {
                    bad("GitLab pipeline event without `object_attributes`".into())
                })?;
                let queued_at = time(attrs, "created_at", file)?;
                let started_at = match time(attrs, "started_at", file)? {
                    Some(t) => Some(t),
                    // Older payloads carry only the queued duration.
                    None => match (
                        &queued_at,
                        attrs.get("queued_duration").and_then(Value::as_f64),
                    ) {
                        (Some(q), Some(secs)) if (0.0..1e9).contains(&secs) => {
                            let q: jiff::Timestamp =
                                q.parse().map_err(|_| bad("bad time".into()))?;
                            let ms = (secs * 1000.0).round() as i64;
                            q.checked_add(jiff::SignedDuration::from_millis(ms))
                                .ok()
                                .map(|t| t.to_string())
                        }
                        _ => None,
                    },
                };
                Ok(PipelineEvent {
                    source: EventSource::Gitlab,
                    kind: EventKind::Pipeline,
                    project,
                    id: required(attrs, "id")?,
                    pipeline_id: None,
                    name: text(attrs, "name").unwrap_or_default(),
                    status: normalise_status(&text(attrs, "status").unwrap_or_default()),
                    git_ref: text(attrs, "ref"),
                    queued_at,
                    started_at,
                    finished_at: time(attrs, "finished_at", file)?,
                })
            }
            "build" => Ok(PipelineEvent {
                source: EventSource::Gitlab,
                kind: EventKind::Job,
                project,
                id: required(&doc, "build_id")?,
                pipeline_id: int(&doc, "pipeline_id"),
                name: text(&doc, "build_name").unwrap_or_default(),
                status: normalise_status(&text(&doc, "build_status").unwrap_or_default()),
                git_ref: text(&doc, "ref"),
                queued_at: time(&doc, "build_created_at", file)?,
                started_at: time(&doc, "build_started_at", file)?,
                finished_at: time(&doc, "build_finished_at", file)?,
            }),
            other => Err(bad(format!(
                "a GitLab `{other}` event, expected a pipeline or job (`build`) event"
            ))),
        };
    }
    let project = doc
        .get("repository")
        .and_then(|r| text(r, "full_name"))
        .unwrap_or_default();
    let status_of = |o: &Value| {
        let status = text(o, "status").unwrap_or_default();
        match (status.as_str(), text(o, "conclusion")) {
            ("completed", Some(c)) => normalise_status(&c),
            _ => normalise_status(&status),
        }
    };
    if let Some(run) = doc.get("workflow_run") {
        let completed = text(run, "status").as_deref() == Some("completed");
        return Ok(PipelineEvent {
            source: EventSource::Github,
            kind: EventKind::Pipeline,
            project,
            id: required(run, "id")?,
            pipeline_id: None,
            name: text(run, "name").unwrap_or_default(),
            status: status_of(run),
            git_ref: text(run, "head_branch"),
            queued_at: time(run, "created_at", file)?,
            started_at: time(run, "run_started_at", file)?,
            finished_at: if completed {
                time(run, "updated_at", file)?
            } else {
                None
            },
        });
    }
    if let Some(job) = doc.get("workflow_job") {
        return Ok(PipelineEvent {
            source: EventSource::Github,
            kind: EventKind::Job,
            project,
            id: required(job, "id")?,
            pipeline_id: int(job, "run_id"),
            name: text(job, "name").unwrap_or_default(),
            status: status_of(job),
            git_ref: text(job, "head_branch"),
            queued_at: time(job, "created_at", file)?,
            started_at: time(job, "started_at", file)?,
            finished_at: time(job, "completed_at", file)?,
        });
    }
    Err(bad(
        "not a GitLab pipeline/job or GitHub workflow_run/workflow_job payload".into(),
    ))
}

pub(crate) fn from_row(row: &[crate::backend::Cell]) -> Option<PipelineEvent> {
    let [
        source,
        kind,
        project,
        id,
        pipeline_id,
        name,
        status,
        git_ref,
        queued,
        started,
        finished,
    ] = row
    else {
        return None;
    };
    Some(PipelineEvent {
        source: EventSource::parse(&source.text())?,
        kind: EventKind::parse(&kind.text())?,
        project: project.text(),
        id: id.int(),
        pipeline_id: match pipeline_id {
            crate::backend::Cell::Int(i) => Some(*i),
            _ => None,
        },
        name: name.text(),
        status: status.text(),
        git_ref: git_ref.opt_text(),
        queued_at: queued.opt_text(),
        started_at: started.opt_text(),
        finished_at: finished.opt_text(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_times_are_rfc3339() {
        assert_eq!(
            parse_time("2016-08-12 15:23:28 UTC").unwrap().to_string(),
            "2016-08-12T15:23:28Z"
        );
        assert_eq!(
            parse_time("2016-08-12 17:23:28 +0200").unwrap().to_string(),
            "2016-08-12T15:23:28Z"
        );
        assert_eq!(
            parse_time("yesterday").unwrap_err(),
            "expected an RFC 3339 time, found `yesterday`"
        );
    }

    #[test]
    fn other_events_are_refused_by_name() {
        let e = parse_payload("push.json", br#"{"object_kind":"push"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read pipeline event push.json: a GitLab `push` event, expected a pipeline or job (`build`) event"
        );
    }
}
