//! Output formats for `vouch vulns`: a table grouped by package, JSON, SARIF, CycloneDX 1.6 with
//! a `vulnerabilities` array, and GitLab's dependency-scanning report (schema 15.x). Every format
//! records the database digest. Output is deterministic for the same matches.

use serde_json::{Value, json};

use super::{Expired, MatchKind, MatchOutcome, MatchStatus, VulnMatch};

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Counting findings: unsuppressed ones.
fn active(outcome: &MatchOutcome) -> impl Iterator<Item = &VulnMatch> {
    outcome
        .matches
        .iter()
        .filter(|m| m.finding.suppressed.is_none())
}

/// A table for people, grouped by package; passed through [`crate::terminal::sanitize`].
pub fn table(outcome: &MatchOutcome, expired: &[Expired]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut last: Option<(&str, &str, &str)> = None;
    for m in &outcome.matches {
        let key = (
            m.component.ecosystem.as_str(),
            m.component.name.as_str(),
            m.component.version.as_str(),
        );
        if last != Some(key) {
            let at = m
                .component
                .path
                .as_deref()
                .map(|p| format!("  ({p})"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "\n{} {} [{}]{at}",
                m.component.name,
                m.component.version,
                m.component.ecosystem.to_ascii_lowercase()
            );
            last = Some(key);
        }
        let also: Vec<&String> = m.other_ids().collect();
        let also = if also.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                also.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let malicious = if m.kind == MatchKind::Malicious {
            "MALICIOUS "
        } else {
            ""
        };
        let fixed = if m.kind == MatchKind::Malicious && m.fixed.is_empty() {
            "remove it".to_owned()
        } else if m.fixed.is_empty() {
            "no fix".to_owned()
        } else {
            format!("fixed in {}", m.fixed.join(", "))
        };
        let state = match (&m.status, &m.finding.suppressed) {
            (_, Some(s)) => format!("  [suppressed by {}: {}]", s.kind, s.reason),
            (MatchStatus::CouldNotEvaluate(why), None) => format!("  [could not evaluate: {why}]"),
            (MatchStatus::Affected, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "  {:<8} {malicious}{}{also}  {fixed}{state}",
            m.severity.as_str(),
            m.id
        );
        if let Some(s) = &m.summary {
            let _ = writeln!(out, "           {s}");
        }
    }
    for e in expired {
        let _ = writeln!(
            out,
            "\nwarning: ignore entry for {}{} expired on {} and no longer suppresses ({})",
            e.id,
            e.purl
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default(),
            e.expires,
            e.reason
        );
    }
    let malicious = active(outcome)
        .filter(|m| m.kind == MatchKind::Malicious)
        .count();
    let total = active(outcome).count() - malicious;
    let suppressed = outcome.matches.len() - total - malicious;
    let unknown = active(outcome)
        .filter(|m| matches!(m.status, MatchStatus::CouldNotEvaluate(_)))
        .count();
    if !outcome.not_checked.is_empty() {
        let _ = writeln!(
            out,
            "\nINCOMPLETE: {} part(s) not checked",
            outcome.not_checked.len()
        );
        for n in &outcome.not_checked {
            let _ = writeln!(out, "  {n}");
        }
    }
    let malicious = if malicious == 0 {
        String::new()
    } else {
        format!(
            "{malicious} malicious package{}, ",
            if malicious == 1 { "" } else { "s" }
        )
    };
    let _ = writeln!(
        out,
        "\n{malicious}{total} vulnerabilit{} in {} component(s) checked, {suppressed} suppressed, {unknown} could not be evaluated\nadvisory database {}",
        if total == 1 { "y" } else { "ies" },
        outcome.components,
        outcome.db_digest
    );
    // Advisory summaries, package names and paths are untrusted: escape them for the terminal.
    crate::terminal::sanitize(out.trim_start_matches('\n')).into_owned()
}

/// vouch's JSON: the report's fields plus `database.digest`, `matches` and `expired_ignores`.
pub fn json(outcome: &MatchOutcome, expired: &[Expired], tool_version: &str) -> String {
    let findings: Vec<&crate::Finding> = outcome.matches.iter().map(|m| &m.finding).collect();
    let matches: Vec<Value> = outcome
        .matches
        .iter()
        .map(|m| {
            let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.remove("finding");
                o.remove("details");
                o.insert(
                    "suppressed".into(),
                    serde_json::to_value(&m.finding.suppressed).unwrap_or(Value::Null),
                );
            }
            v
        })
        .collect();
    pretty(&json!({
        "tool": "vouch",
        "version": tool_version,
        "database": {"digest": outcome.db_digest},
        "components_checked": outcome.components,
        "complete": outcome.not_checked.is_empty(),
        "not_checked": outcome.not_checked,
        "findings": findings,
        "matches": matches,
        "expired_ignores": expired,
    }))
}

/// SARIF 2.1.0 via `vouch_report`, with the database digest in `runs[0].properties`.
pub fn sarif(outcome: &MatchOutcome, tool_version: &str) -> String {
    let mut report = outcome.report("vouch", tool_version);
    report.sort();
    let mut log = crate::sarif::log(&report);
    if let Some(run) = log.runs.first_mut() {
        run.properties = Some(std::collections::BTreeMap::from([(
            "vouch-advisory-db-digest".to_owned(),
            json!(outcome.db_digest),
        )]));
    }
    crate::render::sarif_log(&log)
}

fn cdx_method(kind: &str, vector: &str) -> Option<&'static str> {
    match kind {
        "CVSS_V4" => Some("CVSSv4"),
        "CVSS_V3" if vector.starts_with("CVSS:3.0") => Some("CVSSv3"),
        "CVSS_V3" => Some("CVSSv31"),
        "CVSS_V2" => Some("CVSSv2"),
        _ => None,
    }
}

fn source_of(id: &str) -> Value {
    let (name, url) = if id.starts_with("GHSA-") {
        (
            "GitHub Advisory Database",
            format!("https://github.com/advisories/{id}"),
        )
    } else if id.starts_with("RUSTSEC-") {
        (
            "RustSec",
            format!("https://rustsec.org/advisories/{id}.html"),
        )
    } else if id.starts_with("CVE-") {
        ("NVD", format!("https://nvd.nist.gov/vuln/detail/{id}"))
    } else {
        ("OSV", format!("https://osv.dev/vulnerability/{id}"))
    };
    json!({"name": name, "url": url})
}

/// A deterministic RFC 4122-shaped UUID from a digest (for `serialNumber` and GitLab ids).
fn uuid_from(seed: &str) -> String {
    let h = vouch_digest::Digest::sha256(seed.as_bytes()).hex();
    let h = h.as_bytes();
    let s = |r: std::ops::Range<usize>| {
        std::str::from_utf8(h.get(r).unwrap_or_default()).unwrap_or_default()
    };
    format!(
        "{}-{}-4{}-8{}-{}",
        s(0..8),
        s(8..12),
        s(13..16),
        s(17..20),
        s(20..32)
    )
}

fn vex_to_cdx_justification(j: &str) -> Option<&'static str> {
    match j {
        "vulnerable_code_not_present" => Some("code_not_present"),
        "vulnerable_code_not_in_execute_path" => Some("code_not_reachable"),
        "vulnerable_code_cannot_be_controlled_by_adversary" => {
            Some("protected_by_mitigating_control")
        }
        "inline_mitigations_already_exist" => Some("protected_by_mitigating_control"),
        "component_not_present" => Some("requires_dependency"),
        _ => None,
    }
}

/// CycloneDX 1.6 JSON: the affected components and a `vulnerabilities` array with ratings,
/// `affects` references, fixed versions as `recommendation`, and suppressions as `analysis`.
pub fn cyclonedx(outcome: &MatchOutcome, tool_version: &str) -> String {
    let mut components: Vec<Value> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for m in &outcome.matches {
        if seen.insert(m.component.purl.clone()) {
            components.push(json!({
                "type": "library",
                "bom-ref": m.component.purl,
                "name": m.component.name,
                "version": m.component.version,
                "purl": m.component.purl,
            }));
        }
    }
    let vulns: Vec<Value> = outcome
        .matches
        .iter()
        .map(|m| {
            let mut ratings: Vec<Value> = m
                .ratings
                .iter()
                .map(|r| {
                    let mut v = json!({"source": source_of(&r.advisory), "severity": r.severity.as_str()});
                    if let Some(method) = cdx_method(&r.kind, &r.vector) {
                        v["method"] = json!(method);
                        v["vector"] = json!(r.vector);
                    }
                    if let Some(s) = r.score {
                        v["score"] = json!(s);
                    }
                    v
                })
                .collect();
            if ratings.is_empty() {
                ratings.push(json!({"severity": if m.severity_source == "unrated" { "unknown" } else { m.severity.as_str() }}));
            }
            let mut references: Vec<Value> = m
                .other_ids()
                .map(|i| json!({"id": i, "source": source_of(i)}))
                .collect();
            references.sort_by_key(|r| r["id"].as_str().unwrap_or_default().to_owned());
            let mut v = json!({
                "bom-ref": format!("{}#{}", m.id, m.component.purl),
                "id": m.id,
                "source": source_of(&m.id),
                "ratings": ratings,
                "affects": [{"ref": m.component.purl, "versions": [{"version": m.component.version, "status": match m.status { MatchStatus::Affected => "affected", MatchStatus::CouldNotEvaluate(_) => "unknown" }}]}],
            });
            if !references.is_empty() {
                v["references"] = json!(references);
            }
            if let Some(s) = &m.summary {
                v["description"] = json!(s);
            }
            if let Some(d) = &m.details {
                v["detail"] = json!(d);
            }
            if m.kind == MatchKind::Malicious {
                // CWE-506 Embedded Malicious Code; vouch's kind as a property.
                v["cwes"] = json!([506]);
                v["properties"] = json!([{"name": "vouch:kind", "value": "malicious"}]);
                let action = if m.fixed.is_empty() { format!("Remove {} {}", m.component.name, m.component.version) } else { format!("Upgrade {} to {}", m.component.name, m.fixed.join(" or ")) };
                v["recommendation"] = json!(format!("{action}: the version is malicious; treat machines that installed it as compromised"));
            } else if !m.fixed.is_empty() {
                v["recommendation"] = json!(format!("Upgrade {} to {}", m.component.name, m.fixed.join(" or ")));
            }
            let advisories: Vec<Value> = m.references.iter().map(|u| json!({"url": u})).collect();
            if !advisories.is_empty() {
                v["advisories"] = json!(advisories);
            }
            if let Some(p) = &m.published {
                v["published"] = json!(p);
            }
            v["updated"] = json!(m.modified);
            if let Some(s) = &m.finding.suppressed {
                let state = match m.finding.properties.get("vex_status").and_then(Value::as_str) {
                    Some("fixed") => "resolved",
                    Some(_) => "not_affected",
                    None => "in_triage",
                };
                let mut analysis = json!({"state": state, "detail": format!("{}: {}", s.kind, s.reason)});
                if let Some(j) = m
                    .finding
                    .properties
                    .get("vex_justification")
                    .and_then(Value::as_str)
                    .and_then(vex_to_cdx_justification)
                {
                    analysis["justification"] = json!(j);
                }
                v["analysis"] = analysis;
            }
            v
        })
        .collect();
    pretty(&json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_from(&format!("{}{}", outcome.db_digest, outcome.matches.iter().map(|m| m.finding.fingerprint.as_str()).collect::<String>()))),
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "vouch", "version": tool_version}]},
            "properties": [{"name": "vouch:advisory-db-digest", "value": outcome.db_digest}],
        },
        "components": components,
        "vulnerabilities": vulns,
    }))
}

fn identifier(id: &str) -> Value {
    let ty = if id.starts_with("CVE-") {
        "cve"
    } else if id.starts_with("GHSA-") {
        "ghsa"
    } else {
        id.split('-').next().unwrap_or("osv")
    };
    let url = source_of(id)["url"].clone();
    json!({"type": ty.to_ascii_lowercase(), "name": id, "value": id, "url": url})
}

/// GitLab dependency-scanning report (`gl-dependency-scanning-report.json`, schema 15.0.7).
/// Suppressed findings are left out (GitLab cannot show them). `now` is the scan time as
/// `YYYY-MM-DDTHH:MM:SS`.
pub fn gitlab(outcome: &MatchOutcome, tool_version: &str, now: &str) -> String {
    let vulns: Vec<Value> = active(outcome)
        .map(|m| {
            let mut identifiers: Vec<Value> = vec![identifier(&m.id)];
            identifiers.extend(m.other_ids().map(|i| identifier(i)));
            if m.kind == MatchKind::Malicious {
                identifiers.push(json!({"type": "cwe", "name": "CWE-506", "value": "506", "url": "https://cwe.mitre.org/data/definitions/506.html"}));
            }
            let links: Vec<Value> = m.references.iter().map(|u| json!({"url": u})).collect();
            let mut v = json!({
                "id": uuid_from(&m.finding.fingerprint),
                "name": match m.kind {
                    MatchKind::Malicious => format!("Malicious package: {}", m.summary.clone().unwrap_or_else(|| m.id.clone())),
                    MatchKind::Vulnerability => m.summary.clone().unwrap_or_else(|| m.id.clone()),
                },
                "description": m.details.clone().or_else(|| m.summary.clone()).unwrap_or_else(|| m.id.clone()),
                "severity": if m.severity_source == "unrated" { "Unknown" } else { m.severity.gitlab() },
                "identifiers": identifiers,
                "location": {
                    "file": m.component.path.clone().unwrap_or_else(|| ".".into()),
                    "dependency": {"package": {"name": m.component.name}, "version": m.component.version},
                },
            });
            if m.kind == MatchKind::Malicious && m.fixed.is_empty() {
                v["solution"] = json!(format!("Remove {} {}; treat machines that installed it as compromised", m.component.name, m.component.version));
            } else if !m.fixed.is_empty() {
                v["solution"] = json!(format!("Upgrade {} to {}", m.component.name, m.fixed.join(" or ")));
            }
            if !links.is_empty() {
                v["links"] = json!(links);
            }
            v
        })
        .collect();
    let tool = json!({"id": "vouch", "name": "vouch", "version": tool_version, "vendor": {"name": "vouch"}});
    pretty(&json!({
        "version": "15.0.7",
        "vulnerabilities": vulns,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "dependency_scanning",
            "start_time": now,
            "end_time": now,
            "status": "success",
        },
    }))
}
