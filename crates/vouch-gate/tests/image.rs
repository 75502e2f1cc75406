//! The gate on an image: a digest-only subject whose evidence is what is attached to it in its
//! registry (`vouch_gate::registry::Attached`): cosign v3 `sign/v1` statements and cosign
//! legacy signatures as signatures, the SBOM carried by its attestation, the messages that say
//! "attached to the image", and items sorted by content, not by their labels.

mod common;

use std::collections::BTreeMap;

use common::{provenance, sbom_statement};
use vouch_advisory::suppress::{Date, Suppressions};
use vouch_digest::Digest;
use vouch_gate::evidence::{Place, SignatureContent, SignatureEvidence};
use vouch_gate::registry::Attached;
use vouch_gate::{EvidenceFile, EvidenceSet as _, Inputs, Policy, Subject, evaluate};
use vouch_oci::referrers::{self, Descriptor};
use vouch_resolve::attached::{Discovery, Item, Layer, Layout};
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::sign;
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify;

/// The image's manifest: its SHA-256 is the subject's digest.
const MANIFEST: &[u8] =
    br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#;
const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}"#;
const POLICY: &str = r#"[trust]
keys = ["release.pub"]

[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
"#;

fn digest() -> Digest {
    Digest::sha256(MANIFEST)
}

fn bundle_bytes(key: &SigningKey, st: &vouch_attest::Statement) -> Vec<u8> {
    serde_json::to_vec(sign::sign_statement(key, st).unwrap().json()).unwrap()
}

fn line(bytes: &[u8]) -> Vec<u8> {
    let mut l = bytes.to_vec();
    l.push(b'\n');
    l
}

fn decide(
    key: &SigningKey,
    signatures: &[SignatureEvidence],
    attestations: &[EvidenceFile],
) -> vouch_gate::Decision {
    let policy = Policy::parse(POLICY, "gate.toml").unwrap();
    let signers = [verify::Policy::Key {
        key: key.public_key().clone(),
        tlog: verify::TlogPolicy::IfPresent,
    }];
    let root = TrustRoot::production().unwrap();
    let supp = Suppressions::default();
    let subject = Subject::from_digest("127.0.0.1:5000/team/app@sha256:…", digest()).unwrap();
    evaluate(
        &policy,
        &Inputs {
            subject: &subject,
            signatures,
            sbom: None,
            attestations,
            place: Place::Registry,
            signers: &signers,
            trust_root: &root,
            advisories: None,
            suppressions: &supp,
            check_findings: None,
            secret_findings: None,
            rules: None,
            today: Date::parse("2026-01-01").unwrap(),
            rebuilders: &[],
            now: "2026-01-01T00:00:00Z".parse().unwrap(),
            sarif: Default::default(),
        },
    )
    .unwrap()
}

fn attestations(key: &SigningKey) -> Vec<EvidenceFile> {
    vec![
        EvidenceFile {
            name: "referrers-api:sha256:p".into(),
            bytes: line(&bundle_bytes(key, &provenance(MANIFEST, "main", true))),
        },
        EvidenceFile {
            name: "referrers-api:sha256:s".into(),
            bytes: line(&bundle_bytes(key, &sbom_statement(MANIFEST, SBOM))),
        },
    ]
}

fn v3_signature(key: &SigningKey) -> SignatureEvidence {
    let st = vouch_attest::image_signature("127.0.0.1:5000/team/app", &digest());
    SignatureEvidence {
        name: "referrers-api:sha256:sig".into(),
        content: SignatureContent::Bundle(bundle_bytes(key, &st)),
    }
}

fn legacy_signature(key: &SigningKey, about: &Digest) -> SignatureEvidence {
    use base64::Engine as _;
    let payload = vouch_sign::cosign::simple_signing_payload("127.0.0.1:5000/team/app", about);
    let signature = key.sign(&payload).unwrap();
    SignatureEvidence {
        name: "cosign-signature-tag:sha256:legacy#1".into(),
        content: SignatureContent::CosignLegacy {
            payload,
            signature_b64: base64::engine::general_purpose::STANDARD.encode(signature),
            certificate_pem: None,
            chain_pem: None,
            rekor_bundle: None,
        },
    }
}

#[test]
fn a_cosign_v3_signature_provenance_and_attested_sbom_pass_without_an_sbom_file() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let d = decide(&key, &[v3_signature(&key)], &attestations(&key));
    assert!(d.passed(), "{:?}", d.codes());
}

#[test]
fn a_cosign_legacy_signature_over_the_digest_passes_and_one_over_another_image_does_not() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let d = decide(
        &key,
        &[legacy_signature(&key, &digest())],
        &attestations(&key),
    );
    assert!(d.passed(), "{:?}", d.codes());

    let other = Digest::sha256(b"another image");
    let d = decide(&key, &[legacy_signature(&key, &other)], &attestations(&key));
    assert_eq!(
        d.codes(),
        vec![(vouch_gate::Check::Signature, "image-digest-mismatch")]
    );
}

#[test]
fn one_verified_signature_is_enough_and_the_others_are_listed_as_ignored() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let intruder = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let d = decide(
        &key,
        &[v3_signature(&intruder), v3_signature(&key)],
        &attestations(&key),
    );
    assert!(d.passed(), "{:?}", d.codes());
    assert_eq!(d.ignored.len(), 1);
    assert!(
        d.ignored[0]
            .why
            .starts_with("signature (untrusted-signer): "),
        "{:?}",
        d.ignored
    );
}

#[test]
fn the_reasons_say_attached_to_the_image() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let d = decide(&key, &[], &[]);
    let messages: Vec<(&str, &str)> = d
        .reasons
        .iter()
        .map(|r| (r.code, r.message.as_str()))
        .collect();
    let digest = digest();
    assert_eq!(
        messages,
        vec![
            (
                "missing-signature",
                format!("no signature is attached to the image ({digest})").as_str()
            ),
            (
                "missing-provenance",
                format!("no SLSA provenance (https://slsa.dev/provenance/v1) about {digest} attached to the image").as_str()
            ),
            (
                "missing-sbom-attestation",
                format!("no SBOM attestation (https://cyclonedx.org/bom or https://spdx.dev/Document) about {digest} attached to the image").as_str()
            ),
        ]
    );
}

#[test]
fn an_attestation_is_not_a_signature() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let sig = SignatureEvidence {
        name: "referrers-api:sha256:prov".into(),
        content: SignatureContent::Bundle(bundle_bytes(&key, &provenance(MANIFEST, "main", true))),
    };
    let d = decide(&key, &[sig], &attestations(&key));
    assert_eq!(
        d.codes(),
        vec![(vouch_gate::Check::Signature, "invalid-bundle")]
    );
    assert_eq!(
        d.reasons[0].message,
        "referrers-api:sha256:prov holds an attestation (dsse envelope), not a signature over the artifact"
    );
}

/// An attached item as discovery returns it, for a bundle pushed by `bundle_artifact`.
fn item(bundle: &[u8], annotations: BTreeMap<String, String>, about: &Digest) -> Item {
    let subject = Descriptor::new(referrers::OCI_MANIFEST, about.clone(), 77);
    let artifact = referrers::bundle_artifact(bundle, &subject, annotations);
    let manifest = referrers::parse_manifest(&artifact.manifest).unwrap();
    let layers = manifest
        .layers
        .iter()
        .map(|d| Layer {
            descriptor: d.clone(),
            bytes: bundle.to_vec(),
        })
        .collect();
    Item {
        layout: Layout::FallbackTag,
        digest: artifact.descriptor.digest.clone(),
        kind: referrers::classify(&manifest),
        manifest,
        layers,
        problem: None,
    }
}

#[test]
fn attached_items_are_sorted_by_content_not_by_their_labels() {
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let sig = bundle_bytes(
        &key,
        &vouch_attest::image_signature("127.0.0.1:5000/team/app", &digest()),
    );
    let prov = bundle_bytes(&key, &provenance(MANIFEST, "main", true));
    // The provenance is labelled as a signature: the label is unsigned and changes nothing.
    let lying = vouch_resolve::attached::bundle_annotations(
        true,
        Some(vouch_attest::IMAGE_SIGNATURE_PREDICATE),
        "2026-01-01T00:00:00Z",
    );
    let mut broken = item(&sig, BTreeMap::new(), &digest());
    broken.problem = Some("layer sha256:… is not in the registry".into());
    let discovery = Discovery {
        subject: digest(),
        items: vec![
            item(&sig, BTreeMap::new(), &digest()),
            item(&prov, lying, &digest()),
            broken,
        ],
        referrers_api: false,
    };
    let set = Attached::new(&discovery);
    let sigs = set.signatures("").unwrap();
    let atts = set.attestations().unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(atts.len(), 1);
    assert!(atts[0].name.starts_with("fallback-tag:sha256:"));
    assert_eq!(set.place(), Place::Registry);
    assert_eq!(set.unused().len(), 1);
    assert_eq!(set.unused()[0].1, "layer sha256:… is not in the registry");
}
