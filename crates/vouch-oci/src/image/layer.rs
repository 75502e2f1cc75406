//! Streaming one layer: decompress (gzip, zstd incl. `zstd:chunked`, or none, told by the
//! bytes), hash the blob and the uncompressed tar as they stream, read the tar's entries with
//! their whiteouts, and keep only the content the caller asked for. Nothing is written to disk.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use vouch_digest::{Digest, Sha256Writer};

use super::{ImageError, Layer, LayerLocation};

/// The bounds of one image read (docs/images.md "Caps"). Each cap reached is an error for the
/// whole image, except the per-file ones, which are issues naming the file.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    /// Uncompressed bytes of one layer (default 8 GiB).
    pub layer: u64,
    /// Uncompressed bytes of all layers together (default 32 GiB).
    pub image: u64,
    /// Once a layer has produced more than `ratio_after` bytes (default 256 MiB), its
    /// uncompressed size may be at most `ratio` times what was read compressed so far
    /// (default 200): a decompression bomb is refused after reading about `ratio_after` bytes
    /// of output, not after the per-layer cap.
    pub ratio: u64,
    pub ratio_after: u64,
    /// Entries of all layers together (default 2,000,000).
    pub entries: usize,
    /// Largest file whose content is kept (default 256 MiB); a larger wanted file is an issue.
    pub file: u64,
    /// Content kept for the whole image (default 1 GiB).
    pub kept: u64,
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            layer: 8 << 30,
            image: 32 << 30,
            ratio: 200,
            ratio_after: 256 << 20,
            entries: 2_000_000,
            file: 256 << 20,
            kept: 1 << 30,
        }
    }
}

/// One regular file of one layer as it streams past, for [`Scan::visit`]: every file of every
/// layer, including those a later layer deletes or replaces.
pub struct Visit<'a> {
    /// Index of the layer (0 = the base).
    pub layer: usize,
    /// Path in the image, without the leading `/`.
    pub path: &'a str,
    pub mode: u32,
    pub size: u64,
}

/// Called with every regular file of every layer and its content as a stream.
pub type Visitor<'a> = dyn Fn(&Visit<'_>, &mut dyn Read) + Sync + 'a;

/// What to do while the layers stream.
pub struct Scan<'a> {
    /// Which files' content to keep in the tree (by path, no leading `/`): package databases,
    /// lockfiles, `os-release`. Everything else is listed with its metadata only.
    pub retain: &'a (dyn Fn(&str) -> bool + Sync),
    /// Called with every regular file's content as a stream (from several threads).
    pub visit: Option<&'a Visitor<'a>>,
    pub caps: Caps,
    /// Called once per tar entry (from several threads), for a progress display.
    pub progress: Option<&'a (dyn Fn() + Sync)>,
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Dir => "dir",
            Self::Symlink => "symlink",
            Self::Hardlink => "hardlink",
            Self::Other => "other",
        }
    }
}

/// A file's content in the tree.
#[derive(Debug, Clone)]
pub enum Content {
    /// Not a regular file.
    None,
    /// Kept in memory.
    Kept(Arc<[u8]>),
    /// Listed but not kept (not asked for).
    NotKept,
    /// Asked for, but over a cap: the reason.
    Refused(String),
}

/// One entry of one layer.
#[derive(Debug, Clone)]
pub struct RawEntry {
    pub path: String,
    pub kind: Kind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// Modification time (seconds since the epoch) as the tar header states it.
    pub mtime: u64,
    /// A link's target as written (symbolic) or as an image path (hard).
    pub link: Option<String>,
    pub content: Content,
}

/// What one layer holds, in tar order.
#[derive(Debug, Default)]
pub struct LayerEntries {
    pub entries: Vec<RawEntry>,
    /// Paths a `.wh.NAME` file deletes from the layers below.
    pub whiteouts: Vec<String>,
    /// Directories a `.wh..wh..opq` file empties of what the layers below put there.
    pub opaque: Vec<String>,
    /// Entries not taken, with why (`..`, absolute paths, files over a cap).
    pub issues: Vec<(String, String)>,
}

/// Totals shared by the layers of one image while they stream in parallel.
#[derive(Default)]
pub(crate) struct Totals {
    pub bytes: AtomicU64,
    pub entries: AtomicU64,
    pub kept: AtomicU64,
}

/// A reader that hashes (when `hash` is set) and counts what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Option<Sha256Writer>,
    count: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hash) = &mut self.hash {
            io::Write::write_all(hash, &buf[..n])?;
        }
        self.count += n as u64;
        Ok(n)
    }
}

/// The uncompressed stream: hashed, counted, and cut at the caps.
struct Bounded<'a, R> {
    inner: Hashing<R>,
    compressed: &'a AtomicU64,
    totals: &'a Totals,
    caps: &'a Caps,
}

/// A cap reached while streaming (carried through `io::Error`).
#[derive(Debug)]
struct CapReached(String);
impl std::fmt::Display for CapReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for CapReached {}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let done = self.inner.count;
        let total = self.totals.bytes.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        let caps = self.caps;
        let cap = |m: String| io::Error::other(CapReached(m));
        if done > caps.layer {
            return Err(cap(format!(
                "more than {} bytes uncompressed (the per-layer cap)",
                caps.layer
            )));
        }
        if total > caps.image {
            return Err(cap(format!(
                "the image's layers hold more than {} bytes uncompressed (the per-image cap)",
                caps.image
            )));
        }
        let compressed = self.compressed.load(Ordering::Relaxed).max(1);
        if done > caps.ratio_after && done / compressed > caps.ratio {
            return Err(cap(format!(
                "decompression bomb: {done} bytes out of {compressed} compressed (more than {}:1)",
                caps.ratio
            )));
        }
        Ok(n)
    }
}

/// Counts compressed bytes into a shared counter (read by [`Bounded`] for the ratio).
struct Counting<'a, R> {
    inner: R,
    count: &'a AtomicU64,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// Streams layer `index` from `raw`, checking its blob digest (when it has one) and diff_id.
pub(crate) fn read(
    index: usize,
    layer: &Layer,
    raw: Box<dyn Read + Send>,
    scan: &Scan<'_>,
    totals: &Totals,
) -> Result<LayerEntries, ImageError> {
    let fault = |reason: String| ImageError::Layer {
        index,
        digest: layer.digest().clone(),
        reason,
    };
    let hash_blob = matches!(layer.location, LayerLocation::Blob(_));
    let (out, blob_digest, diff_id) = stream(index, raw, scan, totals, hash_blob, &fault)?;
    if let LayerLocation::Blob(expected) = &layer.location
        && &blob_digest != expected
    {
        return Err(ImageError::DigestMismatch {
            what: format!("layer {index} blob"),
            expected: expected.clone(),
            actual: blob_digest,
        });
    }
    if diff_id != layer.diff_id {
        return Err(ImageError::DigestMismatch {
            what: format!("layer {index} uncompressed (diff_id)"),
            expected: layer.diff_id.clone(),
            actual: diff_id,
        });
    }
    Ok(out)
}

/// Reads a tar stream that is not an image layer (a `.tar`, `.tar.gz`, `.tar.zst` file): the
/// same decompression (told by the bytes), entry rules and caps as a layer (`layer` 0 in
/// [`Visit`]), no digest to check. Faults are [`ImageError::Archive`] naming `what`.
pub fn read_tar(
    what: &str,
    raw: Box<dyn Read + Send>,
    scan: &Scan<'_>,
) -> Result<LayerEntries, ImageError> {
    let fault = |reason: String| ImageError::Archive {
        path: what.to_owned(),
        reason,
    };
    let totals = Totals::default();
    stream(0, raw, scan, &totals, false, &fault).map(|(out, _, _)| out)
}

/// Decompresses and reads one tar stream; returns its entries, the digest of the raw bytes
/// (when `hash_blob` and the stream is compressed; else the tar's) and the tar's digest.
fn stream(
    index: usize,
    raw: Box<dyn Read + Send>,
    scan: &Scan<'_>,
    totals: &Totals,
    hash_blob: bool,
    fault: &dyn Fn(String) -> ImageError,
) -> Result<(LayerEntries, Digest, Digest), ImageError> {
    let compressed = AtomicU64::new(0);
    let mut blob = Hashing {
        inner: BufReader::with_capacity(
            256 * 1024,
            Counting {
                inner: raw,
                count: &compressed,
            },
        ),
        hash: None,
        count: 0,
    };
    let head = blob
        .inner
        .fill_buf()
        .map_err(|e| fault(format!("cannot read: {e}")))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let zstd = head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    // The blob is hashed apart from the tar only when it is compressed and has a digest of its
    // own: an uncompressed blob is the tar, one hash checks both.
    if (gzip || zstd) && hash_blob {
        blob.hash = Some(Digest::sha256_writer());
    }
    let decoder: Box<dyn Read + '_> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(&mut blob))
    } else if zstd {
        Box::new(
            zstd::stream::read::Decoder::new(&mut blob)
                .map_err(|e| fault(format!("cannot start zstd: {e}")))?,
        )
    } else {
        Box::new(&mut blob)
    };
    let mut tar_stream = Bounded {
        inner: Hashing {
            inner: decoder,
            hash: Some(Digest::sha256_writer()),
            count: 0,
        },
        compressed: &compressed,
        totals,
        caps: &scan.caps,
    };
    let io_fault = |e: io::Error| match e.get_ref().and_then(|i| i.downcast_ref::<CapReached>()) {
        Some(c) => fault(c.0.clone()),
        None => fault(format!("truncated or corrupt: {e}")),
    };
    let mut out = LayerEntries::default();
    {
        let mut archive = tar::Archive::new(&mut tar_stream);
        let entries = archive.entries().map_err(io_fault)?;
        for entry in entries {
            let mut entry = entry.map_err(io_fault)?;
            take(index, &mut entry, scan, totals, &mut out).map_err(io_fault)?;
        }
    }
    // The digests cover every byte, including what follows the tar's end marker.
    io::copy(&mut tar_stream, &mut io::sink()).map_err(io_fault)?;
    let diff_id = tar_stream
        .inner
        .hash
        .take()
        .map(Sha256Writer::finish)
        .unwrap_or_else(|| Digest::sha256(b""));
    drop(tar_stream);
    io::copy(&mut blob, &mut io::sink()).map_err(io_fault)?;
    let blob_digest = match blob.hash.take() {
        Some(hash) => hash.finish(),
        None => diff_id.clone(),
    };
    Ok((out, blob_digest, diff_id))
}

/// One tar entry into `out`.
fn take<R: Read>(
    layer: usize,
    entry: &mut tar::Entry<'_, R>,
    scan: &Scan<'_>,
    totals: &Totals,
    out: &mut LayerEntries,
) -> io::Result<()> {
    let written = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    let Some(path) = clean(&written) else {
        out.issues.push((
            written,
            "entry path is absolute or climbs out of the image with `..`; not taken".into(),
        ));
        return Ok(());
    };
    if path.is_empty() {
        return Ok(()); // the root itself
    }
    if let Some(tick) = scan.progress {
        tick();
    }
    if totals.entries.fetch_add(1, Ordering::Relaxed) as usize >= scan.caps.entries {
        return Err(io::Error::other(CapReached(format!(
            "more than {} entries (the per-image cap)",
            scan.caps.entries
        ))));
    }
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", path.as_str()),
    };
    if name == OPAQUE {
        out.opaque.push(dir.to_owned());
        return Ok(());
    }
    if let Some(deleted) = name.strip_prefix(WHITEOUT) {
        out.whiteouts.push(if dir.is_empty() {
            deleted.to_owned()
        } else {
            format!("{dir}/{deleted}")
        });
        return Ok(());
    }
    let header = entry.header();
    let mode = header.mode().unwrap_or(0);
    let uid = header.uid().unwrap_or(0);
    let gid = header.gid().unwrap_or(0);
    let mtime = header.mtime().unwrap_or(0);
    let size = entry.size();
    let kind = match header.entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => Kind::File,
        tar::EntryType::Directory => Kind::Dir,
        tar::EntryType::Symlink => Kind::Symlink,
        tar::EntryType::Link => Kind::Hardlink,
        tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => Kind::Other,
        _ => return Ok(()), // pax/GNU metadata entries are applied by the tar reader
    };
    let link = match kind {
        Kind::Symlink => entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned()),
        Kind::Hardlink => match entry
            .link_name_bytes()
            .and_then(|l| clean(&String::from_utf8_lossy(&l)))
        {
            Some(target) => Some(target),
            None => {
                out.issues.push((
                    path,
                    "hard link target is absolute or climbs out of the image; not taken".into(),
                ));
                return Ok(());
            }
        },
        _ => None,
    };
    let mut content = match kind {
        Kind::File => Content::NotKept,
        _ => Content::None,
    };
    if kind == Kind::File {
        let visit = Visit {
            layer,
            path: &path,
            mode,
            size,
        };
        let wanted = (scan.retain)(&path);
        if wanted && size > scan.caps.file {
            let reason = format!(
                "{size} bytes, over the {}-byte cap for a kept file",
                scan.caps.file
            );
            out.issues.push((path.clone(), reason.clone()));
            content = Content::Refused(reason);
        } else if wanted && totals.kept.fetch_add(size, Ordering::Relaxed) + size > scan.caps.kept {
            let reason = format!("over the {}-byte cap of kept content", scan.caps.kept);
            out.issues.push((path.clone(), reason.clone()));
            content = Content::Refused(reason);
        } else if wanted {
            let mut buf = Vec::with_capacity(size as usize);
            entry.by_ref().take(size).read_to_end(&mut buf)?;
            if let Some(visitor) = scan.visit {
                visitor(&visit, &mut io::Cursor::new(&buf));
            }
            content = Content::Kept(buf.into());
        }
        if !matches!(content, Content::Kept(_))
            && let Some(visitor) = scan.visit
        {
            visitor(&visit, entry);
        }
    }
    out.entries.push(RawEntry {
        path,
        kind,
        mode,
        uid,
        gid,
        size,
        mtime,
        link,
        content,
    });
    Ok(())
}

/// An entry path inside the image: `./` and trailing `/` removed; `None` when absolute or when
/// it has a `..` component.
pub(crate) fn clean(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}
