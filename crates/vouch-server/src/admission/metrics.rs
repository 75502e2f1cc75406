//! `/metrics`: Prometheus (OpenMetrics text) through `prometheus-client`.

use std::collections::HashSet;
use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::{Endpoint, Verdict};

/// What `/metrics` answers a scraper that asks for OpenMetrics (Prometheus does).
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// What `/metrics` answers anyone else (`curl`, `promtool check metrics`): the classic
/// Prometheus text format.
pub const CLASSIC: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Distinct reason codes counted under their own label; any beyond are counted as `other`, so
/// a library that put free text in a code could not grow the metrics without bound.
const MAX_REASONS: usize = 256;

/// Latency buckets, in seconds: a cached decision takes well under a millisecond, a cold one
/// tens of milliseconds, and the deadline is seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    endpoint: String,
    verdict: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: String,
}

pub struct Metrics {
    registry: Registry,
    decisions: Family<DecisionLabels, Counter>,
    reasons: Family<ReasonLabels, Counter>,
    duration: Family<EndpointLabels, Histogram, fn() -> Histogram>,
    cache_hits: Counter,
    registry_errors: Counter,
    bad_requests: Family<EndpointLabels, Counter>,
    seen_reasons: Mutex<HashSet<String>>,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("vouch_admission");
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "decisions",
            "Admission decisions answered, by endpoint and verdict",
            decisions.clone(),
        );
        let reasons = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "reasons",
            "Reason codes of admission decisions (one decision can count several)",
            reasons.clone(),
        );
        let duration =
            Family::<EndpointLabels, Histogram, fn() -> Histogram>::new_with_constructor(|| {
                Histogram::new(BUCKETS)
            });
        registry.register_with_unit(
            "duration",
            "Time from the request to its answer",
            prometheus_client::registry::Unit::Seconds,
            duration.clone(),
        );
        let cache_hits = Counter::default();
        registry.register(
            "cache_hits",
            "Decisions served from the verification cache",
            cache_hits.clone(),
        );
        let registry_errors = Counter::default();
        registry.register(
            "registry_errors",
            "Registry requests that failed while deciding",
            registry_errors.clone(),
        );
        let bad_requests = Family::<EndpointLabels, Counter>::default();
        registry.register(
            "bad_requests",
            "Requests refused before a decision (not JSON, not an AdmissionReview v1, too large)",
            bad_requests.clone(),
        );
        Metrics {
            registry,
            decisions,
            reasons,
            duration,
            cache_hits,
            registry_errors,
            bad_requests,
            seen_reasons: Mutex::new(HashSet::new()),
        }
    }

    pub fn decision(&self, endpoint: Endpoint, verdict: Verdict, reasons: &[String], seconds: f64) {
        self.decisions
            .get_or_create(&DecisionLabels {
                endpoint: endpoint.as_str().to_owned(),
                verdict: verdict.as_str().to_owned(),
            })
            .inc();
        for reason in reasons {
            let label = self.reason_label(reason);
            self.reasons
                .get_or_create(&ReasonLabels { reason: label })
                .inc();
        }
        self.duration
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.as_str().to_owned(),
            })
            .observe(seconds);
    }

    fn reason_label(&self, reason: &str) -> String {
        let Ok(mut seen) = self.seen_reasons.lock() else {
            return "other".to_owned();
        };
        if seen.contains(reason) {
            return reason.to_owned();
        }
        if seen.len() < MAX_REASONS {
            seen.insert(reason.to_owned());
            return reason.to_owned();
        }
        "other".to_owned()
    }

    pub fn usage(&self, cache_hits: u32, registry_errors: u32) {
        self.cache_hits.inc_by(u64::from(cache_hits));
        self.registry_errors.inc_by(u64::from(registry_errors));
    }

    pub fn bad_request(&self, endpoint: Endpoint) {
        self.bad_requests
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.as_str().to_owned(),
            })
            .inc();
    }

    /// The metrics as OpenMetrics text, or (`openmetrics` false) as the classic Prometheus
    /// text format.
    pub fn encode(&self, openmetrics: bool) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(if openmetrics { text } else { classic(&text) })
    }
}

/// Whether an `Accept` header asks for OpenMetrics.
pub fn wants_openmetrics(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| accept.contains("application/openmetrics-text"))
}

/// prometheus-client writes OpenMetrics only. The classic text format differs in what
/// prometheus-client writes by three things: a counter family is named with its `_total`
/// suffix in `# HELP` and `# TYPE`, there is no `# UNIT` line and no `# EOF`. The samples are
/// the same lines.
fn classic(openmetrics: &str) -> String {
    let counters: HashSet<&str> = openmetrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.split_once(' '))
        .filter(|(_, kind)| *kind == "counter")
        .map(|(name, _)| name)
        .collect();
    let mut text = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let comment = ["# HELP ", "# TYPE "]
            .into_iter()
            .find_map(|prefix| Some((prefix, line.strip_prefix(prefix)?)));
        match comment.and_then(|(prefix, rest)| Some((prefix, rest.split_once(' ')?))) {
            Some((prefix, (name, tail))) if counters.contains(name) => {
                text.push_str(&format!("{prefix}{name}_total {tail}"));
            }
            _ => text.push_str(line),
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_text_names_counters_with_total_and_drops_unit_and_eof() {
        let openmetrics = "# HELP a_decisions Decisions.\n# TYPE a_decisions counter\na_decisions_total{v=\"x\"} 1\n# HELP a_duration_seconds Time.\n# TYPE a_duration_seconds histogram\n# UNIT a_duration_seconds seconds\na_duration_seconds_sum 0.5\n# EOF\n";
        assert_eq!(
            classic(openmetrics),
            "# HELP a_decisions_total Decisions.\n# TYPE a_decisions_total counter\na_decisions_total{v=\"x\"} 1\n# HELP a_duration_seconds Time.\n# TYPE a_duration_seconds histogram\na_duration_seconds_sum 0.5\n"
        );
    }

    #[test]
    fn openmetrics_is_for_scrapers_that_ask() {
        assert!(wants_openmetrics(Some(
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
        )));
        assert!(!wants_openmetrics(Some("*/*")));
        assert!(!wants_openmetrics(None));
    }
}
