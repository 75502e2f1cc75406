//! `vouch pin`: rewrite mutable references to digests and commits in place, record them in
//! `vouch.lock`; `--check` only reports, `--dry-run` prints the diff.
//!
//! Downloads (`ADD <url>`, `curl`/`wget` in `RUN` lines and CI scripts) are recorded in
//! `sources.lock` beside `vouch.lock` (URL, SHA-256, size, the files using each), and an `ADD`
//! of a URL without `--checksum` gets one; shell lines are never rewritten.
//!
//! A file with any failure (malformed, a missing tag, a registry error) is left untouched and
//! the command exits 2 naming the file, reference and reason; the other files are still done.

use vouch_pin::cache::CachedResolver;
use vouch_pin::pin;
use vouch_pin::walk::{self, Tree};

use super::pin_files::{
    apply, clean_temp_files, load_lock, load_sources, print_notices, print_ref_error,
    report_file_errors, resolver, write_lock, write_sources,
};
use crate::cli::{Format, PinArgs};
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
    let sources = load_sources(root)?;
    if args.check {
        return check(&resolver, &tree, failed, &args, &sources.previous);
    }
    let lock = load_lock(root)?;
    let mut downloads = Vec::new();
    let mut out = String::new();
    let mut new_files = Vec::new();
    let (mut pinned, mut changed_files) = (0usize, 0usize);
    for file in &tree.files {
        let pinned_file = pin::pin_file(&resolver, file, &sources.previous);
        print_notices(&resolver);
        match pinned_file {
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
                downloads.extend(result.downloads);
                new_files.push(file.with_text(result.text));
            }
            Err(e) => {
                failed = true;
                print_ref_error(&e, "file left unchanged");
                new_files.push(file.clone());
            }
        }
    }
    let lock_text = write_lock(&lock, &new_files, args.dry_run, &mut out)?;
    let recorded = downloads.len();
    let sources_text = write_sources(&sources, downloads, args.dry_run, &mut out)?;
    if args.dry_run {
        crate::output::write(None, out.as_bytes())?;
    }
    let verb = if args.dry_run { "would pin" } else { "pinned" };
    eprintln!(
        "{verb} {pinned} reference(s) in {changed_files} file(s){}{}",
        lock_text.map_or_else(String::new, |p| format!("; {}", p.display())),
        sources_text.map_or_else(String::new, |p| format!(
            "; {recorded} download(s) in {}",
            p.display()
        ))
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
    args: &PinArgs,
    sources: &vouch_pin::sources::Sources,
) -> anyhow::Result<ExitStatus> {
    let mut findings = Vec::new();
    for file in &tree.files {
        if args.offline {
            findings.extend(pin::unpinned_with(file, sources));
            continue;
        }
        // One unreachable reference does not hide the file's other findings: each error names
        // its reference, and the findings that could be established are still reported.
        let checked = pin::check_file(resolver, file, sources);
        print_notices(resolver);
        findings.extend(checked.findings);
        for e in &checked.errors {
            failed = true;
            print_ref_error(e, "not checked");
        }
    }
    let mut report = vouch_report::Report::new("vouch", env!("CARGO_PKG_VERSION"));
    report.findings = findings.iter().map(vouch_pin::report::finding).collect();
    report.rules = vouch_pin::report::check_rules();
    let out = match args.format {
        Format::Lines => vouch_report::render::lines(&report),
        Format::Json => vouch_report::render::json(&report),
        Format::Sarif => vouch_report::render::sarif(&report),
        other => return Err(other.unavailable("pin --check")),
    };
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
