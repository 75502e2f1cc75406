//! In-memory evaluations: a pass, single faults with their exact codes, and the guarantee that
//! nothing unverified reaches the Rego rules.

mod common;

use common::{ARTIFACT, Evidence, good, hex, line, provenance, sbom_statement};

use vouch_advisory::suppress::{Date, Suppressions};
use vouch_attest::Statement;
use vouch_attest::statement::Subject;
use vouch_gate::rego::{Module, Rules};
use vouch_gate::{Check, EvidenceFile, Inputs, Policy, evaluate};
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::trust::TrustRoot;
use vouch_sign::{sign, verify};

const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}"#;
const POLICY: &str = r#"
[trust]
keys = ["release.pub"]
[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main", "v*"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
"#;

fn run(
    policy: &Policy,
    key: &SigningKey,
    ev: &Evidence,
    rules: Option<&Rules>,
) -> vouch_gate::Decision {
    let signers = [verify::Policy::Key {
        key: key.public_key().clone(),
        tlog: verify::TlogPolicy::IfPresent,
    }];
    let root = TrustRoot::production().unwrap();
    let supp = Suppressions::default();
    let inputs = Inputs {
        subject: &vouch_gate::Subject::from_bytes("app.tar.gz", ARTIFACT),
        signatures: &common::signatures(ev),
        place: vouch_gate::evidence::Place::Folder,
        sbom: Some(SBOM.as_bytes()),
        attestations: &ev.files,
        signers: &signers,
        trust_root: &root,
        advisories: None,
        suppressions: &supp,
        check_findings: None,
        secret_findings: None,
        rules,
        today: Date::parse("2026-01-01").unwrap(),
        rebuilders: &[],
        now: "2026-01-01T00:00:00Z".parse().unwrap(),
        sarif: Default::default(),
    };
    evaluate(policy, &inputs).unwrap()
}

#[test]
fn complete_evidence_passes_and_summarises() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let policy = Policy::parse(POLICY, "gate.toml").unwrap();
    let d = run(&policy, &key, &good(&key, SBOM), None);
    assert!(d.passed(), "{:#?}", d.reasons);
    assert_eq!(
        d.promote().map(ToString::to_string),
        Some(format!("sha256:{}", hex(ARTIFACT)))
    );
    assert_eq!(d.verified.len(), 3);
    let source = vouch_gate::PolicySource {
        uri: "gate.toml".into(),
        sha256: vouch_digest::Digest::sha256(POLICY.as_bytes()),
        modules: vec![],
    };
    let t = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    let st = vouch_gate::summary(&d, &policy, &source, t, "0.1.0").unwrap();
    assert_eq!(st.predicate_type, vouch_attest::vsa::VSA_V1);
    let vsa = vouch_attest::vsa::VerificationSummary::parse(&st.predicate).unwrap();
    assert_eq!(vsa.input_attestations.len(), 2);
    assert_eq!(
        vsa.resource_uri,
        format!("pkg:generic/app.tar.gz?checksum=sha256:{}", hex(ARTIFACT))
    );
    assert_eq!(vsa.time_verified, "2023-11-14T22:13:20Z");
}

#[test]
fn each_fault_has_its_code_and_all_are_collected() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let other = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let policy = Policy::parse(POLICY, "gate.toml").unwrap();

    let mut ev = good(&key, SBOM);
    ev.signature = serde_json::to_vec(sign::sign_blob(&other, ARTIFACT).unwrap().json()).unwrap();
    assert_eq!(
        run(&policy, &key, &ev, None).codes(),
        vec![(Check::Signature, "untrusted-signer")]
    );

    let mut ev = good(&key, SBOM);
    ev.files[0].bytes = line(&key, &provenance(ARTIFACT, "feature/x", false));
    let d = run(&policy, &key, &ev, None);
    assert_eq!(d.codes(), vec![(Check::Provenance, "unprotected-ref")]);
    assert!(
        d.reasons[0].message.contains("not protected"),
        "{}",
        d.reasons[0].message
    );

    let mut ev = good(&key, SBOM);
    ev.files[0].bytes = line(&key, &provenance(b"something else", "main", true));
    ev.files[1].bytes = line(&key, &sbom_statement(b"something else", SBOM));
    ev.signature = b"{".to_vec();
    assert_eq!(
        run(&policy, &key, &ev, None).codes(),
        vec![
            (Check::Signature, "invalid-bundle"),
            (Check::Provenance, "subject-mismatch"),
            (Check::Sbom, "subject-mismatch"),
        ]
    );
}

#[test]
fn only_verified_evidence_reaches_rego() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let intruder = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let mut policy = Policy::parse(POLICY, "gate.toml").unwrap();
    policy.rego = vec!["inline".into()];
    let mut ev = good(&key, SBOM);
    // An attestation about the artifact, but signed by a key the policy does not trust, and a
    // provenance by the same intruder claiming another ref.
    let evil = Statement::new(
        vec![Subject::new(
            "app.tar.gz",
            vouch_digest::Digest::from_hex(vouch_digest::Algorithm::Sha256, &hex(ARTIFACT))
                .unwrap(),
        )],
        "https://example.com/evil/v1",
        serde_json::json!({"marker": "UNVERIFIED-MARKER"}),
    );
    let mut bytes = line(&intruder, &evil);
    bytes.extend(line(
        &intruder,
        &provenance(ARTIFACT, "UNVERIFIED-REF", true),
    ));
    ev.files.push(EvidenceFile {
        name: "extra.intoto.jsonl".into(),
        bytes,
    });
    let rules = Rules::compile(&[Module {
        name: "gate.rego".into(),
        text: r#"package gate
import rego.v1
deny contains msg if {
    some a in input.attestations
    a.predicateType == "https://example.com/evil/v1"
    msg := "unverified attestation reached the policy"
}
deny contains msg if {
    some p in input.provenance
    p.buildDefinition.externalParameters.ref != "main"
    msg := "provenance from another ref reached the policy"
}
deny contains msg if {
    count(input.attestations) != 2
    msg := sprintf("expected 2 verified attestations, got %d", [count(input.attestations)])
}
deny contains msg if {
    input.sbom.document.bomFormat != "CycloneDX"
    msg := "the verified SBOM is missing"
}
deny contains msg if {
    not input.signature.signer.fingerprint
    msg := "the verified signer is missing"
}
"#
        .into(),
    }])
    .unwrap();
    let d = run(&policy, &key, &ev, Some(&rules));
    assert!(d.passed(), "{:#?}", d.reasons);
    assert_eq!(d.ignored.len(), 2, "{:#?}", d.ignored);
    assert!(
        d.ignored
            .iter()
            .all(|i| i.evidence.starts_with("extra.intoto.jsonl:"))
    );

    // The same rules see the evidence when it is signed by the trusted key.
    let mut ev = good(&key, SBOM);
    ev.files.push(EvidenceFile {
        name: "extra.intoto.jsonl".into(),
        bytes: line(&key, &evil),
    });
    let d = run(&policy, &key, &ev, Some(&rules));
    let mut msgs: Vec<&str> = d.reasons.iter().map(|r| r.message.as_str()).collect();
    msgs.sort();
    assert_eq!(
        msgs,
        vec![
            "expected 2 verified attestations, got 3",
            "unverified attestation reached the policy"
        ]
    );
    assert!(
        d.reasons
            .iter()
            .all(|r| r.code == "policy-denied" && r.rule.as_deref() == Some("gate.deny"))
    );
}

#[test]
fn rego_that_does_not_compile_is_an_error() {
    let e = Rules::compile(&[Module {
        name: "broken.rego".into(),
        text: "package x\ndeny contains msg if {".into(),
    }])
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("rego module broken.rego does not compile"),
        "{e}"
    );
}

#[test]
fn rego_that_cannot_deny_is_an_error() {
    let warn_only = Module {
        name: "warn.rego".into(),
        text: "package x\n\nwarn contains \"w\" if { true }\n".into(),
    };
    let e = Rules::compile(std::slice::from_ref(&warn_only)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("rego modules warn.rego declare no `deny` or `violation` rule"),
        "{e}"
    );
    // A helper package without rules of its own is fine beside one that denies.
    let violation = Module {
        name: "v.rego".into(),
        text: "package y\n\nviolation contains {\"msg\": \"v\"} if { true }\n".into(),
    };
    let rules = Rules::compile(&[warn_only, violation]).unwrap();
    assert_eq!(rules.packages(), ["data.x", "data.y"]);
}
