//! What `vouch pin` and `vouch update` share at the edge: the resolver from the command line,
//! printing file and reference errors, writing a rewritten file (or its diff), cleaning up an
//! interrupted run's temporary files, and reading and writing `vouch.lock`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_fs::write::Options as WriteOptions;
use vouch_pin::cache::CachedResolver;
use vouch_pin::lock::{self, Lock};
use vouch_pin::pin::RefError;
use vouch_pin::vouch_resolve::{Options, Resolver};
use vouch_pin::walk::{SourceFile, Tree};

use crate::cli::ResolveArgs;

/// The resolver for `--insecure-registry`, `--github-url`, `--gitlab-url`, with the user's
/// registry credentials (`crate::registry_auth`).
pub fn resolver(args: &ResolveArgs) -> anyhow::Result<CachedResolver> {
    let resolver = Resolver::new(Options {
        insecure_registries: args.insecure_registry.clone(),
        github_url: args.github_url.clone(),
        gitlab_url: args.gitlab_url.clone(),
    })
    .context("cannot set up the registry and git clients")?
    .with_credentials(crate::registry_auth::from_env()?);
    Ok(CachedResolver::new(resolver))
}

/// Prints the resolver's notices (a registry whose credentials only a helper holds), each once.
pub fn print_notices(resolver: &CachedResolver) {
    for notice in resolver.take_notices() {
        eprintln!("warning[{}]: {notice}", notice.code());
    }
}

/// Print every unreadable or malformed file; true when there was one.
pub fn report_file_errors(tree: &Tree) -> bool {
    for e in &tree.errors {
        eprintln!("error[{}]: {e}; file left unchanged", e.code());
    }
    !tree.errors.is_empty()
}

/// Prints `e` with its causes; `outcome` says what became of the file ("file left unchanged",
/// or "not checked" for `--check`).
pub fn print_ref_error(e: &RefError, outcome: &str) {
    eprintln!("error[{}]: {e}; {outcome}", e.error.code());
    let mut source = std::error::Error::source(&e.error);
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}

/// Writes the new text of `file` atomically, or with `dry_run` appends its unified diff to `diff`.
/// A file that cannot be replaced (read-only, no longer a regular file, a full disk) is reported
/// as `pin-cannot-write` and left unchanged: returns false.
pub fn apply(file: &SourceFile, text: &str, dry_run: bool, diff: &mut String) -> bool {
    if dry_run {
        diff.push_str(&vouch_pin::rewrite::unified_diff(
            &file.rel, &file.text, text,
        ));
        return true;
    }
    match vouch_fs::write::write(&file.path, text.as_bytes(), &WriteOptions::rewrite()) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("error[pin-cannot-write]: {e}; file left unchanged");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            false
        }
    }
}

/// With `remove`, removes the temporary files an interrupted `vouch pin`/`update` left beside
/// the walked files and `vouch.lock` (only vouch's own, whose process is gone); always drops
/// every temporary file of vouch's from the tree ([`Tree::drop_temp_files`]).
pub fn clean_temp_files(tree: &mut Tree, root: &Path, remove: bool) {
    if remove {
        let lock_dir = lock::path_for(root).parent().map(Path::to_path_buf);
        for dir in tree.folders(lock_dir.as_deref()) {
            match vouch_fs::write::clean_stale(&dir) {
                Ok(removed) => {
                    for p in removed {
                        eprintln!(
                            "removed {}, a temporary file of an interrupted run",
                            p.display()
                        );
                    }
                }
                Err(e) => eprintln!("warning: {e}"),
            }
        }
    }
    tree.drop_temp_files();
}

/// The existing `vouch.lock` under `root`, read before any file is touched so that a malformed
/// lock stops the run with nothing changed.
pub struct LockState {
    path: PathBuf,
    old_text: Option<String>,
    previous: Lock,
}

pub fn load_lock(root: &Path) -> anyhow::Result<LockState> {
    let path = lock::path_for(root);
    // The repository's own file: a regular file inside the repository, at most 8 MiB.
    let dir = path.parent().unwrap_or(Path::new("."));
    let old_text = if crate::files::present(&path) {
        Some(
            vouch_fs::read::read_to_string_in_root(dir, &path, crate::files::MAX_CONFIG)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )
    } else {
        None
    };
    let previous = match &old_text {
        Some(t) => Lock::parse(t).with_context(|| format!("cannot use {}", path.display()))?,
        None => Lock::default(),
    };
    Ok(LockState {
        path,
        old_text,
        previous,
    })
}

/// Rebuild `vouch.lock` from the pins in `files`. With `dry_run`, its diff goes to `out`.
/// Returns the lock's path when it was (or would be) written.
pub fn write_lock(
    lock: &LockState,
    files: &[SourceFile],
    dry_run: bool,
    out: &mut String,
) -> anyhow::Result<Option<PathBuf>> {
    let Some(new_text) = lock::text_for(
        files,
        &lock.previous,
        lock.old_text.is_some(),
        crate::clock::now()?,
    ) else {
        return Ok(None);
    };
    if lock.old_text.as_deref() == Some(new_text.as_str()) {
        return Ok(None);
    }
    if dry_run {
        out.push_str(&vouch_pin::rewrite::unified_diff(
            lock::FILE_NAME,
            lock.old_text.as_deref().unwrap_or(""),
            &new_text,
        ));
    } else {
        crate::output::write_with(&lock.path, new_text.as_bytes(), &WriteOptions::rewrite())?;
    }
    Ok(Some(lock.path.clone()))
}

/// The existing `sources.lock` beside `vouch.lock` under `root`, read before any file is
/// touched.
pub struct SourcesState {
    path: PathBuf,
    old_text: Option<String>,
    pub previous: vouch_pin::sources::Sources,
}

pub fn load_sources(root: &Path) -> anyhow::Result<SourcesState> {
    let path = lock::path_for(root).with_file_name(vouch_pin::sources::FILE_NAME);
    let dir = path.parent().unwrap_or(Path::new("."));
    let old_text = if crate::files::present(&path) {
        Some(
            vouch_fs::read::read_to_string_in_root(dir, &path, crate::files::MAX_CONFIG)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )
    } else {
        None
    };
    let previous = match &old_text {
        Some(t) => {
            let parsed = vouch_pin::sources::Sources::parse(t)
                .with_context(|| format!("cannot use {}", path.display()))?;
            parsed
                .check()
                .with_context(|| format!("cannot use {}", path.display()))?;
            parsed
        }
        None => vouch_pin::sources::Sources::default(),
    };
    Ok(SourcesState {
        path,
        old_text,
        previous,
    })
}

/// Records this run's `downloads` into `sources.lock` (entries of URLs not seen this run are
/// kept as they are: a lock may list sources no file names). With `dry_run`, its diff goes to
/// `out`. Returns the lock's path when it was (or would be) written.
pub fn write_sources(
    state: &SourcesState,
    downloads: Vec<vouch_pin::sources::Entry>,
    dry_run: bool,
    out: &mut String,
) -> anyhow::Result<Option<PathBuf>> {
    if downloads.is_empty() && state.old_text.is_none() {
        return Ok(None);
    }
    let mut next = state.previous.clone();
    // The files of a URL seen this run are this run's files.
    for d in &downloads {
        if let Some(e) = next.sources.iter_mut().find(|e| e.url == d.url) {
            e.files.clear();
        }
    }
    for d in downloads {
        next.record(d);
    }
    let new_text = next.render();
    if state.old_text.as_deref() == Some(new_text.as_str()) {
        return Ok(None);
    }
    if dry_run {
        out.push_str(&vouch_pin::rewrite::unified_diff(
            vouch_pin::sources::FILE_NAME,
            state.old_text.as_deref().unwrap_or(""),
            &new_text,
        ));
    } else {
        crate::output::write_with(&state.path, new_text.as_bytes(), &WriteOptions::rewrite())?;
    }
    Ok(Some(state.path.clone()))
}
