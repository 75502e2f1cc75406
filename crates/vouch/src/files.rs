//! Every file the binary reads: bounded reads of regular files (`vouch_fs::read`), the limit for
//! each kind of input, the repository's own files kept inside the repository, and TOML errors
//! that name `path:line:column` without quoting the file.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_fs::read::{self as fsread, Location};

/// Private and public key files (as vouch-sign's own limit).
pub const MAX_KEY: u64 = vouch_sign::key::MAX_KEY_FILE_LEN as u64;
/// A Sigstore bundle (as vouch-sign's own limit).
pub const MAX_BUNDLE: u64 = vouch_sign::bundle::MAX_BUNDLE_LEN as u64;
/// A trusted root (as vouch-sign's own limit).
pub const MAX_TRUSTED_ROOT: u64 = vouch_sign::trust::MAX_TRUSTED_ROOT_LEN as u64;
/// Evidence files: attestation JSONL, SBOMs, VEX documents (64 MiB).
pub const MAX_EVIDENCE: u64 = 64 * fsread::MIB;
/// An artifact read whole to be signed, attested or verified (1 GiB).
pub const MAX_ARTIFACT: u64 = 1024 * fsread::MIB;
/// Configuration and policy text: `.vouch/*.toml`, `gate.toml`, ignore files, Rego modules,
/// `vouch.lock` (8 MiB).
pub const MAX_CONFIG: u64 = 8 * fsread::MIB;

/// Read a file the operator named, at most `limit` bytes; `what` names it in the error.
pub fn read(path: &Path, what: &str, limit: u64) -> anyhow::Result<Vec<u8>> {
    fsread::read(path, limit).with_context(|| format!("could not read {what} {}", path.display()))
}

/// [`read`] as UTF-8 text.
pub fn read_text(path: &Path, what: &str, limit: u64) -> anyhow::Result<String> {
    fsread::read_to_string(path, limit)
        .with_context(|| format!("could not read {what} {}", path.display()))
}

/// True when something (a file, a link, a FIFO, ...) is at `path`: repository files that are
/// present but not regular are an error, never silently treated as absent.
pub fn present(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// The repository's own configuration `root/.vouch/<name>` as text ([`vouch_fs::config`]), or
/// `None` when there is nothing at that path. It must be a regular file inside `root` (a
/// symbolic link that leaves the repository, a FIFO or a device is an error) of at most
/// [`MAX_CONFIG`] bytes.
pub fn read_config(
    root: &Path,
    name: &str,
    what: &str,
) -> anyhow::Result<Option<(PathBuf, String)>> {
    vouch_fs::config::read_text(root, name, MAX_CONFIG).with_context(|| {
        format!(
            "could not read {what} {}",
            vouch_fs::config::path(root, name).display()
        )
    })
}

/// Parse TOML, rendering an error as `path:line:column: message` without the source snippet
/// that `toml::de::Error` prints; secret-looking values in the message are redacted.
pub fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> anyhow::Result<T> {
    toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let location = Location::at(path.display().to_string(), text, at);
        anyhow::anyhow!("{location}: {}", vouch_secrets::redact(e.message().trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Conf {
        exclude: Vec<String>,
    }

    #[test]
    fn toml_errors_name_the_position_and_redact() {
        let token = format!("ghp_{}", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF2hJ4");
        let text = format!("exclude = []\n{token} = 1\n");
        let err = parse_toml::<Conf>(Path::new("s.toml"), &text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("s.toml:2:1: "), "{msg}");
        assert!(!msg.contains(&token), "{msg}");
    }
}
