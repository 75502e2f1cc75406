//! What a verification command reports (`vouch verify`, `vouch verify-attestation`): the
//! evidence that verified, who signed it under which trust, and what was rejected with its
//! stable code. vouch-sign's `Verified<T>` and `VerifyError` are turned into this model at the
//! edge; the renderers here write it for people (stderr) or as JSON (stdout).

use serde::Serialize;
use serde_json::{Value, json};

/// Evidence that verified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accepted {
    /// The signer as JSON (`{"kind": "key", …}` or `{"kind": "certificate", …}`).
    pub signer: Value,
    /// The signer for people (`ecdsa-p256 key sha256:…`, `ID (issuer ISS)`).
    #[serde(skip)]
    pub signer_text: String,
    /// `sha256:…` of the artifact the evidence is bound to.
    pub digest: String,
    /// The trust material used, as JSON.
    pub trust: Value,
    /// The trust material for people.
    #[serde(skip)]
    pub trust_text: String,
    pub transparency_log_verified: bool,
    pub certificate_verified: bool,
    /// Authenticated signing times (RFC 3339).
    pub timestamps: Vec<String>,
    /// For attestations: the line of the JSONL file, the predicate type and the statement.
    #[serde(skip)]
    pub attestation: Option<AcceptedAttestation>,
}

/// The attestation-specific part of [`Accepted`].
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedAttestation {
    pub line: usize,
    pub predicate_type: String,
    pub statement: Value,
}

/// Evidence that did not verify or did not meet the expectations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The line of the JSONL file, for attestations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The stable code (`docs/rules/<code>.md`, `vouch explain <code>`).
    pub code: String,
    pub message: String,
}

/// `vouch verify`: one bundle against one artifact.
pub fn signature_json(bundle: &str, result: &Result<Accepted, Rejected>) -> String {
    let mut j = match result {
        Ok(a) => {
            let mut j = serde_json::to_value(a).unwrap_or(Value::Null);
            j["verdict"] = "verified".into();
            j
        }
        Err(r) => json!({"verdict": "not-verified", "code": r.code, "message": r.message}),
    };
    j["bundle"] = bundle.into();
    let mut out = j.to_string();
    out.push('\n');
    out
}

/// `vouch verify` for people (stderr).
pub fn signature_text(artifact: &str, bundle: &str, result: &Result<Accepted, Rejected>) -> String {
    let out = match result {
        Ok(a) => {
            let log = if a.transparency_log_verified {
                "transparency-log entry verified"
            } else {
                "no transparency-log entry"
            };
            format!(
                "verified: {artifact} ({}) signed by {}; {log}; trust: {}\n",
                a.digest, a.signer_text, a.trust_text
            )
        }
        Err(r) => format!(
            "error[{}]: {artifact} was not verified by {bundle}\n  {}\n",
            r.code, r.message
        ),
    };
    crate::terminal::sanitize(&out).into_owned()
}

/// `vouch verify-attestation`: every line of an attestation file against one artifact.
pub fn attestations_json(file: &str, accepted: &[Accepted], rejected: &[Rejected]) -> String {
    let verified: Vec<Value> = accepted
        .iter()
        .map(|a| {
            let mut j = serde_json::to_value(a).unwrap_or(Value::Null);
            j["verdict"] = "verified".into();
            if let Some(att) = &a.attestation {
                j["line"] = att.line.into();
                j["statement"] = att.statement.clone();
            }
            j
        })
        .collect();
    let mut out = json!({
        "verdict": if accepted.is_empty() { "not-verified" } else { "verified" },
        "attestations": file,
        "verified": verified,
        "rejected": rejected,
    })
    .to_string();
    out.push('\n');
    out
}

/// `vouch verify-attestation` for people (stderr).
pub fn attestations_text(
    artifact: &str,
    file: &str,
    accepted: &[Accepted],
    rejected: &[Rejected],
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if accepted.is_empty() {
        let _ = writeln!(
            out,
            "error: {file} has no attestation for {artifact} that verifies and meets the expectations"
        );
        for r in rejected {
            let line = r.line.map(|l| l.to_string()).unwrap_or_default();
            let _ = writeln!(out, "  line {line}: [{}] {}", r.code, r.message);
        }
    }
    for a in accepted {
        let (line, predicate) = a
            .attestation
            .as_ref()
            .map(|t| (t.line.to_string(), t.predicate_type.as_str()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "verified: {file} line {line}: {predicate} for {} signed by {}; trust: {}",
            a.digest, a.signer_text, a.trust_text
        );
    }
    crate::terminal::sanitize(&out).into_owned()
}

/// A promotion decision (`vouch gate`) for people: what the text renderer needs, filled in by
/// vouch-gate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GateView {
    pub passed: bool,
    pub name: String,
    /// `sha256:…` of the subject.
    pub digest: String,
    pub reasons: Vec<GateReason>,
    /// Evidence that verified and was used: (evidence, kind, signer).
    pub verified: Vec<(String, String, String)>,
    /// Evidence present but not used: (evidence, why).
    pub ignored: Vec<(String, String)>,
    /// Where the verification summary was written.
    pub vsa: Option<String>,
}

/// One reason to deny, for [`GateView`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GateReason {
    pub code: String,
    pub check: String,
    pub message: String,
    pub evidence: Option<String>,
    pub rule: Option<String>,
}

/// `vouch gate` for people: the decision and its reasons (for stderr). The reference to
/// promote is data and goes to stdout separately.
pub fn gate_text(g: &GateView) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if g.passed {
        let _ = writeln!(out, "gate: pass: {} ({})", g.name, g.digest);
    } else {
        let _ = writeln!(
            out,
            "gate: deny: {} ({}): {} reason(s)",
            g.name,
            g.digest,
            g.reasons.len()
        );
    }
    for r in &g.reasons {
        let at = r
            .evidence
            .as_deref()
            .map(|e| format!(" {e}:"))
            .unwrap_or_default();
        let rule = r
            .rule
            .as_deref()
            .map(|e| format!(" (rule {e})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  error[{}] {}:{at} {}{rule}",
            r.code, r.check, r.message
        );
    }
    for (evidence, kind, signer) in &g.verified {
        let _ = writeln!(out, "  verified: {evidence} ({kind}) signed by {signer}");
    }
    for (evidence, why) in &g.ignored {
        let _ = writeln!(out, "  not used: {evidence}: {why}");
    }
    if !g.reasons.is_empty() {
        let _ = writeln!(
            out,
            "\nhint: `vouch explain <code>` prints what each code means and how to fix it"
        );
    }
    match (g.passed, g.vsa.as_deref()) {
        (true, Some(p)) => {
            let _ = writeln!(out, "wrote verification summary to {p}");
        }
        (true, None) => {
            let _ = writeln!(out, "no --key given: no verification summary written");
        }
        _ => {}
    }
    crate::terminal::sanitize(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted() -> Accepted {
        Accepted {
            signer: json!({"kind": "key", "fingerprint": "sha256:ab"}),
            signer_text: "ecdsa-p256 key sha256:ab".into(),
            digest: "sha256:cd".into(),
            trust: json!({"kind": "custom", "name": "root.json"}),
            trust_text: "trusted root root.json".into(),
            transparency_log_verified: false,
            certificate_verified: false,
            timestamps: vec![],
            attestation: None,
        }
    }

    #[test]
    fn signature_json_has_the_verdict_the_fields_and_the_bundle() {
        let j: Value = serde_json::from_str(&signature_json("b.json", &Ok(accepted()))).unwrap();
        assert_eq!(j["verdict"], "verified");
        assert_eq!(j["digest"], "sha256:cd");
        assert_eq!(j["bundle"], "b.json");
        assert_eq!(j["signer"]["kind"], "key");
        assert!(j.get("signer_text").is_none());
        let r = Rejected {
            line: None,
            code: "invalid-signature".into(),
            message: "the signature does not verify".into(),
        };
        let j: Value = serde_json::from_str(&signature_json("b.json", &Err(r))).unwrap();
        assert_eq!(
            j,
            json!({"verdict": "not-verified", "code": "invalid-signature",
                   "message": "the signature does not verify", "bundle": "b.json"})
        );
    }

    #[test]
    fn text_names_artifact_digest_signer_and_escapes_control_characters() {
        let t = signature_text("a\x1b[2Jb", "b.json", &Ok(accepted()));
        assert!(!t.contains('\x1b'), "{t:?}");
        assert!(t.ends_with(
            "(sha256:cd) signed by ecdsa-p256 key sha256:ab; no transparency-log entry; trust: trusted root root.json\n"
        ));
    }

    #[test]
    fn gate_text_lists_reasons_with_code_check_evidence_and_rule() {
        let g = GateView {
            passed: false,
            name: "app.tar".into(),
            digest: "sha256:ab".into(),
            reasons: vec![GateReason {
                code: "policy-denied".into(),
                check: "rego".into(),
                message: "no".into(),
                evidence: Some("gate.rego".into()),
                rule: Some("data.gate.deny".into()),
            }],
            ..GateView::default()
        };
        assert_eq!(
            gate_text(&g),
            "gate: deny: app.tar (sha256:ab): 1 reason(s)\n  error[policy-denied] rego: gate.rego: no (rule data.gate.deny)\n\nhint: `vouch explain <code>` prints what each code means and how to fix it\n"
        );
    }

    #[test]
    fn attestations_without_an_accepted_one_list_every_rejection() {
        let r = Rejected {
            line: Some(2),
            code: "subject-mismatch".into(),
            message: "no subject has the artifact's digest".into(),
        };
        let t = attestations_text("app", "att.jsonl", &[], std::slice::from_ref(&r));
        assert_eq!(
            t,
            "error: att.jsonl has no attestation for app that verifies and meets the expectations\n  line 2: [subject-mismatch] no subject has the artifact's digest\n"
        );
        let j: Value = serde_json::from_str(&attestations_json("att.jsonl", &[], &[r])).unwrap();
        assert_eq!(j["verdict"], "not-verified");
        assert_eq!(j["rejected"][0]["line"], 2);
    }
}
