//! The Kubernetes admission decision as a library: an `admission.k8s.io/v1` AdmissionReview
//! in, the AdmissionReview to answer and one structured log line out. No HTTP here: the server
//! edge decodes the request, calls [`Engine::review`] and writes [`Outcome::response`].
//!
//! - [`Config`]: `admission.toml` (rules: image and namespace globs → a gate policy, a mode,
//!   fail-closed or named fail-open; `unmatched`; the deadline; the cache TTLs), every policy
//!   loaded up front.
//! - [`Engine`]: which images of the object need a decision (Pods and the pod templates of
//!   Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs and
//!   ReplicationControllers; on UPDATE only the images that changed), which rule covers each,
//!   the gate's decision per image through the decision [`cache`] (identical concurrent
//!   verifications coalesced) on worker threads, and the answer by the deadline.
//! - [`Verifier`]: how evidence is judged; [`RegistryVerifier`] is `vouch gate registry:IMAGE`'s
//!   call.
//!
//! ```
//! use vouch_admission::{Endpoint, ReviewError};
//! # fn engine() -> Option<vouch_admission::Engine> { None }
//! // A body that is not an AdmissionReview is an error (HTTP 400), never an allow.
//! # if let Some(engine) = engine() {
//! let err = engine.review(Endpoint::Validate, b"{}", std::time::Instant::now()).unwrap_err();
//! assert!(matches!(err, ReviewError::NotAdmissionReview { .. }));
//! # }
//! ```

pub mod cache;
pub mod config;
pub mod verifier;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use vouch_digest::Digest;
use vouch_oci::reference::Reference;

pub use config::{Config, ConfigError, Mode, OnError, Unmatched};
pub use verifier::{Clock, RegistryVerifier, Verifier};

/// Largest AdmissionReview body read (the API server's own request limit is 3 MiB).
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// Most containers (all three lists together) in one object.
pub const MAX_CONTAINERS: usize = 256;
/// Most verification threads running at once (all requests together). A verification that
/// would start past it is not started: that container is denied with `deadline-exceeded`.
pub const MAX_WORKERS: usize = 512;

/// Reason codes of the admission decision itself (the gate's codes are kept as they are).
pub mod code {
    /// An image without a digest under an enforce rule (/validate).
    pub const IMAGE_NOT_PINNED: &str = "image-not-pinned";
    /// An image no rule covers, with `unmatched = "deny"`.
    pub const IMAGE_NOT_COVERED: &str = "image-not-covered";
    /// An image reference that does not parse.
    pub const IMAGE_REFERENCE_INVALID: &str = "image-reference-invalid";
    /// The verification did not finish by the deadline.
    pub const DEADLINE_EXCEEDED: &str = "deadline-exceeded";
    /// The tag could not be resolved or the evidence could not be read or evaluated.
    pub const REGISTRY_ERROR: &str = "registry-error";
}

/// Which webhook was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/validate`: allowed or denied, never changed.
    Validate,
    /// `/mutate`: tag-only images pinned to the digest that was verified.
    Mutate,
}

/// The verdict of one review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Denied,
    /// Allowed, with warnings (a warn rule's denials, or a fail-open rule's errors).
    Warned,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Warned => "warned",
        }
    }
}

/// What the server turns into the HTTP answer and the log line.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The whole AdmissionReview v1 to send back.
    pub response: Value,
    /// One structured line: uid, namespace, object, operation, dryRun, images, verdict,
    /// reasons, duration_ms.
    pub log: Value,
    pub verdict: Verdict,
    /// Reason codes, in container order, each once.
    pub reasons: Vec<String>,
    pub cache_hits: u32,
    pub registry_errors: u32,
}

/// A body that is not an AdmissionReview v1 the engine can decide: the server answers 400.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    #[error("admission review body is {size} bytes, more than the {limit} allowed")]
    TooLarge { size: usize, limit: usize },
    #[error("admission review body is not JSON")]
    Json(#[source] serde_json::Error),
    #[error(
        "admission review body is not an admission.k8s.io/v1 AdmissionReview (found apiVersion {api_version:?}, kind {kind:?})"
    )]
    NotAdmissionReview {
        api_version: Option<String>,
        kind: Option<String>,
    },
    #[error("admission review has no `request` object")]
    MissingRequest,
    #[error("admission review request has no `uid` string")]
    MissingUid,
    #[error("admission review request {uid}: `{field}` {problem}")]
    Malformed {
        uid: String,
        field: String,
        problem: &'static str,
    },
    #[error("admission review request {uid}: {count} containers, more than the {limit} allowed")]
    TooManyContainers {
        uid: String,
        count: usize,
        limit: usize,
    },
}

/// The request fields the decision reads.
struct Request<'a> {
    uid: &'a str,
    operation: &'a str,
    group: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    dry_run: bool,
    object: Option<&'a Value>,
    old: Option<&'a Value>,
}

fn parse_request(v: &Value) -> Result<Request<'_>, ReviewError> {
    let api_version = v.get("apiVersion").and_then(Value::as_str);
    let kind = v.get("kind").and_then(Value::as_str);
    if api_version != Some("admission.k8s.io/v1") || kind != Some("AdmissionReview") {
        return Err(ReviewError::NotAdmissionReview {
            api_version: api_version.map(str::to_owned),
            kind: kind.map(str::to_owned),
        });
    }
    let request = v
        .get("request")
        .filter(|r| r.is_object())
        .ok_or(ReviewError::MissingRequest)?;
    let uid = request
        .get("uid")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .ok_or(ReviewError::MissingUid)?;
    let text = |field: &str| -> Result<&str, ReviewError> {
        match request.get(field) {
            None | Some(Value::Null) => Ok(""),
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(ReviewError::Malformed {
                uid: uid.to_owned(),
                field: field.to_owned(),
                problem: "is not a string",
            }),
        }
    };
    let operation = text("operation")?;
    let namespace = text("namespace")?;
    let mut name = text("name")?;
    let gvk = request.get("kind");
    let group = gvk
        .and_then(|k| k.get("group"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = gvk
        .and_then(|k| k.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let dry_run = match request.get("dryRun") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ReviewError::Malformed {
                uid: uid.to_owned(),
                field: "dryRun".into(),
                problem: "is not a boolean",
            });
        }
    };
    let object = request.get("object").filter(|o| !o.is_null());
    let old = request.get("oldObject").filter(|o| !o.is_null());
    if name.is_empty() {
        name = object
            .and_then(|o| o.pointer("/metadata/name"))
            .and_then(Value::as_str)
            .or_else(|| {
                object
                    .and_then(|o| o.pointer("/metadata/generateName"))
                    .and_then(Value::as_str)
            })
            .unwrap_or("");
    }
    Ok(Request {
        uid,
        operation,
        group,
        kind,
        namespace,
        name,
        dry_run,
        object,
        old,
    })
}

/// Where the pod spec lives in an object of this kind, for the kinds that run images.
fn pod_spec(group: &str, kind: &str) -> Option<&'static str> {
    match (group, kind) {
        ("", "Pod") => Some("/spec"),
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job")
        | ("", "ReplicationController") => Some("/spec/template/spec"),
        ("batch", "CronJob") => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

/// One container of the object.
#[derive(Debug, Clone)]
struct Container {
    /// JSON pointer of the container: `/spec/template/spec/containers/0`.
    pointer: String,
    name: String,
    image: String,
}

fn containers(uid: &str, object: &Value, spec: &str) -> Result<Vec<Container>, ReviewError> {
    let malformed = |field: String, problem| ReviewError::Malformed {
        uid: uid.to_owned(),
        field,
        problem,
    };
    let Some(pod) = object.pointer(spec) else {
        return Err(malformed(format!("object{spec}"), "is missing"));
    };
    if !pod.is_object() {
        return Err(malformed(format!("object{spec}"), "is not an object"));
    }
    let mut out = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let items = match pod.get(list) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(items)) => items,
            Some(_) => return Err(malformed(format!("object{spec}/{list}"), "is not a list")),
        };
        if out.len() + items.len() > MAX_CONTAINERS {
            return Err(ReviewError::TooManyContainers {
                uid: uid.to_owned(),
                count: out.len() + items.len(),
                limit: MAX_CONTAINERS,
            });
        }
        for (i, c) in items.iter().enumerate() {
            let pointer = format!("{spec}/{list}/{i}");
            let Some(image) = c.get("image").and_then(Value::as_str) else {
                return Err(malformed(
                    format!("object{pointer}/image"),
                    "is not a string",
                ));
            };
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            out.push(Container {
                pointer,
                name: name.to_owned(),
                image: image.to_owned(),
            });
        }
    }
    Ok(out)
}

/// What one container needs.
enum Plan {
    /// UPDATE, and the image was already there.
    Unchanged,
    Invalid(String),
    /// No rule covers it.
    NotCovered,
    /// Under an enforce rule on /validate: no digest, denied without asking.
    NotPinned,
    /// Ask the verifier (resolve the tag first when there is no digest).
    Verify {
        rule: usize,
        reference: Reference,
    },
}

/// Whether a review may start verifications and wait for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    /// Start what is needed and wait until the deadline (`Engine::review`).
    Start,
    /// Only what the cache holds now (`Engine::review_now`).
    CacheOnly,
}

/// Whether every image got its decision without starting or waiting for work.
struct Complete(bool);

/// A verification's result for one container.
struct Done {
    digest: Option<Digest>,
    answer: cache::Answer,
    hit: bool,
}

struct Inner {
    config: Config,
    verifier: Arc<dyn Verifier>,
    cache: cache::Cache,
    /// Verification threads running now.
    workers: AtomicUsize,
}

/// Counts a running worker; the count drops when the worker ends, however it ends.
struct WorkerSlot(Arc<Inner>);

impl Drop for WorkerSlot {
    fn drop(&mut self) {
        self.0.workers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The admission engine: shared by every request (`Send + Sync`).
pub struct Engine {
    inner: Arc<Inner>,
}

/// What one container contributed to the answer.
struct Finding {
    container: usize,
    code: String,
    message: String,
    /// Denies (else: a warning).
    denies: bool,
    fail_open: bool,
}

fn verify(inner: &Inner, rule: usize, reference: &Reference) -> Done {
    let Some(r) = inner.config.rules.get(rule) else {
        return Done {
            digest: None,
            answer: Err("no such rule".into()),
            hit: false,
        };
    };
    let digest = match &reference.digest {
        Some(d) => d.clone(),
        None => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            inner.verifier.resolve(reference)
        })) {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                return Done {
                    digest: None,
                    answer: Err(e),
                    hit: false,
                };
            }
            Err(_) => {
                return Done {
                    digest: None,
                    answer: Err("the tag resolution panicked".into()),
                    hit: false,
                };
            }
        },
    };
    let key = cache::Key {
        name: reference.name.clone(),
        digest: digest.clone(),
        policy: r.policy.policy_digest.clone(),
        trust: r.policy.trust_digest.clone(),
    };
    let (answer, source) = inner.cache.get_or_compute(&key, || {
        inner
            .verifier
            .gate(&reference.name, &digest, &r.policy.loaded)
            .map(Arc::new)
    });
    Done {
        digest: Some(digest),
        answer,
        hit: source == cache::Source::Hit,
    }
}

impl Engine {
    pub fn new(config: Config, verifier: Arc<dyn Verifier>) -> Engine {
        let cache = cache::Cache::new(config.ttl, config.negative_ttl);
        Engine {
            inner: Arc::new(Inner {
                config,
                verifier,
                cache,
                workers: AtomicUsize::new(0),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Verifies a pass again on a worker thread before it expires (the cache asked for it);
    /// the request that triggered it does not wait.
    fn refresh(&self, rule: usize, reference: &Reference, digest: &Digest, key: cache::Key) {
        let inner = self.inner.clone();
        if inner.workers.fetch_add(1, Ordering::SeqCst) >= MAX_WORKERS {
            inner.workers.fetch_sub(1, Ordering::SeqCst);
            // No thread for it now: the pass expires as usual and is verified then.
            return;
        }
        let slot = WorkerSlot(inner);
        let name = reference.name.clone();
        let digest = digest.clone();
        let spawned = std::thread::Builder::new()
            .name("vouch-admission-refresh".into())
            .spawn(move || {
                let inner = &slot.0;
                if let Some(r) = inner.config.rules.get(rule) {
                    inner.cache.refresh(&key, || {
                        inner
                            .verifier
                            .gate(&name, &digest, &r.policy.loaded)
                            .map(Arc::new)
                    });
                }
            });
        // A thread that could not start drops its slot; the pass expires as usual.
        drop(spawned);
    }

    /// Verification threads running now (each one verifying an image no other thread is).
    pub fn verification_threads(&self) -> usize {
        self.inner.workers.load(Ordering::SeqCst)
    }

    /// How many decisions the cache holds.
    pub fn cached(&self) -> usize {
        self.inner.cache.len()
    }

    /// The deadline for a request that arrives now: the configured one.
    pub fn deadline_from(&self, arrived: Instant) -> Instant {
        arrived + self.inner.config.deadline
    }

    /// Decide one AdmissionReview (raw JSON body), answering by `deadline` at the latest:
    /// work not done by then is a denial naming what could not be verified in time (never an
    /// allow, unless that rule has on-error = "allow"). Never panics, whatever the body.
    pub fn review(
        &self,
        endpoint: Endpoint,
        body: &[u8],
        deadline: Instant,
    ) -> Result<Outcome, ReviewError> {
        self.decide(endpoint, body, deadline, Work::Start)
            .map(|(outcome, _)| outcome)
    }

    /// The answer when it needs no waiting: every image's decision is in the cache (or none
    /// is needed). `None` when a verification would have to start or be waited on; the caller
    /// then calls [`Engine::review`] where blocking is allowed. A malformed body is an error
    /// at once. The server calls this on its request thread first, so a warm cache never hops
    /// to a blocking thread.
    pub fn review_now(
        &self,
        endpoint: Endpoint,
        body: &[u8],
    ) -> Option<Result<Outcome, ReviewError>> {
        match self.decide(endpoint, body, Instant::now(), Work::CacheOnly) {
            Ok((outcome, Complete(true))) => Some(Ok(outcome)),
            Ok((_, Complete(false))) => None,
            Err(e) => Some(Err(e)),
        }
    }

    /// One review. Under `Work::CacheOnly` nothing is started or waited on, and the outcome is
    /// `Complete(false)` (to be thrown away) as soon as one image needed either.
    fn decide(
        &self,
        endpoint: Endpoint,
        body: &[u8],
        deadline: Instant,
        work: Work,
    ) -> Result<(Outcome, Complete), ReviewError> {
        let started = Instant::now();
        let mut complete = true;
        if body.len() > MAX_BODY {
            return Err(ReviewError::TooLarge {
                size: body.len(),
                limit: MAX_BODY,
            });
        }
        let value: Value = serde_json::from_slice(body).map_err(ReviewError::Json)?;
        let req = parse_request(&value)?;
        let applies = matches!(req.operation, "CREATE" | "UPDATE");
        let spec = pod_spec(req.group, req.kind);
        let (spec, object) = match (applies, spec, req.object) {
            (true, Some(spec), Some(object)) => (spec, object),
            (true, Some(_), None) => {
                return Err(ReviewError::Malformed {
                    uid: req.uid.to_owned(),
                    field: "object".into(),
                    problem: "is missing",
                });
            }
            _ => {
                let note = if applies {
                    "not-applicable: this kind runs no images"
                } else {
                    "not-applicable: only CREATE and UPDATE are decided"
                };
                let outcome = self.answer(
                    &req,
                    endpoint,
                    &[],
                    &[],
                    Vec::new(),
                    Vec::new(),
                    started,
                    0,
                    0,
                    Some(note),
                );
                return Ok((outcome, Complete(true)));
            }
        };
        let list = containers(req.uid, object, spec)?;
        // On UPDATE, images already in the old object need no decision. An old object that
        // cannot be read counts as having none (every image is decided).
        let old_images: BTreeSet<String> = match (req.operation, req.old) {
            ("UPDATE", Some(old)) => containers(req.uid, old, spec)
                .map(|cs| cs.into_iter().map(|c| c.image).collect())
                .unwrap_or_default(),
            _ => BTreeSet::new(),
        };
        let config = &self.inner.config;
        let plans: Vec<Plan> = list
            .iter()
            .map(|c| {
                if old_images.contains(&c.image) {
                    return Plan::Unchanged;
                }
                let reference = match Reference::parse(&c.image) {
                    Ok(r) => r,
                    Err(e) => return Plan::Invalid(e.to_string()),
                };
                let name = reference.name.to_string();
                let full = reference.to_string();
                let candidates = [name.as_str(), full.as_str(), c.image.as_str()];
                let Some(rule) = config
                    .rules
                    .iter()
                    .position(|r| r.covers(&candidates, req.namespace))
                else {
                    return Plan::NotCovered;
                };
                let enforce = config.rules[rule].mode == Mode::Enforce;
                if reference.digest.is_none() && enforce && endpoint == Endpoint::Validate {
                    return Plan::NotPinned;
                }
                Plan::Verify { rule, reference }
            })
            .collect();

        // Verifications: cached answers now, the rest on worker threads until the deadline.
        let mut done: Vec<Option<Done>> = (0..list.len()).map(|_| None).collect();
        let (tx, rx) = mpsc::channel::<(usize, Done)>();
        let mut waiting = 0usize;
        let mut busy = vec![false; list.len()];
        let mut joins: Vec<(usize, Digest, Arc<cache::Pending>)> = Vec::new();
        for (i, plan) in plans.iter().enumerate() {
            let Plan::Verify { rule, reference } = plan else {
                continue;
            };
            if let Some(d) = &reference.digest {
                let r = &config.rules[*rule];
                let key = cache::Key {
                    name: reference.name.clone(),
                    digest: d.clone(),
                    policy: r.policy.policy_digest.clone(),
                    trust: r.policy.trust_digest.clone(),
                };
                match self.inner.cache.lookup(&key) {
                    cache::Lookup::Fresh { answer, refresh } => {
                        if refresh {
                            self.refresh(*rule, reference, d, key);
                        }
                        done[i] = Some(Done {
                            digest: Some(d.clone()),
                            answer,
                            hit: true,
                        });
                        continue;
                    }
                    // The same image is being verified for another request: wait for that
                    // answer rather than starting a thread that would only wait for it too
                    // (a cache entry expiring under load is one verification, not one
                    // thread per request in flight).
                    cache::Lookup::Running(pending) => {
                        complete &= work == Work::Start;
                        joins.push((i, d.clone(), pending));
                        continue;
                    }
                    cache::Lookup::Absent => {}
                }
            }
            if work == Work::CacheOnly {
                complete = false;
                continue;
            }
            if Instant::now() >= deadline {
                continue;
            }
            if self.inner.workers.fetch_add(1, Ordering::SeqCst) >= MAX_WORKERS {
                self.inner.workers.fetch_sub(1, Ordering::SeqCst);
                busy[i] = true;
                continue;
            }
            let slot = WorkerSlot(self.inner.clone());
            let tx = tx.clone();
            let rule = *rule;
            let reference = reference.clone();
            let spawned = std::thread::Builder::new()
                .name("vouch-admission-verify".into())
                .spawn(move || {
                    let d = verify(&slot.0, rule, &reference);
                    let _ = tx.send((i, d));
                    drop(slot);
                });
            match spawned {
                Ok(_) => waiting += 1,
                Err(e) => {
                    done[i] = Some(Done {
                        digest: None,
                        answer: Err(format!("could not start a verification thread: {e}")),
                        hit: false,
                    });
                }
            }
        }
        drop(tx);
        while waiting > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match rx.recv_timeout(left) {
                Ok((i, d)) => {
                    waiting -= 1;
                    if let Some(slot) = done.get_mut(i) {
                        *slot = Some(d);
                    }
                }
                Err(_) => break,
            }
        }
        if work == Work::Start {
            for (i, digest, pending) in joins {
                if let Some(answer) = pending.wait_until(deadline) {
                    done[i] = Some(Done {
                        digest: Some(digest),
                        answer,
                        hit: true,
                    });
                }
            }
        }

        // Findings and patches, container by container.
        let mut findings = Vec::new();
        let mut patch = Vec::new();
        let mut cache_hits = 0u32;
        let mut registry_errors = 0u32;
        for (i, plan) in plans.iter().enumerate() {
            let c = &list[i];
            let mut add = |code: &str, message: String, denies: bool, fail_open: bool| {
                findings.push(Finding {
                    container: i,
                    code: code.to_owned(),
                    message,
                    denies,
                    fail_open,
                });
            };
            match plan {
                Plan::Unchanged => {}
                Plan::Invalid(why) => add(code::IMAGE_REFERENCE_INVALID, why.clone(), true, false),
                Plan::NotCovered => {
                    if config.unmatched == Unmatched::Deny {
                        add(
                            code::IMAGE_NOT_COVERED,
                            "no rule of the admission config covers this image in this namespace (unmatched = \"deny\")".into(),
                            true,
                            false,
                        );
                    }
                }
                Plan::NotPinned => add(
                    code::IMAGE_NOT_PINNED,
                    "the image has no digest (expected NAME[:TAG]@sha256:…)".into(),
                    true,
                    false,
                ),
                Plan::Verify { rule, reference } => {
                    let r = &config.rules[*rule];
                    let enforce = r.mode == Mode::Enforce;
                    if reference.digest.is_none() && endpoint == Endpoint::Validate {
                        add(
                            code::IMAGE_NOT_PINNED,
                            "the image has no digest (expected NAME[:TAG]@sha256:…)".into(),
                            false,
                            false,
                        );
                    }
                    let fail_open = r.on_error == OnError::Allow;
                    match &done[i] {
                        None => add(
                            code::DEADLINE_EXCEEDED,
                            if busy[i] {
                                format!(
                                    "the evidence could not be verified: {MAX_WORKERS} verifications are already running"
                                )
                            } else {
                                "the evidence could not be verified before the deadline".to_owned()
                            },
                            enforce && !fail_open,
                            fail_open,
                        ),
                        Some(d) => {
                            if d.hit {
                                cache_hits += 1;
                            }
                            match &d.answer {
                                Err(e) => {
                                    registry_errors += 1;
                                    add(
                                        code::REGISTRY_ERROR,
                                        e.clone(),
                                        enforce && !fail_open,
                                        fail_open,
                                    );
                                }
                                Ok(decision) if decision.passed() => {}
                                Ok(decision) => {
                                    for reason in &decision.reasons {
                                        add(reason.code, reason.message.clone(), enforce, false);
                                    }
                                }
                            }
                            let passed = matches!(&d.answer, Ok(dec) if dec.passed());
                            if endpoint == Endpoint::Mutate
                                && reference.digest.is_none()
                                && let Some(digest) = &d.digest
                                && (passed || !enforce)
                            {
                                patch.push(json!({
                                    "op": "replace",
                                    "path": format!("{}/image", c.pointer),
                                    "value": format!("{}@{digest}", c.image),
                                }));
                            }
                        }
                    }
                }
            }
        }
        let outcome = self.answer(
            &req,
            endpoint,
            &list,
            &plans,
            findings,
            patch,
            started,
            cache_hits,
            registry_errors,
            None,
        );
        Ok((outcome, Complete(complete)))
    }

    #[allow(clippy::too_many_arguments)]
    fn answer(
        &self,
        req: &Request<'_>,
        endpoint: Endpoint,
        list: &[Container],
        plans: &[Plan],
        findings: Vec<Finding>,
        patch: Vec<Value>,
        started: Instant,
        cache_hits: u32,
        registry_errors: u32,
        note: Option<&str>,
    ) -> Outcome {
        let denied = findings.iter().any(|f| f.denies);
        let verdict = if denied {
            Verdict::Denied
        } else if findings.is_empty() {
            Verdict::Allowed
        } else {
            Verdict::Warned
        };
        let mut reasons: Vec<String> = Vec::new();
        for f in &findings {
            if !reasons.contains(&f.code) {
                reasons.push(f.code.clone());
            }
        }
        let describe = |i: usize| {
            let c = &list[i];
            format!("container {:?} ({}) image {}", c.name, c.pointer, c.image)
        };
        let mut response = json!({ "uid": req.uid, "allowed": !denied });
        if denied {
            // One line per denied container: every reason, as the gate gives them.
            let mut lines: Vec<String> = Vec::new();
            let mut current: Option<usize> = None;
            for f in findings.iter().filter(|f| f.denies) {
                if current != Some(f.container) {
                    lines.push(format!("{}: denied:", describe(f.container)));
                    current = Some(f.container);
                } else if let Some(l) = lines.last_mut() {
                    l.push(';');
                }
                if let Some(l) = lines.last_mut() {
                    l.push_str(&format!(" {}: {}", f.code, f.message));
                }
            }
            response["status"] = json!({
                "code": 403,
                "reason": "Forbidden",
                "message": lines.join("\n"),
            });
        }
        let warnings: Vec<String> = findings
            .iter()
            .filter(|f| !f.denies)
            .map(|f| {
                let open = if f.fail_open {
                    " (allowed: on-error = \"allow\")"
                } else {
                    ""
                };
                format!("{}: {}: {}{open}", describe(f.container), f.code, f.message)
            })
            .collect();
        if !warnings.is_empty() {
            response["warnings"] = json!(warnings);
        }
        if !denied && !patch.is_empty() {
            let bytes = serde_json::to_vec(&patch).unwrap_or_default();
            response["patchType"] = json!("JSONPatch");
            response["patch"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
        let review = json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": response,
        });
        let images: Vec<Value> = list
            .iter()
            .zip(plans)
            .map(|(c, p)| {
                json!({
                    "container": c.pointer,
                    "image": c.image,
                    "decided": !matches!(p, Plan::Unchanged),
                })
            })
            .collect();
        let fail_open = findings.iter().any(|f| f.fail_open);
        let mut log = json!({
            "uid": req.uid,
            "endpoint": match endpoint { Endpoint::Validate => "validate", Endpoint::Mutate => "mutate" },
            "namespace": req.namespace,
            "kind": req.kind,
            "name": req.name,
            "operation": req.operation,
            "dryRun": req.dry_run,
            "images": images,
            "verdict": verdict.as_str(),
            "reasons": reasons,
            "cache_hits": cache_hits,
            "registry_errors": registry_errors,
            "duration_ms": duration_ms(started.elapsed()),
        });
        if fail_open {
            log["fail_open"] = json!(true);
        }
        if let Some(n) = note {
            log["note"] = json!(n);
        }
        if !patch.is_empty() && !denied {
            log["patched"] = json!(patch.len());
        }
        Outcome {
            response: review,
            log,
            verdict,
            reasons,
            cache_hits,
            registry_errors,
        }
    }
}

// The engine is shared by every request of the server.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Engine>();
};

fn duration_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}
