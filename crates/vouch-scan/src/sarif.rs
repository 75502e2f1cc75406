//! `vouch scan --sarif FILE`: other tools' SARIF results merged into scan's own report, one
//! finding per result that is a finding (kind `fail` or absent, not only in the baseline;
//! see [`vouch_report::sarif::read`]). The rule id is namespaced by the tool's short name
//! (`semgrep/python.lang.security.audit.eval`), the severity comes from `security-severity` or
//! the level ([`ToolResult::severity`]), and a result suppressed in the log is a suppressed
//! finding (kind `sarif`), listed but never counted; so is one an unexpired rule entry of the
//! ignore file names (`rule = "<tool>/<rule id>"`, the bare rule id or `*`, `path` matched
//! against the result's URI). Each file is one `sarif` line in the checks table.

use vouch_policy::suppress::IgnoreFile;
use vouch_report::Date;
use vouch_report::sarif::read::{SarifLog, ToolResult};
use vouch_report::{Finding, Location, Report, RuleMeta, Suppression};

use crate::CheckSummary;

/// The finding of one result of `tool` (its short name) from `file`.
pub fn finding(tool: &str, tool_name: &str, file: &str, r: &ToolResult) -> Finding {
    let rule = format!("{tool}/{}", r.rule());
    let message = if r.message.trim().is_empty() {
        format!("{tool_name} rule {}", r.rule())
    } else {
        r.message.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let mut f = Finding::new(rule, r.severity(), vouch_secrets::redact(&message))
        .property("tool", tool_name)
        .property("level", r.level.as_str())
        .property("sarif", format!("{file}: {}", r.path));
    if let Some(s) = r.security_severity {
        f = f.property("security-severity", s);
    }
    if let Some(uri) = &r.uri {
        let mut loc = Location::new(uri.clone());
        if let Some(l) = r.line {
            loc = loc.line(l);
        }
        f = f.at(loc);
    }
    if let Some(s) = &r.suppressed {
        f.suppressed = Some(Suppression {
            kind: "sarif".into(),
            reason: match &s.justification {
                Some(j) => format!("suppressed in the SARIF log ({}): {j}", s.kind),
                None => format!("suppressed in the SARIF log ({})", s.kind),
            },
        });
    }
    f
}

/// Merge `log` (read from `file`) into `report`, with the rule entries of `ignore` applied as
/// of `today`; the summary line of the checks table.
pub fn merge(
    file: &str,
    log: &SarifLog,
    ignore: Option<&IgnoreFile>,
    today: Date,
    report: &mut Report,
) -> CheckSummary {
    let mut found = Vec::new();
    let mut tools = Vec::new();
    for run in &log.runs {
        let key = run.key();
        tools.push(match &run.version {
            Some(v) => format!("{} {v}", run.tool),
            None => run.tool.clone(),
        });
        for r in run.results.iter().filter(|r| r.is_finding()) {
            let mut f = finding(&key, &run.tool, file, r);
            if f.suppressed.is_none()
                && let Some(ignore) = ignore
            {
                let path = r.uri.as_deref().unwrap_or("");
                if let Some(e) = ignore
                    .matching(&f.rule_id, path, today)
                    .or_else(|| ignore.matching(&r.rule_id, path, today))
                {
                    f.suppressed = Some(Suppression {
                        kind: "ignore-file".into(),
                        reason: format!(
                            "{}:{} until {}: {}",
                            ignore.path, e.line, e.expires, e.reason
                        ),
                    });
                }
            }
            report.rules.push(RuleMeta::new(
                f.rule_id.clone(),
                format!("{} rule {}", run.tool, r.rule()),
                r.severity(),
            ));
            found.push(f);
        }
    }
    let summary = CheckSummary::new("sarif", format!("{file} ({})", tools.join(", ")), &found, 0);
    report.findings.extend(found);
    summary
}
