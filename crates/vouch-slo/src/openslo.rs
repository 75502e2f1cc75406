//! OpenSLO v1 (`apiVersion: openslo/v1`): `SLO` documents with an inline `indicator` or an
//! `indicatorRef` to an `SLI` in the same file, whose `ratioMetric` (good/bad/total or raw) or
//! `thresholdMetric` has `type: Prometheus` metric sources. Other kinds (Service, DataSource,
//! AlertPolicy, …) are read past. What cannot be turned into rules exactly is refused by name:
//! other metric sources, calendar windows, ratio metrics under time slices (and threshold
//! metrics under occurrences), several objectives. A `thresholdMetric` under `Timeslices` is
//! the share of bad slices.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::spec::{self, Format, Indicator, Number, Query, Slo, SpecError};

/// Why an OpenSLO file could not be turned into SLOs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenSloError {
    #[error("document {index}: apiVersion `{found}` is not supported: expected openslo/v1")]
    ApiVersion { index: usize, found: String },
    #[error("document {index} ({kind}) is not OpenSLO v1: {reason}")]
    Shape {
        index: usize,
        kind: String,
        reason: String,
    },
    #[error("slo `{slo}`: indicatorRef `{name}` names no SLI in this file")]
    MissingSli { slo: String, name: String },
    #[error("slo `{slo}`: has neither `indicator` nor `indicatorRef`")]
    NoIndicator { slo: String },
    #[error("slo `{slo}`: metric source type `{found}` is not supported: expected Prometheus")]
    Source { slo: String, found: String },
    #[error("slo `{slo}`: the Prometheus metric source has no `spec.query`")]
    NoQuery { slo: String },
    #[error("slo `{slo}`: the indicator has neither ratioMetric nor thresholdMetric")]
    Metric { slo: String },
    #[error("slo `{slo}`: ratioMetric needs `total` with `good` or `bad`, or `raw` with `rawType`")]
    Ratio { slo: String },
    #[error(
        "slo `{slo}`: thresholdMetric needs budgetingMethod Timeslices (a slice is good when the metric meets the objective), found `{found}`"
    )]
    Threshold { slo: String, found: String },
    #[error(
        "slo `{slo}`: ratioMetric with budgetingMethod `{found}` is not supported: the rules count occurrences of good and total events (expected Occurrences)"
    )]
    RatioSlices { slo: String, found: String },
    #[error(
        "slo `{slo}`: thresholdMetric objective needs `op` (lt, lte, gt, gte) and a numeric `value`"
    )]
    ThresholdObjective { slo: String },
    #[error(
        "slo `{slo}`: timeSliceWindow `{found}` is not a duration of at most 1h (`1m`, or a number of minutes)"
    )]
    SliceWindow { slo: String, found: String },
    #[error("slo `{slo}`: has {found} objectives; vouch generates rules for exactly one per SLO")]
    Objectives { slo: String, found: usize },
    #[error(
        "slo `{slo}`: budgetingMethod `{found}` is not supported: expected Occurrences (ratioMetric) or Timeslices (thresholdMetric)"
    )]
    Budgeting { slo: String, found: String },
    #[error("slo `{slo}`: needs exactly one timeWindow, found {found}")]
    TimeWindows { slo: String, found: usize },
    #[error(
        "slo `{slo}`: calendar windows (isRolling: false) are not supported: the rules measure a rolling window"
    )]
    Calendar { slo: String },
    #[error("slo `{slo}`: objective has no `target` (or `targetPercent`)")]
    NoTarget { slo: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    spec: serde_json::Value,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SloSpec {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    indicator: Option<Inline>,
    #[serde(default)]
    indicator_ref: Option<String>,
    #[serde(default)]
    time_window: Vec<TimeWindow>,
    #[serde(default)]
    budgeting_method: Option<String>,
    #[serde(default)]
    objectives: Vec<ObjectiveSpec>,
}

#[derive(Deserialize)]
struct Inline {
    #[serde(default)]
    spec: SliSpec,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
struct SliSpec {
    #[serde(default)]
    ratio_metric: Option<RatioMetric>,
    #[serde(default)]
    threshold_metric: Option<Source>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct RatioMetric {
    #[serde(default)]
    good: Option<Source>,
    #[serde(default)]
    bad: Option<Source>,
    #[serde(default)]
    total: Option<Source>,
    #[serde(default)]
    raw: Option<Source>,
    #[serde(default)]
    raw_type: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Source {
    metric_source: MetricSource,
}

#[derive(Deserialize, Clone)]
struct MetricSource {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    spec: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimeWindow {
    duration: String,
    #[serde(default)]
    is_rolling: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ObjectiveSpec {
    #[serde(default)]
    op: Option<String>,
    #[serde(default)]
    value: Option<serde_json::Number>,
    #[serde(default)]
    time_slice_window: Option<Number>,
    #[serde(default)]
    target: Option<Number>,
    #[serde(default)]
    target_percent: Option<Number>,
}

/// The SLOs of an OpenSLO file (documents as loaded by `vouch_yaml::load_all`; a document may
/// be one object or a list of objects).
pub(crate) fn load(documents: &[serde_json::Value]) -> Result<Vec<Slo>, SpecError> {
    let mut objects = Vec::new();
    for doc in documents {
        match doc {
            serde_json::Value::Array(items) => objects.extend(items.iter()),
            serde_json::Value::Null => {}
            other => objects.push(other),
        }
    }
    let mut slis = BTreeMap::new();
    let mut slos = Vec::new();
    for (index, value) in objects.into_iter().enumerate() {
        let index = index + 1;
        let object: Object =
            serde_json::from_value(value.clone()).map_err(|e| OpenSloError::Shape {
                index,
                kind: "object".into(),
                reason: e.to_string(),
            })?;
        let api = object.api_version.clone().unwrap_or_default();
        if api != "openslo/v1" {
            return Err(OpenSloError::ApiVersion { index, found: api }.into());
        }
        let kind = object.kind.clone().unwrap_or_default();
        let shape = |e: serde_json::Error| OpenSloError::Shape {
            index,
            kind: kind.clone(),
            reason: e.to_string(),
        };
        match kind.as_str() {
            "SLI" => {
                let spec: SliSpec = serde_json::from_value(object.spec.clone()).map_err(shape)?;
                slis.insert(object.metadata.name.clone(), spec);
            }
            "SLO" => {
                let spec: SloSpec = serde_json::from_value(object.spec.clone()).map_err(shape)?;
                slos.push((object.metadata.name, spec));
            }
            _ => {}
        }
    }
    slos.into_iter()
        .map(|(name, spec)| slo(name, spec, &slis))
        .collect()
}

fn slo(name: String, spec: SloSpec, slis: &BTreeMap<String, SliSpec>) -> Result<Slo, SpecError> {
    spec::check_name(&name)?;
    let sli = match (&spec.indicator, &spec.indicator_ref) {
        (Some(inline), _) => inline.spec.clone(),
        (None, Some(r)) => slis
            .get(r)
            .cloned()
            .ok_or_else(|| OpenSloError::MissingSli {
                slo: name.clone(),
                name: r.clone(),
            })?,
        (None, None) => return Err(OpenSloError::NoIndicator { slo: name }.into()),
    };
    let budgeting = spec.budgeting_method.as_deref().unwrap_or("Occurrences");
    if !matches!(budgeting, "Occurrences" | "Timeslices") {
        return Err(OpenSloError::Budgeting {
            slo: name,
            found: budgeting.to_owned(),
        }
        .into());
    }
    let [window] = spec.time_window.as_slice() else {
        return Err(OpenSloError::TimeWindows {
            slo: name,
            found: spec.time_window.len(),
        }
        .into());
    };
    if window.is_rolling == Some(false) {
        return Err(OpenSloError::Calendar { slo: name }.into());
    }
    let window = spec::window(&name, &window.duration)?;
    let [objective] = spec.objectives.as_slice() else {
        return Err(OpenSloError::Objectives {
            slo: name,
            found: spec.objectives.len(),
        }
        .into());
    };
    let target = match (&objective.target, &objective.target_percent) {
        (Some(t), _) => spec::target(&name, t)?,
        (None, Some(p)) => {
            let text = match p {
                Number::Float(f) => format!("{f}%"),
                Number::Text(t) => format!("{t}%"),
            };
            spec::target(&name, &Number::Text(text))?
        }
        (None, None) => return Err(OpenSloError::NoTarget { slo: name }.into()),
    };
    let indicator = match &sli.threshold_metric {
        Some(source) => threshold(&name, source, objective, budgeting)?,
        None if budgeting != "Occurrences" => {
            return Err(OpenSloError::RatioSlices {
                slo: name,
                found: budgeting.to_owned(),
            }
            .into());
        }
        None => indicator(&name, &sli)?,
    };
    let service = spec.service.unwrap_or_else(|| "vouch".to_owned());
    spec::check_name(&service)?;
    Ok(Slo {
        service,
        description: spec.description,
        target,
        window,
        indicator,
        events: None,
        labels: BTreeMap::new(),
        format: Format::OpenSlo,
        name,
    })
}

/// A threshold metric under time slices: a slice (`timeSliceWindow`, default 1m) is good when
/// the query's value meets `op value`.
fn threshold(
    slo: &str,
    source: &Source,
    objective: &ObjectiveSpec,
    budgeting: &str,
) -> Result<Indicator, SpecError> {
    if budgeting != "Timeslices" {
        return Err(OpenSloError::Threshold {
            slo: slo.to_owned(),
            found: budgeting.to_owned(),
        }
        .into());
    }
    let bad = || OpenSloError::ThresholdObjective {
        slo: slo.to_owned(),
    };
    let op = match objective.op.as_deref() {
        Some("lt") => "<",
        Some("lte") => "<=",
        Some("gt") => ">",
        Some("gte") => ">=",
        _ => return Err(bad().into()),
    };
    let value = objective.value.as_ref().ok_or_else(bad)?;
    if value.as_f64().is_none_or(|v| !v.is_finite()) {
        return Err(bad().into());
    }
    let slice = match &objective.time_slice_window {
        None => crate::number::Duration::from_seconds(60),
        Some(n) => {
            let text = match n {
                Number::Float(f) => format!("{f}m"),
                Number::Text(t) => t.trim().to_owned(),
            };
            crate::number::Duration::parse(&text)
                .filter(|d| d.seconds() <= 3600)
                .ok_or_else(|| OpenSloError::SliceWindow {
                    slo: slo.to_owned(),
                    found: text.clone(),
                })?
        }
    };
    let query = raw_query(slo, source)?;
    Ok(Indicator::Threshold {
        query,
        op,
        value: value.to_string(),
        slice,
    })
}

fn indicator(slo: &str, sli: &SliSpec) -> Result<Indicator, SpecError> {
    let ratio = sli
        .ratio_metric
        .as_ref()
        .ok_or_else(|| OpenSloError::Metric {
            slo: slo.to_owned(),
        })?;
    let q = |s: &Source| source_query(slo, s);
    match (&ratio.good, &ratio.bad, &ratio.total, &ratio.raw) {
        (Some(good), None, Some(total), None) => Ok(Indicator::Good {
            good: q(good)?,
            total: q(total)?,
        }),
        (None, Some(bad), Some(total), None) => Ok(Indicator::Errors {
            errors: q(bad)?,
            total: q(total)?,
        }),
        (None, None, None, Some(raw)) => match ratio.raw_type.as_deref() {
            Some("success") => Ok(Indicator::Raw {
                query: q(raw)?,
                success: true,
            }),
            Some("failure") => Ok(Indicator::Raw {
                query: q(raw)?,
                success: false,
            }),
            _ => Err(OpenSloError::Ratio {
                slo: slo.to_owned(),
            }
            .into()),
        },
        _ => Err(OpenSloError::Ratio {
            slo: slo.to_owned(),
        }
        .into()),
    }
}

fn source_query(slo: &str, source: &Source) -> Result<Query, SpecError> {
    spec::query(slo, raw_query(slo, source)?)
}

/// The Prometheus query of a metric source, as written.
fn raw_query(slo: &str, source: &Source) -> Result<String, SpecError> {
    let kind = source.metric_source.kind.clone().unwrap_or_default();
    if !kind.eq_ignore_ascii_case("prometheus") {
        return Err(OpenSloError::Source {
            slo: slo.to_owned(),
            found: kind,
        }
        .into());
    }
    let query = source
        .metric_source
        .spec
        .get("query")
        .and_then(|q| q.as_str())
        .ok_or_else(|| OpenSloError::NoQuery {
            slo: slo.to_owned(),
        })?;
    Ok(query.trim().to_owned())
}
