//! Deterministic OCI images (`vouch package`): a list of entries in, an OCI image layout out,
//! byte for byte the same whatever machine, clock, umask, locale or file order wrote it.
//!
//! The rules (StageX's, written down in docs/package.md):
//!
//! - one layer; entries sorted bytewise by path, parents added before children;
//! - every entry owned by `uid:gid` 0:0 unless [`Spec::owner`] maps them all to another pair;
//!   no user or group names, no xattrs, no ACLs, no device numbers;
//! - every mtime is [`Spec::epoch`] (`SOURCE_DATE_EPOCH`, read by the binary, 0 when unset);
//! - modes normalised: directories `0755`, files `0755` when any execute bit was set and
//!   `0644` otherwise, links `0777`; nothing of the writer's umask survives;
//! - tar headers in ustar form, a PAX `path`/`linkpath` record only for names that do not fit
//!   (PAX headers named `PaxHeaders.0/<name>`, as Go's archive/tar does);
//! - one compressor: raw DEFLATE from `miniz_oxide` at level [`GZIP_LEVEL`] in a gzip frame
//!   written here (mtime 0, no name, OS byte 255). `flate2` is not used for writing because
//!   cargo's feature unification picks its backend per build (zlib-rs in this workspace's
//!   binary, miniz_oxide in a crate built alone), and the bytes would differ between the two;
//! - JSON documents written with sorted keys and no whitespace ([`canonical_json`]);
//! - the config's `created` is the epoch in RFC 3339; the history entry vouch adds has no
//!   timestamp.
//!
//! ```
//! use vouch_oci::package::{Entry, EntryKind, Spec, write_layer};
//!
//! let entries = vec![Entry { path: "etc/motd".into(), kind: EntryKind::File { size: 3, executable: false } }];
//! let mut open = |_: &str| -> std::io::Result<Box<dyn std::io::Read>> { Ok(Box::new(&b"hi\n"[..])) };
//! let mut blob = Vec::new();
//! let layer = write_layer(entries, &mut open, &Spec::default(), &mut blob).unwrap();
//! assert_eq!(layer.size, blob.len() as u64);
//! assert_eq!(layer.entries, 2); // etc/ and etc/motd
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;
use vouch_digest::{Algorithm, Digest};

use crate::image::Platform;

/// The DEFLATE level of every layer vouch writes (gzip's own default).
pub const GZIP_LEVEL: u8 = 6;
/// The media type of the layer vouch writes.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The `created_by` of the history entry vouch adds (no version: the same tree packaged by two
/// releases of vouch that write the same bytes gives the same digest).
pub const CREATED_BY: &str = "vouch package";
/// At most this many entries in one layer.
pub const MAX_ENTRIES: usize = 1_000_000;
/// At most this many bytes in a path or a link target.
pub const MAX_PATH_LEN: usize = 4096;
/// A base image's manifest and config are read up to these sizes.
pub const MAX_BASE_DOCUMENT: u64 = 4 << 20;
/// A base image with more layers than this is refused.
pub const MAX_BASE_LAYERS: usize = 1000;
/// The largest epoch a ustar header's 11 octal digits can hold (2242-03-16).
pub const MAX_EPOCH: u64 = 0o77_777_777_777;
/// The largest uid or gid a ustar header's 7 octal digits can hold.
pub const MAX_ID: u32 = 0o7_777_777;
/// The largest file a ustar header's 11 octal digits can hold (8 GiB − 1).
pub const MAX_FILE_SIZE: u64 = 0o77_777_777_777;

const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";
const INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";
const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";

/// Why an image could not be packaged. Every variant is "could not evaluate" (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    #[error("`{path}`: {reason}")]
    BadPath { path: String, reason: &'static str },
    #[error("`{path}` is listed twice")]
    Duplicate { path: String },
    #[error("`{path}` is a file, but `{child}` is below it")]
    NotADirectory { path: String, child: String },
    #[error("more than {limit} entries")]
    TooManyEntries { limit: usize },
    #[error("`{path}` is {size} bytes; a layer entry holds at most {limit}")]
    FileTooLarge { path: String, size: u64, limit: u64 },
    #[error("cannot read `{path}`")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("`{path}` changed while it was packaged: expected {expected} bytes, found {found}")]
    Changed {
        path: String,
        expected: u64,
        found: String,
    },
    #[error("cannot write {what}")]
    Write {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("SOURCE_DATE_EPOCH {epoch} is after {max}, the last time a tar header can hold")]
    EpochTooLarge { epoch: u64, max: u64 },
    #[error("{what}: {reason}")]
    Base { what: String, reason: String },
    #[error("cannot read the {what}")]
    BaseRead {
        what: String,
        #[source]
        source: vouch_fs::read::ReadError,
    },
    #[error(
        "base image {what}: digest mismatch: expected {expected}, the content hashes to {actual}"
    )]
    BaseDigest {
        what: String,
        expected: Digest,
        actual: Digest,
    },
    #[error("the base image is {base}, but the platform asked for is {asked}")]
    BasePlatform { base: String, asked: String },
}

/// A `UID:GID` pair (`--user`, `--owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    pub uid: u32,
    pub gid: u32,
}

impl Ids {
    pub const ROOT: Ids = Ids { uid: 0, gid: 0 };
    /// distroless's `nonroot`.
    pub const NONROOT: Ids = Ids {
        uid: 65532,
        gid: 65532,
    };
}

impl fmt::Display for Ids {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.uid, self.gid)
    }
}

/// Why a `UID:GID` did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not UID:GID (two numbers from 0 to {max})")]
pub struct IdsError {
    pub input: String,
    pub max: u32,
}

impl FromStr for Ids {
    type Err = IdsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdsError {
            input: s.to_owned(),
            max: MAX_ID,
        };
        let (u, g) = s.split_once(':').ok_or_else(err)?;
        let num = |t: &str| -> Result<u32, IdsError> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            t.parse::<u32>()
                .ok()
                .filter(|n| *n <= MAX_ID)
                .ok_or_else(err)
        };
        Ok(Ids {
            uid: num(u)?,
            gid: num(g)?,
        })
    }
}

/// What one entry of the tree is. Directories need not be listed: every parent of a listed
/// path is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    Directory,
    /// A regular file of `size` bytes; `executable` when any execute bit was set on disk.
    File {
        size: u64,
        executable: bool,
    },
    /// A symbolic link, kept as a link (never followed); the target is stored as written.
    Symlink {
        target: String,
    },
}

/// One entry: a `/`-separated path relative to the image root (no `.`, `..` or empty parts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub kind: EntryKind,
}

/// What the image is to say about itself, besides its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// Seconds since 1970 for every mtime and the config's `created` (`SOURCE_DATE_EPOCH`).
    pub epoch: u64,
    /// The owner of every entry (0:0 by default).
    pub owner: Ids,
    /// The runtime user (`config.User`).
    pub user: Ids,
    /// `config.Entrypoint`; empty keeps the base's (or sets none).
    pub entrypoint: Vec<String>,
    /// `config.Cmd`; empty keeps the base's unless an entrypoint is given (Docker's rule: a new
    /// entrypoint resets the command).
    pub cmd: Vec<String>,
    /// `config.WorkingDir`.
    pub workdir: Option<String>,
    /// `config.Env`, in order; a name the base sets is replaced in place.
    pub env: Vec<(String, String)>,
    /// `config.Labels`, merged over the base's.
    pub labels: BTreeMap<String, String>,
    pub platform: Platform,
    /// `org.opencontainers.image.ref.name` in `index.json`.
    pub tag: Option<String>,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            epoch: 0,
            owner: Ids::ROOT,
            user: Ids::NONROOT,
            entrypoint: Vec::new(),
            cmd: Vec::new(),
            workdir: None,
            env: Vec::new(),
            labels: BTreeMap::new(),
            platform: Platform {
                os: "linux".into(),
                architecture: "amd64".into(),
                variant: None,
            },
            tag: None,
        }
    }
}

/// The layer written by [`write_layer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerInfo {
    /// The digest of the compressed blob.
    pub digest: Digest,
    /// The digest of the uncompressed tar (`rootfs.diff_ids`).
    pub diff_id: Digest,
    /// The blob's size in bytes.
    pub size: u64,
    /// Entries in the tar, directories included.
    pub entries: usize,
}

/// Sorts and checks `entries`, adds their parent directories, and writes them as one gzip'd
/// tar layer to `out`. `open` gives the content of a file entry by its path; a file whose
/// length differs from its entry's `size` is [`PackageError::Changed`].
pub fn write_layer<W: Write>(
    entries: Vec<Entry>,
    open: &mut dyn FnMut(&str) -> io::Result<Box<dyn Read>>,
    spec: &Spec,
    out: W,
) -> Result<LayerInfo, PackageError> {
    if spec.epoch > MAX_EPOCH {
        return Err(PackageError::EpochTooLarge {
            epoch: spec.epoch,
            max: MAX_EPOCH,
        });
    }
    let entries = normalise(entries)?;
    let count = entries.len();
    let write_err = |source: io::Error| PackageError::Write {
        what: "the layer".into(),
        source,
    };
    let blob = Counted::new(Tee(out, Digest::sha256_writer()));
    let gz = Gzip::new(blob).map_err(write_err)?;
    let mut tar = Tee(gz, Digest::sha256_writer());
    for entry in &entries {
        match &entry.kind {
            EntryKind::Directory => {
                let h = header(tar::EntryType::Directory, 0o755, 0, spec);
                append(&mut tar, &entry.path, None, h, &mut io::empty()).map_err(write_err)?;
            }
            EntryKind::Symlink { target } => {
                let h = header(tar::EntryType::Symlink, 0o777, 0, spec);
                append(&mut tar, &entry.path, Some(target), h, &mut io::empty())
                    .map_err(write_err)?;
            }
            EntryKind::File { size, executable } => {
                if *size > MAX_FILE_SIZE {
                    return Err(PackageError::FileTooLarge {
                        path: entry.path.clone(),
                        size: *size,
                        limit: MAX_FILE_SIZE,
                    });
                }
                let mode = if *executable { 0o755 } else { 0o644 };
                let h = header(tar::EntryType::Regular, mode, *size, spec);
                let read_err = |source| PackageError::Read {
                    path: entry.path.clone(),
                    source,
                };
                let mut reader = open(&entry.path).map_err(read_err)?;
                let mut limited = Counted::new((&mut reader).take(*size));
                append(&mut tar, &entry.path, None, h, &mut limited).map_err(|e| {
                    if e.kind() == io::ErrorKind::UnexpectedEof {
                        PackageError::Changed {
                            path: entry.path.clone(),
                            expected: *size,
                            found: "fewer".into(),
                        }
                    } else {
                        PackageError::Write {
                            what: format!("the layer (at `{}`)", entry.path),
                            source: e,
                        }
                    }
                })?;
                let mut one = [0u8; 1];
                let more = loop {
                    match reader.read(&mut one) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(read_err(e)),
                    }
                };
                if more > 0 {
                    return Err(PackageError::Changed {
                        path: entry.path.clone(),
                        expected: *size,
                        found: "more".into(),
                    });
                }
            }
        }
    }
    // The end of a tar: two zero blocks.
    tar.write_all(&[0u8; 1024]).map_err(write_err)?;
    let Tee(gz, diff) = tar;
    let blob = gz.finish().map_err(write_err)?;
    let size = blob.count;
    let Tee(_, digest) = blob.inner;
    Ok(LayerInfo {
        digest: digest.finish(),
        diff_id: diff.finish(),
        size,
        entries: count,
    })
}

/// Checks every path, adds missing parents, refuses duplicates and files with children, and
/// sorts bytewise.
fn normalise(entries: Vec<Entry>) -> Result<Vec<Entry>, PackageError> {
    if entries.len() > MAX_ENTRIES {
        return Err(PackageError::TooManyEntries { limit: MAX_ENTRIES });
    }
    let mut map: BTreeMap<String, EntryKind> = BTreeMap::new();
    for e in entries {
        check_path(&e.path)?;
        if let EntryKind::Symlink { target } = &e.kind
            && (target.is_empty() || target.len() > MAX_PATH_LEN || target.contains('\0'))
        {
            return Err(PackageError::BadPath {
                path: e.path,
                reason: "link target empty, too long or holding a NUL byte",
            });
        }
        if map.contains_key(&e.path) {
            if e.kind == EntryKind::Directory && map[&e.path] == EntryKind::Directory {
                continue;
            }
            return Err(PackageError::Duplicate { path: e.path });
        }
        map.insert(e.path, e.kind);
    }
    let mut parents = Vec::new();
    for path in map.keys() {
        let mut at = path.as_str();
        while let Some((parent, _)) = at.rsplit_once('/') {
            parents.push((parent.to_owned(), path.clone()));
            at = parent;
        }
    }
    for (parent, child) in parents {
        match map.get(&parent) {
            None => {
                map.insert(parent, EntryKind::Directory);
            }
            Some(EntryKind::Directory) => {}
            Some(_) => {
                return Err(PackageError::NotADirectory {
                    path: parent,
                    child,
                });
            }
        }
    }
    if map.len() > MAX_ENTRIES {
        return Err(PackageError::TooManyEntries { limit: MAX_ENTRIES });
    }
    // BTreeMap<String> orders by bytes, which is the order wanted.
    Ok(map
        .into_iter()
        .map(|(path, kind)| Entry { path, kind })
        .collect())
}

fn check_path(path: &str) -> Result<(), PackageError> {
    let bad = |reason| {
        Err(PackageError::BadPath {
            path: path.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return bad("empty path");
    }
    if path.len() > MAX_PATH_LEN {
        return bad("path longer than 4096 bytes");
    }
    if path.starts_with('/') {
        return bad("absolute path (entries are relative to the image root)");
    }
    if path.contains('\0') {
        return bad("NUL byte in the path");
    }
    if path
        .split('/')
        .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return bad("empty, `.` or `..` part in the path");
    }
    Ok(())
}

/// A ustar header with everything but the name and link fixed by the rules.
fn header(kind: tar::EntryType, mode: u32, size: u64, spec: &Spec) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(spec.owner.uid.into());
    h.set_gid(spec.owner.gid.into());
    h.set_mtime(spec.epoch);
    h.set_size(size);
    h
}

/// Writes `h` with `name` (and `link`), preceded by a PAX header when either does not fit
/// ustar's fields, then `data` padded to a block.
fn append(
    out: &mut impl Write,
    name: &str,
    link: Option<&str>,
    mut h: tar::Header,
    data: &mut dyn Read,
) -> io::Result<()> {
    let dir = h.entry_type() == tar::EntryType::Directory;
    let full = if dir {
        format!("{name}/")
    } else {
        name.to_owned()
    };
    let mut records = Vec::new();
    let fits = set_name(&mut h, &full);
    if !fits {
        pax_record(&mut records, "path", &full);
        // A truncated name for readers without PAX: the last 100 bytes at a char boundary.
        let mut start = full.len().saturating_sub(100);
        while !full.is_char_boundary(start) {
            start += 1;
        }
        set_name(&mut h, &full[start..]);
    }
    if let Some(link) = link {
        if link.len() <= 100 {
            h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        } else {
            pax_record(&mut records, "linkpath", link);
        }
    }
    if !records.is_empty() {
        let mut p = tar::Header::new_ustar();
        p.set_entry_type(tar::EntryType::XHeader);
        p.set_mode(0o644);
        p.set_mtime(h.mtime()?);
        p.set_size(records.len() as u64);
        let base = full.trim_end_matches('/');
        let file = base.rsplit('/').next().unwrap_or(base);
        let mut pax_name = format!("PaxHeaders.0/{file}");
        let mut cut = pax_name.len().min(100);
        while !pax_name.is_char_boundary(cut) {
            cut -= 1;
        }
        pax_name.truncate(cut);
        set_name(&mut p, &pax_name);
        p.set_cksum();
        out.write_all(p.as_bytes())?;
        out.write_all(&records)?;
        pad(out, records.len() as u64)?;
    }
    h.set_cksum();
    out.write_all(h.as_bytes())?;
    let n = io::copy(data, out)?;
    let want = h.size()?;
    if n != want {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "entry shorter than its header",
        ));
    }
    pad(out, n)
}

fn pad(out: &mut impl Write, n: u64) -> io::Result<()> {
    let rem = (n % 512) as usize;
    if rem != 0 {
        out.write_all(&[0u8; 512][..512 - rem])?;
    }
    Ok(())
}

/// Puts `name` in the ustar name field, or splits it at a `/` into prefix and name; false when
/// it fits neither way (the fields are left empty).
fn set_name(h: &mut tar::Header, name: &str) -> bool {
    let bytes = name.as_bytes();
    let Some(u) = h.as_ustar_mut() else {
        return false;
    };
    u.name = [0; 100];
    u.prefix = [0; 155];
    if bytes.len() <= 100 {
        u.name[..bytes.len()].copy_from_slice(bytes);
        return true;
    }
    // The split nearest the end that fits both fields (a directory's trailing `/` stays in
    // the name).
    let body = name.strip_suffix('/').unwrap_or(name);
    for (i, _) in body.match_indices('/').rev() {
        let (prefix, rest) = (&bytes[..i], &bytes[i + 1..]);
        if prefix.len() <= 155 && rest.len() <= 100 && !rest.is_empty() {
            u.prefix[..prefix.len()].copy_from_slice(prefix);
            u.name[..rest.len()].copy_from_slice(rest);
            return true;
        }
    }
    false
}

/// One PAX record: `LEN key=value\n`, LEN counting itself.
fn pax_record(out: &mut Vec<u8>, key: &str, value: &str) {
    let body = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    out.extend_from_slice(format!("{len} {key}={value}\n").as_bytes());
}

/// A writer that passes bytes on and hashes them.
struct Tee<W>(W, vouch_digest::Sha256Writer);

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.write_all(&buf[..n])?;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Counts the bytes that pass (reader or writer).
struct Counted<T> {
    inner: T,
    count: u64,
}

impl<T> Counted<T> {
    fn new(inner: T) -> Self {
        Self { inner, count: 0 }
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// A gzip stream (RFC 1952) around `miniz_oxide`'s raw DEFLATE at [`GZIP_LEVEL`]: a fixed
/// 10-byte header (no mtime, no name, XFL 0, OS 255 "unknown"), the CRC-32 and length after.
struct Gzip<W: Write> {
    out: W,
    deflate: Box<miniz_oxide::deflate::core::CompressorOxide>,
    crc: crc32fast::Hasher,
    len: u32,
    buf: Vec<u8>,
}

impl<W: Write> Gzip<W> {
    fn new(mut out: W) -> io::Result<Self> {
        use miniz_oxide::deflate::core::{CompressorOxide, create_comp_flags_from_zip_params};
        out.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])?;
        // Negative window bits: raw DEFLATE, the frame is written here.
        let flags = create_comp_flags_from_zip_params(GZIP_LEVEL.into(), -15, 0);
        Ok(Self {
            out,
            deflate: Box::new(CompressorOxide::new(flags)),
            crc: crc32fast::Hasher::new(),
            len: 0,
            buf: vec![0; 64 * 1024],
        })
    }

    fn run(&mut self, mut input: &[u8], finish: bool) -> io::Result<()> {
        use miniz_oxide::deflate::core::{TDEFLFlush, TDEFLStatus, compress};
        let flush = if finish {
            TDEFLFlush::Finish
        } else {
            TDEFLFlush::None
        };
        loop {
            let (status, used, written) = compress(&mut self.deflate, input, &mut self.buf, flush);
            self.out.write_all(&self.buf[..written])?;
            input = &input[used..];
            match status {
                TDEFLStatus::Done => return Ok(()),
                TDEFLStatus::Okay if !finish && input.is_empty() => return Ok(()),
                TDEFLStatus::Okay => {}
                TDEFLStatus::BadParam | TDEFLStatus::PutBufFailed => {
                    return Err(io::Error::other("deflate failed"));
                }
            }
        }
    }

    fn finish(mut self) -> io::Result<W> {
        self.run(&[], true)?;
        let crc = std::mem::replace(&mut self.crc, crc32fast::Hasher::new()).finalize();
        self.out.write_all(&crc.to_le_bytes())?;
        self.out.write_all(&self.len.to_le_bytes())?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Gzip<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.crc.update(buf);
        self.len = self.len.wrapping_add(buf.len() as u32);
        self.run(buf, false)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `value` as JSON with every object's keys sorted bytewise and no whitespace, whatever
/// serde_json's `preserve_order` feature is in this build.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Canon<'a> {
        Null,
        Bool(bool),
        Number(&'a serde_json::Number),
        String(&'a str),
        Array(Vec<Canon<'a>>),
        Object(BTreeMap<&'a str, Canon<'a>>),
    }
    fn canon(v: &Value) -> Canon<'_> {
        match v {
            Value::Null => Canon::Null,
            Value::Bool(b) => Canon::Bool(*b),
            Value::Number(n) => Canon::Number(n),
            Value::String(s) => Canon::String(s),
            Value::Array(a) => Canon::Array(a.iter().map(canon).collect()),
            Value::Object(o) => {
                Canon::Object(o.iter().map(|(k, v)| (k.as_str(), canon(v))).collect())
            }
        }
    }
    // Serialising a tree of strings, numbers and maps with string keys cannot fail.
    serde_json::to_vec(&canon(value)).unwrap_or_default()
}

/// A base image read from an OCI layout by manifest digest ([`Base::open`]).
#[derive(Debug, Clone)]
pub struct Base {
    /// The layout directory.
    pub path: PathBuf,
    pub manifest_digest: Digest,
    /// The manifest's `layers` descriptors, kept as they are.
    pub layers: Vec<Value>,
    /// The config document.
    pub config: Value,
}

impl Base {
    /// Reads the manifest `digest` and its config from the layout at `path`, checking both
    /// digests. The layers are checked when they are copied ([`write_oci_dir`]).
    pub fn open(path: &Path, digest: &Digest) -> Result<Self, PackageError> {
        let what = format!("base {}@{digest}", path.display());
        let bad = |reason: String| PackageError::Base {
            what: what.clone(),
            reason,
        };
        if !path.join("oci-layout").is_file() {
            return Err(bad("no oci-layout file (not an OCI image layout)".into()));
        }
        let manifest_bytes = read_blob(path, digest, MAX_BASE_DOCUMENT, "manifest")?;
        let manifest: Value = serde_json::from_slice(&manifest_bytes)
            .map_err(|e| bad(format!("manifest is not JSON: {e}")))?;
        let media = manifest
            .get("mediaType")
            .and_then(Value::as_str)
            .unwrap_or(MANIFEST_MEDIA_TYPE);
        if media != MANIFEST_MEDIA_TYPE && media != DOCKER_MANIFEST_MEDIA_TYPE {
            return Err(bad(format!(
                "{digest} is a {media}, not an image manifest (name the platform's manifest digest)"
            )));
        }
        let descriptor_digest = |d: &Value, of: &str| -> Result<Digest, PackageError> {
            d.get("digest")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Digest>().ok())
                .filter(|d| d.algorithm() == Algorithm::Sha256)
                .ok_or_else(|| bad(format!("{of} has no sha256 digest")))
        };
        let config_digest = descriptor_digest(
            manifest
                .get("config")
                .ok_or_else(|| bad("manifest has no config".into()))?,
            "the config descriptor",
        )?;
        let layers = manifest
            .get("layers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if layers.len() > MAX_BASE_LAYERS {
            return Err(bad(format!("more than {MAX_BASE_LAYERS} layers")));
        }
        for (i, l) in layers.iter().enumerate() {
            descriptor_digest(l, &format!("layer {i}"))?;
            if l.get("size").and_then(Value::as_u64).is_none() {
                return Err(bad(format!("layer {i} has no size")));
            }
        }
        let config_bytes = read_blob(path, &config_digest, MAX_BASE_DOCUMENT, "config")?;
        let config: Value = serde_json::from_slice(&config_bytes)
            .map_err(|e| bad(format!("config is not JSON: {e}")))?;
        if !config.is_object() {
            return Err(bad("config is not a JSON object".into()));
        }
        let diff_ids = config
            .pointer("/rootfs/diff_ids")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if diff_ids != layers.len() {
            return Err(bad(format!(
                "config lists {diff_ids} diff_ids for {} layers",
                layers.len()
            )));
        }
        Ok(Self {
            path: path.to_owned(),
            manifest_digest: digest.clone(),
            layers,
            config,
        })
    }

    /// The base's `os/architecture[/variant]`.
    pub fn platform(&self) -> Platform {
        let s = |k: &str| {
            self.config
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Platform {
            os: s("os").unwrap_or_default(),
            architecture: s("architecture").unwrap_or_default(),
            variant: s("variant"),
        }
    }
}

fn blob_path(layout: &Path, digest: &Digest) -> PathBuf {
    layout
        .join("blobs")
        .join(digest.algorithm().as_str())
        .join(digest.hex())
}

fn read_blob(
    layout: &Path,
    digest: &Digest,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, PackageError> {
    let path = blob_path(layout, digest);
    let bytes = vouch_fs::read::read(&path, limit).map_err(|source| PackageError::BaseRead {
        what: format!("base {what} {digest}"),
        source,
    })?;
    let actual = Digest::sha256(&bytes);
    if &actual != digest {
        return Err(PackageError::BaseDigest {
            what: what.to_owned(),
            expected: digest.clone(),
            actual,
        });
    }
    Ok(bytes)
}

/// The image's config document: the base's (when given) with the spec merged over it, the
/// layer's diff_id appended, one history entry without a timestamp.
pub fn config_document(
    spec: &Spec,
    layer: &LayerInfo,
    base: Option<&Base>,
) -> Result<Value, PackageError> {
    let created = jiff::Timestamp::from_second(i64::try_from(spec.epoch).unwrap_or(i64::MAX))
        .map_err(|_| PackageError::EpochTooLarge {
            epoch: spec.epoch,
            max: MAX_EPOCH,
        })?
        .to_string();
    let mut doc = base.map_or_else(|| Value::Object(Default::default()), |b| b.config.clone());
    let obj = doc.as_object_mut().expect("a config is an object");
    obj.insert("created".into(), Value::String(created));
    obj.insert("os".into(), spec.platform.os.clone().into());
    obj.insert(
        "architecture".into(),
        spec.platform.architecture.clone().into(),
    );
    match &spec.platform.variant {
        Some(v) => {
            obj.insert("variant".into(), v.clone().into());
        }
        None => {
            obj.remove("variant");
        }
    }
    let config = obj
        .entry("config")
        .or_insert_with(|| Value::Object(Default::default()));
    if !config.is_object() {
        *config = Value::Object(Default::default());
    }
    let c = config.as_object_mut().expect("made an object above");
    c.insert("User".into(), spec.user.to_string().into());
    if !spec.entrypoint.is_empty() {
        c.insert("Entrypoint".into(), spec.entrypoint.clone().into());
        c.remove("Cmd");
    }
    if !spec.cmd.is_empty() {
        c.insert("Cmd".into(), spec.cmd.clone().into());
    }
    if let Some(w) = &spec.workdir {
        c.insert("WorkingDir".into(), w.clone().into());
    }
    let mut env: Vec<String> = c
        .get("Env")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    for (k, v) in &spec.env {
        let line = format!("{k}={v}");
        match env
            .iter_mut()
            .find(|e| e.split_once('=').map_or(e.as_str(), |p| p.0) == k)
        {
            Some(e) => *e = line,
            None => env.push(line),
        }
    }
    if !env.is_empty() {
        c.insert("Env".into(), env.into());
    }
    if !spec.labels.is_empty() {
        let labels = c
            .entry("Labels")
            .or_insert_with(|| Value::Object(Default::default()));
        if !labels.is_object() {
            *labels = Value::Object(Default::default());
        }
        let l = labels.as_object_mut().expect("made an object above");
        for (k, v) in &spec.labels {
            l.insert(k.clone(), v.clone().into());
        }
    }
    let mut diff_ids: Vec<Value> = obj
        .get("rootfs")
        .and_then(|r| r.get("diff_ids"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    diff_ids.push(layer.diff_id.to_string().into());
    obj.insert(
        "rootfs".into(),
        serde_json::json!({ "type": "layers", "diff_ids": diff_ids }),
    );
    let mut history: Vec<Value> = obj
        .get("history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    history.push(serde_json::json!({ "created_by": CREATED_BY }));
    obj.insert("history".into(), history.into());
    Ok(doc)
}

/// What [`write_oci_dir`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packaged {
    pub manifest_digest: Digest,
    pub manifest_size: u64,
    pub config_digest: Digest,
    pub layer: LayerInfo,
    /// Layers taken from the base.
    pub base_layers: usize,
}

/// Writes an OCI image layout into the empty directory `out`: `oci-layout`, `index.json` and
/// `blobs/sha256/` with the base's layers (copied, each checked against its digest), the new
/// layer, the config and the manifest.
pub fn write_oci_dir(
    out: &Path,
    entries: Vec<Entry>,
    open: &mut dyn FnMut(&str) -> io::Result<Box<dyn Read>>,
    spec: &Spec,
    base: Option<&Base>,
) -> Result<Packaged, PackageError> {
    if let Some(b) = base {
        let bp = b.platform();
        if bp.os != spec.platform.os
            || bp.architecture != spec.platform.architecture
            || (bp.variant.is_some() && bp.variant != spec.platform.variant)
        {
            return Err(PackageError::BasePlatform {
                base: bp.to_string(),
                asked: spec.platform.to_string(),
            });
        }
    }
    let blobs = out.join("blobs").join("sha256");
    let werr = |what: &Path| {
        let what = what.display().to_string();
        move |source| PackageError::Write { what, source }
    };
    std::fs::create_dir_all(&blobs).map_err(werr(&blobs))?;
    let mut descriptors = Vec::new();
    if let Some(b) = base {
        for l in &b.layers {
            let digest: Digest = l
                .get("digest")
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
                .expect("checked by Base::open");
            copy_blob(&b.path, &digest, &blobs)?;
            descriptors.push(l.clone());
        }
    }
    let tmp = blobs.join(".layer.partial");
    let file = std::fs::File::create(&tmp).map_err(werr(&tmp))?;
    let mut w = io::BufWriter::new(file);
    let layer = write_layer(entries, open, spec, &mut w)?;
    w.flush().map_err(werr(&tmp))?;
    drop(w);
    let layer_path = blobs.join(layer.digest.hex());
    std::fs::rename(&tmp, &layer_path).map_err(werr(&layer_path))?;
    descriptors.push(serde_json::json!({
        "mediaType": LAYER_MEDIA_TYPE,
        "digest": layer.digest.to_string(),
        "size": layer.size,
    }));
    let config = canonical_json(&config_document(spec, &layer, base)?);
    let config_digest = Digest::sha256(&config);
    let mut manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {
            "mediaType": CONFIG_MEDIA_TYPE,
            "digest": config_digest.to_string(),
            "size": config.len(),
        },
        "layers": descriptors,
    });
    if let Some(b) = base {
        manifest["annotations"] = serde_json::json!({
            "org.opencontainers.image.base.digest": b.manifest_digest.to_string(),
        });
    }
    let manifest = canonical_json(&manifest);
    let manifest_digest = Digest::sha256(&manifest);
    let mut platform = serde_json::json!({
        "os": spec.platform.os,
        "architecture": spec.platform.architecture,
    });
    if let Some(v) = &spec.platform.variant {
        platform["variant"] = v.clone().into();
    }
    let mut descriptor = serde_json::json!({
        "mediaType": MANIFEST_MEDIA_TYPE,
        "digest": manifest_digest.to_string(),
        "size": manifest.len(),
        "platform": platform,
    });
    if let Some(tag) = &spec.tag {
        descriptor["annotations"] = serde_json::json!({ "org.opencontainers.image.ref.name": tag });
    }
    let index = canonical_json(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": INDEX_MEDIA_TYPE,
        "manifests": [descriptor],
    }));
    for (name, bytes) in [
        (blobs.join(config_digest.hex()), &config),
        (blobs.join(manifest_digest.hex()), &manifest),
        (out.join("index.json"), &index),
        (
            out.join("oci-layout"),
            &br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
    ] {
        std::fs::write(&name, bytes).map_err(werr(&name))?;
    }
    Ok(Packaged {
        manifest_digest,
        manifest_size: manifest.len() as u64,
        config_digest,
        layer,
        base_layers: base.map_or(0, |b| b.layers.len()),
    })
}

/// Copies a base layer into `blobs`, hashing it on the way; a mismatch removes the copy.
fn copy_blob(layout: &Path, digest: &Digest, blobs: &Path) -> Result<(), PackageError> {
    let from = blob_path(layout, digest);
    let to = blobs.join(digest.hex());
    let mut src = vouch_fs::read::open(&from).map_err(|source| PackageError::BaseRead {
        what: format!("base layer {digest}"),
        source,
    })?;
    let file = std::fs::File::create(&to).map_err(|source| PackageError::Write {
        what: to.display().to_string(),
        source,
    })?;
    let mut sink = Tee(io::BufWriter::new(file), Digest::sha256_writer());
    io::copy(&mut src, &mut sink).map_err(|source| PackageError::Read {
        path: from.display().to_string(),
        source,
    })?;
    sink.0.flush().map_err(|source| PackageError::Write {
        what: to.display().to_string(),
        source,
    })?;
    let actual = sink.1.finish();
    if &actual != digest {
        let _ = std::fs::remove_file(&to);
        return Err(PackageError::BaseDigest {
            what: "layer".into(),
            expected: digest.clone(),
            actual,
        });
    }
    Ok(())
}

/// Writes the layout directory `layout` (as [`write_oci_dir`] left it) as an OCI archive to
/// `out`: `blobs/`, `blobs/sha256/`, each blob, `index.json`, `oci-layout`, in that (bytewise)
/// order, with the same header rules as a layer (owner 0:0, mtime `epoch`, modes 0755/0644).
pub fn write_oci_archive<W: Write>(layout: &Path, epoch: u64, out: W) -> Result<W, PackageError> {
    let spec = Spec {
        epoch,
        ..Spec::default()
    };
    let werr = |source| PackageError::Write {
        what: "the archive".into(),
        source,
    };
    let blobs = layout.join("blobs").join("sha256");
    let mut names: Vec<String> = std::fs::read_dir(&blobs)
        .map_err(|source| PackageError::Read {
            path: blobs.display().to_string(),
            source,
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut files = vec![];
    for n in names {
        files.push(format!("blobs/sha256/{n}"));
    }
    files.push("index.json".into());
    files.push("oci-layout".into());
    let mut out = out;
    for dir in ["blobs", "blobs/sha256"] {
        let h = header(tar::EntryType::Directory, 0o755, 0, &spec);
        append(&mut out, dir, None, h, &mut io::empty()).map_err(werr)?;
    }
    for rel in files {
        let path = layout.join(&rel);
        let read_err = |source| PackageError::Read {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::File::open(&path).map_err(read_err)?;
        let size = file.metadata().map_err(read_err)?.len();
        let h = header(tar::EntryType::Regular, 0o644, size, &spec);
        append(&mut out, &rel, None, h, &mut file.take(size)).map_err(werr)?;
    }
    out.write_all(&[0u8; 1024]).map_err(werr)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> Entry {
        Entry {
            path: path.into(),
            kind: EntryKind::File {
                size,
                executable: false,
            },
        }
    }

    fn layer(entries: Vec<Entry>, spec: &Spec) -> Result<(LayerInfo, Vec<u8>), PackageError> {
        let mut open = |p: &str| -> io::Result<Box<dyn Read>> {
            Ok(Box::new(io::Cursor::new(p.as_bytes().to_vec())))
        };
        let mut out = Vec::new();
        let info = write_layer(entries, &mut open, spec, &mut out)?;
        Ok((info, out))
    }

    fn tar_entries(gz: &[u8]) -> Vec<(String, u32, u64, u64, Option<String>)> {
        let dec = flate2::read::GzDecoder::new(gz);
        let mut a = tar::Archive::new(dec);
        a.entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    h.mode().unwrap(),
                    h.uid().unwrap(),
                    h.mtime().unwrap(),
                    e.link_name()
                        .unwrap()
                        .map(|l| l.to_string_lossy().into_owned()),
                )
            })
            .collect()
    }

    #[test]
    fn entries_are_sorted_with_parents_and_normalised() {
        let spec = Spec {
            epoch: 1_700_000_000,
            ..Spec::default()
        };
        let entries = vec![
            file("b/z", 3),
            Entry {
                path: "a-link".into(),
                kind: EntryKind::Symlink {
                    target: "b/z".into(),
                },
            },
            Entry {
                path: "b/x".into(),
                kind: EntryKind::File {
                    size: 3,
                    executable: true,
                },
            },
        ];
        let (info, gz) = layer(entries, &spec).unwrap();
        assert_eq!(info.entries, 4);
        let got = tar_entries(&gz);
        assert_eq!(
            got,
            vec![
                ("a-link".into(), 0o777, 0, 1_700_000_000, Some("b/z".into())),
                ("b/".into(), 0o755, 0, 1_700_000_000, None),
                ("b/x".into(), 0o755, 0, 1_700_000_000, None),
                ("b/z".into(), 0o644, 0, 1_700_000_000, None),
            ]
        );
        // The gzip frame is the fixed one: no mtime, OS byte 255.
        assert_eq!(&gz[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    }

    #[test]
    fn input_order_does_not_matter_and_the_epoch_does() {
        let a = vec![file("x", 1), file("d/y", 3), file("d/a", 3)];
        let mut b = a.clone();
        b.reverse();
        let spec = Spec::default();
        assert_eq!(layer(a.clone(), &spec).unwrap(), layer(b, &spec).unwrap());
        let later = Spec {
            epoch: 1,
            ..Spec::default()
        };
        assert_ne!(
            layer(a.clone(), &spec).unwrap().0.digest,
            layer(a, &later).unwrap().0.digest
        );
    }

    #[test]
    fn owner_mapping_applies_to_every_entry() {
        let spec = Spec {
            owner: Ids { uid: 10, gid: 20 },
            ..Spec::default()
        };
        let (_, gz) = layer(vec![file("d/f", 3)], &spec).unwrap();
        assert!(tar_entries(&gz).iter().all(|e| e.2 == 10));
    }

    #[test]
    fn long_names_use_pax_and_read_back() {
        let long = format!("{}/{}", "d".repeat(200), "f".repeat(120));
        let target = "t".repeat(150);
        let entries = vec![
            Entry {
                path: long.clone(),
                kind: EntryKind::File {
                    size: long.len() as u64,
                    executable: false,
                },
            },
            Entry {
                path: "l".into(),
                kind: EntryKind::Symlink {
                    target: target.clone(),
                },
            },
        ];
        let (_, gz) = layer(entries, &Spec::default()).unwrap();
        let got = tar_entries(&gz);
        assert!(got.iter().any(|e| e.0 == long), "{got:?}");
        assert!(got.iter().any(|e| e.4.as_deref() == Some(target.as_str())));
        assert!(got.iter().any(|e| e.0 == format!("{}/", "d".repeat(200))));
    }

    #[test]
    fn refusals_name_the_path() {
        let spec = Spec::default();
        let err = layer(vec![file("../x", 1)], &spec).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`../x`: empty, `.` or `..` part in the path"
        );
        let err = layer(vec![file("/etc/x", 1)], &spec).unwrap_err();
        assert!(matches!(err, PackageError::BadPath { .. }));
        let err = layer(vec![file("a", 1), file("a", 1)], &spec).unwrap_err();
        assert_eq!(err.to_string(), "`a` is listed twice");
        let err = layer(vec![file("a", 1), file("a/b", 3)], &spec).unwrap_err();
        assert_eq!(err.to_string(), "`a` is a file, but `a/b` is below it");
        // The opener gives the path's bytes: "abc" is 3 bytes, not 2 and not 5.
        let err = layer(vec![file("abc", 5)], &spec).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`abc` changed while it was packaged: expected 5 bytes, found fewer"
        );
        let err = layer(vec![file("abc", 2)], &spec).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`abc` changed while it was packaged: expected 2 bytes, found more"
        );
        let big = Spec {
            epoch: MAX_EPOCH + 1,
            ..Spec::default()
        };
        assert!(matches!(
            layer(vec![], &big).unwrap_err(),
            PackageError::EpochTooLarge { .. }
        ));
    }

    /// The exact bytes of a fixed layer: any change of the tar headers, the compressor (its
    /// crate version or level) or the gzip frame changes these digests and fails here first.
    #[test]
    fn golden_layer_digests() {
        let spec = Spec {
            epoch: 1_700_000_000,
            ..Spec::default()
        };
        let mut entries = vec![
            file("etc/motd", 8),
            Entry {
                path: "usr/bin/tool".into(),
                kind: EntryKind::File {
                    size: 12,
                    executable: true,
                },
            },
            Entry {
                path: "bin".into(),
                kind: EntryKind::Symlink {
                    target: "usr/bin".into(),
                },
            },
            Entry {
                path: "tmp".into(),
                kind: EntryKind::Directory,
            },
        ];
        entries.push(file(&format!("opt/{}", "n".repeat(130)), 134));
        let (info, _) = layer(entries, &spec).unwrap();
        assert_eq!(
            info.diff_id.to_string(),
            "sha256:1c4ecbcf022d9dca9c00dc1366ee140125aaecc8e7e2ab2db6416dcfcb50d5f3"
        );
        assert_eq!(
            info.digest.to_string(),
            "sha256:9090edc68aeff448ed6647d582f0cfaa0aa353a6bd4df6f1452368cc192ff824"
        );
    }

    #[test]
    fn ids_parse_strictly() {
        assert_eq!("65532:65532".parse::<Ids>().unwrap(), Ids::NONROOT);
        for bad in [
            "",
            "1",
            "1:",
            ":1",
            "a:b",
            "-1:0",
            "1:2:3",
            "+1:1",
            "2097152:0",
        ] {
            let e = bad.parse::<Ids>().unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("`{bad}` is not UID:GID (two numbers from 0 to 2097151)")
            );
        }
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let v = serde_json::json!({"b": 1, "a": {"d": [1, {"z": null, "y": true}], "c": "x"}});
        assert_eq!(
            String::from_utf8(canonical_json(&v)).unwrap(),
            r#"{"a":{"c":"x","d":[1,{"y":true,"z":null}]},"b":1}"#
        );
    }

    #[test]
    fn config_merges_over_the_base() {
        let base = Base {
            path: PathBuf::new(),
            manifest_digest: Digest::sha256(b"m"),
            layers: vec![serde_json::json!({})],
            config: serde_json::json!({
                "architecture": "amd64", "os": "linux", "created": "2020-01-01T00:00:00Z",
                "config": {"Env": ["PATH=/bin", "A=1"], "Cmd": ["sh"], "Labels": {"x": "1"}},
                "rootfs": {"type": "layers", "diff_ids": ["sha256:aa"]},
                "history": [{"created": "2020-01-01T00:00:00Z", "created_by": "base"}]
            }),
        };
        let spec = Spec {
            epoch: 1_700_000_000,
            entrypoint: vec!["/app".into()],
            env: vec![("PATH".into(), "/usr/bin".into()), ("B".into(), "2".into())],
            labels: [("y".to_owned(), "2".to_owned())].into(),
            ..Spec::default()
        };
        let info = LayerInfo {
            digest: Digest::sha256(b"l"),
            diff_id: Digest::sha256(b"d"),
            size: 1,
            entries: 1,
        };
        let c = config_document(&spec, &info, Some(&base)).unwrap();
        assert_eq!(c["created"], "2023-11-14T22:13:20Z");
        assert_eq!(
            c["config"]["Env"],
            serde_json::json!(["PATH=/usr/bin", "A=1", "B=2"])
        );
        assert_eq!(c["config"]["Entrypoint"], serde_json::json!(["/app"]));
        assert!(c["config"].get("Cmd").is_none());
        assert_eq!(c["config"]["User"], "65532:65532");
        assert_eq!(
            c["config"]["Labels"],
            serde_json::json!({"x": "1", "y": "2"})
        );
        assert_eq!(c["rootfs"]["diff_ids"][0], "sha256:aa");
        assert_eq!(c["rootfs"]["diff_ids"][1], info.diff_id.to_string());
        assert_eq!(c["history"][0]["created_by"], "base");
        assert_eq!(
            c["history"][1],
            serde_json::json!({"created_by": "vouch package"})
        );
    }
}
