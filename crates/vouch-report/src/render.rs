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

/// One line per finding, `PATH:LINE: SUBJECT[RULE]: MESSAGE` (SUBJECT is the finding's
/// `reference` property when it has one), the compiler-style form editors and `grep` read;
/// passed through [`crate::terminal::sanitize`]. Suppressed findings are left out.
pub fn lines(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.suppressed.is_none()) {
        let at = f
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        let subject = f
            .properties
            .get("reference")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        out.push_str(&format!("{at}{subject}[{}]: {}\n", f.rule_id, f.message));
    }
    crate::terminal::sanitize(&out).into_owned()
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

/// SARIF 2.1.0 (one run): [`crate::sarif::log`], printed. Suppressed findings carry a
/// `suppressions` entry, as the spec asks.
pub fn sarif(report: &Report) -> String {
    sarif_log(&crate::sarif::log(report))
}

/// A SARIF document built (and perhaps added to) as a value, printed like the other formats.
pub fn sarif_log(log: &crate::sarif::Log) -> String {
    let mut s = serde_json::to_string_pretty(log).expect("a SARIF log always serializes");
    s.push('\n');
    s
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

fn to_pretty(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serde_json::Value always serializes");
    s.push('\n');
    s
}
