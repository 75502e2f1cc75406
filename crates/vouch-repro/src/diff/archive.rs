//! Listings of directories, tar streams and zip archives, and single members read back.

use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use vouch_digest::Digest;
use vouch_fs::walk::{DirTree, EntryKind, Excludes, Tree};
use vouch_oci::image::layer::{self, Content, Kind as TarKind, LayerEntries};
use vouch_oci::image::{ImageError, Scan};

use super::{DiffError, Limits, Listing, Member, MemberType};

fn archive_error(path: &Path, e: ImageError) -> DiffError {
    match e {
        ImageError::Archive { reason, .. } => DiffError::Archive {
            path: path.to_owned(),
            reason,
        },
        other => DiffError::Archive {
            path: path.to_owned(),
            reason: other.to_string(),
        },
    }
}

/// A directory on disk through vouch's one walker (`.git` is not walked, links are not
/// followed). Type, content, link target and mode are recorded; owner and mtime are not (they
/// belong to the machine and the moment of the copy, not to the artifact).
pub(crate) fn directory(root: &Path, limits: &Limits) -> Result<Listing, DiffError> {
    let tree = DirTree::open(root, Excludes::none()).map_err(|e| DiffError::Source {
        path: root.to_owned(),
        reason: e.to_string(),
    })?;
    let walk = tree.walk();
    if let Some(issue) = walk.issues.first() {
        return Err(DiffError::Source {
            path: root.to_owned(),
            reason: issue.to_string(),
        });
    }
    if walk.entries.len() > limits.members {
        return Err(DiffError::TooManyMembers {
            path: root.to_owned(),
            limit: limits.members,
        });
    }
    let mut out = Listing::new();
    for entry in &walk.entries {
        let full = tree.path(&entry.rel);
        let io = |source| DiffError::Io {
            path: full.clone(),
            source,
        };
        let meta = std::fs::symlink_metadata(&full).map_err(io)?;
        let (kind, link, digest) = match entry.kind {
            EntryKind::File => (MemberType::File, None, Some(super::file_digest(&full)?)),
            EntryKind::Symlink => {
                let target = std::fs::read_link(&full).map_err(io)?;
                (
                    MemberType::Symlink,
                    Some(target.to_string_lossy().into_owned()),
                    None,
                )
            }
            EntryKind::Other => (MemberType::Other, None, None),
        };
        use std::os::unix::fs::PermissionsExt as _;
        out.insert(
            entry.rel.clone(),
            Member {
                kind,
                mode: (kind != MemberType::Symlink).then(|| meta.permissions().mode()),
                owner: None,
                mtime: None,
                link,
                digest,
            },
        );
    }
    Ok(out)
}

/// Content digests of a layer's regular files, filled by a [`Scan::visit`] hook.
pub(crate) type Digests = Mutex<std::collections::HashMap<(usize, String), Digest>>;

pub(crate) fn digest_visitor(
    digests: &Digests,
) -> impl Fn(&layer::Visit<'_>, &mut dyn Read) + Sync + '_ {
    move |visit, content| {
        // A read error here surfaces again in the layer reader (it reads the same stream).
        if let Ok(d) = Digest::sha256_reader(content) {
            let mut map = digests.lock().unwrap_or_else(|e| e.into_inner());
            map.insert((visit.layer, visit.path.to_owned()), d);
        }
    }
}

/// One layer's (or tarball's) entries as a listing. Later entries of the same path win, as
/// when the tar is extracted.
pub(crate) fn listing(layer: usize, entries: &LayerEntries, digests: &Digests) -> Listing {
    let digests = digests.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = Listing::new();
    for e in &entries.entries {
        let kind = match e.kind {
            TarKind::File => MemberType::File,
            TarKind::Dir => MemberType::Dir,
            TarKind::Symlink => MemberType::Symlink,
            TarKind::Hardlink => MemberType::Hardlink,
            TarKind::Other => MemberType::Other,
        };
        out.insert(
            e.path.clone(),
            Member {
                kind,
                mode: Some(e.mode),
                owner: Some((e.uid, e.gid)),
                mtime: Some(e.mtime.to_string()),
                link: e.link.clone(),
                digest: (kind == MemberType::File)
                    .then(|| digests.get(&(layer, e.path.clone())).cloned())
                    .flatten(),
            },
        );
    }
    let marker = |kind| Member {
        kind,
        mode: None,
        owner: None,
        mtime: None,
        link: None,
        digest: None,
    };
    for w in &entries.whiteouts {
        let (dir, name) = w.rsplit_once('/').map_or(("", w.as_str()), |(d, n)| (d, n));
        let at = if dir.is_empty() {
            format!(".wh.{name}")
        } else {
            format!("{dir}/.wh.{name}")
        };
        out.insert(at, marker(MemberType::Whiteout));
    }
    for dir in &entries.opaque {
        let at = if dir.is_empty() {
            ".wh..wh..opq".to_owned()
        } else {
            format!("{dir}/.wh..wh..opq")
        };
        out.insert(at, marker(MemberType::Opaque));
    }
    out
}

fn open(path: &Path) -> Result<Box<dyn Read + Send>, DiffError> {
    let file = vouch_fs::read::open(path).map_err(|e| DiffError::Source {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(Box::new(file))
}

/// A tar, tar.gz or tar.zst file, read by vouch-oci's layer reader (same caps).
pub(crate) fn tar(path: &Path, limits: &Limits) -> Result<Listing, DiffError> {
    let digests = Digests::default();
    let visitor = digest_visitor(&digests);
    let mut caps = limits.caps;
    caps.entries = caps.entries.min(limits.members);
    let scan = Scan {
        retain: &|_| false,
        visit: Some(&visitor),
        caps,
        progress: None,
    };
    let what = path.display().to_string();
    let entries = layer::read_tar(&what, open(path)?, &scan).map_err(|e| archive_error(path, e))?;
    Ok(listing(0, &entries, &digests))
}

/// One member of a tar file, kept in memory (bounded by the file cap).
pub(crate) fn tar_member(
    path: &Path,
    member: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, DiffError> {
    let scan = Scan {
        retain: &|p| p == member,
        visit: None,
        caps: limits.caps,
        progress: None,
    };
    let what = path.display().to_string();
    let entries = layer::read_tar(&what, open(path)?, &scan).map_err(|e| archive_error(path, e))?;
    Ok(kept(&entries, member))
}

/// The last kept content of `member` in a layer's entries.
pub(crate) fn kept(entries: &LayerEntries, member: &str) -> Option<Vec<u8>> {
    entries
        .entries
        .iter()
        .rev()
        .find(|e| e.path == member)
        .and_then(|e| match &e.content {
            Content::Kept(bytes) => Some(bytes.to_vec()),
            _ => None,
        })
}

/// A regular file, at most `limit` bytes.
pub(crate) fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, DiffError> {
    vouch_fs::read::read(path, limit).map_err(|e| DiffError::Source {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// Reads one zip member's content through the caps: at most `caps.layer` bytes, and once past
/// `caps.ratio_after`, at most `caps.ratio` times its compressed size. `total` counts every
/// member's bytes against `caps.image`.
fn zip_read(
    path: &Path,
    file: &mut zip::read::ZipFile<'_, std::fs::File>,
    limits: &Limits,
    total: &mut u64,
    mut sink: impl std::io::Write,
) -> Result<(), DiffError> {
    let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
    let compressed = file.compressed_size().max(1);
    let caps = limits.caps;
    let mut buf = vec![0u8; 64 * 1024];
    let mut done: u64 = 0;
    let fault = |reason: String| DiffError::Archive {
        path: path.to_owned(),
        reason: format!("member {name}: {reason}"),
    };
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| fault(format!("truncated or corrupt: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        done += n as u64;
        *total += n as u64;
        if done > caps.layer {
            return Err(fault(format!(
                "more than {} bytes uncompressed (the per-member cap)",
                caps.layer
            )));
        }
        if *total > caps.image {
            return Err(fault(format!(
                "the archive holds more than {} bytes uncompressed (the per-archive cap)",
                caps.image
            )));
        }
        if done > caps.ratio_after && done / compressed > caps.ratio {
            return Err(fault(format!(
                "decompression bomb: {done} bytes out of {compressed} compressed (more than {}:1)",
                caps.ratio
            )));
        }
        sink.write_all(&buf[..n])
            .map_err(|e| fault(e.to_string()))?;
    }
}

fn zip_open(path: &Path, limits: &Limits) -> Result<zip::ZipArchive<std::fs::File>, DiffError> {
    let file = vouch_fs::read::open(path).map_err(|e| DiffError::Source {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let archive = zip::ZipArchive::new(file).map_err(|e| DiffError::Archive {
        path: path.to_owned(),
        reason: format!("not a readable zip archive: {e}"),
    })?;
    if archive.len() > limits.members.min(limits.caps.entries) {
        return Err(DiffError::TooManyMembers {
            path: path.to_owned(),
            limit: limits.members.min(limits.caps.entries),
        });
    }
    Ok(archive)
}

/// A zip (wheel, jar) archive: type, content, mode (when the zip records Unix modes), mtime
/// (the DOS time each member records).
pub(crate) fn zip(path: &Path, limits: &Limits) -> Result<Listing, DiffError> {
    let mut archive = zip_open(path, limits)?;
    let mut out = Listing::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| DiffError::Archive {
            path: path.to_owned(),
            reason: format!("member {i}: {e}"),
        })?;
        let name = file
            .name()
            .map_err(|e| DiffError::Archive {
                path: path.to_owned(),
                reason: format!("member {i}: name: {e}"),
            })?
            .trim_end_matches('/')
            .to_owned();
        let mode = file.unix_mode();
        let is_link = mode.is_some_and(|m| m & 0o170000 == 0o120000);
        let kind = if file.is_dir() {
            MemberType::Dir
        } else if is_link {
            MemberType::Symlink
        } else {
            MemberType::File
        };
        let mtime = file.last_modified().map(|t| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        });
        let (digest, link) = match kind {
            MemberType::File => {
                let mut hash = Digest::sha256_writer();
                zip_read(path, &mut file, limits, &mut total, &mut hash)?;
                (Some(hash.finish()), None)
            }
            MemberType::Symlink => {
                let mut target = Vec::new();
                zip_read(path, &mut file, limits, &mut total, &mut target)?;
                (None, Some(String::from_utf8_lossy(&target).into_owned()))
            }
            _ => (None, None),
        };
        out.insert(
            name,
            Member {
                kind,
                mode,
                owner: None,
                mtime,
                link,
                digest,
            },
        );
    }
    Ok(out)
}

/// One member of a zip archive, bounded by the file cap.
pub(crate) fn zip_member(
    path: &Path,
    member: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, DiffError> {
    let mut archive = zip_open(path, limits)?;
    let Ok(mut file) = archive.by_name(member) else {
        return Ok(None);
    };
    if file.is_dir() {
        return Ok(None);
    }
    let mut caps = *limits;
    caps.caps.layer = caps.caps.layer.min(limits.caps.file);
    let mut bytes = Vec::new();
    let mut total = 0;
    zip_read(path, &mut file, &caps, &mut total, &mut bytes)?;
    Ok(Some(bytes))
}
