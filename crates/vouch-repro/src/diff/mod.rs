//! `vouch diff`: a structured comparison of two artifacts (docs/diff.md).
//!
//! Each side is read as one [`Format`] (told by the bytes; a `oci-dir:`/`oci-archive:` prefix
//! forces an image): a plain file, a directory, a tar stream (plain, gzip or zstd, read by
//! vouch-oci's layer reader with its caps), a zip archive, a JSON document, or an OCI image
//! (layout or archive: index → manifest by platform → config → layers by position, then the
//! entries inside each layer). The result is a list of [`Difference`]s, each naming a path in
//! the artifact (`usr/bin/app`, `layers[0]/usr/bin/app`, `config/created`, `/history/0/created_by`)
//! and a [`Kind`]. Everything read is bounded ([`Limits`]); a cap reached, an unreadable input or
//! an unknown format is a [`DiffError`] (could not compare), never a partial "equal".
//!
//! `left` is the first argument, `right` the second: `missing` is in left and not in right,
//! `extra` is in right and not in left.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use vouch_digest::Digest;
use vouch_oci::image::{Caps, ImageError};

mod archive;
mod json;
mod oci;

use json::compare_values;

/// What differs at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The bytes differ (the values are sha256 digests).
    Content,
    /// Permission bits differ (octal).
    Mode,
    /// `uid:gid` differ.
    Owner,
    /// Modification time differs (seconds since the epoch, or a zip's DOS time).
    Mtime,
    /// A symbolic or hard link points elsewhere.
    LinkTarget,
    /// The entry is of another type (file, dir, symlink, …).
    Type,
    /// Present on the left only.
    Missing,
    /// Present on the right only.
    Extra,
    /// A JSON value (a document's, an image config's or manifest's field) differs.
    Field,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Content => "content",
            Self::Mode => "mode",
            Self::Owner => "owner",
            Self::Mtime => "mtime",
            Self::LinkTarget => "link-target",
            Self::Type => "type",
            Self::Missing => "missing",
            Self::Extra => "extra",
            Self::Field => "field",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference between the two artifacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Where, in the artifact: a member path (`usr/bin/app`), a layer's member
    /// (`layers[0]/usr/bin/app`), a JSON pointer (`/created`, `config/history/0/created_by`),
    /// or `.` for the artifact as a whole.
    pub path: String,
    pub kind: Kind,
    /// The left value (`None` when absent).
    pub left: Option<String>,
    /// The right value (`None` when absent).
    pub right: Option<String>,
}

/// How an input was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    File,
    Directory,
    Tar,
    Zip,
    Json,
    OciLayout,
    OciArchive,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Directory => "directory",
            Self::Tar => "tar",
            Self::Zip => "zip",
            Self::Json => "json",
            Self::OciLayout => "oci-layout",
            Self::OciArchive => "oci-archive",
        }
    }

    fn is_image(self) -> bool {
        matches!(self, Self::OciLayout | Self::OciArchive)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The bounds of one comparison (docs/diff.md "Caps").
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Archive and image caps (uncompressed bytes, ratio, entries), as vouch-oci reads images.
    pub caps: Caps,
    /// Members of one directory, tar or zip (default 1,000,000).
    pub members: usize,
    /// Largest JSON document read (default 64 MiB); nesting is bounded by serde_json (128).
    pub document: u64,
    /// Differences listed before the list is cut (default 100,000; `truncated` is then set).
    pub differences: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            caps: Caps::default(),
            members: 1_000_000,
            document: 64 << 20,
            differences: 100_000,
        }
    }
}

/// Why two artifacts could not be compared (exit 2). Each names the input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: unknown format: the name says {claimed} but the content is not", path.display())]
    UnknownFormat { path: PathBuf, claimed: String },
    #[error("cannot compare {} ({left_format}) with {} ({right_format})", left.display(), right.display())]
    Mismatch {
        left: PathBuf,
        left_format: Format,
        right: PathBuf,
        right_format: Format,
    },
    #[error("{}: {reason}", path.display())]
    Archive { path: PathBuf, reason: String },
    #[error("{}: more than {limit} members (the cap)", path.display())]
    TooManyMembers { path: PathBuf, limit: usize },
    #[error("{}: not valid JSON: {reason}", path.display())]
    Json { path: PathBuf, reason: String },
    #[error("cannot read the image {}", path.display())]
    Image {
        path: PathBuf,
        #[source]
        source: ImageError,
    },
    #[error("{}: {reason}", path.display())]
    Source { path: PathBuf, reason: String },
}

/// One side of a comparison: a path and how to read it.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub format: Format,
    /// The image selector of `oci-dir:PATH:TAG` / `oci-archive:FILE@sha256:…`.
    pub source: Option<vouch_oci::image::Source>,
    /// For images: which platform of a multi-platform index (`None`: the host's).
    pub platform: Option<vouch_oci::image::Platform>,
}

impl Input {
    /// `oci-dir:PATH[:TAG|@DIGEST]`, `oci-archive:FILE[…]`, or a path whose format is told by
    /// its content.
    pub fn parse(arg: &str) -> Result<Self, DiffError> {
        use vouch_oci::image::Source;
        if let Some(parsed) = vouch_oci::image::source::parse(arg) {
            let source = parsed.map_err(|e| DiffError::Source {
                path: PathBuf::from(arg),
                reason: e.to_string(),
            })?;
            let (path, format) = match &source {
                Source::OciDir { path, .. } => (path.clone(), Format::OciLayout),
                Source::OciArchive { path, .. } | Source::DockerArchive { path, .. } => {
                    (path.clone(), Format::OciArchive)
                }
                Source::Registry { .. } => {
                    return Err(DiffError::Source {
                        path: PathBuf::from(arg),
                        reason: "registry images are not compared (vouch diff reads local files only; save the image with skopeo or vouch package first)".into(),
                    });
                }
            };
            return Ok(Self {
                path,
                format,
                source: Some(source),
                platform: None,
            });
        }
        Self::detect(Path::new(arg))
    }

    /// The format of `path`, told by its content.
    pub fn detect(path: &Path) -> Result<Self, DiffError> {
        let io = |source| DiffError::Io {
            path: path.to_owned(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        let plain = |format| {
            Ok(Self {
                path: path.to_owned(),
                format,
                source: None,
                platform: None,
            })
        };
        if meta.is_dir() {
            if path.join("oci-layout").is_file() {
                return Ok(Self {
                    path: path.to_owned(),
                    format: Format::OciLayout,
                    source: Some(vouch_oci::image::Source::OciDir {
                        path: path.to_owned(),
                        selector: None,
                    }),
                    platform: None,
                });
            }
            return plain(Format::Directory);
        }
        let mut head = Vec::with_capacity(1024);
        vouch_fs::read::open(path)
            .map_err(|e| DiffError::Source {
                path: path.to_owned(),
                reason: e.to_string(),
            })?
            .take(1024)
            .read_to_end(&mut head)
            .map_err(io)?;
        let found = sniff(&head);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let claimed = [
            (".tar", Format::Tar),
            (".tar.gz", Format::Tar),
            (".tgz", Format::Tar),
            (".tar.zst", Format::Tar),
            (".zip", Format::Zip),
            (".whl", Format::Zip),
            (".jar", Format::Zip),
            (".json", Format::Json),
        ]
        .into_iter()
        .find(|(ext, _)| name.ends_with(ext));
        let format = match found {
            Format::Tar => match vouch_oci::image::source::detect(path) {
                Some(source) => {
                    return Ok(Self {
                        path: path.to_owned(),
                        format: Format::OciArchive,
                        source: Some(source),
                        platform: None,
                    });
                }
                None => Format::Tar,
            },
            Format::File if head.first().is_some_and(|b| matches!(b, b'{' | b'[')) => {
                // Confirmed as JSON by parsing when compared; a brace alone says little.
                if json::parses(path, meta.len(), 64 << 20) {
                    Format::Json
                } else {
                    Format::File
                }
            }
            other => other,
        };
        if let Some((ext, want)) = claimed
            && want != format
            && !(want == Format::Tar && format == Format::OciArchive)
        {
            return Err(DiffError::UnknownFormat {
                path: path.to_owned(),
                claimed: format!("{want} ({ext})"),
            });
        }
        plain(format)
    }
}

/// What the first bytes say: zip, tar (plain, gzip or zstd: the decompressed head is checked
/// for the ustar magic), or a plain file.
fn sniff(head: &[u8]) -> Format {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Format::Zip;
    }
    if is_tar(head) {
        return Format::Tar;
    }
    let mut inner = Vec::with_capacity(512);
    if head.starts_with(&[0x1f, 0x8b]) {
        let _ = flate2::read::MultiGzDecoder::new(head)
            .take(512)
            .read_to_end(&mut inner);
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        && let Ok(d) = zstd::stream::read::Decoder::new(head)
    {
        let _ = d.take(512).read_to_end(&mut inner);
    }
    if is_tar(&inner) {
        Format::Tar
    } else {
        Format::File
    }
}

fn is_tar(head: &[u8]) -> bool {
    head.len() >= 262 && &head[257..262] == b"ustar"
}

/// The result of one comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub left: String,
    pub right: String,
    pub left_format: Format,
    pub right_format: Format,
    pub differences: Vec<Difference>,
    /// More than [`Limits::differences`] were found; the list stops there.
    pub truncated: bool,
}

impl Report {
    pub fn equal(&self) -> bool {
        self.differences.is_empty()
    }
}

/// The differences being collected, up to a limit.
pub(crate) struct Out {
    pub list: Vec<Difference>,
    pub limit: usize,
    pub truncated: bool,
}

impl Out {
    pub fn push(&mut self, path: String, kind: Kind, left: Option<String>, right: Option<String>) {
        if self.list.len() >= self.limit {
            self.truncated = true;
            return;
        }
        self.list.push(Difference {
            path,
            kind,
            left,
            right,
        });
    }
}

/// Compares the two paths, each read as its content says.
pub fn compare(left: &Path, right: &Path, limits: &Limits) -> Result<Report, DiffError> {
    compare_inputs(&Input::detect(left)?, &Input::detect(right)?, limits)
}

/// Compares two inputs (see [`Input::parse`]).
pub fn compare_inputs(left: &Input, right: &Input, limits: &Limits) -> Result<Report, DiffError> {
    let same_kind =
        left.format == right.format || (left.format.is_image() && right.format.is_image());
    if !same_kind {
        return Err(DiffError::Mismatch {
            left: left.path.clone(),
            left_format: left.format,
            right: right.path.clone(),
            right_format: right.format,
        });
    }
    let mut out = Out {
        list: Vec::new(),
        limit: limits.differences,
        truncated: false,
    };
    let whole = |p: &Path| -> Result<Digest, DiffError> { file_digest(p) };
    match left.format {
        Format::Directory => {
            let a = archive::directory(&left.path, limits)?;
            let b = archive::directory(&right.path, limits)?;
            compare_listings("", &a, &b, &mut out);
        }
        Format::OciLayout | Format::OciArchive => oci::compare(left, right, limits, &mut out)?,
        format => {
            let (da, db) = (whole(&left.path)?, whole(&right.path)?);
            if da != db {
                match format {
                    Format::Tar => {
                        let a = archive::tar(&left.path, limits)?;
                        let b = archive::tar(&right.path, limits)?;
                        compare_listings("", &a, &b, &mut out);
                    }
                    Format::Zip => {
                        let a = archive::zip(&left.path, limits)?;
                        let b = archive::zip(&right.path, limits)?;
                        compare_listings("", &a, &b, &mut out);
                    }
                    Format::Json => {
                        let a = json::read(&left.path, limits.document)?;
                        let b = json::read(&right.path, limits.document)?;
                        compare_values("", &a, &b, &mut out);
                    }
                    _ => {}
                }
                if out.list.is_empty() {
                    // Equal members or values, different bytes: the container itself differs
                    // (gzip header time, member order, compression level, JSON formatting).
                    out.push(
                        ".".into(),
                        Kind::Content,
                        Some(da.to_string()),
                        Some(db.to_string()),
                    );
                }
            }
        }
    }
    Ok(Report {
        left: left.path.display().to_string(),
        right: right.path.display().to_string(),
        left_format: left.format,
        right_format: right.format,
        differences: out.list,
        truncated: out.truncated,
    })
}

/// sha256 of a regular file, streamed.
pub(crate) fn file_digest(path: &Path) -> Result<Digest, DiffError> {
    let file = vouch_fs::read::open(path).map_err(|e| DiffError::Source {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    Digest::sha256_reader(file).map_err(|source| DiffError::Io {
        path: path.to_owned(),
        source,
    })
}

/// What a member of a directory, archive or layer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberType {
    File,
    Dir,
    Symlink,
    Hardlink,
    Other,
    /// A layer's `.wh.NAME` (deletes NAME from the layers below).
    Whiteout,
    /// A layer's `.wh..wh..opq` (empties its directory of what the layers below put there).
    Opaque,
}

impl MemberType {
    fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Dir => "dir",
            Self::Symlink => "symlink",
            Self::Hardlink => "hardlink",
            Self::Other => "other",
            Self::Whiteout => "whiteout",
            Self::Opaque => "opaque-whiteout",
        }
    }
}

/// One member, with what is compared of it (`None`: not recorded by this format).
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub kind: MemberType,
    pub mode: Option<u32>,
    pub owner: Option<(u64, u64)>,
    pub mtime: Option<String>,
    pub link: Option<String>,
    pub digest: Option<Digest>,
}

pub(crate) type Listing = BTreeMap<String, Member>;

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_owned()
    } else {
        format!("{prefix}/{path}")
    }
}

/// Member by member: missing, extra, then for members on both sides the first of type, content,
/// link target, mode, owner, mtime that differ (all of the last five are reported).
pub(crate) fn compare_listings(prefix: &str, a: &Listing, b: &Listing, out: &mut Out) {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let path = join(prefix, key);
        match (a.get(key), b.get(key)) {
            (Some(l), None) => out.push(path, Kind::Missing, Some(l.kind.as_str().into()), None),
            (None, Some(r)) => out.push(path, Kind::Extra, None, Some(r.kind.as_str().into())),
            (Some(l), Some(r)) => {
                if l.kind != r.kind {
                    out.push(
                        path,
                        Kind::Type,
                        Some(l.kind.as_str().into()),
                        Some(r.kind.as_str().into()),
                    );
                    continue;
                }
                let mut field = |kind, x: Option<String>, y: Option<String>| {
                    if x != y {
                        out.push(path.clone(), kind, x, y);
                    }
                };
                field(
                    Kind::Content,
                    l.digest.as_ref().map(Digest::to_string),
                    r.digest.as_ref().map(Digest::to_string),
                );
                field(Kind::LinkTarget, l.link.clone(), r.link.clone());
                field(
                    Kind::Mode,
                    l.mode.map(|m| format!("{:04o}", m & 0o7777)),
                    r.mode.map(|m| format!("{:04o}", m & 0o7777)),
                );
                field(
                    Kind::Owner,
                    l.owner.map(|(u, g)| format!("{u}:{g}")),
                    r.owner.map(|(u, g)| format!("{u}:{g}")),
                );
                field(Kind::Mtime, l.mtime.clone(), r.mtime.clone());
            }
            (None, None) => {}
        }
    }
}

/// The bytes of the member at `path` (a [`Difference::path`]) of `input`, for handing to a
/// member-level tool such as diffoscope: `None` when the input has no regular file there.
/// Bounded by [`Caps::file`].
pub fn member_bytes(
    input: &Input,
    path: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, DiffError> {
    match input.format {
        Format::File | Format::Json if path == "." => {
            archive::read_file(&input.path, limits.caps.file).map(Some)
        }
        Format::Directory => {
            let full = input.path.join(path);
            match std::fs::symlink_metadata(&full) {
                Ok(m) if m.is_file() => archive::read_file(&full, limits.caps.file).map(Some),
                _ => Ok(None),
            }
        }
        Format::Tar => archive::tar_member(&input.path, path, limits),
        Format::Zip => archive::zip_member(&input.path, path, limits),
        Format::OciLayout | Format::OciArchive => oci::member(input, path, limits),
        _ => Ok(None),
    }
}
