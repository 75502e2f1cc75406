//! GitLab secret-detection report (`gl-secret-detection-report.json`, schema 15.x).

use serde_json::{Value, json};

use crate::Report;

/// Schema version written in the report.
pub const SCHEMA_VERSION: &str = "15.1.4";

/// When the scan ran, as GitLab wants it: `YYYY-MM-DDTHH:MM:SS` (UTC). Passed in so the renderer
/// stays free of the clock.
#[derive(Debug, Clone)]
pub struct ScanTimes {
    pub start: String,
    pub end: String,
}

/// Render `report` as a GitLab secret-detection report. Suppressed findings are left out (GitLab
/// cannot show them); a finding's `commit` and `commit_date` properties fill `location.commit`,
/// otherwise the all-zero sha GitLab's own analyzer uses for non-history scans.
pub fn render(report: &Report, times: &ScanTimes) -> String {
    let scanner = json!({
        "id": report.tool,
        "name": report.tool,
        "version": report.version,
        "vendor": {"name": report.tool},
    });
    let vulnerabilities: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| {
            let loc = f.location.clone().unwrap_or_else(|| crate::Location::new("."));
            let mut commit = json!({"sha": f.properties.get("commit").and_then(Value::as_str).unwrap_or("0000000000000000000000000000000000000000")});
            if let Some(date) = f.properties.get("commit_date") {
                commit["date"] = date.clone();
            }
            let title = report.rules.iter().find(|r| r.id == f.rule_id).map_or(f.rule_id.as_str(), |r| r.title.as_str());
            let mut location = json!({"file": loc.path, "commit": commit});
            if let Some(l) = loc.line {
                location["start_line"] = json!(l);
                location["end_line"] = json!(loc.end_line.unwrap_or(l));
            }
            let mut v = json!({
                "id": f.fingerprint,
                "category": "secret_detection",
                "name": title,
                "description": f.message,
                "severity": f.severity.gitlab(),
                "scanner": {"id": report.tool, "name": report.tool},
                "location": location,
                "identifiers": [{
                    "type": "vouch_secrets_rule_id",
                    "name": format!("vouch rule {}", f.rule_id),
                    "value": f.rule_id,
                }],
            });
            if let Some(solution) = &f.remediation {
                v["solution"] = json!(solution);
            }
            v
        })
        .collect();
    let value = json!({
        "version": SCHEMA_VERSION,
        "vulnerabilities": vulnerabilities,
        "scan": {
            "analyzer": scanner,
            "scanner": scanner,
            "type": "secret_detection",
            "start_time": times.start,
            "end_time": times.end,
            "status": "success",
        },
    });
    let mut s = serde_json::to_string_pretty(&value).expect("serde_json::Value always serializes");
    s.push('\n');
    s
}
