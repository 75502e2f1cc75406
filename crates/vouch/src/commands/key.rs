//! `vouch key generate`.

use std::path::PathBuf;

use anyhow::bail;
use vouch_sign::key::{Algorithm, SigningKey};

use super::evidence;
use crate::cli::{KeyAlgorithmArg, KeyCommand, KeyGenerateArgs};
use crate::exit::ExitStatus;

pub fn run(cmd: KeyCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        KeyCommand::Generate(args) => generate(args),
    }
}

fn with_ext(prefix: &std::path::Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

fn generate(args: KeyGenerateArgs) -> anyhow::Result<ExitStatus> {
    let algorithm = match args.algorithm {
        KeyAlgorithmArg::EcdsaP256 => Algorithm::EcdsaP256,
        KeyAlgorithmArg::Ed25519 => Algorithm::Ed25519,
    };
    let key_path = with_ext(&args.output_prefix, ".key");
    let pub_path = with_ext(&args.output_prefix, ".pub");
    if !args.force {
        for p in [&key_path, &pub_path] {
            if p.exists() {
                bail!("{} exists; pass --force to overwrite", p.display());
            }
        }
    }
    let password = evidence::password(true)?;
    let key = SigningKey::generate(algorithm)?;
    let pem = key.to_encrypted_pem(&password)?;
    evidence::write_private(&key_path, pem.as_bytes(), args.force)?;
    crate::output::write_atomic(&pub_path, key.public_key().to_pem().as_bytes())?;
    eprintln!(
        "wrote {} (private, encrypted) and {} ({algorithm} public key {})",
        key_path.display(),
        pub_path.display(),
        key.public_key().fingerprint()
    );
    Ok(ExitStatus::Success)
}
