//! A lenient, bounded reader of other tools' SARIF 2.1.0 logs (semgrep, CodeQL, gitleaks,
//! hadolint, checkov, trivy, ...): bytes in, the part the gate and `vouch scan` use out.
//!
//! Per run: the tool (`tool.driver.name`, `version` or `semanticVersion`); per result: the rule
//! (`ruleId`, else `rule.id`, else the driver rule at `ruleIndex` / `rule.index`), the level
//! (the result's own, else — for a `fail` result — the rule's `defaultConfiguration.level`,
//! else `warning`, as SARIF §3.27.10 says), `message.text`, the first location's
//! `artifactLocation.uri` and `region.startLine`, whether it is suppressed (any entry of
//! `suppressions` whose `status` is not `rejected`), `baselineState`, `kind` and the
//! `security-severity` property (the result's, else its rule's).
//!
//! Unknown fields are ignored; a field of the wrong type is an error naming the file and the
//! JSON path (`runs[0].results[3].level`). Sizes are capped: [`MAX_RUNS`], [`MAX_RESULTS`]
//! over all runs, [`MAX_RULES`] per run; the caller caps the byte size when it reads the file,
//! and serde_json's recursion limit bounds nesting.
//!
//! ```
//! use vouch_report::sarif::read::{Level, parse};
//! let log = parse(br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Semgrep OSS",
//!   "rules":[{"id":"r1","defaultConfiguration":{"level":"error"}}]}},
//!   "results":[{"ruleId":"r1","message":{"text":"bad"},"locations":[{"physicalLocation":
//!   {"artifactLocation":{"uri":"app.py"},"region":{"startLine":3}}}]}]}]}"#, "s.sarif").unwrap();
//! let r = &log.runs[0].results[0];
//! assert_eq!((log.runs[0].key().as_str(), r.rule_id.as_str(), r.level), ("semgrep", "r1", Level::Error));
//! assert_eq!(r.place(), "app.py:3");
//! ```

use serde_json::Value;

/// The tool name of a run whose driver has none.
pub const UNNAMED: &str = "unnamed";

/// Most runs read from one log.
pub const MAX_RUNS: usize = 1_000;
/// Most results read from one log, over all its runs.
pub const MAX_RESULTS: usize = 200_000;
/// Most rules read from one run's driver.
pub const MAX_RULES: usize = 100_000;

/// Why a SARIF log could not be read. Every variant names the file; the caller exits 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("{file} is not JSON: {message}")]
    Json { file: String, message: String },
    #[error("{file} is not a SARIF 2.1.0 log: `{path}` should be {expected}, found {found}")]
    Invalid {
        file: String,
        path: String,
        expected: &'static str,
        found: String,
    },
    #[error("{file} is SARIF version {found}; only 2.1.0 is read")]
    Version { file: String, found: String },
    #[error("{file} has more than {limit} {what}; refusing to read it")]
    TooMany {
        file: String,
        what: &'static str,
        limit: usize,
    },
}

/// A result's level (SARIF §3.27.10). Ordered: `None < Note < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    None,
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// `error`, `warning`, `note` or `none`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "note" => Some(Level::Note),
            "none" => Some(Level::None),
            _ => None,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A result's `kind` (SARIF §3.27.9); absent means `fail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Fail,
    Pass,
    Open,
    Review,
    NotApplicable,
    Informational,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Fail => "fail",
            Kind::Pass => "pass",
            Kind::Open => "open",
            Kind::Review => "review",
            Kind::NotApplicable => "notApplicable",
            Kind::Informational => "informational",
        }
    }
}

/// A suppression that holds (status absent, `accepted` or `underReview`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// `inSource` or `external`.
    pub kind: String,
    pub justification: Option<String>,
}

/// One result, as the gate and `vouch scan` see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    /// Where it was in the log: `runs[0].results[3]`.
    pub path: String,
    /// Empty when the result names no rule.
    pub rule_id: String,
    pub level: Level,
    pub kind: Kind,
    pub message: String,
    pub uri: Option<String>,
    pub line: Option<u32>,
    pub suppressed: Option<Suppressed>,
    /// `new`, `unchanged`, `updated` or `absent`, when given.
    pub baseline_state: Option<String>,
    /// `security-severity` (a CVSS-like score, as GitHub code scanning reads it).
    pub security_severity: Option<f64>,
}

impl ToolResult {
    /// Whether this is a finding at all: kind `fail` (or absent) and not a result that is
    /// only in the baseline (`baselineState: absent`). Suppression is separate.
    pub fn is_finding(&self) -> bool {
        self.kind == Kind::Fail && self.baseline_state.as_deref() != Some("absent")
    }

    /// `file:line`, `file`, or `(no location)`.
    pub fn place(&self) -> String {
        match (&self.uri, self.line) {
            (Some(u), Some(l)) => format!("{u}:{l}"),
            (Some(u), None) => u.clone(),
            (None, _) => "(no location)".into(),
        }
    }

    /// vouch's severity for this result: from `security-severity` when given, with GitHub
    /// code scanning's bands (≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium, > 0 low, else info);
    /// else from the level (error → high, warning → medium, note → low, none → info).
    pub fn severity(&self) -> crate::Severity {
        use crate::Severity;
        match self.security_severity {
            Some(s) if s >= 9.0 => Severity::Critical,
            Some(s) if s >= 7.0 => Severity::High,
            Some(s) if s >= 4.0 => Severity::Medium,
            Some(s) if s > 0.0 => Severity::Low,
            Some(_) => Severity::Info,
            None => match self.level {
                Level::Error => Severity::High,
                Level::Warning => Severity::Medium,
                Level::Note => Severity::Low,
                Level::None => Severity::Info,
            },
        }
    }

    /// The rule id, or `(no rule id)`.
    pub fn rule(&self) -> &str {
        if self.rule_id.is_empty() {
            "(no rule id)"
        } else {
            &self.rule_id
        }
    }
}

/// One run of one tool.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolRun {
    /// `tool.driver.name` as written.
    pub tool: String,
    pub version: Option<String>,
    pub results: Vec<ToolResult>,
}

impl ToolRun {
    /// The tool's short name: the first word of its driver name, lower case
    /// (`Semgrep OSS` → `semgrep`, `Trivy` → `trivy`). Policies and rule namespaces use it.
    pub fn key(&self) -> String {
        tool_key(&self.tool)
    }

    /// Whether `name` (from a policy) names this tool: its key or its whole driver name,
    /// compared without case.
    pub fn is_named(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(&self.key()) || name.eq_ignore_ascii_case(self.tool.trim())
    }
}

/// The short name of a tool driver name (see [`ToolRun::key`]).
pub fn tool_key(driver_name: &str) -> String {
    driver_name
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A read log.
#[derive(Debug, Clone, PartialEq)]
pub struct SarifLog {
    pub runs: Vec<ToolRun>,
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn invalid(&self, path: &str, expected: &'static str, found: &Value) -> ReadError {
        ReadError::Invalid {
            file: self.file.to_owned(),
            path: path.to_owned(),
            expected,
            found: describe(found),
        }
    }

    fn missing(&self, path: &str, expected: &'static str) -> ReadError {
        ReadError::Invalid {
            file: self.file.to_owned(),
            path: path.to_owned(),
            expected,
            found: "nothing".into(),
        }
    }

    /// An optional object member: absent or null is `None`; another type is an error.
    fn object<'v>(
        &self,
        v: &'v Value,
        key: &str,
        path: &str,
    ) -> Result<Option<&'v serde_json::Map<String, Value>>, ReadError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(self.invalid(&format!("{path}.{key}"), "an object", other)),
        }
    }

    fn array<'v>(&self, v: &'v Value, key: &str, path: &str) -> Result<&'v [Value], ReadError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(self.invalid(&format!("{path}.{key}"), "an array", other)),
        }
    }

    fn string<'v>(
        &self,
        v: &'v Value,
        key: &str,
        path: &str,
    ) -> Result<Option<&'v str>, ReadError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.invalid(&format!("{path}.{key}"), "a string", other)),
        }
    }

    fn index(&self, v: &Value, key: &str, path: &str) -> Result<Option<usize>, ReadError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(-1) => Ok(None),
                Some(i) if i >= 0 => Ok(usize::try_from(i).ok()),
                _ => Err(self.invalid(&format!("{path}.{key}"), "an index", &v[key])),
            },
            Some(other) => Err(self.invalid(&format!("{path}.{key}"), "an index", other)),
        }
    }

    fn level(&self, v: &Value, key: &str, path: &str) -> Result<Option<Level>, ReadError> {
        match self.string(v, key, path)? {
            None => Ok(None),
            Some(s) => Level::parse(s).map(Some).ok_or_else(|| {
                self.invalid(
                    &format!("{path}.{key}"),
                    "one of error, warning, note, none",
                    &v[key],
                )
            }),
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            format!("\"{short}\"")
        }
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// `security-severity` from a property bag: a number or a numeric string, 0.0–10.0.
fn security_severity(props: Option<&serde_json::Map<String, Value>>) -> Option<f64> {
    let v = props?.get("security-severity")?;
    let n = match v {
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        Value::Number(n) => n.as_f64()?,
        _ => return None,
    };
    (0.0..=10.0).contains(&n).then_some(n)
}

/// A driver rule: its id, default level and security severity.
struct RuleInfo {
    id: Option<String>,
    level: Option<Level>,
    security_severity: Option<f64>,
}

/// Read the SARIF log `bytes`; `file` names it in errors.
pub fn parse(bytes: &[u8], file: &str) -> Result<SarifLog, ReadError> {
    let cx = Ctx { file };
    let root: Value = serde_json::from_slice(bytes).map_err(|e| ReadError::Json {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    if !root.is_object() {
        return Err(cx.invalid("$", "an object", &root));
    }
    match cx.string(&root, "version", "$")? {
        Some("2.1.0") => {}
        Some(other) => {
            return Err(ReadError::Version {
                file: file.to_owned(),
                found: other.to_owned(),
            });
        }
        None => return Err(cx.missing("version", "\"2.1.0\"")),
    }
    let runs = match root.get("runs") {
        Some(Value::Array(a)) => a,
        Some(other) => return Err(cx.invalid("runs", "an array", other)),
        None => return Err(cx.missing("runs", "an array")),
    };
    if runs.len() > MAX_RUNS {
        return Err(ReadError::TooMany {
            file: file.to_owned(),
            what: "runs",
            limit: MAX_RUNS,
        });
    }
    let mut total = 0usize;
    let mut out = Vec::with_capacity(runs.len());
    for (ri, run) in runs.iter().enumerate() {
        let rp = format!("runs[{ri}]");
        if !run.is_object() {
            return Err(cx.invalid(&rp, "an object", run));
        }
        let driver = cx
            .object(run, "tool", &rp)?
            .and_then(|t| t.get("driver"))
            .ok_or_else(|| cx.missing(&format!("{rp}.tool.driver"), "an object"))?;
        let dp = format!("{rp}.tool.driver");
        if !driver.is_object() {
            return Err(cx.invalid(&dp, "an object", driver));
        }
        // The spec requires a name; a run without one (GitHub's codeql-action tests such logs)
        // is read as tool `unnamed`, whose results count like any other's.
        let tool = cx
            .string(driver, "name", &dp)?
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(UNNAMED)
            .to_owned();
        let version = match cx.string(driver, "version", &dp)? {
            Some(v) => Some(v.to_owned()),
            None => cx
                .string(driver, "semanticVersion", &dp)?
                .map(str::to_owned),
        };
        let raw_rules = cx.array(driver, "rules", &dp)?;
        if raw_rules.len() > MAX_RULES {
            return Err(ReadError::TooMany {
                file: file.to_owned(),
                what: "rules in one run",
                limit: MAX_RULES,
            });
        }
        let mut rules = Vec::with_capacity(raw_rules.len());
        for (i, r) in raw_rules.iter().enumerate() {
            let p = format!("{dp}.rules[{i}]");
            if !r.is_object() {
                return Err(cx.invalid(&p, "an object", r));
            }
            let level = match cx.object(r, "defaultConfiguration", &p)? {
                Some(c) => cx.level(
                    &Value::Object(c.clone()),
                    "level",
                    &format!("{p}.defaultConfiguration"),
                )?,
                None => None,
            };
            rules.push(RuleInfo {
                id: cx.string(r, "id", &p)?.map(str::to_owned),
                level,
                security_severity: security_severity(cx.object(r, "properties", &p)?),
            });
        }
        // `run.artifacts[i].location.uri`, for locations that give only an artifact index.
        let mut artifacts = Vec::new();
        for (i, a) in cx
            .array(run, "artifacts", &rp)?
            .iter()
            .take(MAX_RULES)
            .enumerate()
        {
            let ap = format!("{rp}.artifacts[{i}]");
            let uri = match a.get("location") {
                Some(l @ Value::Object(_)) => cx.string(l, "uri", &format!("{ap}.location"))?,
                _ => None,
            };
            artifacts.push(uri.map(str::to_owned));
        }
        let raw_results = cx.array(run, "results", &rp)?;
        total = total.saturating_add(raw_results.len());
        if total > MAX_RESULTS {
            return Err(ReadError::TooMany {
                file: file.to_owned(),
                what: "results",
                limit: MAX_RESULTS,
            });
        }
        let mut results = Vec::with_capacity(raw_results.len());
        for (i, r) in raw_results.iter().enumerate() {
            results.push(read_result(
                &cx,
                r,
                &format!("{rp}.results[{i}]"),
                &rules,
                &artifacts,
            )?);
        }
        out.push(ToolRun {
            tool,
            version,
            results,
        });
    }
    Ok(SarifLog { runs: out })
}

fn read_result(
    cx: &Ctx<'_>,
    r: &Value,
    p: &str,
    rules: &[RuleInfo],
    artifacts: &[Option<String>],
) -> Result<ToolResult, ReadError> {
    if !r.is_object() {
        return Err(cx.invalid(p, "an object", r));
    }
    // The rule: `ruleIndex`, `rule.index`, `rule.id`, then `ruleId` names it.
    let rule_ref = cx.object(r, "rule", p)?.map(|m| Value::Object(m.clone()));
    let rule_index = match cx.index(r, "ruleIndex", p)? {
        Some(i) => Some(i),
        None => match &rule_ref {
            Some(rr) => cx.index(rr, "index", &format!("{p}.rule"))?,
            None => None,
        },
    };
    // An index outside the driver's rules (CodeQL has written `ruleIndex: 0` with
    // `rules: []`) is only an error when nothing else names the rule.
    let has_id = r.get("ruleId").is_some_and(Value::is_string)
        || rule_ref
            .as_ref()
            .is_some_and(|rr| rr.get("id").is_some_and(Value::is_string));
    let rule = match rule_index {
        Some(i) => match rules.get(i) {
            Some(x) => Some(x),
            None if has_id => None,
            None => {
                return Err(ReadError::Invalid {
                    file: cx.file.to_owned(),
                    path: format!("{p}.ruleIndex"),
                    expected: "the index of a rule of the run's driver",
                    found: format!("{i} (the driver has {} rules)", rules.len()),
                });
            }
        },
        None => None,
    };
    let rule_id = match cx.string(r, "ruleId", p)? {
        Some(id) => id.to_owned(),
        None => match &rule_ref {
            Some(rr) => match cx.string(rr, "id", &format!("{p}.rule"))? {
                Some(id) => id.to_owned(),
                None => rule.and_then(|x| x.id.clone()).unwrap_or_default(),
            },
            None => rule.and_then(|x| x.id.clone()).unwrap_or_default(),
        },
    };
    // A rule named only by id is looked up in the driver for its defaults.
    let rule = rule.or_else(|| {
        (!rule_id.is_empty())
            .then(|| {
                rules
                    .iter()
                    .find(|x| x.id.as_deref() == Some(rule_id.as_str()))
            })
            .flatten()
    });
    let kind = match cx.string(r, "kind", p)? {
        None | Some("fail") => Kind::Fail,
        Some("pass") => Kind::Pass,
        Some("open") => Kind::Open,
        Some("review") => Kind::Review,
        Some("notApplicable") => Kind::NotApplicable,
        Some("informational") => Kind::Informational,
        Some(_) => {
            return Err(cx.invalid(
                &format!("{p}.kind"),
                "one of fail, pass, open, review, notApplicable, informational",
                &r["kind"],
            ));
        }
    };
    // SARIF §3.27.10: the result's level, else (for `fail`) the rule's default, else warning;
    // a result of another kind without a level has level `none`.
    let level = match cx.level(r, "level", p)? {
        Some(l) => l,
        None if kind == Kind::Fail => rule.and_then(|x| x.level).unwrap_or(Level::Warning),
        None => Level::None,
    };
    let message = match cx.object(r, "message", p)? {
        Some(m) => match m.get("text") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => String::new(),
            Some(other) => return Err(cx.invalid(&format!("{p}.message.text"), "a string", other)),
        },
        None => String::new(),
    };
    let (uri, line) = location(cx, r, p, artifacts)?;
    let mut suppressed = None;
    for (i, s) in cx.array(r, "suppressions", p)?.iter().enumerate() {
        let sp = format!("{p}.suppressions[{i}]");
        if !s.is_object() {
            return Err(cx.invalid(&sp, "an object", s));
        }
        let status = cx.string(s, "status", &sp)?;
        if status == Some("rejected") {
            continue;
        }
        if suppressed.is_none() {
            suppressed = Some(Suppressed {
                kind: cx.string(s, "kind", &sp)?.unwrap_or("external").to_owned(),
                justification: cx
                    .string(s, "justification", &sp)?
                    .filter(|j| !j.trim().is_empty())
                    .map(str::to_owned),
            });
        }
    }
    let baseline_state = cx.string(r, "baselineState", p)?.map(str::to_owned);
    let security_severity = security_severity(cx.object(r, "properties", p)?)
        .or_else(|| rule.and_then(|x| x.security_severity));
    Ok(ToolResult {
        path: p.to_owned(),
        rule_id,
        level,
        kind,
        message,
        uri,
        line,
        suppressed,
        baseline_state,
        security_severity,
    })
}

/// `locations[0].physicalLocation`: the artifact URI (a `file://` prefix removed) and
/// `region.startLine`.
fn location(
    cx: &Ctx<'_>,
    r: &Value,
    p: &str,
    artifacts: &[Option<String>],
) -> Result<(Option<String>, Option<u32>), ReadError> {
    let Some(first) = cx.array(r, "locations", p)?.first() else {
        return Ok((None, None));
    };
    let lp = format!("{p}.locations[0]");
    let Some(phys) = cx.object(first, "physicalLocation", &lp)? else {
        return Ok((None, None));
    };
    let phys = Value::Object(phys.clone());
    let pp = format!("{lp}.physicalLocation");
    let uri = match cx.object(&phys, "artifactLocation", &pp)? {
        Some(a) => {
            let a = Value::Object(a.clone());
            let ap = format!("{pp}.artifactLocation");
            match cx.string(&a, "uri", &ap)? {
                Some(u) => Some(u.to_owned()),
                // Only an index into `run.artifacts`.
                None => cx
                    .index(&a, "index", &ap)?
                    .and_then(|i| artifacts.get(i).cloned().flatten()),
            }
            .map(|u| u.strip_prefix("file://").map(str::to_owned).unwrap_or(u))
        }
        None => None,
    };
    let line = match cx.object(&phys, "region", &pp)? {
        Some(reg) => match reg.get("startLine") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(l) => Some(l),
                None => {
                    return Err(cx.invalid(
                        &format!("{pp}.region.startLine"),
                        "a line number",
                        &reg["startLine"],
                    ));
                }
            },
            Some(other) => {
                return Err(cx.invalid(&format!("{pp}.region.startLine"), "a line number", other));
            }
        },
        None => None,
    };
    Ok((uri, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(result: &str, rules: &str) -> ToolResult {
        let text = format!(
            r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"t","rules":[{rules}]}}}},"results":[{result}]}}]}}"#
        );
        parse(text.as_bytes(), "t.sarif").unwrap().runs[0].results[0].clone()
    }

    #[test]
    fn level_defaults_from_the_rule_then_warning() {
        let rules = r#"{"id":"a","defaultConfiguration":{"level":"error"}},{"id":"b"}"#;
        assert_eq!(one(r#"{"ruleId":"a"}"#, rules).level, Level::Error);
        assert_eq!(one(r#"{"ruleIndex":0}"#, rules).level, Level::Error);
        assert_eq!(one(r#"{"ruleIndex":0}"#, rules).rule_id, "a");
        assert_eq!(one(r#"{"rule":{"index":0}}"#, rules).level, Level::Error);
        assert_eq!(one(r#"{"ruleId":"b"}"#, rules).level, Level::Warning);
        assert_eq!(
            one(r#"{"ruleId":"a","level":"note"}"#, rules).level,
            Level::Note
        );
        // Not a `fail` result: level none unless given.
        assert_eq!(
            one(r#"{"ruleId":"a","kind":"pass"}"#, rules).level,
            Level::None
        );
    }

    #[test]
    fn suppressions_hold_unless_rejected() {
        let r = one(r#"{"ruleId":"a","suppressions":[{"kind":"inSource"}]}"#, "");
        assert_eq!(r.suppressed.unwrap().kind, "inSource");
        let r = one(
            r#"{"ruleId":"a","suppressions":[{"kind":"external","status":"rejected"}]}"#,
            "",
        );
        assert_eq!(r.suppressed, None);
        assert_eq!(
            one(r#"{"ruleId":"a","suppressions":[]}"#, "").suppressed,
            None
        );
    }

    #[test]
    fn kinds_and_baseline_absent_are_not_findings() {
        assert!(one(r#"{"ruleId":"a"}"#, "").is_finding());
        assert!(!one(r#"{"ruleId":"a","kind":"pass"}"#, "").is_finding());
        assert!(!one(r#"{"ruleId":"a","kind":"notApplicable"}"#, "").is_finding());
        assert!(!one(r#"{"ruleId":"a","baselineState":"absent"}"#, "").is_finding());
    }

    #[test]
    fn errors_name_the_file_and_json_path() {
        let e = parse(
            br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"level":"fatal"}]}]}"#,
            "x.sarif",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.sarif is not a SARIF 2.1.0 log: `runs[0].results[0].level` should be one of error, warning, note, none, found \"fatal\""
        );
        let e = parse(b"{\"runs\":[]", "y.sarif").unwrap_err();
        assert!(matches!(e, ReadError::Json { .. }), "{e}");
        let e = parse(
            br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":7}}}]}"#,
            "z",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "z is not a SARIF 2.1.0 log: `runs[0].tool.driver.name` should be a string, found 7"
        );
        let e = parse(br#"{"version":"2.1.0","runs":[{"tool":{}}]}"#, "w").unwrap_err();
        assert_eq!(
            e.to_string(),
            "w is not a SARIF 2.1.0 log: `runs[0].tool.driver` should be an object, found nothing"
        );
        let e = parse(br#"{"version":"2.0.0","runs":[]}"#, "v").unwrap_err();
        assert!(matches!(e, ReadError::Version { .. }));
        let e = parse(
            br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleIndex":4}]}]}"#,
            "i",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("runs[0].results[0].ruleIndex"),
            "{e}"
        );
    }

    #[test]
    fn lenient_where_real_tools_stray() {
        // No driver name: tool `unnamed`; a bad index with a rule id: looked up by id; a
        // location by artifact index.
        let log = parse(
            br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":null,"rules":[]}},
              "artifacts":[{"location":{"uri":"a.js"}}],
              "results":[{"ruleId":"r","ruleIndex":0,"locations":[{"physicalLocation":
                {"artifactLocation":{"index":0},"region":{"startLine":2}}}]}]}]}"#,
            "l",
        )
        .unwrap();
        assert_eq!(log.runs[0].key(), "unnamed");
        assert_eq!(log.runs[0].results[0].rule_id, "r");
        assert_eq!(log.runs[0].results[0].place(), "a.js:2");
    }

    #[test]
    fn too_many_runs_is_refused() {
        let runs = vec![r#"{"tool":{"driver":{"name":"t"}}}"#; MAX_RUNS + 1].join(",");
        let text = format!(r#"{{"version":"2.1.0","runs":[{runs}]}}"#);
        let e = parse(text.as_bytes(), "big").unwrap_err();
        assert!(matches!(e, ReadError::TooMany { what: "runs", .. }), "{e}");
    }

    #[test]
    fn severity_from_security_severity_else_level() {
        use crate::Severity;
        let rules = r#"{"id":"a","properties":{"security-severity":"9.8"}},{"id":"b"}"#;
        assert_eq!(
            one(r#"{"ruleId":"a","level":"note"}"#, rules).severity(),
            Severity::Critical
        );
        assert_eq!(
            one(
                r#"{"ruleId":"b","properties":{"security-severity":"5.0"}}"#,
                rules
            )
            .severity(),
            Severity::Medium
        );
        assert_eq!(
            one(r#"{"ruleId":"b","level":"error"}"#, rules).severity(),
            Severity::High
        );
        assert_eq!(one(r#"{"ruleId":"b"}"#, rules).severity(), Severity::Medium);
    }

    #[test]
    fn too_many_results_over_all_runs_is_refused() {
        let half = vec!["{}"; MAX_RESULTS / 2 + 1].join(",");
        let run = format!(r#"{{"tool":{{"driver":{{"name":"t"}}}},"results":[{half}]}}"#);
        let text = format!(r#"{{"version":"2.1.0","runs":[{run},{run}]}}"#);
        let e = parse(text.as_bytes(), "many.sarif").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("many.sarif has more than {MAX_RESULTS} results; refusing to read it")
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!(
            r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"t"}}}},"properties":{}1{}}}]}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let e = parse(text.as_bytes(), "deep.sarif").unwrap_err();
        assert!(matches!(e, ReadError::Json { .. }), "{e}");
        assert!(
            e.to_string()
                .starts_with("deep.sarif is not JSON: recursion limit exceeded"),
            "{e}"
        );
    }

    #[test]
    fn tool_key_is_the_first_word_lowercased() {
        assert_eq!(tool_key("Semgrep OSS"), "semgrep");
        assert_eq!(tool_key("Trivy"), "trivy");
    }
}
