//! The admission webhook server: TLS, routes, deadlines, metrics and decision logs around a
//! [`Decide`].
//!
//! The server never decides. It checks that a request is an `admission.k8s.io/v1`
//! `AdmissionReview` with a `request.uid` (else HTTP 400), runs [`Decide::review`] on a blocking
//! thread under a deadline — the smaller of [`ServeOptions::deadline`] and the API server's
//! `?timeout=` less a margin ([`review::budget`]) — and sends the library's answer. When the
//! library fails, panics, answers for another `uid`, is not ready, or misses the deadline, the
//! server answers a denial of its own that echoes the `uid` (codes `admission-review-failed`,
//! `admission-not-ready`, `admission-deadline-exceeded`): never an allow.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

mod log;
mod metrics;
pub mod review;
mod tls;

pub use log::LogTo;

/// The largest request body read: the API server's own limit for an object is 3 MiB.
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// The blocking threads that run reviews at once; requests beyond wait for a thread, within
/// their deadline.
const MAX_REVIEW_THREADS: usize = 64;

/// Requests read and decided at once. A request beyond waits for a slot, within its deadline,
/// before its body is read: so at most this many bodies of up to [`MAX_BODY`] are held
/// (192 MiB), whatever the number of connections.
pub const MAX_IN_FLIGHT: usize = 64;

/// The longest a client may take to send a request's headers (HTTP/1.1); the TLS handshake has
/// its own 10 s limit.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Which webhook was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `POST /validate`: a ValidatingWebhookConfiguration.
    Validate,
    /// `POST /mutate`: a MutatingWebhookConfiguration (answers a JSONPatch).
    Mutate,
}

impl Endpoint {
    /// The name used in logs and metric labels: `validate`, `mutate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Validate => "validate",
            Endpoint::Mutate => "mutate",
        }
    }
}

/// What an answer did to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Admitted.
    Allowed,
    /// Refused.
    Denied,
    /// Admitted with warnings (a rule in `warn` mode, or a named fail-open).
    Warned,
}

impl Verdict {
    /// The name used in logs and metric labels: `allowed`, `denied`, `warned`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Warned => "warned",
        }
    }
}

/// The decision library's answer to one AdmissionReview.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The whole `AdmissionReview` to send back (its `response.uid` must be the request's).
    pub response: Value,
    /// One JSON object for the decision log (uid, namespace, object, images, verdict,
    /// reasons); it must hold no secret. The server adds `endpoint` and `latency_ms`.
    pub log: Value,
    /// What the answer does.
    pub verdict: Verdict,
    /// The reason codes of the decision (counted in `vouch_admission_reasons_total`).
    pub reasons: Vec<String>,
    /// Decisions served from the library's cache.
    pub cache_hits: u32,
    /// Registry requests that failed while deciding.
    pub registry_errors: u32,
}

/// Why the library gave no [`Answer`].
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DecideError {
    /// The body is not an AdmissionReview the library can read: HTTP 400.
    #[error("the request is not an AdmissionReview vouch can read: {message}")]
    Malformed { message: String },
    /// The review could not be completed: the server answers a denial.
    #[error("the review could not be completed: {message}")]
    Failed { message: String },
}

/// The decision library, as the server sees it. `vouch_admission::Engine` implements it
/// through a small adapter in the `vouch` binary.
pub trait Decide: Send + Sync {
    /// Decides one AdmissionReview `body` (already checked to be JSON with a `request.uid`).
    /// Runs on a blocking thread; it may wait for registries until `deadline`, after which the
    /// server has already answered a denial and the result is dropped.
    fn review(
        &self,
        endpoint: Endpoint,
        body: &[u8],
        deadline: Instant,
    ) -> Result<Answer, DecideError>;
    /// Decides `body` at once when that needs no waiting (every decision cached); `None`
    /// sends the request to [`Decide::review`] on a blocking thread. Called on the server's
    /// request thread, so it must never block. The default never answers.
    fn review_now(&self, endpoint: Endpoint, body: &[u8]) -> Option<Result<Answer, DecideError>> {
        let _ = (endpoint, body);
        None
    }
    /// Whether policies, keys and trust roots are loaded (`/readyz`).
    fn ready(&self) -> bool;
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on (HTTPS only).
    pub listen: SocketAddr,
    /// PEM certificate chain, leaf first; reloaded when it changes.
    pub tls_cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1); reloaded when it changes.
    pub tls_key: PathBuf,
    /// The longest a decision may take (default 5 s); the API server's `?timeout=` less a
    /// margin can make it shorter, never longer.
    pub deadline: Duration,
    /// How often the certificate and key files are read for a change (default 2 s).
    pub reload_interval: Duration,
    /// Stop gracefully on SIGTERM and SIGINT (default true; tests running several servers in
    /// one process turn it off and use [`Shutdown`]).
    pub stop_on_signals: bool,
    /// Where the JSON log lines go (default stderr).
    pub log: LogTo,
}

impl ServeOptions {
    /// Options with the defaults: a 5 s deadline, the files checked every 2 s, signals handled,
    /// logs on stderr.
    pub fn new(listen: SocketAddr, tls_cert: PathBuf, tls_key: PathBuf) -> Self {
        Self {
            listen,
            tls_cert,
            tls_key,
            deadline: Duration::from_secs(5),
            reload_interval: Duration::from_secs(2),
            stop_on_signals: true,
            log: LogTo::Stderr,
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A TLS file could not be read or does not hold what it must.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The listening socket could not be opened.
    #[error("could not listen on {addr}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The async runtime could not be built.
    #[error("could not start the server's runtime")]
    Runtime(#[source] std::io::Error),
    /// The server stopped on an I/O error.
    #[error("the server on {addr} stopped")]
    Serve {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

pub use tls::TlsError;

/// Serves until SIGTERM/SIGINT (when [`ServeOptions::stop_on_signals`]): TLS files are read and
/// the socket is bound before anything is served, so a bad file or a taken address is an error
/// here, not a server that starts and then fails.
pub fn serve(options: ServeOptions, decide: Arc<dyn Decide>) -> Result<(), ServeError> {
    Server::bind(options, decide)?.run()
}

/// A server whose TLS files are loaded and whose socket is bound, not yet serving.
pub struct Server {
    listener: std::net::TcpListener,
    addr: SocketAddr,
    tls: axum_server::tls_rustls::RustlsConfig,
    loaded: tls::Loaded,
    state: Arc<AppState>,
    options: ServeOptions,
    handle: axum_server::Handle<SocketAddr>,
}

/// Stops a running [`Server`] (gracefully: open requests get 10 s).
#[derive(Clone)]
pub struct Shutdown(axum_server::Handle<SocketAddr>);

impl Shutdown {
    /// Stops accepting connections and ends the server once open requests are answered.
    pub fn shutdown(&self) {
        self.0.graceful_shutdown(Some(Duration::from_secs(10)));
    }
}

impl Server {
    /// Reads the certificate and key, and binds `options.listen`.
    pub fn bind(options: ServeOptions, decide: Arc<dyn Decide>) -> Result<Server, ServeError> {
        let loaded = tls::Loaded::read(&options.tls_cert, &options.tls_key)?;
        let config = loaded.server_config(&options.tls_cert, &options.tls_key)?;
        let listener =
            std::net::TcpListener::bind(options.listen).map_err(|source| ServeError::Listen {
                addr: options.listen,
                source,
            })?;
        let nonblocking = listener.set_nonblocking(true);
        let addr = nonblocking
            .and_then(|()| listener.local_addr())
            .map_err(|source| ServeError::Listen {
                addr: options.listen,
                source,
            })?;
        let state = Arc::new(AppState {
            decide,
            metrics: metrics::Metrics::new(),
            deadline: options.deadline,
            log: log::Log::new(&options.log),
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
        });
        Ok(Server {
            listener,
            addr,
            tls: axum_server::tls_rustls::RustlsConfig::from_config(config),
            loaded,
            state,
            options,
            handle: axum_server::Handle::new(),
        })
    }

    /// The address the socket is bound to (the port chosen for `:0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops the server once it runs.
    pub fn shutdown_handle(&self) -> Shutdown {
        Shutdown(self.handle.clone())
    }

    /// Serves on a runtime of its own until stopped.
    pub fn run(self) -> Result<(), ServeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .max_blocking_threads(MAX_REVIEW_THREADS)
            .thread_name("vouch-admission")
            .build()
            .map_err(ServeError::Runtime)?;
        let Server {
            listener,
            addr,
            tls,
            loaded,
            state,
            options,
            handle,
        } = self;
        let result = runtime.block_on(async move {
            state.log.info(
                "listening",
                json!({"listen": addr.to_string(), "deadline_ms": options.deadline.as_millis() as u64}),
            );
            tokio::spawn(tls::watch(
                tls.clone(),
                loaded,
                options.tls_cert.clone(),
                options.tls_key.clone(),
                options.reload_interval,
                state.log.clone(),
            ));
            if options.stop_on_signals {
                tokio::spawn(stop_on_signals(Shutdown(handle.clone()), state.log.clone()));
            }
            let app = router(state.clone());
            let mut server = axum_server::from_tcp_rustls(listener, tls)
                .map_err(|source| ServeError::Listen { addr, source })?;
            server
                .http_builder()
                .http1()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let served = server
                .handle(handle)
                .serve(app.into_make_service())
                .await;
            state.log.info("stopped", json!({"listen": addr.to_string()}));
            served.map_err(|source| ServeError::Serve { addr, source })
        });
        // A review still running past its deadline (the answer, a denial, is already sent)
        // does not hold the process: its result is dropped with it.
        runtime.shutdown_timeout(Duration::from_secs(1));
        result
    }
}

async fn stop_on_signals(shutdown: Shutdown, log: log::Log) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
    }
    log.info("stopping on a signal", json!({}));
    shutdown.shutdown();
}

struct AppState {
    decide: Arc<dyn Decide>,
    metrics: metrics::Metrics,
    deadline: Duration,
    log: log::Log,
    /// [`MAX_IN_FLIGHT`] permits.
    slots: Arc<tokio::sync::Semaphore>,
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/validate", post(validate))
        .route("/mutate", post(mutate))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(state)
}

async fn healthz() -> Response {
    (StatusCode::OK, "ok\n").into_response()
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.decide.ready() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: policies, keys and trust roots are not loaded\n",
        )
            .into_response()
    }
}

async fn metrics_text(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok());
    let openmetrics = metrics::wants_openmetrics(accept);
    let content_type = if openmetrics {
        metrics::OPENMETRICS
    } else {
        metrics::CLASSIC
    };
    match state.metrics.encode(openmetrics) {
        Ok(text) => (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], text).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn validate(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    admit(state, Endpoint::Validate, uri, headers, body).await
}

async fn mutate(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    admit(state, Endpoint::Mutate, uri, headers, body).await
}

/// A request the server refuses before any decision: an HTTP error with a JSON body.
fn refuse(state: &AppState, endpoint: Endpoint, status: StatusCode, message: String) -> Response {
    refuse_with(state, endpoint, status, review::MALFORMED, message)
}

/// [`refuse`] with another code than [`review::MALFORMED`].
fn refuse_with(
    state: &AppState,
    endpoint: Endpoint,
    status: StatusCode,
    code: &str,
    message: String,
) -> Response {
    state.metrics.bad_request(endpoint);
    state.log.warn(
        "request refused",
        json!({
            "endpoint": endpoint.as_str(),
            "status": status.as_u16(),
            "code": code,
            "error": message,
        }),
    );
    let body = json!({"code": code, "message": message});
    (status, axum::Json(body)).into_response()
}

async fn admit(
    state: Arc<AppState>,
    endpoint: Endpoint,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let start = Instant::now();
    if let Err(message) = review::check_content_type(headers.get(header::CONTENT_TYPE)) {
        return refuse(
            &state,
            endpoint,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message,
        );
    }
    let timeout = match review::timeout_param(uri.query()) {
        Ok(timeout) => timeout,
        Err(message) => return refuse(&state, endpoint, StatusCode::BAD_REQUEST, message),
    };
    let budget = review::budget(state.deadline, timeout);
    let deadline = start + budget;
    // A slot before the body is read, so bodies held at once stay bounded.
    let _slot = match tokio::time::timeout_at(deadline.into(), state.slots.clone().acquire_owned())
        .await
    {
        Ok(Ok(permit)) => permit,
        _ => {
            let message = format!(
                "{MAX_IN_FLIGHT} requests were being decided and none finished within the deadline ({} ms)",
                budget.as_millis()
            );
            return refuse_with(
                &state,
                endpoint,
                StatusCode::SERVICE_UNAVAILABLE,
                review::BUSY,
                message,
            );
        }
    };
    let bytes: Bytes = match tokio::time::timeout_at(
        deadline.into(),
        axum::body::to_bytes(body, MAX_BODY),
    )
    .await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => {
            let e = e.into_inner();
            if e.is::<http_body_util::LengthLimitError>() {
                let message = format!("request body: expected at most {MAX_BODY} bytes");
                return refuse(&state, endpoint, StatusCode::PAYLOAD_TOO_LARGE, message);
            }
            let message = format!("request body: could not be read ({e})");
            return refuse(&state, endpoint, StatusCode::BAD_REQUEST, message);
        }
        Err(_) => {
            let message = format!(
                "request body: not received within the deadline ({} ms)",
                budget.as_millis()
            );
            return refuse_with(
                &state,
                endpoint,
                StatusCode::REQUEST_TIMEOUT,
                review::INCOMPLETE,
                message,
            );
        }
    };
    let uid = match review::request_uid(&bytes) {
        Ok(uid) => uid,
        Err(message) => return refuse(&state, endpoint, StatusCode::BAD_REQUEST, message),
    };

    let outcome = if state.decide.ready() {
        // A warm cache answers here; only work that may wait goes to a blocking thread
        // (fewer threads touched under load: the allocator's memory stays flat).
        let decided = match state.decide.review_now(endpoint, &bytes) {
            Some(answer) => Ok(Ok(answer)),
            None => {
                let decide = state.decide.clone();
                let body = bytes.clone();
                let task =
                    tokio::task::spawn_blocking(move || decide.review(endpoint, &body, deadline));
                tokio::time::timeout_at(deadline.into(), task).await
            }
        };
        match decided {
            Ok(Ok(Ok(answer))) => match review::response_uid(&answer.response) {
                Some(answered) if answered == uid => Ok(answer),
                answered => Err(review::Denial::failed(format!(
                    "the decision answered uid {}, not the request's",
                    answered.unwrap_or("(none)")
                ))),
            },
            Ok(Ok(Err(DecideError::Malformed { message }))) => {
                return refuse(&state, endpoint, StatusCode::BAD_REQUEST, message);
            }
            Ok(Ok(Err(DecideError::Failed { message }))) => Err(review::Denial::failed(message)),
            Ok(Err(_joined)) => Err(review::Denial::failed(
                "the decision stopped on an internal error (a panic)".to_owned(),
            )),
            Err(_elapsed) => Err(review::Denial::deadline(budget)),
        }
    } else {
        Err(review::Denial::not_ready())
    };
    let latency = start.elapsed();

    let (response, verdict, reasons, log_value) = match outcome {
        Ok(answer) => {
            state
                .metrics
                .usage(answer.cache_hits, answer.registry_errors);
            (answer.response, answer.verdict, answer.reasons, answer.log)
        }
        Err(denial) => {
            let response = denial.review(&uid);
            let log_value = json!({
                "uid": uid,
                "verdict": Verdict::Denied.as_str(),
                "reasons": [denial.code],
                "message": denial.message,
            });
            (
                response,
                Verdict::Denied,
                vec![denial.code.to_owned()],
                log_value,
            )
        }
    };
    state
        .metrics
        .decision(endpoint, verdict, &reasons, latency.as_secs_f64());
    state.log.decision(log_value, endpoint, latency);
    (StatusCode::OK, axum::Json(response)).into_response()
}

/// Where decision logs of a server in memory go, for tests: each line is one JSON object.
pub type LogBuffer = Arc<Mutex<Vec<u8>>>;
