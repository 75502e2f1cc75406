//! The working-tree scanner over the one walker of every capability ([`vouch_fs::walk`]: no
//! ignore file honoured, hidden files in, `.git` out, links not followed; docs/walk.md), the
//! `--exclude` globs and the allow-list.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use vouch_fs::walk::{DirTree, EntryKind, Tree, Walk};

use crate::{Options, Origin, RuleSet, ScanError, ScanOutcome, ScanWarning, is_binary, to_finding};

/// Scan a directory (or a single file) on disk.
///
/// Hidden files are scanned (`.env` is where secrets live); `.git` directories are not; no
/// ignore file (`.gitignore`, `.ignore`, global git excludes) is honoured: a committed or
/// ignored file on disk is scanned, `--exclude` ([`Options::excludes`]) leaves paths out.
pub fn scan_dir(root: &Path, options: &Options) -> Result<ScanOutcome, ScanError> {
    let meta = std::fs::metadata(root).map_err(|source| ScanError::Root {
        path: root.to_owned(),
        source,
    })?;
    if !meta.is_dir() {
        // A single file named on the command line: one that cannot be read (a FIFO, a device)
        // is an error, not a warning about a scan of nothing.
        if let Err(e) = vouch_fs::read::open(root) {
            return Err(ScanError::File(e));
        }
        let rel = root.to_string_lossy().replace('\\', "/");
        let acc = Acc::default();
        let rules = options.ruleset()?;
        scan_one(&rules, options, &acc, &rel, &mut Vec::new(), |buf| {
            vouch_fs::read::read_into(root, options.max_file_size, buf)
        });
        return Ok(acc.finish());
    }
    let tree = DirTree::open(root, options.excludes.clone()).map_err(|e| ScanError::Root {
        path: root.to_owned(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let walked = tree.walk();
    scan_walked(&tree, &walked, options)
}

/// Scan the entries of one walk of `tree` (the walk `vouch scan` shares with every check),
/// reading each file through the tree. Each walk issue is a warning: what is below it was not
/// scanned. Symbolic links are not followed; FIFOs, devices and sockets are refused by the
/// read and reported as warnings; paths the allow-list excludes are left out.
pub fn scan_walked(
    tree: &dyn Tree,
    walked: &Walk,
    options: &Options,
) -> Result<ScanOutcome, ScanError> {
    let rules = options.ruleset()?;
    let acc = Acc::default();
    for i in &walked.issues {
        acc.warn(&i.rel, format!("walk error: {}", i.cause));
    }
    let jobs: Vec<&str> = walked
        .entries
        .iter()
        .filter(|e| e.kind != EntryKind::Symlink && !allow_excluded(options, &e.rel))
        .map(|e| e.rel.as_str())
        .collect();
    let run = || {
        jobs.par_iter().for_each_init(Vec::new, |buf, rel| {
            scan_one(&rules, options, &acc, rel, buf, |buf| {
                tree.read_into(rel, options.max_file_size, buf)
            });
            if buf.capacity() > 1 << 20 {
                *buf = Vec::new();
            }
        });
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads())
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
    Ok(acc.finish())
}

/// Whether the allow-list leaves out `rel`, itself or through one of its folders.
fn allow_excluded(options: &Options, rel: &str) -> bool {
    let mut end = 0;
    while let Some(i) = rel[end..].find('/') {
        end += i;
        if options.allow.path_excluded(&rel[..end]) {
            return true;
        }
        end += 1;
    }
    options.allow.path_excluded(rel)
}

#[derive(Default)]
struct Acc {
    findings: Mutex<Vec<vouch_report::Finding>>,
    warnings: Mutex<Vec<ScanWarning>>,
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    large: AtomicU64,
}

impl Acc {
    fn warn(&self, subject: &str, message: String) {
        self.warnings
            .lock()
            .expect("warnings lock")
            .push(ScanWarning {
                subject: subject.to_owned(),
                message,
            });
    }

    fn finish(self) -> ScanOutcome {
        let mut outcome = ScanOutcome {
            findings: self.findings.into_inner().expect("findings lock"),
            warnings: self.warnings.into_inner().expect("warnings lock"),
            ..ScanOutcome::default()
        };
        outcome.stats.files_scanned = self.files.into_inner();
        outcome.stats.bytes_scanned = self.bytes.into_inner();
        outcome.stats.skipped_binary = self.binary.into_inner();
        outcome.stats.skipped_large = self.large.into_inner();
        outcome.sort();
        outcome
    }
}

fn scan_one(
    rules: &RuleSet,
    options: &Options,
    acc: &Acc,
    rel: &str,
    buf: &mut Vec<u8>,
    read: impl FnOnce(&mut Vec<u8>) -> Result<(), vouch_fs::read::ReadError>,
) {
    if options.allow.path_excluded(rel) || options.excludes.excluded(rel) {
        return;
    }
    // A FIFO or device is refused before a byte is read (never a hang); at most the limit
    // plus one byte is read, so memory stays bounded whatever the file yields.
    match read(buf) {
        Ok(()) => {}
        Err(vouch_fs::read::ReadError::TooLarge { .. }) => {
            acc.large.fetch_add(1, Ordering::Relaxed);
            return;
        }
        Err(e) => return acc.warn(rel, e.reason()),
    }
    if is_binary(buf) {
        acc.binary.fetch_add(1, Ordering::Relaxed);
        return;
    }
    acc.files.fetch_add(1, Ordering::Relaxed);
    acc.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
    let matches = rules.scan(buf);
    if !matches.is_empty() {
        let origin = Origin {
            path: rel,
            commit: None,
        };
        let mut found: Vec<_> = matches
            .iter()
            .map(|m| to_finding(rules, m, &origin, options))
            .collect();
        acc.findings
            .lock()
            .expect("findings lock")
            .append(&mut found);
    }
}
