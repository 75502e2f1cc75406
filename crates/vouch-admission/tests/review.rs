//! The admission decision over real AdmissionReview bodies (kubewarden's requests for every
//! kind, kubewarden policy-server's reviews, the Kubernetes API round-trip fixture), with a
//! scripted verifier: which images need a decision, which rule covers them, the answer's exact
//! shape (uid, status, warnings, JSONPatch), UPDATE, the deadline, the cache and coalescing.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::*;
use serde_json::{Value, json};
use vouch_admission::{Endpoint, Engine, ReviewError, Verdict};

const KINDS: [(&str, &str); 8] = [
    ("pod", "/spec"),
    ("deployment", "/spec/template/spec"),
    ("replicaset", "/spec/template/spec"),
    ("statefulset", "/spec/template/spec"),
    ("daemonset", "/spec/template/spec"),
    ("job", "/spec/template/spec"),
    ("cronjob", "/spec/jobTemplate/spec/template/spec"),
    ("replicationcontroller", "/spec/template/spec"),
];

const IMAGE: &str = "ghcr.io/kubewarden/test-verify-image-signatures";

fn later() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

fn engine(admission: &str, verifier: Arc<Scripted>) -> (tempfile::TempDir, Engine) {
    let (dir, c) = config(admission);
    (dir, Engine::new(c, verifier))
}

fn signed_verifier() -> Arc<Scripted> {
    Arc::new(Scripted::new(vec![tag_digest("signed")]))
}

fn message(o: &vouch_admission::Outcome) -> &str {
    o.response["response"]["status"]["message"]
        .as_str()
        .unwrap()
}

fn patch(o: &vouch_admission::Outcome) -> Value {
    let b64 = o.response["response"]["patch"].as_str().expect("a patch");
    assert_eq!(o.response["response"]["patchType"], "JSONPatch");
    serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn validate_denies_every_kind_with_a_tag_only_image_naming_container_and_image() {
    let v = signed_verifier();
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    for (kind, spec) in KINDS {
        for state in ["signed", "unsigned"] {
            let review = wrapped(&format!("{kind}_creation_{state}.json"));
            let o = e
                .review(Endpoint::Validate, &body(&review), later())
                .unwrap();
            assert_eq!(o.verdict, Verdict::Denied, "{kind} {state}");
            assert_eq!(o.reasons, vec!["image-not-pinned"], "{kind} {state}");
            assert_eq!(o.response["response"]["allowed"], false);
            assert_eq!(o.response["response"]["uid"], review["request"]["uid"]);
            assert_eq!(o.response["response"]["status"]["code"], 403);
            assert_eq!(
                message(&o),
                format!(
                    "container \"test-verify-image-signatures\" ({spec}/containers/0) image {IMAGE}:{state}: denied: image-not-pinned: the image has no digest (expected NAME[:TAG]@sha256:…)"
                ),
                "{kind} {state}"
            );
        }
    }
    // Denied without asking the registry.
    assert_eq!(v.gates(), 0);
}

#[test]
fn mutate_pins_every_kind_signed_and_denies_unsigned_without_a_patch() {
    let v = signed_verifier();
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    for (kind, spec) in KINDS {
        let o = e
            .review(
                Endpoint::Mutate,
                &body(&wrapped(&format!("{kind}_creation_signed.json"))),
                later(),
            )
            .unwrap();
        assert_eq!(o.verdict, Verdict::Allowed, "{kind}: {}", o.log);
        assert_eq!(o.response["response"]["allowed"], true);
        assert_eq!(
            patch(&o),
            json!([{
                "op": "replace",
                "path": format!("{spec}/containers/0/image"),
                "value": format!("{IMAGE}:signed@{}", tag_digest("signed")),
            }]),
            "{kind}"
        );

        let o = e
            .review(
                Endpoint::Mutate,
                &body(&wrapped(&format!("{kind}_creation_unsigned.json"))),
                later(),
            )
            .unwrap();
        assert_eq!(o.verdict, Verdict::Denied, "{kind}");
        assert_eq!(o.reasons, vec!["missing-signature"]);
        assert!(o.response["response"].get("patch").is_none(), "{kind}");
        assert_eq!(
            message(&o),
            format!(
                "container \"test-verify-image-signatures\" ({spec}/containers/0) image {IMAGE}:unsigned: denied: missing-signature: no signature is attached to the image ({})",
                tag_digest("unsigned")
            )
        );
    }
    // One gate call per digest: the other kinds were cache hits.
    assert_eq!(v.gates(), 2);
}

#[test]
fn the_exact_mutate_answer_for_a_pod() {
    let (_d, e) = engine(ENFORCE_ALL, signed_verifier());
    let o = e
        .review(
            Endpoint::Mutate,
            &body(&wrapped("pod_creation_signed.json")),
            later(),
        )
        .unwrap();
    let patch_text = format!(
        r#"[{{"op":"replace","path":"/spec/containers/0/image","value":"{IMAGE}:signed@{}"}}]"#,
        tag_digest("signed")
    );
    assert_eq!(
        o.response,
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": "1299d386-525b-4032-98ae-1949f69f9cfc",
                "allowed": true,
                "patchType": "JSONPatch",
                "patch": base64::engine::general_purpose::STANDARD.encode(patch_text),
            }
        })
    );
    assert_eq!(o.log["patched"], 1);
    assert_eq!(o.log["verdict"], "allowed");
    assert_eq!(o.log["namespace"], "");
    assert_eq!(o.log["operation"], "CREATE");
}

#[test]
fn init_containers_and_digests_are_decided_too() {
    let digest = "sha256:89102e348749bb17a6a651a4b2a17420e1a66d2a44a675b981973d49a5af3a5e";
    let v = Arc::new(Scripted::new(vec![digest.parse().unwrap()]));
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    // nginx:v1.26@sha256:… passes; the gate was asked about that digest.
    let o = e
        .review(
            Endpoint::Validate,
            &body(&wrapped("pod_creation_with_digest.json")),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed, "{}", o.log);
    assert_eq!(
        v.seen.lock().unwrap().keys().cloned().collect::<Vec<_>>(),
        vec![format!("docker.io/library/nginx@{digest}")]
    );
    // An init container without a digest is denied by name.
    let o = e
        .review(
            Endpoint::Validate,
            &body(&wrapped("pod_creation_with_init_container.json")),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert!(
        message(&o).contains("(/spec/initContainers/0) image init: denied: image-not-pinned"),
        "{}",
        message(&o)
    );
}

#[test]
fn warn_mode_allows_with_warnings_and_mutate_still_pins() {
    let admission = r#"
[[rules]]
images = ["ghcr.io/kubewarden/**"]
policy = "gate.toml"
mode = "warn"
"#;
    let (_d, e) = engine(admission, signed_verifier());
    let o = e
        .review(
            Endpoint::Validate,
            &body(&wrapped("pod_creation_unsigned.json")),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Warned);
    assert_eq!(o.response["response"]["allowed"], true);
    assert_eq!(o.reasons, vec!["image-not-pinned", "missing-signature"]);
    let prefix = format!(
        "container \"test-verify-image-signatures\" (/spec/containers/0) image {IMAGE}:unsigned"
    );
    assert_eq!(
        o.response["response"]["warnings"],
        json!([
            format!(
                "{prefix}: image-not-pinned: the image has no digest (expected NAME[:TAG]@sha256:…)"
            ),
            format!(
                "{prefix}: missing-signature: no signature is attached to the image ({})",
                tag_digest("unsigned")
            ),
        ])
    );
    assert!(o.response["response"].get("status").is_none());
    let o = e
        .review(
            Endpoint::Mutate,
            &body(&wrapped("pod_creation_unsigned.json")),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Warned);
    assert_eq!(
        patch(&o)[0]["value"],
        format!("{IMAGE}:unsigned@{}", tag_digest("unsigned"))
    );
}

#[test]
fn unmatched_images_follow_the_unmatched_setting() {
    let rule = r#"
[[rules]]
images = ["registry.example.com/**"]
policy = "gate.toml"
"#;
    let (_d, e) = engine(&format!("unmatched = \"deny\"\n{rule}"), signed_verifier());
    let o = e
        .review(
            Endpoint::Validate,
            &body(&wrapped("pod_creation_signed.json")),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["image-not-covered"]);
    assert!(message(&o).ends_with("image-not-covered: no rule of the admission config covers this image in this namespace (unmatched = \"deny\")"));

    let (_d, e) = engine(&format!("unmatched = \"allow\"\n{rule}"), signed_verifier());
    let o = e
        .review(
            Endpoint::Validate,
            &body(&wrapped("pod_creation_signed.json")),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed);
}

#[test]
fn a_cache_hit_still_applies_every_rule_of_the_request() {
    let admission = r#"
unmatched = "deny"
[[rules]]
images = ["ghcr.io/kubewarden/**"]
namespaces = ["prod-*"]
policy = "gate.toml"
"#;
    let v = signed_verifier();
    let (_d, e) = engine(admission, v.clone());
    let mut review = wrapped("pod_creation_signed.json");
    review["request"]["namespace"] = json!("prod-eu");
    let o = e.review(Endpoint::Mutate, &body(&review), later()).unwrap();
    assert_eq!(o.verdict, Verdict::Allowed);
    assert_eq!(o.cache_hits, 0);
    let o = e.review(Endpoint::Mutate, &body(&review), later()).unwrap();
    assert_eq!(o.verdict, Verdict::Allowed);
    assert_eq!(o.cache_hits, 1);
    assert_eq!(v.gates(), 1);
    // The same image, cached as passing, in a namespace no rule covers: denied.
    review["request"]["namespace"] = json!("dev");
    let o = e.review(Endpoint::Mutate, &body(&review), later()).unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["image-not-covered"]);
}

#[test]
fn a_hundred_concurrent_reviews_of_one_image_make_one_gate_call() {
    let mut v = Scripted::new(vec![tag_digest("signed")]);
    v.delay = Duration::from_millis(200);
    let v = Arc::new(v);
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    let e = Arc::new(e);
    let mut review = wrapped("pod_creation_signed.json");
    review["request"]["object"]["spec"]["containers"][0]["image"] =
        json!(format!("{IMAGE}@{}", tag_digest("signed")));
    let b = Arc::new(body(&review));
    let threads: Vec<_> = (0..100)
        .map(|_| {
            let e = e.clone();
            let b = b.clone();
            std::thread::spawn(move || e.review(Endpoint::Validate, &b, later()).unwrap())
        })
        .collect();
    let outcomes: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(outcomes.iter().all(|o| o.verdict == Verdict::Allowed));
    assert_eq!(v.gates(), 1);
    assert_eq!(outcomes.iter().map(|o| o.cache_hits).sum::<u32>(), 99);
}

#[test]
fn reviews_arriving_while_an_image_is_verified_wait_for_it_without_threads_of_their_own() {
    // A cache entry expiring under load: one verification is running when the others
    // arrive; they wait for its answer instead of each starting a thread.
    let mut v = Scripted::new(vec![tag_digest("signed")]);
    // Long enough that the first verification is still running when the others have
    // looked, on a loaded machine too.
    v.delay = Duration::from_secs(2);
    let v = Arc::new(v);
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    let e = Arc::new(e);
    let mut review = wrapped("pod_creation_signed.json");
    review["request"]["object"]["spec"]["containers"][0]["image"] =
        json!(format!("{IMAGE}@{}", tag_digest("signed")));
    let b = Arc::new(body(&review));
    let spawn = |e: &Arc<Engine>, b: &Arc<Vec<u8>>| {
        let (e, b) = (e.clone(), b.clone());
        std::thread::spawn(move || e.review(Endpoint::Validate, &b, later()).unwrap())
    };
    let first = spawn(&e, &b);
    let entered = Instant::now();
    while v.gates() == 0 {
        assert!(
            entered.elapsed() < Duration::from_secs(5),
            "the gate was never called"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let others: Vec<_> = (0..50).map(|_| spawn(&e, &b)).collect();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(e.verification_threads(), 1);
    let mut outcomes = vec![first.join().unwrap()];
    outcomes.extend(others.into_iter().map(|t| t.join().unwrap()));
    assert!(outcomes.iter().all(|o| o.verdict == Verdict::Allowed));
    assert_eq!(v.gates(), 1);
    assert_eq!(outcomes.iter().map(|o| o.cache_hits).sum::<u32>(), 50);
    // The worker counts itself out just after it has sent its answer.
    let answered = Instant::now();
    while e.verification_threads() != 0 {
        assert!(
            answered.elapsed() < Duration::from_secs(5),
            "a worker never ended"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A verifier whose gate answer is switched by the test: 0 pass, 1 deny, 2 registry error.
struct Switch {
    answer: std::sync::atomic::AtomicU8,
    gates: std::sync::atomic::AtomicUsize,
}

impl vouch_admission::Verifier for Switch {
    fn resolve(
        &self,
        image: &vouch_oci::reference::Reference,
    ) -> Result<vouch_digest::Digest, String> {
        Ok(tag_digest(image.tag.as_deref().unwrap_or("latest")))
    }
    fn gate(
        &self,
        name: &vouch_oci::reference::Name,
        digest: &vouch_digest::Digest,
        _policy: &vouch_gate::Loaded,
    ) -> Result<vouch_gate::Decision, String> {
        use std::sync::atomic::Ordering::SeqCst;
        self.gates.fetch_add(1, SeqCst);
        match self.answer.load(SeqCst) {
            0 => Ok(decision(name, digest, true)),
            1 => Ok(decision(name, digest, false)),
            _ => Err(format!(
                "cannot list what is attached to {name}@{digest}: connection refused"
            )),
        }
    }
}

/// A 4 s TTL: the last tenth (400 ms) is when a pass is verified again.
const SHORT_TTL: &str = r#"
unmatched = "deny"
[cache]
ttl = "4s"
negative-ttl = "4s"
[[rules]]
images = ["**"]
policy = "gate.toml"
"#;

/// Reviews once (cold), then once in the last tenth of the TTL, and returns the engine, the
/// verifier and the body, with the refresh started by the second review finished.
fn reviewed_in_the_last_tenth(then: u8) -> (tempfile::TempDir, Engine, Arc<Switch>, Vec<u8>) {
    use std::sync::atomic::Ordering::SeqCst;
    let v = Arc::new(Switch {
        answer: 0.into(),
        gates: 0.into(),
    });
    let (d, c) = config(SHORT_TTL);
    let e = Engine::new(c, v.clone());
    let mut review = wrapped("pod_creation_signed.json");
    review["request"]["object"]["spec"]["containers"][0]["image"] =
        json!(format!("{IMAGE}@{}", tag_digest("signed")));
    let b = body(&review);
    assert_eq!(
        e.review(Endpoint::Validate, &b, later()).unwrap().verdict,
        Verdict::Allowed
    );
    std::thread::sleep(Duration::from_millis(3700));
    v.answer.store(then, SeqCst);
    // Still within the TTL: answered from the cache at once, and one verification started.
    let o = e.review_now(Endpoint::Validate, &b).unwrap().unwrap();
    assert_eq!((o.verdict, o.cache_hits), (Verdict::Allowed, 1));
    let asked = Instant::now();
    while v.gates.load(SeqCst) < 2 || e.verification_threads() > 0 {
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "the refresh never ran"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    (d, e, v, b)
}

#[test]
fn a_pass_in_use_is_verified_again_before_it_expires() {
    let (_d, e, v, b) = reviewed_in_the_last_tenth(0);
    // Past the first answer's TTL: the refreshed pass answers, nothing waits.
    std::thread::sleep(Duration::from_millis(600));
    let o = e.review_now(Endpoint::Validate, &b).unwrap().unwrap();
    assert_eq!((o.verdict, o.cache_hits), (Verdict::Allowed, 1));
    assert_eq!(v.gates.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn a_refresh_that_denies_denies_from_then_on() {
    let (_d, e, _v, b) = reviewed_in_the_last_tenth(1);
    let o = e.review_now(Endpoint::Validate, &b).unwrap().unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, ["missing-signature"]);
}

#[test]
fn a_refresh_that_cannot_ask_the_registry_keeps_the_pass_until_it_expires() {
    use std::sync::atomic::Ordering::SeqCst;
    let (_d, e, v, b) = reviewed_in_the_last_tenth(2);
    let o = e.review_now(Endpoint::Validate, &b).unwrap().unwrap();
    assert_eq!(o.verdict, Verdict::Allowed);
    // Expired: verified the ordinary way, and the registry error is a denial.
    std::thread::sleep(Duration::from_millis(600));
    assert!(e.review_now(Endpoint::Validate, &b).is_none());
    let o = e.review(Endpoint::Validate, &b, later()).unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, ["registry-error"]);
    assert_eq!(v.gates.load(SeqCst), 3);
}

#[test]
fn review_now_answers_from_the_cache_only() {
    let v = signed_verifier();
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    let mut review = wrapped("pod_creation_signed.json");
    review["request"]["object"]["spec"]["containers"][0]["image"] =
        json!(format!("{IMAGE}@{}", tag_digest("signed")));
    let b = body(&review);
    // Cold: it would have to verify, so it does not answer (and starts nothing).
    assert!(e.review_now(Endpoint::Validate, &b).is_none());
    assert_eq!(v.gates(), 0);
    assert_eq!(e.verification_threads(), 0);
    let first = e.review(Endpoint::Validate, &b, later()).unwrap();
    assert_eq!(first.verdict, Verdict::Allowed);
    // Warm: the same answer, from the cache, without a thread.
    let now = e.review_now(Endpoint::Validate, &b).unwrap().unwrap();
    assert_eq!(now.verdict, Verdict::Allowed);
    assert_eq!(now.cache_hits, 1);
    assert_eq!(now.response, first.response);
    assert_eq!(v.gates(), 1);
    // Decisions that need no verification are answered at once too: an unpinned image
    // under an enforce rule is denied without asking anyone.
    let unpinned = e
        .review_now(
            Endpoint::Validate,
            &body(&wrapped("pod_creation_signed.json")),
        )
        .unwrap()
        .unwrap();
    assert_eq!(unpinned.verdict, Verdict::Denied);
    assert_eq!(unpinned.reasons, ["image-not-pinned"]);
    // A body it cannot read is an error at once, as from review.
    assert!(matches!(
        e.review_now(Endpoint::Validate, b"{"),
        Some(Err(ReviewError::Json(_)))
    ));
}

#[test]
fn a_slow_verification_is_denied_at_the_deadline() {
    let mut v = Scripted::new(vec![tag_digest("signed")]);
    v.delay = Duration::from_secs(3);
    let (_d, e) = engine(ENFORCE_ALL, Arc::new(v));
    let started = Instant::now();
    let deadline = started + Duration::from_millis(300);
    let o = e
        .review(
            Endpoint::Mutate,
            &body(&wrapped("pod_creation_signed.json")),
            deadline,
        )
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(350), "answered after {took:?}");
    assert!(
        took >= Duration::from_millis(300),
        "answered after {took:?}"
    );
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["deadline-exceeded"]);
    assert!(o.response["response"].get("patch").is_none());
    assert!(
        message(&o)
            .ends_with("deadline-exceeded: the evidence could not be verified before the deadline"),
        "{}",
        message(&o)
    );
}

#[test]
fn registry_errors_deny_unless_the_rule_is_fail_open() {
    let mut v = Scripted::new(vec![]);
    v.fail = true;
    let v = Arc::new(v);
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    let o = e
        .review(
            Endpoint::Mutate,
            &body(&wrapped("pod_creation_signed.json")),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["registry-error"]);
    assert_eq!(o.registry_errors, 1);
    assert!(message(&o).ends_with(&format!(
        "registry-error: cannot resolve {IMAGE}: connection refused"
    )));

    let open = r#"
[[rules]]
images = ["**"]
policy = "gate.toml"
on-error = "allow"
"#;
    let (_d, e) = engine(open, v);
    assert_eq!(e.config().fail_open_rules(), vec![0]);
    let o = e
        .review(
            Endpoint::Mutate,
            &body(&wrapped("pod_creation_signed.json")),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Warned);
    assert_eq!(o.log["fail_open"], true);
    assert!(
        o.response["response"]["warnings"][0]
            .as_str()
            .unwrap()
            .ends_with("(allowed: on-error = \"allow\")")
    );
}

#[test]
fn update_decides_only_the_images_that_changed() {
    let v = signed_verifier();
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    let mut review = wrapped("deployment_creation_unsigned.json");
    review["request"]["operation"] = json!("UPDATE");
    review["request"]["oldObject"] = review["request"]["object"].clone();
    // Unchanged image (even an unpinned, unsigned one): allowed, nothing asked.
    let o = e
        .review(Endpoint::Validate, &body(&review), later())
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed);
    assert_eq!(o.log["images"][0]["decided"], false);
    // A changed image is decided.
    review["request"]["object"]["spec"]["template"]["spec"]["containers"][0]["image"] =
        json!(format!("{IMAGE}:unsigned2"));
    let o = e.review(Endpoint::Mutate, &body(&review), later()).unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["missing-signature"]);
    assert_eq!(v.gates(), 1);
}

#[test]
fn other_operations_and_kinds_are_allowed_and_say_so() {
    let (_d, e) = engine(ENFORCE_ALL, signed_verifier());
    let mut review = wrapped("pod_creation_unsigned.json");
    review["request"]["operation"] = json!("DELETE");
    let o = e
        .review(Endpoint::Validate, &body(&review), later())
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed);
    assert_eq!(
        o.log["note"],
        "not-applicable: only CREATE and UPDATE are decided"
    );
    // The API machinery's own round-trip fixture: every field a placeholder, unknown fields
    // (response, status…) ignored, uid echoed.
    let o = e
        .review(
            Endpoint::Validate,
            fixture("roundtrip/admission.k8s.io.v1.AdmissionReview.json").as_bytes(),
            later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed);
    assert_eq!(o.response["response"]["uid"], "uidValue");
    assert_eq!(
        o.log["note"],
        "not-applicable: only CREATE and UPDATE are decided"
    );
}

#[test]
fn dry_run_is_answered_the_same() {
    let (_d, e) = engine(ENFORCE_ALL, signed_verifier());
    let mut review = wrapped("pod_creation_unsigned.json");
    review["request"]["dryRun"] = json!(true);
    let o = e
        .review(Endpoint::Validate, &body(&review), later())
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.log["dryRun"], true);
}

#[test]
fn policy_server_reviews_are_decided_with_their_uid() {
    let (_d, e) = engine(ENFORCE_ALL, signed_verifier());
    for (file, images, verdict) in [
        (
            "policy-server/pod_with_privileged_containers.json",
            vec!["alpine", "nginx"],
            Verdict::Denied,
        ),
        (
            "policy-server/pod_without_privileged_containers.json",
            vec!["alpine", "nginx"],
            Verdict::Denied,
        ),
        (
            "policy-server/pod_sleep_100ms.json",
            vec!["alpine"],
            Verdict::Denied,
        ),
        (
            "policy-server/pod_sleep_4s.json",
            vec!["alpine"],
            Verdict::Denied,
        ),
    ] {
        let text = fixture(file);
        let review: Value = serde_json::from_str(&text).unwrap();
        let o = e
            .review(Endpoint::Validate, text.as_bytes(), later())
            .unwrap();
        assert_eq!(
            o.response["response"]["uid"], review["request"]["uid"],
            "{file}"
        );
        let got: Vec<&str> = o.log["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["image"].as_str().unwrap())
            .collect();
        assert_eq!(got, images, "{file}");
        assert_eq!(o.verdict, verdict, "{file}");
        if verdict == Verdict::Denied {
            assert_eq!(o.reasons, vec!["image-not-pinned"], "{file}");
        }
    }
}

#[test]
fn malformed_bodies_are_errors_with_their_reason() {
    let (_d, e) = engine(ENFORCE_ALL, signed_verifier());
    let review = |b: &[u8]| e.review(Endpoint::Validate, b, later()).unwrap_err();
    assert!(matches!(review(b"{not json"), ReviewError::Json(_)));
    // kubewarden policy-server's raw review: a `request` of its own, no apiVersion or kind.
    assert!(matches!(
        review(fixture("policy-server/raw_review.json").as_bytes()),
        ReviewError::NotAdmissionReview {
            api_version: None,
            kind: None
        }
    ));
    let err = review(br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}}"#);
    assert_eq!(
        err.to_string(),
        "admission review body is not an admission.k8s.io/v1 AdmissionReview (found apiVersion Some(\"admission.k8s.io/v1beta1\"), kind Some(\"AdmissionReview\"))"
    );
    assert!(matches!(
        review(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#),
        ReviewError::MissingRequest
    ));
    assert!(matches!(review(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":""}}"#), ReviewError::MissingUid));
    let mut w = wrapped("pod_creation_signed.json");
    w["request"]["object"]["spec"]["containers"] = json!({"image": "x"});
    assert_eq!(
        review(&body(&w)).to_string(),
        "admission review request 1299d386-525b-4032-98ae-1949f69f9cfc: `object/spec/containers` is not a list"
    );
    let mut w = wrapped("pod_creation_signed.json");
    w["request"]["object"]["spec"]["containers"][0]["image"] = json!(7);
    assert_eq!(
        review(&body(&w)).to_string(),
        "admission review request 1299d386-525b-4032-98ae-1949f69f9cfc: `object/spec/containers/0/image` is not a string"
    );
    let mut w = wrapped("pod_creation_signed.json");
    w["request"]["object"] = Value::Null;
    assert!(matches!(
        review(&body(&w)),
        ReviewError::Malformed {
            problem: "is missing",
            ..
        }
    ));
    let mut w = wrapped("pod_creation_signed.json");
    w["request"]["object"]["spec"]["containers"] =
        json!(vec![json!({"name": "c", "image": "a"}); 300]);
    assert!(matches!(
        review(&body(&w)),
        ReviewError::TooManyContainers {
            count: 300,
            limit: 256,
            ..
        }
    ));
    let big = vec![b' '; vouch_admission::MAX_BODY + 1];
    assert!(matches!(review(&big), ReviewError::TooLarge { .. }));
    // Deeply nested JSON: serde_json's recursion limit, an error, no crash.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(review(deep.as_bytes()), ReviewError::Json(_)));
}

#[test]
fn an_invalid_image_reference_is_denied() {
    let (_d, e) = engine(ENFORCE_ALL, signed_verifier());
    let mut w = wrapped("pod_creation_signed.json");
    w["request"]["object"]["spec"]["containers"][0]["image"] = json!("Bad Image!");
    let o = e.review(Endpoint::Validate, &body(&w), later()).unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["image-reference-invalid"]);
    assert_eq!(
        message(&o),
        "container \"test-verify-image-signatures\" (/spec/containers/0) image Bad Image!: denied: image-reference-invalid: invalid image reference `Bad Image!`: path components may hold only lowercase letters, digits, `.`, `_` and `-`"
    );
}

#[test]
fn verifications_past_the_worker_cap_are_denied_not_queued() {
    let mut v = Scripted::new(vec![]);
    v.delay = Duration::from_millis(1500);
    let v = Arc::new(v);
    let (_d, e) = engine(ENFORCE_ALL, v.clone());
    let e = Arc::new(e);
    let pod = |from: usize, n: usize| {
        let mut review = wrapped("pod_creation_signed.json");
        let containers: Vec<Value> = (from..from + n)
            .map(|i| json!({"name": format!("c{i}"), "image": format!("{IMAGE}@{}", tag_digest(&i.to_string()))}))
            .collect();
        review["request"]["object"]["spec"]["containers"] = json!(containers);
        body(&review)
    };
    let busy: Vec<_> = [0, 256]
        .into_iter()
        .map(|from| {
            let e = e.clone();
            let b = pod(from, 256);
            std::thread::spawn(move || {
                e.review(
                    Endpoint::Validate,
                    &b,
                    Instant::now() + Duration::from_secs(3),
                )
                .unwrap()
            })
        })
        .collect();
    let started = Instant::now();
    while v.gates() < vouch_admission::MAX_WORKERS {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{} gate calls",
            v.gates()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let o = e
        .review(Endpoint::Validate, &pod(1000, 1), later())
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["deadline-exceeded"]);
    assert!(message(&o).ends_with("deadline-exceeded: the evidence could not be verified: 512 verifications are already running"), "{}", message(&o));
    for t in busy {
        assert_eq!(t.join().unwrap().reasons, vec!["missing-signature"]);
    }
    assert_eq!(v.gates(), 512);
}

#[test]
fn denials_and_errors_are_cached_for_negative_ttl_passes_for_ttl() {
    let admission = r#"
[cache]
ttl = "600ms"
negative-ttl = "200ms"
[[rules]]
images = ["**"]
policy = "gate.toml"
"#;
    let v = signed_verifier();
    let (_d, e) = engine(admission, v.clone());
    let pod = |tag: &str| {
        let mut review = wrapped("pod_creation_signed.json");
        review["request"]["object"]["spec"]["containers"][0]["image"] =
            json!(format!("{IMAGE}@{}", tag_digest(tag)));
        body(&review)
    };
    let run = |tag: &str| e.review(Endpoint::Validate, &pod(tag), later()).unwrap();
    assert_eq!(run("unsigned").verdict, Verdict::Denied);
    assert_eq!(run("signed").verdict, Verdict::Allowed);
    assert_eq!(v.gates(), 2);
    let o = run("unsigned");
    assert_eq!((o.verdict, o.cache_hits), (Verdict::Denied, 1));
    std::thread::sleep(Duration::from_millis(300));
    // The denial expired, the pass did not.
    let o = run("unsigned");
    assert_eq!((o.verdict, o.cache_hits), (Verdict::Denied, 0));
    let o = run("signed");
    assert_eq!((o.verdict, o.cache_hits), (Verdict::Allowed, 1));
    assert_eq!(v.gates(), 3);
    std::thread::sleep(Duration::from_millis(400));
    let o = run("signed");
    assert_eq!((o.verdict, o.cache_hits), (Verdict::Allowed, 0));
    assert_eq!(v.gates(), 4);
}
