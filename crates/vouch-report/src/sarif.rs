//! SARIF 2.1.0 as a value: the part of the schema vouch writes, as serde structs, built from a
//! [`Report`] by [`log`]. A caller that adds to the document (vouch-advisory puts the database
//! digest in `runs[0].properties`) edits the value, never rendered text;
//! [`crate::render::sarif`] serialises it.
//!
//! Fields are declared in the byte order of their JSON names, so the document prints with
//! sorted keys, as vouch's other JSON does.

pub mod read;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::{Report, Severity};

/// The whole SARIF document (`sarifLog`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub runs: Vec<Run>,
    pub version: String,
}

/// One run of one tool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub invocations: Vec<Invocation>,
    /// Run-level properties (vouch-advisory: the advisory database digest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<String, Value>>,
    pub results: Vec<SarifResult>,
    pub tool: Tool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub information_uri: String,
    pub name: String,
    pub rules: Vec<Rule>,
    pub version: String,
}

/// A `reportingDescriptor`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub default_configuration: Configuration,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_description: Option<Message>,
    /// For vouch's own rules: the command that prints the rule's page (`vouch explain ID`), as
    /// `helpUri` is the page's path in vouch's repository, not a URL a viewer can open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    pub id: String,
    pub name: String,
    pub properties: RuleProperties,
    pub short_description: Message,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Configuration {
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleProperties {
    /// GitHub code scanning reads it as a CVSS-like score string.
    #[serde(rename = "security-severity")]
    pub security_severity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub text: String,
}

/// A `result`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub level: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<SarifLocation>>,
    pub message: Message,
    pub partial_fingerprints: BTreeMap<String, String>,
    /// `severity`, then the finding's own properties.
    pub properties: BTreeMap<String, Value>,
    pub rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressions: Option<Vec<SarifSuppression>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifLocation {
    pub physical_location: PhysicalLocation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactLocation {
    pub uri: String,
}

/// 1-based positions (a 0 in the report is written as 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SarifSuppression {
    pub justification: String,
    pub kind: String,
}

/// `invocations[0]`: `executionSuccessful` is false when anything was not checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    pub tool_execution_notifications: Vec<Notification>,
}

/// One thing not checked: level `error`, the check as `descriptor.id`, the file as location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub descriptor: Descriptor,
    pub level: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<SarifLocation>>,
    pub message: Message,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Descriptor {
    pub id: String,
}

fn text(s: impl Into<String>) -> Message {
    Message { text: s.into() }
}

fn at(uri: &str, region: Option<Region>) -> Vec<SarifLocation> {
    vec![SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri.to_owned(),
            },
            region,
        },
    }]
}

/// GitHub code scanning reads `security-severity` as a CVSS-like score string.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "0.0",
        Severity::Low => "3.0",
        Severity::Medium => "5.5",
        Severity::High => "8.0",
        Severity::Critical => "9.5",
    }
}

/// The SARIF document for `report` (one run). Suppressed findings carry a `suppressions`
/// entry, as the spec asks.
pub fn log(report: &Report) -> Log {
    let rules = report
        .rules
        .iter()
        .map(|r| Rule {
            default_configuration: Configuration {
                level: r.default_severity.sarif_level().to_owned(),
            },
            full_description: r.description.as_deref().map(text),
            help: r
                .help_uri
                .as_deref()
                .filter(|u| u.starts_with("docs/rules/"))
                .map(|u| {
                    text(format!(
                        "`vouch explain {}` prints this rule's page ({u} in vouch's source)",
                        r.id
                    ))
                }),
            help_uri: r.help_uri.clone(),
            id: r.id.clone(),
            name: r.id.clone(),
            properties: RuleProperties {
                security_severity: security_severity(r.default_severity).to_owned(),
            },
            short_description: text(r.title.as_str()),
        })
        .collect();
    let results = report
        .findings
        .iter()
        .map(|f| {
            let mut properties = BTreeMap::from([(
                "severity".to_owned(),
                Value::String(f.severity.as_str().to_owned()),
            )]);
            properties.extend(f.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
            let locations = f.location.as_ref().map(|loc| {
                let region = Region {
                    end_column: loc.end_column.map(|c| c.max(1)),
                    end_line: loc.end_line.map(|l| l.max(1)),
                    start_column: loc.column.map(|c| c.max(1)),
                    start_line: loc.line.map(|l| l.max(1)),
                };
                let empty = region
                    == Region {
                        end_column: None,
                        end_line: None,
                        start_column: None,
                        start_line: None,
                    };
                at(&loc.path, (!empty).then_some(region))
            });
            SarifResult {
                level: f.severity.sarif_level().to_owned(),
                locations,
                message: text(f.message.as_str()),
                partial_fingerprints: BTreeMap::from([(
                    "vouch/v1".to_owned(),
                    f.fingerprint.clone(),
                )]),
                properties,
                rule_id: f.rule_id.clone(),
                rule_index: report.rules.iter().position(|r| r.id == f.rule_id),
                suppressions: f.suppressed.as_ref().map(|s| {
                    vec![SarifSuppression {
                        justification: format!("{}: {}", s.kind, s.reason),
                        kind: "external".to_owned(),
                    }]
                }),
            }
        })
        .collect();
    let notifications = report
        .not_checked
        .iter()
        .map(|n| Notification {
            descriptor: Descriptor {
                id: n.check.clone(),
            },
            level: "error".to_owned(),
            locations: n.path.as_deref().map(|p| at(p, None)),
            message: text(n.to_string()),
        })
        .collect();
    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json".to_owned(),
        runs: vec![Run {
            invocations: vec![Invocation {
                execution_successful: report.not_checked.is_empty(),
                tool_execution_notifications: notifications,
            }],
            properties: None,
            results,
            tool: Tool {
                driver: Driver {
                    information_uri: "https://example.invalid/vouch".to_owned(),
                    name: report.tool.clone(),
                    rules,
                    version: report.version.clone(),
                },
            },
        }],
        version: "2.1.0".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Finding, Location, NotChecked, RuleMeta, Suppression};

    fn report() -> Report {
        let mut report = Report::new("vouch", "1.2.3");
        report.rules.push(RuleMeta {
            id: "r1".into(),
            title: "Rule one".into(),
            default_severity: Severity::High,
            description: Some("why".into()),
            help_uri: Some("https://example.invalid/r1".into()),
        });
        let mut f = Finding::new("r1", Severity::High, "message");
        let mut loc = Location::new("a/b.yml");
        loc.line = Some(0);
        loc.end_column = Some(4);
        f.location = Some(loc);
        f.properties.insert("zeta".into(), Value::from(1));
        f.properties.insert("alpha".into(), Value::from("x"));
        f.suppressed = Some(Suppression {
            kind: "ignore-file".into(),
            reason: "accepted".into(),
        });
        report.findings.push(f);
        report
            .findings
            .push(Finding::new("other", Severity::Low, "no location"));
        report.not_checked.push(NotChecked {
            check: "policy".into(),
            path: Some("x.yml".into()),
            reason: "unreadable".into(),
        });
        report
    }

    #[test]
    fn vouch_rules_name_the_explain_command_others_keep_their_url() {
        let mut r = report();
        r.rules.push(RuleMeta {
            id: "dockerfile-latest-tag".into(),
            title: "t".into(),
            default_severity: Severity::Low,
            description: None,
            help_uri: Some("docs/rules/dockerfile-latest-tag.md".into()),
        });
        let log = log(&r);
        let rules = &log.runs[0].tool.driver.rules;
        assert_eq!(rules[0].help, None);
        assert_eq!(
            rules[1].help.as_ref().map(|m| m.text.as_str()),
            Some(
                "`vouch explain dockerfile-latest-tag` prints this rule's page (docs/rules/dockerfile-latest-tag.md in vouch's source)"
            )
        );
    }

    #[test]
    fn the_value_prints_with_sorted_keys() {
        let log = log(&report());
        let direct = serde_json::to_string_pretty(&log).unwrap();
        // Through `Value` (a sorted map): the same text, so field order is key order.
        let sorted = serde_json::to_string_pretty(&serde_json::to_value(&log).unwrap()).unwrap();
        assert_eq!(direct, sorted);
    }

    #[test]
    fn results_rules_and_notifications() {
        let log = log(&report());
        let run = &log.runs[0];
        assert_eq!(run.results[0].rule_index, Some(0));
        assert_eq!(run.results[1].rule_index, None);
        assert!(run.results[1].locations.is_none());
        let region = run.results[0].locations.as_ref().unwrap()[0]
            .physical_location
            .region
            .clone()
            .unwrap();
        assert_eq!((region.start_line, region.end_column), (Some(1), Some(4)));
        assert_eq!(
            run.results[0].suppressions.as_ref().unwrap()[0].justification,
            "ignore-file: accepted"
        );
        assert_eq!(run.results[0].properties["severity"], "high");
        assert!(!run.invocations[0].execution_successful);
        assert_eq!(
            run.invocations[0].tool_execution_notifications[0]
                .descriptor
                .id,
            "policy"
        );
        let v = serde_json::to_value(&log).unwrap();
        assert_eq!(
            v["$schema"],
            "https://json.schemastore.org/sarif-2.1.0.json"
        );
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"],
            "8.0"
        );
        assert!(v["runs"][0].get("properties").is_none());
    }
}
