//! A malicious package in the SBOM denies with its own reason, `malicious-package`, naming the
//! package and the record (a real ossf/malicious-packages record, MAL-2024-11183: the
//! hijacked `@solana/web3.js` 1.95.6 and 1.95.7), never as "a vulnerability above the threshold";
//! the fixed 1.95.8 passes.

mod common;

use common::{ARTIFACT, good};

use vouch_advisory::Database;
use vouch_advisory::suppress::{Date, Suppressions};
use vouch_gate::{Inputs, Policy, evaluate};
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify;

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

fn sbom(version: &str) -> String {
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
  {{"type":"library","name":"@solana/web3.js","version":"{version}","purl":"pkg:npm/%40solana/web3.js@{version}"}}]}}"#
    )
}

fn decide(sbom: &str) -> vouch_gate::Decision {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vouch-advisory/tests/fixtures/malicious/osv/malicious/npm/@solana/web3.js/MAL-2024-11183.json"
    ))
    .unwrap();
    let record = vouch_advisory::osv::parse_json(&bytes).unwrap();
    let mut db = Database::in_memory().unwrap();
    db.import(&[record]).unwrap();
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let ev = good(&key, sbom);
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
        sbom: Some(sbom.as_bytes()),
        attestations: &ev.files,
        signers: &signers,
        trust_root: &root,
        advisories: Some(&db),
        suppressions: &supp,
        check_findings: None,
        secret_findings: None,
        rules: None,
        today: Date::parse("2026-01-01").unwrap(),
        rebuilders: &[],
        now: "2026-01-01T00:00:00Z".parse().unwrap(),
        sarif: Default::default(),
    };
    evaluate(&policy, &inputs).unwrap()
}

#[test]
fn a_malicious_package_denies_with_its_own_reason() {
    let d = decide(&sbom("1.95.6"));
    assert!(!d.passed());
    let reasons: Vec<(&str, &str)> = d
        .reasons
        .iter()
        .map(|r| (r.code, r.message.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [(
            "malicious-package",
            "@solana/web3.js 1.95.6 is a malicious package: MAL-2024-11183: Malicious code in @solana/web3.js (npm)"
        )]
    );
}

#[test]
fn the_fixed_version_passes() {
    let d = decide(&sbom("1.95.8"));
    assert!(d.passed(), "{:#?}", d.reasons);
}
