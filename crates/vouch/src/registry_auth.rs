//! Registry credentials for the commands that ask registries (`pin`, `update`, and images read
//! from a registry): the Docker config files the user already has, found the way podman and
//! Docker find them. The binary is the only crate that reads the environment; vouch-resolve
//! gets the bytes ([`vouch_resolve::Credentials::from_docker_config`]).
//!
//! Files, in lookup order (the first with an entry for a registry wins):
//!
//! 1. `$REGISTRY_AUTH_FILE` (podman, skopeo, buildah);
//! 2. `$DOCKER_CONFIG/config.json` when `DOCKER_CONFIG` is set, otherwise
//!    `$HOME/.docker/config.json` (as Docker: `DOCKER_CONFIG` replaces `~/.docker`).
//!
//! A file that does not exist is skipped; one that cannot be read (a folder, a FIFO, no
//! permission, over 8 MiB) or is not a Docker config file is an error (exit 2) naming it.
//! See docs/images.md, "Registries and credentials".

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context as _;
use vouch_resolve::Credentials;

/// The credentials files to read, in lookup order, from the environment `var`.
pub fn files(var: &dyn Fn(&str) -> Option<OsString>) -> Vec<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let mut files = Vec::new();
    if let Some(file) = set("REGISTRY_AUTH_FILE") {
        files.push(file);
    }
    match set("DOCKER_CONFIG") {
        Some(dir) => files.push(dir.join("config.json")),
        None => {
            if let Some(home) = set("HOME") {
                files.push(home.join(".docker").join("config.json"));
            }
        }
    }
    files
}

/// Reads [`files`] into one [`Credentials`] chain.
pub fn load(var: &dyn Fn(&str) -> Option<OsString>) -> anyhow::Result<Credentials> {
    let mut credentials = Credentials::default();
    for path in files(var) {
        let bytes = match vouch_fs::read::read(&path, crate::files::MAX_CONFIG) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => continue,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("could not read registry credentials {}", path.display())
                });
            }
        };
        let origin = path.display().to_string();
        let file = Credentials::from_docker_config(&origin, &bytes)?;
        credentials.extend(file);
    }
    Ok(credentials)
}

/// [`load`] from the process environment.
pub fn from_env() -> anyhow::Result<Credentials> {
    load(&|name| std::env::var_os(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn lookup_order() {
        assert_eq!(
            files(&env(&[
                ("REGISTRY_AUTH_FILE", "/run/auth.json"),
                ("DOCKER_CONFIG", "/etc/docker-ci"),
                ("HOME", "/home/u"),
            ])),
            [
                PathBuf::from("/run/auth.json"),
                PathBuf::from("/etc/docker-ci/config.json")
            ]
        );
        assert_eq!(
            files(&env(&[("HOME", "/home/u"), ("DOCKER_CONFIG", "")])),
            [PathBuf::from("/home/u/.docker/config.json")]
        );
        assert!(files(&env(&[])).is_empty());
    }
}
