//! Shared edge code for the evidence commands: passwords, key files, trust roots, artifacts.

use std::path::Path;

use anyhow::{Context as _, bail};
use vouch_sign::key::{Password, PublicKey, SigningKey};
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{Policy, TlogPolicy};

use crate::cli::SignerArgs;
use crate::files;

/// Name of the environment variable holding the key password.
pub const PASSWORD_ENV: &str = "VOUCH_PASSWORD";

/// The key password: `VOUCH_PASSWORD`, else a terminal prompt (twice when `confirm`).
pub fn password(confirm: bool) -> anyhow::Result<Password> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(Password::new(p));
    }
    let first = rpassword::prompt_password("password for the private key: ")
        .with_context(|| format!("no terminal to ask for the key password; set {PASSWORD_ENV}"))?;
    if confirm {
        let again = rpassword::prompt_password("password again: ")
            .context("could not read the password confirmation")?;
        if again != first {
            bail!("the two passwords differ");
        }
    }
    Ok(Password::new(first))
}

/// Load a private key file, asking for the password only when it is encrypted.
pub fn signing_key(path: &Path) -> anyhow::Result<SigningKey> {
    let bytes = files::read(path, "private key", files::MAX_KEY)?;
    let password = if SigningKey::needs_password(&bytes) {
        password(false)?
    } else {
        Password::new("")
    };
    SigningKey::from_pem(&bytes, &password)
        .with_context(|| format!("could not load private key {}", path.display()))
}

pub fn trust_root(path: Option<&Path>) -> anyhow::Result<TrustRoot> {
    match path {
        Some(p) => {
            let bytes = files::read(p, "trusted root", files::MAX_TRUSTED_ROOT)?;
            TrustRoot::from_json(&bytes, p.display().to_string())
                .with_context(|| format!("could not load trusted root {}", p.display()))
        }
        None => TrustRoot::production().context("could not load the embedded trusted root"),
    }
}

pub fn policy(args: &SignerArgs) -> anyhow::Result<Policy> {
    match (
        &args.key,
        &args.certificate_identity,
        &args.certificate_oidc_issuer,
    ) {
        (Some(k), None, None) => {
            let bytes = files::read(k, "public key", files::MAX_KEY)?;
            let key = PublicKey::from_pem(&bytes)
                .with_context(|| format!("could not load public key {}", k.display()))?;
            Ok(Policy::Key {
                key,
                tlog: if args.require_tlog {
                    TlogPolicy::Required
                } else {
                    TlogPolicy::IfPresent
                },
            })
        }
        (None, Some(identity), Some(issuer)) => Ok(Policy::Identity {
            identity: identity.clone(),
            issuer: issuer.clone(),
        }),
        _ => bail!(
            "say who must have signed: --key PUB, or --certificate-identity ID with --certificate-oidc-issuer ISS"
        ),
    }
}

/// An artifact argument: a path, or `sha256:HEX`.
pub enum ArtifactInput {
    Bytes(Vec<u8>),
    Digest([u8; 32]),
}

impl ArtifactInput {
    pub fn load(arg: &str) -> anyhow::Result<Self> {
        if let Some(hex) = arg.strip_prefix("sha256:")
            && !Path::new(arg).exists()
        {
            let bytes = decode_hex(hex).with_context(|| {
                format!("artifact digest `{arg}` is not sha256: followed by 64 hex digits")
            })?;
            return Ok(ArtifactInput::Digest(bytes));
        }
        Ok(ArtifactInput::Bytes(files::read(
            Path::new(arg),
            "artifact",
            files::MAX_ARTIFACT,
        )?))
    }

    pub fn as_artifact(&self) -> vouch_sign::verify::Artifact<'_> {
        match self {
            ArtifactInput::Bytes(b) => vouch_sign::verify::Artifact::Bytes(b),
            ArtifactInput::Digest(d) => vouch_sign::verify::Artifact::Sha256(*d),
        }
    }
}

/// The 32 bytes of `sha256:HEX` given as hex, parsed as a [`vouch_digest::Digest`].
fn decode_hex(hex: &str) -> anyhow::Result<[u8; 32]> {
    let digest = vouch_digest::Digest::from_hex(vouch_digest::Algorithm::Sha256, hex)?;
    Ok(<[u8; 32]>::try_from(digest.as_bytes())?)
}

/// Write a file readable only by its owner (0600, also when it replaces a looser file), never
/// through a device or FIFO; without `overwrite` an existing file is an error.
pub fn write_private(path: &Path, bytes: &[u8], overwrite: bool) -> anyhow::Result<()> {
    crate::output::write_with(
        path,
        bytes,
        &vouch_fs::write::Options::secret().overwrite(overwrite),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_digest_argument_is_checked() {
        let ok = format!("sha256:{}", "ab".repeat(32));
        assert!(matches!(
            ArtifactInput::load(&ok).unwrap(),
            ArtifactInput::Digest(d) if d == [0xab; 32]
        ));
        for bad in ["sha256:abc", &format!("sha256:{}", "zz".repeat(32))] {
            let err = format!("{:#}", ArtifactInput::load(bad).err().unwrap());
            assert!(
                err.starts_with(&format!(
                    "artifact digest `{bad}` is not sha256: followed by 64 hex digits"
                )),
                "{err}"
            );
        }
    }
}
