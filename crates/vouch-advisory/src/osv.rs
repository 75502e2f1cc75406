//! The OSV record (<https://ossf.github.io/osv-schema/>): reading JSON and YAML, and the checks
//! every record passes before it is stored.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Why one advisory file could not be read. The caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    #[error("invalid JSON at line {line} column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("invalid YAML{}: {message}", location.map(|(l, c)| format!(" at line {l} column {c}")).unwrap_or_default())]
    Yaml {
        location: Option<(usize, usize)>,
        message: String,
    },
    #[error("invalid TOML front matter: {0}")]
    Toml(String),
    #[error("not a RustSec advisory: {0}")]
    RustSec(String),
    #[error("not an OSV record: {0}")]
    Shape(String),
    #[error("field `{field}` is `{value}`, which is not an RFC 3339 timestamp")]
    Timestamp { field: String, value: String },
    #[error("{at}: range has no `introduced` event")]
    NoIntroduced { at: String },
    #[error("{at}: events are not distinct: `{value}` appears more than once")]
    NondistinctEvents { at: String, value: String },
    #[error("{at}: event must have exactly one of introduced, fixed, last_affected, limit")]
    BadEvent { at: String },
    #[error("{at}: unknown range type `{kind}`")]
    RangeType { at: String, kind: String },
    #[error("{at}: a GIT range needs a `repo`")]
    NoRepo { at: String },
    #[error("{at}: {what}")]
    Invalid { at: String, what: String },
}

/// One OSV record, typed for matching. Unknown fields are ignored here and kept in the stored JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeverityEntry {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(deserialize_with = "string_or_number")]
    pub score: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "strings_or_numbers"
    )]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// One range event: exactly one of the four fields is set (checked by [`validate`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Event {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string_or_number"
    )]
    pub introduced: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string_or_number"
    )]
    pub fixed: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string_or_number"
    )]
    pub last_affected: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string_or_number"
    )]
    pub limit: Option<String>,
}

impl Event {
    /// The single value this event carries, whichever field holds it.
    pub fn value(&self) -> Option<&str> {
        self.introduced
            .as_deref()
            .or(self.fixed.as_deref())
            .or(self.last_affected.as_deref())
            .or(self.limit.as_deref())
    }

    fn field_count_kind(&self) -> &'static str {
        if self.introduced.is_some() {
            "introduced"
        } else if self.fixed.is_some() {
            "fixed"
        } else if self.last_affected.is_some() {
            "last_affected"
        } else {
            "limit"
        }
    }

    fn field_count(&self) -> usize {
        [
            &self.introduced,
            &self.fixed,
            &self.last_affected,
            &self.limit,
        ]
        .iter()
        .filter(|f| f.is_some())
        .count()
    }
}

// YAML writes `1.10` as a number when unquoted; take such scalars as the text they are.
fn scalar_string(v: Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("expected a string, found {other}")),
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    scalar_string(Value::deserialize(d)?).map_err(serde::de::Error::custom)
}

fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => scalar_string(v).map(Some).map_err(serde::de::Error::custom),
    }
}

fn strings_or_numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let values = Option::<Vec<Value>>::deserialize(d)?.unwrap_or_default();
    values
        .into_iter()
        .map(|v| scalar_string(v).map_err(serde::de::Error::custom))
        .collect()
}

impl Advisory {
    /// Whether the record says the package is **malicious** (published with intent to harm),
    /// not vulnerable: an ossf/malicious-packages record (id `MAL-…`, or a
    /// `database_specific.malicious-packages-origins` list, which every record of that repository
    /// carries whatever its id), or a record that names CWE-506 "Embedded Malicious Code" (GHSA
    /// writes `database_specific.cwe_ids`; the ossf records `affected[].database_specific.cwes[].cweId`).
    pub fn is_malicious(&self) -> bool {
        if self.id.starts_with("MAL-") {
            return true;
        }
        let top = self.database_specific.as_ref();
        if top.is_some_and(|d| d.get("malicious-packages-origins").is_some()) {
            return true;
        }
        let cwe_506 = |v: &Value| v.as_str() == Some("CWE-506");
        if top
            .and_then(|d| d.get("cwe_ids"))
            .and_then(Value::as_array)
            .is_some_and(|ids| ids.iter().any(cwe_506))
        {
            return true;
        }
        self.affected.iter().any(|a| {
            a.database_specific
                .as_ref()
                .and_then(|d| d.get("cwes"))
                .and_then(Value::as_array)
                .is_some_and(|cwes| cwes.iter().any(|c| c.get("cweId").is_some_and(cwe_506)))
        })
    }
}

/// A record as it will be stored: the typed view plus the whole JSON object (unknown fields kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub advisory: Advisory,
    pub json: Value,
    /// RustSec's `informational` kind (`unmaintained`, `unsound`, `notice`), when set.
    pub informational: Option<String>,
}

impl Record {
    /// Types and validates an OSV JSON value.
    pub fn from_value(json: Value) -> Result<Self, RecordError> {
        if !json.is_object() {
            return Err(RecordError::Shape(
                "the document is not a JSON object".into(),
            ));
        }
        let advisory: Advisory =
            serde_json::from_value(json.clone()).map_err(|e| RecordError::Shape(e.to_string()))?;
        validate(&advisory)?;
        let informational = json
            .get("database_specific")
            .and_then(|d| d.get("informational"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                advisory.affected.iter().find_map(|a| {
                    a.database_specific
                        .as_ref()?
                        .get("informational")?
                        .as_str()
                        .map(str::to_owned)
                })
            });
        Ok(Self {
            advisory,
            json,
            informational,
        })
    }
}

/// Parses one OSV JSON document.
pub fn parse_json(bytes: &[u8]) -> Result<Record, RecordError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let json: Value = serde_json::from_slice(bytes).map_err(|e| {
        let msg = e.to_string();
        RecordError::Json {
            line: e.line(),
            column: e.column(),
            message: msg.split(" at line ").next().unwrap_or(&msg).to_owned(),
        }
    })?;
    Record::from_value(json)
}

/// Parses one OSV YAML document (the PyPA advisory database keeps its records so).
pub fn parse_yaml(bytes: &[u8]) -> Result<Record, RecordError> {
    // Depth first, in linear time: libyaml alone is quadratic in the depth of `[[[[…`.
    // (`vouch_yaml::from_slice` checks it before parsing.)
    let json: Value = vouch_yaml::from_slice(bytes).map_err(|e| match e {
        vouch_yaml::Error::TooDeep(e) => RecordError::Yaml {
            location: Some((e.line as usize, e.column as usize)),
            message: format!("nesting deeper than the limit of {} levels", e.limit),
        },
        vouch_yaml::Error::Parse(e) => RecordError::Yaml {
            location: e.location().map(|l| (l.line(), l.column())),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        },
        other => RecordError::Yaml {
            location: None,
            message: other.to_string(),
        },
    })?;
    Record::from_value(json)
}

/// Whether `s` looks like an RFC 3339 timestamp (`2024-01-02T03:04:05Z`, fractions and offsets
/// allowed). Go's placeholder `0001-01-01T00:00:00Z` is one.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b.get(4) != Some(&b'-')
        || !digits(5..7)
        || b.get(7) != Some(&b'-')
        || !digits(8..10)
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || !digits(11..13)
        || b.get(13) != Some(&b':')
        || !digits(14..16)
        || b.get(16) != Some(&b':')
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" | "z" => true,
        _ => {
            let r = rest.as_bytes();
            r.len() == 6
                && matches!(r.first(), Some(b'+' | b'-'))
                && r.get(1..3)
                    .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                && r.get(3) == Some(&b':')
                && r.get(4..6)
                    .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        }
    }
}

/// The checks every record passes before import (a subset of osv-linter's offline checks).
pub fn validate(a: &Advisory) -> Result<(), RecordError> {
    if a.id.trim().is_empty() {
        return Err(RecordError::Shape("field `id` is empty".into()));
    }
    if a.id.len() > 200 || a.id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(RecordError::Shape(format!(
            "field `id` is not a valid identifier: {:?}",
            a.id
        )));
    }
    for (field, value) in [
        ("modified", Some(&a.modified)),
        ("published", a.published.as_ref()),
        ("withdrawn", a.withdrawn.as_ref()),
    ] {
        if let Some(v) = value
            && !is_rfc3339(v)
        {
            return Err(RecordError::Timestamp {
                field: field.into(),
                value: v.clone(),
            });
        }
    }
    for (i, aff) in a.affected.iter().enumerate() {
        if let Some(p) = &aff.package {
            if p.name.trim().is_empty() {
                return Err(RecordError::Invalid {
                    at: format!("affected[{i}].package"),
                    what: "empty name".into(),
                });
            }
            if p.ecosystem.trim().is_empty() {
                return Err(RecordError::Invalid {
                    at: format!("affected[{i}].package"),
                    what: "empty ecosystem".into(),
                });
            }
        }
        for (j, r) in aff.ranges.iter().enumerate() {
            let at = format!("affected[{i}].ranges[{j}]");
            match r.kind.as_str() {
                "SEMVER" | "ECOSYSTEM" => {}
                "GIT" => {
                    if r.repo.as_deref().is_none_or(|s| s.trim().is_empty()) {
                        return Err(RecordError::NoRepo { at });
                    }
                }
                other => {
                    return Err(RecordError::RangeType {
                        at,
                        kind: other.to_owned(),
                    });
                }
            }
            if r.events.iter().any(|e| e.field_count() != 1) {
                return Err(RecordError::BadEvent { at });
            }
            if !r.events.iter().any(|e| e.introduced.is_some()) {
                return Err(RecordError::NoIntroduced { at });
            }
            // A commit names one point in history: in a GIT range it may appear once. Versions
            // may close one interval and open the next (`fixed: 0.13.0`, `introduced: 0.13.0`,
            // as PyPA records do), but the same event twice is a defect.
            let git = r.kind == "GIT";
            let mut seen = std::collections::BTreeSet::new();
            for e in &r.events {
                let kind = e.field_count_kind();
                if let Some(v) = e.value()
                    && !seen.insert((if git { "" } else { kind }, v))
                {
                    return Err(RecordError::NondistinctEvents {
                        at,
                        value: v.to_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}
