//! Writing results: stdout, or a file replaced atomically (temporary file, then rename).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

/// Writes `data` to `path` atomically, or to stdout when `path` is `None`.
pub fn write(path: Option<&Path>, data: &[u8]) -> anyhow::Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(data).context("cannot write to stdout")?;
            out.flush().context("cannot write to stdout")
        }
        Some(path) => write_atomic(path, data),
    }
}

/// Writes to a temporary file beside `path`, then renames it over `path`: readers see the old
/// file or the new one, never a half-written one.
pub fn write_atomic(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(data)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
