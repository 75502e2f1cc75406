//! `vouch verify FILE|sha256:HEX --bundle B (--key PUB | --certificate-identity ID --certificate-oidc-issuer ISS)`.

use anyhow::Context as _;
use serde_json::json;
use vouch_sign::bundle::Bundle;
use vouch_sign::verify::{self, Content, Verified, VerifyError};

use super::evidence::{self, ArtifactInput};
use crate::cli::{OutputFormat, VerifyArgs};
use crate::exit::ExitStatus;

pub fn run(args: VerifyArgs) -> anyhow::Result<ExitStatus> {
    let policy = evidence::policy(&args.signer)?;
    let trust = evidence::trust_root(args.signer.trusted_root.as_deref())?;
    let artifact = ArtifactInput::load(&args.artifact)?;
    let bytes = crate::files::read(&args.bundle, "bundle", crate::files::MAX_BUNDLE)?;
    let bundle = Bundle::parse(&bytes)
        .with_context(|| format!("could not read bundle {}", args.bundle.display()))?;
    let result = verify::verify(&bundle, artifact.as_artifact(), &policy, &trust);
    Ok(report(
        &args.artifact,
        &args.bundle.display().to_string(),
        result,
        args.format,
    ))
}

/// JSON for a successful verification.
pub fn verified_json<T: serde::Serialize>(v: &Verified<T>) -> serde_json::Value {
    json!({
        "verdict": "verified",
        "signer": v.signer(),
        "digest": v.artifact_digest(),
        "trust": v.trust(),
        "transparency_log_verified": v.tlog_verified(),
        "certificate_verified": v.certificate_verified(),
        "timestamps": v.timestamps(),
    })
}

pub fn error_json(e: &VerifyError) -> serde_json::Value {
    json!({
        "verdict": "not-verified",
        "code": e.code(),
        "message": e.to_string(),
    })
}

fn report(
    artifact: &str,
    bundle: &str,
    result: Result<Verified<Content>, VerifyError>,
    format: OutputFormat,
) -> ExitStatus {
    match (result, format) {
        (Ok(v), OutputFormat::Json) => {
            let mut j = verified_json(&v);
            j["bundle"] = bundle.into();
            println!("{j}");
            ExitStatus::Success
        }
        (Ok(v), OutputFormat::Text) => {
            let log = if v.tlog_verified() {
                "transparency-log entry verified"
            } else {
                "no transparency-log entry"
            };
            eprintln!(
                "verified: {artifact} ({}) signed by {}; {log}; trust: {}",
                v.artifact_digest(),
                v.signer(),
                v.trust()
            );
            ExitStatus::Success
        }
        (Err(e), OutputFormat::Json) => {
            let mut j = error_json(&e);
            j["bundle"] = bundle.into();
            println!("{j}");
            exit_for(&e)
        }
        (Err(e), OutputFormat::Text) => {
            eprintln!(
                "error[{}]: {artifact} was not verified by {bundle}",
                e.code()
            );
            eprintln!("  {e}");
            exit_for(&e)
        }
    }
}

/// Not verified is 1; trust material vouch could not use is 2.
pub fn exit_for(e: &VerifyError) -> ExitStatus {
    match e {
        VerifyError::UnusableTrustRoot { .. } => ExitStatus::Error,
        _ => ExitStatus::Failure,
    }
}
