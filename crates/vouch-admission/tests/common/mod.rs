//! Shared by the admission tests: a policy folder (a real public key, a real gate.toml), the
//! AdmissionReview fixtures wrapped the way the API server sends them, and scripted verifiers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vouch_admission::{Config, Verifier};
use vouch_attest::Statement;
use vouch_attest::slsa::{self, BuildContext, CiSystem, Runner};
use vouch_digest::Digest;
use vouch_gate::{ArtifactInfo, Check, Decision, Outcome, Reason};
use vouch_oci::reference::{Name, Reference};
use vouch_oci::referrers::{self, Descriptor};
use vouch_resolve::{Options, Resolver, attached};
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_test::registry::Registry;

pub const POLICY: &str = "[trust]\nkeys = [\"release.pub\"]\n";

/// A folder with `release.pub`, `gate.toml` and `admission.toml` (`admission` as given).
pub fn folder(admission: &str) -> (tempfile::TempDir, PathBuf, SigningKey) {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    std::fs::write(dir.path().join("release.pub"), key.public_key().to_pem()).unwrap();
    std::fs::write(dir.path().join("gate.toml"), POLICY).unwrap();
    let path = dir.path().join("admission.toml");
    std::fs::write(&path, admission).unwrap();
    (dir, path, key)
}

pub fn config(admission: &str) -> (tempfile::TempDir, Config) {
    let (dir, path, _) = folder(admission);
    let c = Config::load(&path, None).unwrap();
    (dir, c)
}

pub const ENFORCE_ALL: &str = r#"
unmatched = "deny"
[[rules]]
images = ["**"]
policy = "gate.toml"
"#;

/// The fixture file's text.
pub fn fixture(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A bare kubewarden `request` object wrapped as an AdmissionReview v1.
pub fn wrapped(name: &str) -> Value {
    let request: Value =
        serde_json::from_str(&fixture(&format!("kubewarden-requests/{name}"))).unwrap();
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
}

pub fn body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

/// The gate's decision: a pass, or a denial with `missing-signature`.
pub fn decision(name: &Name, digest: &Digest, pass: bool) -> Decision {
    Decision {
        outcome: if pass { Outcome::Pass } else { Outcome::Deny },
        artifact: ArtifactInfo {
            name: format!("{name}@{digest}"),
            digest: digest.clone(),
        },
        reasons: if pass {
            vec![]
        } else {
            vec![Reason {
                check: Check::Signature,
                code: "missing-signature",
                message: format!("no signature is attached to the image ({digest})"),
                evidence: None,
                rule: None,
            }]
        },
        verified: vec![],
        ignored: vec![],
        unsigned: vec![],
    }
}

/// The digest a scripted registry gives each tag: sha256 of the tag's text.
pub fn tag_digest(tag: &str) -> Digest {
    Digest::sha256(tag.as_bytes())
}

/// A verifier whose registry resolves each tag to `tag_digest(tag)` and whose gate passes
/// exactly the digests in `passing`; every call counted; `delay` before each gate answer;
/// `fail` makes every call an error.
pub struct Scripted {
    pub passing: Vec<Digest>,
    pub delay: Duration,
    pub fail: bool,
    pub gates: AtomicUsize,
    pub resolves: AtomicUsize,
    pub seen: Mutex<BTreeMap<String, usize>>,
}

impl Scripted {
    pub fn new(passing: Vec<Digest>) -> Self {
        Scripted {
            passing,
            delay: Duration::ZERO,
            fail: false,
            gates: AtomicUsize::new(0),
            resolves: AtomicUsize::new(0),
            seen: Mutex::new(BTreeMap::new()),
        }
    }
    pub fn gates(&self) -> usize {
        self.gates.load(Ordering::SeqCst)
    }
}

impl Verifier for Scripted {
    fn resolve(&self, image: &Reference) -> Result<Digest, String> {
        self.resolves.fetch_add(1, Ordering::SeqCst);
        if self.fail {
            return Err(format!("cannot resolve {}: connection refused", image.name));
        }
        Ok(tag_digest(image.tag.as_deref().unwrap_or("latest")))
    }
    fn gate(
        &self,
        name: &Name,
        digest: &Digest,
        _policy: &vouch_gate::Loaded,
    ) -> Result<Decision, String> {
        self.gates.fetch_add(1, Ordering::SeqCst);
        *self
            .seen
            .lock()
            .unwrap()
            .entry(format!("{name}@{digest}"))
            .or_default() += 1;
        std::thread::sleep(self.delay);
        if self.fail {
            return Err(format!(
                "cannot list what is attached to {name}@{digest}: connection refused"
            ));
        }
        Ok(decision(name, digest, self.passing.contains(digest)))
    }
}

// The registry tests (registry.rs, rebuilds.rs): a loopback registry client, a fixed clock,
// SLSA provenance and signed attachments made by vouch's own library calls.

pub fn resolver(registry: &Registry) -> Resolver {
    Resolver::new(Options {
        insecure_registries: vec![registry.host()],
        ..Options::default()
    })
    .unwrap()
}

/// 2026-01-01T00:00:00Z.
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_767_225_600).unwrap()
}

pub fn subject(name: &Name, digest: &Digest) -> Vec<vouch_attest::statement::Subject> {
    vec![vouch_attest::statement::Subject::new(
        name.to_string(),
        digest.clone(),
    )]
}

pub fn provenance(name: &Name, digest: &Digest) -> Statement {
    let ctx = BuildContext {
        system: CiSystem::GitlabCi,
        repository: Some("https://gitlab.example.com/acme/api".into()),
        git_ref: Some("main".into()),
        ref_protected: Some(true),
        commit: Some("a".repeat(40)),
        config_path: Some(".gitlab-ci.yml".into()),
        builder_id: "https://gitlab.example.com/acme/api/-/runners/9".into(),
        invocation_id: Some("https://gitlab.example.com/acme/api/-/pipelines/42/jobs/7".into()),
        runner: Runner {
            id: Some("9".into()),
            name: None,
            environment: None,
        },
        environment: BTreeMap::new(),
        started_on: None,
        finished_on: None,
    };
    Statement::new(
        subject(name, digest),
        slsa::PROVENANCE_V1,
        serde_json::to_value(slsa::build(&ctx, vec![])).unwrap(),
    )
}

/// Sign `st` with `key` and attach it to `name@digest` (as `vouch attest … registry:…` does).
pub fn attach(resolver: &Resolver, key: &SigningKey, name: &Name, digest: &Digest, st: &Statement) {
    let m = resolver.fetch_manifest(name, &digest.to_string()).unwrap();
    let descriptor = Descriptor {
        media_type: m.media_type,
        digest: m.digest.clone(),
        size: m.bytes.len() as u64,
        artifact_type: None,
        annotations: Default::default(),
    };
    let bundle = vouch_sign::sign::sign_statement(key, st).unwrap();
    let bytes = serde_json::to_vec(bundle.json()).unwrap();
    let annotations =
        attached::bundle_annotations(true, Some(&st.predicate_type), "2026-01-01T00:00:00Z");
    let artifact = referrers::bundle_artifact(&bytes, &descriptor, annotations);
    attached::attach(resolver, name, &m.digest, &artifact).unwrap();
}

/// kubewarden's Pod request, with `image`, in namespace `prod`.
pub fn pod(image: &str) -> Vec<u8> {
    let mut review = wrapped("pod_creation_signed.json");
    review["request"]["namespace"] = json!("prod");
    review["request"]["object"]["spec"]["containers"][0]["image"] = json!(image);
    body(&review)
}

pub fn later() -> Instant {
    Instant::now() + Duration::from_secs(10)
}
