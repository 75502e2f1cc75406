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
    /// The stable diagnostic code; `docs/rules/<code>.md` explains it.
    pub fn code(&self) -> &'static str {
        match self {
            ResolveError::InvalidImage { .. } => "image-name-invalid",
            ResolveError::NotFound { .. } => "registry-not-found",
            ResolveError::Unauthorized { .. } => "registry-unauthorized",
            ResolveError::Throttled { .. } => "registry-throttled",
            ResolveError::Server { .. } => "registry-server-error",
            ResolveError::UnexpectedStatus { .. } => "registry-unexpected-status",
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
