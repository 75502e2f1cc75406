//! Evidence shared by the gate tests (`mod common;`): a signed artifact, SLSA provenance and an
//! SBOM statement, each signed by the test's key.
#![allow(dead_code)]

use std::collections::BTreeMap;

use vouch_attest::Statement;
use vouch_attest::slsa::{self, BuildContext, CiSystem, Runner};
use vouch_attest::statement::Subject;
use vouch_gate::EvidenceFile;
use vouch_sign::key::SigningKey;
use vouch_sign::sign;

/// The artifact under test.
pub const ARTIFACT: &[u8] = b"release artifact bytes";

/// Lowercase hex SHA-256 of `b`.
pub fn hex(b: &[u8]) -> String {
    vouch_digest::Digest::sha256(b).hex()
}

/// A SLSA provenance statement for `subject_bytes` built by GitLab CI on `git_ref`.
pub fn provenance(subject_bytes: &[u8], git_ref: &str, protected: bool) -> Statement {
    let ctx = BuildContext {
        system: CiSystem::GitlabCi,
        repository: Some("https://gitlab.example.com/acme/api".into()),
        git_ref: Some(git_ref.into()),
        ref_protected: Some(protected),
        commit: Some("a".repeat(40)),
        config_path: Some(".gitlab-ci.yml".into()),
        builder_id: "https://gitlab.example.com/acme/api/-/runners/9".into(),
        invocation_id: Some("https://gitlab.example.com/acme/api/-/pipelines/42/jobs/7".into()),
        runner: Runner {
            id: Some("9".into()),
            name: None,
            environment: None,
        },
        environment: BTreeMap::new(),
        started_on: None,
        finished_on: None,
    };
    Statement::new(
        vec![Subject::new(
            "app.tar.gz",
            vouch_digest::Digest::from_hex(vouch_digest::Algorithm::Sha256, &hex(subject_bytes))
                .unwrap(),
        )],
        slsa::PROVENANCE_V1,
        serde_json::to_value(slsa::build(&ctx, vec![])).unwrap(),
    )
}

/// A CycloneDX SBOM statement (`sbom`) for `subject_bytes`.
pub fn sbom_statement(subject_bytes: &[u8], sbom: &str) -> Statement {
    Statement::new(
        vec![Subject::new(
            "app.tar.gz",
            vouch_digest::Digest::from_hex(vouch_digest::Algorithm::Sha256, &hex(subject_bytes))
                .unwrap(),
        )],
        vouch_attest::sbom::PREDICATE_CYCLONEDX,
        serde_json::from_str(sbom).unwrap(),
    )
}

/// `st` signed by `key` as one JSON line of a `.intoto.jsonl` file.
pub fn line(key: &SigningKey, st: &Statement) -> Vec<u8> {
    let b = sign::sign_statement(key, st).unwrap();
    let mut s = serde_json::to_vec(b.json()).unwrap();
    s.push(b'\n');
    s
}

/// The artifact signature and the evidence files handed to the gate.
pub struct Evidence {
    pub signature: Vec<u8>,
    pub files: Vec<EvidenceFile>,
}

/// The signature of `ev` as the evidence folder yields it.
pub fn signatures(ev: &Evidence) -> Vec<vouch_gate::evidence::SignatureEvidence> {
    vec![vouch_gate::evidence::SignatureEvidence {
        name: "signature.bundle".into(),
        content: vouch_gate::evidence::SignatureContent::Bundle(ev.signature.clone()),
    }]
}

/// Evidence that passes: signature, provenance from protected `main`, and the SBOM `sbom`.
pub fn good(key: &SigningKey, sbom: &str) -> Evidence {
    let signature = serde_json::to_vec(sign::sign_blob(key, ARTIFACT).unwrap().json()).unwrap();
    Evidence {
        signature,
        files: vec![
            EvidenceFile {
                name: "provenance.intoto.jsonl".into(),
                bytes: line(key, &provenance(ARTIFACT, "main", true)),
            },
            EvidenceFile {
                name: "sbom.intoto.jsonl".into(),
                bytes: line(key, &sbom_statement(ARTIFACT, sbom)),
            },
        ],
    }
}
