//! Safe writes: every file vouch writes (`-o`, `--vsa`, signature bundles, attestations, keys,
//! `pin`/`update` rewrites, `vouch.lock`) goes through [`write()`].
//!
//! The rules, in the order [`write()`] applies them to `path`:
//!
//! 1. `path` names a **directory**: [`WriteError::Directory`].
//! 2. `path` (after following symbolic links) is **not a regular file**: a character device or a
//!    FIFO (`/dev/null`, `/dev/stdout` on a terminal or a pipe, `/dev/full`, a named pipe) is
//!    written *through* (opened for writing, never replaced) when the options allow it
//!    ([`Special::WriteThrough`]); block devices, sockets and anything else, and every special
//!    file under [`Special::Refuse`], are refused with [`WriteError::NotRegular`]. The device
//!    node is never replaced by a regular file.
//! 3. `path` is a **symbolic link**: the chain is followed and its final target is the file
//!    replaced; the link itself stays a link (a dangling link creates its target).
//! 4. The target is an existing **regular file**: with no write bit at all it is refused
//!    ([`WriteError::ReadOnly`], also for root); otherwise it is replaced atomically (temporary
//!    file in the same folder, then `rename`), keeping its permission bits (`rwx` for owner,
//!    group and others; set-id and sticky bits are dropped) and, where the process may, its
//!    owner and group. [`Options::secret`] instead always sets `0600`.
//! 5. The target does not exist: it is created atomically with [`Options::new_mode`]
//!    (`0644` for results, `0600` for secrets), whatever the umask.
//!
//! Temporary files are named `.<file name>.vouch-tmp-<pid>-<random>` beside the target. A
//! process killed between creating one and renaming it leaves it behind; [`clean_stale`]
//! (called by every [`write()`] for the target's folder, and by `vouch pin`/`update` for every
//! folder they walk) removes the ones whose process is no longer running, and nothing else.
//!
//! ```
//! use vouch_fs::write::{write, Options, Written};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("sbom.json");
//! assert!(matches!(write(&path, b"{}\n", &Options::output()), Ok(Written::Created(_))));
//! assert!(matches!(write(&path, b"[]\n", &Options::output()), Ok(Written::Replaced(_))));
//! assert_eq!(std::fs::read(&path).unwrap(), b"[]\n");
//! ```

use std::fmt;
use std::fs::{self, Metadata, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// What sits between a temporary file's target name and its process id.
pub const TEMP_MARKER: &str = ".vouch-tmp-";

/// How many symbolic links [`write()`] follows before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// What to do when the path names a character device or a FIFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// Open it and write through it (`-o /dev/stdout`, `-o /dev/null`, a named pipe).
    WriteThrough,
    /// Refuse with [`WriteError::NotRegular`] (files vouch rewrites in place, keys).
    Refuse,
}

/// How [`write()`] treats the file at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Permission bits of a file vouch creates.
    pub new_mode: u32,
    /// Keep an existing regular file's permission bits (`false`: set [`Options::new_mode`]).
    pub keep_mode: bool,
    /// Character devices and FIFOs.
    pub special: Special,
    /// Replace an existing file (`false`: [`WriteError::Exists`]).
    pub overwrite: bool,
}

impl Options {
    /// Results (`-o`, `--vsa`, bundles, attestations): new files `0644`, existing files keep
    /// their mode, devices and FIFOs are written through.
    pub const fn output() -> Self {
        Self {
            new_mode: 0o644,
            keep_mode: true,
            special: Special::WriteThrough,
            overwrite: true,
        }
    }

    /// Files rewritten in place (`pin`, `update`, `vouch.lock`): like [`Options::output`], but
    /// anything other than a regular file is refused.
    pub const fn rewrite() -> Self {
        Self {
            special: Special::Refuse,
            ..Self::output()
        }
    }

    /// Private keys and other secrets: always `0600` (also when replacing a looser file),
    /// never written through a device or FIFO.
    pub const fn secret() -> Self {
        Self {
            new_mode: 0o600,
            keep_mode: false,
            special: Special::Refuse,
            overwrite: true,
        }
    }

    /// The same options, with [`Options::overwrite`] set.
    #[must_use]
    pub const fn overwrite(self, overwrite: bool) -> Self {
        Self { overwrite, ..self }
    }
}

/// What [`write()`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// A new regular file at this path (the target of a dangling link, or the path itself).
    Created(PathBuf),
    /// This existing regular file (the final target of any links) was replaced atomically.
    Replaced(PathBuf),
    /// The bytes were written through this character device or FIFO.
    Through(PathBuf),
}

/// A kind of file that is not a regular file or a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialKind {
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
    Other,
}

impl SpecialKind {
    fn of(meta: &Metadata) -> Self {
        let t = meta.file_type();
        if t.is_char_device() {
            Self::CharDevice
        } else if t.is_block_device() {
            Self::BlockDevice
        } else if t.is_fifo() {
            Self::Fifo
        } else if t.is_socket() {
            Self::Socket
        } else {
            Self::Other
        }
    }
}

impl fmt::Display for SpecialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CharDevice => "character device",
            Self::BlockDevice => "block device",
            Self::Fifo => "FIFO",
            Self::Socket => "socket",
            Self::Other => "special file",
        })
    }
}

/// The step of a write that failed with an I/O error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Inspect,
    ReadLink,
    Open,
    CreateTemp,
    Write,
    SetPermissions,
    Sync,
    Rename,
    Remove,
    List,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Inspect => "inspect",
            Self::ReadLink => "read the symbolic link",
            Self::Open => "open",
            Self::CreateTemp => "create a temporary file in",
            Self::Write => "write",
            Self::SetPermissions => "set the permissions of",
            Self::Sync => "flush",
            Self::Rename => "rename a temporary file onto",
            Self::Remove => "remove",
            Self::List => "list",
        })
    }
}

/// Why [`write()`] or [`clean_stale`] did not do its job.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error("{} is a directory, not a file", .path.display())]
    Directory { path: PathBuf },
    #[error("{} is a {found}, not a regular file; vouch does not write to it", .path.display())]
    NotRegular { path: PathBuf, found: SpecialKind },
    #[error(
        "{} is read-only (mode {mode:04o}); vouch does not replace a file without a write bit",
        .path.display()
    )]
    ReadOnly { path: PathBuf, mode: u32 },
    #[error("{} already exists", .path.display())]
    Exists { path: PathBuf },
    #[error("{}: more than {MAX_LINKS} symbolic links to follow", .path.display())]
    SymlinkLoop { path: PathBuf },
    #[error(
        "{} leads to {}, which is not the file {} opens; vouch does not write to it",
        .path.display(), .found.display(), .path.display()
    )]
    Unresolved { path: PathBuf, found: PathBuf },
    #[error("cannot write {}: no space left on the device", .path.display())]
    NoSpace {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot {op} {}", .path.display())]
    Io {
        op: Op,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn io(op: Op, path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| {
        if source.kind() == io::ErrorKind::StorageFull {
            WriteError::NoSpace {
                path: path.to_path_buf(),
                source,
            }
        } else {
            WriteError::Io {
                op,
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// Writes `data` to `path` under the rules of the module docs.
pub fn write(path: &Path, data: &[u8], options: &Options) -> Result<Written, WriteError> {
    write_from(path, options, |out| out.write_all(data))
}

/// Like [`write()`], for content made while it is written: `produce` gets the destination (the
/// temporary file for a regular file, else the device or FIFO) and writes everything into it,
/// so a large document is never held whole. An error from `produce` is a write error on `path`,
/// and a regular file is then left as it was.
pub fn write_from(
    path: &Path,
    options: &Options,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Written, WriteError> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(WriteError::Directory {
            path: path.to_path_buf(),
        }),
        Ok(meta) if meta.is_file() => {
            let target = resolve_links(path)?;
            match fs::symlink_metadata(&target) {
                Ok(m) if m.is_file() && m.dev() == meta.dev() && m.ino() == meta.ino() => {}
                _ => {
                    return Err(WriteError::Unresolved {
                        path: path.to_path_buf(),
                        found: target,
                    });
                }
            }
            if !options.overwrite {
                return Err(WriteError::Exists { path: target });
            }
            let mode = meta.mode() & 0o7777;
            if mode & 0o222 == 0 {
                return Err(WriteError::ReadOnly { path: target, mode });
            }
            replace(&target, produce, Some(&meta), options)?;
            Ok(Written::Replaced(target))
        }
        Ok(meta) => {
            let found = SpecialKind::of(&meta);
            let through = matches!(found, SpecialKind::CharDevice | SpecialKind::Fifo)
                && options.special == Special::WriteThrough;
            if !through {
                return Err(WriteError::NotRegular {
                    path: path.to_path_buf(),
                    found,
                });
            }
            let mut file = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(io(Op::Open, path))?;
            produce(&mut file).map_err(io(Op::Write, path))?;
            file.flush().map_err(io(Op::Write, path))?;
            Ok(Written::Through(path.to_path_buf()))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // The path itself, or the missing target of a (chain of) symbolic link(s).
            let target = resolve_links(path)?;
            replace(&target, produce, None, options)?;
            Ok(Written::Created(target))
        }
        Err(e) => {
            // A loop of symbolic links (ELOOP) is named as such; anything else as it is.
            resolve_links(path)?;
            Err(io(Op::Inspect, path)(e))
        }
    }
}

/// The folder holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Follows the symbolic links of `path`'s last component to the name that is not a link
/// (which may not exist).
fn resolve_links(path: &Path) -> Result<PathBuf, WriteError> {
    let mut current = path.to_path_buf();
    for _ in 0..=MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&current).map_err(io(Op::ReadLink, &current))?;
                current = if to.is_absolute() {
                    to
                } else {
                    parent(&current).join(to)
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(io(Op::Inspect, &current)(e)),
        }
    }
    Err(WriteError::SymlinkLoop {
        path: path.to_path_buf(),
    })
}

/// Writes a temporary file beside `target`, gives it its mode and owner, flushes it to disk
/// and renames it onto `target`.
fn replace(
    target: &Path,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    existing: Option<&Metadata>,
    options: &Options,
) -> Result<(), WriteError> {
    let dir = parent(target);
    let Some(name) = target.file_name() else {
        return Err(WriteError::Directory {
            path: target.to_path_buf(),
        });
    };
    // Best effort: a folder vouch cannot list still gets its file.
    let _ = clean_stale(dir);
    let prefix = format!(
        ".{}{TEMP_MARKER}{}-",
        name.to_string_lossy(),
        std::process::id()
    );
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(6)
        .tempfile_in(dir)
        .map_err(io(Op::CreateTemp, dir))?;
    produce(&mut tmp).map_err(io(Op::Write, target))?;
    let mode = match existing {
        Some(meta) => {
            // Owner first: changing it clears set-id bits, which the mode below then sets.
            // Only root may give a file away; anyone else keeps their own ownership.
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
            if options.keep_mode {
                meta.mode() & 0o777
            } else {
                options.new_mode
            }
        }
        None => options.new_mode,
    };
    tmp.as_file()
        .set_permissions(Permissions::from_mode(mode))
        .map_err(io(Op::SetPermissions, target))?;
    tmp.as_file().sync_all().map_err(io(Op::Sync, target))?;
    let persisted = if options.overwrite {
        tmp.persist(target)
    } else {
        tmp.persist_noclobber(target)
    };
    match persisted {
        Ok(_) => Ok(()),
        Err(e) if !options.overwrite && e.error.kind() == io::ErrorKind::AlreadyExists => {
            Err(WriteError::Exists {
                path: target.to_path_buf(),
            })
        }
        Err(e) => Err(io(Op::Rename, target)(e.error)),
    }
}

/// The process id in a temporary file name vouch made (`.<name>.vouch-tmp-<pid>-<random>`).
fn temp_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?;
    let (_, tail) = rest.rsplit_once(TEMP_MARKER)?;
    let (pid, random) = tail.split_once('-')?;
    let valid = !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && random.len() == 6
        && random.bytes().all(|b| b.is_ascii_alphanumeric());
    if valid { pid.parse().ok() } else { None }
}

/// Whether `file_name` is the name of a temporary file [`write()`] makes
/// (`.<name>.vouch-tmp-<pid>-<random>`), whether or not its process still runs.
pub fn is_temp_name(file_name: &str) -> bool {
    temp_pid(file_name).is_some()
}

/// Removes the temporary files vouch left in `dir` (named `.<name>.vouch-tmp-<pid>-<random>`,
/// regular files) whose process is no longer running; returns their paths. Nothing else is
/// touched. Without `/proc` it cannot tell a running process from a dead one and removes
/// nothing.
pub fn clean_stale(dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return Ok(Vec::new());
    }
    let own = std::process::id();
    let mut removed = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(Op::List, dir))? {
        let entry = entry.map_err(io(Op::List, dir))?;
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_pid) else {
            continue;
        };
        if pid == own || proc.join(pid.to_string()).exists() {
            continue;
        }
        let path = entry.path();
        match fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => {}
            _ => continue,
        }
        match fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(Op::Remove, &path)(e)),
        }
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised_exactly() {
        assert_eq!(temp_pid(".Dockerfile.vouch-tmp-123-aB3xY9"), Some(123));
        assert_eq!(temp_pid(".a.vouch-tmp-b.vouch-tmp-7-abcdef"), Some(7));
        assert_eq!(temp_pid("Dockerfile.vouch-tmp-123-aB3xY9"), None);
        assert_eq!(temp_pid(".Dockerfile.vouch-tmp-123-aB3xY"), None);
        assert_eq!(temp_pid(".Dockerfile.vouch-tmp-12x-aB3xY9"), None);
        assert_eq!(temp_pid(".Dockerfile.vouch-tmp--aB3xY9"), None);
        assert_eq!(temp_pid(".Dockerfile.tmp123"), None);
    }
}
