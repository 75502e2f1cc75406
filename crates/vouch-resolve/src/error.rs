//! What can go wrong while resolving, one variant per fault a caller must tell apart.

use std::error::Error as StdError;

pub use vouch_url::Url;

type Source = Box<dyn StdError + Send + Sync + 'static>;

/// A failure to resolve a reference. Each variant has a stable [`code`](ResolveError::code)
/// documented at `docs/rules/<code>.md`. Every URL field is a [`Url`], which prints without
/// credentials (`https://***@host/…`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The image name does not follow the distribution reference grammar.
    #[error("invalid image name `{name}`: {reason}")]
    InvalidImage { name: String, reason: String },
    /// The registry answered 404: the repository, tag, manifest or blob does not exist.
    #[error("{subject} not found: registry {registry} answered 404 Not Found")]
    NotFound { registry: String, subject: String },
    /// The registry answered 401 or 403 (also after a bearer token was obtained).
    #[error("{subject}: registry {registry} answered {status} ({reason})")]
    Unauthorized {
        registry: String,
        subject: String,
        status: u16,
        reason: String,
    },
    /// The registry answered 429 Too Many Requests.
    #[error("{subject}: registry {registry} answered 429 Too Many Requests{}", retry_after.as_deref().map(|r| format!(" (Retry-After: {r})")).unwrap_or_default())]
    Throttled {
        registry: String,
        subject: String,
        /// The `Retry-After` header as sent (seconds or an HTTP date), if any.
        retry_after: Option<String>,
    },
    /// The registry answered with a 5xx status.
    #[error("{subject}: registry {registry} answered {status} (server error)")]
    Server {
        registry: String,
        subject: String,
        status: u16,
    },
    /// The registry answered with a status vouch does not expect (for example 400 or 3xx).
    #[error("{subject}: registry {registry} answered unexpected status {status}")]
    UnexpectedStatus {
        registry: String,
        subject: String,
        status: u16,
    },
    /// The registry refused a write with a 4xx other than 401, 403, 404 and 429 (400
    /// `MANIFEST_BLOB_UNKNOWN`, `MANIFEST_INVALID`, `DIGEST_INVALID`; 405 on a read-only
    /// registry; 413). `errors` lists the distribution error codes and messages it sent
    /// (`CODE: message; …`, control characters removed, each message at most 200 characters),
    /// or `no error body`.
    #[error("{subject}: registry {registry} refused it with {status} ({errors})")]
    Rejected {
        registry: String,
        subject: String,
        status: u16,
        errors: String,
    },
    /// The body ended before the length the registry announced (`Content-Length`): the
    /// connection was cut or the registry lied about the size.
    #[error(
        "{subject}: registry {registry} sent {received} bytes, but announced {announced} (Content-Length)"
    )]
    Truncated {
        registry: String,
        subject: String,
        received: u64,
        announced: u64,
    },
    /// The body is larger than vouch reads for this kind of content (announced or sent).
    #[error("{subject}: registry {registry} sent more than {limit} bytes, the limit for {what}")]
    TooLarge {
        registry: String,
        subject: String,
        /// What the limit is for: `a manifest`, `an image config`, `a blob`, …
        what: &'static str,
        limit: u64,
    },
    /// What vouch was asked to push is larger than registries accept for it (a manifest over
    /// 4 MiB); nothing was sent.
    #[error("{subject}: {size} bytes, more than the {limit} registries accept for {what}")]
    PushTooLarge {
        registry: String,
        subject: String,
        what: &'static str,
        size: u64,
        limit: u64,
    },
    /// The registry (or its token service) could not be reached: DNS, connect, TLS, timeout.
    #[error("cannot reach {url}")]
    Network {
        url: Url,
        #[source]
        source: Source,
    },
    /// The registry answered, but the body or headers are not what the distribution API says.
    #[error("{subject}: malformed response from registry {registry}: {reason}")]
    Malformed {
        registry: String,
        subject: String,
        reason: String,
    },
    /// The content the registry served does not hash to the digest it claimed or was asked for.
    #[error(
        "{subject}: registry {registry} served content with digest {actual}, expected {expected}"
    )]
    DigestMismatch {
        registry: String,
        subject: String,
        expected: String,
        actual: String,
    },
    /// A git URL vouch cannot use (unsupported scheme, unparsable).
    #[error("invalid git URL `{url}`: {reason}")]
    InvalidGitUrl { url: Url, reason: String },
    /// The git remote could not be reached or refused the connection (missing repository,
    /// network failure, protocol handshake failure).
    #[error("cannot read git repository {url}")]
    GitUnreachable {
        url: Url,
        #[source]
        source: Source,
    },
    /// The commit is not in the repository (after fetching every branch and tag).
    #[error("commit {commit} not found in git repository {url}")]
    GitCommitNotFound { url: Url, commit: String },
    /// Any other git failure (local temporary repository, object decoding).
    #[error("git operation `{operation}` failed for {url}")]
    Git {
        url: Url,
        operation: &'static str,
        #[source]
        source: Source,
    },
}

impl From<vouch_oci::reference::ParseError> for ResolveError {
    fn from(e: vouch_oci::reference::ParseError) -> Self {
        ResolveError::InvalidImage {
            name: e.input,
            reason: e.reason.to_string(),
        }
    }
}

impl ResolveError {
    /// The [`ResolveError`] inside an I/O error from a [`Blob`](crate::Blob) read (truncated,
    /// too large, network), if there is one.
    pub fn in_io(error: &std::io::Error) -> Option<&ResolveError> {
        error.get_ref()?.downcast_ref::<ResolveError>()
    }

    /// Unwraps the [`ResolveError`] inside an I/O error from a blob read, or wraps the I/O
    /// error as a network fault on `url`.
    pub(crate) fn from_io(error: std::io::Error, url: &str) -> ResolveError {
        let kind = error.kind();
        let source: Source = match error.into_inner() {
            Some(inner) => match inner.downcast::<ResolveError>() {
                Ok(e) => return *e,
                Err(other) => other,
            },
            None => Box::new(std::io::Error::from(kind)),
        };
        ResolveError::Network {
            url: Url::new(url),
            source,
        }
    }

    /// The stable diagnostic code; `docs/rules/<code>.md` explains it.
    pub fn code(&self) -> &'static str {
        match self {
            ResolveError::InvalidImage { .. } => "image-name-invalid",
            ResolveError::NotFound { .. } => "registry-not-found",
            ResolveError::Unauthorized { .. } => "registry-unauthorized",
            ResolveError::Throttled { .. } => "registry-throttled",
            ResolveError::Server { .. } => "registry-server-error",
            ResolveError::UnexpectedStatus { .. } => "registry-unexpected-status",
            ResolveError::Rejected { .. } => "registry-rejected",
            ResolveError::Truncated { .. } => "registry-truncated",
            ResolveError::TooLarge { .. } => "registry-too-large",
            ResolveError::PushTooLarge { .. } => "registry-push-too-large",
            ResolveError::Network { .. } => "registry-network-error",
            ResolveError::Malformed { .. } => "registry-malformed-response",
            ResolveError::DigestMismatch { .. } => "registry-digest-mismatch",
            ResolveError::InvalidGitUrl { .. } => "git-url-invalid",
            ResolveError::GitUnreachable { .. } => "git-unreachable",
            ResolveError::GitCommitNotFound { .. } => "git-commit-not-found",
            ResolveError::Git { .. } => "git-error",
        }
    }
}
