//! End-to-end: key generate, sign, verify, attest, verify-attestation; exit codes and JSON.

use assert_cmd::Command;

mod common;

fn vouch(dir: &std::path::Path) -> Command {
    let mut c = common::vouch();
    c.current_dir(dir).env("VOUCH_PASSWORD", "test-password");
    c
}

#[test]
fn sign_and_verify_roundtrip_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    vouch(d)
        .args(["key", "generate", "--output-prefix", "k"])
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(d.join("k.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key_text = std::fs::read_to_string(d.join("k.key")).unwrap();
    assert!(key_text.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    std::fs::write(d.join("app.bin"), b"application").unwrap();
    let out = vouch(d)
        .args(["sign", "app.bin", "--key", "k.key"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!stderr.contains("test-password"));
    let bundle = common::json(&std::fs::read(d.join("app.bin.sigstore.json")).unwrap());
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );

    let out = vouch(d)
        .args([
            "verify",
            "app.bin",
            "--bundle",
            "app.bin.sigstore.json",
            "--key",
            "k.pub",
            "--format",
            "json",
        ])
        .assert()
        .code(0);
    let v = common::json(&out.get_output().stdout);
    assert_eq!(v["verdict"], "verified");
    assert_eq!(v["signer"]["kind"], "key");
    assert_eq!(v["trust"]["kind"], "embedded-production");

    // by digest
    let digest = v["digest"].as_str().unwrap().to_owned();
    vouch(d)
        .args([
            "verify",
            &digest,
            "--bundle",
            "app.bin.sigstore.json",
            "--key",
            "k.pub",
        ])
        .assert()
        .code(0);

    // tampered artifact: not verified (1)
    std::fs::write(d.join("app.bin"), b"applicatioN").unwrap();
    let out = vouch(d)
        .args([
            "verify",
            "app.bin",
            "--bundle",
            "app.bin.sigstore.json",
            "--key",
            "k.pub",
            "--format",
            "json",
        ])
        .assert()
        .code(1);
    assert_eq!(
        common::json(&out.get_output().stdout)["code"],
        "digest-mismatch"
    );

    // --require-tlog on an offline bundle: not verified (1)
    std::fs::write(d.join("app.bin"), b"application").unwrap();
    vouch(d)
        .args([
            "verify",
            "app.bin",
            "--bundle",
            "app.bin.sigstore.json",
            "--key",
            "k.pub",
            "--require-tlog",
        ])
        .assert()
        .code(1);

    // garbage bundle: could not evaluate (2)
    std::fs::write(d.join("bad.json"), b"{\"mediaType\":").unwrap();
    let out = vouch(d)
        .args([
            "verify", "app.bin", "--bundle", "bad.json", "--key", "k.pub",
        ])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("bad.json") && err.contains("truncated"),
        "{err}"
    );

    // no signer given: usage error (2)
    vouch(d)
        .args(["verify", "app.bin", "--bundle", "app.bin.sigstore.json"])
        .assert()
        .code(2);

    // wrong password: could not evaluate (2), password not echoed
    let out = vouch(d)
        .env("VOUCH_PASSWORD", "nope-wrong")
        .args(["sign", "app.bin", "--key", "k.key", "-o", "x.json"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("wrong password") && !err.contains("nope-wrong"),
        "{err}"
    );
}

#[test]
fn attest_provenance_and_verify_attestation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    vouch(d)
        .args([
            "key",
            "generate",
            "--output-prefix",
            "k",
            "--algorithm",
            "ed25519",
        ])
        .assert()
        .success();
    std::fs::write(d.join("app.bin"), b"application").unwrap();
    std::fs::write(
        d.join("sbom.cdx.json"),
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
            {"name":"serde","version":"1.0.0","purl":"pkg:cargo/serde@1.0.0",
             "hashes":[{"alg":"SHA-256","content":"AB"}]},
            {"name":"nopurl"}]}"#,
    )
    .unwrap();
    let gitlab = [
        ("GITLAB_CI", "true"),
        ("CI_COMMIT_SHA", "0123456789abcdef0123456789abcdef01234567"),
        ("CI_PIPELINE_ID", "42"),
        ("CI_JOB_ID", "7"),
        ("CI_RUNNER_ID", "9"),
        ("CI_RUNNER_DESCRIPTION", "shared-runner"),
        ("CI_PROJECT_URL", "https://gitlab.example/acme/app"),
        ("CI_SERVER_URL", "https://gitlab.example"),
        ("CI_COMMIT_REF_NAME", "main"),
        ("CI_COMMIT_REF_PROTECTED", "true"),
        ("CI_CONFIG_PATH", ".gitlab-ci.yml"),
    ];
    let mut cmd = vouch(d);
    for (k, v) in gitlab {
        cmd.env(k, v);
    }
    cmd.args([
        "attest",
        "provenance",
        "--subject",
        "app.bin",
        "--key",
        "k.key",
        "--sbom",
        "sbom.cdx.json",
    ])
    .assert()
    .success();
    let text = std::fs::read_to_string(d.join("provenance.intoto.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 1);

    let out = vouch(d)
        .args([
            "verify-attestation",
            "app.bin",
            "--bundle",
            "provenance.intoto.jsonl",
            "--key",
            "k.pub",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
            "--source-uri",
            "https://gitlab.example/acme/app",
            "--commit",
            "0123456789abcdef0123456789abcdef01234567",
            "--builder-id",
            "https://gitlab.example/acme/app/-/runners/9",
            "--format",
            "json",
        ])
        .assert()
        .code(0);
    let v = common::json(&out.get_output().stdout);
    assert_eq!(v["verdict"], "verified");
    let st = &v["verified"][0]["statement"];
    let pred = &st["predicate"];
    assert_eq!(
        pred["runDetails"]["metadata"]["invocationId"],
        "https://gitlab.example/acme/app/-/pipelines/42/jobs/7"
    );
    assert_eq!(
        pred["runDetails"]["metadata"]["finishedOn"],
        "2023-11-14T22:13:20Z"
    );
    let deps = pred["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .unwrap();
    assert_eq!(deps.len(), 2, "{deps:?}");
    assert_eq!(deps[1]["uri"], "pkg:cargo/serde@1.0.0");
    assert_eq!(deps[1]["digest"]["sha256"], "ab");
    assert_eq!(
        pred["buildDefinition"]["internalParameters"]["runner"]["name"],
        "shared-runner"
    );

    // wrong expectation: 1
    let out = vouch(d)
        .args([
            "verify-attestation",
            "app.bin",
            "--bundle",
            "provenance.intoto.jsonl",
            "--key",
            "k.pub",
            "--commit",
            "ffffffffffffffffffffffffffffffffffffffff",
            "--format",
            "json",
        ])
        .assert()
        .code(1);
    assert_eq!(
        common::json(&out.get_output().stdout)["rejected"][0]["code"],
        "commit-mismatch"
    );

    // another file: subject mismatch, 1
    std::fs::write(d.join("other.bin"), b"other").unwrap();
    let out = vouch(d)
        .args([
            "verify-attestation",
            "other.bin",
            "--bundle",
            "provenance.intoto.jsonl",
            "--key",
            "k.pub",
            "--format",
            "json",
        ])
        .assert()
        .code(1);
    assert_eq!(
        common::json(&out.get_output().stdout)["rejected"][0]["code"],
        "subject-mismatch"
    );

    // SBOM attestation
    vouch(d)
        .args([
            "attest",
            "sbom",
            "--subject",
            "app.bin",
            "--sbom",
            "sbom.cdx.json",
            "--key",
            "k.key",
            "-o",
            "sbom.jsonl",
        ])
        .assert()
        .success();
    vouch(d)
        .args([
            "verify-attestation",
            "app.bin",
            "--bundle",
            "sbom.jsonl",
            "--key",
            "k.pub",
            "--predicate-type",
            "https://cyclonedx.org/bom",
        ])
        .assert()
        .code(0);
}
