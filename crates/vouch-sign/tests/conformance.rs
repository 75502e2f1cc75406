//! The Sigstore conformance suite's `bundle-verify` cases, walked the way the suite does
//! (see tests/fixtures/conformance/README.md): every directory is a case; names ending in
//! `_fail` must be rejected. Each rejection must carry the reason pinned below.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vouch_sign::bundle::Bundle;
use vouch_sign::key::PublicKey;
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{self, Artifact, Policy, TlogPolicy};

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Why each `_fail` case is rejected: the stable code of the error variant.
const EXPECTED_REJECTIONS: &[(&str, &str)] = &[
    ("bundle-empty-certificate-chain_fail", "invalid-bundle"),
    (
        "bundle-from-wrong-instance_fail",
        "invalid-inclusion-promise",
    ),
    ("bundle-invalid-base64-signature_fail", "bundle-schema"),
    ("bundle-malformed-json_fail", "truncated-bundle"),
    ("bundle-negative-log-index_fail", "bundle-schema"),
    ("bundle-unknown-version_fail", "unsupported-media-type"),
    ("bundle-with-root-cert_fail", "invalid-bundle"),
    ("checkpoint-bad-keyhint_fail", "invalid-checkpoint"),
    ("checkpoint-wrong-roothash_fail", "invalid-bundle"),
    ("dsse-invalid-sig_fail", "invalid-signature"),
    ("dsse-mismatch-envelope_fail", "log-entry-mismatch"),
    ("dsse-mismatch-sig_fail", "log-entry-mismatch"),
    (
        "inclusion-proof-corrupted-hash_fail",
        "invalid-inclusion-proof",
    ),
    ("incorrect-public-key_fail", "invalid-inclusion-promise"),
    ("integrated-time-in-future_fail", "expired-certificate"),
    (
        "intoto-expired-certificate_fail",
        "certificate-not-yet-valid",
    ),
    ("intoto-log-entry-mismatch_fail", "malformed-log-entry"),
    ("intoto-missing-inclusion-proof_fail", "invalid-bundle"),
    (
        "intoto-set-outside-signing-cert-validity_fail",
        "expired-certificate",
    ),
    (
        "intoto-tsa-timestamp-outside-cert-validity_fail",
        "expired-certificate",
    ),
    ("invalid-checkpoint-signature_fail", "invalid-checkpoint"),
    ("invalid-ct-key_fail", "invalid-sct"),
    ("invalid-inclusion-proof_fail", "invalid-bundle"),
    ("managed-key-no-key_fail", "key-required"),
    ("managed-key-wrong-key_fail", "malformed-pem"),
    ("message-digest-mismatch_fail", "digest-mismatch"),
    (
        "rekor2-checkpoint-missing-log-signature_fail",
        "bundle-schema",
    ),
    ("rekor2-checkpoint-missing-origin_fail", "bundle-schema"),
    ("rekor2-checkpoint-missing-root-hash_fail", "bundle-schema"),
    ("rekor2-checkpoint-missing-size_fail", "bundle-schema"),
    (
        "rekor2-checkpoint-no-matching-signature_fail",
        "invalid-checkpoint",
    ),
    ("rekor2-dsse-invalid-sig_fail", "invalid-signature"),
    ("rekor2-dsse-mismatch-envelope_fail", "artifact-mismatch"),
    ("rekor2-dsse-mismatch-sig_fail", "log-entry-mismatch"),
    ("rekor2-no-inclusion-proof_fail", "invalid-bundle"),
    ("rekor2-no-timestamp_fail", "no-verified-timestamp"),
    (
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
        "timestamp-outside-authority",
    ),
    (
        "rekor2-timestamp-outside-tsa-cert-validity_fail",
        "invalid-timestamp",
    ),
    (
        "rekor2-timestamp-payload-mismatch_fail",
        "invalid-timestamp",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
        "invalid-timestamp",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
        "invalid-timestamp",
    ),
    ("rekor2-timestamp-with-incorrect-time_fail", "bundle-schema"),
    ("set-invalid-signature_fail", "invalid-inclusion-promise"),
    ("signature-mismatch_fail", "invalid-signature"),
    ("trust-root-tlog-missing-validity-start_fail", "trust-root"),
    ("wrong-hashedrekord-artifact_fail", "artifact-mismatch"),
    ("wrong-hashedrekord-cert-and-sig_fail", "log-entry-mismatch"),
    ("wrong-hashedrekord-entry_fail", "artifact-mismatch"),
    ("wrong-material_fail", "digest-mismatch"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance")
}

fn read_opt(dir: &Path, name: &str) -> Option<Vec<u8>> {
    std::fs::read(dir.join(name)).ok()
}

/// Run one case the way the suite's harness does. `Err` carries the stable reason code.
fn run_case(dir: &Path) -> Result<(), (String, String)> {
    let err = |code: &str, msg: String| Err((code.to_owned(), msg));
    let bundle_bytes = std::fs::read(dir.join("bundle.sigstore.json")).expect("bundle present");
    let artifact = read_opt(dir, "artifact")
        .unwrap_or_else(|| std::fs::read(root().join("a.txt")).expect("a.txt present"));
    let trust = match read_opt(dir, "trusted_root.json") {
        Some(bytes) => match TrustRoot::from_json(&bytes, "trusted_root.json") {
            Ok(t) => t,
            Err(e) => return err("trust-root", format!("{e:?}")),
        },
        None => TrustRoot::production().expect("embedded root loads"),
    };
    let bundle = match Bundle::parse(&bundle_bytes) {
        Ok(b) => b,
        Err(e) => return err(e.code(), e.to_string()),
    };
    let policy = match read_opt(dir, "key.pub") {
        Some(pem) => match PublicKey::from_pem(&pem) {
            Ok(key) => Policy::Key {
                key,
                tlog: TlogPolicy::Required,
            },
            Err(e) => return err(e.code(), e.to_string()),
        },
        None => {
            let identity = read_opt(dir, "identity")
                .map(|b| String::from_utf8(b).unwrap().trim().to_owned())
                .unwrap_or_else(|| DEFAULT_IDENTITY.to_owned());
            let issuer = read_opt(dir, "issuer")
                .map(|b| String::from_utf8(b).unwrap().trim().to_owned())
                .unwrap_or_else(|| DEFAULT_ISSUER.to_owned());
            Policy::Identity { identity, issuer }
        }
    };
    match verify::verify(&bundle, Artifact::Bytes(&artifact), &policy, &trust) {
        Ok(_) => Ok(()),
        Err(e) => err(e.code(), e.to_string()),
    }
}

#[test]
fn conformance_bundle_verify() {
    let expected: BTreeMap<&str, &str> = EXPECTED_REJECTIONS.iter().copied().collect();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut accepted, mut rejected) = (0, 0);
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_str().unwrap();
        let should_fail = name.ends_with("_fail");
        match (run_case(dir), should_fail) {
            (Ok(()), false) => accepted += 1,
            (Ok(()), true) => failures.push(format!("{name}: accepted, expected rejection")),
            (Err((code, msg)), false) => failures.push(format!(
                "{name}: rejected ({code}: {msg}), expected acceptance"
            )),
            (Err((code, msg)), true) => match expected.get(name) {
                Some(want) if *want == code => rejected += 1,
                Some(want) => failures.push(format!(
                    "{name}: rejected for {code} ({msg}), expected {want}"
                )),
                None => failures.push(format!(
                    "{name}: rejected for {code} ({msg}), no pinned reason"
                )),
            },
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cases.len(), 70, "the suite has 70 cases");
    assert_eq!((accepted, rejected), (21, 49));
}

/// The verdict file shipped with the fixtures agrees with the directory-name convention.
#[test]
fn verdicts_file_agrees_with_directory_names() {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("verdicts.json")).unwrap()).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 70);
    for c in arr {
        let name = c["case"].as_str().unwrap();
        assert_eq!(c["expected"] == "fail", name.ends_with("_fail"), "{name}");
        assert!(root().join(name).is_dir(), "{name} copied");
    }
}
