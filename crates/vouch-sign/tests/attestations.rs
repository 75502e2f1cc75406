//! Real attestation bundles (npm registry provenance, GitHub artifact attestations) from
//! slsa-verifier's test data, verified offline against the embedded production trusted root,
//! with the verdicts slsa-verifier's regression tests give them (see the fixtures' SOURCES.md).

use std::path::PathBuf;

use vouch_attest::expect::{self, ExpectationError, Expectations};
use vouch_sign::bundle::Bundle;
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{self, Artifact, Policy, VerifyError};

const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/attestations")
        .join(sub)
}

/// The SLSA provenance bundle of an npm `<pkg>.tgz.json` attestation list.
fn npm_provenance(name: &str) -> Bundle {
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir("npm").join(format!("{name}.tgz.json"))).unwrap(),
    )
    .unwrap();
    let att = doc["attestations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["predicateType"]
                .as_str()
                .unwrap()
                .starts_with("https://slsa.dev/provenance/")
        })
        .unwrap();
    Bundle::parse(att["bundle"].to_string().as_bytes()).unwrap()
}

fn identity(workflow: &str) -> Policy {
    Policy::Identity {
        identity: workflow.to_owned(),
        issuer: GITHUB_ISSUER.to_owned(),
    }
}

const NPM: &[(&str, &str, &str)] = &[
    (
        "gundam-visor-cli-v1-tag",
        "https://github.com/ramonpetgrave64/gundam-visor/.github/workflows/npm-publish.yml@refs/tags/v1.0.1",
        "github.com/ramonpetgrave64/gundam-visor",
    ),
    (
        "provenance-npm-test-cli-v02-prega",
        "https://github.com/laurentsimon/provenance-npm-test/.github/workflows/release.yml@refs/heads/main",
        "github.com/laurentsimon/provenance-npm-test",
    ),
    (
        "provenance-npm-test-cli-v1-prega",
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        "github.com/sigstore/sigstore-js",
    ),
    (
        "provenance-npm-test-ossf",
        "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_lowperms-generic_slsa3.yml@refs/tags/v1.6.0",
        "github.com/laurentsimon/provenance-npm-test",
    ),
    (
        "supreme-googles-cli-v02-tag",
        "https://github.com/trishankatdatadog/supreme-goggles/.github/workflows/npm-publish.yml@refs/tags/v1.0.5",
        "github.com/trishankatdatadog/supreme-goggles",
    ),
];

#[test]
fn npm_provenance_verdicts() {
    let trust = TrustRoot::production().unwrap();
    for (name, workflow, source) in NPM {
        let tgz = std::fs::read(dir("npm").join(format!("{name}.tgz"))).unwrap();
        // unsuffixed: PASS with the right source, FAIL with another
        let v = verify::verify_attestation(
            &npm_provenance(name),
            Artifact::Bytes(&tgz),
            &identity(workflow),
            &trust,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = Expectations {
            source_uri: Some((*source).to_owned()),
            ..Default::default()
        };
        expect::check(v.value(), &want).unwrap_or_else(|e| panic!("{name}: {e}"));
        let wrong = Expectations {
            source_uri: Some("github.com/evil/fork".to_owned()),
            ..Default::default()
        };
        assert!(
            matches!(
                expect::check(v.value(), &wrong),
                Err(ExpectationError::SourceUri { .. })
            ),
            "{name}"
        );

        // -invalidsigprov: the provenance signature was tampered with
        let bad = format!("{name}-invalidsigprov");
        let tgz_bad = std::fs::read(dir("npm").join(format!("{bad}.tgz"))).unwrap();
        let err = verify::verify_attestation(
            &npm_provenance(&bad),
            Artifact::Bytes(&tgz_bad),
            &identity(workflow),
            &trust,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                VerifyError::InvalidSignature { .. } | VerifyError::LogEntryMismatch { .. }
            ),
            "{bad}: {err:?}"
        );

        // the provenance in -invalidsigpub is intact (only the npm publish attestation, signed
        // with npm's registry key, was tampered with; vouch does not hold that key)
        let pubbad = format!("{name}-invalidsigpub");
        let tgz_pub = std::fs::read(dir("npm").join(format!("{pubbad}.tgz"))).unwrap();
        verify::verify_attestation(
            &npm_provenance(&pubbad),
            Artifact::Bytes(&tgz_pub),
            &identity(workflow),
            &trust,
        )
        .unwrap_or_else(|e| panic!("{pubbad}: {e}"));
    }
}

#[test]
fn npm_builder_id_v1() {
    let tgz = std::fs::read(dir("npm").join("gundam-visor-cli-v1-tag.tgz")).unwrap();
    let v = verify::verify_attestation(
        &npm_provenance("gundam-visor-cli-v1-tag"),
        Artifact::Bytes(&tgz),
        &identity(NPM[0].1),
        &TrustRoot::production().unwrap(),
    )
    .unwrap();
    let ok = Expectations {
        builder_id: Some("https://github.com/actions/runner/github-hosted".into()),
        ..Default::default()
    };
    expect::check(v.value(), &ok).unwrap();
    let bad = Expectations {
        builder_id: Some("https://github.com/actions/runner/self-hosted".into()),
        ..Default::default()
    };
    assert!(matches!(
        expect::check(v.value(), &bad),
        Err(ExpectationError::BuilderId { .. })
    ));
}

fn bcr(name: &str) -> (Bundle, Vec<u8>) {
    let bytes = std::fs::read(dir("bcr").join(format!("{name}.intoto.jsonl"))).unwrap();
    let mut bundles = vouch_sign::jsonl::parse(&bytes).unwrap();
    assert_eq!(bundles.len(), 1);
    (
        bundles.remove(0),
        std::fs::read(dir("bcr").join(name)).unwrap(),
    )
}

const PUBLISH_TO_BCR: &str =
    "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml";
const RELEASE_RULESET: &str =
    "https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml";

#[test]
fn github_attestations_bcr() {
    let trust = TrustRoot::production().unwrap();
    for (name, builder, reff) in [
        ("MODULE.bazel", PUBLISH_TO_BCR, "refs/tags/v0.0.1"),
        (
            "rules_lint-v1.3.1.tar.gz",
            RELEASE_RULESET,
            "refs/tags/v7.1.0",
        ),
    ] {
        let (bundle, artifact) = bcr(name);
        let v = verify::verify_attestation(
            &bundle,
            Artifact::Bytes(&artifact),
            &identity(&format!("{builder}@{reff}")),
            &trust,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = Expectations {
            predicate_type: Some("https://slsa.dev/provenance/v1".into()),
            builder_id: Some(builder.into()),
            ..Default::default()
        };
        verify::check_expectations(&v, &want).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // wrong signer: signed by an untrusted reusable workflow
    let (bundle, artifact) = bcr("MODULE-wrong-signer.bazel");
    let err = verify::verify_attestation(
        &bundle,
        Artifact::Bytes(&artifact),
        &identity(&format!("{PUBLISH_TO_BCR}@refs/tags/v0.0.1")),
        &trust,
    )
    .unwrap_err();
    assert!(
        matches!(err, VerifyError::IdentityMismatch { .. }),
        "{err:?}"
    );
    // and with its own identity, the builder expectation still fails
    let v = verify::verify_attestation(
        &bundle,
        Artifact::Bytes(&artifact),
        &identity("https://github.com/loosebazooka/aa-test/.github/workflows/malicious_attestation.yaml@refs/heads/main"),
        &trust,
    )
    .unwrap();
    let want = Expectations {
        builder_id: Some(PUBLISH_TO_BCR.into()),
        ..Default::default()
    };
    // The statement itself claims the trusted builder (the signer wrote it) ...
    expect::check(v.value(), &want).unwrap();
    // ... so the builder is bound to the certificate identity, which is not that workflow.
    assert!(matches!(
        verify::check_expectations(&v, &want),
        Err(ExpectationError::BuilderId { .. })
    ));
}
