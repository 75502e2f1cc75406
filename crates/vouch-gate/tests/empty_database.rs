//! `[vulnerabilities]` against an advisory database that holds nothing: the gate cannot
//! evaluate (an error, exit 2 in `vouch gate`), it never passes.

use std::collections::BTreeMap;

use vouch_advisory::suppress::{Date, Suppressions};
use vouch_advisory::{Database, DbError, MatchError};
use vouch_attest::Statement;
use vouch_attest::slsa::{self, BuildContext, CiSystem, Runner};
use vouch_attest::statement::Subject;
use vouch_gate::{EvidenceFile, GateError, Inputs, Policy, evaluate};
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::trust::TrustRoot;
use vouch_sign::{sign, verify};

const ARTIFACT: &[u8] = b"release artifact bytes";
const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
  {"type":"library","name":"braces","version":"3.0.3","purl":"pkg:npm/braces@3.0.3"}]}"#;
const POLICY: &str = r#"
[trust]
keys = ["release.pub"]
[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main", "v*"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
[vulnerabilities]
fail-on = "high"
"#;

fn hex(b: &[u8]) -> String {
    vouch_digest::Digest::sha256(b).hex()
}

fn provenance(subject_bytes: &[u8], git_ref: &str, protected: bool) -> Statement {
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
        vec![Subject::sha256("app.tar.gz", hex(subject_bytes))],
        slsa::PROVENANCE_V1,
        serde_json::to_value(slsa::build(&ctx, vec![])).unwrap(),
    )
}

fn sbom_statement(subject_bytes: &[u8]) -> Statement {
    Statement::new(
        vec![Subject::sha256("app.tar.gz", hex(subject_bytes))],
        vouch_attest::sbom::PREDICATE_CYCLONEDX,
        serde_json::from_str(SBOM).unwrap(),
    )
}

fn line(key: &SigningKey, st: &Statement) -> Vec<u8> {
    let b = sign::sign_statement(key, st).unwrap();
    let mut s = serde_json::to_vec(b.json()).unwrap();
    s.push(b'\n');
    s
}

struct Evidence {
    signature: Vec<u8>,
    files: Vec<EvidenceFile>,
}

fn good(key: &SigningKey) -> Evidence {
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
                bytes: line(key, &sbom_statement(ARTIFACT)),
            },
        ],
    }
}

fn decide(db: &Database) -> Result<vouch_gate::Decision, GateError> {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let ev = good(&key);
    let policy = Policy::parse(POLICY, "gate.toml").unwrap();
    let signers = [verify::Policy::Key {
        key: key.public_key().clone(),
        tlog: verify::TlogPolicy::IfPresent,
    }];
    let root = TrustRoot::production().unwrap();
    let supp = Suppressions::default();
    let inputs = Inputs {
        artifact_name: "app.tar.gz",
        artifact: ARTIFACT,
        signature: Some(&ev.signature),
        sbom: Some(SBOM.as_bytes()),
        attestations: &ev.files,
        signers: &signers,
        trust_root: &root,
        advisories: Some(db),
        suppressions: &supp,
        check_findings: None,
        secret_findings: None,
        rules: None,
        today: Date::parse("2026-01-01").unwrap(),
    };
    evaluate(&policy, &inputs)
}

#[test]
fn an_empty_advisory_database_is_a_gate_error_not_a_pass() {
    let db = Database::in_memory().unwrap();
    let err = decide(&db).unwrap_err();
    assert!(
        matches!(
            &err,
            GateError::Match(MatchError::Db(DbError::Empty { .. }))
        ),
        "{err:?}"
    );
}

#[test]
fn a_database_with_advisories_evaluates_and_passes_a_fixed_version() {
    // GHSA-grv7-fg5c-xmjg (braces < 3.0.3) is present; the SBOM has the fixed 3.0.3.
    let record = vouch_advisory::osv::parse_json(
        br#"{"id":"GHSA-grv7-fg5c-xmjg","modified":"2024-05-20T00:00:00Z",
             "affected":[{"package":{"ecosystem":"npm","name":"braces"},
               "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.3"}]}]}]}"#,
    )
    .unwrap();
    let mut db = Database::in_memory().unwrap();
    db.import(&[record]).unwrap();
    let d = decide(&db).unwrap();
    assert!(d.passed(), "{:#?}", d.reasons);
}
