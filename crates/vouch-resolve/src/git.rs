//! git refs, files and commit times through gix.
//!
//! `file://` repositories are opened in place (no subprocess, no copy). `git://` and
//! `http(s)://` remotes are listed with `ls-refs` over the smart protocol, and fetched into a
//! temporary bare repository the first time a file or commit time is asked for: first only the
//! commits branches and tags point at (depth 1), then, if a commit outside those is asked for,
//! the whole history once. That repository is reused for the rest of the run.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use gix::bstr::ByteSlice as _;
use gix::remote::Direction;

use crate::{GitRef, ResolveError, Url};

const FETCH_SPECS: [&str; 2] = [
    "+refs/heads/*:refs/remotes/origin/*",
    "+refs/tags/*:refs/tags/*",
];

/// Repositories already opened or fetched, by URL.
#[derive(Default)]
pub(crate) struct Cache {
    repos: Mutex<HashMap<String, Arc<Local>>>,
}

/// A repository vouch can read objects from: opened in place, or fetched into a temporary
/// directory (removed when the cache is dropped).
struct Local {
    repo: gix::ThreadSafeRepository,
    /// For a fetched remote: its URL until the whole history has been fetched.
    remote: Option<Mutex<Option<gix::Url>>>,
    _dir: Option<tempfile::TempDir>,
}

enum Location {
    /// A `file://` URL: the repository's directory.
    Path(PathBuf),
    /// A remote reached over the smart protocol.
    Remote(gix::Url),
}

/// The URL for an error message: a [`Url`], which prints without credentials.
pub(crate) fn redact(url: &str) -> Url {
    Url::new(url)
}

fn locate(url: &str) -> Result<Location, ResolveError> {
    let invalid = |reason: &str| ResolveError::InvalidGitUrl {
        url: redact(url),
        reason: reason.to_owned(),
    };
    let parsed = gix::url::parse(url.as_bytes().as_bstr()).map_err(|e| invalid(&e.to_string()))?;
    match parsed.scheme {
        gix::url::Scheme::File if url.starts_with("file://") => Ok(Location::Path(PathBuf::from(
            parsed.path.to_str_lossy().into_owned(),
        ))),
        gix::url::Scheme::Git | gix::url::Scheme::Http | gix::url::Scheme::Https => {
            Ok(Location::Remote(parsed))
        }
        _ => Err(invalid(
            "only file://, git://, http:// and https:// URLs are supported",
        )),
    }
}

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

fn git_error(url: &str, operation: &'static str, e: impl Into<Source>) -> ResolveError {
    ResolveError::Git {
        url: redact(url),
        operation,
        source: e.into(),
    }
}

fn unreachable(url: &str, e: impl Into<Source>) -> ResolveError {
    ResolveError::GitUnreachable {
        url: redact(url),
        source: e.into(),
    }
}

/// Opens a `file://` repository in place; like git, `…/repo` also finds `…/repo.git`.
fn open_local(url: &str, path: PathBuf) -> Result<gix::ThreadSafeRepository, ResolveError> {
    let with_suffix = PathBuf::from(format!("{}.git", path.display()));
    let path = if !path.exists() && with_suffix.exists() {
        with_suffix
    } else {
        path
    };
    gix::ThreadSafeRepository::open_opts(path, gix::open::Options::isolated())
        .map_err(|e| unreachable(url, e))
}

/// An empty bare repository in a new temporary directory, reading no user or system config.
fn temporary(url: &str) -> Result<(tempfile::TempDir, gix::Repository), ResolveError> {
    let dir = tempfile::Builder::new()
        .prefix("vouch-resolve-")
        .tempdir()
        .map_err(|e| git_error(url, "create a temporary repository", e))?;
    let repo = gix::ThreadSafeRepository::init_opts(
        dir.path(),
        gix::create::Kind::Bare,
        gix::create::Options::default(),
        gix::open::Options::isolated(),
    )
    .map_err(|e| git_error(url, "create a temporary repository", e))?
    .to_thread_local();
    Ok((dir, repo))
}

fn remote<'a>(
    repo: &'a gix::Repository,
    url: &str,
    parsed: gix::Url,
) -> Result<gix::Remote<'a>, ResolveError> {
    repo.remote_at_without_url_rewrite(parsed)
        .and_then(|r| r.with_refspecs(FETCH_SPECS, Direction::Fetch))
        .map(|r| r.with_fetch_tags(gix::remote::fetch::Tags::None))
        .map_err(|e| git_error(url, "configure the remote", e))
}

fn full_name(name: &[u8]) -> Option<String> {
    let name = name.to_str().ok()?;
    (name.starts_with("refs/heads/") || name.starts_with("refs/tags/")).then(|| name.to_owned())
}

/// Branches and tags, annotated tags peeled, sorted by name.
pub(crate) fn refs(url: &str) -> Result<Vec<GitRef>, ResolveError> {
    let mut refs = match locate(url)? {
        Location::Path(path) => local_refs(url, &open_local(url, path)?.to_thread_local())?,
        Location::Remote(parsed) => remote_refs(url, parsed)?,
    };
    refs.sort();
    refs.dedup();
    Ok(refs)
}

fn local_refs(url: &str, repo: &gix::Repository) -> Result<Vec<GitRef>, ResolveError> {
    let failed = |e: gix::Error| git_error(url, "list references", e);
    let platform = repo.references().map_err(&failed)?;
    let mut out = Vec::new();
    for reference in platform.all().map_err(&failed)? {
        let mut reference = reference.map_err(&failed)?;
        let Some(name) = full_name(reference.name().as_bstr()) else {
            continue;
        };
        let id = reference.peel_to_id().map_err(&failed)?.detach();
        // A tag of a tree or blob is no release: skip it.
        let object = repo
            .find_header(id)
            .map_err(|e| git_error(url, "list references", e))?;
        if object.kind() == gix::object::Kind::Commit {
            out.push(GitRef {
                name,
                commit: id.to_string(),
            });
        }
    }
    Ok(out)
}

fn remote_refs(url: &str, parsed: gix::Url) -> Result<Vec<GitRef>, ResolveError> {
    let (_dir, repo) = temporary(url)?;
    let remote = remote(&repo, url, parsed)?;
    let connection = remote
        .connect(Direction::Fetch)
        .map_err(|e| unreachable(url, e))?;
    let (map, _handshake) = connection
        .ref_map(gix::progress::Discard, Default::default())
        .map_err(|e| unreachable(url, e))?;
    let mut out = Vec::new();
    for r in map.remote_refs {
        use gix::protocol::handshake::Ref;
        let (name, commit) = match r {
            Ref::Peeled {
                full_ref_name,
                object,
                ..
            }
            | Ref::Direct {
                full_ref_name,
                object,
            } => (full_ref_name, object),
            Ref::Symbolic { .. } | Ref::Unborn { .. } => continue,
        };
        if let Some(name) = full_name(&name) {
            out.push(GitRef {
                name,
                commit: commit.to_string(),
            });
        }
    }
    Ok(out)
}

/// Fetches every branch and tag of `parsed` into `repo`.
fn fetch(
    url: &str,
    repo: &gix::Repository,
    parsed: gix::Url,
    shallow: gix::remote::fetch::Shallow,
) -> Result<(), ResolveError> {
    let remote = remote(repo, url, parsed)?;
    let connection = remote
        .connect(Direction::Fetch)
        .map_err(|e| unreachable(url, e))?;
    let interrupt = AtomicBool::new(false);
    connection
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(|e| unreachable(url, e))?
        .with_shallow(shallow)
        .receive(gix::progress::Discard, &interrupt)
        .map_err(|e| unreachable(url, e))?;
    Ok(())
}

impl Cache {
    /// The readable repository for `url`: opened in place, or fetched once (only the commits
    /// branches and tags point at; see [`Cache::commit`] for the rest).
    fn get(&self, url: &str) -> Result<Arc<Local>, ResolveError> {
        if let Some(local) = self.repos.lock().expect("git cache lock").get(url) {
            return Ok(Arc::clone(local));
        }
        let local = match locate(url)? {
            Location::Path(path) => Local {
                repo: open_local(url, path)?,
                remote: None,
                _dir: None,
            },
            Location::Remote(parsed) => {
                let (dir, repo) = temporary(url)?;
                let tips = gix::remote::fetch::Shallow::DepthAtRemote(std::num::NonZeroU32::MIN);
                fetch(url, &repo, parsed.clone(), tips)?;
                Local {
                    repo: repo.into_sync(),
                    remote: Some(Mutex::new(Some(parsed))),
                    _dir: Some(dir),
                }
            }
        };
        let local = Arc::new(local);
        self.repos
            .lock()
            .expect("git cache lock")
            .insert(url.to_owned(), Arc::clone(&local));
        Ok(local)
    }

    /// The commit, from the tips fetched first or, if it is older, after fetching the whole
    /// history once.
    fn commit<'r>(
        &self,
        url: &str,
        local: &Local,
        repo: &'r gix::Repository,
        commit: &str,
    ) -> Result<gix::Commit<'r>, ResolveError> {
        let not_found = || ResolveError::GitCommitNotFound {
            url: redact(url),
            commit: commit.to_owned(),
        };
        let id = gix::ObjectId::from_hex(commit.as_bytes()).map_err(|_| not_found())?;
        let find = || {
            repo.try_find_object(id)
                .map_err(|e| git_error(url, "read a commit", e))
        };
        let mut found = find()?;
        if found.is_none()
            && let Some(remote) = &local.remote
        {
            let mut remote = remote.lock().expect("git remote lock");
            if let Some(parsed) = remote.take() {
                fetch(url, repo, parsed, gix::remote::fetch::Shallow::undo())?;
            }
            found = find()?;
        }
        match found {
            Some(object) => object.try_into_commit().map_err(|_| not_found()),
            None => Err(not_found()),
        }
    }

    pub(crate) fn file(
        &self,
        url: &str,
        commit: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>, ResolveError> {
        let local = self.get(url)?;
        let repo = local.repo.to_thread_local();
        let commit = self.commit(url, &local, &repo, commit)?;
        let failed = |e: gix::Error| git_error(url, "read a file", e);
        let tree = commit.tree().map_err(&failed)?;
        let Some(entry) = tree.lookup_entry_by_path(path).map_err(&failed)? else {
            return Ok(None);
        };
        if !entry.mode().is_blob() {
            return Ok(None);
        }
        let object = entry.object().map_err(&failed)?;
        Ok(Some(object.detach().data))
    }

    pub(crate) fn commit_time(
        &self,
        url: &str,
        commit: &str,
    ) -> Result<jiff::Timestamp, ResolveError> {
        let local = self.get(url)?;
        let repo = local.repo.to_thread_local();
        let commit = self.commit(url, &local, &repo, commit)?;
        let failed = |e: Source| git_error(url, "read the commit time", e);
        let time = commit.time().map_err(|e| failed(e.into()))?;
        jiff::Timestamp::from_second(time.seconds).map_err(|e| failed(e.into()))
    }
}
