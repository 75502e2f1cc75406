//! Network resolution for pinning: the only vouch crate (besides `vouch db update`) that talks
//! to the network.
//!
//! - **OCI registries** through the distribution API ([`Resolver::image_digest`],
//!   [`Resolver::image_tags`], [`Resolver::image_created`]): anonymous access and bearer tokens
//!   obtained from the `WWW-Authenticate` challenge, Docker Hub's defaults, HEAD with a GET
//!   fallback, digests verified, response sizes bounded. HTTPS unless the registry is listed in
//!   [`Options::insecure_registries`].
//! - **git forges** through gix ([`Resolver::git_refs`], [`Resolver::git_file`],
//!   [`Resolver::git_commit_time`]): refs over the smart protocol (`git://`, `http(s)://`) and
//!   `file://`, annotated tags peeled; files and commit times read from a temporary bare
//!   repository fetched once per URL per [`Resolver`].
//!
//! - **Image content** for readers of registry images ([`Resolver::fetch_manifest`],
//!   [`Resolver::open_blob`]), with [`Credentials`] from Docker config files given by the
//!   caller ([`Resolver::with_credentials`]).
//!
//! Every failure is a [`ResolveError`] with a stable [`code`](ResolveError::code) so callers
//! can tell "not found" from "throttled" from "unreachable". See `docs/resolution.md`.
//!
//! ```
//! use vouch_oci::reference::Name;
//! use vouch_resolve::{Options, Resolver};
//!
//! let python = Name::parse("python").unwrap();
//! assert_eq!(python.registry, "docker.io");
//! assert_eq!(python.repository, "library/python");
//!
//! let resolver = Resolver::new(Options::default()).unwrap();
//! assert_eq!(
//!     resolver.github_repo_url("actions/checkout"),
//!     "https://github.com/actions/checkout"
//! );
//! ```

pub mod attached;
pub mod credentials;
mod error;
pub mod fetch;
mod git;
pub mod http;
mod registry;

use std::fmt;

use vouch_digest::Digest;
use vouch_oci::reference::Name;

pub use credentials::{Credentials, CredentialsError};
pub use error::{ResolveError, Url};
pub use registry::{Blob, Manifest, Notice, Referrers};

/// Where and how to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Registries (`HOST:PORT`, as written in image references) reached over plain HTTP.
    pub insecure_registries: Vec<String>,
    /// Base URL of GitHub (or GitHub Enterprise, or a test forge): the git URL of `owner/repo`
    /// is `{github_url}/{owner}/{repo}`. `https://`, `http://`, `git://` and `file://` work.
    pub github_url: String,
    /// Base URL of GitLab: the git URL of `group/project` is `{gitlab_url}/{group/project}`.
    pub gitlab_url: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            insecure_registries: Vec::new(),
            github_url: "https://github.com".to_owned(),
            gitlab_url: "https://gitlab.com".to_owned(),
        }
    }
}

/// A branch or tag of a git repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GitRef {
    /// The full ref name: `refs/tags/v4.1.1`, `refs/heads/main`.
    pub name: String,
    /// The commit it points at, 40 lowercase hex digits (annotated tags peeled).
    pub commit: String,
}

/// Resolves image tags and git refs. Holds the HTTP client, bearer tokens and the temporary git
/// repositories, so reuse one per run: each git URL is fetched at most once.
pub struct Resolver {
    options: Options,
    registry: registry::Client,
    git: git::Cache,
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Resolver {
    /// A resolver with its own HTTP client (rustls) and an empty git cache.
    pub fn new(options: Options) -> Result<Self, ResolveError> {
        let registry = registry::Client::new(&options.insecure_registries)?;
        Ok(Resolver {
            options,
            registry,
            git: git::Cache::default(),
        })
    }

    /// The same resolver, sending `credentials` (from Docker config files) to the registries
    /// they are for and to the token realms those registries name (see [`credentials`]).
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.registry.credentials = credentials;
        self
    }

    /// What the resolver wants the user told (once each), gathered since the last call: a
    /// registry whose credentials only a credential helper holds.
    pub fn take_notices(&self) -> Vec<Notice> {
        self.registry.take_notices()
    }

    /// The options this resolver was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Digest of the manifest or index the tag points at (for multi-arch images: the index
    /// digest). HEAD, GET fallback.
    pub fn image_digest(&self, image: &Name, tag: &str) -> Result<Digest, ResolveError> {
        self.registry.digest(image, tag)
    }

    /// Every tag of the repository, in the registry's order, following `Link` pagination.
    pub fn image_tags(&self, image: &Name) -> Result<Vec<String>, ResolveError> {
        self.registry.tags(image)
    }

    /// The image config's `created` time (for an index: its first platform manifest's config);
    /// `None` when absent.
    pub fn image_created(
        &self,
        image: &Name,
        digest: &str,
    ) -> Result<Option<jiff::Timestamp>, ResolveError> {
        self.registry.created(image, digest)
    }

    /// GETs a manifest or index by tag or digest (`reference`: `1.0` or `sha256:…`). At most
    /// 4 MiB; `Accept` lists the OCI manifest and index and the Docker v2 manifest and manifest
    /// list types. Asked by digest, the bytes must hash to it; a `Docker-Content-Digest` header
    /// must match them too. Returns the bytes, their media type and their digest.
    pub fn fetch_manifest(&self, image: &Name, reference: &str) -> Result<Manifest, ResolveError> {
        self.registry
            .manifest(image, reference, registry::MAX_MANIFEST)
    }

    /// [`Resolver::fetch_manifest`] with the caller's size limit instead of 4 MiB.
    pub fn fetch_manifest_limited(
        &self,
        image: &Name,
        reference: &str,
        limit: u64,
    ) -> Result<Manifest, ResolveError> {
        self.registry.manifest(image, reference, limit)
    }

    /// One repository of a registry as the image reader's source of manifests and blobs
    /// ([`vouch_oci::image::Registry`]), through this resolver (its credentials, tokens and
    /// `--insecure-registry` list).
    pub fn repository(&self, image: Name) -> Repository<'_> {
        Repository {
            resolver: Held::Borrowed(self),
            image,
        }
    }

    /// [`Resolver::repository`] that owns the resolver, for a `Box<dyn Registry>`.
    pub fn into_repository(self, image: Name) -> Repository<'static> {
        Repository {
            resolver: Held::Owned(Box::new(self)),
            image,
        }
    }

    /// GETs a blob as a stream, without a size limit (see [`Resolver::open_blob_limited`]).
    /// The caller verifies the digest while it reads. Redirects to blob storage are followed
    /// without the registry's `Authorization`. A body that ends before its `Content-Length` is
    /// an error from `read`, never a short end of file.
    pub fn open_blob(&self, image: &Name, digest: &Digest) -> Result<Blob, ResolveError> {
        self.registry.blob(image, digest, u64::MAX)
    }

    /// [`Resolver::open_blob`] that refuses more than `limit` bytes (announced: before reading;
    /// sent: when the read passes it) with [`ResolveError::TooLarge`].
    pub fn open_blob_limited(
        &self,
        image: &Name,
        digest: &Digest,
        limit: u64,
    ) -> Result<Blob, ResolveError> {
        self.registry.blob(image, digest, limit)
    }

    /// Uploads a blob to `image`'s repository and returns its SHA-256 digest. A `HEAD` first:
    /// nothing is uploaded when the registry already has the blob. Otherwise a monolithic
    /// upload: `POST /v2/<name>/blobs/uploads/` (202 and a `Location`), then `PUT <location>`
    /// with `digest=…` added to its query. Asks for `repository:<name>:pull,push`. A
    /// `Docker-Content-Digest` the registry sends must be the blob's digest.
    pub fn push_blob(&self, image: &Name, bytes: &[u8]) -> Result<Digest, ResolveError> {
        self.registry.push_blob(image, bytes)
    }

    /// `PUT /v2/<name>/manifests/<reference>` (a tag, or the digest of `bytes`) with
    /// `Content-Type: media_type`. Returns the digest of `bytes` (SHA-256; a digest reference's
    /// own algorithm), checked against `Docker-Content-Digest` when the registry sends one. A
    /// tag that exists is moved to the new manifest. At most 4 MiB, as the registries accept.
    pub fn push_manifest(
        &self,
        image: &Name,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, ResolveError> {
        self.registry
            .push_manifest(image, reference, media_type, bytes)
    }

    /// `GET /v2/<name>/referrers/<subject>` (`Accept: application/vnd.oci.image.index.v1+json`).
    /// [`Referrers::Index`] when the registry implements the API (at most 4 MiB a page, `Link`
    /// pages followed and merged, 100 pages and 16 MiB in all); [`Referrers::Unsupported`] when
    /// it does not: 404 (unless the error body is `NAME_UNKNOWN`: the repository does not exist,
    /// [`ResolveError::NotFound`]), 405, 400 with the error code `UNSUPPORTED`, or a 200 whose
    /// `Content-Type` is not an image index. Every other failure is a [`ResolveError`]. See
    /// `docs/images.md`, "Registry writes and referrers".
    pub fn referrers(&self, image: &Name, subject: &Digest) -> Result<Referrers, ResolveError> {
        self.registry.referrers(image, subject)
    }

    /// Number of HTTP requests this resolver has sent to registries and their token realms
    /// (token requests, redirects and retries included), for benchmarks.
    pub fn requests_sent(&self) -> u64 {
        self.registry.requests_sent()
    }

    /// The git URL of a GitHub repository `owner/repo` under [`Options::github_url`].
    pub fn github_repo_url(&self, owner_repo: &str) -> String {
        join_url(&self.options.github_url, owner_repo)
    }

    /// The git URL of a GitLab project `group/project` under [`Options::gitlab_url`].
    pub fn gitlab_project_url(&self, project: &str) -> String {
        join_url(&self.options.gitlab_url, project)
    }

    /// Branches and tags of the repository at `url`, sorted by name; annotated tags peeled to
    /// their commit.
    pub fn git_refs(&self, url: &str) -> Result<Vec<GitRef>, ResolveError> {
        git::refs(url)
    }

    /// Bytes of `path` in the tree of `commit`; `Ok(None)` if the path does not exist there.
    pub fn git_file(
        &self,
        url: &str,
        commit: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ResolveError> {
        self.git.file(url, commit, path)
    }

    /// Committer time of `commit` (used for the `--min-age` cooldown).
    pub fn git_commit_time(
        &self,
        url: &str,
        commit: &str,
    ) -> Result<jiff::Timestamp, ResolveError> {
        self.git.commit_time(url, commit)
    }
}

#[cfg(test)]
#[test]
fn resolver_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Resolver>();
    // A blob can be handed to another thread as `Box<dyn Read + Send>`.
    fn assert_send<T: Send + std::io::Read>() {}
    assert_send::<Blob>();
}

/// A registry repository for the image reader ([`Resolver::repository`]). Its errors are
/// [`ResolveError`]s, boxed: `err.downcast_ref::<ResolveError>()` gives the code.
pub struct Repository<'r> {
    resolver: Held<'r>,
    image: Name,
}

enum Held<'r> {
    Borrowed(&'r Resolver),
    Owned(Box<Resolver>),
}

impl Repository<'_> {
    fn resolver(&self) -> &Resolver {
        match &self.resolver {
            Held::Borrowed(r) => r,
            Held::Owned(r) => r,
        }
    }

    /// The resolver's notices ([`Resolver::take_notices`]).
    pub fn take_notices(&self) -> Vec<Notice> {
        self.resolver().take_notices()
    }
}

impl fmt::Debug for Repository<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repository")
            .field("image", &self.image.to_string())
            .finish_non_exhaustive()
    }
}

impl vouch_oci::image::Registry for Repository<'_> {
    fn manifest(
        &self,
        reference: &str,
        limit: u64,
    ) -> Result<Vec<u8>, vouch_oci::image::RemoteError> {
        Ok(self
            .resolver()
            .fetch_manifest_limited(&self.image, reference, limit)?
            .bytes)
    }

    fn blob(
        &self,
        digest: &Digest,
    ) -> Result<Box<dyn std::io::Read + Send>, vouch_oci::image::RemoteError> {
        Ok(Box::new(self.resolver().open_blob(&self.image, digest)?))
    }
}

fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}
