//! `[vulnerabilities]` on an SBOM of OS packages whose distro release the advisory database does
//! not cover: the packages were not checked, so the gate denies with
//! `vulnerabilities-not-checked`; once the release is covered it evaluates and passes.

mod common;

use common::{ARTIFACT, good};

use vouch_advisory::Database;
use vouch_advisory::suppress::{Date, Suppressions};
use vouch_gate::{Check, Inputs, Policy, evaluate};
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify;

const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
  {"type":"operating-system","name":"debian","version":"12"},
  {"type":"library","name":"libc6","version":"2.36-9+deb12u3",
   "purl":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12"}]}"#;
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

fn decide(db: &Database) -> vouch_gate::Decision {
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
    evaluate(&policy, &inputs).unwrap()
}

fn debian(release: &str) -> vouch_advisory::osv::Record {
    vouch_advisory::osv::parse_json(
        format!(
            r#"{{"id":"DEBIAN-CVE-2023-4911","modified":"2024-01-01T00:00:00Z",
             "affected":[{{"package":{{"ecosystem":"Debian:{release}","name":"libc6"}},
               "ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"2.36-9+deb12u3"}}]}}]}}]}}"#
        )
        .as_bytes(),
    )
    .unwrap()
}

#[test]
fn an_uncovered_release_denies_with_vulnerabilities_not_checked() {
    let mut db = Database::in_memory().unwrap();
    db.import(&[debian("11")]).unwrap();
    let d = decide(&db);
    assert!(!d.passed());
    assert_eq!(
        d.codes(),
        vec![(Check::Vulnerabilities, "vulnerabilities-not-checked")]
    );
    assert_eq!(
        d.reasons[0].message,
        "1 Debian package not checked: the advisory database holds no Debian:12 advisories \
         (it holds Debian:11); import that release's advisories"
    );
}

#[test]
fn a_covered_release_evaluates_and_passes_the_fixed_version() {
    let mut db = Database::in_memory().unwrap();
    db.import(&[debian("12")]).unwrap();
    let d = decide(&db);
    assert!(d.passed(), "{:#?}", d.reasons);
}
