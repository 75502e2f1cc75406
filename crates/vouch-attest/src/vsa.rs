//! SLSA Verification Summary Attestation (VSA) v1 predicate.
//!
//! A VSA says that a verifier checked an artifact against a policy, when, with which input
//! attestations, and with what result. `vouch gate` writes one on a pass so that admission
//! control can trust one signed summary instead of re-checking every piece of evidence.
//! Specification: <https://slsa.dev/spec/v1.0/verification_summary>.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::slsa::ResourceDescriptor;
use crate::statement::{Statement, Subject};

/// `predicateType` of SLSA VSA v1.
pub const VSA_V1: &str = "https://slsa.dev/verification_summary/v1";

/// The verification result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerificationResult {
    #[serde(rename = "PASSED")]
    Passed,
    #[serde(rename = "FAILED")]
    Failed,
}

/// Who verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verifier {
    pub id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub version: BTreeMap<String, String>,
}

/// The policy an artifact was verified against: its URI and digest. `annotations` may carry
/// more (vouch lists the digests of the Rego modules the policy named).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, serde_json::Value>,
}

/// A SLSA VSA v1 predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationSummary {
    pub verifier: Verifier,
    /// RFC 3339 time of the verification.
    pub time_verified: String,
    /// The resource the artifact was verified as (vouch: a `pkg:generic` purl with a checksum,
    /// or the policy's `resource-uri` with `@sha256:` and the digest).
    pub resource_uri: String,
    pub policy: PolicyRef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_attestations: Vec<ResourceDescriptor>,
    pub verification_result: VerificationResult,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verified_levels: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependency_levels: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slsa_version: Option<String>,
}

/// A predicate that is not a valid VSA v1.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VsaError {
    #[error("verification summary does not match the SLSA VSA v1 schema")]
    Json(#[source] serde_json::Error),
    #[error("verification summary is missing the required field `{field}`")]
    MissingField { field: &'static str },
    #[error("verification summary `timeVerified` `{found}` is not an RFC 3339 time")]
    Time { found: String },
}

impl VerificationSummary {
    /// Read and validate a predicate (required fields non-empty, `timeVerified` RFC 3339).
    pub fn parse(value: &serde_json::Value) -> Result<Self, VsaError> {
        let vsa: VerificationSummary =
            serde_json::from_value(value.clone()).map_err(VsaError::Json)?;
        if vsa.verifier.id.is_empty() {
            return Err(VsaError::MissingField {
                field: "verifier.id",
            });
        }
        if vsa.resource_uri.is_empty() {
            return Err(VsaError::MissingField {
                field: "resourceUri",
            });
        }
        if vsa.time_verified.parse::<jiff::Timestamp>().is_err() {
            return Err(VsaError::Time {
                found: vsa.time_verified.clone(),
            });
        }
        Ok(vsa)
    }

    /// The in-toto statement about `subject` carrying this predicate.
    pub fn into_statement(self, subject: Vec<Subject>) -> Statement {
        let predicate = serde_json::to_value(&self).unwrap_or(serde_json::Value::Null);
        Statement::new(subject, VSA_V1, predicate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> VerificationSummary {
        VerificationSummary {
            verifier: Verifier {
                id: "https://vouch.invalid/gate".into(),
                version: BTreeMap::from([("vouch".into(), "0.1.0".into())]),
            },
            time_verified: "2023-11-14T22:13:20Z".into(),
            resource_uri: format!("pkg:generic/app.tar.gz?checksum=sha256:{}", "ab".repeat(32)),
            policy: PolicyRef {
                uri: Some("gate.toml".into()),
                digest: BTreeMap::from([("sha256".into(), "cd".repeat(32))]),
                annotations: BTreeMap::new(),
            },
            input_attestations: vec![ResourceDescriptor {
                uri: Some("provenance.intoto.jsonl#1".into()),
                digest: BTreeMap::from([("sha256".into(), "ef".repeat(32))]),
                name: None,
            }],
            verification_result: VerificationResult::Passed,
            verified_levels: vec!["SLSA_BUILD_LEVEL_2".into()],
            dependency_levels: BTreeMap::new(),
            slsa_version: Some("1.0".into()),
        }
    }

    #[test]
    fn roundtrip_uses_spec_field_names() {
        let v = serde_json::to_value(sample()).unwrap();
        assert_eq!(v["verificationResult"], "PASSED");
        assert_eq!(v["timeVerified"], "2023-11-14T22:13:20Z");
        assert_eq!(
            v["inputAttestations"][0]["uri"],
            "provenance.intoto.jsonl#1"
        );
        assert_eq!(v["verifiedLevels"][0], "SLSA_BUILD_LEVEL_2");
        assert_eq!(VerificationSummary::parse(&v).unwrap(), sample());
    }

    #[test]
    fn rejects_missing_fields_and_bad_time() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["timeVerified"] = "yesterday".into();
        assert!(matches!(
            VerificationSummary::parse(&v),
            Err(VsaError::Time { .. })
        ));
        let mut v = serde_json::to_value(sample()).unwrap();
        v.as_object_mut().unwrap().remove("verificationResult");
        assert!(matches!(
            VerificationSummary::parse(&v),
            Err(VsaError::Json(_))
        ));
        let mut v = serde_json::to_value(sample()).unwrap();
        v["verifier"]["id"] = "".into();
        assert!(matches!(
            VerificationSummary::parse(&v),
            Err(VsaError::MissingField {
                field: "verifier.id"
            })
        ));
    }

    #[test]
    fn statement_has_vsa_type() {
        let st = sample().into_statement(vec![Subject::new(
            "app.tar.gz",
            vouch_digest::Digest::sha256(b"app"),
        )]);
        assert_eq!(st.predicate_type, VSA_V1);
        let back = Statement::parse(&serde_json::to_vec(&st).unwrap()).unwrap();
        assert_eq!(
            back.predicate["verifier"]["id"],
            "https://vouch.invalid/gate"
        );
    }
}
