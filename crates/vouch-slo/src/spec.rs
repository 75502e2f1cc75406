//! The validated SLO model both input formats load into, and the seed format's loader.
//!
//! The seed format (docs/slo.md has the full schema):
//!
//! ```yaml
//! service: delivery            # optional, default `vouch`
//! labels: {team: platform}     # optional, added to every rule
//! slos:
//!   - name: pipeline-success
//!     target: 99%              # or a ratio 0.99
//!     window: 30d
//!     indicator:
//!       kind: pipeline-success # pipeline-success | queue-time | scan-failure
//!       errors: sum(rate(ci_pipelines_total{status="failed"}[{{.window}}]))
//!       total: sum(rate(ci_pipelines_total[{{.window}}]))
//!   - name: queue-time
//!     target: 95%
//!     window: 7d
//!     objective: p95 <= 120s
//!     indicator:
//!       kind: queue-time
//!       histogram: ci_job_queue_duration_seconds
//!       selector: '{project="acme/api"}'
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::number::{Bucket, BucketFault, Decimal, Duration};

/// The longest alert window (the ticket alert's 3 days): a shorter SLO window cannot be judged
/// by it.
pub const LONGEST_ALERT_WINDOW: Duration = Duration::from_seconds(3 * 86_400);

/// Most SLOs one file may hold.
pub const MAX_SLOS: usize = 1000;

/// The placeholder a PromQL query carries where the rate window goes (sloth's convention).
pub const WINDOW_PLACEHOLDER: &str = "{{.window}}";

/// Which format an SLO was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// vouch's seed format (`slos:`).
    Seed,
    /// OpenSLO v1 (`apiVersion: openslo/v1`, `kind: SLO`).
    OpenSlo,
}

/// One validated SLO.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    pub name: String,
    pub service: String,
    pub description: Option<String>,
    /// The target ratio, `0 < target < 1`.
    pub target: Decimal,
    /// The SLO window (rolling).
    pub window: Duration,
    pub indicator: Indicator,
    /// What `vouch slo status` measures from pipeline events; `None` for OpenSLO SLOs.
    pub events: Option<EventIndicator>,
    /// Labels added to every generated rule (file labels, then the SLO's own).
    pub labels: BTreeMap<String, String>,
    pub format: Format,
}

impl Slo {
    /// The error budget, `1 - target`.
    pub fn budget(&self) -> Decimal {
        self.target.one_minus().unwrap_or(self.target)
    }
}

/// A PromQL query with the `{{.window}}` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query(String);

impl Query {
    /// The query with its window filled in.
    pub fn at(&self, window: Duration) -> String {
        self.0
            .replace("{{ .window }}", &window.to_string())
            .replace(WINDOW_PLACEHOLDER, &window.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How the error ratio is measured in Prometheus.
#[derive(Debug, Clone, PartialEq)]
pub enum Indicator {
    /// `errors / total`.
    Errors { errors: Query, total: Query },
    /// `1 - good / total`.
    Good { good: Query, total: Query },
    /// A query that is itself the error ratio (OpenSLO `rawType: failure`) or the success
    /// ratio (`rawType: success`).
    Raw { query: Query, success: bool },
    /// OpenSLO `thresholdMetric` under `Timeslices`: the share of `slice`-long slices whose
    /// value does not meet `op value` is the error ratio.
    Threshold {
        query: String,
        /// `<`, `<=`, `>`, `>=`.
        op: &'static str,
        value: String,
        slice: Duration,
    },
    /// A latency objective over a classic histogram: good events are those in the bucket
    /// `le=<threshold>`.
    Latency {
        histogram: String,
        /// Label matchers without braces (`project="acme/api"`), possibly empty.
        matchers: String,
        objective: Objective,
    },
}

/// `pNN <= THRESHOLD`.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// The percentile as a ratio (`p95` → 0.95).
    pub percentile: Decimal,
    pub threshold: Bucket,
    /// What the spec said.
    pub written: String,
}

/// What `vouch slo status` computes for an SLO from pipeline events.
#[derive(Debug, Clone, PartialEq)]
pub enum EventIndicator {
    /// Finished pipelines (GitLab pipelines, GitHub workflow runs) that succeeded.
    PipelineSuccess,
    /// Jobs' queue time (`started_at - queued_at`) against the objective.
    QueueTime(Objective),
    /// Finished jobs whose name matches one of the patterns, and failed.
    ScanFailure(JobPatterns),
}

/// Glob patterns over job names (`vouch*`, `*scan*`), matched case-sensitively.
#[derive(Debug, Clone)]
pub struct JobPatterns {
    pub written: Vec<String>,
    set: globset::GlobSet,
}

impl PartialEq for JobPatterns {
    fn eq(&self, other: &Self) -> bool {
        self.written == other.written
    }
}

impl JobPatterns {
    pub fn matches(&self, name: &str) -> bool {
        self.set.is_match(name)
    }
}

/// Why an SLO file could not be loaded. Each names the SLO and says what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    #[error("not an SLO file: {0}")]
    Yaml(#[source] vouch_yaml::Error),
    #[error("not an SLO file: {0}")]
    YamlDocuments(#[source] vouch_yaml::YamlError),
    #[error("the file defines no SLO")]
    Empty,
    #[error("the file defines {found} SLOs, more than the limit of {limit}")]
    TooMany { found: usize, limit: usize },
    #[error("slo `{name}` is defined twice")]
    Duplicate { name: String },
    #[error(
        "slo name `{name}` is not usable: expected letters, digits, `-`, `_` or `.`, 1 to 128 characters"
    )]
    Name { name: String },
    #[error(
        "slo `{slo}`: target `{found}` is out of range: expected a ratio between 0 and 1 exclusive (`0.995`) or a percentage between 0 and 100 exclusive (`99.5%`)"
    )]
    Target { slo: String, found: String },
    #[error(
        "slo `{slo}`: window `{found}` is not a duration: expected a whole number and one unit of s, m, h, d, w, at most 366 days (`30d`)"
    )]
    Window { slo: String, found: String },
    #[error(
        "slo `{slo}`: window `{window}` is shorter than the longest alert window (3d), so the ticket alert could not judge it"
    )]
    WindowTooShort { slo: String, window: Duration },
    #[error(
        "slo `{slo}`: indicator kind `{found}` is unknown: expected pipeline-success, queue-time or scan-failure"
    )]
    Kind { slo: String, found: String },
    #[error("slo `{slo}`: indicator kind `{kind}` needs `{field}`")]
    Missing {
        slo: String,
        kind: String,
        field: &'static str,
    },
    #[error("slo `{slo}`: `{field}` does not apply to indicator kind `{kind}`")]
    NotApplicable {
        slo: String,
        kind: String,
        field: &'static str,
    },
    #[error("slo `{slo}`: give either `errors` or `good` with `total`, not both")]
    ErrorsAndGood { slo: String },
    #[error(
        "slo `{slo}`: objective `{found}` is not understood: expected `pNN <= THRESHOLD` (`p95 <= 120s`; units ms, s, m, h)"
    )]
    Objective { slo: String, found: String },
    #[error(
        "slo `{slo}`: objective `{found}` uses `<`; a histogram bucket counts events at or below its bound, so only `<=` can be measured"
    )]
    StrictBound { slo: String, found: String },
    #[error(
        "slo `{slo}`: objective `{objective}` says {percentile} of events but the target is {target}: give the same ratio"
    )]
    PercentileMismatch {
        slo: String,
        objective: String,
        percentile: Decimal,
        target: Decimal,
    },
    #[error(
        "slo `{slo}`: latency threshold `{threshold}` is not a histogram bucket boundary: {reason}"
    )]
    NotABucket {
        slo: String,
        threshold: String,
        reason: String,
    },
    #[error(
        "slo `{slo}`: histogram `{found}` is not a metric name: expected the name without `_bucket`, letters, digits, `_` and `:`"
    )]
    Histogram { slo: String, found: String },
    #[error(
        "slo `{slo}`: selector `{found}` is not a label selector: expected `{{name=\"value\", ...}}`"
    )]
    Selector { slo: String, found: String },
    #[error(
        "slo `{slo}`: selector `{found}` sets `le`: the rules take the bucket from the objective"
    )]
    SelectorLe { slo: String, found: String },
    #[error(
        "slo `{slo}`: query `{query}` has no `{{{{.window}}}}` placeholder where the rate window goes"
    )]
    NoWindow { slo: String, query: String },
    #[error("slo `{slo}`: job pattern `{pattern}` is not a glob: {reason}")]
    Pattern {
        slo: String,
        pattern: String,
        reason: String,
    },
    #[error(
        "label `{name}` is not a Prometheus label name: expected letters, digits and `_`, not starting with a digit or `__`"
    )]
    Label { name: String },
    #[error(
        "label `{name}` is reserved: the generated rules set `severity` and the `vouch_` labels themselves"
    )]
    ReservedLabel { name: String },
    #[error("{0}")]
    OpenSlo(#[from] crate::openslo::OpenSloError),
}

/// Loads an SLO file: OpenSLO v1 when a document has `apiVersion`, the seed format otherwise.
pub fn load(text: &str) -> Result<Vec<Slo>, SpecError> {
    let documents = vouch_yaml::load_all(text).map_err(SpecError::YamlDocuments)?;
    let openslo = documents.iter().any(|d| match d {
        serde_json::Value::Object(m) => m.contains_key("apiVersion"),
        serde_json::Value::Array(items) => items
            .iter()
            .any(|i| i.as_object().is_some_and(|m| m.contains_key("apiVersion"))),
        _ => false,
    });
    let mut slos = if openslo {
        crate::openslo::load(&documents)?
    } else {
        load_seed(text)?
    };
    if slos.is_empty() {
        return Err(SpecError::Empty);
    }
    if slos.len() > MAX_SLOS {
        return Err(SpecError::TooMany {
            found: slos.len(),
            limit: MAX_SLOS,
        });
    }
    slos.sort_by(|a, b| (&a.service, &a.name).cmp(&(&b.service, &b.name)));
    let mut seen = BTreeSet::new();
    for slo in &slos {
        if !seen.insert(&slo.name) {
            return Err(SpecError::Duplicate {
                name: slo.name.clone(),
            });
        }
    }
    Ok(slos)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    slos: Vec<SeedSlo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedSlo {
    name: String,
    #[serde(default)]
    description: Option<String>,
    target: Number,
    window: String,
    indicator: SeedIndicator,
    #[serde(default)]
    objective: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Number {
    Float(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedIndicator {
    kind: String,
    #[serde(default)]
    errors: Option<String>,
    #[serde(default)]
    good: Option<String>,
    #[serde(default)]
    total: Option<String>,
    #[serde(default)]
    histogram: Option<String>,
    #[serde(default)]
    selector: Option<String>,
    #[serde(default)]
    jobs: Option<Vec<String>>,
}

fn load_seed(text: &str) -> Result<Vec<Slo>, SpecError> {
    let file: SeedFile = vouch_yaml::from_str(text).map_err(SpecError::Yaml)?;
    if file.slos.len() > MAX_SLOS {
        return Err(SpecError::TooMany {
            found: file.slos.len(),
            limit: MAX_SLOS,
        });
    }
    let service = file.service.unwrap_or_else(|| "vouch".to_owned());
    check_name(&service)?;
    for name in file.labels.keys() {
        check_label(name)?;
    }
    file.slos
        .into_iter()
        .map(|raw| seed_slo(raw, &service, &file.labels))
        .collect()
}

fn seed_slo(
    raw: SeedSlo,
    service: &str,
    file_labels: &BTreeMap<String, String>,
) -> Result<Slo, SpecError> {
    let slo = raw.name.clone();
    check_name(&slo)?;
    let target = target(&slo, &raw.target)?;
    let window = window(&slo, &raw.window)?;
    let mut labels = file_labels.clone();
    for (k, v) in raw.labels {
        check_label(&k)?;
        labels.insert(k, v);
    }
    let ind = raw.indicator;
    let kind = ind.kind.as_str();
    let not = |field: &'static str, present: bool| {
        if present {
            Err(SpecError::NotApplicable {
                slo: slo.clone(),
                kind: kind.to_owned(),
                field,
            })
        } else {
            Ok(())
        }
    };
    let need = |field: &'static str, v: Option<String>| {
        v.ok_or_else(|| SpecError::Missing {
            slo: slo.clone(),
            kind: kind.to_owned(),
            field,
        })
    };
    let (indicator, events) = match kind {
        "pipeline-success" | "scan-failure" => {
            not("objective", raw.objective.is_some())?;
            not("histogram", ind.histogram.is_some())?;
            not("selector", ind.selector.is_some())?;
            let events = if kind == "scan-failure" {
                let jobs = ind.jobs.ok_or_else(|| SpecError::Missing {
                    slo: slo.clone(),
                    kind: kind.to_owned(),
                    field: "jobs",
                })?;
                EventIndicator::ScanFailure(patterns(&slo, jobs)?)
            } else {
                not("jobs", ind.jobs.is_some())?;
                EventIndicator::PipelineSuccess
            };
            let total = query(&slo, need("total", ind.total)?)?;
            let indicator = match (ind.errors, ind.good) {
                (Some(_), Some(_)) => return Err(SpecError::ErrorsAndGood { slo }),
                (Some(e), None) => Indicator::Errors {
                    errors: query(&slo, e)?,
                    total,
                },
                (None, Some(g)) => Indicator::Good {
                    good: query(&slo, g)?,
                    total,
                },
                (None, None) => {
                    return Err(SpecError::Missing {
                        slo,
                        kind: kind.to_owned(),
                        field: "errors",
                    });
                }
            };
            (indicator, events)
        }
        "queue-time" => {
            for (field, present) in [
                ("errors", ind.errors.is_some()),
                ("good", ind.good.is_some()),
                ("total", ind.total.is_some()),
                ("jobs", ind.jobs.is_some()),
            ] {
                not(field, present)?;
            }
            let written = need("objective", raw.objective)?;
            let objective = objective(&slo, &written, target)?;
            let histogram = need("histogram", ind.histogram)?;
            if histogram.is_empty()
                || histogram.ends_with("_bucket")
                || histogram.starts_with(|c: char| c.is_ascii_digit())
                || !histogram
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            {
                return Err(SpecError::Histogram {
                    slo,
                    found: histogram,
                });
            }
            let matchers = match ind.selector {
                None => String::new(),
                Some(s) => selector(&slo, &s)?,
            };
            (
                Indicator::Latency {
                    histogram,
                    matchers,
                    objective: objective.clone(),
                },
                EventIndicator::QueueTime(objective),
            )
        }
        _ => {
            return Err(SpecError::Kind {
                slo,
                found: ind.kind,
            });
        }
    };
    Ok(Slo {
        name: raw.name,
        service: service.to_owned(),
        description: raw.description,
        target,
        window,
        indicator,
        events: Some(events),
        labels,
        format: Format::Seed,
    })
}

pub(crate) fn check_name(name: &str) -> Result<(), SpecError> {
    if name.is_empty()
        || name.len() > 128
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(SpecError::Name {
            name: name.to_owned(),
        });
    }
    Ok(())
}

pub(crate) fn check_label(name: &str) -> Result<(), SpecError> {
    if name == "severity" || name.starts_with("vouch_") {
        return Err(SpecError::ReservedLabel {
            name: name.to_owned(),
        });
    }
    if name.is_empty()
        || name.starts_with("__")
        || name.starts_with(|c: char| c.is_ascii_digit())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(SpecError::Label {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// `0.99`, `99%`, `"99.5%"`: a ratio strictly between 0 and 1.
pub(crate) fn target(slo: &str, raw: &Number) -> Result<Decimal, SpecError> {
    let (text, percent) = match raw {
        Number::Float(f) => (f.to_string(), false),
        Number::Text(t) => match t.trim().strip_suffix('%') {
            Some(p) => (p.trim().to_owned(), true),
            None => (t.trim().to_owned(), false),
        },
    };
    let written = match raw {
        Number::Float(f) => f.to_string(),
        Number::Text(t) => t.clone(),
    };
    let bad = || SpecError::Target {
        slo: slo.to_owned(),
        found: written.clone(),
    };
    let value = Decimal::parse(&text).ok_or_else(bad)?;
    let ratio = if percent {
        value.shifted_down(2)
    } else {
        value
    };
    if ratio.is_zero() || !ratio.below_one() {
        return Err(bad());
    }
    Ok(ratio)
}

pub(crate) fn window(slo: &str, text: &str) -> Result<Duration, SpecError> {
    let w = Duration::parse(text.trim()).ok_or_else(|| SpecError::Window {
        slo: slo.to_owned(),
        found: text.to_owned(),
    })?;
    if w < LONGEST_ALERT_WINDOW {
        return Err(SpecError::WindowTooShort {
            slo: slo.to_owned(),
            window: w,
        });
    }
    Ok(w)
}

pub(crate) fn query(slo: &str, text: String) -> Result<Query, SpecError> {
    let text = text.trim().to_owned();
    if !text.contains(WINDOW_PLACEHOLDER) && !text.contains("{{ .window }}") {
        return Err(SpecError::NoWindow {
            slo: slo.to_owned(),
            query: text,
        });
    }
    Ok(Query(text))
}

fn selector(slo: &str, text: &str) -> Result<String, SpecError> {
    let t = text.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .filter(|i| !i.contains(['{', '}', '\n']))
        .ok_or_else(|| SpecError::Selector {
            slo: slo.to_owned(),
            found: text.to_owned(),
        })?;
    if matcher_names(inner).iter().any(|n| n == "le") {
        return Err(SpecError::SelectorLe {
            slo: slo.to_owned(),
            found: text.to_owned(),
        });
    }
    Ok(inner.trim().trim_end_matches(',').trim().to_owned())
}

/// The label names of a matcher list (`a="x", b=~"y"`): the identifier at the start of each
/// matcher, commas inside quoted values skipped.
fn matcher_names(inner: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut at_start = true;
    let mut in_quote: Option<char> = None;
    let mut escaped = false;
    let mut current = String::new();
    for c in inner.chars() {
        if let Some(q) = in_quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                in_quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => in_quote = Some(c),
            ',' => at_start = true,
            c if at_start && (c.is_ascii_alphanumeric() || c == '_') => current.push(c),
            c if at_start && c.is_whitespace() && current.is_empty() => {}
            _ => {
                if at_start && !current.is_empty() {
                    names.push(std::mem::take(&mut current));
                }
                at_start = false;
            }
        }
    }
    names
}

fn patterns(slo: &str, written: Vec<String>) -> Result<JobPatterns, SpecError> {
    let mut builder = globset::GlobSetBuilder::new();
    if written.is_empty() {
        return Err(SpecError::Missing {
            slo: slo.to_owned(),
            kind: "scan-failure".into(),
            field: "jobs",
        });
    }
    for p in &written {
        let glob = globset::GlobBuilder::new(p)
            .literal_separator(false)
            .build()
            .map_err(|e| SpecError::Pattern {
                slo: slo.to_owned(),
                pattern: p.clone(),
                reason: e.kind().to_string(),
            })?;
        builder.add(glob);
    }
    let set = builder.build().map_err(|e| SpecError::Pattern {
        slo: slo.to_owned(),
        pattern: written.join(", "),
        reason: e.to_string(),
    })?;
    Ok(JobPatterns { written, set })
}

/// `p95 <= 120s`.
pub(crate) fn objective(slo: &str, written: &str, target: Decimal) -> Result<Objective, SpecError> {
    let bad = || SpecError::Objective {
        slo: slo.to_owned(),
        found: written.to_owned(),
    };
    let rest = written.trim().strip_prefix('p').ok_or_else(bad)?;
    let (pct, bound) = if let Some((p, b)) = rest.split_once("<=") {
        (p, b)
    } else if rest.contains('<') {
        return Err(SpecError::StrictBound {
            slo: slo.to_owned(),
            found: written.to_owned(),
        });
    } else {
        return Err(bad());
    };
    let pct = Decimal::parse(pct.trim()).ok_or_else(bad)?;
    let percentile = pct.shifted_down(2);
    if percentile.is_zero() || !percentile.below_one() {
        return Err(bad());
    }
    let bound = bound.trim();
    let threshold = Bucket::parse(bound).map_err(|fault| SpecError::NotABucket {
        slo: slo.to_owned(),
        threshold: bound.to_owned(),
        reason: match fault {
            BucketFault::Syntax => "expected a number and one unit of ms, s, m, h".to_owned(),
            BucketFault::Range => {
                "expected more than 0.0001s and less than 1000000s, where bucket bounds print without an exponent".to_owned()
            }
            BucketFault::NotExact { le } => format!(
                "a bucket bound is a double, and this one would be written le=\"{le}\""
            ),
        },
    })?;
    if percentile.cmp_exact(target).is_ne() {
        return Err(SpecError::PercentileMismatch {
            slo: slo.to_owned(),
            objective: written.to_owned(),
            percentile,
            target,
        });
    }
    Ok(Objective {
        percentile,
        threshold,
        written: written.trim().to_owned(),
    })
}
