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
    let shown = || Url::new(url);
    let response = client
        .get(url)
        .send()
        .map_err(|source| DownloadError::Fetch {
            url: shown(),
            source,
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(DownloadError::Status {
            url: shown(),
            status: status.as_u16(),
        });
    }
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit) {
        return Err(DownloadError::TooLarge {
            url: shown(),
            limit,
        });
    }
    let mut tee = Tee {
        inner: response.take(limit.saturating_add(1)),
        out,
        size: 0,
    };
    let digest = Digest::sha256_reader(&mut tee).map_err(|source| DownloadError::Body {
        url: shown(),
        source,
    })?;
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
    if let Some(expected) = expected.filter(|e| **e != digest) {
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
