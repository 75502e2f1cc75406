//! `vouch verify FILE|sha256:HEX --bundle B (--key PUB | --certificate-identity ID --certificate-oidc-issuer ISS)`.

use anyhow::Context as _;
use vouch_report::verdict::{self, Rejected};
use vouch_sign::bundle::Bundle;
use vouch_sign::verify::{self, Content, Verified, VerifyError};

use super::evidence::{self, ArtifactInput};
use crate::cli::{OutputFormat, VerifyArgs};
use crate::exit::ExitStatus;

pub fn run(args: VerifyArgs) -> anyhow::Result<ExitStatus> {
    let policy = evidence::policy(&args.signer)?;
    let trust = evidence::trust_root(args.signer.trusted_root.as_deref())?;
    if let Some(reference) = super::image_evidence::image_arg(&args.artifact)? {
        if args.bundle.is_some() {
            anyhow::bail!(
                "--bundle: an image's signatures are read from its registry; to check a bundle file, verify the digest (sha256:HEX) instead"
            );
        }
        return super::image_evidence::verify_image(
            reference,
            &policy,
            &trust,
            &args.registry.insecure_registry,
            args.format,
        );
    }
    let Some(bundle_path) = &args.bundle else {
        anyhow::bail!("--bundle FILE is required to verify a file");
    };
    let artifact = ArtifactInput::load(&args.artifact)?;
    let bytes = crate::files::read(bundle_path, "bundle", crate::files::MAX_BUNDLE)?;
    let bundle = Bundle::parse(&bytes)
        .with_context(|| format!("could not read bundle {}", bundle_path.display()))?;
    let result = verify::verify(&bundle, artifact.as_artifact(), &policy, &trust);
    Ok(report(
        &args.artifact,
        &bundle_path.display().to_string(),
        result,
        args.format,
    ))
}

fn report(
    artifact: &str,
    bundle: &str,
    result: Result<Verified<Content>, VerifyError>,
    format: OutputFormat,
) -> ExitStatus {
    let status = match &result {
        Ok(_) => ExitStatus::Success,
        Err(e) => exit_for(e),
    };
    let result = result.map(|v| v.to_accepted()).map_err(|e| Rejected {
        line: None,
        code: e.code().into(),
        message: e.to_string(),
    });
    match format {
        OutputFormat::Json => print!("{}", verdict::signature_json(bundle, &result)),
        OutputFormat::Text => eprint!("{}", verdict::signature_text(artifact, bundle, &result)),
    }
    status
}

/// Not verified is 1; trust material vouch could not use is 2.
pub fn exit_for(e: &VerifyError) -> ExitStatus {
    match e {
        VerifyError::UnusableTrustRoot { .. } => ExitStatus::Error,
        _ => ExitStatus::Failure,
    }
}
