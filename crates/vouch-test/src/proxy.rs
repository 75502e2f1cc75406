//! A loopback HTTP/1.1 proxy in front of a real registry that answers chosen requests with a
//! fault: 429 with `Retry-After`, 401, 403, 500, or the registry's own answer cut short of its
//! `Content-Length`. Every other request is forwarded unchanged (the `Host` header too, so a
//! registry's absolute `Location` URLs point back at the proxy) and the answer relayed.
//!
//! Real registries do not throttle or cut connections on demand; this stands in only for
//! that, and everything else is the real registry's answer.
//!
//! ```no_run
//! use vouch_test::proxy::{Fault, FaultProxy};
//! use vouch_test::registry::Registry;
//!
//! let registry = Registry::start();
//! let proxy = FaultProxy::start(&registry.host());
//! // The next two requests are throttled, then requests pass again.
//! proxy.fail_next(Fault::Throttled { retry_after: "7".into() }, 2);
//! // The next upload request (path contains `/blobs/uploads/`) is cut short.
//! proxy.fail_matching(Fault::Truncated, "/blobs/uploads/", 1);
//! let image = format!("{}/team/app:1.0", proxy.host()); // what the client under test is given
//! # let _ = image;
//! ```
//!
//! One thread per connection, one request per connection (`Connection: close`); std only.
//! The proxy stops when dropped. When the registry is stopped, forwarded requests get
//! `502 Bad Gateway` (stop the proxy too to test a registry that is down:
//! [`FaultProxy::stop`]).

use std::io::{BufRead, BufReader, Read, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What the proxy answers instead of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `429 Too Many Requests` with `Retry-After: <retry_after>` (seconds or an HTTP date, sent
    /// as given).
    Throttled { retry_after: String },
    /// `401 Unauthorized` with `WWW-Authenticate: Basic realm="vouch-test-proxy"`.
    Unauthorized,
    /// `403 Forbidden` with a distribution error body (`DENIED`).
    Forbidden,
    /// `500 Internal Server Error`.
    ServerError,
    /// The request is forwarded; the registry's status and headers are relayed with
    /// `Content-Length` announcing its whole body, but only the first half of the body is sent
    /// (for an empty body: 1 byte announced, none sent), then the connection is closed. A
    /// `HEAD` answer has no body and is relayed whole.
    Truncated,
}

struct Rule {
    fault: Fault,
    /// Only requests whose path and query contain this; every request when `None`.
    path_contains: Option<String>,
    remaining: usize,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    seen: Vec<String>,
}

/// A running proxy on `127.0.0.1:<free port>` forwarding to one registry.
pub struct FaultProxy {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// Starts a proxy forwarding to `upstream` (`HOST:PORT`, as [`crate::registry::Registry::host`]).
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("proxy address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let upstream = upstream.to_owned();
        let (thread_state, thread_stop) = (Arc::clone(&state), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&thread_state);
                let upstream = upstream.clone();
                std::thread::spawn(move || handle(stream, &upstream, &state));
            }
        });
        FaultProxy { port, state, stop }
    }

    /// `127.0.0.1:PORT`: the registry part of image references through the proxy (and the
    /// value for `--insecure-registry`).
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.host())
    }

    /// Answers the next `n` requests (any path) with `fault`.
    pub fn fail_next(&self, fault: Fault, n: usize) {
        self.add(fault, None, n);
    }

    /// Answers the next `n` requests whose path and query contain `path_contains` (for example
    /// `/referrers/`, `/blobs/uploads/`, `/manifests/1.0`) with `fault`; others pass.
    pub fn fail_matching(&self, fault: Fault, path_contains: &str, n: usize) {
        self.add(fault, Some(path_contains.to_owned()), n);
    }

    fn add(&self, fault: Fault, path_contains: Option<String>, n: usize) {
        lock(&self.state).rules.push(Rule {
            fault,
            path_contains,
            remaining: n,
        });
    }

    /// Forgets the faults still pending.
    pub fn clear(&self) {
        lock(&self.state).rules.clear();
    }

    /// `METHOD PATH` of every request received so far, in order (faulted ones included).
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state).seen.clone()
    }

    /// Stops accepting connections: later requests find nothing listening (connection refused).
    pub fn stop(&self) {
        if !self.stop.swap(true, Ordering::SeqCst) {
            // Wake the accept loop so it sees the flag and drops the listener.
            let _ = TcpStream::connect(("127.0.0.1", self.port));
            // Wait until the port refuses connections.
            for _ in 0..100 {
                if TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop();
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A request as read from the client.
struct Request {
    method: String,
    target: String,
    /// The request head as received (request line and headers), re-sent upstream.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn handle(stream: TcpStream, upstream: &str, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(reader) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reader);
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    let fault = {
        let mut state = lock(state);
        state
            .seen
            .push(format!("{} {}", request.method, request.target));
        let target = request.target.clone();
        state
            .rules
            .iter_mut()
            .find(|r| {
                r.remaining > 0
                    && r.path_contains
                        .as_deref()
                        .is_none_or(|p| target.contains(p))
            })
            .map(|r| {
                r.remaining -= 1;
                r.fault.clone()
            })
    };
    let mut stream = stream;
    let reply = match fault {
        Some(Fault::Throttled { retry_after }) => Reply::own(
            429,
            vec![("Retry-After".to_owned(), retry_after)],
            br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"too many requests"}]}"#,
        ),
        Some(Fault::Unauthorized) => Reply::own(
            401,
            vec![(
                "WWW-Authenticate".to_owned(),
                r#"Basic realm="vouch-test-proxy""#.to_owned(),
            )],
            br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
        ),
        Some(Fault::Forbidden) => Reply::own(
            403,
            Vec::new(),
            br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
        ),
        Some(Fault::ServerError) => Reply::own(500, Vec::new(), b"internal server error"),
        Some(Fault::Truncated) => match forward(upstream, &request) {
            Some(mut reply) => {
                if request.method != "HEAD" {
                    reply.truncate = true;
                }
                reply
            }
            None => Reply::own(502, Vec::new(), b"bad gateway"),
        },
        None => forward(upstream, &request)
            .unwrap_or_else(|| Reply::own(502, Vec::new(), b"bad gateway")),
    };
    write_reply(&mut stream, &request, &reply);
    let _ = stream.shutdown(Shutdown::Both);
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let headers = read_headers(reader)?;
    let length = header(&headers, "content-length")
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    let mut body = Vec::new();
    reader.take(length).read_to_end(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn read_headers(reader: &mut impl BufRead) -> Option<Vec<(String, String)>> {
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
            return Some(headers);
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

struct Reply {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    truncate: bool,
}

impl Reply {
    fn own(status: u16, headers: Vec<(String, String)>, body: &[u8]) -> Reply {
        let mut headers = headers;
        if !body.is_empty() {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        Reply {
            status,
            reason: "Fault".to_owned(),
            headers,
            body: body.to_vec(),
            truncate: false,
        }
    }
}

/// Sends the request to the registry (`Connection: close`) and reads its whole answer; `None`
/// when the registry cannot be reached or answers garbage.
fn forward(upstream: &str, request: &Request) -> Option<Reply> {
    let mut conn = TcpStream::connect(upstream).ok()?;
    let _ = conn.set_read_timeout(Some(Duration::from_secs(60)));
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.target);
    for (k, v) in &request.headers {
        if [
            "connection",
            "keep-alive",
            "content-length",
            "transfer-encoding",
        ]
        .iter()
        .any(|h| k.eq_ignore_ascii_case(h))
        {
            continue;
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !request.body.is_empty() || matches!(request.method.as_str(), "POST" | "PUT" | "PATCH") {
        head.push_str(&format!("Content-Length: {}\r\n", request.body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    conn.write_all(head.as_bytes()).ok()?;
    conn.write_all(&request.body).ok()?;
    conn.flush().ok()?;
    let mut reader = BufReader::new(conn);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).ok()?;
    let mut parts = status_line.trim_end().splitn(3, ' ');
    let _version = parts.next()?;
    let status: u16 = parts.next()?.parse().ok()?;
    let reason = parts.next().unwrap_or("").to_owned();
    let headers = read_headers(&mut reader)?;
    let body = if request.method == "HEAD" || status == 204 || status == 304 {
        Vec::new()
    } else if header(&headers, "transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        read_chunked(&mut reader)?
    } else if let Some(n) = header(&headers, "content-length").and_then(|n| n.parse().ok()) {
        let mut body = Vec::new();
        (&mut reader).take(n).read_to_end(&mut body).ok()?;
        body
    } else {
        let mut body = Vec::new();
        reader.read_to_end(&mut body).ok()?;
        body
    };
    let headers = if request.method == "HEAD" {
        // Keep the Content-Length the registry announced for what a GET would send.
        headers.into_iter().filter(|(k, _)| !is_hop(k)).collect()
    } else {
        headers
            .into_iter()
            .filter(|(k, _)| !is_hop(k) && !k.eq_ignore_ascii_case("content-length"))
            .collect()
    };
    Some(Reply {
        status,
        reason,
        headers,
        body,
        truncate: false,
    })
}

fn is_hop(name: &str) -> bool {
    ["connection", "keep-alive", "transfer-encoding"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}

fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).ok()?;
        let size = usize::from_str_radix(size.trim().split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            // Trailers, then the blank line.
            read_headers(reader)?;
            return Some(body);
        }
        let mut chunk = vec![0; size];
        reader.read_exact(&mut chunk).ok()?;
        body.extend_from_slice(&chunk);
        let mut crlf = [0; 2];
        reader.read_exact(&mut crlf).ok()?;
    }
}

fn write_reply(stream: &mut TcpStream, request: &Request, reply: &Reply) {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reply.reason);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let (announced, sent) = if reply.truncate {
        (reply.body.len().max(1), reply.body.len() / 2)
    } else {
        (reply.body.len(), reply.body.len())
    };
    if request.method != "HEAD" {
        head.push_str(&format!("Content-Length: {announced}\r\n"));
    } else if header(&reply.headers, "content-length").is_none() {
        head.push_str("Content-Length: 0\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    let _ = stream.write_all(head.as_bytes());
    if request.method != "HEAD" {
        let _ = stream.write_all(&reply.body[..sent]);
    }
    let _ = stream.flush();
}
