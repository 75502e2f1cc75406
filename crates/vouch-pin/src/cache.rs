//! One answer per question per run: a workflow that uses `actions/checkout@v4` in ten jobs, or
//! ten files on one base image, asks the forge or registry once. Only successes are kept; a
//! failure is asked again for the next file (which then fails on its own).

use std::cell::RefCell;
use std::collections::HashMap;

use vouch_digest::Digest;
use vouch_oci::reference::Name;
use vouch_resolve::http::{DownloadError, Downloaded};
use vouch_resolve::{GitRef, ResolveError, Resolver};

/// Largest download `vouch pin` hashes (the same cap as `vouch fetch`'s default).
pub const MAX_DOWNLOAD: u64 = vouch_resolve::fetch::DEFAULT_MAX_SIZE;

/// A [`Resolver`] with memoised answers, for one run on one thread.
#[derive(Debug)]
pub struct CachedResolver {
    inner: Resolver,
    digests: RefCell<HashMap<(Name, String), Digest>>,
    tags: RefCell<HashMap<Name, Vec<String>>>,
    created: RefCell<HashMap<(Name, String), Option<jiff::Timestamp>>>,
    refs: RefCell<HashMap<String, Vec<GitRef>>>,
    times: RefCell<HashMap<(String, String), jiff::Timestamp>>,
    downloads: RefCell<HashMap<String, Downloaded>>,
    http: RefCell<Option<vouch_resolve::http::Client>>,
}

fn memo<K, V, E>(
    map: &RefCell<HashMap<K, V>>,
    key: K,
    ask: impl FnOnce() -> Result<V, E>,
) -> Result<V, E>
where
    K: std::hash::Hash + Eq,
    V: Clone,
{
    if let Some(v) = map.borrow().get(&key) {
        return Ok(v.clone());
    }
    let v = ask()?;
    map.borrow_mut().insert(key, v.clone());
    Ok(v)
}

impl CachedResolver {
    pub fn new(inner: Resolver) -> Self {
        Self {
            inner,
            digests: RefCell::default(),
            tags: RefCell::default(),
            created: RefCell::default(),
            refs: RefCell::default(),
            times: RefCell::default(),
            downloads: RefCell::default(),
            http: RefCell::default(),
        }
    }

    /// What the resolver wants the user told, gathered since the last call
    /// ([`Resolver::take_notices`]).
    pub fn take_notices(&self) -> Vec<vouch_resolve::Notice> {
        self.inner.take_notices()
    }

    pub fn image_digest(&self, image: &Name, tag: &str) -> Result<Digest, ResolveError> {
        memo(&self.digests, (image.clone(), tag.to_owned()), || {
            self.inner.image_digest(image, tag)
        })
    }

    pub fn image_tags(&self, image: &Name) -> Result<Vec<String>, ResolveError> {
        memo(&self.tags, image.clone(), || self.inner.image_tags(image))
    }

    pub fn image_created(
        &self,
        image: &Name,
        digest: &str,
    ) -> Result<Option<jiff::Timestamp>, ResolveError> {
        memo(&self.created, (image.clone(), digest.to_owned()), || {
            self.inner.image_created(image, digest)
        })
    }

    pub fn github_repo_url(&self, owner_repo: &str) -> String {
        self.inner.github_repo_url(owner_repo)
    }

    pub fn gitlab_project_url(&self, project: &str) -> String {
        self.inner.gitlab_project_url(project)
    }

    pub fn git_refs(&self, url: &str) -> Result<Vec<GitRef>, ResolveError> {
        memo(&self.refs, url.to_owned(), || self.inner.git_refs(url))
    }

    /// Not memoised here: the resolver keeps one fetched repository per URL.
    pub fn git_file(
        &self,
        url: &str,
        commit: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ResolveError> {
        self.inner.git_file(url, commit, path)
    }

    pub fn git_commit_time(
        &self,
        url: &str,
        commit: &str,
    ) -> Result<jiff::Timestamp, ResolveError> {
        memo(&self.times, (url.to_owned(), commit.to_owned()), || {
            self.inner.git_commit_time(url, commit)
        })
    }

    /// The SHA-256 and size of what `url` serves now: downloaded once per run (streamed
    /// through the hash, nothing kept; at most [`MAX_DOWNLOAD`] bytes), redirects followed to
    /// any host but never from https to http (`vouch_resolve::http::download_verified`).
    pub fn download(&self, url: &str) -> Result<Downloaded, DownloadError> {
        memo(&self.downloads, url.to_owned(), || {
            let client = {
                let mut slot = self.http.borrow_mut();
                match slot.as_ref() {
                    Some(c) => c.clone(),
                    None => {
                        let c = vouch_resolve::http::client_without_redirects(
                            vouch_resolve::http::Timeouts {
                                connect: Some(std::time::Duration::from_secs(30)),
                                total: std::time::Duration::from_secs(600),
                            },
                        )
                        .map_err(|source| DownloadError::Fetch {
                            url: vouch_resolve::Url::new(url),
                            source,
                        })?;
                        *slot = Some(c.clone());
                        c
                    }
                }
            };
            vouch_resolve::http::download_verified(
                &client,
                url,
                MAX_DOWNLOAD,
                &vouch_resolve::http::Expect::default(),
                &vouch_resolve::http::Redirects {
                    allowed_hosts: Vec::new(),
                    any_host: true,
                },
                &mut std::io::sink(),
            )
        })
    }
}
