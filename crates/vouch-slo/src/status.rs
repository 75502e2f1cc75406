//! SLO status from pipeline events at a given time: success rate, queue-time percentile,
//! error budget left over the window, scan-failure rate, each against its objective.
//!
//! An event belongs to an SLO's window `(now - window, now]` by its finish time (pipeline
//! success, scan failure) or its start time (queue time). Canceled and skipped runs count
//! neither way. No event in the window is "not evaluated", never "met".

use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Serialize;

use crate::event::{Kind, Outcome, PipelineEvent};
use crate::spec::{EventIndicator, Slo};

/// The judgement of one SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Met,
    /// The objective is not met over the window.
    Breached,
    /// Met exactly, with nothing of the budget left.
    BudgetExhausted,
    /// Nothing to measure (no events in the window, or an SLO without an event indicator).
    NotEvaluated,
}

/// One SLO's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloStatus {
    pub name: String,
    /// `pipeline-success`, `queue-time`, `scan-failure`, or `none`.
    pub indicator: &'static str,
    pub target: f64,
    pub window: String,
    /// What was measured: success rate, the percentile's queue time in seconds, or the
    /// scan-failure rate.
    pub value: Option<f64>,
    /// What the value is held against (the target, the threshold in seconds, `1 - target`).
    pub objective: String,
    /// Events counted (pipelines or jobs in the window with a verdict).
    pub total: usize,
    /// Of those, the bad ones (failed, or queued longer than the threshold).
    pub bad: usize,
    /// `1 - bad / (budget × total)`: 1 untouched, 0 spent, below 0 overspent.
    pub budget_left: Option<f64>,
    pub verdict: Verdict,
    /// Why an SLO was not evaluated.
    pub reason: Option<String>,
}

/// Every SLO's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub now: Timestamp,
    /// Events read after keeping the furthest state of each run.
    pub events: usize,
    pub slos: Vec<SloStatus>,
}

impl Report {
    /// 0 every SLO met; 1 one breached or out of budget; 2 one could not be evaluated (the
    /// worst decides, as a check that did not run is never a pass).
    pub fn exit_code(&self) -> u8 {
        let mut code = 0;
        for s in &self.slos {
            code = code.max(match s.verdict {
                Verdict::Met => 0,
                Verdict::Breached | Verdict::BudgetExhausted => 1,
                Verdict::NotEvaluated => 2,
            });
        }
        code
    }
}

/// The earliest time an event can count for `slos` at `now`: the start of the longest window,
/// a second early (windows compare whole seconds). A store reads only events started or
/// finished since then.
pub fn window_start(slos: &[Slo], now: Timestamp) -> Timestamp {
    let longest = slos.iter().map(|s| s.window.seconds()).max().unwrap_or(0);
    let span = jiff::SignedDuration::from_secs(
        i64::try_from(longest)
            .unwrap_or(i64::MAX / 2)
            .saturating_add(1),
    );
    now.checked_sub(span).unwrap_or(Timestamp::MIN)
}

/// The status of `slos` over `events` (several deliveries of one run are folded with
/// [`crate::event::latest`]) at `now`.
pub fn evaluate(slos: &[Slo], events: Vec<PipelineEvent>, now: Timestamp) -> Report {
    let events = crate::event::latest(events);
    Report {
        now,
        events: events.len(),
        slos: slos.iter().map(|s| one(s, &events, now)).collect(),
    }
}

fn within(t: Option<Timestamp>, now: Timestamp, window_secs: u64) -> bool {
    let Some(t) = t else { return false };
    let age = now.as_second() - t.as_second();
    age >= 0 && age.unsigned_abs() < window_secs
}

#[expect(clippy::cast_precision_loss, reason = "event counts")]
fn one(slo: &Slo, events: &[PipelineEvent], now: Timestamp) -> SloStatus {
    let target = slo.target.to_f64();
    let budget = slo.budget().to_f64();
    let secs = slo.window.seconds();
    let mut status = SloStatus {
        name: slo.name.clone(),
        indicator: "none",
        target,
        window: slo.window.to_string(),
        value: None,
        objective: String::new(),
        total: 0,
        bad: 0,
        budget_left: None,
        verdict: Verdict::NotEvaluated,
        reason: None,
    };
    let Some(indicator) = &slo.events else {
        status.reason = Some("the SLO has no pipeline-event indicator (OpenSLO)".into());
        return status;
    };
    match indicator {
        EventIndicator::PipelineSuccess | EventIndicator::ScanFailure(_) => {
            let scan = matches!(indicator, EventIndicator::ScanFailure(_));
            let counted: Vec<&PipelineEvent> = events
                .iter()
                .filter(|e| match indicator {
                    EventIndicator::ScanFailure(p) => e.kind == Kind::Job && p.matches(&e.name),
                    _ => e.kind == Kind::Pipeline,
                })
                .filter(|e| matches!(e.outcome, Outcome::Success | Outcome::Failed))
                .filter(|e| within(e.finished_at, now, secs))
                .collect();
            status.indicator = if scan {
                "scan-failure"
            } else {
                "pipeline-success"
            };
            status.objective = if scan {
                format!("<= {}", round(budget))
            } else {
                format!(">= {}", slo.target)
            };
            status.total = counted.len();
            status.bad = counted
                .iter()
                .filter(|e| e.outcome == Outcome::Failed)
                .count();
            if status.total == 0 {
                status.reason = Some(format!(
                    "no finished {} in the {} window",
                    if scan { "scan jobs" } else { "pipelines" },
                    slo.window
                ));
                return status;
            }
            let failure = status.bad as f64 / status.total as f64;
            status.value = Some(round(if scan { failure } else { 1.0 - failure }));
        }
        EventIndicator::QueueTime(objective) => {
            status.indicator = "queue-time";
            let limit = objective.threshold.seconds.to_f64();
            status.objective = format!(
                "p{} <= {}s",
                round(objective.percentile.to_f64() * 100.0),
                objective.threshold.le()
            );
            let mut queues: Vec<f64> = events
                .iter()
                .filter(|e| e.kind == Kind::Job && within(e.started_at, now, secs))
                .filter_map(PipelineEvent::queue_seconds)
                .collect();
            queues.sort_by(f64::total_cmp);
            status.total = queues.len();
            status.bad = queues.iter().filter(|q| **q > limit).count();
            if queues.is_empty() {
                status.reason = Some(format!(
                    "no job started in the {} window with a queue time",
                    slo.window
                ));
                return status;
            }
            // Nearest rank: the smallest value with at least p of the values at or below it.
            let n = queues.len();
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "between 1 and n"
            )]
            let rank = ((objective.percentile.to_f64() * n as f64).ceil() as usize).clamp(1, n);
            status.value = Some(round(queues[rank - 1]));
        }
    }
    let allowed = budget * status.total as f64;
    let left = 1.0 - status.bad as f64 / allowed;
    status.budget_left = Some(round(left));
    let met = match indicator {
        EventIndicator::QueueTime(o) => {
            status.value.unwrap_or(f64::INFINITY) <= o.threshold.seconds.to_f64()
        }
        _ => status.bad as f64 <= allowed + 1e-9,
    };
    status.verdict = if !met {
        Verdict::Breached
    } else if left <= 1e-9 {
        Verdict::BudgetExhausted
    } else {
        Verdict::Met
    };
    status
}

/// Six decimals, so output does not depend on the last bits of a division.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The table `vouch slo status` prints.
pub fn render_table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<24} {:<16} {:>6} {:>12} {:>14} {:>8} {:>12}  VERDICT",
        "SLO", "INDICATOR", "WINDOW", "VALUE", "OBJECTIVE", "EVENTS", "BUDGET LEFT"
    );
    for s in &report.slos {
        let value = s.value.map_or_else(|| "-".to_owned(), |v| v.to_string());
        let left = s
            .budget_left
            .map_or_else(|| "-".to_owned(), |v| format!("{:.1}%", v * 100.0));
        let verdict = match s.verdict {
            Verdict::Met => "met".to_owned(),
            Verdict::Breached => "breached".to_owned(),
            Verdict::BudgetExhausted => "budget exhausted".to_owned(),
            Verdict::NotEvaluated => format!(
                "not evaluated: {}",
                s.reason.as_deref().unwrap_or("no events")
            ),
        };
        let _ = writeln!(
            out,
            "{:<24} {:<16} {:>6} {:>12} {:>14} {:>8} {:>12}  {}",
            s.name,
            s.indicator,
            s.window,
            value,
            s.objective,
            format!("{}/{}", s.bad, s.total),
            left,
            verdict
        );
    }
    out
}
