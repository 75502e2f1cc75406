//! Finding and parsing every supported file below a root: the one module of this crate that
//! touches the file system.
//!
//! - The walk is the one walker of every capability ([`vouch_fs::walk`], rules in
//!   docs/walk.md): parallel, no ignore file honoured (an SBOM lists what is there, ignored or
//!   not), `.git` skipped, `--exclude` globs applied, symbolic links never descended into.
//!   Files are read through the [`vouch_fs::walk::Tree`].
//! - Symbolic links are never followed to directories: in a root filesystem they are aliases
//!   (`lib -> usr/lib`) or point outside the root, so descending would double-count or escape;
//!   with no directory links followed, a link loop cannot arise. A link to a *file* that
//!   [`detect`] recognises is read when its target resolves inside the root, and
//!   reported as a warning otherwise.
//! - When the root is a root filesystem (it has `etc/os-release` or `usr/lib/os-release`),
//!   `proc`, `sys` and `dev` at its top are skipped and the distro qualifies OS package purls.
//! - Unreadable files, files over the size limit and parse errors are [`Warning`]s naming the
//!   file (and line/column); the rest of the tree is still inventoried.

use std::path::Path;

use rayon::prelude::*;
use vouch_fs::walk::{DirTree, EntryKind, Excludes, Tree, Walk};

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

/// Why a walk could not start (the one walker's error). Problems below the root are warnings,
/// not errors.
pub use vouch_fs::walk::WalkError;

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

/// Why an inventory could not start: the walk's own errors, or a single file given as the root
/// that is not a kind vouch inventories.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InventoryError {
    #[error(transparent)]
    Walk(#[from] WalkError),
    #[error(
        "{} is not a lockfile, package database or CI file vouch inventories (supported names: see docs/sbom.md#supported-files)",
        path.display()
    )]
    UnknownFile { path: std::path::PathBuf },
}

/// Inventories everything below `root`, or `root` alone when it is a file (as a directory
/// holding only it; see [`open`]). `subject` names it in the result (as given by the user).
pub fn inventory(
    root: &Path,
    subject: &str,
    options: &WalkOptions,
    progress: &dyn Progress,
) -> Result<Inventory, InventoryError> {
    let tree = open(root, &options.excludes)?;
    if let Some(name) = tree.single_file()
        && detect_in(&tree, name).is_none()
        && !tree
            .read_head(name, HEAD_LEN)
            .is_ok_and(|head| crate::detect_content(&head).is_some())
    {
        return Err(InventoryError::UnknownFile {
            path: root.to_owned(),
        });
    }
    let walked = tree.walk_with(&|| progress.entry());
    Ok(inventory_walked(&tree, &walked, subject, options, progress))
}

/// The tree at `root` with `excludes`, for [`inventory_walked`]: a directory, or a single
/// file as a directory holding only it ([`DirTree::open_path`]: files beside it are still read
/// as a parser's siblings — a `go.sum`, a yarn workspace's `package.json` — but nothing else
/// is inventoried, and the folder is not taken for a root filesystem).
pub fn open(root: &Path, excludes: &[String]) -> Result<DirTree, WalkError> {
    DirTree::open_path(root, Excludes::new(excludes)?)
}

/// Inventories the entries of one walk of `tree` (the walk `vouch scan` shares with every
/// check). Walk issues become [`WarningKind::Walk`] warnings.
pub fn inventory_walked(
    tree: &DirTree,
    walked: &Walk,
    subject: &str,
    options: &WalkOptions,
    progress: &dyn Progress,
) -> Inventory {
    let root = tree.root();
    // A single file is a directory holding only it: no os-release beside it counts.
    let single = tree.single_file().is_some();
    let distro = if single { None } else { read_distro(root) };
    let host = Host {
        tree,
        detect: &|rel| detect_in(tree, rel),
        siblings: &|rel| {
            let path = tree.path(rel);
            let dir = path.parent().unwrap_or(root).to_owned();
            Box::new(DirSiblings {
                root: root.to_owned(),
                dir,
                limit: options.max_file_size,
            })
        },
        nested_distro: &|prefix| {
            if single {
                None
            } else {
                read_distro(&root.join(prefix))
            }
        },
        binaries: Some(&|rel| scan_binary(tree, rel)),
    };
    inventory_in(
        &host,
        walked,
        subject,
        distro,
        options,
        progress,
        Vec::new(),
    )
}

/// Inventories an image's merged filesystem (or any other [`Tree`] that is not a directory on
/// disk): the same detection and parsers as for a directory; siblings and `os-release` are
/// read through the tree, links resolved by it.
///
/// `executables` are the results of files scanned elsewhere (an image's executables, streamed
/// through [`crate::binary::Scanner`] while its layers were read): `(path, result)`.
pub fn inventory_tree(
    tree: &dyn Tree,
    walked: &Walk,
    subject: &str,
    options: &WalkOptions,
    progress: &dyn Progress,
    executables: Vec<(String, Result<Parsed, Warning>)>,
) -> Inventory {
    let distro = distro_in(tree, "");
    let host = Host {
        tree,
        detect: &|rel| detect(rel),
        siblings: &|rel| {
            Box::new(TreeSiblings {
                tree,
                dir: rel
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| d.to_owned()),
                limit: options.max_file_size,
            })
        },
        nested_distro: &|prefix| distro_in(tree, prefix),
        binaries: None,
    };
    inventory_in(
        &host,
        walked,
        subject,
        distro,
        options,
        progress,
        executables,
    )
}

/// Scans the executable at a path of the tree.
type ScanExecutable<'a> = dyn Fn(&str) -> Result<Parsed, Warning> + Sync + 'a;

/// What differs between trees: how a path's kind is told, how a parser's siblings are read,
/// and where the distro of a nested root filesystem comes from.
struct Host<'a> {
    tree: &'a dyn Tree,
    detect: &'a (dyn Fn(&str) -> Option<FileKind> + Sync),
    siblings: &'a (dyn Fn(&str) -> Box<dyn Siblings + 'a> + Sync),
    nested_distro: &'a (dyn Fn(&str) -> Option<Distro> + Sync),
    /// How an executable is scanned, when the tree's files can be streamed from it (a
    /// directory); an image's executables are scanned while its layers stream instead.
    binaries: Option<&'a ScanExecutable<'a>>,
}

fn inventory_in(
    host: &Host<'_>,
    walked: &Walk,
    subject: &str,
    distro: Option<Distro>,
    options: &WalkOptions,
    progress: &dyn Progress,
    executables: Vec<(String, Result<Parsed, Warning>)>,
) -> Inventory {
    let mut warnings: Vec<Warning> = walked
        .issues
        .iter()
        .map(|i| Warning {
            path: i.rel.clone(),
            line: None,
            column: None,
            message: format!("{WALK_ERROR}: {}", i.cause),
            kind: WarningKind::Walk,
        })
        .collect();
    // Files named as a kind vouch reads, and every other regular file, whose first bytes say
    // whether it is an executable (links are not: their target is walked itself).
    let candidates: Vec<Candidate> = walked
        .entries
        .iter()
        .filter_map(|e| match (host.detect)(&e.rel) {
            Some(kind) => Some(Candidate {
                rel: e.rel.clone(),
                kind: Some(kind),
                is_link: e.kind == EntryKind::Symlink,
            }),
            None if host.binaries.is_some()
                && e.kind == EntryKind::File
                && !(e.size > 0 && e.size < MIN_EXECUTABLE) =>
            {
                Some(Candidate {
                    rel: e.rel.clone(),
                    kind: None,
                    is_link: false,
                })
            }
            None => None,
        })
        .collect();

    let results: Vec<(String, FileKind, Result<Parsed, Warning>)> = candidates
        .into_par_iter()
        .filter_map(|c| {
            let kind = match c.kind {
                Some(kind) => kind,
                None => match sniff(host.tree, &c.rel) {
                    Ok(Some(kind)) => kind,
                    Ok(None) => return None,
                    Err(w) => return Some((c.rel, FileKind::Binary, Err(w))),
                },
            };
            let parsed = match host.binaries {
                Some(scan) if kind == FileKind::Binary => scan(&c.rel),
                _ => read_and_parse(host, &c, kind, options),
            };
            progress.parsed(&c.rel);
            Some((c.rel, kind, parsed))
        })
        .collect();
    let mut parsed = Vec::with_capacity(results.len());
    let executables = executables
        .into_iter()
        .map(|(rel, result)| (rel, FileKind::Binary, result));
    for (rel, kind, result) in results.into_iter().chain(executables) {
        match result {
            Ok(p) => parsed.push((rel, kind, p)),
            Err(w) => warnings.push(w),
        }
    }
    parsed.sort_by(|a, b| a.0.cmp(&b.0));
    let distro = distro.or_else(|| nested_distro(host, &parsed));
    Inventory::build(subject, distro, parsed, warnings)
}

/// The kind of `rel` in `tree`. A single file ([`DirTree::open_path`]) is detected by its
/// whole path, since its folder decides some kinds (`.github/workflows/ci.yml`,
/// `var/lib/dpkg/status`); its evidence path stays its name.
fn detect_in(tree: &DirTree, rel: &str) -> Option<FileKind> {
    match tree.single_file() {
        Some(_) => {
            detect(&tree.path(rel).to_string_lossy().replace('\\', "/")).or_else(|| detect(rel))
        }
        None => detect(rel),
    }
}

struct Candidate {
    rel: String,
    /// `None`: not named as a kind vouch reads; its first bytes decide ([`sniff`]).
    kind: Option<FileKind>,
    is_link: bool,
}

/// Bytes read from an unnamed file to tell whether it is an executable.
const HEAD_LEN: u64 = 64;
/// Files known to be shorter than this cannot hold an ELF header.
const MIN_EXECUTABLE: u64 = 52;

/// The kind of a file vouch reads by content ([`crate::detect_content`]), from
/// [`Tree::read_head`](vouch_fs::walk::Tree::read_head).
fn sniff(tree: &dyn Tree, rel: &str) -> Result<Option<FileKind>, Warning> {
    let head = tree.read_head(rel, HEAD_LEN).map_err(|e| Warning {
        path: rel.to_owned(),
        line: None,
        column: None,
        message: format!(
            "cannot read to tell whether it is an executable: {}",
            e.reason()
        ),
        kind: WarningKind::Input,
    })?;
    Ok(crate::detect_content(&head))
}

/// Streams an executable through [`crate::binary::Scanner`] in chunks: the file is never held
/// in memory, so no size limit applies (the scanner's memory is bounded; see its docs). First,
/// since a directory allows it, [`crate::binary::may_hold_components`] reads the section table
/// and skips a file that names no section with components.
fn scan_binary(tree: &DirTree, rel: &str) -> Result<Parsed, Warning> {
    let warn = |message: String| Warning {
        path: rel.to_owned(),
        line: None,
        column: None,
        message,
        kind: WarningKind::Input,
    };
    let mut file = vouch_fs::read::open(&tree.path(rel)).map_err(|e| warn(e.reason()))?;
    // A directory can be read anywhere: an ELF file whose section table names no section
    // with components (most of a root filesystem: C programs and libraries) is not streamed.
    let may = crate::binary::may_hold_components(&mut file)
        .map_err(|e| warn(format!("could not read: {e}")))?;
    if !may {
        return Ok(Parsed::default());
    }
    std::io::Seek::rewind(&mut file).map_err(|e| warn(format!("could not read: {e}")))?;
    crate::binary::scan_reader(file)
        .map(crate::binary::Scan::into_parsed)
        .map_err(|e| warn(format!("could not read: {e}")))
}

fn read_and_parse(
    host: &Host<'_>,
    c: &Candidate,
    kind: FileKind,
    options: &WalkOptions,
) -> Result<Parsed, Warning> {
    let tree = host.tree;
    let warn = |message: String| Warning {
        path: c.rel.clone(),
        line: None,
        column: None,
        message,
        kind: WarningKind::Input,
    };
    let rel = if c.is_link {
        tree.read_link(&c.rel).map_err(|e| warn(e.to_string()))?
    } else {
        c.rel.clone()
    };
    // A FIFO or device is refused before a byte is read; the size limit is checked on the
    // bytes read (a file under /proc says it has 0 bytes).
    let bytes = tree
        .read(&rel, options.max_file_size)
        .map_err(|e| match e {
            vouch_fs::read::ReadError::TooLarge { limit, .. } => {
                warn(format!("skipped: over the {limit}-byte limit"))
            }
            e => warn(e.reason()),
        })?;
    let siblings = (host.siblings)(&rel);
    let source = Source {
        path: &c.rel,
        bytes: &bytes,
        siblings: siblings.as_ref(),
    };
    parse(kind, &source).map_err(|e| Warning {
        path: c.rel.clone(),
        line: e.line,
        column: e.column,
        message: format!("cannot parse {}: {}", kind.label(), e.message),
        kind: WarningKind::Input,
    })
}

/// Reads files beside a parsed file, refusing any path that resolves outside the root.
struct DirSiblings {
    root: std::path::PathBuf,
    dir: std::path::PathBuf,
    /// The walk's size limit, checked on the bytes read.
    limit: u64,
}

impl Siblings for DirSiblings {
    fn read(&self, relative: &str) -> Option<Vec<u8>> {
        vouch_fs::read::read_in_root(&self.root, &self.dir.join(relative), self.limit).ok()
    }
}

/// Reads files beside a parsed file through a [`Tree`]: the path is resolved inside the tree
/// (`..` never climbs above its top), links through the tree's own resolution.
struct TreeSiblings<'a> {
    tree: &'a dyn Tree,
    dir: String,
    limit: u64,
}

impl Siblings for TreeSiblings<'_> {
    fn read(&self, relative: &str) -> Option<Vec<u8>> {
        let mut parts: Vec<&str> = if relative.starts_with('/') {
            Vec::new()
        } else {
            self.dir.split('/').filter(|p| !p.is_empty()).collect()
        };
        for part in relative.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                p => parts.push(p),
            }
        }
        let rel = parts.join("/");
        let rel = self.tree.read_link(&rel).unwrap_or(rel);
        self.tree.read(&rel, self.limit).ok()
    }
}

/// The distro of the root filesystem at `prefix` of `tree` (`""` for its top), read through
/// the tree (an `etc/os-release` link to `../usr/lib/os-release` resolves inside it).
pub fn distro_in(tree: &dyn Tree, prefix: &str) -> Option<Distro> {
    ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|rel| {
            let rel = format!("{prefix}{rel}");
            let rel = tree.read_link(&rel).unwrap_or(rel);
            let bytes = tree.read(&rel, MAX_OS_RELEASE_LEN).ok()?;
            os_release::parse(std::str::from_utf8(&bytes).ok()?)
        })
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
fn nested_distro(host: &Host<'_>, parsed: &[(String, FileKind, Parsed)]) -> Option<Distro> {
    let (rel, kind, _) = parsed.iter().find(|(_, k, _)| k.is_os())?;
    let marker = match kind {
        FileKind::ApkInstalled => "lib/apk/db/installed",
        FileKind::RpmSqlite => "var/lib/rpm/",
        _ => "var/lib/dpkg/",
    };
    let prefix = &rel[..rel.find(marker)?];
    (host.nested_distro)(prefix)
}
