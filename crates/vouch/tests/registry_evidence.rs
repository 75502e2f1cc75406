//! Evidence attached to images in real registries on 127.0.0.1 (docs/evidence.md): Debian's
//! `docker-registry` (distribution 2.8, no referrers API: the fallback tag) and
//! `ferro-oci-server` (the referrers API), the same matrix on both. Sign, attest, verify,
//! list and gate by reference; a tag moved after signing, a wrong key and a stopped registry;
//! ten writers of the fallback tag at once.

mod common;

use std::path::Path;
use std::process::Output;

use common::assert_exit;
use vouch_test::registry::Registry;

const PROJECT: &str = "https://gitlab.example.com/acme/api";

fn registries() -> Vec<(&'static str, Registry)> {
    vec![
        ("docker-registry", Registry::start()),
        ("ferro", Registry::start_ferro()),
    ]
}

/// The layout a registry's evidence is found in.
fn layout(kind: &str) -> &'static str {
    match kind {
        "ferro" => "referrers-api",
        _ => "fallback-tag",
    }
}

struct Work {
    dir: tempfile::TempDir,
    host: String,
}

impl Work {
    fn new(registry: &Registry) -> Work {
        let w = Work {
            dir: tempfile::tempdir().unwrap(),
            host: registry.host(),
        };
        for name in ["release", "intruder"] {
            w.vouch()
                .args(["key", "generate", "--output-prefix", name])
                .assert()
                .success();
        }
        w
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn vouch(&self) -> assert_cmd::Command {
        let mut c = common::vouch();
        c.current_dir(self.dir.path())
            .env("VOUCH_PASSWORD", "pipeline-password")
            .env("HOME", self.dir.path());
        c
    }

    /// `vouch ARGS… --insecure-registry HOST` as a GitLab job on protected `main`.
    fn run(&self, args: &[&str]) -> Output {
        let mut c = self.vouch();
        for (k, v) in [
            ("GITLAB_CI", "true"),
            ("CI_SERVER_URL", "https://gitlab.example.com"),
            ("CI_PROJECT_URL", PROJECT),
            ("CI_COMMIT_SHA", "4f1c2a9e0b7d3c6f8e5a1b2c3d4e5f6a7b8c9d0e"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("CI_COMMIT_REF_PROTECTED", "true"),
            ("CI_PIPELINE_ID", "4242"),
            ("CI_JOB_ID", "777"),
            ("CI_RUNNER_ID", "12"),
        ] {
            c.env(k, v);
        }
        c.args(args)
            .args(["--insecure-registry", &self.host])
            .output()
            .unwrap()
    }

    fn image(&self, repo_tag: &str) -> String {
        format!("registry:{}/{repo_tag}", self.host)
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

#[test]
fn an_image_signed_by_tag_verifies_by_its_digest_on_both_registries() {
    for (kind, registry) in registries() {
        let digest = registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
        let w = Work::new(&registry);
        let img = w.image("team/app:1.0");

        let out = w.run(&["sign", &img, "--key", "release.key"]);
        assert_exit(&out, 0);
        assert_eq!(stdout(&out), format!("{digest}\n"), "{kind}");
        assert!(
            stderr(&out).contains(&format!("({})", layout(kind))),
            "{kind}: {}",
            stderr(&out)
        );

        // By tag and by digest, with the right key: verified; the JSON names the layout.
        for reference in [img.clone(), w.image(&format!("team/app@{digest}"))] {
            let out = w.run(&[
                "verify",
                &reference,
                "--key",
                "release.pub",
                "--format",
                "json",
            ]);
            assert_exit(&out, 0);
            let v = json(&out);
            assert_eq!(v["verdict"], "verified", "{kind}");
            assert_eq!(v["digest"], digest.as_str());
            assert_eq!(v["verified"][0]["layout"], layout(kind), "{kind}");
        }

        // Another key: exit 1, the reason is the key.
        let out = w.run(&["verify", &img, "--key", "intruder.pub", "--format", "json"]);
        assert_exit(&out, 1);
        let v = json(&out);
        assert_eq!(v["verdict"], "not-verified");
        assert_eq!(v["rejected"][0]["code"], "key-mismatch", "{kind}: {v}");

        // `evidence` lists the signature with its verdict.
        let out = w.run(&["evidence", &img, "--key", "release.pub", "--format", "json"]);
        assert_exit(&out, 0);
        let v = json(&out);
        assert_eq!(v["referrers_api"], kind == "ferro");
        let attached = v["attached"].as_array().unwrap();
        assert_eq!(attached.len(), 1, "{kind}: {v}");
        assert_eq!(attached[0]["layout"], layout(kind));
        assert_eq!(
            attached[0]["type"], "https://sigstore.dev/cosign/sign/v1",
            "{kind}"
        );
        assert_eq!(attached[0]["pieces"][0]["role"], "signature");
        assert_eq!(attached[0]["pieces"][0]["check"]["verdict"], "verified");
    }
}

#[test]
fn a_tag_moved_after_signing_no_longer_verifies() {
    for (kind, registry) in registries() {
        registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
        let w = Work::new(&registry);
        let img = w.image("team/app:1.0");
        assert_exit(&w.run(&["sign", &img, "--key", "release.key"]), 0);
        // The tag now names another image (another config time, so another digest).
        let moved = registry.push_image("team/app", "1.0", "2026-10-01T00:00:00Z");
        let out = w.run(&["verify", &img, "--key", "release.pub"]);
        assert_exit(&out, 1);
        assert!(
            stderr(&out).contains(&format!(
                "verify: not verified: nothing of the kind is attached to {}/team/app@{moved}",
                w.host
            )),
            "{kind}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_stopped_registry_is_could_not_evaluate_never_unsigned() {
    for (kind, registry) in registries() {
        registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
        let w = Work::new(&registry);
        let img = w.image("team/app:1.0");
        drop(registry);
        for args in [
            vec!["verify", img.as_str(), "--key", "release.pub"],
            vec!["evidence", img.as_str()],
            vec!["sign", img.as_str(), "--key", "release.key"],
        ] {
            let out = w.run(&args);
            assert_exit(&out, 2);
            assert!(
                stderr(&out).contains(&format!("cannot reach http://{}/v2/", w.host)),
                "{kind} {args:?}: {}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn attestations_are_attached_and_verified_by_predicate_type() {
    for (kind, registry) in registries() {
        registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
        let w = Work::new(&registry);
        let img = w.image("team/app:1.0");
        assert_exit(
            &w.run(&[
                "attest",
                "provenance",
                "--subject",
                &img,
                "--key",
                "release.key",
            ]),
            0,
        );
        let out = w.run(&[
            "verify-attestation",
            &img,
            "--key",
            "release.pub",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
            "--source-uri",
            PROJECT,
            "--format",
            "json",
        ]);
        assert_exit(&out, 0);
        let v = json(&out);
        assert_eq!(
            v["verified"][0]["predicate_type"],
            "https://slsa.dev/provenance/v1"
        );
        assert_eq!(v["verified"][0]["layout"], layout(kind), "{kind}");

        // A type nobody attested: exit 1.
        let out = w.run(&[
            "verify-attestation",
            &img,
            "--key",
            "release.pub",
            "--predicate-type",
            "https://in-toto.io/attestation/test-result/v0.1",
        ]);
        assert_exit(&out, 1);
        // Another key: exit 1.
        let out = w.run(&[
            "verify-attestation",
            &img,
            "--key",
            "intruder.pub",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
        ]);
        assert_exit(&out, 1);
    }
}

const POLICY: &str = r#"[trust]
keys = ["release.pub"]

[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
"#;

#[test]
fn the_gate_takes_an_images_evidence_from_its_registry() {
    for (kind, registry) in registries() {
        let digest = registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
        let w = Work::new(&registry);
        std::fs::write(w.path().join("gate.toml"), POLICY).unwrap();
        let img = w.image("team/app:1.0");

        // Nothing attached yet: denied, with every reason, and nothing promoted.
        let out = w.run(&["gate", &img, "--policy", "gate.toml", "--format", "json"]);
        assert_exit(&out, 1);
        let v = json(&out);
        let codes: Vec<&str> = v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            [
                "missing-signature",
                "missing-provenance",
                "missing-sbom-attestation"
            ],
            "{kind}: {v}"
        );
        assert_eq!(
            v["reasons"][0]["message"],
            format!("no signature is attached to the image ({digest})")
        );

        // The pipeline: SBOM attested, signed, provenance; then the gate passes and attaches
        // its summary.
        let out = w.run(&[
            "sbom",
            &img,
            "--attest",
            "--key",
            "release.key",
            "-o",
            "sbom.cdx.json",
        ]);
        assert_exit(&out, 0);
        assert_exit(&w.run(&["sign", &img, "--key", "release.key"]), 0);
        assert_exit(
            &w.run(&[
                "attest",
                "provenance",
                "--subject",
                &img,
                "--key",
                "release.key",
            ]),
            0,
        );
        let out = w.run(&[
            "gate",
            &img,
            "--policy",
            "gate.toml",
            "--key",
            "release.key",
        ]);
        assert_exit(&out, 0);
        assert_eq!(
            stdout(&out),
            format!("{digest}\n"),
            "{kind}: {}",
            stderr(&out)
        );

        // The summary is attached: it verifies as an attestation about the image.
        let out = w.run(&[
            "verify-attestation",
            &img,
            "--key",
            "release.pub",
            "--predicate-type",
            "https://slsa.dev/verification_summary/v1",
        ]);
        assert_exit(&out, 0);

        // A signature by a key the policy does not trust is not enough.
        let other = registry.push_image("team/other", "1.0", "2026-09-01T00:00:00Z");
        let img2 = w.image("team/other:1.0");
        assert_exit(&w.run(&["sign", &img2, "--key", "intruder.key"]), 0);
        let out = w.run(&["gate", &img2, "--policy", "gate.toml", "--format", "json"]);
        assert_exit(&out, 1);
        let v = json(&out);
        assert_eq!(v["artifact"]["digest"], other.as_str());
        assert_eq!(v["reasons"][0]["code"], "untrusted-signer", "{kind}: {v}");
    }
}

#[test]
fn ten_concurrent_writers_of_the_fallback_tag_all_survive() {
    let registry = Registry::start();
    registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
    let w = Work::new(&registry);
    let img = w.image("team/app:1.0");
    // Ten different SBOMs, so ten different bundles.
    for i in 0..10 {
        std::fs::write(
            w.path().join(format!("sbom{i}.cdx.json")),
            format!(
                r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"serialNumber":"urn:uuid:00000000-0000-4000-8000-00000000000{i}","components":[]}}"#
            ),
        )
        .unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("vouch");
    let children: Vec<_> = (0..10)
        .map(|i| {
            std::process::Command::new(&bin)
                .current_dir(w.path())
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", w.path())
                .env("VOUCH_PASSWORD", "pipeline-password")
                .args(["attest", "sbom", "--subject", &img, "--key", "release.key"])
                .args(["--sbom", &format!("sbom{i}.cdx.json")])
                .args(["--insecure-registry", &w.host])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_exit(&out, 0);
    }
    let out = w.run(&["evidence", &img, "--key", "release.pub", "--format", "json"]);
    assert_exit(&out, 0);
    let v = json(&out);
    let attached = v["attached"].as_array().unwrap();
    assert_eq!(attached.len(), 10, "{v}");
    assert!(
        attached
            .iter()
            .all(|a| a["layout"] == "fallback-tag"
                && a["pieces"][0]["check"]["verdict"] == "verified"),
        "{v}"
    );
}

#[test]
fn images_outside_registries_carry_no_evidence() {
    let d = tempfile::tempdir().unwrap();
    let out = common::vouch()
        .current_dir(d.path())
        .args(["verify", "oci-dir:layout", "--key", "k.pub"])
        .output()
        .unwrap();
    // The key is read first: make the refusal about the image.
    assert_exit(&out, 2);
    let out = common::vouch()
        .current_dir(d.path())
        .args(["evidence", "oci-dir:layout"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(
            "`oci-dir:layout`: signatures and attestations are attached to images in registries, and an oci-dir image has none"
        ),
        "{}",
        stderr(&out)
    );
}

/// A registry behind the fault proxy: signed through the proxy, then asked while it throttles,
/// refuses or cuts its answers short. Each is exit 2 naming the fault, never "not signed".
#[test]
fn a_throttled_refusing_or_truncating_registry_is_could_not_evaluate() {
    use vouch_test::proxy::{Fault, FaultProxy};
    for (kind, registry) in registries() {
        registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
        let proxy = FaultProxy::start(&registry.host());
        let w = Work {
            dir: tempfile::tempdir().unwrap(),
            host: proxy.host(),
        };
        for name in ["release", "intruder"] {
            w.vouch()
                .args(["key", "generate", "--output-prefix", name])
                .assert()
                .success();
        }
        let img = w.image("team/app:1.0");
        assert_exit(&w.run(&["sign", &img, "--key", "release.key"]), 0);
        let verify = || w.run(&["verify", &img, "--key", "release.pub"]);
        assert_exit(&verify(), 0);

        for (fault, path, expected) in [
            (
                Fault::Throttled {
                    retry_after: "120".into(),
                },
                "/manifests/",
                "answered 429 Too Many Requests (Retry-After: 120)",
            ),
            (Fault::Unauthorized, "/manifests/", "answered 401"),
            (Fault::Forbidden, "/blobs/", "answered 403"),
            (
                Fault::ServerError,
                "/manifests/",
                "answered 500 (server error)",
            ),
            (Fault::Truncated, "/blobs/", "(Content-Length)"),
        ] {
            proxy.clear();
            proxy.fail_matching(fault, path, 10);
            let out = verify();
            assert_exit(&out, 2);
            assert!(
                stderr(&out).contains(expected),
                "{kind} {path} {expected}: {}",
                stderr(&out)
            );
        }
        proxy.clear();
        assert_exit(&verify(), 0);
    }
}

/// A registry that asks for credentials: the Docker config file's are sent (pushes included);
/// without them every command is exit 2 naming the refusal.
#[test]
fn credentials_from_the_docker_config_sign_and_verify_on_a_protected_registry() {
    use base64::Engine as _;
    let registry = Registry::start_with_htpasswd();
    registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
    let w = Work::new(&registry);
    let img = w.image("team/app:1.0");

    let out = w.run(&["sign", &img, "--key", "release.key"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("answered 401"), "{}", stderr(&out));

    let auth = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        Registry::USER,
        Registry::PASSWORD
    ));
    let config = w.path().join("docker");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, w.host),
    )
    .unwrap();
    let with = |args: &[&str]| {
        w.vouch()
            .env("DOCKER_CONFIG", &config)
            .args(args)
            .args(["--insecure-registry", &w.host])
            .output()
            .unwrap()
    };
    assert_exit(&with(&["sign", &img, "--key", "release.key"]), 0);
    let out = with(&["verify", &img, "--key", "release.pub"]);
    assert_exit(&out, 0);
    // The password is never printed.
    assert!(!stderr(&out).contains(Registry::PASSWORD));
}

/// docker-registry answers 500 now and then while writers replace the fallback tag (seen under
/// load with ten writers): the writer waits such faults out a few times, then succeeds, and a
/// registry that keeps failing is exit 2.
#[test]
fn server_errors_on_the_fallback_tag_are_waited_out_a_few_times() {
    use vouch_test::proxy::{Fault, FaultProxy};
    let registry = Registry::start();
    registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
    let proxy = FaultProxy::start(&registry.host());
    let w = Work {
        dir: tempfile::tempdir().unwrap(),
        host: proxy.host(),
    };
    w.vouch()
        .args(["key", "generate", "--output-prefix", "release"])
        .assert()
        .success();
    let img = w.image("team/app:1.0");
    proxy.fail_matching(Fault::ServerError, "/manifests/sha256-", 3);
    assert_exit(&w.run(&["sign", &img, "--key", "release.key"]), 0);
    proxy.clear();
    assert_exit(&w.run(&["verify", &img, "--key", "release.pub"]), 0);

    proxy.fail_matching(Fault::ServerError, "/manifests/sha256-", 1000);
    let out = w.run(&[
        "attest",
        "provenance",
        "--subject",
        &img,
        "--key",
        "release.key",
    ]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("still failing after 20 tries while other writers update it"),
        "{}",
        stderr(&out)
    );
}
