//! The popular-package lists of the typosquat check: the ones shipped with vouch, or a newer
//! copy that `vouch db update --popular` wrote into the data directory (`popular/<file>` beside
//! the advisory database). A copy that cannot be read or parsed is an error (exit 2), never a
//! silent fallback to the shipped list.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_typosquat::{Ecosystem, Popular};

/// Largest list file read (16 MiB; the shipped lists are about 60 KiB).
pub const MAX_LIST: u64 = 16 * 1024 * 1024;

/// The folder of downloaded lists: `popular/` beside the advisory database file `db` (as
/// `commands::db::resolve` chose it).
pub fn dir(db: &Path) -> PathBuf {
    db.parent()
        .map_or_else(|| PathBuf::from("popular"), |p| p.join("popular"))
}

/// The list to use for each of `wanted`: the shipped one, or the downloaded copy when it is
/// newer (its `# date:`).
pub fn lists(db: &Path, wanted: &[Ecosystem]) -> anyhow::Result<Vec<Popular>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let dir = dir(db);
    let mut out = Vec::new();
    for eco in wanted {
        let shipped = Popular::embedded(*eco);
        let path = dir.join(eco.file_name());
        if path.symlink_metadata().is_err() {
            out.push(shipped);
            continue;
        }
        let shown = path.display().to_string();
        let text = vouch_fs::read::read_to_string(&path, MAX_LIST)
            .with_context(|| format!("cannot read the popular {} list", eco.as_str()))?;
        let local = Popular::parse(*eco, &text, &shown)?;
        out.push(shipped.newer(local));
    }
    Ok(out)
}

/// `vouch db update --popular`: downloads both lists (bounded), converts them, and replaces
/// `popular/<file>` atomically. Any failure is an error naming the URL (credentials redacted);
/// the files already there stay as they were.
pub fn update(
    client: &vouch_resolve::http::Client,
    args: &crate::cli::DbUpdateArgs,
    db: &Path,
) -> anyhow::Result<()> {
    use vouch_typosquat::source;
    let dir = dir(db);
    let today = crate::clock::now()?.strftime("%Y-%m-%d").to_string();
    for (eco, url) in [
        (Ecosystem::PyPi, &args.popular_pypi_url),
        (Ecosystem::Npm, &args.popular_npm_url),
    ] {
        let shown = vouch_url::redact(url);
        eprintln!("downloading the popular {} list from {shown}", eco.as_str());
        let mut bytes = Vec::new();
        vouch_resolve::http::download(client, url, source::MAX_BYTES, None, &mut bytes)
            .with_context(|| format!("cannot download the popular {} list", eco.as_str()))?;
        let list = match eco {
            Ecosystem::PyPi => source::top_pypi_json(&bytes, &shown)?,
            Ecosystem::Npm => {
                let text =
                    String::from_utf8(bytes).with_context(|| format!("{shown}: not UTF-8 text"))?;
                source::npm_high_impact_js(&text, &shown, &today)?
            }
        };
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(eco.file_name());
        vouch_fs::write::write(
            &path,
            list.to_text().as_bytes(),
            &vouch_fs::write::Options::rewrite(),
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote {} ({} names, dated {})",
            path.display(),
            list.names.len(),
            list.date
        );
    }
    Ok(())
}
