//! Other tools' SARIF in the gate (`[sarif]`, `vouch gate --sarif FILE`): every result read by
//! [`vouch_report::sarif::read`] from the `--sarif` files (unsigned input) and from verified
//! SARIF attestations ([`vouch_attest::sarif::PREDICATE_SARIF`]) is a `sarif-finding` reason
//! when it is a finding (kind `fail`, not only in the baseline), not suppressed in the log, not
//! on its tool's `allow-rules`, at or above its tool's `fail-on`, and not ignored by an
//! unexpired entry of `[sarif] ignore`. A required tool with no SARIF is `sarif-tool-missing`;
//! with `require-signed`, every `--sarif` file is `sarif-unsigned` and counts for nothing.
//! Suppressed, allowed and ignored results are listed as ignored, never silently dropped.

use serde::Serialize;
use vouch_advisory::suppress::Date;
use vouch_policy::suppress::IgnoreFile;
use vouch_report::sarif::read::{self, Level, SarifLog, ToolResult, ToolRun};

use crate::decision::{Check, Ignored, Reason};
use crate::evidence::EvidenceFile;
use crate::policy::{Sarif, SarifTool};

/// Longest result message quoted in a reason (characters).
const MAX_MESSAGE: usize = 300;

/// The SARIF the caller hands the gate besides the attestations.
#[derive(Debug, Clone, Copy, Default)]
pub struct SarifInputs<'a> {
    /// `--sarif` files: unsigned input, named by their file name.
    pub files: &'a [EvidenceFile],
    /// `[sarif] ignore` ([`crate::Loaded::sarif_ignore`]).
    pub ignore: Option<&'a IgnoreFile>,
}

/// A SARIF input that no signature covers (a `--sarif` file), as the decision and the
/// verification summary name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnsignedInput {
    pub evidence: String,
    /// SHA-256 of the file.
    pub digest: vouch_digest::Digest,
    /// The tools whose runs it holds (short names).
    pub tools: Vec<String>,
}

/// A verified SARIF attestation's predicate (the log), with who signed it.
pub(crate) struct Signed<'a> {
    pub evidence: String,
    pub signer: String,
    pub predicate: &'a serde_json::Value,
}

#[derive(Default)]
pub(crate) struct Outcome {
    pub reasons: Vec<Reason>,
    pub ignored: Vec<Ignored>,
    pub unsigned: Vec<UnsignedInput>,
}

/// Where a log came from, for the reason's wording.
enum Origin {
    Unsigned,
    Signed(String),
}

fn tool_settings<'p>(policy: &'p Sarif, run: &ToolRun) -> Option<&'p SarifTool> {
    policy
        .tools
        .iter()
        .find(|(name, _)| run.is_named(name))
        .map(|(_, t)| t)
}

fn short(message: &str) -> String {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one_line.chars().take(MAX_MESSAGE).collect();
    if one_line.chars().count() > MAX_MESSAGE {
        out.push('…');
    }
    vouch_secrets::redact(&out)
}

/// The SARIF check. `Err` when a log cannot be read (the caller exits 2, naming the file).
pub(crate) fn check(
    policy: &Sarif,
    inputs: SarifInputs<'_>,
    signed: &[Signed<'_>],
    today: Date,
) -> Result<Outcome, read::ReadError> {
    let mut out = Outcome::default();
    let mut logs: Vec<(String, Origin, SarifLog)> = Vec::new();
    let mut files: Vec<&EvidenceFile> = inputs.files.iter().collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    for f in files {
        let log = read::parse(&f.bytes, &f.name)?;
        let tools: Vec<String> = log.runs.iter().map(ToolRun::key).collect();
        if policy.require_signed {
            out.reasons.push(
                Reason::new(
                    Check::Sarif,
                    "sarif-unsigned",
                    format!(
                        "{} is unsigned input ({}) and the policy has require-signed = true: only SARIF from a verified attestation counts",
                        f.name,
                        tools.join(", ")
                    ),
                )
                .at(f.name.clone()),
            );
            continue;
        }
        out.unsigned.push(UnsignedInput {
            evidence: f.name.clone(),
            digest: vouch_digest::Digest::sha256(&f.bytes),
            tools,
        });
        logs.push((f.name.clone(), Origin::Unsigned, log));
    }
    for s in signed {
        let bytes = serde_json::to_vec(s.predicate).unwrap_or_default();
        let log = read::parse(&bytes, &s.evidence)?;
        logs.push((s.evidence.clone(), Origin::Signed(s.signer.clone()), log));
    }

    for (evidence, origin, log) in &logs {
        for run in &log.runs {
            let settings = tool_settings(policy, run);
            let fail_on = settings.and_then(|t| t.fail_on).unwrap_or(policy.fail_on);
            let key = run.key();
            for r in run.results.iter().filter(|r| r.is_finding()) {
                if let Some(reason) = judge(
                    &key, r, evidence, origin, settings, fail_on, inputs, today, &mut out,
                ) {
                    out.reasons.push(reason);
                }
            }
        }
    }

    for want in &policy.required_tools {
        let found = logs
            .iter()
            .any(|(_, _, log)| log.runs.iter().any(|run| run.is_named(want)));
        if !found {
            let from = if policy.require_signed {
                "no verified SARIF attestation"
            } else {
                "no --sarif file and no verified SARIF attestation"
            };
            out.reasons.push(Reason::new(
                Check::Sarif,
                "sarif-tool-missing",
                format!(
                    "required tool `{want}` has no SARIF results ({from} names it): a scan that did not run is never a pass"
                ),
            ));
        }
    }
    Ok(out)
}

/// One finding: a reason, or listed as ignored (suppressed, allowed, ignore entry), or
/// nothing (below the threshold).
#[allow(clippy::too_many_arguments)]
fn judge(
    tool: &str,
    r: &ToolResult,
    evidence: &str,
    origin: &Origin,
    settings: Option<&SarifTool>,
    fail_on: Level,
    inputs: SarifInputs<'_>,
    today: Date,
    out: &mut Outcome,
) -> Option<Reason> {
    let ns = format!("{tool}/{}", r.rule());
    let place = r.place();
    let at = format!("{evidence}: {}", r.path);
    if let Some(s) = &r.suppressed {
        let why = s
            .justification
            .as_deref()
            .map(|j| format!(": {}", short(j)))
            .unwrap_or_default();
        out.ignored.push(Ignored {
            evidence: at,
            why: format!(
                "{ns} at {place}: suppressed in the SARIF log ({}){why}",
                s.kind
            ),
        });
        return None;
    }
    if settings.is_some_and(|t| t.allow_rules.iter().any(|a| a == &r.rule_id || a == &ns)) {
        out.ignored.push(Ignored {
            evidence: at,
            why: format!("{ns} at {place}: on the tool's allow-rules"),
        });
        return None;
    }
    if r.level < fail_on {
        return None;
    }
    let path = r.uri.as_deref().unwrap_or("");
    let mut expired_note = String::new();
    if let Some(ignore) = inputs.ignore {
        let hit = ignore
            .matching(&ns, path, today)
            .or_else(|| ignore.matching(&r.rule_id, path, today));
        if let Some(e) = hit {
            out.ignored.push(Ignored {
                evidence: at,
                why: format!(
                    "{ns} at {place}: ignore entry at {}:{} until {} ({})",
                    ignore.path, e.line, e.expires, e.reason
                ),
            });
            return None;
        }
        if let Some(e) = ignore
            .expired(today)
            .find(|e| e.matches(&ns, path) || e.matches(&r.rule_id, path))
        {
            expired_note = format!(
                "; the ignore entry at {}:{} expired on {}",
                ignore.path, e.line, e.expires
            );
        }
    }
    let source = match origin {
        Origin::Unsigned => "unsigned input".to_owned(),
        Origin::Signed(signer) => format!("signed by {signer}"),
    };
    let message = if r.message.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", short(&r.message))
    };
    let mut reason = Reason::new(
        Check::Sarif,
        "sarif-finding",
        format!(
            "{tool} rule {} at {place}{message} (level {}, at or above `{fail_on}`; {source}){expired_note}",
            r.rule(),
            r.level
        ),
    )
    .at(evidence.to_owned());
    reason.rule = Some(ns);
    Some(reason)
}
