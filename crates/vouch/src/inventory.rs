//! Inventorying a directory for the commands that need one (`scan`, `sbom`, `vulns`).

use std::path::Path;

use anyhow::Context as _;
use vouch_inventory::Inventory;
use vouch_inventory::walk::{self, WalkOptions};

use crate::cli::WalkArgs;
use crate::progress::WalkProgress;

/// Walks `path`, printing each warning on stderr. With `--strict`, any warning is an error.
/// An image (docs/images.md) is read and inventoried over its merged layers.
pub fn collect(path: &Path, args: &WalkArgs) -> anyhow::Result<Inventory> {
    let inventory = match crate::image::target(path)? {
        crate::image::Target::Image(source) => crate::image::inventory(&source, args)?,
        crate::image::Target::Path(path) => {
            let options = WalkOptions {
                excludes: args.exclude.clone(),
                ..WalkOptions::default()
            };
            let progress = WalkProgress::new("inventory");
            let subject = subject_name(&path);
            let result = walk::inventory(&path, &subject, &options, &progress);
            progress.finish();
            result.with_context(|| format!("cannot inventory {}", path.display()))?
        }
    };
    for w in &inventory.warnings {
        eprintln!("warning: {w}");
    }
    if args.strict && !inventory.warnings.is_empty() {
        anyhow::bail!(
            "{} warning(s) while inventorying {} and --strict is set",
            inventory.warnings.len(),
            path.display()
        );
    }
    Ok(inventory)
}

/// Walks `path` once for `vouch scan`, without `--strict`'s early stop: the walk every check
/// shares, and the inventory of it. Every warning is printed and kept in the inventory, for a
/// caller that reports them as "not checked" itself.
pub fn collect_all(
    path: &Path,
    excludes: &[String],
) -> anyhow::Result<(Inventory, vouch_scan::Walked)> {
    let context = || format!("cannot inventory {}", path.display());
    let tree = walk::open(path, excludes).with_context(context)?;
    let progress = WalkProgress::new("inventory");
    let subject = subject_name(path);
    let walked = vouch_fs::walk::Tree::walk_with(&tree, &|| {
        vouch_inventory::walk::Progress::entry(&progress)
    });
    let inventory =
        walk::inventory_walked(&tree, &walked, &subject, &WalkOptions::default(), &progress);
    progress.finish();
    for w in &inventory.warnings {
        eprintln!("warning: {w}");
    }
    Ok((inventory, vouch_scan::Walked { tree, walk: walked }))
}

/// Fails when the walk could not open part of the tree (a directory it cannot read, a path
/// too long to open): what is below it is missing from the inventory, so nothing built on the
/// inventory can pass.
pub fn refuse_walk_errors(inventory: &Inventory, path: &Path) -> anyhow::Result<()> {
    let errors: Vec<_> = inventory
        .warnings
        .iter()
        .filter(|w| walk::is_walk_error(w))
        .collect();
    if let Some(first) = errors.first() {
        anyhow::bail!(
            "{} path(s) under {} could not be walked (first: {first}); what is below them was not checked",
            errors.len(),
            path.display()
        );
    }
    Ok(())
}

/// The name a scanned directory goes by: its own name, or the canonical path's last part for
/// `.` and the like.
fn subject_name(path: &Path) -> String {
    let named = path.file_name().map(|n| n.to_string_lossy().into_owned());
    named
        .filter(|n| n != "." && n != "..")
        .or_else(|| {
            path.canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| path.display().to_string())
}
