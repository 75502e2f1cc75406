//! The working-tree scanner: a parallel walk that honours `.gitignore` and the allow-list.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Options, Origin, ScanError, ScanOutcome, ScanWarning, is_binary, to_finding};

/// Scan a directory (or a single file) on disk.
///
/// Hidden files are scanned (`.env` is where secrets live); `.git` directories are not;
/// `.gitignore`, `.ignore` and global git excludes are honoured even outside a repository.
pub fn scan_dir(root: &Path, options: &Options) -> Result<ScanOutcome, ScanError> {
    let meta = std::fs::metadata(root).map_err(|source| ScanError::Root {
        path: root.to_owned(),
        source,
    })?;
    let rules = options.ruleset()?;
    let findings = Mutex::new(Vec::new());
    let warnings = Mutex::new(Vec::new());
    let files = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let binary = AtomicU64::new(0);
    let large = AtomicU64::new(0);

    let scan_file = |path: &Path, rel: &str, buf: &mut Vec<u8>| {
        if options.allow.path_excluded(rel) {
            return;
        }
        let warn = |message: String| {
            warnings.lock().expect("warnings lock").push(ScanWarning {
                subject: rel.to_owned(),
                message,
            });
        };
        // A FIFO or device is refused before a byte is read (never a hang); at most the limit
        // plus one byte is read, so memory stays bounded whatever the file yields.
        match vouch_fs::read::read_into(path, options.max_file_size, buf) {
            Ok(()) => {}
            Err(vouch_fs::read::ReadError::TooLarge { .. }) => {
                large.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Err(e) => return warn(e.reason()),
        }
        if is_binary(buf) {
            binary.fetch_add(1, Ordering::Relaxed);
            return;
        }
        files.fetch_add(1, Ordering::Relaxed);
        bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
        let matches = rules.scan(buf);
        if !matches.is_empty() {
            let origin = Origin {
                path: rel,
                commit: None,
            };
            let mut found: Vec<_> = matches
                .iter()
                .map(|m| to_finding(&rules, m, &origin, options))
                .collect();
            findings.lock().expect("findings lock").append(&mut found);
        }
    };

    if !meta.is_dir() {
        // A single file named on the command line: one that cannot be read (a FIFO, a device)
        // is an error, not a warning about a scan of nothing.
        if let Err(e) = vouch_fs::read::open(root) {
            return Err(ScanError::File(e));
        }
        let rel = root.to_string_lossy().replace('\\', "/");
        scan_file(root, &rel, &mut Vec::new());
    } else {
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .threads(options.threads())
            .filter_entry(|e| e.file_name() != ".git")
            .build_parallel();
        walker.run(|| {
            let mut buf = Vec::new();
            let scan_file = &scan_file;
            let warnings = &warnings;
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        warnings.lock().expect("warnings lock").push(ScanWarning {
                            subject: root.display().to_string(),
                            message: format!("walk error: {e}"),
                        });
                        return ignore::WalkState::Continue;
                    }
                };
                let rel = relative(root, entry.path());
                if entry.file_type().is_some_and(|t| t.is_dir()) {
                    if !rel.is_empty() && options.allow.path_excluded(&rel) {
                        return ignore::WalkState::Skip;
                    }
                    return ignore::WalkState::Continue;
                }
                // Regular files are scanned; FIFOs, devices and sockets in the tree are refused by
                // the read and reported as warnings. Symbolic links are not followed.
                if entry.file_type().is_some_and(|t| !t.is_symlink()) {
                    scan_file(entry.path(), &rel, &mut buf);
                    if buf.capacity() > 1 << 20 {
                        buf = Vec::new();
                    }
                }
                ignore::WalkState::Continue
            })
        });
    }

    let mut outcome = ScanOutcome {
        findings: findings.into_inner().expect("findings lock"),
        warnings: warnings.into_inner().expect("warnings lock"),
        ..ScanOutcome::default()
    };
    outcome.stats.files_scanned = files.into_inner();
    outcome.stats.bytes_scanned = bytes.into_inner();
    outcome.stats.skipped_binary = binary.into_inner();
    outcome.stats.skipped_large = large.into_inner();
    outcome.sort();
    Ok(outcome)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
