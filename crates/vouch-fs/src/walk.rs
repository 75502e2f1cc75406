//! The one walker every capability uses (inventory, secrets, policy, pinning), with one rule
//! set, and the [`Tree`] abstraction the capabilities read files through.
//!
//! The rules (docs/walk.md gives the reasons):
//!
//! - No ignore file is honoured: not the repository's `.gitignore`, not `.ignore`, not the
//!   user's global git excludes, not `.git/info/exclude`, not the ignore files of parent
//!   directories. What is on disk below the root is walked, so the result does not depend on
//!   the machine or on what git was told to leave out. `--exclude` and `.vouch/scan.toml`
//!   excludes ([`Excludes`]) are the way to leave paths out.
//! - Hidden files and directories are walked (`.github/`, `.gitlab-ci.yml`, `.npmrc`, `.env`);
//!   anything named `.git` is not.
//! - When the root is a root filesystem (it has `etc/os-release` or `usr/lib/os-release`),
//!   `proc`, `sys` and `dev` at its top are not walked.
//! - Symbolic links are never followed: a link is yielded as an [`EntryKind::Symlink`] entry
//!   and never descended into, so a link loop cannot arise and the walk cannot leave the root.
//! - Every entry the walk could not open is a [`WalkIssue`] in [`Walk::issues`], never dropped:
//!   what is below it was not walked.
//!
//! ```
//! use vouch_fs::walk::{DirTree, Excludes, Tree};
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
//! std::fs::write(dir.path().join(".github/workflows/ci.yml"), "on: push\n").unwrap();
//! std::fs::write(dir.path().join(".gitignore"), "*.yml\n").unwrap();
//! let tree = DirTree::open(dir.path(), Excludes::none()).unwrap();
//! let walk = tree.walk();
//! let rels: Vec<&str> = walk.entries.iter().map(|e| e.rel.as_str()).collect();
//! assert_eq!(rels, [".github/workflows/ci.yml", ".gitignore"]);
//! assert_eq!(tree.read(".github/workflows/ci.yml", 1024).unwrap(), b"on: push\n");
//! ```

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::read::ReadError;

/// `--exclude` globs (gitignore syntax, relative to the walked root: `fixtures/`, `vendor/**`,
/// `*.tmp`) checked once, when built; the same builder for every command.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    patterns: Vec<String>,
    /// The patterns anchored at the empty path, for matching relative paths.
    relative: Option<ignore::overrides::Override>,
}

/// A glob [`Excludes`] cannot use.
#[derive(Debug, thiserror::Error)]
#[error("invalid --exclude pattern `{pattern}`")]
pub struct ExcludeError {
    pub pattern: String,
    #[source]
    pub source: ignore::Error,
}

impl ExcludeError {
    /// What is wrong with the pattern, without the pattern.
    pub fn reason(&self) -> String {
        self.source.to_string()
    }
}

impl Excludes {
    /// No excludes.
    pub fn none() -> Self {
        Self::default()
    }

    /// Checks every pattern; the error names the first bad one.
    pub fn new(patterns: &[String]) -> Result<Self, ExcludeError> {
        let mut this = Self {
            patterns: patterns.to_vec(),
            relative: None,
        };
        if !patterns.is_empty() {
            this.relative = Some(this.overrides(Path::new(""))?);
        }
        Ok(this)
    }

    /// Whether the file `rel` (relative to the root, `/`-separated) is excluded, itself or
    /// through one of its folders: the same answer the walk gives, for paths that are not
    /// walked (git history, the staged index).
    pub fn excluded(&self, rel: &str) -> bool {
        let Some(o) = &self.relative else {
            return false;
        };
        let mut end = 0;
        while let Some(i) = rel[end..].find('/') {
            end += i;
            if o.matched(&rel[..end], true).is_ignore() {
                return true;
            }
            end += 1;
        }
        o.matched(rel, false).is_ignore()
    }

    /// The patterns, as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// The patterns as an `ignore` override anchored at `root`.
    pub fn overrides(&self, root: &Path) -> Result<ignore::overrides::Override, ExcludeError> {
        let mut builder = ignore::overrides::OverrideBuilder::new(root);
        for pattern in &self.patterns {
            builder
                .add(&format!("!{pattern}"))
                .map_err(|source| ExcludeError {
                    pattern: pattern.clone(),
                    source,
                })?;
        }
        builder.build().map_err(|source| ExcludeError {
            pattern: self.patterns.join(", "),
            source,
        })
    }
}

/// What a walked entry is. Directories are walked into, not yielded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A symbolic link (never followed by the walk).
    Symlink,
    /// A FIFO, device or socket: reading it is refused by [`crate::read`].
    Other,
}

/// One file-like entry below the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    pub kind: EntryKind,
    /// Size from the entry's own metadata (of the link itself for a link; 0 when unknown).
    /// A hint only: reads check their bound on the bytes read.
    pub size: u64,
}

/// Why the walk could not open an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// An I/O error: a directory that cannot be read, a path too long to open.
    Io,
    /// A symbolic link loop (cannot arise while links are not followed; kept for other trees).
    Loop,
    /// Anything else the walker reported.
    Other,
}

/// An entry the walk could not open: what is below it is missing from the walk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rel}: cannot walk: {cause}")]
pub struct WalkIssue {
    /// The entry, relative to the root (`.` for the root itself).
    pub rel: String,
    pub kind: IssueKind,
    /// The cause, without the path repeated.
    pub cause: String,
}

/// The result of one walk: entries sorted by path, and every entry that could not be walked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walk {
    pub entries: Vec<Entry>,
    pub issues: Vec<WalkIssue>,
}

impl Walk {
    /// The entries that are regular files.
    pub fn files(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == EntryKind::File)
    }
}

/// Why a walk could not start.
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
    #[error(transparent)]
    Exclude(#[from] ExcludeError),
}

/// Why a symbolic link in a tree cannot be read through.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    #[error("symbolic link points outside the scanned root; not followed")]
    Outside,
    #[error("cannot resolve symbolic link: {0}")]
    Resolve(#[source] std::io::Error),
}

/// A tree of files the capabilities read: a directory now, an image's merged layers later.
/// Paths are relative to the tree's root, `/`-separated.
pub trait Tree: Sync {
    /// Every file-like entry, by the rules of this module; `on_entry` is called (from several
    /// threads) for each entry seen, for progress display.
    fn walk_with(&self, on_entry: &(dyn Fn() + Sync)) -> Walk;

    /// [`Tree::walk_with`] without progress.
    fn walk(&self) -> Walk {
        self.walk_with(&|| {})
    }

    /// Reads the file `rel` into `buf` (replacing its content), at most `limit` bytes; a FIFO,
    /// device or socket is refused before a byte is read, a link is not followed.
    fn read_into(&self, rel: &str, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError>;

    /// [`Tree::read_into`] into a new buffer.
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let mut buf = Vec::new();
        self.read_into(rel, limit, &mut buf)?;
        Ok(buf)
    }

    /// The first `n` bytes of the file `rel` (fewer when it is shorter), for detection by
    /// content; refused like [`Tree::read_into`].
    fn read_head(&self, rel: &str, n: u64) -> Result<Vec<u8>, ReadError>;

    /// Where the symbolic link `rel` leads, as a path of this tree; a target outside the tree
    /// is [`LinkError::Outside`].
    fn read_link(&self, rel: &str) -> Result<String, LinkError>;
}

/// A directory on disk as a [`Tree`]. Counts its walks (see [`DirTree::walks`]).
#[derive(Debug)]
pub struct DirTree {
    root: PathBuf,
    excludes: ignore::overrides::Override,
    rootfs: bool,
    walks: AtomicUsize,
    /// Opened on one file ([`DirTree::open_path`]): its name in `root`, the only entry walked.
    only: Option<String>,
}

impl DirTree {
    /// A directory as with [`DirTree::open`], or one regular file as a directory holding only
    /// it: the root is the file's folder (so files beside it, such as a `go.sum` or a
    /// workspace's `package.json`, can still be read as siblings), but a walk yields that one
    /// file and nothing else, and the folder is never taken for a root filesystem. A symbolic
    /// link given here is followed (the operator named it); `--exclude` still applies.
    pub fn open_path(path: &Path, excludes: Excludes) -> Result<Self, WalkError> {
        let meta = std::fs::metadata(path).map_err(|source| WalkError::Root {
            path: path.to_owned(),
            source,
        })?;
        if !meta.is_file() {
            return Self::open(path, excludes);
        }
        let canonical = path.canonicalize().map_err(|source| WalkError::Root {
            path: path.to_owned(),
            source,
        })?;
        let (Some(parent), Some(name)) = (canonical.parent(), canonical.file_name()) else {
            return Err(WalkError::NotADirectory {
                path: path.to_owned(),
            });
        };
        let mut tree = Self::open(parent, excludes)?;
        tree.rootfs = false;
        tree.only = Some(name.to_string_lossy().into_owned());
        Ok(tree)
    }

    /// The one file this tree was opened on ([`DirTree::open_path`]), relative to its root.
    pub fn single_file(&self) -> Option<&str> {
        self.only.as_deref()
    }

    /// `root` must be a directory; it is canonicalised (paths yielded stay relative to it).
    pub fn open(root: &Path, excludes: Excludes) -> Result<Self, WalkError> {
        let meta = std::fs::metadata(root).map_err(|source| WalkError::Root {
            path: root.to_owned(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(WalkError::NotADirectory {
                path: root.to_owned(),
            });
        }
        let canonical = root.canonicalize().map_err(|source| WalkError::Root {
            path: root.to_owned(),
            source,
        })?;
        let excludes = excludes.overrides(&canonical)?;
        let rootfs = ["etc/os-release", "usr/lib/os-release"]
            .iter()
            .any(|p| canonical.join(p).symlink_metadata().is_ok());
        Ok(Self {
            root: canonical,
            excludes,
            rootfs,
            walks: AtomicUsize::new(0),
            only: None,
        })
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of `rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Whether the root looked like a root filesystem (so `proc`, `sys`, `dev` were skipped).
    pub fn is_rootfs(&self) -> bool {
        self.rootfs
    }

    /// How many times this tree was walked (a `vouch scan` walks once).
    pub fn walks(&self) -> usize {
        self.walks.load(Ordering::Relaxed)
    }

    /// The directories below the root by the rules of [`Tree::walk`] (`.git` not walked, a
    /// root filesystem's `proc`, `sys` and `dev` skipped, links never followed), sorted: what
    /// a walk leaves out because it yields files, for a caller that keeps empty directories
    /// (`vouch package`). Unreadable directories are the walk's issues, not repeated here.
    pub fn directories(&self) -> Vec<String> {
        if self.only.is_some() {
            return Vec::new();
        }
        let rootfs = self.rootfs;
        let mut dirs: Vec<String> = ignore::WalkBuilder::new(&self.root)
            .standard_filters(false)
            .follow_links(false)
            .overrides(self.excludes.clone())
            .filter_entry(move |entry| walked(entry, rootfs))
            .build()
            .flatten()
            .filter(|e| e.depth() > 0 && e.file_type().is_some_and(|t| t.is_dir()))
            .filter_map(|e| relative(&self.root, e.path()))
            .collect();
        dirs.sort();
        dirs
    }
}

impl Tree for DirTree {
    fn walk_with(&self, on_entry: &(dyn Fn() + Sync)) -> Walk {
        self.walks.fetch_add(1, Ordering::Relaxed);
        if let Some(name) = &self.only {
            on_entry();
            let path = self.root.join(name);
            let excluded = self.excludes.matched(&path, false).is_ignore();
            let mut walk = Walk::default();
            match std::fs::symlink_metadata(&path) {
                Ok(_) if excluded => {}
                Ok(meta) => walk.entries.push(Entry {
                    rel: name.clone(),
                    kind: if meta.file_type().is_symlink() {
                        EntryKind::Symlink
                    } else if meta.is_file() {
                        EntryKind::File
                    } else {
                        EntryKind::Other
                    },
                    size: meta.len(),
                }),
                Err(e) => walk.issues.push(WalkIssue {
                    rel: name.clone(),
                    kind: IssueKind::Io,
                    cause: os_cause(&e),
                }),
            }
            return walk;
        }
        let rootfs = self.rootfs;
        let entries = Mutex::new(Vec::new());
        let issues = Mutex::new(Vec::new());
        let root = &self.root;
        ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .follow_links(false)
            .overrides(self.excludes.clone())
            .filter_entry(move |entry| walked(entry, rootfs))
            .build_parallel()
            .run(|| {
                let entries = &entries;
                let issues = &issues;
                Box::new(move |entry| {
                    on_entry();
                    let entry = match entry {
                        Ok(e) => e,
                        Err(err) => {
                            lock(issues).push(issue(root, &err));
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
                    let kind = if file_type.is_symlink() {
                        EntryKind::Symlink
                    } else if file_type.is_file() {
                        EntryKind::File
                    } else {
                        EntryKind::Other
                    };
                    let size = entry.metadata().map_or(0, |m| m.len());
                    lock(entries).push(Entry { rel, kind, size });
                    ignore::WalkState::Continue
                })
            });
        let mut entries = entries.into_inner().unwrap_or_else(|e| e.into_inner());
        entries.sort_by(|a, b| a.rel.cmp(&b.rel));
        let mut issues = issues.into_inner().unwrap_or_else(|e| e.into_inner());
        issues.sort_by(|a, b| a.rel.cmp(&b.rel));
        Walk { entries, issues }
    }

    fn read_into(&self, rel: &str, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
        crate::read::read_into(&self.root.join(rel), limit, buf)
    }

    fn read_head(&self, rel: &str, n: u64) -> Result<Vec<u8>, ReadError> {
        use std::io::Read as _;
        let path = self.root.join(rel);
        let mut buf = Vec::new();
        crate::read::open(&path)?
            .take(n)
            .read_to_end(&mut buf)
            .map_err(|source| ReadError::Read { path, source })?;
        Ok(buf)
    }

    fn read_link(&self, rel: &str) -> Result<String, LinkError> {
        let target = self
            .root
            .join(rel)
            .canonicalize()
            .map_err(LinkError::Resolve)?;
        relative(&self.root, &target).ok_or(LinkError::Outside)
    }
}

/// Whether the walk goes into `entry`: never `.git`, nor a root filesystem's `proc`, `sys`,
/// `dev`.
fn walked(entry: &ignore::DirEntry, rootfs: bool) -> bool {
    let name = entry.file_name();
    if name == ".git" {
        return false;
    }
    if rootfs && entry.depth() == 1 && entry.file_type().is_some_and(|t| t.is_dir()) {
        return !(name == "proc" || name == "sys" || name == "dev");
    }
    true
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

/// A walker error as a [`WalkIssue`]: the entry it concerns and the cause without the path.
fn issue(root: &Path, err: &ignore::Error) -> WalkIssue {
    fn parts(err: &ignore::Error) -> (Option<&Path>, IssueKind, String) {
        match err {
            ignore::Error::WithPath { path, err } => {
                let (_, kind, cause) = parts(err);
                (Some(path.as_path()), kind, cause)
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                parts(err)
            }
            ignore::Error::Loop { child, .. } => (
                Some(child.as_path()),
                IssueKind::Loop,
                "symbolic link loop".to_owned(),
            ),
            // The walker's I/O errors repeat the absolute path: keep the OS error alone.
            ignore::Error::Io(e) => (None, IssueKind::Io, os_cause(e)),
            other => (None, IssueKind::Other, other.to_string()),
        }
    }
    let (path, kind, cause) = parts(err);
    let rel = path
        .map(|p| relative(root, p).unwrap_or_else(|| p.display().to_string()))
        .unwrap_or_default();
    WalkIssue {
        rel: if rel.is_empty() { ".".to_owned() } else { rel },
        kind,
        cause,
    }
}

/// The OS error of `e` without the path the walker put in its message.
fn os_cause(e: &std::io::Error) -> String {
    let own = |io: &std::io::Error| {
        io.raw_os_error()
            .map(|code| std::io::Error::from_raw_os_error(code).to_string())
    };
    if let Some(s) = own(e) {
        return s;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = e
        .get_ref()
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    while let Some(err) = source {
        if let Some(s) = err.downcast_ref::<std::io::Error>().and_then(own) {
            return s;
        }
        source = err.source();
    }
    e.to_string()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rels(walk: &Walk) -> Vec<&str> {
        walk.entries.iter().map(|e| e.rel.as_str()).collect()
    }

    #[test]
    fn hidden_in_git_out_ignore_files_not_honoured() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join(".git/objects")).unwrap();
        std::fs::write(r.join(".git/config"), "x").unwrap();
        std::fs::create_dir_all(r.join("a/.hidden")).unwrap();
        std::fs::write(r.join("a/.hidden/.npmrc"), "x").unwrap();
        std::fs::write(r.join(".gitignore"), "a/\nsecret.env\n").unwrap();
        std::fs::write(r.join(".ignore"), "b.txt\n").unwrap();
        std::fs::write(r.join("secret.env"), "k=v").unwrap();
        std::fs::write(r.join("b.txt"), "b").unwrap();
        let tree = DirTree::open(r, Excludes::none()).unwrap();
        let walk = tree.walk();
        assert_eq!(
            rels(&walk),
            [
                ".gitignore",
                ".ignore",
                "a/.hidden/.npmrc",
                "b.txt",
                "secret.env"
            ]
        );
        assert!(walk.issues.is_empty());
        assert_eq!(walk.entries[3].size, 1);
        assert_eq!(tree.walks(), 1);
    }

    #[test]
    fn excludes_apply_and_bad_patterns_are_named() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("fixtures/x")).unwrap();
        std::fs::write(r.join("fixtures/x/a.yml"), "a").unwrap();
        std::fs::write(r.join("keep.yml"), "a").unwrap();
        std::fs::write(r.join("drop.tmp"), "a").unwrap();
        let ex = Excludes::new(&["fixtures/".into(), "*.tmp".into()]).unwrap();
        assert_eq!(ex.patterns().len(), 2);
        let walk = DirTree::open(r, ex).unwrap().walk();
        assert_eq!(rels(&walk), ["keep.yml"]);
        let ex = Excludes::new(&["fixtures/".into(), "*.tmp".into(), "/top".into()]).unwrap();
        assert!(ex.excluded("fixtures/x/a.yml"));
        assert!(ex.excluded("src/fixtures/a.yml"));
        assert!(ex.excluded("a/b.tmp"));
        assert!(ex.excluded("top/x"));
        assert!(!ex.excluded("src/top/x"));
        assert!(!ex.excluded("fixtures.yml"));
        assert!(!Excludes::none().excluded("a"));
        let err = Excludes::new(&["a/**{".into()]).unwrap_err();
        assert_eq!(err.pattern, "a/**{");
        assert_eq!(err.to_string(), "invalid --exclude pattern `a/**{`");
        assert!(!err.reason().is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_entries_never_followed() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("o.txt"), "o").unwrap();
        let r = d.path();
        std::fs::create_dir(r.join("dir")).unwrap();
        std::fs::write(r.join("dir/f.txt"), "f").unwrap();
        std::os::unix::fs::symlink("dir", r.join("loop")).unwrap();
        std::os::unix::fs::symlink("dir/f.txt", r.join("inside")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("o.txt"), r.join("out")).unwrap();
        let tree = DirTree::open(r, Excludes::none()).unwrap();
        let walk = tree.walk();
        assert_eq!(rels(&walk), ["dir/f.txt", "inside", "loop", "out"]);
        assert_eq!(walk.entries[1].kind, EntryKind::Symlink);
        assert_eq!(walk.files().count(), 1);
        assert_eq!(tree.read_link("inside").unwrap(), "dir/f.txt");
        assert!(matches!(tree.read_link("out"), Err(LinkError::Outside)));
    }

    #[cfg(unix)]
    #[test]
    fn directories_by_the_walk_rules_empty_ones_included() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        for dir in ["empty", "a/b", ".git/objects", ".hidden"] {
            std::fs::create_dir_all(r.join(dir)).unwrap();
        }
        std::fs::write(r.join("a/b/f"), "f").unwrap();
        std::os::unix::fs::symlink("a", r.join("link-to-dir")).unwrap();
        let tree = DirTree::open(r, Excludes::none()).unwrap();
        assert_eq!(tree.directories(), [".hidden", "a", "a/b", "empty"]);
        // A root filesystem's proc, sys and dev are skipped as by the walk.
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::write(r.join("etc/os-release"), "ID=x\n").unwrap();
        std::fs::create_dir_all(r.join("proc/1")).unwrap();
        let tree = DirTree::open(r, Excludes::none()).unwrap();
        assert_eq!(tree.directories(), [".hidden", "a", "a/b", "empty", "etc"]);
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_directories_are_issues() {
        use std::os::unix::fs::PermissionsExt as _;
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir(r.join("locked")).unwrap();
        std::fs::write(r.join("locked/f"), "f").unwrap();
        std::fs::set_permissions(r.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
        // root ignores permissions: only check when the directory really is unreadable.
        let unreadable = std::fs::read_dir(r.join("locked")).is_err();
        let walk = DirTree::open(r, Excludes::none()).unwrap().walk();
        std::fs::set_permissions(r.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
        if unreadable {
            assert_eq!(walk.issues.len(), 1, "{walk:?}");
            assert_eq!(walk.issues[0].rel, "locked");
            assert_eq!(walk.issues[0].kind, IssueKind::Io);
            assert!(
                walk.issues[0]
                    .to_string()
                    .starts_with("locked: cannot walk: ")
            );
        } else {
            // Run as root: the folder is readable after all, so it is walked like any other
            // and nothing is reported (the unopenable case as root is the PATH_MAX test below).
            assert!(walk.issues.is_empty(), "{walk:?}");
            assert!(walk.entries.iter().any(|e| e.rel == "locked/f"), "{walk:?}");
        }
    }

    /// A folder deeper than PATH_MAX: no `open` accepts it, whoever runs the test (root
    /// included, unlike a mode-000 folder). Two chains are made under short paths, then the
    /// second is moved into the first's deepest folder.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_path_too_long_to_open_is_an_issue_naming_it() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        let name = "d".repeat(200);
        let chain = |top: &Path| {
            let mut p = top.to_path_buf();
            for _ in 0..15 {
                p.push(&name);
            }
            std::fs::create_dir_all(&p).unwrap();
            p
        };
        let a_end = chain(&r.join("a"));
        let b_end = chain(&r.join("b"));
        std::fs::write(b_end.join("Dockerfile"), "FROM x\n").unwrap();
        std::fs::rename(r.join("b"), a_end.join("b")).unwrap();
        std::fs::write(r.join("ok.txt"), "ok").unwrap();
        let walk = DirTree::open(r, Excludes::none()).unwrap().walk();
        assert_eq!(walk.entries.last().unwrap().rel, "ok.txt");
        assert!(!walk.issues.is_empty());
        let i = &walk.issues[0];
        assert!(i.rel.starts_with("a/ddd"), "{i:?}");
        assert_eq!(i.kind, IssueKind::Io);
        assert_eq!(i.cause, "File name too long (os error 36)");
    }

    #[test]
    fn a_rootfs_skips_proc_sys_dev_at_the_top_only() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::write(r.join("etc/os-release"), "ID=debian\n").unwrap();
        for p in ["proc/1", "sys/x", "dev/y", "usr/proc"] {
            std::fs::create_dir_all(r.join(p)).unwrap();
            std::fs::write(r.join(p).join("f"), "f").unwrap();
        }
        let tree = DirTree::open(r, Excludes::none()).unwrap();
        assert!(tree.is_rootfs());
        assert_eq!(rels(&tree.walk()), ["etc/os-release", "usr/proc/f"]);
        let f = r.join("etc/os-release");
        assert!(matches!(
            DirTree::open(&f, Excludes::none()),
            Err(WalkError::NotADirectory { .. })
        ));
    }

    #[test]
    fn open_path_on_a_file_walks_that_file_alone() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::write(r.join("etc/os-release"), "ID=debian\n").unwrap();
        std::fs::write(r.join("go.mod"), "module m\n").unwrap();
        std::fs::write(r.join("go.sum"), "").unwrap();
        let tree = DirTree::open_path(&r.join("go.mod"), Excludes::none()).unwrap();
        assert_eq!(tree.single_file(), Some("go.mod"));
        // A directory holding only it: not a root filesystem, its folder is the root.
        assert!(!tree.is_rootfs());
        assert_eq!(tree.root(), r.canonicalize().unwrap());
        assert_eq!(rels(&tree.walk()), ["go.mod"]);
        // `--exclude` still applies; a directory opens as with `open`.
        let excluded = DirTree::open_path(
            &r.join("go.mod"),
            Excludes::new(&["go.mod".into()]).unwrap(),
        )
        .unwrap();
        assert!(excluded.walk().entries.is_empty());
        let dir = DirTree::open_path(r, Excludes::none()).unwrap();
        assert_eq!(dir.single_file(), None);
        assert!(dir.is_rootfs());
        assert!(matches!(
            DirTree::open_path(&r.join("missing"), Excludes::none()),
            Err(WalkError::Root { .. })
        ));
    }
}
