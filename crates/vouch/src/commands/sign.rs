//! `vouch sign FILE --key NAME.key`.

use std::path::PathBuf;

use anyhow::Context as _;

use super::evidence;
use crate::cli::SignArgs;
use crate::exit::ExitStatus;

pub fn run(args: SignArgs) -> anyhow::Result<ExitStatus> {
    if let Some(text) = args.file.to_str()
        && let Some(reference) = super::image_evidence::image_arg(text)?
    {
        if args.output.is_some() {
            anyhow::bail!(
                "-o: an image's signature is attached to it in its registry, not written to a file"
            );
        }
        return super::image_evidence::sign(reference, &args.key, &args.registry.insecure_registry);
    }
    let key = evidence::signing_key(&args.key)?;
    let data = crate::files::read(&args.file, "file to sign", crate::files::MAX_ARTIFACT)?;
    let bundle = vouch_sign::sign::sign_blob(&key, &data)
        .with_context(|| format!("could not sign {}", args.file.display()))?;
    let out = args.output.unwrap_or_else(|| {
        let mut s = args.file.as_os_str().to_owned();
        s.push(".sigstore.json");
        PathBuf::from(s)
    });
    let json = serde_json::to_string_pretty(bundle.json())?;
    crate::output::write_atomic(&out, json.as_bytes())?;
    eprintln!(
        "signed {} with {} key {}: wrote {}",
        args.file.display(),
        key.algorithm(),
        key.public_key().fingerprint(),
        out.display()
    );
    Ok(ExitStatus::Success)
}
