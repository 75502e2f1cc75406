//! The source-tree checks a policy may ask for (`check = true`, `secrets = true`), run over
//! the source folder with the fail-closed rule of the gate: a file either check could not
//! evaluate or read is an error (exit 2), never a pass, because the gate does not pass what
//! it could not check.

use std::path::{Path, PathBuf};

use vouch_report::Finding;

/// Why a source-tree check could not give the gate its findings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
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

/// `vouch check` findings for `source_dir` (`today`: seconds since the epoch, for ignore-entry
/// expiry). Any file that could not be evaluated is an error.
pub fn check_findings(source_dir: &Path, today: i64) -> Result<Vec<Finding>, SourceError> {
    let options = vouch_policy::Options::new(vouch_policy::Date::from_unix_seconds(today));
    let outcome =
        vouch_policy::check_dir(source_dir, &options).map_err(|source| SourceError::Check {
            source_dir: source_dir.to_owned(),
            source,
        })?;
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

/// Secret findings for `source_dir`, honouring its `.vouch/secrets.toml`. Any file the scan
/// could not read is an error.
pub fn secret_findings(source_dir: &Path) -> Result<Vec<Finding>, SourceError> {
    // `.vouch/secrets.toml` through the one `.vouch/` lookup: absent is the default list;
    // something there that is not a regular file inside the repository is an error.
    let allow =
        vouch_secrets::AllowList::load_repo(source_dir).map_err(SourceError::SecretsConfig)?;
    let options = vouch_secrets::Options {
        allow,
        ..Default::default()
    };
    let outcome =
        vouch_secrets::scan_dir(source_dir, &options).map_err(|source| SourceError::Secrets {
            source_dir: source_dir.to_owned(),
            source,
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
        let f = check_findings(d.path(), 1_700_000_000).unwrap();
        assert!(
            f.iter().any(|f| f.rule_id == "dockerfile-latest-tag"),
            "{f:?}"
        );
    }

    #[test]
    fn a_file_check_cannot_evaluate_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(".gitlab-ci.yml"), "a: [\n").unwrap();
        let err = check_findings(d.path(), 1_700_000_000).unwrap_err();
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
        assert!(secret_findings(d.path()).unwrap().is_empty());
        let token = format!("ghp_{}", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF2hJ4");
        std::fs::write(d.path().join("leak.txt"), format!("token = {token}\n")).unwrap();
        assert!(!secret_findings(d.path()).unwrap().is_empty());
    }
}
