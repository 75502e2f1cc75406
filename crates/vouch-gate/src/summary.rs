//! The verification summary (SLSA VSA v1) written on a pass.

use std::collections::BTreeMap;

use vouch_attest::Statement;
use vouch_attest::slsa::ResourceDescriptor;
use vouch_attest::statement::Subject;
use vouch_attest::vsa::{PolicyRef, VerificationResult, VerificationSummary, Verifier};
use vouch_digest::Digest;

use crate::decision::Decision;
use crate::policy::Policy;

/// `verifiedLevels` when the policy does not set `[vsa] levels`: provenance verified under a
/// trusted signer. Higher build levels depend on how the signing key or identity is protected
/// on the build platform, which the gate cannot see; the operator claims them in the policy.
pub const DEFAULT_LEVELS: &[&str] = &["SLSA_BUILD_LEVEL_1"];

/// The policy as the summary names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// `[vsa] policy-uri`, else the policy file's name.
    pub uri: String,
    /// SHA-256 of the policy file's bytes.
    pub sha256: Digest,
    /// `(name, SHA-256)` of each Rego module the policy named.
    pub modules: Vec<(String, Digest)>,
}

/// Percent-encode a purl name segment.
fn purl_name(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The resource URI: `[vsa] resource-uri` + `@sha256:…`, else
/// `pkg:generic/<name>?checksum=sha256:…`.
pub fn resource_uri(policy: &Policy, decision: &Decision) -> String {
    match &policy.vsa.resource_uri {
        Some(u) => format!("{u}@{}", decision.artifact.digest),
        None => format!(
            "pkg:generic/{}?checksum={}",
            purl_name(&decision.artifact.name),
            decision.artifact.digest
        ),
    }
}

/// The in-toto statement of a VSA for a passed decision; `None` for a denial (the gate never
/// signs a summary of a failure).
pub fn summary(
    decision: &Decision,
    policy: &Policy,
    source: &PolicySource,
    time_verified: jiff::Timestamp,
    vouch_version: &str,
) -> Option<Statement> {
    if !decision.passed() {
        return None;
    }
    let mut annotations = BTreeMap::new();
    if !source.modules.is_empty() {
        let modules: serde_json::Map<String, serde_json::Value> = source
            .modules
            .iter()
            .map(|(n, d)| (n.clone(), serde_json::json!({ "sha256": d.hex() })))
            .collect();
        annotations.insert("regoModules".to_owned(), serde_json::Value::Object(modules));
    }
    // SARIF no signature covers: named, with its digest, so a reader of the summary knows
    // the decision rested on unsigned input.
    if !decision.unsigned.is_empty() {
        let inputs: Vec<serde_json::Value> = decision
            .unsigned
            .iter()
            .map(|u| {
                serde_json::json!({
                    "uri": u.evidence,
                    "digest": { "sha256": u.digest.hex() },
                    "tools": u.tools,
                    "note": "unsigned input",
                })
            })
            .collect();
        annotations.insert(
            "unsignedInputs".to_owned(),
            serde_json::Value::Array(inputs),
        );
    }
    let input_attestations = decision
        .verified
        .iter()
        .filter(|u| u.kind != "signature")
        .map(|u| ResourceDescriptor {
            uri: Some(u.evidence.clone()),
            digest: BTreeMap::from([("sha256".to_owned(), u.digest.hex())]),
            name: None,
        })
        .collect();
    let levels = policy
        .vsa
        .levels
        .clone()
        .unwrap_or_else(|| DEFAULT_LEVELS.iter().map(|s| (*s).to_owned()).collect());
    let vsa = VerificationSummary {
        verifier: Verifier {
            id: policy.vsa.verifier_id.clone(),
            version: BTreeMap::from([("vouch".to_owned(), vouch_version.to_owned())]),
        },
        time_verified: time_verified.to_string(),
        resource_uri: resource_uri(policy, decision),
        policy: PolicyRef {
            uri: Some(source.uri.clone()),
            digest: BTreeMap::from([("sha256".to_owned(), source.sha256.hex())]),
            annotations,
        },
        input_attestations,
        verification_result: VerificationResult::Passed,
        verified_levels: levels,
        dependency_levels: BTreeMap::new(),
        slsa_version: Some("1.0".to_owned()),
    };
    Some(vsa.into_statement(vec![Subject::new(
        decision.artifact.name.clone(),
        decision.artifact.digest.clone(),
    )]))
}
