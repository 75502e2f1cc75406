//! `vouch package DIR -o oci-dir:OUT[:TAG]|oci-archive:FILE[:TAG]`: the directory walked with
//! the one walker (`vouch_fs::walk`), its entries handed to `vouch_oci::package`, which writes
//! the layer, config, manifest and index by the determinism rules of docs/package.md.

use std::collections::BTreeMap;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use vouch_fs::walk::{DirTree, EntryKind as WalkKind, Excludes, Tree as _};
use vouch_oci::image::{Platform, Selector, Source};
use vouch_oci::package::{self as pkg, Base, Entry, EntryKind, Ids, Spec};

use crate::cli::PackageArgs;
use crate::exit::ExitStatus;

enum Output {
    Dir(PathBuf),
    Archive(PathBuf),
}

pub fn run(args: PackageArgs) -> anyhow::Result<ExitStatus> {
    let epoch = source_date_epoch()?;
    let user: Ids = args.user.parse().map_err(|e| anyhow!("--user: {e}"))?;
    let owner: Ids = args.owner.parse().map_err(|e| anyhow!("--owner: {e}"))?;
    let (output, tag) = output(&args.output)?;
    let base = args.base.as_deref().map(base).transpose()?;
    let platform = match (&args.platform, &base) {
        (Some(p), _) => Platform::parse(p).map_err(|e| anyhow!("--platform: {e}"))?,
        (None, Some(b)) => b.platform(),
        (None, None) => Platform::host(),
    };
    if let Some(w) = &args.workdir
        && !w.starts_with('/')
    {
        bail!("--workdir `{w}`: expected an absolute path");
    }
    let env = args
        .env
        .iter()
        .map(|kv| pair("--env", kv))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let labels = args
        .label
        .iter()
        .map(|kv| pair("--label", kv))
        .collect::<anyhow::Result<BTreeMap<_, _>>>()?;
    let spec = Spec {
        epoch,
        owner,
        user,
        entrypoint: args.entrypoint.clone(),
        cmd: args.cmd.clone(),
        workdir: args.workdir.clone(),
        env,
        labels,
        platform,
        tag,
    };
    let (root, entries) = entries(&args.dir)?;
    let mut open = |rel: &str| -> std::io::Result<Box<dyn Read>> {
        vouch_fs::read::open(&root.join(rel))
            .map(|f| Box::new(f) as Box<dyn Read>)
            .map_err(|e| std::io::Error::other(e.to_string()))
    };
    let (dest, parent) = match &output {
        Output::Dir(p) | Output::Archive(p) => (p, parent_of(p)),
    };
    if let Output::Dir(p) = &output {
        check_empty(p)?;
    }
    let staging = tempfile::Builder::new()
        .prefix(".vouch-package-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a folder in {}", parent.display()))?;
    let packaged = pkg::write_oci_dir(staging.path(), entries, &mut open, &spec, base.as_ref())
        .with_context(|| format!("could not package {}", args.dir.display()))?;
    match &output {
        Output::Dir(out) => {
            set_mode(staging.path(), 0o755)?;
            if out.exists() {
                std::fs::remove_dir(out).with_context(|| {
                    format!("cannot replace the empty folder {}", out.display())
                })?;
            }
            std::fs::rename(staging.path(), out)
                .with_context(|| format!("cannot move the layout to {}", out.display()))?;
        }
        Output::Archive(file) => {
            let tmp = tempfile::Builder::new()
                .prefix(".vouch-package-")
                .tempfile_in(&parent)
                .with_context(|| format!("cannot create a file in {}", parent.display()))?;
            let mut w = std::io::BufWriter::new(tmp.as_file());
            pkg::write_oci_archive(staging.path(), epoch, &mut w)
                .with_context(|| format!("could not write {}", file.display()))?;
            w.flush()
                .with_context(|| format!("could not write {}", file.display()))?;
            drop(w);
            set_mode(tmp.path(), 0o644)?;
            tmp.persist(file)
                .with_context(|| format!("cannot write {}", file.display()))?;
        }
    }
    eprintln!(
        "packaged {} entries of {} into {}: layer {} ({} bytes){}",
        packaged.layer.entries,
        args.dir.display(),
        match &output {
            Output::Dir(_) => format!("oci-dir:{}", dest.display()),
            Output::Archive(_) => format!("oci-archive:{}", dest.display()),
        },
        packaged.layer.digest,
        packaged.layer.size,
        if packaged.base_layers > 0 {
            format!(" over {} base layers", packaged.base_layers)
        } else {
            String::new()
        }
    );
    println!("{}", packaged.manifest_digest);
    Ok(ExitStatus::Success)
}

/// `SOURCE_DATE_EPOCH` as seconds; 0 (1970-01-01T00:00:00Z) when unset or empty, an error when
/// it is not a whole non-negative number (the reproducible-builds.org rule: never guess).
fn source_date_epoch() -> anyhow::Result<u64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.trim().is_empty() => s.trim().parse::<u64>().with_context(|| {
            format!("SOURCE_DATE_EPOCH `{s}` is not a whole number of seconds since 1970")
        }),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(0),
        Err(std::env::VarError::NotUnicode(_)) => bail!("SOURCE_DATE_EPOCH is not valid UTF-8"),
    }
}

fn output(arg: &str) -> anyhow::Result<(Output, Option<String>)> {
    let expected = "expected oci-dir:OUT[:TAG] or oci-archive:FILE[:TAG]";
    let source = match vouch_oci::image::source::parse(arg) {
        Some(Ok(s)) => s,
        Some(Err(e)) => bail!("-o: {e}"),
        None => bail!("-o `{arg}`: {expected}"),
    };
    let (out, selector) = match source {
        Source::OciDir { path, selector } => (Output::Dir(path), selector),
        Source::OciArchive { path, selector } => (Output::Archive(path), selector),
        other => bail!("-o `{arg}`: {expected}, not {}", other.scheme()),
    };
    let tag = match selector {
        None => None,
        Some(Selector::Tag(t)) => Some(t),
        Some(Selector::Digest(_)) => {
            bail!(
                "-o `{arg}`: an output takes a tag, not a digest (vouch package prints the digest)"
            )
        }
    };
    Ok((out, tag))
}

fn base(arg: &str) -> anyhow::Result<Base> {
    let by_digest =
        || anyhow!("--base `{arg}`: name the base image by digest, oci-dir:PATH@sha256:…");
    let (path, digest) = match vouch_oci::image::source::parse(arg) {
        Some(Ok(Source::OciDir {
            path,
            selector: Some(Selector::Digest(d)),
        })) => (path, d),
        Some(Err(e)) => bail!("--base: {e}"),
        _ => return Err(by_digest()),
    };
    Ok(Base::open(&path, &digest)?)
}

fn pair(flag: &str, kv: &str) -> anyhow::Result<(String, String)> {
    match kv.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => bail!("{flag} `{kv}`: expected K=V with a non-empty name"),
    }
}

/// The entries of `dir` by the walker's rules (no `.git`, links never followed), its
/// directories (so empty ones are kept), and what the layer needs from each file: the execute
/// bits, the size, a link's target. Devices, FIFOs and
/// sockets are refused, naming each.
fn entries(dir: &Path) -> anyhow::Result<(PathBuf, Vec<Entry>)> {
    let tree = DirTree::open(dir, Excludes::none())?;
    let walk = tree.walk();
    if let Some(issue) = walk.issues.first() {
        bail!(
            "{}: cannot package {}: {} (and {} more)",
            dir.display(),
            issue.rel,
            issue.cause,
            walk.issues.len() - 1
        );
    }
    let root = tree.root().to_owned();
    let mut out: Vec<Entry> = tree
        .directories()
        .into_iter()
        .map(|path| Entry {
            path,
            kind: EntryKind::Directory,
        })
        .collect();
    let mut special = Vec::new();
    for e in walk.entries {
        let path = root.join(&e.rel);
        let meta = std::fs::symlink_metadata(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let kind = match e.kind {
            WalkKind::File => {
                use std::os::unix::fs::PermissionsExt as _;
                EntryKind::File {
                    size: meta.len(),
                    executable: meta.permissions().mode() & 0o111 != 0,
                }
            }
            WalkKind::Symlink => {
                let target = std::fs::read_link(&path)
                    .with_context(|| format!("cannot read the link {}", path.display()))?;
                let target = target
                    .to_str()
                    .ok_or_else(|| anyhow!("{}: link target is not valid UTF-8", path.display()))?;
                EntryKind::Symlink {
                    target: target.to_owned(),
                }
            }
            WalkKind::Other => {
                special.push(format!("{} ({})", e.rel, special_kind(&meta)));
                continue;
            }
        };
        out.push(Entry { path: e.rel, kind });
    }
    if !special.is_empty() {
        bail!(
            "{}: devices, FIFOs and sockets cannot be packaged: {}",
            dir.display(),
            special.join(", ")
        );
    }
    Ok((root, out))
}

fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_char_device() {
        "character device"
    } else {
        "special file"
    }
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn check_empty(out: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(out) {
        Ok(mut it) => {
            if it.next().is_some() {
                bail!(
                    "{}: already exists and is not empty (vouch package writes a new layout)",
                    out.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("{}: not an empty folder", out.display())),
    }
}

fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the mode of {}", path.display()))
}
