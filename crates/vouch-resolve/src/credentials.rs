//! Registry credentials from Docker config files (`config.json`, podman's `auth.json`).
//!
//! The caller reads the files (the binary: `$REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG/config.json`,
//! `~/.docker/config.json`, in that order) and hands their bytes to
//! [`Credentials::from_docker_config`]; several files are chained with [`Credentials::extend`],
//! and the first file with an entry for a registry wins. This crate never reads the environment
//! or the home folder.
//!
//! What an `auths` entry may hold, as Docker writes it:
//!
//! - `auth`: base64 of `user:password` (wins over the two fields below, as in Docker);
//! - `username` and `password`;
//! - `identitytoken`: an OAuth2 refresh token (`docker login` to a registry whose token service
//!   hands one out, such as Azure Container Registry), exchanged at the registry's token realm
//!   with `grant_type=refresh_token`.
//!
//! Entries are matched to a registry the way the Docker CLI does: Docker Hub (`docker.io`) is
//! the key `https://index.docker.io/v1/`, any other registry its `HOST[:PORT]` as written in the
//! image name; when no key is exactly that, a key whose host part (scheme and path removed, as
//! Docker's `ConvertToHostname`) is the registry matches. For Docker Hub the keys podman writes
//! (`docker.io`, `index.docker.io`) match too. `credsStore` and `credHelpers` name programs that
//! vouch never runs: an entry that only names a helper gives no credentials, and the resolver
//! says so once ([`Lookup::HelperOnly`]).
//!
//! Secrets never print: [`Credentials`] and [`Lookup`] show registries and file names only.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use serde::Deserialize;

/// The Docker CLI's key for Docker Hub in `auths`.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What an entry lets vouch send.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Secrets {
    /// HTTP Basic to the registry, or to its token realm.
    Basic { username: String, password: Secret },
    /// An OAuth2 refresh token for the registry's token realm.
    IdentityToken(Secret),
}

#[derive(Clone, PartialEq, Eq)]
struct File {
    /// Where the file came from (a path), for messages.
    origin: String,
    auths: BTreeMap<String, Option<Secrets>>,
    creds_store: Option<String>,
    cred_helpers: BTreeMap<String, String>,
}

/// Credentials for registries, from one or more Docker config files in lookup order. Empty by
/// default. `Debug` shows file origins and registry keys, never a secret.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Credentials {
    files: Vec<File>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for file in &self.files {
            list.entry(&format_args!(
                "{}: {:?}",
                file.origin,
                file.auths.keys().collect::<Vec<_>>()
            ));
        }
        list.finish()
    }
}

/// The credentials found for one registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// No file has an entry for the registry: requests stay anonymous.
    None,
    /// An entry with credentials.
    Found(Found<'a>),
    /// The entry for the registry (or the file's `credsStore`) names a credential helper and
    /// holds no credentials itself; vouch does not run helpers, so requests stay anonymous.
    HelperOnly {
        /// The file that names it.
        origin: &'a str,
        /// The helper's name (`desktop`, `ecr-login`, …: the program `docker-credential-<name>`).
        helper: &'a str,
    },
}

impl fmt::Debug for Lookup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lookup::None => f.write_str("None"),
            Lookup::Found(found) => write!(f, "Found({found:?})"),
            Lookup::HelperOnly { origin, helper } => {
                write!(f, "HelperOnly {{ origin: {origin:?}, helper: {helper:?} }}")
            }
        }
    }
}

/// An entry with credentials, and where it was found.
#[derive(Clone, PartialEq, Eq)]
pub struct Found<'a> {
    /// The file it came from.
    pub origin: &'a str,
    /// The `auths` key that matched.
    pub key: &'a str,
    pub(crate) secrets: &'a Secrets,
}

impl<'a> Found<'a> {
    /// The user name of Basic credentials; `None` for an identity token.
    pub fn username(&self) -> Option<&'a str> {
        match self.secrets {
            Secrets::Basic { username, .. } => Some(username),
            Secrets::IdentityToken(_) => None,
        }
    }

    /// Whether this is an identity (refresh) token rather than a user name and password.
    pub fn is_identity_token(&self) -> bool {
        matches!(self.secrets, Secrets::IdentityToken(_))
    }
}

impl fmt::Debug for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.secrets {
            Secrets::Basic { .. } => "basic",
            Secrets::IdentityToken(_) => "identity token",
        };
        write!(
            f,
            "{{ origin: {:?}, key: {:?}, kind: {kind} }}",
            self.origin, self.key
        )
    }
}

/// A Docker config file vouch cannot use. Messages name the file and the `auths` key, never a
/// value from the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// Not JSON, or not the shape of a Docker config file.
    #[error(
        "registry credentials file {origin} is not a Docker config file: {reason} at line {line} column {column}"
    )]
    Malformed {
        origin: String,
        reason: &'static str,
        line: usize,
        column: usize,
    },
    /// An `auth` value that is not base64 of `user:password`.
    #[error(
        "registry credentials file {origin}: the `auth` of `{key}` is not base64 of `user:password` ({reason})"
    )]
    BadAuth {
        origin: String,
        key: String,
        reason: &'static str,
    },
}

impl CredentialsError {
    /// The stable diagnostic code (`docs/rules/registry-credentials-invalid.md`).
    pub fn code(&self) -> &'static str {
        "registry-credentials-invalid"
    }
}

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    auths: BTreeMap<String, RawEntry>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

impl Credentials {
    /// Reads the `auths`, `credsStore` and `credHelpers` of a Docker config file (other keys are
    /// ignored). `origin` names the file in messages.
    pub fn from_docker_config(origin: &str, bytes: &[u8]) -> Result<Self, CredentialsError> {
        let raw: RawFile = serde_json::from_slice(bytes).map_err(|e| {
            // serde_json's message may quote a value from the file (a password): keep only
            // its category and position.
            let reason = match e.classify() {
                serde_json::error::Category::Io => "unreadable",
                serde_json::error::Category::Syntax => "invalid JSON",
                serde_json::error::Category::Data => "unexpected value type",
                serde_json::error::Category::Eof => "unexpected end of file",
            };
            CredentialsError::Malformed {
                origin: origin.to_owned(),
                reason,
                line: e.line(),
                column: e.column(),
            }
        })?;
        let mut auths = BTreeMap::new();
        for (key, entry) in raw.auths {
            let secrets = secrets(origin, &key, entry)?;
            auths.insert(key, secrets);
        }
        Ok(Credentials {
            files: vec![File {
                origin: origin.to_owned(),
                auths,
                creds_store: raw.creds_store.filter(|s| !s.is_empty()),
                cred_helpers: raw.cred_helpers,
            }],
        })
    }

    /// Appends `later`'s files after this one's: they are consulted only for registries none
    /// of this one's files has an entry for.
    pub fn extend(&mut self, later: Credentials) {
        self.files.extend(later.files);
    }

    /// Whether no file was loaded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The credentials for `registry` (as in [`vouch_oci::reference::Name::registry`]:
    /// `docker.io`, `ghcr.io`, `127.0.0.1:5000`), from the first file that has an entry for it.
    pub fn lookup(&self, registry: &str) -> Lookup<'_> {
        for file in &self.files {
            // Docker asks a registry's credHelpers entry before its auths entry.
            let helper = keys(registry)
                .find_map(|k| file.cred_helpers.get(k))
                .or_else(|| {
                    file.cred_helpers
                        .iter()
                        .find(|(k, _)| matches_host(registry, k))
                        .map(|(_, h)| h)
                });
            let entry = keys(registry)
                .find_map(|k| file.auths.get_key_value(k))
                .or_else(|| file.auths.iter().find(|(k, _)| matches_host(registry, k)));
            match entry {
                Some((key, Some(secrets))) => {
                    return Lookup::Found(Found {
                        origin: &file.origin,
                        key,
                        secrets,
                    });
                }
                Some((_, None)) | None => {
                    let helper = helper.or(if entry.is_some() {
                        file.creds_store.as_ref()
                    } else {
                        None
                    });
                    if let Some(helper) = helper {
                        return Lookup::HelperOnly {
                            origin: &file.origin,
                            helper,
                        };
                    }
                    if entry.is_some() {
                        // An empty entry (`{}`), as `docker login` leaves beside a credsStore:
                        // this file speaks for the registry, and says nothing.
                        return Lookup::None;
                    }
                }
            }
        }
        // A credsStore with no entry at all for the registry: Docker would ask the store.
        self.files
            .iter()
            .find_map(|file| {
                file.creds_store.as_ref().map(|helper| Lookup::HelperOnly {
                    origin: &file.origin,
                    helper,
                })
            })
            .unwrap_or(Lookup::None)
    }
}

/// The exact keys for `registry`, best first.
fn keys(registry: &str) -> impl Iterator<Item = &str> {
    let list: Vec<&str> = if registry == vouch_oci::reference::DOCKER_HUB {
        vec![DOCKER_HUB_KEY, "docker.io", "index.docker.io"]
    } else {
        vec![registry]
    };
    list.into_iter()
}

/// Docker's `ConvertToHostname`: `https://HOST/path` → `HOST`; then compared with `registry`
/// (Docker Hub's host names count as `docker.io`).
fn matches_host(registry: &str, key: &str) -> bool {
    let stripped = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = stripped.split('/').next().unwrap_or_default();
    if registry == vouch_oci::reference::DOCKER_HUB {
        matches!(
            host,
            "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com"
        )
    } else {
        host == registry
    }
}

fn secrets(origin: &str, key: &str, entry: RawEntry) -> Result<Option<Secrets>, CredentialsError> {
    if let Some(token) = entry.identitytoken.filter(|t| !t.is_empty()) {
        return Ok(Some(Secrets::IdentityToken(Secret(token))));
    }
    if let Some(auth) = entry.auth.filter(|a| !a.is_empty()) {
        let bad = |reason| CredentialsError::BadAuth {
            origin: origin.to_owned(),
            key: key.to_owned(),
            reason,
        };
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let decoded = engine.decode(auth.trim()).map_err(|_| bad("not base64"))?;
        let decoded = String::from_utf8(decoded).map_err(|_| bad("not UTF-8"))?;
        let (username, password) = decoded.split_once(':').ok_or_else(|| bad("no `:`"))?;
        return Ok(Some(Secrets::Basic {
            username: username.to_owned(),
            password: Secret(password.trim_matches('\0').to_owned()),
        }));
    }
    match (entry.username, entry.password) {
        (Some(username), Some(password)) if !username.is_empty() || !password.is_empty() => {
            Ok(Some(Secrets::Basic {
                username,
                password: Secret(password),
            }))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_matching_follows_docker() {
        assert!(matches_host("ghcr.io", "https://ghcr.io/v1/"));
        assert!(matches_host("ghcr.io", "ghcr.io"));
        assert!(!matches_host("ghcr.io", "ghcr.io.evil"));
        assert!(!matches_host("127.0.0.1:5000", "127.0.0.1"));
        assert!(matches_host("docker.io", "https://index.docker.io/v1/"));
        assert_eq!(
            keys("docker.io").collect::<Vec<_>>(),
            [DOCKER_HUB_KEY, "docker.io", "index.docker.io"]
        );
        assert_eq!(keys("quay.io").collect::<Vec<_>>(), ["quay.io"]);
    }
}
