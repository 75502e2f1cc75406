//! The admission webhook server on 127.0.0.1 with real TLS (a certificate made here with
//! rcgen), asked by reqwest over HTTP/1.1 and HTTP/2 the way the API server asks: POST, JSON,
//! `?timeout=10s`. The decision library is a test double implementing `Decide`; the server's
//! own behaviour (routing, refusals, deadlines, readiness, metrics, logs, certificate reloads)
//! is what is tested.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vouch_server::admission::{
    Answer, Decide, DecideError, Endpoint, LogTo, ServeError, ServeOptions, Server, Shutdown,
    TlsError, Verdict,
};

const POD: &[u8] = include_bytes!("fixtures/admission-review/kubewarden-pod.json");
const POD_UID: &str = "1299d386-525b-4032-98ae-1949f69f9cfc";
const ROUNDTRIP: &[u8] =
    include_bytes!("fixtures/admission-review/k8s-api-roundtrip-admission-review.json");
const RAW: &[u8] = include_bytes!("fixtures/admission-review/kubewarden-raw-review.json");

// ---------------------------------------------------------------------------------------------
// Test doubles of the decision library

/// What the test double does with a review.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Allows, echoing the uid, with one cache hit.
    Allow,
    /// Denies with reason `image-not-signed`, one registry error.
    Deny,
    /// Sleeps this long, then allows.
    Sleep(Duration),
    /// Returns `DecideError::Failed`.
    Fail,
    /// Returns `DecideError::Malformed`.
    Malformed,
    /// Answers for another uid.
    WrongUid,
    /// Panics.
    Panic,
}

struct Double {
    behaviour: Behaviour,
    ready: AtomicBool,
    calls: AtomicUsize,
    deadlines: Mutex<Vec<Duration>>,
}

impl Double {
    fn new(behaviour: Behaviour) -> Arc<Double> {
        Arc::new(Double {
            behaviour,
            ready: AtomicBool::new(true),
            calls: AtomicUsize::new(0),
            deadlines: Mutex::new(Vec::new()),
        })
    }
}

fn answer(uid: &str, endpoint: Endpoint, allowed: bool) -> Value {
    let mut response = json!({"uid": uid, "allowed": allowed});
    if !allowed {
        response["status"] = json!({"code": 403, "message": "nginx: image-not-signed"});
    }
    if endpoint == Endpoint::Mutate && allowed {
        response["patchType"] = json!("JSONPatch");
        response["patch"] = json!("W10=");
    }
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response})
}

impl Decide for Double {
    fn review(
        &self,
        endpoint: Endpoint,
        body: &[u8],
        deadline: Instant,
    ) -> Result<Answer, DecideError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.deadlines
            .lock()
            .unwrap()
            .push(deadline.saturating_duration_since(Instant::now()));
        let review: Value = serde_json::from_slice(body).unwrap();
        let uid = review["request"]["uid"].as_str().unwrap().to_owned();
        let log = |verdict: &str| json!({"uid": uid, "namespace": "default", "verdict": verdict});
        match self.behaviour {
            Behaviour::Allow => Ok(Answer {
                response: answer(&uid, endpoint, true),
                log: log("allowed"),
                verdict: Verdict::Allowed,
                reasons: vec![],
                cache_hits: 1,
                registry_errors: 0,
            }),
            Behaviour::Deny => Ok(Answer {
                response: answer(&uid, endpoint, false),
                log: log("denied"),
                verdict: Verdict::Denied,
                reasons: vec!["image-not-signed".to_owned()],
                cache_hits: 0,
                registry_errors: 1,
            }),
            Behaviour::Sleep(pause) => {
                std::thread::sleep(pause);
                Ok(Answer {
                    response: answer(&uid, endpoint, true),
                    log: log("allowed"),
                    verdict: Verdict::Allowed,
                    reasons: vec![],
                    cache_hits: 0,
                    registry_errors: 0,
                })
            }
            Behaviour::Fail => Err(DecideError::Failed {
                message: "registry 127.0.0.1:1 refused the connection".to_owned(),
            }),
            Behaviour::Malformed => Err(DecideError::Malformed {
                message: "request.object: expected a Pod, found a ConfigMap".to_owned(),
            }),
            Behaviour::WrongUid => Ok(Answer {
                response: answer("someone-else", endpoint, true),
                log: log("allowed"),
                verdict: Verdict::Allowed,
                reasons: vec![],
                cache_hits: 0,
                registry_errors: 0,
            }),
            Behaviour::Panic => panic!("the test double panics"),
        }
    }

    fn ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------------------------
// TLS material and the server

struct Pair {
    cert: PathBuf,
    key: PathBuf,
    cert_pem: String,
    cert_der: Vec<u8>,
}

/// A self-signed certificate for 127.0.0.1 and localhost, written to `dir/NAME.{crt,key}`.
fn pair(dir: &Path, name: &str) -> Pair {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    Pair {
        cert,
        key,
        cert_pem: made.cert.pem(),
        cert_der: made.cert.der().to_vec(),
    }
}

struct Running {
    addr: std::net::SocketAddr,
    shutdown: Shutdown,
    logs: Arc<Mutex<Vec<u8>>>,
    _dir: tempfile::TempDir,
    dir: PathBuf,
    pair: Pair,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.shutdown();
    }
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.addr.port())
    }

    fn log_lines(&self) -> Vec<Value> {
        let bytes = self.logs.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).expect("every log line is one JSON object"))
            .collect()
    }

    fn log_text(&self) -> String {
        String::from_utf8(self.logs.lock().unwrap().clone()).unwrap()
    }
}

fn start_with(decide: Arc<dyn Decide>, tune: impl FnOnce(&mut ServeOptions)) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let pair = pair(dir.path(), "tls");
    let logs = Arc::new(Mutex::new(Vec::new()));
    let mut options = ServeOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        pair.cert.clone(),
        pair.key.clone(),
    );
    options.stop_on_signals = false;
    options.reload_interval = Duration::from_millis(100);
    options.log = LogTo::Memory(logs.clone());
    tune(&mut options);
    let server = Server::bind(options, decide).unwrap();
    let addr = server.local_addr();
    let shutdown = server.shutdown_handle();
    std::thread::spawn(move || server.run());
    Running {
        addr,
        shutdown,
        logs,
        dir: dir.path().to_owned(),
        _dir: dir,
        pair,
    }
}

fn start(decide: Arc<dyn Decide>) -> Running {
    start_with(decide, |_| {})
}

/// A client that trusts only `pems` (HTTP/2 by ALPN unless `http1`).
fn client_trusting(pems: &[&str], http1: bool) -> reqwest::blocking::Client {
    let certs = pems
        .iter()
        .map(|pem| reqwest::Certificate::from_pem(pem.as_bytes()).unwrap());
    let mut builder = reqwest::blocking::Client::builder()
        .tls_certs_only(certs)
        .tls_info(true)
        .timeout(Duration::from_secs(20));
    if http1 {
        builder = builder.http1_only();
    }
    builder.build().unwrap()
}

fn client(server: &Running) -> reqwest::blocking::Client {
    client_trusting(&[&server.pair.cert_pem], false)
}

/// POSTs `body` as the API server does.
fn post(client: &reqwest::blocking::Client, url: &str, body: &[u8]) -> reqwest::blocking::Response {
    client
        .post(url)
        .header("content-type", "application/json")
        .header("authorization", "Bearer s3cr3t-api-server-token")
        .body(body.to_vec())
        .send()
        .unwrap()
}

fn json_of(response: reqwest::blocking::Response) -> Value {
    serde_json::from_slice(&response.bytes().unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Routing, protocols, answers

#[test]
fn validate_answers_the_library_answer_over_http2_and_http1() {
    let double = Double::new(Behaviour::Allow);
    let server = start(double.clone());
    for http1 in [false, true] {
        let client = client_trusting(&[&server.pair.cert_pem], http1);
        let response = post(&client, &server.url("/validate?timeout=10s"), POD);
        assert_eq!(response.status(), 200);
        let expected = if http1 {
            reqwest::Version::HTTP_11
        } else {
            reqwest::Version::HTTP_2
        };
        assert_eq!(response.version(), expected);
        let review = json_of(response);
        assert_eq!(review, answer(POD_UID, Endpoint::Validate, true));
    }
    assert_eq!(double.calls.load(Ordering::SeqCst), 2);
}

#[test]
fn mutate_routes_to_the_mutate_endpoint() {
    let server = start(Double::new(Behaviour::Allow));
    let review = json_of(post(&client(&server), &server.url("/mutate"), POD));
    assert_eq!(review["response"]["patchType"], "JSONPatch");
    assert_eq!(review["response"]["uid"], POD_UID);
}

#[test]
fn the_roundtrip_fixture_is_answered_with_its_uid() {
    let server = start(Double::new(Behaviour::Deny));
    let review = json_of(post(&client(&server), &server.url("/validate"), ROUNDTRIP));
    assert_eq!(review, answer("uidValue", Endpoint::Validate, false));
}

#[test]
fn the_api_servers_timeout_shortens_the_deadline_with_a_margin() {
    let double = Double::new(Behaviour::Allow);
    let server = start(double.clone());
    let client = client(&server);
    post(&client, &server.url("/validate?timeout=10s"), POD);
    post(&client, &server.url("/validate?timeout=3s"), POD);
    let deadlines = double.deadlines.lock().unwrap().clone();
    // Configured 5 s; 3 s less the 1 s margin is 2 s.
    assert!(
        deadlines[0] > Duration::from_millis(4500) && deadlines[0] <= Duration::from_secs(5),
        "{deadlines:?}"
    );
    assert!(
        deadlines[1] > Duration::from_millis(1500) && deadlines[1] <= Duration::from_secs(2),
        "{deadlines:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Refusals: HTTP 4xx with a JSON error, never an allow

fn assert_refused(response: reqwest::blocking::Response, status: u16, message: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(
        json_of(response),
        json!({"code": "admission-malformed-request", "message": message})
    );
}

#[test]
fn a_body_that_is_not_json_is_400() {
    let double = Double::new(Behaviour::Allow);
    let server = start(double.clone());
    let response = post(
        &client(&server),
        &server.url("/validate"),
        b"{\"apiVersion\": ",
    );
    assert_refused(
        response,
        400,
        "request body: expected a JSON AdmissionReview, EOF while parsing a value at line 1 column 15",
    );
    assert_eq!(double.calls.load(Ordering::SeqCst), 0);
}

#[test]
fn json_that_is_not_an_admission_review_is_400() {
    let server = start(Double::new(Behaviour::Allow));
    let response = post(&client(&server), &server.url("/validate"), RAW);
    assert_refused(
        response,
        400,
        "request body: expected apiVersion admission.k8s.io/v1, found none",
    );
}

#[test]
fn a_review_the_library_cannot_read_is_400() {
    let server = start(Double::new(Behaviour::Malformed));
    let response = post(&client(&server), &server.url("/validate"), POD);
    assert_refused(
        response,
        400,
        "request.object: expected a Pod, found a ConfigMap",
    );
}

#[test]
fn a_malformed_timeout_is_400() {
    let server = start(Double::new(Behaviour::Allow));
    let response = post(&client(&server), &server.url("/validate?timeout=soon"), POD);
    assert_refused(
        response,
        400,
        r#"query parameter timeout: expected a duration such as 10s, found "soon""#,
    );
}

#[test]
fn a_body_that_is_not_json_by_content_type_is_415() {
    let server = start(Double::new(Behaviour::Allow));
    let response = client(&server)
        .post(server.url("/validate"))
        .header("content-type", "application/yaml")
        .body(POD.to_vec())
        .send()
        .unwrap();
    assert_refused(
        response,
        415,
        r#"content-type: expected application/json, found "application/yaml""#,
    );
}

#[test]
fn a_body_over_3_mib_is_413() {
    let server = start(Double::new(Behaviour::Allow));
    let mut body = POD.to_vec();
    body.resize(3 * 1024 * 1024 + 1, b' ');
    let response = post(&client(&server), &server.url("/validate"), &body);
    assert_refused(
        response,
        413,
        "request body: expected at most 3145728 bytes",
    );
}

#[test]
fn get_on_validate_is_405() {
    let server = start(Double::new(Behaviour::Allow));
    let response = client(&server).get(server.url("/validate")).send().unwrap();
    assert_eq!(response.status(), 405);
}

// ---------------------------------------------------------------------------------------------
// Fail closed: the server's own denials echo the uid

fn assert_denied(review: &Value, uid: &str, message: &str) {
    assert_eq!(
        review,
        &json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": uid,
                "allowed": false,
                "status": {"status": "Failure", "code": 403, "reason": "Forbidden", "message": message},
            },
        })
    );
}

#[test]
fn a_decision_past_the_deadline_is_a_denial_echoing_the_uid_in_time() {
    let deadline = Duration::from_millis(500);
    let server = start_with(
        Double::new(Behaviour::Sleep(Duration::from_secs(5))),
        |options| options.deadline = deadline,
    );
    let client = client(&server);
    // The connection is open before the clock starts.
    assert_eq!(
        client.get(server.url("/healthz")).send().unwrap().status(),
        200
    );
    let start = Instant::now();
    let response = post(&client, &server.url("/validate?timeout=10s"), POD);
    let elapsed = start.elapsed();
    assert_eq!(response.status(), 200);
    assert_denied(
        &json_of(response),
        POD_UID,
        "vouch: admission-deadline-exceeded: the decision did not finish within its deadline of 500 ms; denied because vouch fails closed",
    );
    assert!(
        elapsed >= deadline && elapsed < deadline + Duration::from_millis(100),
        "answered after {elapsed:?}"
    );
}

/// A request body that sends `head` and then stalls for `stall`.
struct Stalling {
    head: Vec<u8>,
    sent: bool,
    stall: Duration,
}

impl std::io::Read for Stalling {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.sent {
            self.sent = true;
            let n = self.head.len().min(buf.len());
            buf[..n].copy_from_slice(&self.head[..n]);
            return Ok(n);
        }
        std::thread::sleep(self.stall);
        Ok(0)
    }
}

#[test]
fn a_body_that_does_not_arrive_by_the_deadline_is_408() {
    let deadline = Duration::from_millis(500);
    let double = Double::new(Behaviour::Allow);
    let server = start_with(double.clone(), |options| options.deadline = deadline);
    let client = client(&server);
    let body = Stalling {
        head: POD[..64].to_vec(),
        sent: false,
        stall: Duration::from_secs(4),
    };
    // (The blocking client returns only once its body reader ends, so the time is the
    // stall's; the answer itself proves the deadline: a body that ended short at 4 s would be
    // a 400.)
    let response = client
        .post(server.url("/validate?timeout=10s"))
        .header("content-type", "application/json")
        .body(reqwest::blocking::Body::sized(body, POD.len() as u64))
        .send()
        .unwrap();
    assert_eq!(response.status(), 408);
    assert_eq!(
        json_of(response),
        json!({"code": "admission-request-incomplete", "message": "request body: not received within the deadline (500 ms)"})
    );
    assert_eq!(double.calls.load(Ordering::SeqCst), 0);
    assert!(
        server
            .log_text()
            .contains(r#""code":"admission-request-incomplete""#)
    );
}

#[test]
fn a_body_that_ends_short_of_its_length_is_400_not_413() {
    let double = Double::new(Behaviour::Allow);
    let server = start(double.clone());
    let body = Stalling {
        head: POD[..64].to_vec(),
        sent: false,
        stall: Duration::ZERO,
    };
    let response = client(&server)
        .post(server.url("/validate?timeout=10s"))
        .header("content-type", "application/json")
        .body(reqwest::blocking::Body::sized(body, POD.len() as u64))
        .send();
    // The client may see the reset of the stream it broke rather than the answer; when it
    // gets an answer, it is the 400.
    if let Ok(response) = response {
        assert_eq!(response.status(), 400);
        let v = json_of(response);
        assert_eq!(v["code"], "admission-malformed-request");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .starts_with("request body: could not be read"),
            "{v}"
        );
    }
    assert_eq!(double.calls.load(Ordering::SeqCst), 0);
    let waited = Instant::now();
    while !server
        .log_text()
        .contains("request body: could not be read")
    {
        assert!(
            waited.elapsed() < Duration::from_secs(5),
            "{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn requests_past_the_in_flight_limit_wait_for_a_slot_then_get_503() {
    use vouch_server::admission::MAX_IN_FLIGHT;
    // Every slot held by a decision that runs to the 3 s deadline; one more request, whose
    // `?timeout=2s` leaves it 1 s, finds none free in time.
    let server = start_with(
        Double::new(Behaviour::Sleep(Duration::from_secs(10))),
        |options| options.deadline = Duration::from_secs(3),
    );
    let client = Arc::new(client(&server));
    let url = server.url("/validate");
    let holders: Vec<_> = (0..MAX_IN_FLIGHT)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            std::thread::spawn(move || post(&client, &url, POD).status())
        })
        .collect();
    std::thread::sleep(Duration::from_millis(800));
    let start = Instant::now();
    let response = post(&client, &server.url("/validate?timeout=2s"), POD);
    let elapsed = start.elapsed();
    assert_eq!(response.status(), 503);
    assert_eq!(
        json_of(response),
        json!({"code": "admission-busy", "message": format!("{MAX_IN_FLIGHT} requests were being decided and none finished within the deadline (1000 ms)")})
    );
    assert!(
        elapsed >= Duration::from_millis(900),
        "answered after {elapsed:?}"
    );
    // The holders were answered (denials at their deadline), none refused.
    for h in holders {
        assert_eq!(h.join().unwrap(), 200);
    }
}

#[test]
fn the_api_servers_timeout_bounds_a_slow_decision() {
    let server = start(Double::new(Behaviour::Sleep(Duration::from_secs(5))));
    let client = client(&server);
    assert_eq!(
        client.get(server.url("/healthz")).send().unwrap().status(),
        200
    );
    let start = Instant::now();
    let review = json_of(post(&client, &server.url("/validate?timeout=2s"), POD));
    let elapsed = start.elapsed();
    assert_denied(
        &review,
        POD_UID,
        "vouch: admission-deadline-exceeded: the decision did not finish within its deadline of 1000 ms; denied because vouch fails closed",
    );
    assert!(
        elapsed < Duration::from_millis(1100),
        "answered after {elapsed:?}"
    );
}

#[test]
fn a_failed_decision_is_a_denial() {
    let server = start(Double::new(Behaviour::Fail));
    let review = json_of(post(&client(&server), &server.url("/validate"), POD));
    assert_denied(
        &review,
        POD_UID,
        "vouch: admission-review-failed: the decision could not be made (registry 127.0.0.1:1 refused the connection); denied because vouch fails closed",
    );
}

#[test]
fn an_answer_for_another_uid_is_a_denial() {
    let server = start(Double::new(Behaviour::WrongUid));
    let review = json_of(post(&client(&server), &server.url("/validate"), POD));
    assert_denied(
        &review,
        POD_UID,
        "vouch: admission-review-failed: the decision could not be made (the decision answered uid someone-else, not the request's); denied because vouch fails closed",
    );
}

#[test]
fn a_panicking_decision_is_a_denial() {
    let server = start(Double::new(Behaviour::Panic));
    let review = json_of(post(&client(&server), &server.url("/validate"), POD));
    assert_denied(
        &review,
        POD_UID,
        "vouch: admission-review-failed: the decision could not be made (the decision stopped on an internal error (a panic)); denied because vouch fails closed",
    );
}

/// Answers at once from `review_now` (a warm cache) with `now`, and panics when asked to
/// review on a blocking thread.
struct AtOnce {
    now: Behaviour,
    calls: AtomicUsize,
}

impl Decide for AtOnce {
    fn review(&self, _: Endpoint, _: &[u8], _: Instant) -> Result<Answer, DecideError> {
        panic!("review_now answered: review must not be called")
    }

    fn review_now(&self, endpoint: Endpoint, body: &[u8]) -> Option<Result<Answer, DecideError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let uid = match self.now {
            Behaviour::WrongUid => "someone-else".to_owned(),
            _ => serde_json::from_slice::<Value>(body).unwrap()["request"]["uid"]
                .as_str()
                .unwrap()
                .to_owned(),
        };
        Some(match self.now {
            Behaviour::Malformed => Err(DecideError::Malformed {
                message: "request.object: expected a Pod, found a ConfigMap".to_owned(),
            }),
            _ => Ok(Answer {
                response: answer(&uid, endpoint, true),
                log: json!({"uid": uid, "verdict": "allowed"}),
                verdict: Verdict::Allowed,
                reasons: vec![],
                cache_hits: 1,
                registry_errors: 0,
            }),
        })
    }

    fn ready(&self) -> bool {
        true
    }
}

#[test]
fn an_answer_the_library_has_at_once_is_served_without_a_blocking_review() {
    let decide = Arc::new(AtOnce {
        now: Behaviour::Allow,
        calls: AtomicUsize::new(0),
    });
    let server = start(decide.clone());
    let review = json_of(post(
        &client(&server),
        &server.url("/validate?timeout=10s"),
        POD,
    ));
    assert_eq!(review, answer(POD_UID, Endpoint::Validate, true));
    assert_eq!(decide.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn an_answer_at_once_is_checked_like_any_other() {
    // The uid check and the 400 for a body the library cannot read apply to answers given
    // at once too.
    let wrong = start(Arc::new(AtOnce {
        now: Behaviour::WrongUid,
        calls: AtomicUsize::new(0),
    }));
    let review = json_of(post(&client(&wrong), &wrong.url("/validate"), POD));
    assert_denied(
        &review,
        POD_UID,
        "vouch: admission-review-failed: the decision could not be made (the decision answered uid someone-else, not the request's); denied because vouch fails closed",
    );
    let malformed = start(Arc::new(AtOnce {
        now: Behaviour::Malformed,
        calls: AtomicUsize::new(0),
    }));
    assert_refused(
        post(&client(&malformed), &malformed.url("/validate"), POD),
        400,
        "request.object: expected a Pod, found a ConfigMap",
    );
}

// ---------------------------------------------------------------------------------------------
// Health and readiness

#[test]
fn readyz_follows_the_library_and_healthz_is_always_200() {
    let double = Double::new(Behaviour::Allow);
    double.ready.store(false, Ordering::SeqCst);
    let server = start(double.clone());
    let client = client(&server);
    assert_eq!(
        client.get(server.url("/healthz")).send().unwrap().status(),
        200
    );
    let readyz = client.get(server.url("/readyz")).send().unwrap();
    assert_eq!(readyz.status(), 503);
    assert_eq!(
        readyz.text().unwrap(),
        "not ready: policies, keys and trust roots are not loaded\n"
    );
    // A review that arrives anyway is denied, not passed to the library.
    let review = json_of(post(&client, &server.url("/validate"), POD));
    assert_denied(
        &review,
        POD_UID,
        "vouch: admission-not-ready: policies, keys and trust roots are not loaded yet; denied because vouch fails closed",
    );
    assert_eq!(double.calls.load(Ordering::SeqCst), 0);

    double.ready.store(true, Ordering::SeqCst);
    assert_eq!(
        client.get(server.url("/readyz")).send().unwrap().status(),
        200
    );
    assert_eq!(
        client.get(server.url("/healthz")).send().unwrap().status(),
        200
    );
}

// ---------------------------------------------------------------------------------------------
// Metrics

fn promtool_check(text: &str) {
    use std::io::Write as _;
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool is required (scripts/test-setup.d/prometheus.sh installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "promtool check metrics failed:\n{}{}\n--- metrics:\n{text}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn metrics_count_decisions_reasons_latency_cache_and_registry_errors() {
    let allow = start(Double::new(Behaviour::Allow));
    let client = client(&allow);
    post(&client, &allow.url("/validate"), POD);
    post(&client, &allow.url("/mutate"), POD);
    post(&client, &allow.url("/validate"), b"not json");
    let response = client.get(allow.url("/metrics")).send().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().unwrap();
    promtool_check(&text);
    for line in [
        "# TYPE vouch_admission_decisions_total counter",
        r#"vouch_admission_decisions_total{endpoint="validate",verdict="allowed"} 1"#,
        r#"vouch_admission_decisions_total{endpoint="mutate",verdict="allowed"} 1"#,
        "# TYPE vouch_admission_duration_seconds histogram",
        r#"vouch_admission_duration_seconds_count{endpoint="validate"} 1"#,
        "vouch_admission_cache_hits_total 2",
        "vouch_admission_registry_errors_total 0",
        r#"vouch_admission_bad_requests_total{endpoint="validate"} 1"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }

    let deny = start(Double::new(Behaviour::Deny));
    let client = client_trusting(&[&deny.pair.cert_pem], false);
    post(&client, &deny.url("/validate"), POD);
    let text = client
        .get(deny.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    promtool_check(&text);
    for line in [
        r#"vouch_admission_decisions_total{endpoint="validate",verdict="denied"} 1"#,
        r#"vouch_admission_reasons_total{reason="image-not-signed"} 1"#,
        "vouch_admission_registry_errors_total 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }
}

#[test]
fn a_scraper_asking_for_openmetrics_gets_openmetrics() {
    let server = start(Double::new(Behaviour::Allow));
    let client = client(&server);
    post(&client, &server.url("/validate"), POD);
    let response = client
        .get(server.url("/metrics"))
        .header(
            "accept",
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        )
        .send()
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let text = response.text().unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    for line in [
        "# TYPE vouch_admission_decisions counter",
        r#"vouch_admission_decisions_total{endpoint="validate",verdict="allowed"} 1"#,
        "# UNIT vouch_admission_duration_seconds seconds",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }
}

#[test]
fn a_deadline_denial_is_counted_with_its_reason() {
    let server = start_with(
        Double::new(Behaviour::Sleep(Duration::from_secs(2))),
        |options| options.deadline = Duration::from_millis(100),
    );
    let client = client(&server);
    post(&client, &server.url("/validate"), POD);
    let text = client
        .get(server.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    promtool_check(&text);
    for line in [
        r#"vouch_admission_decisions_total{endpoint="validate",verdict="denied"} 1"#,
        r#"vouch_admission_reasons_total{reason="admission-deadline-exceeded"} 1"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Logs

#[test]
fn one_json_log_line_per_decision_without_headers() {
    let server = start(Double::new(Behaviour::Deny));
    post(&client(&server), &server.url("/validate?timeout=10s"), POD);
    let lines = server.log_lines();
    let decisions: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "decision")
        .collect();
    assert_eq!(decisions.len(), 1, "{lines:#?}");
    let line = decisions[0];
    assert_eq!(line["uid"], POD_UID);
    assert_eq!(line["namespace"], "default");
    assert_eq!(line["verdict"], "denied");
    assert_eq!(line["endpoint"], "validate");
    assert_eq!(line["level"], "info");
    assert!(line["latency_ms"].as_f64().unwrap() >= 0.0, "{line}");
    assert!(line["timestamp"].is_string(), "{line}");
    let text = server.log_text();
    assert!(
        !text.contains("s3cr3t"),
        "a header reached the log:\n{text}"
    );
    assert!(
        !text.contains("authorization"),
        "a header reached the log:\n{text}"
    );
    assert!(
        lines.iter().any(|l| l["message"] == "listening"),
        "{lines:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// TLS: start-up errors and reloads

fn bind_error(cert: &Path, key: &Path) -> ServeError {
    let options = ServeOptions::new(
        "127.0.0.1:0".parse().unwrap(),
        cert.to_owned(),
        key.to_owned(),
    );
    match Server::bind(options, Double::new(Behaviour::Allow)) {
        Ok(_) => panic!(
            "the server started with {} and {}",
            cert.display(),
            key.display()
        ),
        Err(err) => err,
    }
}

#[test]
fn unreadable_or_mismatched_tls_files_stop_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let one = pair(dir.path(), "one");
    let two = pair(dir.path(), "two");

    let missing = dir.path().join("missing.crt");
    let err = bind_error(&missing, &one.key);
    assert!(
        matches!(&err, ServeError::Tls(TlsError::Read { what: "certificate", path, .. }) if path == &missing),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("could not read the TLS certificate {}", missing.display())
    );

    let err = bind_error(&one.cert, &two.key);
    assert!(
        matches!(&err, ServeError::Tls(TlsError::Pair { .. })),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "TLS certificate {} and key {} are not a usable pair",
            one.cert.display(),
            two.key.display()
        )
    );

    let err = bind_error(&one.key, &one.key);
    assert_eq!(
        err.to_string(),
        format!(
            "TLS certificate {}: expected a PEM CERTIFICATE block, found none",
            one.key.display()
        )
    );
    let err = bind_error(&one.cert, &one.cert);
    assert_eq!(
        err.to_string(),
        format!(
            "TLS key {}: expected a PEM PRIVATE KEY block, found none",
            one.cert.display()
        )
    );
}

fn peer_certificate(client: &reqwest::blocking::Client, url: &str) -> Vec<u8> {
    let response = client.get(url).send().unwrap();
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .unwrap()
        .to_vec()
}

#[test]
fn a_rotated_certificate_is_served_to_the_next_connection() {
    let server = start(Double::new(Behaviour::Allow));
    let new = pair(&server.dir, "new");
    let url = server.url("/healthz");
    let fresh = || client_trusting(&[&server.pair.cert_pem, &new.cert_pem], false);
    assert_eq!(peer_certificate(&fresh(), &url), server.pair.cert_der);

    // As cert-manager does: the new pair replaces the files in place.
    std::fs::rename(&new.key, &server.pair.key).unwrap();
    std::fs::rename(&new.cert, &server.pair.cert).unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while peer_certificate(&fresh(), &url) != new.cert_der {
        assert!(
            Instant::now() < until,
            "the new certificate was never served"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let lines = server.log_lines();
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "reloaded the TLS certificate and key"),
        "{lines:#?}"
    );
}

#[test]
fn a_bad_new_pair_keeps_the_old_one_and_logs_an_error() {
    let server = start(Double::new(Behaviour::Allow));
    let other = pair(&server.dir, "other");
    // Only the key changes: it does not match the certificate in use.
    std::fs::rename(&other.key, &server.pair.key).unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    let error = loop {
        let lines = server.log_lines();
        if let Some(line) = lines.iter().find(|l| l["level"] == "error") {
            break line.clone();
        }
        assert!(Instant::now() < until, "no error logged: {lines:#?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        error["message"],
        "kept the TLS certificate and key in use: the new files do not load"
    );
    let text = error["error"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "TLS certificate {} and key {} are not a usable pair: ",
            server.pair.cert.display(),
            server.pair.key.display()
        )),
        "{text}"
    );
    // Still serving, with the old certificate.
    let client = client(&server);
    assert_eq!(
        peer_certificate(&client, &server.url("/healthz")),
        server.pair.cert_der
    );
    let review = json_of(post(&client, &server.url("/validate"), POD));
    assert_eq!(review["response"]["allowed"], true);
    // Logged once, not at every poll.
    std::thread::sleep(Duration::from_millis(400));
    let errors = server
        .log_lines()
        .into_iter()
        .filter(|l| l["level"] == "error")
        .count();
    assert_eq!(errors, 1);
}

// ---------------------------------------------------------------------------------------------
// Docs

#[test]
fn every_code_the_server_answers_has_a_page() {
    use vouch_server::admission::review;
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    for code in [
        review::MALFORMED,
        review::DEADLINE,
        review::FAILED,
        review::NOT_READY,
        review::BUSY,
        review::INCOMPLETE,
    ] {
        let page = rules.join(format!("{code}.md"));
        let text = std::fs::read_to_string(&page).unwrap_or_else(|err| panic!("{code}: {err}"));
        assert!(
            text.starts_with(&format!("# {code}\n")),
            "{}",
            page.display()
        );
    }
}
