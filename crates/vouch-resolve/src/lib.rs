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

mod error;
mod git;
pub mod http;
mod registry;

use std::fmt;

use vouch_digest::Digest;
use vouch_oci::reference::Name;

pub use error::{ResolveError, Url};

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
}

fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}
