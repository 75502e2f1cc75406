//! The one place vouch builds an HTTP client, and bounded, digest-computing downloads.
//!
//! Every HTTP client vouch uses (the OCI registry client here, `vouch db update` in the binary)
//! comes from [`client`]: user agent `vouch/<version>`, the given timeouts, proxies from the
//! standard environment variables (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`: reqwest's
//! defaults) and rustls with the platform's certificate verifier (reqwest's `rustls` feature).
//! gix builds its own transport for git forges (its reqwest-rustls backend).
//!
//! [`download`] streams a response body into any writer (a temporary file) in bounded memory:
//! at most `limit` bytes, a body shorter than its `Content-Length` is an error, and the SHA-256
//! of what was written is computed as it streams (and compared with an expected digest when the
//! caller has one).
//!
//! [`download_verified`] is the same with vouch's own redirect policy (`vouch fetch`): given a
//! client from [`client_without_redirects`], it follows at most [`MAX_REDIRECTS`] redirects
//! itself, only to the same host as the URL asked for (or a host the caller allows), never from
//! `https` to `http`, and checks an expected size as well as an expected digest.

use std::io::{Read, Write};
use std::time::Duration;

pub use reqwest::blocking::Client;
use vouch_digest::Digest;

use crate::Url;

/// `vouch/<version>`, sent with every request.
pub const USER_AGENT: &str = concat!("vouch/", env!("CARGO_PKG_VERSION"));

/// How long a connection and a whole request may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Time to connect (TCP and TLS); `None` leaves it to `total`.
    pub connect: Option<Duration>,
    /// Time for a whole request, body included.
    pub total: Duration,
}

/// Builds an HTTP client with vouch's settings (see the module docs). It follows up to 10
/// redirects; reqwest drops `Authorization` when one leaves the host.
pub fn client(timeouts: Timeouts) -> Result<Client, reqwest::Error> {
    builder(timeouts).build()
}

/// The same client, but one that follows no redirect: a 3xx answer is returned to the caller,
/// which decides where to go and what to send there (the registry client, which sends its
/// `Authorization` only to the registry itself and never to blob storage).
pub fn client_without_redirects(timeouts: Timeouts) -> Result<Client, reqwest::Error> {
    builder(timeouts)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

fn builder(timeouts: Timeouts) -> reqwest::blocking::ClientBuilder {
    let mut builder = Client::builder()
        .user_agent(USER_AGENT)
        .timeout(timeouts.total);
    if let Some(connect) = timeouts.connect {
        builder = builder.connect_timeout(connect);
    }
    builder
}

/// Why a download failed. `url` prints without credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    #[error("cannot fetch {url}")]
    Fetch {
        url: Url,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} answered {status}")]
    Status { url: Url, status: u16 },
    #[error("{url} is larger than {limit} bytes")]
    TooLarge { url: Url, limit: u64 },
    #[error("reading the body of {url}")]
    Body {
        url: Url,
        #[source]
        source: std::io::Error,
    },
    #[error("{url} sent {received} bytes, but announced {announced} (Content-Length)")]
    Truncated {
        url: Url,
        received: u64,
        announced: u64,
    },
    #[error("{url} has digest {actual}, expected {expected}")]
    DigestMismatch {
        url: Url,
        expected: Digest,
        actual: Digest,
    },
    #[error(
        "{url} is {}{found} bytes, expected {expected}",
        if *.at_least { "at least " } else { "" }
    )]
    SizeMismatch {
        url: Url,
        expected: u64,
        found: u64,
        /// The body was cut off after `found` bytes (it is longer than `expected`).
        at_least: bool,
    },
    #[error("{url} is not an http or https URL: {reason}")]
    InvalidUrl { url: Url, reason: String },
    #[error("{url} redirects to {location}, which is not a valid URL")]
    InvalidRedirect { url: Url, location: Url },
    #[error("{url} redirects from host {from} to host {to}; redirects to another host are refused")]
    RedirectHost { url: Url, from: String, to: String },
    #[error("{url} redirects from https to http ({to}); a downgrade is refused")]
    RedirectDowngrade { url: Url, to: Url },
    #[error("{url} redirects more than {max} times")]
    TooManyRedirects { url: Url, max: usize },
}

/// What a download wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// Bytes written.
    pub size: u64,
    /// SHA-256 of the bytes written.
    pub digest: Digest,
}

/// GETs `url` with `client` and streams the body into `out`: at most `limit` bytes (an announced
/// or actual larger body is [`DownloadError::TooLarge`]), a body shorter than its
/// `Content-Length` is [`DownloadError::Truncated`], and when `expected` is given, a body with
/// another SHA-256 is [`DownloadError::DigestMismatch`]. `out` may hold a partial body after an
/// error: write into a temporary file.
pub fn download(
    client: &Client,
    url: &str,
    limit: u64,
    expected: Option<&Digest>,
    out: &mut dyn Write,
) -> Result<Downloaded, DownloadError> {
    let response = send(client, url)?;
    let expect = Expect {
        sha256: expected.cloned(),
        size: None,
    };
    stream(response, url, limit, &expect, out)
}

/// Most redirects [`download_verified`] follows.
pub const MAX_REDIRECTS: usize = 10;

/// What a download must turn out to be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// SHA-256 of the body.
    pub sha256: Option<Digest>,
    /// Size of the body in bytes (checked against `Content-Length` before the body is read).
    pub size: Option<u64>,
}

/// Which redirects [`download_verified`] follows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redirects {
    /// Hosts (names or addresses, compared case-insensitively, ports ignored) a redirect may go
    /// to besides the host of the URL asked for.
    pub allowed_hosts: Vec<String>,
    /// Follow redirects to any host (`vouch pin` recording what a build's `curl -L` or
    /// BuildKit would get); https → http is still refused.
    pub any_host: bool,
}

/// Like [`download`], with vouch's redirect policy (module docs) and an expected size. `client`
/// must follow no redirects itself ([`client_without_redirects`]): a 3xx answer is checked here
/// ([`DownloadError::RedirectHost`], [`DownloadError::RedirectDowngrade`],
/// [`DownloadError::TooManyRedirects`]) before it is followed. Errors name the URL asked for.
pub fn download_verified(
    client: &Client,
    url: &str,
    limit: u64,
    expect: &Expect,
    redirects: &Redirects,
    out: &mut dyn Write,
) -> Result<Downloaded, DownloadError> {
    let shown = || Url::new(url);
    let start = parse_http(url).map_err(|reason| DownloadError::InvalidUrl {
        url: shown(),
        reason,
    })?;
    let origin = host_of(&start);
    let mut current = start;
    let mut hops = 0;
    let response = loop {
        let response = send(client, current.as_str()).map_err(|e| rename(e, url))?;
        if !response.status().is_redirection() {
            break response;
        }
        let Some(location) = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        else {
            // A 3xx without a usable Location is an answer, not a redirect.
            break response;
        };
        let next = check_redirect(url, &current, location, &origin, redirects)?;
        hops += 1;
        if hops > MAX_REDIRECTS {
            return Err(DownloadError::TooManyRedirects {
                url: shown(),
                max: MAX_REDIRECTS,
            });
        }
        current = next;
    };
    stream(response, url, limit, expect, out)
}

/// Where a redirect from `current` to `location` goes, when the policy allows it: `http(s)`
/// with a host, not from https to http, to the host of the URL asked for (`origin`) or an
/// allowed one. Errors name the URL asked for (`url`).
fn check_redirect(
    url: &str,
    current: &reqwest::Url,
    location: &str,
    origin: &str,
    redirects: &Redirects,
) -> Result<reqwest::Url, DownloadError> {
    let invalid = || DownloadError::InvalidRedirect {
        url: Url::new(url),
        location: Url::new(location),
    };
    let next = current.join(location).map_err(|_| invalid())?;
    if !matches!(next.scheme(), "http" | "https") || next.host_str().is_none() {
        return Err(invalid());
    }
    if current.scheme() == "https" && next.scheme() == "http" {
        return Err(DownloadError::RedirectDowngrade {
            url: Url::new(url),
            to: Url::new(next.as_str()),
        });
    }
    let to = host_of(&next);
    let allowed = to == origin
        || redirects.any_host
        || redirects
            .allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&to));
    if !allowed {
        return Err(DownloadError::RedirectHost {
            url: Url::new(url),
            from: host_of(current),
            to,
        });
    }
    Ok(next)
}

/// `url` parsed, when it is an `http` or `https` URL with a host.
fn parse_http(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("the scheme is `{}`", parsed.scheme()));
    }
    if parsed.host_str().is_none() {
        return Err("it has no host".to_owned());
    }
    Ok(parsed)
}

/// The host of a URL, lower case, without the port (IPv6 addresses in brackets).
fn host_of(url: &reqwest::Url) -> String {
    url.host_str().unwrap_or_default().to_ascii_lowercase()
}

/// An error about an intermediate URL, named by the URL asked for.
fn rename(err: DownloadError, url: &str) -> DownloadError {
    match err {
        DownloadError::Fetch { source, .. } => DownloadError::Fetch {
            url: Url::new(url),
            source: source.without_url(),
        },
        DownloadError::Status { status, .. } => DownloadError::Status {
            url: Url::new(url),
            status,
        },
        other => other,
    }
}

fn send(client: &Client, url: &str) -> Result<reqwest::blocking::Response, DownloadError> {
    client
        .get(url)
        .send()
        .map_err(|source| DownloadError::Fetch {
            url: Url::new(url),
            source: source.without_url(),
        })
}

/// Streams a successful response's body into `out` under `limit` and `expect`.
fn stream(
    response: reqwest::blocking::Response,
    url: &str,
    limit: u64,
    expect: &Expect,
    out: &mut dyn Write,
) -> Result<Downloaded, DownloadError> {
    let shown = || Url::new(url);
    let status = response.status();
    if !status.is_success() {
        return Err(DownloadError::Status {
            url: shown(),
            status: status.as_u16(),
        });
    }
    let announced = response.content_length();
    if let (Some(expected), Some(found)) = (expect.size, announced)
        && expected != found
        && found <= limit
    {
        return Err(DownloadError::SizeMismatch {
            url: shown(),
            expected,
            found,
            at_least: false,
        });
    }
    if announced.is_some_and(|n| n > limit) {
        return Err(DownloadError::TooLarge {
            url: shown(),
            limit,
        });
    }
    // Read one byte past what may arrive, to tell "exactly at the cap" from "over it".
    let cap = expect.size.map_or(limit, |s| s.min(limit));
    let mut tee = Tee {
        inner: response.take(cap.saturating_add(1)),
        out,
        size: 0,
    };
    let digest = match Digest::sha256_reader(&mut tee) {
        Ok(digest) => digest,
        Err(source) => {
            let received = tee.size;
            return Err(match announced {
                // The connection closed before the announced length arrived.
                Some(announced) if received < announced => DownloadError::Truncated {
                    url: shown(),
                    received,
                    announced,
                },
                _ => DownloadError::Body {
                    url: shown(),
                    source,
                },
            });
        }
    };
    let size = tee.size;
    if size > limit {
        return Err(DownloadError::TooLarge {
            url: shown(),
            limit,
        });
    }
    if let Some(announced) = announced.filter(|n| *n != size) {
        return Err(DownloadError::Truncated {
            url: shown(),
            received: size,
            announced,
        });
    }
    if let Some(expected) = expect.size.filter(|e| *e != size) {
        return Err(DownloadError::SizeMismatch {
            url: shown(),
            expected,
            found: size,
            at_least: size > expected,
        });
    }
    if let Some(expected) = expect.sha256.as_ref().filter(|e| **e != digest) {
        return Err(DownloadError::DigestMismatch {
            url: shown(),
            expected: expected.clone(),
            actual: digest,
        });
    }
    Ok(Downloaded { size, digest })
}

/// A reader that writes what it reads to `out` and counts it.
struct Tee<'a, R> {
    inner: R,
    out: &'a mut dyn Write,
    size: u64,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = buf.get(..n).unwrap_or_default();
        self.out.write_all(chunk)?;
        self.size += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(from: &str, location: &str, allowed: &[&str]) -> Result<String, DownloadError> {
        let current = reqwest::Url::parse(from).unwrap();
        let origin = host_of(&current);
        let redirects = Redirects {
            allowed_hosts: allowed.iter().map(|h| (*h).to_owned()).collect(),
            any_host: false,
        };
        check_redirect(from, &current, location, &origin, &redirects).map(|u| u.to_string())
    }

    #[test]
    fn https_to_http_is_refused_even_to_the_same_or_an_allowed_host() {
        for allowed in [&[][..], &["example.com"][..]] {
            let err = check(
                "https://example.com/a.tgz",
                "http://example.com/b.tgz",
                allowed,
            )
            .unwrap_err();
            assert!(
                matches!(&err, DownloadError::RedirectDowngrade { to, .. } if to.expose() == "http://example.com/b.tgz"),
                "{err:?}"
            );
            assert_eq!(
                err.to_string(),
                "https://example.com/a.tgz redirects from https to http (http://example.com/b.tgz); a downgrade is refused"
            );
        }
        // http to https is an upgrade, and fine.
        assert_eq!(
            check("http://example.com/a", "https://example.com/b", &[]).unwrap(),
            "https://example.com/b"
        );
    }

    #[test]
    fn other_hosts_only_when_allowed_and_relative_locations_resolve() {
        let err = check("https://example.com/a", "https://cdn.example.net/a", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "https://example.com/a redirects from host example.com to host cdn.example.net; redirects to another host are refused"
        );
        assert_eq!(
            check(
                "https://example.com/a",
                "https://CDN.example.net/a",
                &["cdn.example.net"]
            )
            .unwrap(),
            "https://cdn.example.net/a"
        );
        assert_eq!(
            check("https://example.com/x/a", "../b?c=1", &[]).unwrap(),
            "https://example.com/b?c=1"
        );
        // Another port on the same host is the same host.
        assert!(check("https://example.com/a", "https://example.com:8443/a", &[]).is_ok());
        assert!(matches!(
            check("https://example.com/a", "file:///etc/passwd", &[]),
            Err(DownloadError::InvalidRedirect { .. })
        ));
    }
}
