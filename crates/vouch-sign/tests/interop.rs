//! Interop with other implementations. The tools are installed by
//! `scripts/test-setup.d/sign.sh` into `$VOUCH_TEST_SIGN_PREFIX/bin` (default
//! `/opt/vouch-test/sign/bin`). These tests FAIL when the tools are missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use vouch_attest::Statement;
use vouch_attest::statement::Subject;
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_sign::sign;

fn tool(name: &str) -> PathBuf {
    let prefix =
        std::env::var("VOUCH_TEST_SIGN_PREFIX").unwrap_or_else(|_| "/opt/vouch-test/sign".into());
    let p = Path::new(&prefix).join("bin").join(name);
    assert!(
        p.exists(),
        "{} is missing: run scripts/test-setup.d/sign.sh (or set VOUCH_TEST_SIGN_PREFIX)",
        p.display()
    );
    p
}

fn run(tool: &Path, args: &[&Path]) -> (bool, String) {
    let out = Command::new(tool).args(args).output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn sigstore_js_verifies_vouch_bundles() {
    let verify = tool("sigstore-js-verify");
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let artifact = dir.path().join("release.tar.gz");
    std::fs::write(&artifact, b"vouch interop artifact").unwrap();
    let bundle = sign::sign_blob(&key, b"vouch interop artifact").unwrap();
    let bundle_path = dir.path().join("release.tar.gz.sigstore.json");
    std::fs::write(
        &bundle_path,
        serde_json::to_vec_pretty(bundle.json()).unwrap(),
    )
    .unwrap();
    let pub_path = dir.path().join("vouch.pub");
    std::fs::write(&pub_path, key.public_key().to_pem()).unwrap();

    let (ok, out) = run(
        &verify,
        &[&bundle_path, &artifact, Path::new("--key"), &pub_path],
    );
    assert!(ok, "sigstore-js rejected a vouch bundle: {out}");

    let other = dir.path().join("other");
    std::fs::write(&other, b"something else").unwrap();
    let (ok, out) = run(
        &verify,
        &[&bundle_path, &other, Path::new("--key"), &pub_path],
    );
    assert!(
        !ok,
        "sigstore-js accepted a bundle for the wrong artifact: {out}"
    );

    // a DSSE attestation bundle too
    let st = Statement::new(
        vec![Subject::new(
            "release.tar.gz",
            vouch_digest::Digest::from_hex(vouch_digest::Algorithm::Sha256, &"00".repeat(32))
                .unwrap(),
        )],
        "https://example.com/predicate/v1",
        serde_json::json!({"k": "v"}),
    );
    let att = sign::sign_statement(&key, &st).unwrap();
    let att_path = dir.path().join("att.sigstore.json");
    std::fs::write(&att_path, serde_json::to_vec(att.json()).unwrap()).unwrap();
    let (ok, out) = run(
        &verify,
        &[&att_path, &artifact, Path::new("--key"), &pub_path],
    );
    assert!(ok, "sigstore-js rejected a vouch DSSE bundle: {out}");
}

#[test]
fn securesystemslib_verifies_vouch_dsse_envelopes() {
    let verify = tool("dsse-verify");
    let dir = tempfile::tempdir().unwrap();
    for alg in [Algorithm::EcdsaP256, Algorithm::Ed25519] {
        let key = SigningKey::generate(alg).unwrap();
        let st = Statement::new(
            vec![Subject::new(
                "app",
                vouch_digest::Digest::from_hex(vouch_digest::Algorithm::Sha256, &"ab".repeat(32))
                    .unwrap(),
            )],
            "https://slsa.dev/provenance/v1",
            serde_json::json!({"buildDefinition": {"buildType": "t", "externalParameters": {}}, "runDetails": {"builder": {"id": "b"}}}),
        );
        let env = sign::sign_envelope(
            &key,
            vouch_attest::dsse::IN_TOTO_PAYLOAD_TYPE,
            serde_json::to_vec(&st).unwrap(),
        )
        .unwrap();
        let env_path = dir.path().join(format!("{alg}.dsse.json"));
        std::fs::write(&env_path, env.to_json()).unwrap();
        let pub_path = dir.path().join(format!("{alg}.pub"));
        std::fs::write(&pub_path, key.public_key().to_pem()).unwrap();
        let (ok, out) = run(&verify, &[&env_path, &pub_path]);
        assert!(
            ok,
            "securesystemslib rejected a vouch {alg} envelope: {out}"
        );

        let mut tampered = env.clone();
        tampered.payload = b"{\"_type\":\"x\"}".to_vec();
        std::fs::write(&env_path, tampered.to_json()).unwrap();
        let (ok, out) = run(&verify, &[&env_path, &pub_path]);
        assert!(
            !ok,
            "securesystemslib accepted a tampered {alg} envelope: {out}"
        );

        // the envelope from inside a vouch bundle is the same thing
        let bundle = sign::sign_statement(&key, &st).unwrap();
        std::fs::write(&env_path, bundle.dsse_envelope_json().unwrap().to_string()).unwrap();
        let (ok, out) = run(&verify, &[&env_path, &pub_path]);
        assert!(
            ok,
            "securesystemslib rejected the envelope of a vouch {alg} bundle: {out}"
        );
    }
}
