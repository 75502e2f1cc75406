//! A tiny HTTP/1.1 server on 127.0.0.1 for the faults a real registry does not produce on
//! demand (429, 5xx, malformed bodies, a missing digest header, a bearer-token service), either
//! answering by itself or forwarding to the real `docker-registry` and changing one thing.
//! Everything else in these tests talks to the real registry directly.
//! `registry.rs` and `registry_pull.rs` share it.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::Arc;

pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The body (as much as `Content-Length` announced).
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }
}

/// Serves `handler` on 127.0.0.1:<free port> from a background thread (one connection at a
/// time, `Connection: close`); returns the port. The thread lives until the test process ends.
pub fn serve(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let handler = Arc::clone(&handler);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("").to_owned();
                let target = parts.next().unwrap_or("").to_owned();
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.push((k.trim().to_owned(), v.trim().to_owned()));
                    }
                }
                let mut request = Request {
                    method,
                    target,
                    headers,
                    body: Vec::new(),
                };
                if let Some(n) = request
                    .header("content-length")
                    .and_then(|n| n.parse::<u64>().ok())
                {
                    let mut body = Vec::new();
                    let _ = (&mut reader).take(n).read_to_end(&mut body);
                    request.body = body;
                }
                let reply = handler(&request);
                let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
                let mut has_length = false;
                for (k, v) in &reply.headers {
                    has_length |= k.eq_ignore_ascii_case("content-length");
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                if !has_length {
                    out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
                }
                out.push_str("\r\n");
                let _ = stream.write_all(out.as_bytes());
                if request.method != "HEAD" {
                    let _ = stream.write_all(&reply.body);
                }
                let _ = stream.flush();
            });
        }
    });
    port
}

/// Forwards a request to `upstream` (`http://127.0.0.1:PORT`) and returns its answer, keeping
/// the headers the distribution API uses.
pub fn forward(upstream: &str, request: &Request) -> Reply {
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
    let mut builder = client.request(method, format!("{upstream}{}", request.target));
    if let Some(accept) = request.header("accept") {
        builder = builder.header("accept", accept);
    }
    let response = builder.send().expect("forward to the real registry");
    let mut reply = Reply::new(response.status().as_u16());
    for name in [
        "content-type",
        "docker-content-digest",
        "link",
        "www-authenticate",
        "content-length",
    ] {
        if let Some(v) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            reply.headers.push((name.to_owned(), v.to_owned()));
        }
    }
    reply.body = response.bytes().map(|b| b.to_vec()).unwrap_or_default();
    reply
}
