//! Finding the files to pin under a root with the one walker of every capability
//! ([`vouch_fs::walk`]): no ignore file is honoured, hidden directories such as `.github` are
//! entered (`.git` is not), symbolic links are not followed.

use std::path::{Path, PathBuf};

use vouch_fs::walk::{DirTree, EntryKind, Excludes, Tree as _, Walk};

use crate::discover::{self, DiscoverError, MAX_FILE_SIZE};
use crate::reference::{FileKind, Reference};

/// A file with references, read and discovered.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the root, `/`-separated (the file name when the root is a file).
    pub rel: String,
    pub path: PathBuf,
    pub kind: FileKind,
    pub text: String,
    pub references: Vec<Reference>,
}

/// A file that could not be read or discovered.
#[derive(Debug, thiserror::Error)]
#[error("{rel}: {reason}")]
pub struct FileError {
    pub rel: String,
    pub reason: FileErrorReason,
}

#[derive(Debug, thiserror::Error)]
pub enum FileErrorReason {
    /// Not a regular file (a FIFO, a device), or unreadable; never read past the size limit.
    #[error("cannot read the file: {}", .0.reason())]
    Read(vouch_fs::read::ReadError),
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("cannot walk: {0}")]
    Walk(String),
}

impl FileError {
    pub fn code(&self) -> &'static str {
        match &self.reason {
            FileErrorReason::Discover(d) => d.code(),
            _ => "pin-unreadable-file",
        }
    }
}

/// Everything found under `root` (a directory, or a single file).
#[derive(Debug, Default)]
pub struct Tree {
    /// Files of a known kind, sorted by path.
    pub files: Vec<SourceFile>,
    /// Files that could not be read or parsed; the others are still returned.
    pub errors: Vec<FileError>,
}

impl SourceFile {
    /// This file with `text` and the references discovered in it (discovery of text vouch
    /// wrote cannot fail where the original succeeded; if it does, the old references are
    /// kept).
    #[must_use]
    pub fn with_text(&self, text: String) -> SourceFile {
        let references = discover::discover(self.kind, text.as_bytes())
            .unwrap_or_else(|_| self.references.clone());
        SourceFile {
            text,
            references,
            ..self.clone()
        }
    }
}

impl Tree {
    /// The folders holding the files found, and `also` (the lock's folder), sorted, each once;
    /// `.` for a bare file name.
    pub fn folders(&self, also: Option<&Path>) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self
            .files
            .iter()
            .filter_map(|f| f.path.parent().map(Path::to_path_buf))
            .chain(also.map(Path::to_path_buf))
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
        dirs
    }

    /// Drops vouch's own temporary files (`.<name>.vouch-tmp-<pid>-<random>`) from the tree so
    /// that none is pinned or reported (`.Dockerfile.vouch-tmp-…` would otherwise be read as a
    /// Dockerfile).
    pub fn drop_temp_files(&mut self) {
        let is_temp =
            |rel: &str| vouch_fs::write::is_temp_name(rel.rsplit('/').next().unwrap_or(rel));
        self.files.retain(|f| !is_temp(&f.rel));
        self.errors.retain(|e| !is_temp(&e.rel));
    }
}

/// Walk `root` and discover every reference in the files vouch knows.
pub fn walk(root: &Path) -> Tree {
    walk_excluding(root, &Excludes::none())
}

/// [`walk`] without the files and folders `excludes` matches (the one `--exclude` builder of
/// every walker, [`vouch_fs::walk::Excludes`]).
pub fn walk_excluding(root: &Path, excludes: &Excludes) -> Tree {
    let mut tree = Tree::default();
    if !root.is_dir() {
        let rel = root
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let as_written = root.to_string_lossy().replace('\\', "/");
        // A FIFO or device named on the command line is an error whatever its name.
        if let Err(e) = vouch_fs::read::open(root) {
            tree.errors.push(FileError {
                rel,
                reason: FileErrorReason::Read(e),
            });
            return tree;
        }
        load(&mut tree, root, rel, &as_written, |limit| {
            vouch_fs::read::read(root, limit)
        });
        return tree;
    }
    match DirTree::open(root, excludes.clone()) {
        Ok(dir) => walked(&dir, root, &dir.walk()),
        Err(e) => {
            tree.errors.push(FileError {
                rel: root.display().to_string(),
                reason: FileErrorReason::Walk(e.to_string()),
            });
            tree
        }
    }
}

/// Discover the references in the entries of one walk of `files`, the directory `root` (the
/// walk `vouch scan` shares with every check), reading each file through the tree. Symbolic links are not followed; a FIFO or device
/// with a known name is an error for that file (its read refuses it without blocking), never
/// a silent skip; each entry the walk could not open is an error.
pub fn walked(files: &dyn vouch_fs::walk::Tree, root: &Path, walked: &Walk) -> Tree {
    let mut tree = Tree::default();
    for i in &walked.issues {
        tree.errors.push(FileError {
            rel: i.rel.clone(),
            reason: FileErrorReason::Walk(i.cause.clone()),
        });
    }
    for e in &walked.entries {
        if e.kind == EntryKind::Symlink {
            continue;
        }
        let path = root.join(&e.rel);
        load(&mut tree, &path, e.rel.clone(), &e.rel, |limit| {
            files.read(&e.rel, limit)
        });
    }
    tree.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    tree
}

fn load(
    tree: &mut Tree,
    path: &Path,
    rel: String,
    detect_as: &str,
    read: impl FnOnce(u64) -> Result<Vec<u8>, vouch_fs::read::ReadError>,
) {
    // Detection by name first; a look at the head only for generic YAML names.
    let by_name = discover::detect(detect_as, b"");
    let generic_yaml = by_name.is_none() && discover::is_yaml(&rel);
    if by_name.is_none() && !generic_yaml {
        return;
    }
    // The limit is checked on the bytes read; a FIFO or device is refused before reading.
    let bytes = match read(MAX_FILE_SIZE as u64) {
        Ok(b) => b,
        Err(vouch_fs::read::ReadError::TooLarge { .. }) => {
            tree.errors.push(FileError {
                rel,
                reason: FileErrorReason::Discover(DiscoverError::TooLarge {
                    size: MAX_FILE_SIZE + 1,
                    limit: MAX_FILE_SIZE,
                }),
            });
            return;
        }
        Err(e) => {
            tree.errors.push(FileError {
                rel,
                reason: FileErrorReason::Read(e),
            });
            return;
        }
    };
    let Some(kind) = by_name.or_else(|| discover::detect(detect_as, &bytes)) else {
        return;
    };
    match discover::discover(kind, &bytes) {
        Ok(references) => tree.files.push(SourceFile {
            rel,
            path: path.to_owned(),
            kind,
            // discover succeeded, so the bytes are UTF-8.
            text: String::from_utf8_lossy(&bytes).into_owned(),
            references,
        }),
        Err(e) => tree.errors.push(FileError {
            rel,
            reason: e.into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_are_dropped_and_rewritten_text_is_rediscovered() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("svc")).unwrap();
        std::fs::write(root.join("svc/Dockerfile"), "FROM python:3.12\n").unwrap();
        std::fs::write(
            root.join("svc/.Dockerfile.vouch-tmp-1-abcdef"),
            "FROM python:3.12\n",
        )
        .unwrap();
        let mut tree = walk(root);
        assert_eq!(tree.files.len(), 2);
        tree.drop_temp_files();
        let rels: Vec<&str> = tree.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["svc/Dockerfile"]);
        assert_eq!(
            tree.folders(Some(root)),
            [root.to_path_buf(), root.join("svc")]
        );
        let pinned =
            tree.files[0].with_text(format!("FROM python:3.12@sha256:{}\n", "a".repeat(64)));
        assert!(pinned.references[0].is_pinned());
        assert_eq!(
            crate::lock::path_for(&root.join("svc/Dockerfile")),
            root.join("svc/vouch.lock")
        );
        assert_eq!(crate::lock::path_for(root), root.join("vouch.lock"));
    }

    #[test]
    fn walks_hidden_dirs_and_reports_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/Dockerfile"), "FROM x:1\n").unwrap();
        std::fs::write(
            root.join(".github/workflows/ci.yml"),
            "jobs:\n  a:\n    steps:\n      - uses: a/b@v1\n",
        )
        .unwrap();
        std::fs::write(root.join("Dockerfile"), "FROM python:3.12\n").unwrap();
        std::fs::write(root.join("docker-compose.yml"), "services: [\n").unwrap();
        std::fs::write(root.join("notes.yml"), "a: 1\n").unwrap();
        let tree = walk(root);
        let rels: Vec<&str> = tree.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, vec![".github/workflows/ci.yml", "Dockerfile"]);
        assert_eq!(tree.errors.len(), 1);
        assert_eq!(tree.errors[0].rel, "docker-compose.yml");
        assert_eq!(tree.errors[0].code(), "pin-malformed-file");
        let single = walk(&root.join("Dockerfile"));
        assert_eq!(single.files[0].rel, "Dockerfile");
    }
}
