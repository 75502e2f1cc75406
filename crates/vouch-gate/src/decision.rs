//! What the gate decided, and why.

use serde::Serialize;
use vouch_digest::Digest;
use vouch_sign::verify::Signer;

/// Pass or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Pass,
    Deny,
}

/// Which part of the gate produced a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The signature bundle over the artifact.
    Signature,
    /// SLSA provenance attestations and the provenance policy.
    Provenance,
    /// The SBOM file and the SBOM attestation binding it to the artifact.
    Sbom,
    /// Other attestations (`[attestations] required`) and unreadable attestation files.
    Attestation,
    /// Vulnerabilities matched from the verified SBOM.
    Vulnerabilities,
    /// `vouch check` findings.
    Check,
    /// Leaked secrets.
    Secrets,
    /// The policy's Rego rules.
    Rego,
    /// `[rebuilds]`: k-of-n independent rebuilds of the subject's digest.
    Rebuilds,
    /// Other tools' SARIF results (`[sarif]`, `--sarif`).
    Sarif,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Signature => "signature",
            Check::Provenance => "provenance",
            Check::Sbom => "sbom",
            Check::Attestation => "attestation",
            Check::Vulnerabilities => "vulnerabilities",
            Check::Check => "check",
            Check::Secrets => "secrets",
            Check::Rego => "rego",
            Check::Rebuilds => "rebuilds",
            Check::Sarif => "sarif",
        }
    }
}

/// One reason to deny. `code` is stable and documented under `docs/rules/<code>.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub check: Check,
    pub code: &'static str,
    pub message: String,
    /// The evidence the reason is about: `signature.bundle`, `provenance.intoto.jsonl:1`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// For Rego reasons: the rule that denied (`<package>.deny`, or the `id` it gave).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Reason {
    pub(crate) fn new(check: Check, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            check,
            code,
            message: message.into(),
            evidence: None,
            rule: None,
        }
    }

    #[must_use]
    pub(crate) fn at(mut self, evidence: impl Into<String>) -> Self {
        self.evidence = Some(evidence.into());
        self
    }
}

/// The artifact the decision is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactInfo {
    pub name: String,
    /// The subject's digest (`sha256:<hex>`).
    pub digest: Digest,
}

/// A piece of evidence that verified and was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsedEvidence {
    /// File name, with `:<line>` for a line of an attestation file.
    pub evidence: String,
    /// `signature`, or the attestation's predicate type.
    pub kind: String,
    /// SHA-256 of the bundle as stored (the line's bytes).
    pub digest: Digest,
    pub signer: Signer,
    pub tlog_verified: bool,
}

/// Evidence that was present but not used (e.g. an extra attestation that does not verify
/// while another of the same kind does, or an earlier verification summary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    pub evidence: String,
    pub why: String,
}

/// The gate's decision: the outcome and every reason, plus what was verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub artifact: ArtifactInfo,
    pub reasons: Vec<Reason>,
    /// The signature and attestations that verified and were used, in evaluation order.
    pub verified: Vec<UsedEvidence>,
    pub ignored: Vec<Ignored>,
    /// SARIF inputs no signature covers (`--sarif` files), used as they are: the summary of
    /// a pass names them as unsigned input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsigned: Vec<crate::sarif::UnsignedInput>,
}

impl Decision {
    /// Adds a deny reason that the caller found about the gate's own inputs (an advisory
    /// database older than the policy allows: `advisory-db-stale`), and denies.
    pub fn deny(&mut self, check: Check, code: &'static str, message: impl Into<String>) {
        self.reasons.push(Reason::new(check, code, message));
        self.outcome = Outcome::Deny;
    }

    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Pass
    }

    /// The reference to promote on a pass: `sha256:<hex>`.
    pub fn promote(&self) -> Option<&Digest> {
        self.passed().then_some(&self.artifact.digest)
    }

    /// The reason codes, in order (handy for tests and logs).
    pub fn codes(&self) -> Vec<(Check, &'static str)> {
        self.reasons.iter().map(|r| (r.check, r.code)).collect()
    }
}

/// What the gate reports: the decision, the reference to promote on a pass, and where the
/// verification summary was written (if it was). Serialized as the decision's fields plus
/// `promote` and `vsa` (the `--format json` output of `vouch gate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub decision: Decision,
    pub promote: Option<Digest>,
    pub vsa: Option<String>,
}

impl Report {
    /// The report of `decision`; `vsa` names the summary written for a pass.
    pub fn new(decision: Decision, vsa: Option<String>) -> Self {
        Self {
            promote: decision.promote().cloned(),
            decision,
            vsa,
        }
    }
}

impl Report {
    /// The decision as report data for [`vouch_report::verdict::gate_text`].
    pub fn view(&self) -> vouch_report::verdict::GateView {
        let d = &self.decision;
        vouch_report::verdict::GateView {
            passed: d.passed(),
            name: d.artifact.name.clone(),
            digest: d.artifact.digest.to_string(),
            reasons: d
                .reasons
                .iter()
                .map(|r| vouch_report::verdict::GateReason {
                    code: r.code.to_owned(),
                    check: r.check.as_str().to_owned(),
                    message: r.message.clone(),
                    evidence: r.evidence.clone(),
                    rule: r.rule.clone(),
                })
                .collect(),
            verified: d
                .verified
                .iter()
                .map(|u| (u.evidence.clone(), u.kind.clone(), u.signer.to_string()))
                .collect(),
            ignored: d
                .ignored
                .iter()
                .map(|i| (i.evidence.clone(), i.why.clone()))
                .chain(d.unsigned.iter().map(|u| {
                    (
                        u.evidence.clone(),
                        format!("used as unsigned input ({})", u.tools.join(", ")),
                    )
                }))
                .collect(),
            vsa: self.vsa.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(outcome: Outcome) -> Decision {
        Decision {
            outcome,
            artifact: ArtifactInfo {
                name: "app".into(),
                digest: Digest::sha256(b"app"),
            },
            reasons: vec![],
            verified: vec![],
            ignored: vec![],
            unsigned: vec![],
        }
    }

    #[test]
    fn a_report_flattens_the_decision_and_adds_promote_and_vsa() {
        let pass = Report::new(decision(Outcome::Pass), Some("vsa.intoto.jsonl".into()));
        let v = serde_json::to_value(&pass).unwrap();
        assert_eq!(v["outcome"], "pass");
        assert_eq!(v["artifact"]["digest"], Digest::sha256(b"app").to_string());
        assert_eq!(v["promote"], Digest::sha256(b"app").to_string());
        assert_eq!(v["vsa"], "vsa.intoto.jsonl");
        let deny = serde_json::to_value(Report::new(decision(Outcome::Deny), None)).unwrap();
        assert_eq!(deny["promote"], serde_json::Value::Null);
        assert_eq!(deny["vsa"], serde_json::Value::Null);
    }
}
