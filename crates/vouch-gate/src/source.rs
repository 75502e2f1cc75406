//! The source-tree checks a policy may ask for (`check = true`, `secrets = true`), run over
//! the source folder with the fail-closed rule of the gate: a file either check could not
//! evaluate or read is an error (exit 2), never a pass, because the gate does not pass what
//! it could not check.

use std::path::{Path, PathBuf};

use vouch_fs::walk::{DirTree, Excludes, Tree as _, Walk};
use vouch_report::Finding;

/// The source folder, walked once (by the one walker) for both checks.
#[derive(Debug)]
pub struct SourceTree {
    dir: PathBuf,
    tree: DirTree,
    walk: Walk,
}

impl SourceTree {
    /// Opens and walks `dir`.
    pub fn open(dir: &Path) -> Result<Self, SourceError> {
        let tree = DirTree::open(dir, Excludes::none()).map_err(|source| SourceError::Walk {
            source_dir: dir.to_owned(),
            source,
        })?;
        let walk = tree.walk();
        Ok(Self {
            dir: dir.to_owned(),
            tree,
            walk,
        })
    }

    /// How many times the folder was walked (once, whatever the checks).
    pub fn walks(&self) -> usize {
        self.tree.walks()
    }
}

/// Why a source-tree check could not give the gate its findings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("could not walk the source folder {}", source_dir.display())]
    Walk {
        source_dir: PathBuf,
        #[source]
        source: vouch_fs::walk::WalkError,
    },
    #[error("could not check the configuration files in {}", source_dir.display())]
    Check {
        source_dir: PathBuf,
        #[source]
        source: vouch_policy::CheckError,
    },
    #[error(
        "vouch check could not evaluate {count} file(s) in {} (first: {first_path}: {first_message}); the gate does not pass what it could not check",
        source_dir.display()
    )]
    CheckIncomplete {
        source_dir: PathBuf,
        count: usize,
        first_path: String,
        first_message: String,
    },
    #[error("could not load the secrets config")]
    SecretsConfig(#[source] vouch_secrets::ConfigError),
    #[error("could not scan {} for secrets", source_dir.display())]
    Secrets {
        source_dir: PathBuf,
        #[source]
        source: vouch_secrets::ScanError,
    },
    #[error(
        "the secret scan could not read everything in {}: {count} warning(s) (first: {first}); the gate does not pass what it could not check",
        source_dir.display()
    )]
    SecretsIncomplete {
        source_dir: PathBuf,
        count: usize,
        first: String,
    },
}

/// `vouch check` findings for the source folder (`today`: seconds since the epoch, for
/// ignore-entry expiry). Any file that could not be evaluated is an error.
pub fn check_findings(src: &SourceTree, today: i64) -> Result<Vec<Finding>, SourceError> {
    let source_dir = src.dir.as_path();
    let options = vouch_policy::Options::new(vouch_policy::Date::from_unix_seconds(today));
    let outcome = vouch_policy::check_walked(source_dir, &src.tree, &src.walk, &options).map_err(
        |source| SourceError::Check {
            source_dir: source_dir.to_owned(),
            source,
        },
    )?;
    if let Some(e) = outcome.errors.first() {
        return Err(SourceError::CheckIncomplete {
            source_dir: source_dir.to_owned(),
            count: outcome.errors.len(),
            first_path: e.path.clone(),
            first_message: e.message.clone(),
        });
    }
    Ok(outcome.findings)
}

/// Secret findings for the source folder, honouring its `.vouch/secrets.toml`. Any file the
/// scan could not read is an error.
pub fn secret_findings(src: &SourceTree) -> Result<Vec<Finding>, SourceError> {
    let source_dir = src.dir.as_path();
    // `.vouch/secrets.toml` through the one `.vouch/` lookup: absent is the default list;
    // something there that is not a regular file inside the repository is an error.
    let allow =
        vouch_secrets::AllowList::load_repo(source_dir).map_err(SourceError::SecretsConfig)?;
    let options = vouch_secrets::Options {
        allow,
        ..Default::default()
    };
    let outcome = vouch_secrets::scan_walked(&src.tree, &src.walk, &options).map_err(|source| {
        SourceError::Secrets {
            source_dir: source_dir.to_owned(),
            source,
        }
    })?;
    if let Some(w) = outcome.warnings.first() {
        return Err(SourceError::SecretsIncomplete {
            source_dir: source_dir.to_owned(),
            count: outcome.warnings.len(),
            first: w.to_string(),
        });
    }
    Ok(outcome.findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_findings_come_from_the_tree() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("Dockerfile"),
            "FROM python:latest\nUSER app\n",
        )
        .unwrap();
        let f = check_findings(&SourceTree::open(d.path()).unwrap(), 1_700_000_000).unwrap();
        assert!(
            f.iter().any(|f| f.rule_id == "dockerfile-latest-tag"),
            "{f:?}"
        );
    }

    #[test]
    fn a_file_check_cannot_evaluate_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(".gitlab-ci.yml"), "a: [\n").unwrap();
        let err = check_findings(&SourceTree::open(d.path()).unwrap(), 1_700_000_000).unwrap_err();
        assert!(
            matches!(err, SourceError::CheckIncomplete { count: 1, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .ends_with("the gate does not pass what it could not check"),
            "{err}"
        );
    }

    #[test]
    fn secrets_are_found_and_a_clean_tree_has_none() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("ok.txt"), "nothing here\n").unwrap();
        assert!(
            secret_findings(&SourceTree::open(d.path()).unwrap())
                .unwrap()
                .is_empty()
        );
        let token = format!("ghp_{}", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF2hJ4");
        std::fs::write(d.path().join("leak.txt"), format!("token = {token}\n")).unwrap();
        assert!(
            !secret_findings(&SourceTree::open(d.path()).unwrap())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn both_checks_share_one_walk_of_the_source_folder() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("Dockerfile"),
            "FROM python:latest\nUSER app\n",
        )
        .unwrap();
        let src = SourceTree::open(d.path()).unwrap();
        let check = check_findings(&src, 1_700_000_000).unwrap();
        let secrets = secret_findings(&src).unwrap();
        assert_eq!(src.walks(), 1);
        assert!(check.iter().any(|f| f.rule_id == "dockerfile-latest-tag"));
        assert!(secrets.is_empty(), "{secrets:?}");
        match SourceTree::open(&d.path().join("missing")) {
            Err(SourceError::Walk { source_dir, .. }) => assert!(source_dir.ends_with("missing")),
            other => panic!("{other:?}"),
        }
    }
}
