//! The admission webhook makes the gate's decision (issue #17): for every AdmissionReview
//! fixture (kubewarden's requests for every workload kind, signed and unsigned, with init
//! containers and digests; kubewarden policy-server's whole reviews), the images are pointed at
//! Debian's `docker-registry` on 127.0.0.1 holding an image signed and attested by vouch and an
//! unsigned one; `vouch admission serve` runs as a real process with real TLS (a CA and a
//! serving certificate made with `openssl`), and each review is POSTed the way the API server
//! sends it (`?timeout=10s`, JSON). The webhook's `allowed` must equal `vouch gate
//! registry:IMAGE --policy gate.toml` exiting 0 for every image of the object, with the same
//! policy file, and the request's `uid` must come back.
//!
//! - `/validate` gets each object with every image pinned by digest (an enforce rule denies a
//!   tag before any gate runs, so only pinned images are a like-for-like comparison);
//! - `/mutate` gets each object as written (tags): allowed exactly when the gate passes, with a
//!   JSONPatch that pins each tag to the digest the gate judged;
//! - `/validate` with a tag is denied even when the gate passes it (the deliberate difference);
//! - `dryRun` requests get the same answers; an UPDATE is decided on the images it changes;
//! - a registry stopped mid-run: the gate cannot evaluate (exit 2) and the webhook denies;
//! - kubewarden's `raw_review.json` (no AdmissionReview) is HTTP 400, never an allow.
//!
//! The server and the decision library come from other branches of issue #17; this test drives
//! them only through the CLI (`vouch admission serve`) and HTTP, so it fails (the subcommand is
//! unknown) until both are merged and wired.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::assert_exit;
use serde_json::{Value, json};
use vouch_test::registry::Registry;

const PROJECT: &str = "https://gitlab.example.com/acme/api";

/// The gate policy, the same file for `vouch gate` and the webhook's rule.
const POLICY: &str = r#"[trust]
keys = ["release.pub"]

[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
"#;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/admission")
}

/// Which test image stands for each image the fixtures name: `signed` is signed, attested
/// (provenance, SBOM) by the trusted key; `unsigned` carries nothing. A fixture naming an image
/// not listed here fails the test (so a new fixture is mapped on purpose).
fn role_of(original: &str) -> &'static str {
    match original {
        "ghcr.io/kubewarden/test-verify-image-signatures:signed"
        | "ghcr.io/kubewarden/tests/pod-privileged:v0.2.1"
        | "nginx:v1.26@sha256:89102e348749bb17a6a651a4b2a17420e1a66d2a44a675b981973d49a5af3a5e"
        | "nginx" => "signed",
        "ghcr.io/kubewarden/test-verify-image-signatures:unsigned" | "init" | "alpine" => {
            "unsigned"
        }
        other => panic!("fixture image {other} has no test image: add it to role_of"),
    }
}

/// The test images in the registry: tag form and pinned form.
struct Images {
    host: String,
    digests: BTreeMap<&'static str, String>,
}

impl Images {
    fn tagged(&self, role: &str) -> String {
        format!("{}/team/{role}:1.0", self.host)
    }
    fn pinned(&self, role: &str) -> String {
        format!("{}@{}", self.tagged(role), self.digests[role])
    }
}

/// One review to send: the AdmissionReview, and for each container image its JSON pointer in
/// `request.object` with the image as sent and its role.
struct Review {
    name: String,
    body: Value,
    images: Vec<(String, String, &'static str)>,
}

/// Every container list of a pod spec, wherever the kind keeps it (Pod `spec`, a workload's
/// `spec.template.spec`, a CronJob's `spec.jobTemplate.spec.template.spec`).
fn for_each_image(value: &mut Value, pointer: &str, f: &mut dyn FnMut(&str, &mut Value)) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let here = format!("{pointer}/{key}");
                if ["containers", "initContainers", "ephemeralContainers"].contains(&key.as_str())
                    && let Some(list) = v.as_array_mut()
                {
                    for (i, c) in list.iter_mut().enumerate() {
                        if let Some(image) = c.get_mut("image") {
                            f(&format!("{here}/{i}/image"), image);
                        }
                    }
                } else {
                    for_each_image(v, &here, f);
                }
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter_mut().enumerate() {
                for_each_image(v, &format!("{pointer}/{i}"), f);
            }
        }
        _ => {}
    }
}

/// The fixture as an AdmissionReview v1 (bare requests wrapped), its images rewritten to the
/// test registry: `pinned` puts every image by digest, otherwise an image keeps the form it was
/// written in (tag, or tag and digest). A request without a namespace gets `default` (the API
/// server always sends the namespace of a namespaced object; kubewarden's bare requests leave
/// it out). Each review gets its own uid, so an echo cannot come from another request.
fn review(path: &Path, images: &Images, pinned: bool, uid: &str) -> Review {
    let raw: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut body = if raw["kind"] == "AdmissionReview" {
        raw
    } else if raw.get("apiVersion").is_some() {
        // An object as `kubectl create … --dry-run=client -o json` writes it: the CREATE
        // request the API server would send for it.
        let (group, version) = match raw["apiVersion"].as_str().unwrap().split_once('/') {
            Some((g, v)) => (g.to_owned(), v.to_owned()),
            None => (
                String::new(),
                raw["apiVersion"].as_str().unwrap().to_owned(),
            ),
        };
        let kind = raw["kind"].as_str().unwrap().to_owned();
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
            "name": raw["metadata"]["name"],
            "namespace": "default",
            "operation": "CREATE",
            "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]},
            "object": raw,
            "oldObject": null,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
        }})
    } else {
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": raw})
    };
    let request = &mut body["request"];
    request["uid"] = json!(uid);
    if request.get("namespace").is_none() {
        request["namespace"] = json!("default");
    }
    let mut found = Vec::new();
    for_each_image(&mut request["object"], "", &mut |pointer, image| {
        let original = image.as_str().unwrap().to_owned();
        let role = role_of(&original);
        let sent = if pinned || original.contains("@sha256:") {
            images.pinned(role)
        } else {
            images.tagged(role)
        };
        *image = json!(sent);
        found.push((pointer.to_owned(), sent, role));
    });
    assert!(!found.is_empty(), "{}: no container image", path.display());
    Review {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        body,
        images: found,
    }
}

/// Every fixture that is an AdmissionReview (or a bare request), sorted.
fn fixture_paths() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "kubewarden-verify-image-signatures",
        "kubewarden-policy-server",
        "kubectl-dry-run",
    ] {
        for e in std::fs::read_dir(fixtures_dir().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") && !p.ends_with("raw_review.json") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert_eq!(out.len(), 26, "{out:?}");
    out
}

struct Work {
    dir: tempfile::TempDir,
    host: String,
}

impl Work {
    fn vouch(&self) -> assert_cmd::Command {
        let mut c = common::vouch();
        c.current_dir(self.dir.path())
            .env("VOUCH_PASSWORD", "pipeline-password")
            .env("HOME", self.dir.path());
        c
    }

    /// `vouch ARGS… --insecure-registry HOST` as a GitLab job on protected `main` (the
    /// provenance's build context).
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

    /// `vouch gate registry:IMAGE --policy gate.toml`: its exit code (0, 1 or 2).
    fn gate(&self, image: &str) -> i32 {
        let out = self.run(&[
            "gate",
            &format!("registry:{image}"),
            "--policy",
            "gate.toml",
        ]);
        out.status.code().expect("the gate exits")
    }
}

/// A registry with `team/signed:1.0` (SBOM attested, signed, provenance attested by
/// `release.key`, as a release pipeline does) and `team/unsigned:1.0`, and `late` signed the
/// same way but never asked for before the registry is stopped. `sign: false` leaves every
/// image unsigned.
fn setup(sign: bool) -> (Registry, Work, Images) {
    let registry = Registry::start();
    let w = Work {
        dir: tempfile::tempdir().unwrap(),
        host: registry.host(),
    };
    w.vouch()
        .args(["key", "generate", "--output-prefix", "release"])
        .assert()
        .success();
    std::fs::write(w.dir.path().join("gate.toml"), POLICY).unwrap();
    let mut digests = BTreeMap::new();
    for (role, created) in [
        ("signed", "2026-09-01T00:00:00Z"),
        ("unsigned", "2026-09-02T00:00:00Z"),
        ("late", "2026-09-03T00:00:00Z"),
    ] {
        digests.insert(
            role,
            registry.push_image(&format!("team/{role}"), "1.0", created),
        );
    }
    let images = Images {
        host: w.host.clone(),
        digests,
    };
    for role in ["signed", "late"].into_iter().filter(|_| sign) {
        let img = format!("registry:{}", images.tagged(role));
        assert_exit(
            &w.run(&[
                "sbom",
                &img,
                "--attest",
                "--key",
                "release.key",
                "-o",
                &format!("{role}.cdx.json"),
            ]),
            0,
        );
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
    }
    (registry, w, images)
}

/// A CA and a serving certificate for 127.0.0.1 (as cert-manager's CA issuer makes them in
/// `deploy/`), written with `openssl` (test setup only; vouch never runs it). Returns the CA.
fn certificates(dir: &Path) -> Vec<u8> {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("openssl runs (Debian package openssl)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-subj",
                "/CN=vouch-test-ca",
                "-days",
                "2",
            ],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "tls.key",
                "-out",
                "tls.csr",
                "-subj",
                "/CN=vouch-admission.vouch-system.svc",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:vouch-admission.vouch-system.svc\n\
         basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "tls.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tls.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    std::fs::read(dir.join("ca.crt")).unwrap()
}

/// `vouch admission serve` as a child process, killed when dropped; its stderr (the decision
/// log) kept in a file to show when an assertion fails.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
    client: reqwest::blocking::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    fn start(w: &Work, images: &Images, ca: &[u8]) -> Server {
        let dir = w.dir.path();
        std::fs::write(
            dir.join("admission.toml"),
            format!(
                r#"unmatched = "deny"
deadline = "5s"

[cache]
ttl = "5m"
negative-ttl = "10s"

[[rules]]
images = ["{}/team/**"]
namespaces = ["*"]
policy = "gate.toml"
mode = "enforce"
on-error = "deny"
"#,
                images.host
            ),
        )
        .unwrap();
        let port = free_port();
        let log = dir.join("server.log");
        let child = Command::new(assert_cmd::cargo::cargo_bin("vouch"))
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            // The same clock as the gate runs (common::vouch).
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(["admission", "serve", "--config", "admission.toml"])
            .args(["--tls-cert", "tls.crt", "--tls-key", "tls.key"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--insecure-registry", &images.host])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let client = reqwest::blocking::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(ca).unwrap()])
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap();
        let mut server = Server {
            child,
            port,
            log,
            client,
        };
        // Ready only once the policy, its keys and trust roots are loaded.
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "vouch admission serve exited ({status}) before it was ready:\n{}",
                    server.log()
                );
            }
            let ready = server
                .client
                .get(server.url("/readyz"))
                .send()
                .is_ok_and(|r| r.status() == 200);
            if ready {
                break;
            }
            assert!(
                Instant::now() < until,
                "not ready after 60 s:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// POST as the API server does: `?timeout=10s`, JSON. Returns the HTTP status and body.
    fn post(&self, endpoint: &str, body: &[u8]) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(&format!("{endpoint}?timeout=10s")))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(body.to_vec())
            .send()
            .unwrap_or_else(|e| panic!("POST {endpoint}: {e}\n{}", self.log()));
        let status = response.status().as_u16();
        let bytes = response.bytes().unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    /// POST a review and check the envelope: 200, an AdmissionReview v1, the uid echoed.
    /// Returns `response`.
    fn review(&self, endpoint: &str, review: &Review) -> Value {
        let (status, answer) = self.post(endpoint, &serde_json::to_vec(&review.body).unwrap());
        let ctx = format!("{endpoint} {}: {answer}\n{}", review.name, self.log());
        assert_eq!(status, 200, "{ctx}");
        assert_eq!(answer["apiVersion"], "admission.k8s.io/v1", "{ctx}");
        assert_eq!(answer["kind"], "AdmissionReview", "{ctx}");
        assert_eq!(
            answer["response"]["uid"], review.body["request"]["uid"],
            "{ctx}"
        );
        assert!(answer["response"]["allowed"].is_boolean(), "{ctx}");
        answer["response"].clone()
    }
}

#[test]
fn the_webhook_decides_every_fixture_as_the_gate_does() {
    let (registry, w, images) = setup(true);

    // The gate on each test image, pinned and by tag: the decisions the webhook must match.
    let mut gate: BTreeMap<String, i32> = BTreeMap::new();
    for role in ["signed", "unsigned"] {
        for image in [images.tagged(role), images.pinned(role)] {
            let code = w.gate(&image);
            gate.insert(image, code);
        }
    }
    // The labels hold: the signed image passes, the unsigned one is denied (exit 1), by tag
    // and by digest alike.
    assert_eq!(gate[&images.pinned("signed")], 0, "{gate:?}");
    assert_eq!(gate[&images.tagged("signed")], 0, "{gate:?}");
    assert_eq!(gate[&images.pinned("unsigned")], 1, "{gate:?}");
    assert_eq!(gate[&images.tagged("unsigned")], 1, "{gate:?}");

    let ca = certificates(w.dir.path());
    let server = Server::start(&w, &images, &ca);

    let mut verdicts = BTreeSet::new();
    for (i, path) in fixture_paths().iter().enumerate() {
        // /validate, every image pinned: allowed exactly when the gate passes every image.
        let pinned = review(
            path,
            &images,
            true,
            &format!("00000000-0000-4000-8000-{i:012}"),
        );
        let passes = pinned.images.iter().all(|(_, img, _)| gate[img] == 0);
        let response = server.review("/validate", &pinned);
        assert_eq!(
            response["allowed"],
            passes,
            "/validate {}: the gate says {}: {response}\n{}",
            pinned.name,
            if passes { "pass" } else { "deny" },
            server.log()
        );
        if !passes {
            // A denial says why, naming each denied image.
            let message = response["status"]["message"].as_str().unwrap_or_default();
            for (_, img, _) in pinned.images.iter().filter(|(_, img, _)| gate[img] != 0) {
                assert!(message.contains(img.as_str()), "{}: {message}", pinned.name);
            }
        }
        verdicts.insert(passes);

        // /mutate, images as written: the same decision, and a patch that pins each tag to
        // the digest that was judged.
        let written = review(
            path,
            &images,
            false,
            &format!("00000000-0000-4000-9000-{i:012}"),
        );
        let response = server.review("/mutate", &written);
        assert_eq!(
            response["allowed"],
            passes,
            "/mutate {}: {response}\n{}",
            written.name,
            server.log()
        );
        let tags: Vec<_> = written
            .images
            .iter()
            .filter(|(_, img, _)| !img.contains("@sha256:"))
            .collect();
        if passes && !tags.is_empty() {
            assert_eq!(response["patchType"], "JSONPatch", "{}", written.name);
            let patch: Value = serde_json::from_slice(
                &base64::engine::general_purpose::STANDARD
                    .decode(response["patch"].as_str().unwrap())
                    .unwrap(),
            )
            .unwrap();
            let ops: BTreeSet<String> = patch
                .as_array()
                .unwrap()
                .iter()
                .map(|op| op.to_string())
                .collect();
            let expected: BTreeSet<String> = tags
                .iter()
                .map(|(pointer, _, role)| {
                    json!({"op": "replace", "path": pointer, "value": images.pinned(role)})
                        .to_string()
                })
                .collect();
            assert_eq!(ops, expected, "{}", written.name);
        } else {
            // Nothing to pin, or denied: never a patch to an image that would be denied.
            assert!(
                response.get("patch").is_none_or(|p| p.is_null()),
                "{}: {response}",
                written.name
            );
        }

        // /validate with a tag: denied under an enforce rule, whatever the gate says.
        if !tags.is_empty() {
            let response = server.review("/validate", &written);
            assert_eq!(response["allowed"], false, "{}: {response}", written.name);
        }
    }
    // The fixtures exercise both answers.
    assert_eq!(verdicts, BTreeSet::from([false, true]));

    // dryRun: the same answers, by the same decision.
    let dir = fixtures_dir().join("kubewarden-verify-image-signatures");
    for (name, allowed) in [
        ("pod_creation_signed.json", true),
        ("pod_creation_unsigned.json", false),
    ] {
        let mut dry = review(
            &dir.join(name),
            &images,
            true,
            &format!(
                "00000000-0000-4000-b000-{}",
                if allowed {
                    "000000000001"
                } else {
                    "000000000002"
                }
            ),
        );
        dry.body["request"]["dryRun"] = json!(true);
        let response = server.review("/validate", &dry);
        assert_eq!(response["allowed"], allowed, "dryRun {name}: {response}");
    }

    // UPDATE: an image changed to the unsigned one is decided (denied, as the gate denies it);
    // an update that leaves the images as they were needs no decision (issue #17) and is
    // admitted, the one place where the webhook does not ask the gate.
    let signed = review(&dir.join("pod_creation_signed.json"), &images, true, "x");
    let mut update = review(
        &dir.join("pod_creation_unsigned.json"),
        &images,
        true,
        "00000000-0000-4000-b000-000000000003",
    );
    update.body["request"]["operation"] = json!("UPDATE");
    update.body["request"]["oldObject"] = signed.body["request"]["object"].clone();
    let response = server.review("/validate", &update);
    assert_eq!(response["allowed"], false, "UPDATE to unsigned: {response}");
    update.body["request"]["uid"] = json!("00000000-0000-4000-b000-000000000004");
    update.body["request"]["oldObject"] = update.body["request"]["object"].clone();
    let response = server.review("/validate", &update);
    assert_eq!(
        response["allowed"], true,
        "UPDATE, images unchanged: {response}"
    );

    // A registry stopped mid-run: an image never asked for before cannot be evaluated. The gate
    // says so (exit 2); the webhook denies (fail closed), the uid still echoed.
    let late = images.pinned("late");
    assert_eq!(w.gate(&late), 0);
    drop(registry);
    assert_eq!(w.gate(&late), 2);
    let mut stopped = review(
        &fixture_paths()[0],
        &images,
        true,
        "00000000-0000-4000-a000-000000000001",
    );
    for_each_image(
        &mut stopped.body["request"]["object"],
        "",
        &mut |_, image| *image = json!(late),
    );
    let response = server.review("/validate", &stopped);
    assert_eq!(response["allowed"], false, "{response}\n{}", server.log());
}

#[test]
fn a_body_that_is_no_admission_review_is_refused_never_allowed() {
    let (_registry, w, images) = setup(false);
    let ca = certificates(w.dir.path());
    let server = Server::start(&w, &images, &ca);
    let raw =
        std::fs::read(fixtures_dir().join("kubewarden-policy-server/raw_review.json")).unwrap();
    for endpoint in ["/validate", "/mutate"] {
        let (status, answer) = server.post(endpoint, &raw);
        assert_eq!(status, 400, "{endpoint}: {answer}\n{}", server.log());
        assert_ne!(answer["response"]["allowed"], true, "{endpoint}");
    }
}
