//! Where blobs are read from: an OCI layout directory, a tar file (OCI archive or docker
//! archive, indexed once by entry name), or a registry (through the [`Registry`] trait the
//! caller implements). Nothing here verifies content: the readers in [`super`] hash every blob
//! as it streams and compare.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use vouch_digest::Digest;

use super::ImageError;

/// The registry side of an image read, implemented by the caller (vouch-resolve holds the
/// HTTP client, the tokens and the credentials). Errors are the caller's, shown as they are.
pub trait Registry: Sync {
    /// The manifest or index `reference` (a tag, or a digest as `sha256:…`) of the image's
    /// repository, at most `limit` bytes.
    fn manifest(&self, reference: &str, limit: u64) -> Result<Vec<u8>, RemoteError>;
    /// A blob of the image's repository, as a stream.
    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, RemoteError>;
}

/// A registry fault, as the [`Registry`] implementation describes it.
pub type RemoteError = Box<dyn std::error::Error + Send + Sync>;

/// One entry of a tar file: where its data starts and how long it is, or the link it is.
#[derive(Debug, Clone)]
pub(crate) struct TarEntry {
    offset: u64,
    size: u64,
    /// A symbolic link's target (legacy docker archives link `<id>/layer.tar` to
    /// `../<diffid>.tar`), resolved inside the archive.
    link: Option<String>,
}

/// How many entries an archive may have (its table is held in memory).
const MAX_ARCHIVE_ENTRIES: usize = 1_000_000;

pub(crate) enum Store<'r> {
    Dir(PathBuf),
    Tar {
        path: PathBuf,
        entries: HashMap<String, TarEntry>,
    },
    Registry(&'r dyn Registry),
}

impl<'r> Store<'r> {
    pub(crate) fn dir(path: &Path) -> Self {
        Self::Dir(path.to_owned())
    }

    /// Indexes the tar file at `path` by entry name (one pass over the headers; data is not
    /// read).
    pub(crate) fn tar(path: &Path) -> Result<Self, ImageError> {
        let io = |source| ImageError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = open_regular(path).map_err(io)?;
        let mut archive = tar::Archive::new(BufReader::new(file));
        let mut entries = HashMap::new();
        for entry in archive.entries_with_seek().map_err(io)? {
            let entry = entry.map_err(|e| ImageError::Archive {
                path: path.display().to_string(),
                reason: format!("not a readable tar file: {e}"),
            })?;
            if entries.len() >= MAX_ARCHIVE_ENTRIES {
                return Err(ImageError::Archive {
                    path: path.display().to_string(),
                    reason: format!("more than {MAX_ARCHIVE_ENTRIES} entries"),
                });
            }
            let Ok(name) = entry.path() else { continue };
            let Some(name) = normalise(&name.to_string_lossy()) else {
                continue;
            };
            let header = entry.header();
            let link = match header.entry_type() {
                tar::EntryType::Symlink => entry
                    .link_name()
                    .ok()
                    .flatten()
                    .map(|l| join_link(&name, &l.to_string_lossy())),
                tar::EntryType::Link => entry
                    .link_name()
                    .ok()
                    .flatten()
                    .and_then(|l| normalise(&l.to_string_lossy())),
                tar::EntryType::Regular | tar::EntryType::Continuous => None,
                _ => continue,
            };
            entries.insert(
                name,
                TarEntry {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                    link,
                },
            );
        }
        Ok(Self::Tar {
            path: path.to_owned(),
            entries,
        })
    }

    pub(crate) fn registry(registry: &'r dyn Registry) -> Self {
        Self::Registry(registry)
    }

    /// Whether the store holds the file `name` (archives and layouts only).
    pub(crate) fn has(&self, name: &str) -> bool {
        match self {
            Self::Dir(root) => root.join(name).symlink_metadata().is_ok(),
            Self::Tar { entries, .. } => entries.contains_key(name),
            Self::Registry(_) => false,
        }
    }

    /// Opens the file `name` of a layout or archive. Links inside an archive are followed
    /// inside the archive only (at most 8 hops); in a directory no link is followed.
    pub(crate) fn open(&self, name: &str) -> Result<(Box<dyn Read + Send>, u64), ImageError> {
        match self {
            Self::Dir(root) => {
                let path = root.join(name);
                let file = open_regular(&path).map_err(|source| ImageError::Io {
                    path: path.display().to_string(),
                    source,
                })?;
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                Ok((Box::new(BufReader::with_capacity(256 * 1024, file)), size))
            }
            Self::Tar { path, entries } => {
                let mut current = name.to_owned();
                for _ in 0..8 {
                    let entry = entries.get(&current).ok_or_else(|| ImageError::Missing {
                        what: format!("{}: entry", path.display()),
                        name: current.clone(),
                    })?;
                    if let Some(link) = &entry.link {
                        current = link.clone();
                        continue;
                    }
                    let io = |source| ImageError::Io {
                        path: path.display().to_string(),
                        source,
                    };
                    let mut file = open_regular(path).map_err(io)?;
                    file.seek(SeekFrom::Start(entry.offset)).map_err(io)?;
                    let reader = BufReader::with_capacity(256 * 1024, file).take(entry.size);
                    return Ok((Box::new(reader), entry.size));
                }
                Err(ImageError::Archive {
                    path: path.display().to_string(),
                    reason: format!("entry {name}: too many links"),
                })
            }
            Self::Registry(_) => Err(ImageError::Missing {
                what: "registry".into(),
                name: name.to_owned(),
            }),
        }
    }

    /// Opens the blob `digest` (`blobs/<algorithm>/<hex>` in a layout or archive).
    pub(crate) fn open_blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, ImageError> {
        match self {
            Self::Registry(r) => r.blob(digest).map_err(ImageError::Registry),
            _ => Ok(self.open(&blob_path(digest))?.0),
        }
    }

    /// Reads the whole file `name` of a layout or archive, at most `limit` bytes.
    pub(crate) fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        let (reader, _) = self.open(name)?;
        read_bounded(reader, limit, name)
    }

    /// Reads the manifest or index `digest` (from a registry: its manifest endpoint), at most
    /// `limit` bytes, and checks its digest.
    pub(crate) fn read_manifest(
        &self,
        digest: &Digest,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>, ImageError> {
        let bytes = match self {
            Self::Registry(r) => r
                .manifest(&digest.to_string(), limit)
                .map_err(ImageError::Registry)?,
            _ => read_bounded(self.open_blob(digest)?, limit, what)?,
        };
        check(digest, &bytes, what)?;
        Ok(bytes)
    }

    /// Reads the blob `digest`, at most `limit` bytes, and checks its digest.
    pub(crate) fn read_blob(
        &self,
        digest: &Digest,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>, ImageError> {
        let bytes = read_bounded(self.open_blob(digest)?, limit, what)?;
        check(digest, &bytes, what)?;
        Ok(bytes)
    }
}

/// `bytes` must hash to `expected`.
pub(crate) fn check(expected: &Digest, bytes: &[u8], what: &str) -> Result<(), ImageError> {
    let actual = super::hash(expected, bytes)?;
    if &actual != expected {
        return Err(ImageError::DigestMismatch {
            what: what.to_owned(),
            expected: expected.clone(),
            actual,
        });
    }
    Ok(())
}

pub(crate) fn read_bounded(
    reader: impl Read,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, ImageError> {
    let mut buf = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|source| ImageError::Io {
            path: what.to_owned(),
            source,
        })?;
    if buf.len() as u64 > limit {
        return Err(ImageError::TooLarge {
            what: what.to_owned(),
            limit,
        });
    }
    Ok(buf)
}

pub(crate) fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm(), digest.hex())
}

/// Opens `path` for reading when it is a regular file; a link, FIFO or device is refused
/// before anything is read.
fn open_regular(path: &Path) -> io::Result<File> {
    let meta = path.symlink_metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other(
            "not a regular file (links, FIFOs and devices are not read)",
        ));
    }
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(file)
}

/// An archive entry name without `./` and trailing `/`; `None` for names with `..`, empty or
/// absolute paths (never looked up).
fn normalise(name: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => out.push(p),
        }
    }
    if name.starts_with('/') || out.is_empty() {
        return None;
    }
    Some(out.join("/"))
}

/// A symbolic link's target as an entry name, resolved against the link's folder and kept
/// inside the archive (`..` above the top stays at the top).
fn join_link(name: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        name.split('/').collect::<Vec<_>>()
    };
    if !target.starts_with('/') {
        parts.pop();
    }
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_links() {
        assert_eq!(
            normalise("./blobs/sha256/ab").as_deref(),
            Some("blobs/sha256/ab")
        );
        assert_eq!(normalise("../x"), None);
        assert_eq!(normalise("/etc/passwd"), None);
        assert_eq!(join_link("abc/layer.tar", "../d.tar"), "d.tar");
        assert_eq!(join_link("abc/layer.tar", "../../../../d.tar"), "d.tar");
        assert_eq!(join_link("abc/layer.tar", "/x/y.tar"), "x/y.tar");
    }
}
