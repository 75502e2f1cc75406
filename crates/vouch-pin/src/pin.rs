//! Pinning and checking one file against registries and forges (through
//! [`vouch_resolve::Resolver`]).

use vouch_oci::reference::Name;
use vouch_resolve::{GitRef, ResolveError, Url};

use crate::cache::CachedResolver as Resolver;

use crate::lock::{Observed, Pinned};
use crate::reference::{DownloadTarget, Downloader, GitTarget, Reference, Repo, Target, is_commit};
use crate::rewrite::{self, Change, Edit, RewriteError};
use crate::sources::{Entry as SourceEntry, Sources};
use crate::version;
use crate::walk::SourceFile;

/// Why a reference could not be pinned, checked or updated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PinError {
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error("no tag or branch `{reference}` in {url}")]
    RefNotFound { reference: String, url: Url },
    #[error(transparent)]
    Rewrite(#[from] RewriteError),
    #[error(transparent)]
    Download(#[from] vouch_resolve::http::DownloadError),
    #[error("{url} has digest {found}, but the file pins it with --checksum={written}")]
    ChecksumMismatch {
        url: Url,
        written: vouch_digest::Digest,
        found: vouch_digest::Digest,
    },
    #[error("cannot read the interface of {what} at {commit}: {reason}")]
    Interface {
        what: String,
        commit: String,
        reason: String,
    },
}

impl PinError {
    /// Stable diagnostic code: the resolver's code for network faults.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Resolve(e) => e.code(),
            Self::RefNotFound { .. } => "pin-ref-not-found",
            Self::Rewrite(e) => e.code(),
            Self::Interface { .. } => "pin-interface-unreadable",
            Self::Download(_) => "fetch-failed",
            Self::ChecksumMismatch { .. } => "fetch-mismatch",
        }
    }
}

/// A reference that failed, with where it is.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {reference}: {error}")]
pub struct RefError {
    pub file: String,
    pub line: u32,
    pub reference: String,
    #[source]
    pub error: Box<PinError>,
}

impl RefError {
    pub fn new(file: &SourceFile, r: &Reference, error: impl Into<PinError>) -> Self {
        Self {
            file: file.rel.clone(),
            line: r.line,
            reference: redact(r.display()),
            error: Box::new(error.into()),
        }
    }

    /// A failure of the file as a whole (line 0, no reference), such as applying its edits.
    pub fn whole_file(file: &SourceFile, error: impl Into<PinError>) -> Self {
        Self {
            file: file.rel.clone(),
            line: 0,
            reference: String::new(),
            error: Box::new(error.into()),
        }
    }
}

/// The git URL of a repository.
pub fn repo_url(resolver: &Resolver, repo: &Repo) -> String {
    match repo {
        Repo::GitHub(p) => resolver.github_repo_url(p),
        Repo::GitLab(p) => resolver.gitlab_project_url(p),
        Repo::Url(u) => u.clone(),
    }
}

/// The commit `reference` names among `refs`: a tag first, then a branch.
pub fn find_ref<'r>(refs: &'r [GitRef], reference: &str) -> Option<&'r GitRef> {
    let tag = format!("refs/tags/{reference}");
    let head = format!("refs/heads/{reference}");
    refs.iter()
        .find(|r| r.name == tag)
        .or_else(|| refs.iter().find(|r| r.name == head))
}

/// Tag names (without `refs/tags/`) pointing at `commit`.
pub fn tags_at(refs: &[GitRef], commit: &str) -> Vec<String> {
    refs.iter()
        .filter(|r| r.commit == commit)
        .filter_map(|r| r.name.strip_prefix("refs/tags/").map(str::to_owned))
        .collect()
}

/// Every tag name (without `refs/tags/`).
pub fn tag_names(refs: &[GitRef]) -> Vec<String> {
    refs.iter()
        .filter_map(|r| r.name.strip_prefix("refs/tags/").map(str::to_owned))
        .collect()
}

pub(crate) fn image_name(name: &str) -> Result<Name, PinError> {
    Ok(Name::parse(name).map_err(ResolveError::from)?)
}

/// The change that pins `r` (not yet pinned) to what it resolves to now.
pub fn resolve(resolver: &Resolver, r: &Reference) -> Result<Option<Change>, PinError> {
    match &r.target {
        Target::Image(image) => {
            let name = image_name(image.name())?;
            let tag = image.tag().unwrap_or("latest");
            let digest = resolver.image_digest(&name, tag)?;
            Ok(Some(Change::Image { tag: None, digest }))
        }
        Target::Git(git) => {
            let (commit, version) = resolve_git(resolver, git, &git.reference)?;
            Ok(Some(Change::Git { commit, version }))
        }
        Target::Unpinnable(_) | Target::Download(_) => Ok(None),
    }
}

/// Commit and most specific version for `reference` of `git`'s repository.
fn resolve_git(
    resolver: &Resolver,
    git: &GitTarget,
    reference: &str,
) -> Result<(String, String), PinError> {
    let url = repo_url(resolver, &git.repo);
    let refs = resolver.git_refs(&url)?;
    let found = find_ref(&refs, reference).ok_or_else(|| PinError::RefNotFound {
        reference: reference.to_owned(),
        url: Url::new(url.clone()),
    })?;
    let version = if found.name.starts_with("refs/tags/") {
        version::most_specific(reference, &tags_at(&refs, &found.commit))
    } else {
        reference.to_owned()
    };
    Ok((found.commit.clone(), version))
}

/// What pinning one file produced.
#[derive(Debug, Default)]
pub struct FilePin {
    /// The new text (equal to the old when nothing changed).
    pub text: String,
    /// References pinned in this run: (line, reference as written, version).
    pub pinned: Vec<(u32, String, String)>,
    /// References left alone because vouch cannot pin them: (line, text, reason).
    pub skipped: Vec<(u32, String, String)>,
    /// Downloads found (`ADD`, `curl`, `wget`), for `sources.lock` (`files` holds this file's
    /// path relative to the root).
    pub downloads: Vec<SourceEntry>,
}

/// Pin every unpinned reference of `file`. Any failure fails the whole file (it is then left
/// untouched); already pinned references are left alone. Downloads are recorded for
/// `sources.lock` ([`FilePin::downloads`]), each downloaded once unless `sources` already has
/// its URL, and an `ADD` of a URL without `--checksum` gets one.
pub fn pin_file(
    resolver: &Resolver,
    file: &SourceFile,
    sources: &Sources,
) -> Result<FilePin, RefError> {
    let mut edits: Vec<Edit> = Vec::new();
    let mut out = FilePin::default();
    for r in &file.references {
        if let Target::Download(d) = &r.target {
            if d.url.contains('$') || d.checksum.as_deref().is_some_and(|c| c.contains('$')) {
                out.skipped.push((
                    r.line,
                    redact(r.display()),
                    "the URL or checksum uses a variable, so vouch cannot tell what it downloads; record it in sources.lock by hand".to_owned(),
                ));
                continue;
            }
            let entry = record_download(resolver, file, r, d, sources)?;
            if d.downloader == Downloader::Add && d.checksum.is_none() {
                let digest =
                    vouch_digest::Digest::from_hex(vouch_digest::Algorithm::Sha256, &entry.sha256)
                        .map_err(|_| {
                            RefError::new(
                                file,
                                r,
                                RewriteError::Unpinnable(format!("sha256 `{}`", entry.sha256)),
                            )
                        })?;
                edits.extend(
                    rewrite::edits(
                        &file.text,
                        r,
                        &rewrite::Change::Download {
                            digest: digest.clone(),
                        },
                    )
                    .map_err(|e| RefError::new(file, r, e))?,
                );
                out.pinned
                    .push((r.line, redact(r.display()), digest.to_string()));
            }
            out.downloads.push(entry);
            continue;
        }
        if r.is_pinned() {
            continue;
        }
        if let Target::Unpinnable(u) = &r.target {
            out.skipped.push((r.line, u.text.clone(), u.reason.clone()));
            continue;
        }
        // Locate before resolving: no network round trip for a value we cannot rewrite.
        if r.span.is_none() {
            return Err(RefError::new(
                file,
                r,
                RewriteError::NoSpan { line: r.line },
            ));
        }
        let Some(change) = resolve(resolver, r).map_err(|e| RefError::new(file, r, e))? else {
            continue;
        };
        let version = match &change {
            Change::Git { version, .. } => version.clone(),
            Change::Image { .. } | Change::Download { .. } => {
                r.version(&file.text).unwrap_or_default()
            }
        };
        edits
            .extend(rewrite::edits(&file.text, r, &change).map_err(|e| RefError::new(file, r, e))?);
        out.pinned.push((r.line, r.display(), version));
    }
    out.text = rewrite::apply(&file.text, &edits).map_err(|e| RefError::whole_file(file, e))?;
    Ok(out)
}

/// The `sources.lock` entry of a download: the lock's own when it has the URL (and, for an
/// `ADD --checksum`, the same digest), else what the URL serves now, downloaded once. An
/// `ADD --checksum` that disagrees with what the URL serves is an error.
fn record_download(
    resolver: &Resolver,
    file: &SourceFile,
    r: &Reference,
    d: &DownloadTarget,
    sources: &Sources,
) -> Result<SourceEntry, RefError> {
    let written = match &d.checksum {
        Some(text) => Some(d.checksum_digest().ok_or_else(|| {
            RefError::new(
                file,
                r,
                RewriteError::Unpinnable(format!("--checksum={text}")),
            )
        })?),
        None => None,
    };
    // The lock is committed: it records the URL without its credentials.
    let url = crate::sources::lock_url(&d.url);
    if let Some(known) = sources.get(&url)
        && written.as_ref().is_none_or(|w| w.hex() == known.sha256)
    {
        return Ok(SourceEntry {
            url,
            sha256: known.sha256.clone(),
            size: known.size,
            path: None,
            files: vec![file.rel.clone()],
        });
    }
    let got = resolver
        .download(&d.url)
        .map_err(|e| RefError::new(file, r, e))?;
    if let Some(written) = written
        && written != got.digest
    {
        return Err(RefError::new(
            file,
            r,
            PinError::ChecksumMismatch {
                url: Url::new(d.url.as_str()),
                written,
                found: got.digest,
            },
        ));
    }
    Ok(SourceEntry {
        url,
        sha256: got.digest.hex(),
        size: got.size,
        path: None,
        files: vec![file.rel.clone()],
    })
}

/// `text` with the credentials of the URLs in it redacted ([`vouch_resolve::Url`]): every
/// reference and message this module hands out for printing, or for `vouch.lock`, goes
/// through here.
fn redact(text: String) -> String {
    Url::new(text).to_string()
}

/// A problem `--check` reports (exit 1). Its `reference` and `message` carry no URL
/// credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFinding {
    pub file: String,
    pub line: u32,
    pub reference: String,
    /// `unpinned-reference`, `download-not-verified` or `pin-comment-mismatch`.
    pub code: &'static str,
    pub message: String,
}

/// What [`check_file`] found in one file.
#[derive(Debug, Default)]
pub struct FileCheck {
    /// Every finding that could be established, sorted by line.
    pub findings: Vec<CheckFinding>,
    /// References that could not be checked (unreachable forge, unknown repository), each
    /// named; the other references of the file are still checked.
    pub errors: Vec<RefError>,
}

/// Check `file`: unpinned references (offline), and version comments that disagree with their
/// commit (resolved). A comment naming a branch is not compared: branches move. A reference
/// that cannot be resolved is an error for that reference only.
pub fn check_file(resolver: &Resolver, file: &SourceFile, sources: &Sources) -> FileCheck {
    let mut out = unpinned_with(file, sources);
    let mut errors = Vec::new();
    for r in &file.references {
        let Target::Git(git) = &r.target else {
            continue;
        };
        if !is_commit(&git.reference) {
            continue;
        }
        let Some(version) = r.version(&file.text) else {
            continue;
        };
        let url = repo_url(resolver, &git.repo);
        let refs = match resolver.git_refs(&url) {
            Ok(refs) => refs,
            Err(e) => {
                errors.push(RefError::new(file, r, e));
                continue;
            }
        };
        let message = match find_ref(&refs, &version) {
            Some(found) if found.commit.eq_ignore_ascii_case(&git.reference) => continue,
            // A branch moves on by design: `# main` records where the pin came from.
            Some(found) if found.name.starts_with("refs/heads/") => continue,
            Some(found) => format!(
                "the comment says {version}, which is commit {}, but the pin is {}",
                found.commit, git.reference
            ),
            None => format!(
                "the comment says {version}, but {} has no such tag or branch",
                Url::new(url)
            ),
        };
        out.push(CheckFinding {
            file: file.rel.clone(),
            line: r.line,
            reference: redact(r.name()),
            code: "pin-comment-mismatch",
            message: redact(message),
        });
    }
    out.sort_by(|a, b| a.line.cmp(&b.line).then(a.code.cmp(b.code)));
    FileCheck {
        findings: out,
        errors,
    }
}

/// Rule id of a download neither pinned (`ADD --checksum`, `sources.lock`) nor checked after
/// it (`sha256sum -c`, `gpg --verify`, …).
pub const DOWNLOAD_NOT_VERIFIED: &str = "download-not-verified";

/// Unpinned references of `file` (offline: discovery only), with no `sources.lock`.
pub fn unpinned(file: &SourceFile) -> Vec<CheckFinding> {
    unpinned_with(file, &Sources::default())
}

/// Unpinned references of `file` (offline: discovery only); a `curl`/`wget` download whose URL
/// `sources` records counts as pinned (an `ADD` needs its `--checksum`: BuildKit checks that,
/// nothing checks the lock at build time).
pub fn unpinned_with(file: &SourceFile, sources: &Sources) -> Vec<CheckFinding> {
    file.references
        .iter()
        .filter(|r| !r.is_pinned())
        .filter(|r| match &r.target {
            Target::Download(d) => {
                d.downloader == Downloader::Add
                    || sources
                        .get(&crate::sources::lock_url(&d.url))
                        .is_none()
            }
            _ => true,
        })
        .map(|r| CheckFinding {
            file: file.rel.clone(),
            line: r.line,
            reference: redact(r.display()),
            code: if matches!(r.target, Target::Download(_)) {
                DOWNLOAD_NOT_VERIFIED
            } else {
                "unpinned-reference"
            },
            message: redact(match &r.target {
                Target::Download(d) if d.downloader == Downloader::Add => format!(
                    "ADD downloads {} without --checksum; run `vouch pin` to add it",
                    d.url
                ),
                Target::Download(d) => format!(
                    "{} downloads {}, which is neither in sources.lock nor checked after (sha256sum -c, gpg --verify, …)",
                    d.downloader.as_str(),
                    d.url
                ),
                Target::Unpinnable(u) => format!("`{}` is mutable: {}", u.text, u.reason),
                Target::Image(image) if image.tag().is_some() => format!(
                    "image `{}` is referenced by tag; a tag can be moved to other content",
                    r.display()
                ),
                Target::Image(_) => format!(
                    "image `{}` has no tag or digest: it means `latest`, which moves with every release",
                    r.display()
                ),
                Target::Git(_) => format!(
                    "`{}` is referenced by a tag or branch; it can be moved to other code",
                    r.display()
                ),
            }),
        })
        .collect()
}

/// The pins in `file` for `vouch.lock` (pinned references with a known version).
pub fn observed(file: &SourceFile, rel_to_lock: &str) -> Vec<Observed> {
    file.references
        .iter()
        .filter(|r| r.is_pinned())
        .filter_map(|r| {
            let version = r.version(&file.text)?;
            let (kind, id) = match &r.target {
                Target::Image(i) => ("image".to_owned(), Pinned::Digest(i.digest()?)),
                Target::Git(g) => (
                    g.kind.as_str().to_owned(),
                    Pinned::Commit(g.reference.to_ascii_lowercase()),
                ),
                Target::Unpinnable(_) | Target::Download(_) => return None,
            };
            Some(Observed {
                kind,
                reference: redact(r.name()),
                version,
                id,
                file: rel_to_lock.to_owned(),
            })
        })
        .collect()
}
