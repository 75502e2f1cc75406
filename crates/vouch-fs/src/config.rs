//! The repository's own configuration: `<root>/.vouch/<name>` (`scan.toml`, `ignore.toml`,
//! `secrets.toml`, the `policy/` folder). Every command finds these files here and reads them
//! through [`crate::read::read_in_root`]: a regular file inside the repository
//! (a symbolic link that leaves it, a FIFO or a device is an error), bounded, never absent
//! because it is unreadable.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! assert!(vouch_fs::config::read_text(dir.path(), "scan.toml", 1024).unwrap().is_none());
//! std::fs::create_dir(dir.path().join(".vouch")).unwrap();
//! std::fs::write(dir.path().join(".vouch/scan.toml"), "exclude = []\n").unwrap();
//! let (path, text) = vouch_fs::config::read_text(dir.path(), "scan.toml", 1024).unwrap().unwrap();
//! assert_eq!(path, dir.path().join(".vouch/scan.toml"));
//! assert_eq!(text, "exclude = []\n");
//! ```

use std::path::{Path, PathBuf};

use crate::read::{ReadError, read_in_root, read_to_string_in_root};

/// The folder, under a repository's root, that holds its vouch configuration.
pub const DIR: &str = ".vouch";

/// `<root>/.vouch/<name>`.
pub fn path(root: &Path, name: &str) -> PathBuf {
    root.join(DIR).join(name)
}

/// Whether anything (a file, a link, a FIFO, a folder) is at `<root>/.vouch/<name>`: what is
/// present but unreadable is an error when read, never treated as absent.
pub fn exists(root: &Path, name: &str) -> bool {
    path(root, name).symlink_metadata().is_ok()
}

/// Reads `<root>/.vouch/<name>`: `None` when nothing is at that path; otherwise the path and
/// the bytes of a regular file inside `root` of at most `limit` bytes.
pub fn read(root: &Path, name: &str, limit: u64) -> Result<Option<(PathBuf, Vec<u8>)>, ReadError> {
    let path = path(root, name);
    if path.symlink_metadata().is_err() {
        return Ok(None);
    }
    let bytes = read_in_root(root, &path, limit)?;
    Ok(Some((path, bytes)))
}

/// [`read`] as UTF-8 text.
pub fn read_text(
    root: &Path,
    name: &str,
    limit: u64,
) -> Result<Option<(PathBuf, String)>, ReadError> {
    let path = path(root, name);
    if path.symlink_metadata().is_err() {
        return Ok(None);
    }
    let text = read_to_string_in_root(root, &path, limit)?;
    Ok(Some((path, text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_is_none_and_present_must_be_a_regular_file_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(!exists(root, "secrets.toml"));
        assert!(read(root, "secrets.toml", 10).unwrap().is_none());
        std::fs::create_dir(root.join(DIR)).unwrap();
        std::fs::write(path(root, "secrets.toml"), b"x = 1\n").unwrap();
        assert!(exists(root, "secrets.toml"));
        let (p, bytes) = read(root, "secrets.toml", 10).unwrap().unwrap();
        assert_eq!(
            (p, bytes),
            (root.join(".vouch/secrets.toml"), b"x = 1\n".to_vec())
        );
        assert!(matches!(
            read(root, "secrets.toml", 3),
            Err(ReadError::TooLarge { limit: 3, .. })
        ));
        // A folder is present, and an error to read.
        std::fs::create_dir(path(root, "policy")).unwrap();
        assert!(exists(root, "policy"));
        assert!(matches!(
            read_text(root, "policy", 10),
            Err(ReadError::NotRegular { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_that_leaves_the_repository_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("scan.toml"), b"exclude = []\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(DIR)).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("scan.toml"),
            path(dir.path(), "scan.toml"),
        )
        .unwrap();
        assert!(matches!(
            read_text(dir.path(), "scan.toml", 1024),
            Err(ReadError::OutsideRoot { .. })
        ));
        // A dangling link is present (an error), not absent.
        std::fs::remove_file(path(dir.path(), "scan.toml")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/x", path(dir.path(), "scan.toml")).unwrap();
        assert!(read_text(dir.path(), "scan.toml", 1024).is_err());
    }
}
