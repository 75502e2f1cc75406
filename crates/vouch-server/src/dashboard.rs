//! The fleet dashboard (`vouch serve`): server-rendered pages and a JSON API over the fleet
//! store, the advisory database and the SLOs, plus ingest over HTTP when a token is set.
//!
//! It only translates: every answer is `vouch-fleet`'s or `vouch-slo`'s, the same calls the CLI
//! makes (`vouch fleet query/affected/artifacts/show/history`, `vouch slo status`). The store and
//! the database are blocking, so each request's work runs on a blocking thread, one at a time
//! per connection they hold (a mutex each). Plain HTTP on purpose: the dashboard is meant to
//! sit behind a reverse proxy that terminates TLS and authenticates people (docs/serve.md).
//! Without an [`IngestToken`] the server is read-only: `POST /api/sbom` and `POST /api/events`
//! answer 403 and nothing is written.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use vouch_advisory::db::Database;
use vouch_fleet::{Location, Pattern, Store, StoreError};

mod html;
mod token;

pub use html::{MAX_TABLE_ROWS, escape};
pub use token::{IngestToken, MIN_LEN as MIN_TOKEN_LEN, TokenError};

/// Largest SBOM accepted by `POST /api/sbom` (the CLI reads evidence files up to 64 MiB).
pub const MAX_SBOM: usize = 64 * 1024 * 1024;
/// Largest webhook payload accepted by `POST /api/events` (GitHub caps deliveries at 25 MB).
pub const MAX_EVENT: usize = 25 * 1024 * 1024;
/// The longest a client may take to send a request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a request may take: reading its body and answering it. Past it the answer is
/// 503 (an ingest that was already running still completes or rolls back in its transaction).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Requests answered at once; more wait for a slot.
pub const MAX_IN_FLIGHT: usize = 16;
/// Ingest bodies read and parsed at once (before the token is known for a GitHub signature):
/// at most this many bodies of up to [`MAX_SBOM`] are held, whatever the connections.
pub const MAX_BODIES: usize = 4;

/// Reads the clock; the binary passes its one clock (honouring `SOURCE_DATE_EPOCH`).
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// How to serve the dashboard.
#[derive(Clone)]
pub struct DashboardOptions {
    /// Address to listen on (plain HTTP; put a TLS-terminating reverse proxy in front).
    pub listen: SocketAddr,
    /// The fleet store.
    pub store: Location,
    /// The advisory database, for advisory searches (`/?q=GHSA-…`, `/api/affected/ID`).
    pub db: Option<PathBuf>,
    /// SLOs evaluated over the store's pipeline events (the SLO panel, `/api/slo`).
    pub slo: Option<Vec<vouch_slo::Slo>>,
    /// Allows ingest over HTTP; `None` keeps the server read-only.
    pub ingest_token: Option<IngestToken>,
    /// Now, for advisory matching (ignore-file expiry), SLO windows and ingest times.
    pub clock: Clock,
    /// Stop gracefully on SIGTERM and SIGINT (tests turn it off and use [`Shutdown`]).
    pub stop_on_signals: bool,
}

/// Why the dashboard could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DashboardError {
    #[error(transparent)]
    Store(Box<StoreError>),
    #[error("cannot use the advisory database {path}")]
    Database {
        path: PathBuf,
        #[source]
        source: Box<vouch_advisory::db::DbError>,
    },
    #[error("could not listen on {addr}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("could not start the server's runtime")]
    Runtime(#[source] std::io::Error),
    #[error("the server on {addr} stopped")]
    Serve {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

struct AppState {
    store: Mutex<Store>,
    db: Option<Mutex<Database>>,
    slo: Option<Vec<vouch_slo::Slo>>,
    token: Option<IngestToken>,
    clock: Clock,
    slots: Arc<tokio::sync::Semaphore>,
    bodies: Arc<tokio::sync::Semaphore>,
}

/// A dashboard whose store and database are open and whose socket is bound.
pub struct Dashboard {
    listener: std::net::TcpListener,
    addr: SocketAddr,
    state: Arc<AppState>,
    stop_on_signals: bool,
    handle: axum_server::Handle<SocketAddr>,
}

/// Stops a running [`Dashboard`] (gracefully: open requests get 10 s).
#[derive(Clone)]
pub struct Shutdown(axum_server::Handle<SocketAddr>);

impl Shutdown {
    pub fn shutdown(&self) {
        self.0.graceful_shutdown(Some(Duration::from_secs(10)));
    }
}

/// Binds and serves until SIGTERM/SIGINT.
pub fn serve(options: DashboardOptions) -> Result<(), DashboardError> {
    Dashboard::bind(options)?.run()
}

impl Dashboard {
    /// Opens the store (running its migrations) and the advisory database, and binds the
    /// socket: a bad store, database or address is an error here, before anything is served.
    pub fn bind(options: DashboardOptions) -> Result<Dashboard, DashboardError> {
        let store = Store::open(&options.store).map_err(|e| DashboardError::Store(Box::new(e)))?;
        let db = match &options.db {
            Some(path) => Some(Mutex::new(Database::open(path).map_err(|source| {
                DashboardError::Database {
                    path: path.clone(),
                    source: Box::new(source),
                }
            })?)),
            None => None,
        };
        let listener = std::net::TcpListener::bind(options.listen).map_err(|source| {
            DashboardError::Listen {
                addr: options.listen,
                source,
            }
        })?;
        let addr = listener
            .set_nonblocking(true)
            .and_then(|()| listener.local_addr())
            .map_err(|source| DashboardError::Listen {
                addr: options.listen,
                source,
            })?;
        Ok(Dashboard {
            listener,
            addr,
            state: Arc::new(AppState {
                store: Mutex::new(store),
                db,
                slo: options.slo,
                token: options.ingest_token,
                clock: options.clock,
                slots: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
                bodies: Arc::new(tokio::sync::Semaphore::new(MAX_BODIES)),
            }),
            stop_on_signals: options.stop_on_signals,
            handle: axum_server::Handle::new(),
        })
    }

    /// The address the socket is bound to (the port chosen for `:0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether `POST /api/sbom` and `POST /api/events` are enabled.
    pub fn ingest_enabled(&self) -> bool {
        self.state.token.is_some()
    }

    /// A handle that stops the server once it runs.
    pub fn shutdown_handle(&self) -> Shutdown {
        Shutdown(self.handle.clone())
    }

    /// Serves on a runtime of its own until stopped.
    pub fn run(self) -> Result<(), DashboardError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .worker_threads(2)
            .max_blocking_threads(MAX_IN_FLIGHT)
            .thread_name("vouch-serve")
            .build()
            .map_err(DashboardError::Runtime)?;
        let Dashboard {
            listener,
            addr,
            state,
            stop_on_signals,
            handle,
        } = self;
        let result = runtime.block_on(async move {
            if stop_on_signals {
                tokio::spawn(stop_on_signal(Shutdown(handle.clone())));
            }
            let mut server = axum_server::from_tcp(listener)
                .map_err(|source| DashboardError::Listen { addr, source })?;
            server
                .http_builder()
                .http1()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            server
                .handle(handle)
                .serve(router(state).into_make_service())
                .await
                .map_err(|source| DashboardError::Serve { addr, source })
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
        result
    }
}

async fn stop_on_signal(shutdown: Shutdown) {
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
    shutdown.shutdown();
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/artifact/{*name}", get(artifact_page))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/api/query", get(api_query))
        .route("/api/artifacts", get(api_artifacts))
        .route("/api/artifacts/{*name}", get(api_artifact))
        .route("/api/history", get(api_history))
        .route("/api/affected/{id}", get(api_affected))
        .route("/api/changes", get(api_changes))
        .route("/api/slo", get(api_slo))
        .route("/api/sbom", post(api_sbom))
        .route("/api/events", post(api_events))
        .fallback(not_found)
        .with_state(state)
}

/// Why a request was not answered with data.
#[derive(Debug)]
enum Failure {
    /// The request is wrong (a bad query, a body that is not an SBOM): 400.
    Bad(String),
    /// No such artifact or advisory: 404.
    NotFound(String),
    /// Ingest is off: 403.
    Disabled,
    /// Ingest without the right token: 401.
    Unauthorized,
    /// The body is over its cap: 413.
    TooLarge(usize),
    /// Not answered in time, or too busy: 503.
    Unavailable(String),
    /// The store or the database failed: 500 (never an empty answer).
    Internal(String),
}

impl Failure {
    fn status(&self) -> StatusCode {
        match self {
            Failure::Bad(_) => StatusCode::BAD_REQUEST,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Disabled => StatusCode::FORBIDDEN,
            Failure::Unauthorized => StatusCode::UNAUTHORIZED,
            Failure::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Failure::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Failure::Bad(_) => "serve-bad-request",
            Failure::NotFound(_) => "serve-not-found",
            Failure::Disabled => "serve-ingest-disabled",
            Failure::Unauthorized => "serve-ingest-unauthorized",
            Failure::TooLarge(_) => "serve-too-large",
            Failure::Unavailable(_) => "serve-unavailable",
            Failure::Internal(_) => "serve-could-not-evaluate",
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Bad(m) | Failure::NotFound(m) | Failure::Unavailable(m) | Failure::Internal(m) => {
                m.clone()
            }
            Failure::Disabled => {
                "ingest is disabled: the server was started without an ingest token (--ingest-token-file or VOUCH_INGEST_TOKEN)".to_owned()
            }
            Failure::Unauthorized => "the ingest token is missing or wrong".to_owned(),
            Failure::TooLarge(limit) => format!("request body: expected at most {limit} bytes"),
        }
    }

    fn json(&self) -> Response {
        (
            self.status(),
            axum::Json(json!({"code": self.code(), "message": self.message()})),
        )
            .into_response()
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        match e {
            StoreError::Pattern { .. } | StoreError::Label { .. } | StoreError::Event { .. } => {
                Failure::Bad(e.to_string())
            }
            StoreError::UnknownArtifact { .. } | StoreError::UnknownAdvisory { .. } => {
                Failure::NotFound(e.to_string())
            }
            other => Failure::Internal(error_chain(&other)),
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Runs `work` on a blocking thread within [`REQUEST_TIMEOUT`], holding a slot.
async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    work: impl FnOnce(&AppState) -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let _slot = tokio::time::timeout(REQUEST_TIMEOUT, state.slots.clone().acquire_owned())
        .await
        .map_err(|_| {
            Failure::Unavailable(format!(
                "{MAX_IN_FLIGHT} requests were being answered and none finished in time"
            ))
        })?
        .map_err(|_| Failure::Internal("the server is stopping".to_owned()))?;
    let state = state.clone();
    let task = tokio::task::spawn_blocking(move || work(&state));
    match tokio::time::timeout(REQUEST_TIMEOUT, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err(Failure::Internal(
            "the answer stopped on an internal error (a panic)".to_owned(),
        )),
        Err(_) => Err(Failure::Unavailable(format!(
            "no answer within {} s",
            REQUEST_TIMEOUT.as_secs()
        ))),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the store leaves no half-written state behind (every write is
    // one transaction), so a poisoned lock is taken over.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn params(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(uri: &Uri, key: &str) -> Option<String> {
    params(uri)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn today(state: &AppState) -> vouch_advisory::suppress::Date {
    vouch_advisory::suppress::Date::from_unix_seconds((state.clock)().as_second())
}

/// What a search is: a package URL (or range) or an advisory id.
enum Answer {
    Package(vouch_fleet::QueryAnswer),
    Advisory(vouch_fleet::Affected),
}

impl serde::Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Package(a) => a.serialize(s),
            Answer::Advisory(a) => a.serialize(s),
        }
    }
}

fn affected(state: &AppState, id: &str) -> Result<vouch_fleet::Affected, Failure> {
    let Some(db) = &state.db else {
        return Err(Failure::Bad(format!(
            "`{id}` is not a package URL (pkg:TYPE/NAME…) and advisory lookups need the server started with --db"
        )));
    };
    let db = lock(db);
    let mut store = lock(&state.store);
    Ok(store.affected(
        &db,
        id,
        &vouch_advisory::suppress::Suppressions::default(),
        today(state),
    )?)
}

fn search(state: &AppState, q: &str) -> Result<Answer, Failure> {
    let q = q.trim();
    if q.starts_with("pkg:") {
        let pattern = Pattern::parse(q)?;
        Ok(Answer::Package(lock(&state.store).query(&pattern)?))
    } else {
        Ok(Answer::Advisory(affected(state, q)?))
    }
}

fn html_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn html_failure(q: &str, failure: &Failure) -> Response {
    let mut body = String::new();
    html::error(&mut body, &failure.message());
    html_response(failure.status(), html::page("vouch fleet: error", q, &body))
}

/// Findings of the last rescan, unsuppressed, per artifact.
fn finding_counts(findings: &[vouch_fleet::Finding]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for f in findings.iter().filter(|f| f.suppressed.is_none()) {
        *counts.entry(f.artifact.clone()).or_insert(0) += 1;
    }
    counts
}

async fn index(State(state): State<Arc<AppState>>, uri: Uri) -> Response {
    let q = param(&uri, "q").unwrap_or_default();
    let query = q.clone();
    let built = blocking(&state, move |state| {
        let mut body = String::new();
        let mut status = StatusCode::OK;
        if !query.trim().is_empty() {
            match search(state, &query) {
                Ok(Answer::Package(a)) => html::query_results(&mut body, &a),
                Ok(Answer::Advisory(a)) => html::affected_results(&mut body, &a),
                Err(Failure::Internal(m)) => return Err(Failure::Internal(m)),
                Err(f) => {
                    status = f.status();
                    html::error(&mut body, &f.message());
                }
            }
        }
        let (list, findings, changes) = {
            let mut store = lock(&state.store);
            (
                store.artifacts()?,
                store.findings()?,
                store.changes_since_rescan()?,
            )
        };
        html::artifacts(
            &mut body,
            &list,
            &finding_counts(&findings),
            changes.last_rescan.is_some(),
        );
        html::changes(&mut body, &changes);
        slo_panel(state, &mut body)?;
        Ok((status, body))
    })
    .await;
    match built {
        Ok((status, body)) => {
            let title = if q.trim().is_empty() {
                "vouch fleet".to_owned()
            } else {
                format!("vouch fleet: {}", q.trim())
            };
            html_response(status, html::page(&title, &q, &body))
        }
        Err(f) => html_failure(&q, &f),
    }
}

async fn artifact_page(State(state): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    let shown = name.clone();
    let built = blocking(&state, move |state| {
        let mut store = lock(&state.store);
        let detail = store.artifact(&name)?;
        let history = store.history(&name)?;
        let rescan = store.last_rescan()?;
        let mut body = String::new();
        html::artifact(
            &mut body,
            &detail,
            &history,
            rescan.as_ref().map(|r| r.at.as_str()),
        );
        Ok(body)
    })
    .await;
    match built {
        Ok(body) => html_response(
            StatusCode::OK,
            html::page(&format!("vouch fleet: {shown}"), "", &body),
        ),
        Err(f) => html_failure("", &f),
    }
}

async fn not_found(uri: Uri) -> Response {
    let failure = Failure::NotFound(format!("no page at {}", uri.path()));
    if uri.path().starts_with("/api/") {
        failure.json()
    } else {
        html_failure("", &failure)
    }
}

fn json_answer<T: serde::Serialize>(result: Result<T, Failure>) -> Response {
    match result {
        Ok(value) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(value),
        )
            .into_response(),
        Err(f) => f.json(),
    }
}

async fn api_query(State(state): State<Arc<AppState>>, uri: Uri) -> Response {
    let Some(q) = param(&uri, "q").filter(|q| !q.trim().is_empty()) else {
        return Failure::Bad("missing query parameter `q`".to_owned()).json();
    };
    json_answer(blocking(&state, move |state| search(state, &q)).await)
}

async fn api_artifacts(State(state): State<Arc<AppState>>) -> Response {
    json_answer(blocking(&state, |state| Ok(lock(&state.store).artifacts()?)).await)
}

async fn api_artifact(State(state): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    json_answer(blocking(&state, move |state| Ok(lock(&state.store).artifact(&name)?)).await)
}

async fn api_history(State(state): State<Arc<AppState>>, uri: Uri) -> Response {
    let Some(subject) = param(&uri, "subject").filter(|s| !s.is_empty()) else {
        return Failure::Bad(
            "missing query parameter `subject` (a purl or an artifact name)".to_owned(),
        )
        .json();
    };
    json_answer(
        blocking(&state, move |state| {
            Ok(lock(&state.store).history(&subject)?)
        })
        .await,
    )
}

async fn api_affected(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    json_answer(blocking(&state, move |state| affected(state, &id)).await)
}

async fn api_changes(State(state): State<Arc<AppState>>) -> Response {
    json_answer(
        blocking(&state, |state| {
            Ok(lock(&state.store).changes_since_rescan()?)
        })
        .await,
    )
}

async fn api_slo(State(state): State<Arc<AppState>>) -> Response {
    json_answer(
        blocking(&state, |state| match slo_report(state)? {
            Some(report) => Ok(report),
            None => Err(Failure::NotFound(
                "no SLOs: the server was started without --slo".to_owned(),
            )),
        })
        .await,
    )
}

/// The SLO report over the store's events, when SLOs are configured: the same
/// `vouch_slo::status::evaluate` over the same events as `vouch slo status`.
fn slo_report(state: &AppState) -> Result<Option<vouch_slo::status::Report>, Failure> {
    let Some(slos) = &state.slo else {
        return Ok(None);
    };
    let now = (state.clock)();
    let since = vouch_slo::status::window_start(slos, now);
    let events = lock(&state.store).events_in_window(since)?;
    Ok(Some(vouch_slo::status::evaluate(slos, events, now)))
}

fn slo_panel(state: &AppState, body: &mut String) -> Result<(), Failure> {
    if let Some(report) = slo_report(state)? {
        html::slo(body, &report);
    }
    Ok(())
}

/// Reads a request body up to `limit` bytes within the request timeout, holding one of the
/// [`MAX_BODIES`] permits (kept by the caller until the body is dropped).
async fn read_body(
    state: &AppState,
    body: Body,
    limit: usize,
) -> Result<(tokio::sync::OwnedSemaphorePermit, Bytes), Failure> {
    let permit = tokio::time::timeout(REQUEST_TIMEOUT, state.bodies.clone().acquire_owned())
        .await
        .map_err(|_| {
            Failure::Unavailable(format!(
                "{MAX_BODIES} ingest bodies were being read and none finished in time"
            ))
        })?
        .map_err(|_| Failure::Internal("the server is stopping".to_owned()))?;
    let bytes = match tokio::time::timeout(REQUEST_TIMEOUT, axum::body::to_bytes(body, limit)).await
    {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            let e = e.into_inner();
            if e.is::<http_body_util::LengthLimitError>() {
                Err(Failure::TooLarge(limit))
            } else {
                Err(Failure::Bad(format!(
                    "request body: could not be read ({e})"
                )))
            }
        }
        Err(_) => Err(Failure::Unavailable(format!(
            "request body: not received within {} s",
            REQUEST_TIMEOUT.as_secs()
        ))),
    }?;
    Ok((permit, bytes))
}

fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    headers
        .get(header::AUTHORIZATION)?
        .as_bytes()
        .strip_prefix(b"Bearer ")
}

async fn api_sbom(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(token) = &state.token else {
        return Failure::Disabled.json();
    };
    if !bearer(&headers).is_some_and(|given| token.matches(given)) {
        return Failure::Unauthorized.json();
    }
    let params = params(&uri);
    let one = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let name = one("name");
    let version = one("version");
    let digest = one("digest");
    let labels: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "label")
        .map(|(_, v)| v.clone())
        .collect();
    let labels = match vouch_fleet::parse_labels(&labels) {
        Ok(l) => l,
        Err(e) => return Failure::from(e).json(),
    };
    let (_permit, bytes) = match read_body(&state, body, MAX_SBOM).await {
        Ok(b) => b,
        Err(f) => return f.json(),
    };
    json_answer(
        blocking(&state, move |state| {
            let sbom = vouch_sbom::read::parse(&bytes).map_err(|e| {
                Failure::Bad(format!(
                    "the request body is not an SBOM vouch can read: {}",
                    error_chain(&e)
                ))
            })?;
            let at = (state.clock)().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            let mut ingest = vouch_fleet::Ingest::from_sbom(sbom, name, "http:POST /api/sbom", &at);
            ingest.version = version.or(ingest.version);
            ingest.digest = digest.or(ingest.digest);
            ingest.labels = labels;
            if ingest.name.trim().is_empty() {
                return Err(Failure::Bad(
                    "the SBOM names no subject: give the artifact's name as ?name=".to_owned(),
                ));
            }
            Ok(lock(&state.store).add(&ingest)?)
        })
        .await,
    )
}

async fn api_events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(token) = state.token.clone() else {
        return Failure::Disabled.json();
    };
    let (_permit, bytes) = match read_body(&state, body, MAX_EVENT).await {
        Ok(b) => b,
        Err(f) => return f.json(),
    };
    // GitLab sends the secret as X-Gitlab-Token; GitHub signs the body with it.
    let allowed = match (
        headers.get("x-gitlab-token"),
        headers.get("x-hub-signature-256"),
    ) {
        (Some(given), _) => token.matches(given.as_bytes()),
        (None, Some(signature)) => token.verifies_signature(&bytes, signature.as_bytes()),
        (None, None) => bearer(&headers).is_some_and(|given| token.matches(given)),
    };
    if !allowed {
        return Failure::Unauthorized.json();
    }
    // GitHub's first delivery to a new hook: nothing to store.
    if headers
        .get("x-github-event")
        .is_some_and(|e| e.as_bytes() == b"ping")
    {
        return json_answer(Ok(json!({"stored": 0, "ping": true})));
    }
    json_answer(
        blocking(&state, move |state| {
            // The reader `vouch fleet events add` and `vouch slo status` use.
            let events = vouch_fleet::events::parse(&bytes).map_err(|e| {
                Failure::Bad(format!(
                    "the request body is not a pipeline or job event vouch can read: {e}"
                ))
            })?;
            let stored = lock(&state.store).add_events(&events)?;
            Ok(json!({"stored": stored}))
        })
        .await,
    )
}
