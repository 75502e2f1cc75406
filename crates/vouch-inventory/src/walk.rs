//! Finding and parsing every supported file below a root: the one module of this crate that
//! touches the file system.
//!
//! - The walk is parallel (`ignore`'s walker), does not honour `.gitignore` (an SBOM lists what
//!   is there, ignored or not), skips `.git`, and applies `--exclude` globs.
//! - Symbolic links are never followed to directories: in a root filesystem they are aliases
//!   (`lib -> usr/lib`) or point outside the root, so descending would double-count or escape;
//!   with no directory links followed, a link loop cannot arise. A link to a *file* that
//!   [`detect`] recognises is read when its target resolves inside the root, and
//!   reported as a warning otherwise.
//! - When the root is a root filesystem (it has `etc/os-release` or `usr/lib/os-release`),
//!   `proc`, `sys` and `dev` at its top are skipped and the distro qualifies OS package purls.
//! - Unreadable files, files over the size limit and parse errors are [`Warning`]s naming the
//!   file (and line/column); the rest of the tree is still inventoried.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::{
    Distro, FileKind, Inventory, Parsed, Siblings, Source, Warning, WarningKind, detect,
    os_release, parse,
};

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Globs (gitignore syntax, relative to the root) of paths to leave out.
    pub excludes: Vec<String>,
    /// Files larger than this are skipped with a warning.
    pub max_file_size: u64,
}

impl Default for WalkOptions {
    fn default() -> Self {
        Self {
            excludes: Vec::new(),
            max_file_size: 256 * 1024 * 1024,
        }
    }
}

/// How the message of a [`Warning`] for a directory entry the walk could not open (unreadable
/// directory, path too long, symlink loop) begins: everything below it is missing from the
/// inventory, so callers treat it as "not checked", not as a mere warning.
pub const WALK_ERROR: &str = "cannot walk";

/// Whether `warning` is a walk error ([`WarningKind::Walk`]) rather than a problem in one file.
pub fn is_walk_error(warning: &Warning) -> bool {
    warning.kind == WarningKind::Walk
}

/// Why a walk could not start. Problems below the root are warnings, not errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    #[error("cannot read {path}")]
    Root {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a directory")]
    NotADirectory { path: PathBuf },
    #[error("invalid --exclude pattern `{pattern}`")]
    Exclude {
        pattern: String,
        #[source]
        source: ignore::Error,
    },
}

/// Observes a walk (for progress display). Called from several threads.
pub trait Progress: Sync {
    /// One more directory entry was seen.
    fn entry(&self) {}
    /// One more supported file was parsed.
    fn parsed(&self, _path: &str) {}
}

/// No progress display.
pub struct Silent;
impl Progress for Silent {}

/// Inventories everything below `root`. `subject` names it in the result (as given by the user).
pub fn inventory(
    root: &Path,
    subject: &str,
    options: &WalkOptions,
    progress: &dyn Progress,
) -> Result<Inventory, WalkError> {
    let meta = std::fs::metadata(root).map_err(|source| WalkError::Root {
        path: root.to_owned(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(WalkError::NotADirectory {
            path: root.to_owned(),
        });
    }
    let canonical_root = root.canonicalize().map_err(|source| WalkError::Root {
        path: root.to_owned(),
        source,
    })?;
    let distro = read_distro(&canonical_root);
    let (candidates, mut warnings) = find(&canonical_root, distro.is_some(), options, progress)?;

    let results: Vec<(String, FileKind, Result<Parsed, Warning>)> = candidates
        .into_par_iter()
        .map(|c| {
            let parsed = read_and_parse(&canonical_root, &c, options);
            progress.parsed(&c.rel);
            (c.rel, c.kind, parsed)
        })
        .collect();
    let mut parsed = Vec::with_capacity(results.len());
    for (rel, kind, result) in results {
        match result {
            Ok(p) => parsed.push((rel, kind, p)),
            Err(w) => warnings.push(w),
        }
    }
    parsed.sort_by(|a, b| a.0.cmp(&b.0));
    let distro = distro.or_else(|| nested_distro(&canonical_root, &parsed));
    Ok(Inventory::build(subject, distro, parsed, warnings))
}

struct Candidate {
    rel: String,
    abs: PathBuf,
    kind: FileKind,
    is_link: bool,
}

fn find(
    root: &Path,
    is_rootfs: bool,
    options: &WalkOptions,
    progress: &dyn Progress,
) -> Result<(Vec<Candidate>, Vec<Warning>), WalkError> {
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for pattern in &options.excludes {
        overrides
            .add(&format!("!{pattern}"))
            .map_err(|source| WalkError::Exclude {
                pattern: pattern.clone(),
                source,
            })?;
    }
    let overrides = overrides.build().map_err(|source| WalkError::Exclude {
        pattern: options.excludes.join(", "),
        source,
    })?;

    let candidates = Mutex::new(Vec::new());
    let warnings = Mutex::new(Vec::new());
    let seen = AtomicUsize::new(0);
    let root_owned = root.to_owned();
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .overrides(overrides)
        .filter_entry(move |entry| {
            let name = entry.file_name();
            if name == ".git" {
                return false;
            }
            if is_rootfs && entry.depth() == 1 && entry.file_type().is_some_and(|t| t.is_dir()) {
                return !(name == "proc" || name == "sys" || name == "dev");
            }
            true
        })
        .build_parallel();
    walker.run(|| {
        let candidates = &candidates;
        let warnings = &warnings;
        let seen = &seen;
        let root = &root_owned;
        Box::new(move |entry| {
            seen.fetch_add(1, Ordering::Relaxed);
            progress.entry();
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = error_path(&err, root);
                    lock(warnings).push(Warning {
                        path,
                        line: None,
                        column: None,
                        message: format!("{WALK_ERROR}: {}", strip_path(&err)),
                        kind: WarningKind::Walk,
                    });
                    return ignore::WalkState::Continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                return ignore::WalkState::Continue;
            };
            if file_type.is_dir() {
                return ignore::WalkState::Continue;
            }
            let Some(rel) = relative(root, entry.path()) else {
                return ignore::WalkState::Continue;
            };
            if let Some(kind) = detect(&rel) {
                lock(candidates).push(Candidate {
                    rel,
                    abs: entry.path().to_owned(),
                    kind,
                    is_link: file_type.is_symlink(),
                });
            }
            ignore::WalkState::Continue
        })
    });
    let mut candidates = candidates.into_inner().unwrap_or_else(|e| e.into_inner());
    candidates.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok((
        candidates,
        warnings.into_inner().unwrap_or_else(|e| e.into_inner()),
    ))
}

fn read_and_parse(root: &Path, c: &Candidate, options: &WalkOptions) -> Result<Parsed, Warning> {
    let warn = |message: String| Warning {
        path: c.rel.clone(),
        line: None,
        column: None,
        message,
        kind: WarningKind::Input,
    };
    let path = if c.is_link {
        match c.abs.canonicalize() {
            Ok(target) if target.starts_with(root) => target,
            Ok(_) => {
                return Err(warn(
                    "symbolic link points outside the scanned root; not followed".into(),
                ));
            }
            Err(e) => return Err(warn(format!("cannot resolve symbolic link: {e}"))),
        }
    } else {
        c.abs.clone()
    };
    // A FIFO or device is refused before a byte is read; the size limit is checked on the
    // bytes read (a file under /proc says it has 0 bytes).
    let bytes = vouch_fs::read::read(&path, options.max_file_size).map_err(|e| match e {
        vouch_fs::read::ReadError::TooLarge { limit, .. } => {
            warn(format!("skipped: over the {limit}-byte limit"))
        }
        e => warn(e.reason()),
    })?;
    let dir = path.parent().unwrap_or(root).to_owned();
    let siblings = DirSiblings {
        root,
        dir: &dir,
        limit: options.max_file_size,
    };
    let source = Source {
        path: &c.rel,
        bytes: &bytes,
        siblings: &siblings,
    };
    parse(c.kind, &source).map_err(|e| Warning {
        path: c.rel.clone(),
        line: e.line,
        column: e.column,
        message: format!("cannot parse {}: {}", c.kind.label(), e.message),
        kind: WarningKind::Input,
    })
}

/// Reads files beside a parsed file, refusing any path that resolves outside the root.
struct DirSiblings<'a> {
    root: &'a Path,
    dir: &'a Path,
    /// The walk's size limit, checked on the bytes read.
    limit: u64,
}

impl Siblings for DirSiblings<'_> {
    fn read(&self, relative: &str) -> Option<Vec<u8>> {
        vouch_fs::read::read_in_root(self.root, &self.dir.join(relative), self.limit).ok()
    }
}

/// Largest `os-release` read (64 KiB).
const MAX_OS_RELEASE_LEN: u64 = 64 * 1024;

fn read_distro(root: &Path) -> Option<Distro> {
    ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|rel| {
            let path = root.join(rel);
            // A rootfs' etc/os-release is usually a link to ../usr/lib/os-release: resolve, but
            // stay inside the root.
            let text =
                vouch_fs::read::read_to_string_in_root(root, &path, MAX_OS_RELEASE_LEN).ok()?;
            os_release::parse(&text)
        })
}

/// For a tree holding one extracted root filesystem below the top (e.g. `rootfs/`), take the
/// distro of the root filesystem that holds the first OS package database.
fn nested_distro(root: &Path, parsed: &[(String, FileKind, Parsed)]) -> Option<Distro> {
    let (rel, kind, _) = parsed.iter().find(|(_, k, _)| k.is_os())?;
    let marker = match kind {
        FileKind::ApkInstalled => "lib/apk/db/installed",
        FileKind::RpmSqlite => "var/lib/rpm/",
        _ => "var/lib/dpkg/",
    };
    let prefix = &rel[..rel.find(marker)?];
    read_distro(&root.join(prefix))
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    Some(out)
}

fn error_path(err: &ignore::Error, root: &Path) -> String {
    match err {
        ignore::Error::WithPath { path, .. } => {
            relative(root, path).unwrap_or_else(|| path.display().to_string())
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err, root)
        }
        ignore::Error::Loop { child, .. } => relative(root, child).unwrap_or_default(),
        _ => String::from("."),
    }
}

fn strip_path(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } => strip_path(err),
        ignore::Error::WithDepth { err, .. } => strip_path(err),
        other => other.to_string(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
