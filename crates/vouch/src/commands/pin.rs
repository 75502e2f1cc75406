//! `vouch pin`: rewrite mutable references to digests and commits in place, record them in
//! `vouch.lock`; `--check` only reports, `--dry-run` prints the diff.
//!
//! A file with any failure (malformed, a missing tag, a registry error) is left untouched and
//! the command exits 2 naming the file, reference and reason; the other files are still done.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_fs::write::Options as WriteOptions;
use vouch_pin::cache::CachedResolver;
use vouch_pin::lock::{self, Lock, Observed};
use vouch_pin::pin::{self, RefError};
use vouch_pin::vouch_resolve::{Options, Resolver};
use vouch_pin::walk::{self, SourceFile, Tree};

use crate::cli::{PinArgs, ResolveArgs};
use crate::exit::ExitStatus;

pub fn run(args: PinArgs) -> anyhow::Result<ExitStatus> {
    let root = &args.path;
    if !root.exists() {
        anyhow::bail!("{} does not exist", root.display());
    }
    let resolver = resolver(&args.resolve)?;
    let mut tree = walk::walk(root);
    clean_temp_files(&mut tree, root, !args.check && !args.dry_run);
    let mut failed = report_file_errors(&tree);
    if args.check {
        return check(&resolver, &tree, failed, args.offline);
    }
    let lock = load_lock(root)?;
    let mut out = String::new();
    let mut new_files = Vec::new();
    let (mut pinned, mut changed_files) = (0usize, 0usize);
    for file in &tree.files {
        match pin::pin_file(&resolver, file) {
            Ok(result) => {
                for (line, text, reason) in &result.skipped {
                    eprintln!(
                        "warning[pin-unpinnable]: {}:{line}: {text}: not pinned: {reason}",
                        file.rel
                    );
                }
                if result.text != file.text {
                    if !apply(file, &result.text, args.dry_run, &mut out) {
                        failed = true;
                        new_files.push(file.clone());
                        continue;
                    }
                    changed_files += 1;
                    pinned += result.pinned.len();
                }
                new_files.push(rediscover(file, result.text));
            }
            Err(e) => {
                failed = true;
                print_ref_error(&e, "file left unchanged");
                new_files.push(file.clone());
            }
        }
    }
    let lock_text = write_lock(&lock, &new_files, args.dry_run, &mut out)?;
    if args.dry_run {
        crate::output::write(None, out.as_bytes())?;
    }
    let verb = if args.dry_run { "would pin" } else { "pinned" };
    eprintln!(
        "{verb} {pinned} reference(s) in {changed_files} file(s){}",
        lock_text.map_or_else(String::new, |p| format!("; {}", p.display()))
    );
    Ok(if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

fn check(
    resolver: &CachedResolver,
    tree: &Tree,
    mut failed: bool,
    offline: bool,
) -> anyhow::Result<ExitStatus> {
    let mut findings = Vec::new();
    for file in &tree.files {
        if offline {
            findings.extend(pin::unpinned(file));
            continue;
        }
        // One unreachable reference does not hide the file's other findings: each error names
        // its reference, and the findings that could be established are still reported.
        let checked = pin::check_file(resolver, file);
        findings.extend(checked.findings);
        for e in &checked.errors {
            failed = true;
            print_ref_error(e, "not checked");
        }
    }
    let mut out = String::new();
    for f in &findings {
        out.push_str(&format!(
            "{}:{}: {}[{}]: {}\n",
            f.file, f.line, f.reference, f.code, f.message
        ));
    }
    let out = vouch_report::terminal::sanitize(&out);
    crate::output::write(None, out.as_bytes())?;
    eprintln!(
        "{} finding(s) in {} file(s){}",
        findings.len(),
        tree.files.len(),
        if failed {
            "; some references or files could not be checked (exit 2)"
        } else {
            ""
        }
    );
    Ok(if failed {
        ExitStatus::Error
    } else if findings.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The resolver for `--insecure-registry`, `--github-url`, `--gitlab-url`.
pub fn resolver(args: &ResolveArgs) -> anyhow::Result<CachedResolver> {
    let resolver = Resolver::new(Options {
        insecure_registries: args.insecure_registry.clone(),
        github_url: args.github_url.clone(),
        gitlab_url: args.gitlab_url.clone(),
    })
    .context("cannot set up the registry and git clients")?;
    Ok(CachedResolver::new(resolver))
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
/// the walked files and `vouch.lock` (only vouch's own, named `.<name>.vouch-tmp-<pid>-<random>`,
/// whose process is gone); always drops every temporary file of vouch's from the tree so that
/// none is pinned or reported (`.Dockerfile.vouch-tmp-…` would otherwise be read as a Dockerfile).
pub fn clean_temp_files(tree: &mut Tree, root: &Path, remove: bool) {
    if remove {
        let mut dirs: Vec<PathBuf> = tree
            .files
            .iter()
            .filter_map(|f| f.path.parent().map(Path::to_path_buf))
            .chain(lock_path(root).parent().map(Path::to_path_buf))
            .map(|d| {
                if d.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    d
                }
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        for dir in &dirs {
            match vouch_fs::write::clean_stale(dir) {
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
    let is_temp = |rel: &str| vouch_fs::write::is_temp_name(rel.rsplit('/').next().unwrap_or(rel));
    tree.files.retain(|f| !is_temp(&f.rel));
    tree.errors.retain(|e| !is_temp(&e.rel));
}

/// `file` with `text` and the references discovered in it (discovery of text vouch wrote
/// cannot fail where the original succeeded; if it does, the old references are kept).
pub fn rediscover(file: &SourceFile, text: String) -> SourceFile {
    let references = vouch_pin::discover::discover(file.kind, text.as_bytes())
        .unwrap_or_else(|_| file.references.clone());
    SourceFile {
        text,
        references,
        ..file.clone()
    }
}

/// Where `vouch.lock` goes: in PATH, or beside PATH when it is a file.
pub fn lock_path(root: &Path) -> PathBuf {
    if root.is_file() {
        root.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(lock::FILE_NAME)
    } else {
        root.join(lock::FILE_NAME)
    }
}

/// The existing `vouch.lock` under `root`, read before any file is touched so that a malformed
/// lock stops the run with nothing changed.
pub struct LockState {
    path: PathBuf,
    old_text: Option<String>,
    previous: Lock,
}

pub fn load_lock(root: &Path) -> anyhow::Result<LockState> {
    let path = lock_path(root);
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
    let observed: Vec<Observed> = files
        .iter()
        .flat_map(|f| pin::observed(f, &f.rel))
        .collect();
    if observed.is_empty() && lock.old_text.is_none() {
        return Ok(None);
    }
    let now = crate::clock::now()?;
    let new_text = Lock::build(&observed, &lock.previous, now).render();
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
