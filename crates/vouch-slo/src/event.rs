//! CI pipeline events from webhook payloads: GitLab pipeline and job hooks (`object_kind`
//! `pipeline`, `build`), GitHub `workflow_run` and `workflow_job`. One payload per file, or a
//! JSON array of payloads. A GitLab pipeline hook carries its jobs (`builds`): each becomes a
//! job event as well.
//!
//! This is vouch's one pipeline-event type: `vouch slo status` reads it from files, and the
//! fleet store (`vouch fleet events add`, `vouch slo status --store`) keeps it as rows.

use jiff::Timestamp;
use serde_json::Value;

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    GitLab,
    GitHub,
}

/// A whole pipeline (GitLab pipeline, GitHub workflow run) or one job of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Pipeline,
    Job,
}

/// The state of a pipeline or job, in the words both forges map onto. Ordered by progress:
/// a later delivery of the same run replaces an earlier one only when it is at least as far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Created, pending, queued, waiting, requested.
    Queued,
    Running,
    Success,
    /// GitLab `failed`; GitHub `failure`, `timed_out`, `startup_failure`.
    Failed,
    /// GitLab `canceled`; GitHub `cancelled`.
    Canceled,
    /// GitLab `skipped`, `manual`; GitHub `skipped`, `neutral`, `stale`, `action_required`:
    /// finished without a verdict, counted neither as success nor failure.
    Skipped,
}

impl Outcome {
    pub fn finished(self) -> bool {
        !matches!(self, Self::Queued | Self::Running)
    }

    /// How far a run has got: queued 0, running 1, finished 2. A later delivery replaces an
    /// earlier one only when it is at least as far ([`latest`], the fleet store).
    pub fn progress(self) -> u8 {
        match self {
            Self::Queued => 0,
            Self::Running => 1,
            _ => 2,
        }
    }

    /// The lower-case word serialisation uses (`queued`, `success`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Success => "success",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
            Self::Skipped => "skipped",
        }
    }

    /// The inverse of [`Outcome::as_str`].
    pub fn from_name(s: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Running,
            Self::Success,
            Self::Failed,
            Self::Canceled,
            Self::Skipped,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

impl Provider {
    /// `gitlab` or `github`, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GitLab => "gitlab",
            Self::GitHub => "github",
        }
    }

    /// The inverse of [`Provider::as_str`].
    pub fn from_name(s: &str) -> Option<Self> {
        [Self::GitLab, Self::GitHub]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

impl Kind {
    /// `pipeline` or `job`, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pipeline => "pipeline",
            Self::Job => "job",
        }
    }

    /// The inverse of [`Kind::as_str`].
    pub fn from_name(s: &str) -> Option<Self> {
        [Self::Pipeline, Self::Job]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One pipeline or job as `vouch slo status` reads it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PipelineEvent {
    pub provider: Provider,
    pub kind: Kind,
    /// GitLab `project.path_with_namespace` (else `project_id`), GitHub `repository.full_name`;
    /// empty when the payload names none. Part of the event's identity with the id: ids are
    /// unique per forge instance only.
    pub project: String,
    /// The forge's id of the pipeline, run or job.
    pub id: u64,
    /// For a job, the pipeline (GitHub: run) it belongs to.
    pub pipeline_id: Option<u64>,
    /// The attempt (GitHub `run_attempt`; 1 for GitLab, which gives a retried job a new id).
    pub attempt: u64,
    /// Job name, or the pipeline's / workflow's name (GitLab pipelines without one: the ref).
    pub name: String,
    pub outcome: Outcome,
    /// Branch or tag (GitLab `ref`, GitHub `head_branch`).
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    pub queued_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

impl PipelineEvent {
    /// `started_at - queued_at` in seconds, when both are known and in order.
    #[expect(clippy::cast_precision_loss, reason = "milliseconds of a queue")]
    pub fn queue_seconds(&self) -> Option<f64> {
        let (q, s) = (self.queued_at?, self.started_at?);
        let ms = s.as_millisecond() - q.as_millisecond();
        (ms >= 0).then(|| ms as f64 / 1000.0)
    }
}

/// Most events one file may hold.
pub const MAX_EVENTS: usize = 100_000;

/// Why a payload could not be read as pipeline events.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    #[error("not JSON: {0}")]
    Json(#[source] serde_json::Error),
    #[error(
        "payload {index} is not a pipeline or job event: expected a GitLab pipeline/build hook (object_kind) or a GitHub workflow_run/workflow_job payload, found {found}"
    )]
    NotPipeline { index: usize, found: String },
    #[error("payload {index}: `{field}` is missing or not {expected}")]
    Field {
        index: usize,
        field: &'static str,
        expected: &'static str,
    },
    #[error(
        "payload {index}: `{field}` value `{found}` is not a time (expected RFC 3339 or GitLab's `2016-08-12 15:23:28 UTC`)"
    )]
    Time {
        index: usize,
        field: &'static str,
        found: String,
    },
    #[error("payload {index}: status `{found}` is not a known {provider:?} status")]
    Status {
        index: usize,
        provider: Provider,
        found: String,
    },
    #[error("more than {limit} events in one file")]
    TooMany { limit: usize },
}

/// The events in one file's bytes.
pub fn parse(bytes: &[u8]) -> Result<Vec<PipelineEvent>, EventError> {
    let value: Value = serde_json::from_slice(bytes).map_err(EventError::Json)?;
    let payloads = match value {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut events = Vec::new();
    for (i, payload) in payloads.iter().enumerate() {
        payload_events(i + 1, payload, &mut events)?;
        if events.len() > MAX_EVENTS {
            return Err(EventError::TooMany { limit: MAX_EVENTS });
        }
    }
    Ok(events)
}

fn payload_events(index: usize, p: &Value, out: &mut Vec<PipelineEvent>) -> Result<(), EventError> {
    let kind = p.get("object_kind").and_then(Value::as_str);
    match kind {
        Some("pipeline") => gitlab_pipeline(index, p, out),
        Some("build") => {
            out.push(gitlab_job(index, p)?);
            Ok(())
        }
        Some(other) => Err(EventError::NotPipeline {
            index,
            found: format!("GitLab object_kind `{other}`"),
        }),
        None => {
            if let Some(run) = p.get("workflow_run").filter(|v| v.is_object()) {
                out.push(github(index, p, run, Kind::Pipeline)?);
                Ok(())
            } else if let Some(job) = p.get("workflow_job").filter(|v| v.is_object()) {
                out.push(github(index, p, job, Kind::Job)?);
                Ok(())
            } else {
                let keys: Vec<&str> = p
                    .as_object()
                    .map(|m| m.keys().take(5).map(String::as_str).collect())
                    .unwrap_or_default();
                Err(EventError::NotPipeline {
                    index,
                    found: if keys.is_empty() {
                        "no object".to_owned()
                    } else {
                        format!("keys {}", keys.join(", "))
                    },
                })
            }
        }
    }
}

fn id(index: usize, v: &Value, field: &'static str) -> Result<u64, EventError> {
    v.get(field)
        .and_then(Value::as_u64)
        .ok_or(EventError::Field {
            index,
            field,
            expected: "a number",
        })
}

fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field).and_then(Value::as_str).map(str::to_owned)
}

fn time(index: usize, v: &Value, field: &'static str) -> Result<Option<Timestamp>, EventError> {
    let Some(raw) = v.get(field).and_then(Value::as_str) else {
        return Ok(None);
    };
    parse_time(raw).map(Some).ok_or_else(|| EventError::Time {
        index,
        field,
        found: raw.chars().take(64).collect(),
    })
}

/// RFC 3339, or GitLab's `2016-08-12 15:23:28 UTC` / `… +0200`.
fn parse_time(raw: &str) -> Option<Timestamp> {
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Some(t);
    }
    let parts: Vec<&str> = raw.split(' ').collect();
    let [date, clock, zone] = parts.as_slice() else {
        return None;
    };
    let zone = if *zone == "UTC" { "Z" } else { zone };
    format!("{date}T{clock}{zone}").parse().ok()
}

fn gitlab_status(index: usize, s: &str) -> Result<Outcome, EventError> {
    Ok(match s {
        "created"
        | "waiting_for_resource"
        | "preparing"
        | "pending"
        | "scheduled"
        | "waiting_for_callback" => Outcome::Queued,
        "running" => Outcome::Running,
        "success" => Outcome::Success,
        "failed" => Outcome::Failed,
        "canceled" | "canceling" => Outcome::Canceled,
        "skipped" | "manual" => Outcome::Skipped,
        other => {
            return Err(EventError::Status {
                index,
                provider: Provider::GitLab,
                found: other.chars().take(64).collect(),
            });
        }
    })
}

fn gitlab_pipeline(
    index: usize,
    p: &Value,
    out: &mut Vec<PipelineEvent>,
) -> Result<(), EventError> {
    let attrs = p.get("object_attributes").ok_or(EventError::Field {
        index,
        field: "object_attributes",
        expected: "an object",
    })?;
    let status = text(attrs, "status").ok_or(EventError::Field {
        index,
        field: "status",
        expected: "a string",
    })?;
    let queued_at = time(index, attrs, "created_at")?;
    // A pipeline hook has no start time; GitLab gives the seconds it spent queued.
    let started_at = match (
        queued_at,
        attrs.get("queued_duration").and_then(Value::as_f64),
    ) {
        (Some(q), Some(secs)) if (0.0..1e9).contains(&secs) => {
            #[expect(clippy::cast_possible_truncation, reason = "bounded above")]
            let ms = (secs * 1000.0).round() as i64;
            q.checked_add(jiff::SignedDuration::from_millis(ms)).ok()
        }
        _ => None,
    };
    let project = gitlab_project(p);
    let pipeline_id = id(index, attrs, "id")?;
    let git_ref = text(attrs, "ref").filter(|r| !r.is_empty());
    out.push(PipelineEvent {
        provider: Provider::GitLab,
        kind: Kind::Pipeline,
        project: project.clone(),
        id: pipeline_id,
        pipeline_id: None,
        attempt: 1,
        name: text(attrs, "name")
            .filter(|n| !n.is_empty())
            .or_else(|| text(attrs, "ref"))
            .unwrap_or_default(),
        outcome: gitlab_status(index, &status)?,
        git_ref: git_ref.clone(),
        queued_at,
        started_at,
        finished_at: time(index, attrs, "finished_at")?,
    });
    for build in p
        .get("builds")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let status = text(build, "status").ok_or(EventError::Field {
            index,
            field: "builds[].status",
            expected: "a string",
        })?;
        out.push(PipelineEvent {
            provider: Provider::GitLab,
            kind: Kind::Job,
            project: project.clone(),
            id: id(index, build, "id")?,
            pipeline_id: Some(pipeline_id),
            attempt: 1,
            name: text(build, "name").unwrap_or_default(),
            outcome: gitlab_status(index, &status)?,
            git_ref: git_ref.clone(),
            queued_at: time(index, build, "created_at")?,
            started_at: time(index, build, "started_at")?,
            finished_at: time(index, build, "finished_at")?,
        });
    }
    Ok(())
}

fn gitlab_job(index: usize, p: &Value) -> Result<PipelineEvent, EventError> {
    let status = text(p, "build_status").ok_or(EventError::Field {
        index,
        field: "build_status",
        expected: "a string",
    })?;
    Ok(PipelineEvent {
        provider: Provider::GitLab,
        kind: Kind::Job,
        project: gitlab_project(p),
        id: id(index, p, "build_id")?,
        pipeline_id: p.get("pipeline_id").and_then(Value::as_u64),
        attempt: 1,
        name: text(p, "build_name").unwrap_or_default(),
        outcome: gitlab_status(index, &status)?,
        git_ref: text(p, "ref").filter(|r| !r.is_empty()),
        queued_at: time(index, p, "build_created_at")?,
        started_at: time(index, p, "build_started_at")?,
        finished_at: time(index, p, "build_finished_at")?,
    })
}

/// `project.path_with_namespace`, else the numeric `project_id`, else empty.
fn gitlab_project(p: &Value) -> String {
    p.get("project")
        .and_then(|o| text(o, "path_with_namespace"))
        .filter(|s| !s.is_empty())
        .or_else(|| {
            p.get("project_id")
                .and_then(Value::as_u64)
                .map(|n| n.to_string())
        })
        .unwrap_or_default()
}

fn github(
    index: usize,
    payload: &Value,
    v: &Value,
    kind: Kind,
) -> Result<PipelineEvent, EventError> {
    let status = text(v, "status").ok_or(EventError::Field {
        index,
        field: "status",
        expected: "a string",
    })?;
    let outcome = match status.as_str() {
        "requested" | "queued" | "waiting" | "pending" => Outcome::Queued,
        "in_progress" => Outcome::Running,
        "completed" => match text(v, "conclusion").as_deref() {
            Some("success") => Outcome::Success,
            Some("failure" | "timed_out" | "startup_failure") => Outcome::Failed,
            Some("cancelled") => Outcome::Canceled,
            Some("skipped" | "neutral" | "stale" | "action_required") => Outcome::Skipped,
            other => {
                return Err(EventError::Status {
                    index,
                    provider: Provider::GitHub,
                    found: format!("completed/{}", other.unwrap_or("null")),
                });
            }
        },
        other => {
            return Err(EventError::Status {
                index,
                provider: Provider::GitHub,
                found: other.chars().take(64).collect(),
            });
        }
    };
    let (started, finished) = match kind {
        // A run has no completion time; its last update is when it completed.
        Kind::Pipeline => (
            time(index, v, "run_started_at")?,
            if outcome.finished() {
                time(index, v, "updated_at")?
            } else {
                None
            },
        ),
        Kind::Job => (
            time(index, v, "started_at")?,
            time(index, v, "completed_at")?,
        ),
    };
    Ok(PipelineEvent {
        provider: Provider::GitHub,
        kind,
        project: payload
            .get("repository")
            .and_then(|r| text(r, "full_name"))
            .unwrap_or_default(),
        id: id(index, v, "id")?,
        pipeline_id: match kind {
            Kind::Pipeline => None,
            Kind::Job => v.get("run_id").and_then(Value::as_u64),
        },
        attempt: v.get("run_attempt").and_then(Value::as_u64).unwrap_or(1),
        name: text(v, "name").unwrap_or_default(),
        outcome,
        git_ref: text(v, "head_branch").filter(|r| !r.is_empty()),
        queued_at: time(index, v, "created_at")?,
        started_at: started,
        finished_at: finished,
    })
}

/// The identity of a run or job: one row of the fleet store, one entry after [`latest`].
pub type EventKey = (Provider, Kind, String, u64, u64);

impl PipelineEvent {
    /// (provider, kind, project, id, attempt).
    pub fn key(&self) -> EventKey {
        (
            self.provider,
            self.kind,
            self.project.clone(),
            self.id,
            self.attempt,
        )
    }
}

/// One event per (provider, kind, project, id, attempt): the furthest state wins, and of
/// equals the later in `events` (webhooks are delivered once per state change). The fleet
/// store folds deliveries the same way when it stores them.
pub fn latest(events: Vec<PipelineEvent>) -> Vec<PipelineEvent> {
    let mut by: std::collections::BTreeMap<EventKey, PipelineEvent> =
        std::collections::BTreeMap::new();
    for e in events {
        let key = e.key();
        match by.get(&key) {
            Some(old) if old.outcome.progress() > e.outcome.progress() => {}
            _ => {
                by.insert(key, e);
            }
        }
    }
    by.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_times_are_read_as_utc() {
        assert_eq!(
            parse_time("2016-08-12 15:23:28 UTC").unwrap().to_string(),
            "2016-08-12T15:23:28Z"
        );
        assert_eq!(
            parse_time("2016-08-12 17:23:28 +0200").unwrap().to_string(),
            "2016-08-12T15:23:28Z"
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn names_round_trip() {
        for o in [
            Outcome::Queued,
            Outcome::Running,
            Outcome::Success,
            Outcome::Failed,
            Outcome::Canceled,
            Outcome::Skipped,
        ] {
            assert_eq!(Outcome::from_name(o.as_str()), Some(o));
            assert_eq!(
                serde_json::to_value(o).unwrap(),
                serde_json::Value::String(o.as_str().to_owned())
            );
        }
        for p in [Provider::GitLab, Provider::GitHub] {
            assert_eq!(Provider::from_name(p.as_str()), Some(p));
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::Value::String(p.as_str().to_owned())
            );
        }
        for k in [Kind::Pipeline, Kind::Job] {
            assert_eq!(Kind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(Outcome::from_name("pending"), None);
    }
}
