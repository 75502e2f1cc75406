//! Bounded reads (see the crate docs).
//!
//! Every file vouch reads goes through [`read()`] (or [`read_into`], [`read_to_string`]):
//!
//! - the file is opened with `O_NONBLOCK` (and `O_NOCTTY`) and its type is checked with `fstat`
//!   on the opened handle *before* any byte is read, so a FIFO never blocks and a device
//!   (`/dev/zero`, a terminal), a socket or a directory is refused with
//!   [`ReadError::NotRegular`];
//! - at most `limit + 1` bytes are read: a file that yields more than `limit` bytes is
//!   [`ReadError::TooLarge`] whatever its metadata says (`/proc` files report a size of 0);
//! - files the scanned repository controls (`.vouch/*`, Rego modules, lockfiles) are read with
//!   [`read_in_root`] / [`read_to_string_in_root`], which also refuse a path whose canonical
//!   form (after following every symbolic link) is outside the repository
//!   ([`ReadError::OutsideRoot`]).
//!
//! Errors name the path, never the content. [`Location`] turns a byte offset into the
//! `path:line:column` that parse errors print instead of a source snippet.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("a.txt");
//! std::fs::write(&path, "hello").unwrap();
//! assert_eq!(vouch_fs::read::read(&path, 16).unwrap(), b"hello");
//! let err = vouch_fs::read::read(&path, 4).unwrap_err();
//! assert!(matches!(err, vouch_fs::read::ReadError::TooLarge { limit: 4, .. }));
//! ```

use std::fmt;
use std::fs::File;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// One kibibyte, for writing limits.
pub const KIB: u64 = 1024;
/// One mebibyte, for writing limits.
pub const MIB: u64 = 1024 * 1024;

/// What a path turned out to be when it was not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileType {
    Directory,
    Symlink,
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
    Unknown,
}

impl FileType {
    fn of(ft: std::fs::FileType) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt as _;
            if ft.is_fifo() {
                return Self::Fifo;
            }
            if ft.is_char_device() {
                return Self::CharDevice;
            }
            if ft.is_block_device() {
                return Self::BlockDevice;
            }
            if ft.is_socket() {
                return Self::Socket;
            }
        }
        if ft.is_dir() {
            Self::Directory
        } else if ft.is_symlink() {
            Self::Symlink
        } else {
            Self::Unknown
        }
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Directory => "directory",
            Self::Symlink => "symbolic link",
            Self::Fifo => "FIFO",
            Self::CharDevice => "character device",
            Self::BlockDevice => "block device",
            Self::Socket => "socket",
            Self::Unknown => "special file",
        })
    }
}

/// Why a file could not be read. Messages name the path and never quote the file's content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened (missing, permissions, ...).
    #[error("could not open {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The path is a directory, FIFO, device or socket.
    #[error("{} is not a regular file (it is a {found})", path.display())]
    NotRegular { path: PathBuf, found: FileType },
    /// The file yielded more than `limit` bytes.
    #[error("{} is larger than the {limit} byte limit", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    /// Reading failed part way.
    #[error("could not read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 (only from the `*_to_string` readers).
    #[error("{} is not UTF-8 (first bad byte at offset {offset})", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
    /// A repository-controlled path resolves (through a symbolic link) outside the repository.
    #[error(
        "{} resolves outside the repository {} (a symbolic link that leaves the repository is not followed)",
        path.display(),
        root.display()
    )]
    OutsideRoot { path: PathBuf, root: PathBuf },
}

impl ReadError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Open { path, .. }
            | Self::NotRegular { path, .. }
            | Self::TooLarge { path, .. }
            | Self::Read { path, .. }
            | Self::NotUtf8 { path, .. }
            | Self::OutsideRoot { path, .. } => path,
        }
    }

    /// The message without the path, for walkers whose warnings already name the file:
    /// `not a regular file (it is a FIFO)`, `could not open: <io error>`.
    pub fn reason(&self) -> String {
        match self {
            Self::Open { source, .. } => format!("could not open: {source}"),
            Self::NotRegular { found, .. } => format!("not a regular file (it is a {found})"),
            Self::TooLarge { limit, .. } => format!("larger than the {limit} byte limit"),
            Self::Read { source, .. } => format!("could not read: {source}"),
            Self::NotUtf8 { offset, .. } => {
                format!("not UTF-8 (first bad byte at offset {offset})")
            }
            Self::OutsideRoot { root, .. } => format!(
                "resolves outside the repository {} (a symbolic link that leaves the repository is not followed)",
                root.display()
            ),
        }
    }

    /// True when the file is simply absent (callers with optional files use this).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Open { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Open `path` for reading without blocking on a FIFO, and refuse anything but a regular file.
///
/// The type check is `fstat` on the opened handle, so what is checked is what is read.
pub fn open(path: &Path) -> Result<File, ReadError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(|source| ReadError::Open {
        path: path.to_owned(),
        source,
    })?;
    let meta = file.metadata().map_err(|source| ReadError::Read {
        path: path.to_owned(),
        source,
    })?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            path: path.to_owned(),
            found: FileType::of(meta.file_type()),
        });
    }
    Ok(file)
}

/// Read the regular file `path` into `buf` (cleared first), at most `limit` bytes.
///
/// More than `limit` bytes is [`ReadError::TooLarge`], decided on the bytes actually read
/// (`limit + 1` at most), never on metadata alone; `buf` then holds no more than `limit + 1`
/// bytes. Reusing `buf` across files avoids an allocation per file in walkers.
pub fn read_into(path: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    buf.clear();
    let file = open(path)?;
    read_open_into(file, path, limit, buf)
}

/// [`read_into`] for a file already opened by [`open`].
fn read_open_into(file: File, path: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    buf.clear();
    // A regular file that already says it is too large is not read at all.
    let size = file.metadata().map(|m| m.len()).ok();
    if size.is_some_and(|len| len > limit) {
        return Err(ReadError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    // Room for the size the file says it has (and one byte to see it end), so a large file
    // is read without the copies of a doubling buffer. The size is a hint only: the limit is
    // still decided on the bytes read.
    if let Some(len) = size.and_then(|len| usize::try_from(len.saturating_add(1)).ok()) {
        buf.reserve_exact(len);
    }
    file.take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(|source| ReadError::Read {
            path: path.to_owned(),
            source,
        })?;
    if buf.len() as u64 > limit {
        buf.clear();
        return Err(ReadError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(())
}

/// Read the regular file `path`, at most `limit` bytes (see [`read_into`]).
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    read_into(path, limit, &mut buf)?;
    Ok(buf)
}

/// Read the regular file `path` as UTF-8 text, at most `limit` bytes.
pub fn read_to_string(path: &Path, limit: u64) -> Result<String, ReadError> {
    utf8(path, read(path, limit)?)
}

fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_owned(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Check that `path` (which may be relative to the working directory) resolves inside `root`
/// after following every symbolic link, and return its canonical form.
pub fn inside_root(root: &Path, path: &Path) -> Result<PathBuf, ReadError> {
    inside_root_canonical(root, path).map(|(_, canon)| canon)
}

/// The canonical root and the canonical path inside it.
fn inside_root_canonical(root: &Path, path: &Path) -> Result<(PathBuf, PathBuf), ReadError> {
    let canon_root = root.canonicalize().map_err(|source| ReadError::Open {
        path: root.to_owned(),
        source,
    })?;
    let canon = path.canonicalize().map_err(|source| ReadError::Open {
        path: path.to_owned(),
        source,
    })?;
    if !canon.starts_with(&canon_root) {
        return Err(ReadError::OutsideRoot {
            path: path.to_owned(),
            root: root.to_owned(),
        });
    }
    Ok((canon_root, canon))
}

/// Read a file the repository at `root` controls (`.vouch/*.toml`, Rego modules, lockfiles):
/// like [`read()`], and also refused when it resolves outside `root` through a symbolic link.
///
/// The file opened is the canonical path that was checked, so a symbolic link cannot be
/// swapped in for the file between the check and the open. A parent folder swapped for a link
/// in that window is caught after the open: on Linux the opened file's own path (the
/// `/proc/self/fd` link of the descriptor) must still be inside `root`, else
/// [`ReadError::OutsideRoot`] and nothing is read.
pub fn read_in_root(root: &Path, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (canon_root, canon) = inside_root_canonical(root, path)?;
    let file = open(&canon).map_err(|e| with_path(e, path))?;
    if opened_outside(&file, &canon_root) {
        return Err(ReadError::OutsideRoot {
            path: path.to_owned(),
            root: root.to_owned(),
        });
    }
    let mut buf = Vec::new();
    read_open_into(file, &canon, limit, &mut buf).map_err(|e| with_path(e, path))?;
    Ok(buf)
}

/// Whether the file behind `file` is known to lie outside `canon_root`, by the path the kernel
/// gives its descriptor. Where that path cannot be read (no `/proc`), the check before the open
/// is all there is.
fn opened_outside(file: &File, canon_root: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd as _;
        let link = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        if let Ok(actual) = std::fs::read_link(link) {
            return !actual.starts_with(canon_root);
        }
    }
    let _ = (file, canon_root);
    false
}

/// [`read_in_root`] as UTF-8 text.
pub fn read_to_string_in_root(root: &Path, path: &Path, limit: u64) -> Result<String, ReadError> {
    utf8(path, read_in_root(root, path, limit)?)
}

/// Errors name the path the caller gave, not the canonical one it resolved to.
fn with_path(e: ReadError, shown: &Path) -> ReadError {
    let path = shown.to_owned();
    match e {
        ReadError::Open { source, .. } => ReadError::Open { path, source },
        ReadError::NotRegular { found, .. } => ReadError::NotRegular { path, found },
        ReadError::TooLarge { limit, .. } => ReadError::TooLarge { path, limit },
        ReadError::Read { source, .. } => ReadError::Read { path, source },
        ReadError::NotUtf8 { offset, .. } => ReadError::NotUtf8 { path, offset },
        ReadError::OutsideRoot { root, .. } => ReadError::OutsideRoot { path, root },
    }
}

/// A position in a file, for parse errors: `path:line:column` (both 1-based, the column
/// counted in characters). Parse errors print this and the parser's message, never the
/// source line (the file may hold secrets, or be a link to `/proc/self/environ`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The line and column of byte `offset` in `text` (clamped to the end of the text).
    pub fn at(path: impl Into<String>, text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[start..].chars().count() + 1;
        Self {
            path: path.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn a_descriptor_is_judged_by_the_file_it_opened() {
        let root = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("in.toml"), "a = 1").unwrap();
        std::fs::write(other.path().join("out.toml"), "a = 1").unwrap();
        let canon_root = root.path().canonicalize().unwrap();
        let inside = File::open(root.path().join("in.toml")).unwrap();
        let outside = File::open(other.path().join("out.toml")).unwrap();
        assert!(!super::opened_outside(&inside, &canon_root));
        assert!(super::opened_outside(&outside, &canon_root));
    }

    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "a = 1\nbé = x\n";
        assert_eq!(Location::at("f", text, 0).to_string(), "f:1:1");
        assert_eq!(Location::at("f", text, 6).to_string(), "f:2:1");
        // `x` is after the two-byte `é`: column counts characters
        let x = text.find('x').unwrap();
        assert_eq!(Location::at("f", text, x).to_string(), "f:2:6");
        assert_eq!(Location::at("f", text, 999).line, 3);
        // an offset inside a character is moved back to its start
        assert_eq!(Location::at("f", text, 8).to_string(), "f:2:2");
    }
}
