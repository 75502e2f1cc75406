//! Registry evidence interop (issue #16), each case on both real registries on 127.0.0.1:
//! crates.io's `ferro-oci-server` (has the OCI 1.1 referrers API) and Debian's `docker-registry`
//! (distribution 2.8: no referrers API, so the `sha256-<hex>` fallback tag index).
//!
//! - a bundle pushed by npm `@sigstore/oci` (the code GitHub's `actions/attest` runs) is found
//!   and verified by `vouch verify-attestation` and listed by `vouch evidence`;
//! - what `vouch sign` and `vouch attest` push is found and verified by `@sigstore/oci`'s client
//!   and sigstore-js (`sigstore-oci-read`);
//! - a cosign legacy `sha256-<hex>.sig` signature built here from the documented format (cosign
//!   `specs/SIGNATURE_SPEC.md`: simple-signing payload, ECDSA P-256 over its SHA-256, DER,
//!   base64 in the `dev.cosignproject.cosign/signature` layer annotation), with a key made here by
//!   aws-lc-rs, verifies with `vouch verify`;
//! - the npm peer tools themselves (attach, find in the registry's layout, verify, reject another
//!   key and a bundle about another subject), which need nothing from vouch but `attest` on a
//!   file;
//! - the CI templates' image variant passes `vouch check` and `vouch pin --check`.
//!
//! The npm tools come from `scripts/test-setup.d/sigstore-oci.sh` into
//! `$VOUCH_TEST_SIGSTORE_OCI_PREFIX/bin` (default `/opt/vouch-test/sigstore-oci/bin`); the
//! registries from `scripts/test-setup.d/registry.sh` and `ferro.sh`. These tests FAIL (never
//! skip) when a tool is missing. Every `vouch` and npm run gets a `HOME` of its own, so no
//! developer credentials (`~/.docker/config.json`) take part.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine as _;
use common::assert_exit;
use serde_json::{Value, json};
use vouch_test::registry::{OCI_MANIFEST, Registry, sha256};

const REPO: &str = "team/app";
const PASSWORD: &str = "registry-interop";
const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const CYCLONEDX: &str = "https://cyclonedx.org/bom";
const SLSA_PROVENANCE: &str = "https://slsa.dev/provenance/v1";
/// The predicate type of cosign v3's signature bundles, which `vouch sign IMAGE` writes.
const COSIGN_SIGN: &str = "https://sigstore.dev/cosign/sign/v1";
const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
const COSIGN_SIGNATURE: &str = "dev.cosignproject.cosign/signature";

/// The two registries of the matrix and the layout each one's evidence lands in.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Ferro,
    Distribution,
}

impl Kind {
    fn start(self) -> Registry {
        match self {
            Kind::Ferro => Registry::start_ferro(),
            Kind::Distribution => Registry::start(),
        }
    }

    /// The layout name `vouch evidence` gives (and `sigstore-oci-read` prints on stderr).
    fn layout(self) -> &'static str {
        match self {
            Kind::Ferro => "referrers-api",
            Kind::Distribution => "fallback-tag",
        }
    }
}

/// A registry with one image `team/app:v1` pushed, two key pairs and an SBOM in a work folder.
struct Setup {
    registry: Registry,
    /// `sha256:<hex>` of `team/app:v1`.
    digest: String,
    /// The manifest bytes of `team/app:v1` (its SHA-256 is `digest`).
    manifest: Vec<u8>,
    work: tempfile::TempDir,
}

impl Setup {
    fn new(kind: Kind) -> Setup {
        let registry = kind.start();
        let (digest, manifest) = push_image(&registry, REPO, "v1");
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir(work.path().join("home")).unwrap();
        std::fs::create_dir(work.path().join("src")).unwrap();
        let setup = Setup {
            registry,
            digest,
            manifest,
            work,
        };
        for name in ["release", "other"] {
            let out = setup
                .vouch(&["key", "generate", "--output-prefix", name])
                .output()
                .unwrap();
            assert_exit(&out, 0);
        }
        let out = setup
            .vouch(&["sbom", "src", "-o", "sbom.cdx.json"])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        setup
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.work.path().join(rel)
    }

    /// `vouch ARGS` in the work folder, with its own `HOME` and the keys' password.
    fn vouch(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = common::vouch();
        c.current_dir(self.work.path())
            .env("HOME", self.path("home"))
            .env("VOUCH_PASSWORD", PASSWORD)
            .args(args);
        c
    }

    /// `vouch ARGS --insecure-registry HOST` (plain HTTP to the test registry).
    fn vouch_registry(&self, args: &[&str]) -> Output {
        let host = self.registry.host();
        let mut all = args.to_vec();
        all.extend(["--insecure-registry", &host]);
        self.vouch(&all).output().unwrap()
    }

    /// A npm peer tool run in the work folder with the same `HOME`.
    fn peer(&self, name: &str, args: &[&str]) -> Output {
        Command::new(tool(name))
            .current_dir(self.work.path())
            .env("HOME", self.path("home"))
            .args(args)
            .output()
            .unwrap()
    }

    /// An SBOM attestation about the image, made by `vouch attest sbom` on a file: the
    /// manifest, whose SHA-256 is the image digest, so the statement's subject is the image.
    /// Returns the bundle file (one bundle, as `@sigstore/oci` takes it).
    fn image_attestation(&self) -> &'static str {
        std::fs::write(self.path("manifest.json"), &self.manifest).unwrap();
        self.file_attestation("manifest.json", "bundle.json");
        let bundle: Value =
            serde_json::from_slice(&std::fs::read(self.path("bundle.json")).unwrap()).unwrap();
        assert_eq!(bundle["mediaType"], BUNDLE_V03);
        let statement: Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            format!(
                "sha256:{}",
                statement["subject"][0]["digest"]["sha256"]
                    .as_str()
                    .unwrap()
            ),
            self.digest,
            "the statement must name the image digest"
        );
        "bundle.json"
    }

    /// `vouch attest sbom --subject FILE` signed by `release.key`; its first bundle written to
    /// `bundle` (a file in the work folder).
    fn file_attestation(&self, file: &str, bundle: &str) {
        let out = self
            .vouch(&[
                "attest",
                "sbom",
                "--subject",
                file,
                "--sbom",
                "sbom.cdx.json",
                "--key",
                "release.key",
                "-o",
                "attestation.jsonl",
            ])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let lines = std::fs::read_to_string(self.path("attestation.jsonl")).unwrap();
        std::fs::write(self.path(bundle), lines.lines().next().unwrap()).unwrap();
    }

    /// `sigstore-oci-attach IMAGE@DIGEST BUNDLE`: the descriptor it printed.
    fn attach(&self, bundle: &str) -> Value {
        let out = self.peer("sigstore-oci-attach", &[&self.npm_name(), bundle]);
        assert_exit(&out, 0);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
    }

    /// `registry:HOST/team/app:v1`.
    fn by_tag(&self) -> String {
        format!("registry:{}/{REPO}:v1", self.registry.host())
    }

    /// `registry:HOST/team/app@sha256:…`.
    fn by_digest(&self) -> String {
        format!("registry:{}/{REPO}@{}", self.registry.host(), self.digest)
    }

    /// `HOST/team/app@sha256:…`, as `@sigstore/oci` names images.
    fn npm_name(&self) -> String {
        format!("{}/{REPO}@{}", self.registry.host(), self.digest)
    }
}

/// `$VOUCH_TEST_SIGSTORE_OCI_PREFIX/bin/NAME`, or a failure that says how to install it.
fn tool(name: &str) -> PathBuf {
    let prefix = std::env::var("VOUCH_TEST_SIGSTORE_OCI_PREFIX")
        .unwrap_or_else(|_| "/opt/vouch-test/sigstore-oci".into());
    let p = Path::new(&prefix).join("bin").join(name);
    assert!(
        p.exists(),
        "{} is missing: run scripts/test-setup.d/sigstore-oci.sh (or set VOUCH_TEST_SIGSTORE_OCI_PREFIX)",
        p.display()
    );
    p
}

/// Pushes a one-layer OCI image as `repository:tag` (its config names the tag, so every tag is
/// a different image); returns its digest and manifest bytes.
fn push_image(registry: &Registry, repository: &str, tag: &str) -> (String, Vec<u8>) {
    let layer = vec![0u8; 1024]; // an empty tar archive
    let layer_digest = registry.push_blob(repository, &layer);
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Labels": {"org.opencontainers.image.version": tag}},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
    }))
    .unwrap();
    let config_digest = registry.push_blob(repository, &config);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
    }))
    .unwrap();
    let digest = registry.push_manifest(repository, tag, OCI_MANIFEST, &manifest);
    assert_eq!(digest, sha256(&manifest));
    (digest, manifest)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The object inside `value` that has a string field equal to `digest` and a `layout` field:
/// `vouch evidence --format json`'s entry for one attached artifact, wherever the listing nests
/// it (by predicate type, by kind).
fn evidence_entry<'a>(value: &'a Value, digest: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => {
            if map.contains_key("layout") && map.values().any(|v| v.as_str() == Some(digest)) {
                return Some(value);
            }
            map.values().find_map(|v| evidence_entry(v, digest))
        }
        Value::Array(items) => items.iter().find_map(|v| evidence_entry(v, digest)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The npm peer tools themselves, on both registries (these need no registry support in vouch):
// a bundle attached by @sigstore/oci is found in the registry's layout and verified by
// sigstore-js; another key, and a genuine bundle about another subject, are each rejected with
// their reason.

fn npm_peer_round_trip(kind: Kind) {
    let s = Setup::new(kind);
    let pushed = s.attach(s.image_attestation());
    let artifact = pushed["digest"].as_str().unwrap().to_owned();
    assert_eq!(pushed["subject"], s.digest.as_str());
    assert_eq!(
        pushed["annotations"],
        json!({"dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": CYCLONEDX})
    );

    let out = s.peer(
        "sigstore-oci-read",
        &[&s.npm_name(), "--key", "release.pub"],
    );
    assert_exit(&out, 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("OK {CYCLONEDX} {artifact}\n")
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{artifact} found through {}\n", kind.layout())),
        "{stderr}"
    );
    match kind {
        Kind::Ferro => assert!(
            stderr.contains("referrers API lists 1, fallback tag lists 0"),
            "{stderr}"
        ),
        Kind::Distribution => assert!(
            stderr.contains("referrers API not supported (404), fallback tag lists 1"),
            "{stderr}"
        ),
    }

    // Another key: found, rejected by sigstore-js.
    let out = s.peer("sigstore-oci-read", &[&s.npm_name(), "--key", "other.pub"]);
    assert_exit(&out, 1);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("FAIL {CYCLONEDX} {artifact} SIGNATURE_ERROR signature verification failed\n")
    );

    // A genuine bundle about another file, attached to the image: its signature verifies, but
    // it is not about this image. The image's own bundle still verifies (exit 0).
    std::fs::write(s.path("other.txt"), "not the image\n").unwrap();
    s.file_attestation("other.txt", "other-bundle.json");
    let other = s.attach("other-bundle.json");
    let other = other["digest"].as_str().unwrap();
    let out = s.peer(
        "sigstore-oci-read",
        &[&s.npm_name(), "--key", "release.pub"],
    );
    assert_exit(&out, 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable_by_key(|l| !l.contains(&artifact));
    assert_eq!(
        lines,
        [
            format!("OK {CYCLONEDX} {artifact}"),
            format!(
                "FAIL {CYCLONEDX} {other} statement subject does not name {}",
                s.digest
            ),
        ]
    );

    // An image with nothing attached: exit 1, said on stderr.
    let (bare, _) = push_image(&s.registry, REPO, "bare");
    let name = format!("{}/{REPO}@{bare}", s.registry.host());
    let out = s.peer("sigstore-oci-read", &[&name, "--key", "release.pub"]);
    assert_exit(&out, 1);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("no Sigstore bundle is attached to {name}")),
        "{}",
        text(&out)
    );
}

#[test]
fn npm_peer_round_trip_on_ferro() {
    npm_peer_round_trip(Kind::Ferro);
}

#[test]
fn npm_peer_round_trip_on_docker_registry() {
    npm_peer_round_trip(Kind::Distribution);
}

// ---------------------------------------------------------------------------------------------
// (a) pushed by @sigstore/oci (as actions/attest does) → verified and listed by vouch

fn sigstore_oci_bundle_is_verified_by_vouch(kind: Kind) {
    let s = Setup::new(kind);
    let bundle = s.image_attestation();
    let pushed = s.attach(bundle);
    let artifact = pushed["digest"].as_str().unwrap().to_owned();
    assert_eq!(pushed["artifactType"], BUNDLE_V03);
    assert_eq!(
        pushed["annotations"]["dev.sigstore.bundle.predicateType"],
        CYCLONEDX
    );

    // By tag: vouch resolves v1 to the digest and verifies what is bound to it.
    let out = s.vouch_registry(&[
        "verify-attestation",
        &s.by_tag(),
        "--key",
        "release.pub",
        "--predicate-type",
        CYCLONEDX,
    ]);
    assert_exit(&out, 0);

    // Another key: nothing valid is attached → 1, and the reason is the key.
    let out = s.vouch_registry(&[
        "verify-attestation",
        &s.by_tag(),
        "--key",
        "other.pub",
        "--predicate-type",
        CYCLONEDX,
    ]);
    assert_exit(&out, 1);
    assert!(text(&out).contains("key-mismatch"), "{}", text(&out));

    // Another predicate type: the index entry says the bundle is something else, so it is not
    // even fetched (an annotation only saves requests) → nothing of that kind → 1.
    let out = s.vouch_registry(&[
        "verify-attestation",
        &s.by_digest(),
        "--key",
        "release.pub",
        "--predicate-type",
        SLSA_PROVENANCE,
    ]);
    assert_exit(&out, 1);
    assert!(
        text(&out).contains("verify-attestation: not verified: nothing of the kind is attached to"),
        "{}",
        text(&out)
    );

    // The listing: the artifact manifest @sigstore/oci pushed, in the registry's layout.
    let out = s.vouch_registry(&[
        "evidence",
        &s.by_digest(),
        "--key",
        "release.pub",
        "--format",
        "json",
    ]);
    assert_exit(&out, 0);
    let listing = common::json(&out.stdout);
    let entry = evidence_entry(&listing, &artifact)
        .unwrap_or_else(|| panic!("{artifact} is not listed: {listing:#}"));
    assert_eq!(entry["layout"], kind.layout(), "{entry:#}");
    assert!(
        entry.to_string().contains(CYCLONEDX),
        "the entry names its predicate type: {entry:#}"
    );
}

#[test]
fn sigstore_oci_bundle_is_verified_by_vouch_on_ferro() {
    sigstore_oci_bundle_is_verified_by_vouch(Kind::Ferro);
}

#[test]
fn sigstore_oci_bundle_is_verified_by_vouch_on_docker_registry() {
    sigstore_oci_bundle_is_verified_by_vouch(Kind::Distribution);
}

// ---------------------------------------------------------------------------------------------
// (b) pushed by vouch sign / vouch attest → found and verified by @sigstore/oci + sigstore-js

fn vouch_bundles_are_read_by_sigstore_js(kind: Kind) {
    let s = Setup::new(kind);
    // By tag: vouch signs the digest the tag points at, and prints it.
    let out = s.vouch_registry(&["sign", &s.by_tag(), "--key", "release.key"]);
    assert_exit(&out, 0);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), s.digest);
    let out = s.vouch_registry(&[
        "attest",
        "sbom",
        "--subject",
        &s.by_digest(),
        "--sbom",
        "sbom.cdx.json",
        "--key",
        "release.key",
    ]);
    assert_exit(&out, 0);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&s.digest),
        "attest prints the digest it covered: {}",
        text(&out)
    );

    let out = s.peer(
        "sigstore-oci-read",
        &[&s.npm_name(), "--key", "release.pub"],
    );
    assert_exit(&out, 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines.len(), 2, "{}", text(&out));
    // Sorted: CycloneDX's URI before sigstore.dev's.
    assert!(
        lines[0].starts_with(&format!("OK {CYCLONEDX} sha256:")),
        "{}",
        text(&out)
    );
    assert!(
        lines[1].starts_with(&format!("OK {COSIGN_SIGN} sha256:")),
        "{}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("found through {}", kind.layout())),
        "{}",
        text(&out)
    );

    // The same bundles against another key: found, and rejected by sigstore-js → exit 1.
    let out = s.peer("sigstore-oci-read", &[&s.npm_name(), "--key", "other.pub"]);
    assert_exit(&out, 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{}", text(&out));
    for line in stdout.lines() {
        assert!(
            line.starts_with("FAIL ") && line.contains("SIGNATURE_ERROR"),
            "{}",
            text(&out)
        );
    }
}

#[test]
fn vouch_bundles_are_read_by_sigstore_js_on_ferro() {
    vouch_bundles_are_read_by_sigstore_js(Kind::Ferro);
}

#[test]
fn vouch_bundles_are_read_by_sigstore_js_on_docker_registry() {
    vouch_bundles_are_read_by_sigstore_js(Kind::Distribution);
}

// ---------------------------------------------------------------------------------------------
// (c) a cosign legacy `.sig` signature from an independent implementation → vouch verify

/// An ECDSA P-256 key made here (aws-lc-rs), and its public key as a PEM `PUBLIC KEY` file.
struct EcKey {
    pair: aws_lc_rs::signature::EcdsaKeyPair,
}

impl EcKey {
    fn generate() -> EcKey {
        EcKey {
            pair: aws_lc_rs::signature::EcdsaKeyPair::generate(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            )
            .unwrap(),
        }
    }

    fn public_pem(&self) -> String {
        use aws_lc_rs::encoding::AsDer as _;
        use aws_lc_rs::signature::KeyPair as _;
        let der = self.pair.public_key().as_der().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap());
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    /// ECDSA P-256 over SHA-256(`message`), ASN.1 DER, base64: cosign's annotation value.
    fn sign(&self, message: &[u8]) -> String {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let signature = self.pair.sign(&rng, message).unwrap();
        base64::engine::general_purpose::STANDARD.encode(signature.as_ref())
    }
}

/// Pushes, under `repository:sha256-<hex of image>.sig`, a cosign signature manifest whose one
/// layer is the simple-signing payload naming `signed` (the digest the payload vouches for),
/// signed by `key`.
fn push_cosign_signature(
    registry: &Registry,
    repository: &str,
    image: &str,
    signed: &str,
    key: &EcKey,
) {
    let payload = serde_json::to_vec(&json!({
        "critical": {
            "identity": {"docker-reference": format!("{}/{repository}", registry.host())},
            "image": {"docker-manifest-digest": signed},
            "type": "cosign container image signature",
        },
        "optional": null,
    }))
    .unwrap();
    let payload_digest = registry.push_blob(repository, &payload);
    // cosign's config for signature images: an empty image whose one diff_id is the payload's.
    let config = serde_json::to_vec(&json!({
        "architecture": "",
        "created": "0001-01-01T00:00:00Z",
        "history": [{"created": "0001-01-01T00:00:00Z"}],
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": [payload_digest]},
        "config": {},
    }))
    .unwrap();
    let config_digest = registry.push_blob(repository, &config);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{
            "mediaType": SIMPLE_SIGNING,
            "digest": payload_digest,
            "size": payload.len(),
            "annotations": {COSIGN_SIGNATURE: key.sign(&payload)},
        }],
    }))
    .unwrap();
    let tag = format!("{}.sig", image.replace(':', "-"));
    registry.push_manifest(repository, &tag, OCI_MANIFEST, &manifest);
}

fn cosign_legacy_signature_verifies(kind: Kind) {
    let s = Setup::new(kind);
    let key = EcKey::generate();
    let other = EcKey::generate();
    std::fs::write(s.path("cosign.pub"), key.public_pem()).unwrap();
    std::fs::write(s.path("cosign-other.pub"), other.public_pem()).unwrap();
    push_cosign_signature(&s.registry, REPO, &s.digest, &s.digest, &key);

    let out = s.vouch_registry(&["verify", &s.by_tag(), "--key", "cosign.pub"]);
    assert_exit(&out, 0);
    let out = s.vouch_registry(&["verify", &s.by_digest(), "--key", "cosign.pub"]);
    assert_exit(&out, 0);

    // Another key: the signature is there but not by this key (no key hint in cosign's legacy
    // format, so the reason is the signature itself).
    let out = s.vouch_registry(&["verify", &s.by_tag(), "--key", "cosign-other.pub"]);
    assert_exit(&out, 1);
    assert!(text(&out).contains("invalid-signature"), "{}", text(&out));

    // A genuine signature moved onto another image: v2's `.sig` tag carries a payload that names
    // v1's digest. Its signature verifies, but it vouches for another image → 1.
    let (v2, _) = push_image(&s.registry, REPO, "v2");
    push_cosign_signature(&s.registry, REPO, &v2, &s.digest, &key);
    let v2_ref = format!("registry:{}/{REPO}:v2", s.registry.host());
    let out = s.vouch_registry(&["verify", &v2_ref, "--key", "cosign.pub"]);
    assert_exit(&out, 1);
    assert!(
        text(&out).contains("digest-mismatch") && text(&out).contains(&s.digest),
        "the reason names the digest the payload signs: {}",
        text(&out)
    );
}

#[test]
fn cosign_legacy_signature_verifies_on_ferro() {
    cosign_legacy_signature_verifies(Kind::Ferro);
}

#[test]
fn cosign_legacy_signature_verifies_on_docker_registry() {
    cosign_legacy_signature_verifies(Kind::Distribution);
}

// ---------------------------------------------------------------------------------------------
// Real third-party bundles (cosign's and trivy's test data: keyless, about other images)
// attached by @sigstore/oci: listed, never accepted.

const COSIGN_ATTESTATION: &str = "https://cosign.sigstore.dev/attestation/v1";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/registry_interop")
        .join(name)
}

fn third_party_bundles_are_listed_not_accepted(kind: Kind) {
    let s = Setup::new(kind);
    let mut attached = Vec::new();
    for (file, predicate_type) in [
        ("cosign-oci-attestation.sigstore.json", COSIGN_ATTESTATION),
        ("trivy-sigstore-bundle.json", CYCLONEDX),
    ] {
        std::fs::copy(fixture(file), s.path(file)).unwrap();
        let pushed = s.attach(file);
        assert_eq!(
            pushed["annotations"]["dev.sigstore.bundle.predicateType"],
            predicate_type
        );
        attached.push((
            pushed["digest"].as_str().unwrap().to_owned(),
            predicate_type,
        ));
    }

    // sigstore-js: both found, neither names this image.
    let out = s.peer(
        "sigstore-oci-read",
        &[&s.npm_name(), "--key", "release.pub"],
    );
    assert_exit(&out, 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for (digest, predicate_type) in &attached {
        let want = format!(
            "FAIL {predicate_type} {digest} statement subject does not name {}",
            s.digest
        );
        assert!(stdout.lines().any(|l| l == want), "{want}\n{}", text(&out));
    }

    // vouch: nothing valid for this key → 1; the bundles carry certificates, not this key.
    let out = s.vouch_registry(&[
        "verify-attestation",
        &s.by_digest(),
        "--key",
        "release.pub",
        "--predicate-type",
        CYCLONEDX,
    ]);
    assert_exit(&out, 1);
    assert!(
        text(&out).contains("certificate-required"),
        "{}",
        text(&out)
    );
    let out = s.vouch_registry(&[
        "evidence",
        &s.by_digest(),
        "--key",
        "release.pub",
        "--format",
        "json",
    ]);
    let listing = common::json(&out.stdout);
    for (digest, predicate_type) in &attached {
        let entry = evidence_entry(&listing, digest)
            .unwrap_or_else(|| panic!("{digest} is not listed: {listing:#}"));
        assert_eq!(entry["layout"], kind.layout(), "{entry:#}");
        assert!(entry.to_string().contains(predicate_type), "{entry:#}");
    }
}

#[test]
fn third_party_bundles_are_listed_not_accepted_on_ferro() {
    third_party_bundles_are_listed_not_accepted(Kind::Ferro);
}

#[test]
fn third_party_bundles_are_listed_not_accepted_on_docker_registry() {
    third_party_bundles_are_listed_not_accepted(Kind::Distribution);
}

// ---------------------------------------------------------------------------------------------
// The CI templates' image variant (docs/ci.md, "Container images")

const GITLAB_IMAGE: &str = "ci/gitlab/image.gitlab-ci.yml";
const GITHUB_IMAGE: &str = "ci/github/vouch-image.yml";

fn repo_file(rel: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A folder holding the GitLab image template at its path and the GitHub workflow where GitHub
/// reads workflows (`.github/workflows/`), with the given edits applied to each.
fn templates_dir(gitlab: &str, github: &str) -> tempfile::TempDir {
    common::dir_with(&[
        (GITLAB_IMAGE, gitlab),
        (".github/workflows/vouch-image.yml", github),
    ])
}

fn check(dir: &Path) -> Output {
    common::vouch()
        .current_dir(dir)
        .args(["check", ".", "--fail-on", "info", "--format", "json"])
        .output()
        .unwrap()
}

/// Each finding as `rule_id file:line`.
fn findings(out: &Output) -> Vec<String> {
    let v = common::json(&out.stdout);
    v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{v:#}"))
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule_id"].as_str().unwrap_or_default(),
                f["location"]["path"].as_str().unwrap_or_default(),
                f["location"]["line"]
            )
        })
        .collect()
}

#[test]
fn image_ci_templates_pass_vouch_check() {
    let gitlab = repo_file(GITLAB_IMAGE);
    let github = repo_file(GITHUB_IMAGE);
    let d = templates_dir(&gitlab, &github);
    let out = check(d.path());
    assert_exit(&out, 0);
    assert_eq!(findings(&out), Vec::<String>::new());
    let out = common::vouch()
        .current_dir(d.path())
        .args(["pin", "--check", "--offline", "."])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");

    // The docs show the workflow as it is.
    assert!(
        repo_file("docs/ci.md").contains(&github),
        "docs/ci.md must show {GITHUB_IMAGE} verbatim"
    );
    // Every step after the build names the image by digest: no vouch command takes a tag.
    for (name, text) in [(GITLAB_IMAGE, &gitlab), (GITHUB_IMAGE, &github)] {
        let commands: Vec<&str> = text
            .lines()
            .filter(|l| {
                ["vouch sbom ", "vouch sign ", "vouch attest ", "vouch gate "]
                    .iter()
                    .any(|c| l.contains(c))
            })
            .collect();
        assert_eq!(commands.len(), 4, "{name}: {commands:#?}");
        for line in commands {
            assert!(
                line.contains("\"${SUBJECT}\"") || line.contains("\"${VOUCH_SUBJECT}\""),
                "{name}: `{}` does not name the image by its digest",
                line.trim()
            );
        }
    }
}

/// The check really reads both templates: a builder image by tag and a checkout action by tag
/// are each reported at their line.
#[test]
fn image_ci_templates_fail_vouch_check_when_unpinned() {
    let gitlab = repo_file(GITLAB_IMAGE);
    let github = repo_file(GITHUB_IMAGE);
    let gitlab_line = 1 + gitlab
        .lines()
        .position(|l| l.trim() == "image: ${VOUCH_BUILDAH_IMAGE}")
        .expect("the build job's image line");
    let github_line = 1 + github
        .lines()
        .position(|l| l.contains("uses: actions/checkout@"))
        .expect("the checkout step");
    let d = templates_dir(
        &gitlab.replace(
            "image: ${VOUCH_BUILDAH_IMAGE}",
            "image: quay.io/buildah/stable:v1.41",
        ),
        &github.replace(
            "actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1",
            "actions/checkout@v6",
        ),
    );
    let out = check(d.path());
    assert_exit(&out, 1);
    let mut got = findings(&out);
    got.sort();
    assert_eq!(
        got,
        vec![
            format!("github-action-not-pinned .github/workflows/vouch-image.yml:{github_line}"),
            format!("gitlab-image-not-pinned {GITLAB_IMAGE}:{gitlab_line}"),
        ]
    );
}
