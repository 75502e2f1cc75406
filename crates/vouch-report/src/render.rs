//! Renderers. Each takes a [`Report`] and returns the whole document as a `String`; output is
//! deterministic for a sorted report (see [`Report::sort`]).

use serde_json::{Value, json};

use crate::{Finding, Report};

/// vouch's own JSON: `{"tool", "version", "findings": [...]}` pretty-printed with a final newline.
pub fn json(report: &Report) -> String {
    let value = json!({
        "tool": report.tool,
        "version": report.version,
        "findings": report.findings,
    });
    to_pretty(&value)
}

/// A plain table for terminals: severity, rule, location, message. Suppressed findings are
/// listed last, marked, so nothing is hidden without saying so. Every cell goes through
/// [`crate::terminal::sanitize`]: a file name or message with control characters or URL
/// credentials prints escaped and redacted.
pub fn table(report: &Report) -> String {
    use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    if report.findings.is_empty() {
        return "no findings\n".to_owned();
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["severity", "rule", "location", "message"]);
    let (active, suppressed): (Vec<&Finding>, Vec<&Finding>) =
        report.findings.iter().partition(|f| f.suppressed.is_none());
    let row = |cells: [String; 4]| cells.map(|c| crate::terminal::sanitize(&c).into_owned());
    for f in &active {
        table.add_row(row([
            f.severity.to_string(),
            f.rule_id.clone(),
            f.location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            f.message.clone(),
        ]));
    }
    for f in &suppressed {
        let why = f
            .suppressed
            .as_ref()
            .map(|s| format!(" (suppressed: {})", s.reason));
        table.add_row(row([
            format!("{} (suppressed)", f.severity),
            f.rule_id.clone(),
            f.location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            format!("{}{}", f.message, why.unwrap_or_default()),
        ]));
    }
    format!(
        "{table}\n{} finding(s), {} suppressed\n",
        active.len(),
        suppressed.len()
    )
}

/// SARIF 2.1.0 (one run). Suppressed findings carry a `suppressions` entry, as the spec asks.
pub fn sarif(report: &Report) -> String {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|r| {
            let mut rule = json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.title},
                "defaultConfiguration": {"level": r.default_severity.sarif_level()},
                "properties": {"security-severity": security_severity(r.default_severity)},
            });
            if let Some(d) = &r.description {
                rule["fullDescription"] = json!({"text": d});
            }
            if let Some(u) = &r.help_uri {
                rule["helpUri"] = json!(u);
            }
            rule
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule_id,
                "level": f.severity.sarif_level(),
                "message": {"text": f.message},
                "partialFingerprints": {"vouch/v1": f.fingerprint},
                "properties": {"severity": f.severity.as_str()},
            });
            if let Some(idx) = report.rules.iter().position(|r| r.id == f.rule_id) {
                result["ruleIndex"] = json!(idx);
            }
            if let Some(loc) = &f.location {
                let mut region = serde_json::Map::new();
                if let Some(l) = loc.line {
                    region.insert("startLine".into(), json!(l.max(1)));
                }
                if let Some(c) = loc.column {
                    region.insert("startColumn".into(), json!(c.max(1)));
                }
                if let Some(l) = loc.end_line {
                    region.insert("endLine".into(), json!(l.max(1)));
                }
                if let Some(c) = loc.end_column {
                    region.insert("endColumn".into(), json!(c.max(1)));
                }
                let mut physical = json!({"artifactLocation": {"uri": loc.path}});
                if !region.is_empty() {
                    physical["region"] = Value::Object(region);
                }
                result["locations"] = json!([{"physicalLocation": physical}]);
            }
            if let Some(s) = &f.suppressed {
                result["suppressions"] = json!([{"kind": "external", "justification": format!("{}: {}", s.kind, s.reason)}]);
            }
            if !f.properties.is_empty() {
                for (k, v) in &f.properties {
                    result["properties"][k] = v.clone();
                }
            }
            result
        })
        .collect();
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool,
                "version": report.version,
                "informationUri": "https://example.invalid/vouch",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    to_pretty(&value)
}

/// GitLab Code Quality (CodeClimate subset) JSON. Suppressed findings are left out: GitLab has
/// no way to show them.
pub fn gitlab_code_quality(report: &Report) -> String {
    let issues: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| {
            let loc = f
                .location
                .clone()
                .unwrap_or_else(|| crate::Location::new("."));
            json!({
                "description": format!("{}: {}", f.rule_id, f.message),
                "check_name": f.rule_id,
                "fingerprint": f.fingerprint,
                "severity": code_quality_severity(f.severity),
                "location": {"path": loc.path, "lines": {"begin": loc.line.unwrap_or(1)}},
            })
        })
        .collect();
    to_pretty(&Value::Array(issues))
}

fn code_quality_severity(s: crate::Severity) -> &'static str {
    match s {
        crate::Severity::Info => "info",
        crate::Severity::Low => "minor",
        crate::Severity::Medium => "major",
        crate::Severity::High => "critical",
        crate::Severity::Critical => "blocker",
    }
}

/// GitHub code scanning reads `security-severity` as a CVSS-like score string.
fn security_severity(s: crate::Severity) -> &'static str {
    match s {
        crate::Severity::Info => "0.0",
        crate::Severity::Low => "3.0",
        crate::Severity::Medium => "5.5",
        crate::Severity::High => "8.0",
        crate::Severity::Critical => "9.5",
    }
}

fn to_pretty(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serde_json::Value always serializes");
    s.push('\n');
    s
}
