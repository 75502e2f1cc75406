//! Suppressions: OpenVEX documents and the `.vouch/ignore.toml` file.
//!
//! **OpenVEX** (v0.2.0 JSON; the older v0.0.x shapes with a string `vulnerability` and string
//! `products` are read too): a statement applies to a match when its `vulnerability.name` or one
//! of its `vulnerability.aliases` is among the match's ids or aliases, and one of its `products`
//! (or their `subcomponents`) is a purl naming the component: same type, namespace and name; the
//! version, when the product gives one, equal; every qualifier the product gives present with the
//! same value. When several statements apply, the one with the latest `timestamp` (statement's,
//! else document's) wins, later documents winning ties. `not_affected` (with its justification or
//! impact statement) and `fixed` suppress; `affected` and `under_investigation` do not.
//!
//! **Ignore file** (TOML; the one schema shared with `vouch check`, see `vouch_report::ignore`;
//! entries with `rule` instead of `id` are configuration suppressions and are skipped here):
//!
//! ```toml
//! [[ignore]]
//! id = "RUSTSEC-2020-0071"        # an advisory id or alias
//! purl = "pkg:cargo/time"         # optional: only this package (same purl matching as VEX)
//! reason = "not reachable: we never call localtime"   # required
//! expires = 2026-12-31            # required (TOML date or "YYYY-MM-DD"); last day it applies
//! ```
//!
//! An entry past its `expires` date stops suppressing and is reported as expired.

use serde_json::Value;
use vouch_purl::Purl;
use vouch_report::Suppression;
use vouch_report::ignore::Target;

use crate::matching::VulnMatch;

pub use vouch_report::Date;

/// Why a VEX document or ignore file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SuppressError {
    #[error("{file}: invalid JSON at line {line} column {column}: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: not an OpenVEX document: {what}")]
    Vex { file: String, what: String },
    /// The ignore file does not follow the shared schema (vouch_report::ignore).
    #[error(transparent)]
    Ignore(#[from] vouch_report::ignore::IgnoreError),
    #[error("{file}: ignore entry {index} ({id}): {what}")]
    Entry {
        file: String,
        index: usize,
        id: String,
        what: String,
    },
}

/// Whether `product` (a purl, perhaps without version or qualifiers) names `component`.
pub fn purl_matches(product: &str, component: &str) -> bool {
    Purl::parse(component).is_ok_and(|c| product_names(product, &c))
}

/// [`purl_matches`] with the component's purl already parsed.
fn product_names(product: &str, c: &Purl) -> bool {
    let Ok(p) = Purl::parse(product) else {
        return false;
    };
    let fold = |ty: &str, s: &str| match ty {
        "pypi" => vouch_purl::normalize_pypi(s),
        _ => s.to_owned(),
    };
    p.ty() == c.ty()
        && p.namespace_value().map(|n| fold(p.ty(), n))
            == c.namespace_value().map(|n| fold(c.ty(), n))
        && fold(p.ty(), p.name()) == fold(c.ty(), c.name())
        && p.version().is_none_or(|v| Some(v) == c.version())
        && p.qualifiers()
            .iter()
            .all(|(k, v)| c.qualifiers().get(k) == Some(v))
}

/// One OpenVEX statement, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    pub vulnerability: String,
    pub aliases: Vec<String>,
    pub products: Vec<String>,
    pub status: String,
    pub justification: Option<String>,
    pub impact_statement: Option<String>,
    pub timestamp: Option<String>,
    /// The document it came from (for messages) and its position, for tie-breaking.
    pub source: String,
    pub order: usize,
}

/// Reads one OpenVEX document.
pub fn parse_vex(
    file: &str,
    bytes: &[u8],
    first_order: usize,
) -> Result<Vec<VexStatement>, SuppressError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| SuppressError::Json {
        file: file.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
    })?;
    let vex_err = |what: &str| SuppressError::Vex {
        file: file.to_owned(),
        what: what.to_owned(),
    };
    let context = doc
        .get("@context")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !context.starts_with("https://openvex.dev/ns") {
        return Err(vex_err("`@context` is not an https://openvex.dev/ns URL"));
    }
    let doc_time = doc
        .get("timestamp")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let statements = doc
        .get("statements")
        .and_then(Value::as_array)
        .ok_or_else(|| vex_err("no `statements` array"))?;
    let mut out = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        let at = |what: &str| vex_err(&format!("statements[{i}]: {what}"));
        let (vulnerability, aliases) = match s.get("vulnerability") {
            Some(Value::String(name)) => (name.clone(), Vec::new()),
            Some(Value::Object(v)) => {
                let name = v
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| at("vulnerability has no `name`"))?;
                let aliases = v
                    .get("aliases")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                (name.to_owned(), aliases)
            }
            _ => return Err(at("no `vulnerability`")),
        };
        let mut products = Vec::new();
        for p in s
            .get("products")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            match p {
                Value::String(id) => products.push(id.clone()),
                Value::Object(o) => {
                    if let Some(id) = o.get("@id").and_then(Value::as_str) {
                        products.push(id.to_owned());
                    }
                    if let Some(purl) = o
                        .get("identifiers")
                        .and_then(|i| i.get("purl"))
                        .and_then(Value::as_str)
                    {
                        products.push(purl.to_owned());
                    }
                    for sub in o
                        .get("subcomponents")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        if let Some(id) = sub.get("@id").and_then(Value::as_str) {
                            products.push(id.to_owned());
                        }
                    }
                }
                _ => {}
            }
        }
        let status = s
            .get("status")
            .and_then(Value::as_str)
            .ok_or_else(|| at("no `status`"))?;
        if !matches!(
            status,
            "not_affected" | "affected" | "fixed" | "under_investigation"
        ) {
            return Err(at(&format!("unknown status `{status}`")));
        }
        let justification = s
            .get("justification")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let impact_statement = s
            .get("impact_statement")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if status == "not_affected" && justification.is_none() && impact_statement.is_none() {
            return Err(at(
                "status `not_affected` needs a `justification` or an `impact_statement`",
            ));
        }
        out.push(VexStatement {
            vulnerability,
            aliases,
            products,
            status: status.to_owned(),
            justification,
            impact_statement,
            timestamp: s
                .get("timestamp")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| doc_time.clone()),
            source: file.to_owned(),
            order: first_order + i,
        });
    }
    Ok(out)
}

/// One validated ignore entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    pub id: String,
    pub purl: Option<String>,
    pub reason: String,
    pub expires: Date,
}

/// Reads and validates `.vouch/ignore.toml` (the one schema of `vouch_report::ignore`) and
/// keeps its `id` entries; `rule` entries are for `vouch check`.
pub fn parse_ignore(file: &str, text: &str) -> Result<Vec<IgnoreEntry>, SuppressError> {
    let parsed = vouch_report::ignore::IgnoreFile::parse(text, file)?;
    let mut out = Vec::new();
    for e in parsed.entries {
        let Target::Advisory { id, purl } = e.target else {
            continue;
        };
        if let Some(p) = &purl
            && Purl::parse(p).is_err()
        {
            return Err(SuppressError::Entry {
                file: file.to_owned(),
                index: e.index,
                id,
                what: format!("`purl` `{p}` is not a package URL"),
            });
        }
        out.push(IgnoreEntry {
            id,
            purl,
            reason: e.reason,
            expires: e.expires,
        });
    }
    Ok(out)
}

/// Everything that can suppress a finding.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    pub vex: Vec<VexStatement>,
    pub ignore: Vec<IgnoreEntry>,
}

pub use vouch_report::vulns::Expired;

fn names_of(m: &VulnMatch) -> Vec<String> {
    m.ids.iter().chain(m.aliases.iter()).cloned().collect()
}

impl Suppressions {
    /// Marks suppressed findings in place; returns the expired ignore entries that would have
    /// applied (each once).
    pub fn apply(&self, matches: &mut [VulnMatch], today: Date) -> Vec<Expired> {
        let mut expired: Vec<Expired> = Vec::new();
        for m in matches.iter_mut() {
            // Parsed once per match, not once per statement product and ignore entry.
            let component = Purl::parse(&m.component.purl).ok();
            let names_component = |product: &str| {
                component
                    .as_ref()
                    .is_some_and(|c| product_names(product, c))
            };
            let names = names_of(m);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            // VEX: latest applicable statement wins.
            let best = self
                .vex
                .iter()
                .filter(|s| {
                    (names.contains(&s.vulnerability.as_str())
                        || s.aliases.iter().any(|a| names.contains(&a.as_str())))
                        && s.products.iter().any(|p| names_component(p))
                })
                .max_by(|a, b| (&a.timestamp, a.order).cmp(&(&b.timestamp, b.order)));
            if let Some(s) = best
                && (s.status == "not_affected" || s.status == "fixed")
            {
                let why = match (&s.justification, &s.impact_statement) {
                    (Some(j), Some(i)) => format!("{}: {j}: {i}", s.status),
                    (Some(j), None) => format!("{}: {j}", s.status),
                    (None, Some(i)) => format!("{}: {i}", s.status),
                    (None, None) => s.status.clone(),
                };
                m.finding.suppressed = Some(Suppression {
                    kind: "vex".into(),
                    reason: format!("{why} ({})", s.source),
                });
                m.finding
                    .properties
                    .insert("vex_status".into(), Value::String(s.status.clone()));
                if let Some(j) = &s.justification {
                    m.finding
                        .properties
                        .insert("vex_justification".into(), Value::String(j.clone()));
                }
                continue;
            }
            for e in &self.ignore {
                let id_hits = names.contains(&e.id.as_str());
                let purl_hits = e.purl.as_deref().is_none_or(names_component);
                if !(id_hits && purl_hits) {
                    continue;
                }
                if e.expires < today {
                    let x = Expired {
                        id: e.id.clone(),
                        purl: e.purl.clone(),
                        expires: e.expires.to_string(),
                        reason: e.reason.clone(),
                    };
                    if !expired.contains(&x) {
                        expired.push(x);
                    }
                    m.finding.properties.insert(
                        "ignore_expired".into(),
                        Value::String(format!("expired on {}", e.expires)),
                    );
                    continue;
                }
                m.finding.suppressed = Some(Suppression {
                    kind: "ignore-file".into(),
                    reason: format!("{} (until {})", e.reason, e.expires),
                });
                break;
            }
        }
        expired
    }
}
