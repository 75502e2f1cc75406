//! Writing results: stdout, or a file through `vouch_fs::write` (temporary file then rename for
//! regular files, modes kept, symbolic links followed, devices and FIFOs written through or
//! refused; see that module for the rules).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use vouch_fs::write::Options;

/// Writes `data` to `path` as a result (`-o`), or to stdout when `path` is `None`.
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

/// Like [`write()`], for a large result made while it is written (an SBOM): `produce` writes
/// into stdout or the destination file and nothing is held whole.
pub fn write_from(
    path: Option<&Path>,
    produce: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            produce(&mut out).context("cannot write to stdout")?;
            out.flush().context("cannot write to stdout")
        }
        Some(path) => {
            vouch_fs::write::write_from(path, &Options::output(), produce)?;
            Ok(())
        }
    }
}

/// Writes a result file (`-o`, `--vsa`, bundles): a regular file is replaced atomically, so
/// readers see the old file or the new one, never a half-written one.
pub fn write_atomic(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    write_with(path, data, &Options::output())
}

/// Writes `path` with explicit options (rewrites in place, secrets).
pub fn write_with(path: &Path, data: &[u8], options: &Options) -> anyhow::Result<()> {
    vouch_fs::write::write(path, data, options)?;
    Ok(())
}

/// Makes a closed or full stdout or stderr an exit 2 instead of a panic (exit 101).
///
/// Rust ignores `SIGPIPE`, so a write to a closed pipe (`vouch check . | head -1`) fails with
/// `BrokenPipe`. Data written through [`write()`] returns that as an error (exit 2 from `main`);
/// `println!`/`eprintln!` (diagnostics across the commands) panic instead. This hook, installed
/// once at the start of `main`, turns exactly those panics ("failed printing to stdout/stderr")
/// into exit 2, with a one-line error on stderr when stderr is still open. Every other panic
/// goes to the default hook unchanged. The progress spinner (indicatif) ignores write errors.
pub fn exit_on_closed_streams() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or("");
        if let Some(cause) = message.strip_prefix("failed printing to stdout: ") {
            let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {cause}");
            std::process::exit(2);
        }
        if message.starts_with("failed printing to stderr") {
            std::process::exit(2);
        }
        default(info);
    }));
}
