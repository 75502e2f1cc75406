//! `[vulnerabilities]` against an advisory database that holds nothing: the gate cannot
//! evaluate (an error, exit 2 in `vouch gate`), it never passes.

mod common;

use common::{ARTIFACT, good};

use vouch_advisory::suppress::{Date, Suppressions};
use vouch_advisory::{Database, DbError, MatchError};
use vouch_gate::{GateError, Inputs, Policy, evaluate};
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify;

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

fn decide(db: &Database) -> Result<vouch_gate::Decision, GateError> {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let ev = good(&key, SBOM);
    let policy = Policy::parse(POLICY, "gate.toml").unwrap();
    let signers = [verify::Policy::Key {
        key: key.public_key().clone(),
        tlog: verify::TlogPolicy::IfPresent,
    }];
    let root = TrustRoot::production().unwrap();
    let supp = Suppressions::default();
    let inputs = Inputs {
        subject: &vouch_gate::Subject::from_bytes("app.tar.gz", ARTIFACT),
        signatures: &common::signatures(&ev),
        place: vouch_gate::evidence::Place::Folder,
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
        rebuilders: &[],
        now: "2026-01-01T00:00:00Z".parse().unwrap(),
        sarif: Default::default(),
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
