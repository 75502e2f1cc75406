//! `vouch update`: move pins to the newest release within their major, respecting `--min-age`
//! and refusing non-major updates that break an action's or component's interface.
//!
//! Exit 0 when every pin was evaluated (updated or current), 1 when a newer release was refused
//! (breaking; the pin then moves to the newest compatible release, if any), 2 when a file could
//! not be evaluated (it is then left untouched).

use anyhow::Context as _;
use vouch_pin::update::{self, Outcome, UpdateOptions};
use vouch_pin::walk;

use super::pin_files::{
    apply, clean_temp_files, load_lock, print_notices, print_ref_error, report_file_errors,
    resolver, write_lock,
};
use crate::cli::UpdateArgs;
use crate::exit::ExitStatus;

pub fn run(args: UpdateArgs) -> anyhow::Result<ExitStatus> {
    let root = &args.path;
    if !root.exists() {
        anyhow::bail!("{} does not exist", root.display());
    }
    let min_age = args
        .min_age
        .as_deref()
        .map(update::parse_min_age)
        .transpose()
        .map_err(anyhow::Error::msg)
        .context("invalid --min-age")?;
    let options = UpdateOptions {
        major: args.major,
        min_age,
        allow_breaking: args.allow_breaking,
        now: crate::clock::now()?,
    };
    let resolver = resolver(&args.resolve)?;
    let lock = load_lock(root)?;
    let mut tree = walk::walk(root);
    clean_temp_files(&mut tree, root, !args.dry_run);
    let mut failed = report_file_errors(&tree);
    let mut refused = false;
    let mut diff = String::new();
    let mut outcomes = Vec::new();
    let mut new_files = Vec::new();
    for file in &tree.files {
        let updated = update::update_file(&resolver, file, &options);
        print_notices(&resolver);
        match updated {
            Ok(result) => {
                let before = outcomes.len();
                for (line, o) in &result.outcomes {
                    match o {
                        Outcome::Refused {
                            name,
                            from,
                            refused: refusals,
                        } => {
                            refused = true;
                            for r in refusals {
                                eprintln!(
                                    "error[update-breaking]: {}:{line}: refused {name} {from} → {}: {} (a breaking change within major; no compatible newer release; --allow-breaking applies it)",
                                    file.rel,
                                    r.version,
                                    reasons(&r.breaks)
                                );
                            }
                        }
                        Outcome::Cooldown { name, from, newest } => eprintln!(
                            "note: {}:{line}: {name} stays at {from}: {newest} and every newer release are younger than --min-age",
                            file.rel
                        ),
                        Outcome::Updated {
                            name,
                            from,
                            to,
                            breaks,
                            refused: refusals,
                        } => {
                            for r in refusals {
                                refused = true;
                                eprintln!(
                                    "error[update-breaking]: {}:{line}: refused {name} {from} → {}: {} (a breaking change within major; moved to {to}, the newest compatible release; --allow-breaking applies it)",
                                    file.rel,
                                    r.version,
                                    reasons(&r.breaks)
                                );
                            }
                            if !breaks.is_empty() {
                                eprintln!(
                                    "warning[update-breaking]: {}:{line}: {name} {from} → {to} breaks the interface: {}",
                                    file.rel,
                                    reasons(breaks)
                                );
                            }
                        }
                    }
                    outcomes.push(o.clone());
                }
                if result.text != file.text && !apply(file, &result.text, args.dry_run, &mut diff) {
                    failed = true;
                    outcomes.truncate(before);
                    new_files.push(file.clone());
                    continue;
                }
                new_files.push(file.with_text(result.text));
            }
            Err(e) => {
                failed = true;
                print_ref_error(&e, "file left unchanged");
                new_files.push(file.clone());
            }
        }
    }
    write_lock(&lock, &new_files, args.dry_run, &mut diff)?;
    let unpinned: usize = tree
        .files
        .iter()
        .map(|f| f.references.iter().filter(|r| !r.is_pinned()).count())
        .sum();
    if unpinned > 0 {
        eprintln!(
            "note: {unpinned} reference(s) are not pinned and were not updated; run `vouch pin` first"
        );
    }
    let mut out = update::summary(&outcomes);
    if out.is_empty() {
        eprintln!("every pin is current");
    }
    if args.dry_run {
        out.push_str(&diff);
    }
    crate::output::write(None, out.as_bytes())?;
    Ok(if failed {
        ExitStatus::Error
    } else if refused {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The interface breaks of one release, `; `-separated.
fn reasons(breaks: &[vouch_pin::interface::Break]) -> String {
    breaks
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
