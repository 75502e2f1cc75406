//! Prometheus recording rules and multi-window multi-burn-rate alerts for validated SLOs.
//!
//! Per SLO, three groups (the layout sloth writes, with vouch's labels):
//! - `…-sli-recordings`: `slo:sli_error:ratio_rate<W>` for the eight windows the alerts read
//!   (5m, 30m, 1h, 2h, 6h, 1d, 3d) and the SLO window, the last as the mean of the 5m ratio;
//! - `…-meta-recordings`: objective, error budget, period in days, current and period burn
//!   rates, budget remaining;
//! - `…-alerts`: `SLOErrorBudgetBurn` with `severity: page` (1h/5m at 2 % of the budget,
//!   6h/30m at 5 %) and `severity: ticket` (1d/2h at 10 %, 3d/6h at 10 %); the burn factor is
//!   `budget share × SLO window / long window`: 14.4, 6, 3 and 1 for 30 days, as the SRE
//!   workbook gives and as sloth scales them to other windows.
//!
//! The text is written here, not serialised, so it can carry comments (the bucket a latency
//! objective needs) and is byte-for-byte deterministic: SLOs sorted by service and name,
//! labels sorted, numbers exact.

use std::fmt::Write as _;

use crate::number::Duration;
use crate::spec::{Indicator, Slo};

/// Page or ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Page,
    Ticket,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::Ticket => "ticket",
        }
    }
}

/// One window pair of the multi-window multi-burn-rate alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertWindow {
    pub severity: Severity,
    pub long: Duration,
    pub short: Duration,
    /// Share of the whole error budget spent within `long` that fires the alert, in percent.
    pub budget_percent: u64,
}

const fn window(severity: Severity, long: u64, short: u64, budget_percent: u64) -> AlertWindow {
    AlertWindow {
        severity,
        long: Duration::from_seconds(long),
        short: Duration::from_seconds(short),
        budget_percent,
    }
}

/// The SRE workbook's four window pairs (chapter 5, "Alerting on SLOs", table 5-8), as sloth's
/// `google-30d` windows.
pub const ALERT_WINDOWS: [AlertWindow; 4] = [
    window(Severity::Page, 3600, 300, 2),
    window(Severity::Page, 6 * 3600, 30 * 60, 5),
    window(Severity::Ticket, 86_400, 2 * 3600, 10),
    window(Severity::Ticket, 3 * 86_400, 6 * 3600, 10),
];

impl AlertWindow {
    /// How many times faster than "exactly the budget over the SLO window" the error ratio must
    /// be to spend `budget_percent` of the budget in `long`.
    #[expect(
        clippy::cast_precision_loss,
        reason = "seconds below 2^53, one division"
    )]
    pub fn factor(&self, period: Duration) -> f64 {
        (self.budget_percent * period.seconds()) as f64 / (100 * self.long.seconds()) as f64
    }
}

/// The windows recorded for every SLO (short and long windows of the alerts).
pub fn recorded_windows() -> Vec<Duration> {
    let mut w: Vec<Duration> = ALERT_WINDOWS
        .iter()
        .flat_map(|a| [a.short, a.long])
        .collect();
    w.sort();
    w.dedup();
    w
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// Writes a block scalar: `key: |` and each line indented.
fn block(out: &mut String, indent: &str, key: &str, text: &str) {
    let _ = writeln!(out, "{indent}{key}: |");
    for line in text.lines() {
        let _ = writeln!(out, "{indent}  {}", line.trim_end());
    }
}

fn labels(out: &mut String, indent: &str, pairs: &[(String, String)]) {
    let mut pairs = pairs.to_vec();
    pairs.sort();
    pairs.dedup_by(|a, b| a.0 == b.0);
    let _ = writeln!(out, "{indent}labels:");
    for (k, v) in pairs {
        let _ = writeln!(out, "{indent}  {k}: {}", quote(&v));
    }
}

/// The label selector of an SLO's recorded series.
fn selector(slo: &Slo) -> String {
    format!(
        "{{vouch_service={}, vouch_slo={}}}",
        quote(&slo.service),
        quote(&slo.name)
    )
}

/// The error ratio over `w`, as PromQL.
pub fn error_ratio(slo: &Slo, w: Duration) -> String {
    match &slo.indicator {
        Indicator::Errors { errors, total } => {
            format!("({})\n/\n({})", errors.at(w).trim(), total.at(w).trim())
        }
        Indicator::Good { good, total } => {
            format!(
                "1 - (\n({})\n/\n({})\n)",
                good.at(w).trim(),
                total.at(w).trim()
            )
        }
        Indicator::Raw { query, success } => {
            if *success {
                format!("1 - ({})", query.at(w).trim())
            } else {
                format!("({})", query.at(w).trim())
            }
        }
        Indicator::Threshold {
            query,
            op,
            value,
            slice,
        } => format!(
            "1 - avg_over_time(\n(\n({}) {op} bool {value}\n)[{w}:{slice}]\n)",
            query.trim()
        ),
        Indicator::Latency {
            histogram,
            matchers,
            objective,
        } => {
            let le = format!("le={}", quote(&objective.threshold.le()));
            let bucket = if matchers.is_empty() {
                le
            } else {
                format!("{matchers}, {le}")
            };
            format!(
                "1 - (\nsum(rate({histogram}_bucket{{{bucket}}}[{w}]))\n/\nsum(rate({histogram}_count{{{matchers}}}[{w}]))\n)"
            )
        }
    }
}

/// The rules file for these SLOs (already sorted by [`crate::load`]).
pub fn render(slos: &[Slo]) -> String {
    let mut out = String::new();
    out.push_str(
        "# Generated by `vouch slo rules`: recording rules and multi-window multi-burn-rate\n",
    );
    out.push_str(
        "# alerts (page: 1h/5m at 2% and 6h/30m at 5% of the error budget; ticket: 1d/2h and\n",
    );
    out.push_str("# 3d/6h at 10%). Do not edit; regenerate from the SLO file.\n");
    out.push_str("groups:\n");
    for slo in slos {
        render_slo(&mut out, slo);
    }
    out
}

fn base_labels(slo: &Slo) -> Vec<(String, String)> {
    let mut l: Vec<(String, String)> = slo
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    l.push(("vouch_service".into(), slo.service.clone()));
    l.push(("vouch_slo".into(), slo.name.clone()));
    l
}

fn render_slo(out: &mut String, slo: &Slo) {
    let id = format!("{}-{}", slo.service, slo.name);
    let sel = selector(slo);
    let period = slo.window;
    let budget = slo.budget();
    let _ = writeln!(out, "- name: vouch-slo-sli-recordings-{id}");
    if let Indicator::Latency {
        histogram,
        objective,
        ..
    } = &slo.indicator
    {
        let _ = writeln!(
            out,
            "  # Latency objective `{}`: these rules read the histogram bucket le=\"{}\" of\n  # {histogram}_bucket. The histogram must have a bucket at exactly {}s, or there is\n  # no series to read and the SLO is not measured.",
            objective.written,
            objective.threshold.le(),
            objective.threshold.le()
        );
    }
    out.push_str("  rules:\n");
    for w in recorded_windows() {
        let _ = writeln!(out, "  - record: slo:sli_error:ratio_rate{w}");
        block(out, "    ", "expr", &error_ratio(slo, w));
        let mut l = base_labels(slo);
        l.push(("vouch_window".into(), w.to_string()));
        labels(out, "    ", &l);
    }
    let _ = writeln!(out, "  - record: slo:sli_error:ratio_rate{period}");
    block(
        out,
        "    ",
        "expr",
        &format!(
            "sum_over_time(slo:sli_error:ratio_rate5m{sel}[{period}])\n/ ignoring (vouch_window)\ncount_over_time(slo:sli_error:ratio_rate5m{sel}[{period}])"
        ),
    );
    let mut l = base_labels(slo);
    l.push(("vouch_window".into(), period.to_string()));
    labels(out, "    ", &l);

    let _ = writeln!(out, "- name: vouch-slo-meta-recordings-{id}");
    out.push_str("  rules:\n");
    #[expect(clippy::cast_precision_loss, reason = "seconds below 2^53")]
    let days = period.seconds() as f64 / 86_400.0;
    let meta = [
        ("slo:objective:ratio", format!("vector({})", slo.target)),
        ("slo:error_budget:ratio", format!("vector({budget})")),
        ("slo:time_period:days", format!("vector({days})")),
        (
            "slo:current_burn_rate:ratio",
            format!(
                "slo:sli_error:ratio_rate5m{sel}\n/ on (vouch_service, vouch_slo) group_left\nslo:error_budget:ratio{sel}"
            ),
        ),
        (
            "slo:period_burn_rate:ratio",
            format!(
                "slo:sli_error:ratio_rate{period}{sel}\n/ on (vouch_service, vouch_slo) group_left\nslo:error_budget:ratio{sel}"
            ),
        ),
        (
            "slo:period_error_budget_remaining:ratio",
            format!("1 - slo:period_burn_rate:ratio{sel}"),
        ),
    ];
    for (record, expr) in meta {
        let _ = writeln!(out, "  - record: {record}");
        block(out, "    ", "expr", &expr);
        labels(out, "    ", &base_labels(slo));
    }

    let _ = writeln!(out, "- name: vouch-slo-alerts-{id}");
    out.push_str("  rules:\n");
    for severity in [Severity::Page, Severity::Ticket] {
        let pairs: Vec<&AlertWindow> = ALERT_WINDOWS
            .iter()
            .filter(|a| a.severity == severity)
            .collect();
        let mut expr = String::new();
        let mut factors = Vec::new();
        for (i, a) in pairs.iter().enumerate() {
            if i > 0 {
                expr.push_str("or\n");
            }
            let f = a.factor(period);
            factors.push(format!("{f}x over {}/{}", a.long, a.short));
            let _ = write!(
                expr,
                "(\n    max(slo:sli_error:ratio_rate{s}{sel} > ({f} * {budget})) without (vouch_window)\n    and\n    max(slo:sli_error:ratio_rate{l}{sel} > ({f} * {budget})) without (vouch_window)\n)\n",
                s = a.short,
                l = a.long
            );
        }
        out.push_str("  - alert: SLOErrorBudgetBurn\n");
        block(out, "    ", "expr", &expr);
        let mut l = base_labels(slo);
        l.push(("severity".into(), severity.as_str().into()));
        labels(out, "    ", &l);
        out.push_str("    annotations:\n");
        let _ = writeln!(
            out,
            "      summary: {}",
            quote(&format!(
                "SLO {} of {} is burning its error budget too fast ({})",
                slo.name,
                slo.service,
                severity.as_str()
            ))
        );
        let _ = writeln!(
            out,
            "      description: {}",
            quote(&format!(
                "error ratio above {} the budget of {} (target {} over {}){}",
                factors.join(" or "),
                budget,
                slo.target,
                period,
                slo.description
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            ))
        );
    }
}
