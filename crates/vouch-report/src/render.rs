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
    let mut value = value;
    if !report.not_checked.is_empty() {
        value["complete"] = json!(false);
        value["not_checked"] = json!(report.not_checked);
    }
    to_pretty(&value)
}

/// A plain table for terminals: severity, rule, location, message. Suppressed findings are
/// listed last, marked, so nothing is hidden without saying so. Every cell goes through
/// [`crate::terminal::sanitize`]: a file name or message with control characters or URL
/// credentials prints escaped and redacted.
pub fn table(report: &Report) -> String {
    table_with(report, true)
}

/// [`table`], listing suppressed findings only when `show_suppressed`; they are always counted
/// in the last line.
pub fn table_with(report: &Report, show_suppressed: bool) -> String {
    use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    let (active, suppressed): (Vec<&Finding>, Vec<&Finding>) =
        report.findings.iter().partition(|f| f.suppressed.is_none());
    if active.is_empty() && (suppressed.is_empty() || !show_suppressed) {
        return if suppressed.is_empty() {
            "no findings\n".to_owned()
        } else {
            format!(
                "no findings, {} suppressed (not listed)\n",
                suppressed.len()
            )
        };
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["severity", "rule", "location", "message"]);
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
    for f in suppressed.iter().filter(|_| show_suppressed) {
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
    let listed = if show_suppressed || suppressed.is_empty() {
        ""
    } else {
        " (not listed)"
    };
    format!(
        "{table}\n{} finding(s), {} suppressed{listed}\n",
        active.len(),
        suppressed.len()
    )
}

/// SARIF `invocations[0]`: `executionSuccessful` is false when anything was not checked, and
/// each thing not checked is a `toolExecutionNotifications` entry (level `error`, the check as
/// `descriptor.id`, the file as its location).
fn invocation(report: &Report) -> Value {
    let notifications: Vec<Value> = report
        .not_checked
        .iter()
        .map(|n| {
            let mut v = json!({
                "level": "error",
                "message": {"text": n.to_string()},
                "descriptor": {"id": n.check},
            });
            if let Some(p) = &n.path {
                v["locations"] = json!([{"physicalLocation": {"artifactLocation": {"uri": p}}}]);
            }
            v
        })
        .collect();
    json!({
        "executionSuccessful": report.not_checked.is_empty(),
        "toolExecutionNotifications": notifications,
    })
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
            "invocations": [invocation(report)],
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
