//! `vouch verify-attestation FILE --bundle ATT.jsonl (--key PUB | --certificate-identity ...)`.

use anyhow::Context as _;
use vouch_attest::expect::Expectations;
use vouch_report::verdict::{self, AcceptedAttestation, Rejected};
use vouch_sign::verify;

use super::evidence::{self, ArtifactInput};
use crate::cli::{OutputFormat, VerifyAttestationArgs};
use crate::exit::ExitStatus;

pub fn run(args: VerifyAttestationArgs) -> anyhow::Result<ExitStatus> {
    let policy = evidence::policy(&args.signer)?;
    let trust = evidence::trust_root(args.signer.trusted_root.as_deref())?;
    let expectations = Expectations {
        predicate_type: args.predicate_type.clone(),
        source_uri: args.source_uri.clone(),
        commit: args.commit.clone(),
        builder_id: args.builder_id.clone(),
    };
    if let Some(reference) = super::image_evidence::image_arg(&args.artifact)? {
        if args.bundle.is_some() {
            anyhow::bail!(
                "--bundle: an image's attestations are read from its registry; to check a file of bundles, verify the digest (sha256:HEX) instead"
            );
        }
        return super::image_evidence::verify_attestation_image(
            reference,
            &policy,
            &trust,
            &expectations,
            &args.registry.insecure_registry,
            args.format,
        );
    }
    let Some(bundle_path) = &args.bundle else {
        anyhow::bail!("--bundle ATT.jsonl is required to verify a file");
    };
    let artifact = ArtifactInput::load(&args.artifact)?;
    let bytes = crate::files::read(bundle_path, "attestation file", crate::files::MAX_EVIDENCE)?;
    let bundles = vouch_sign::jsonl::parse(&bytes)
        .with_context(|| format!("could not read attestation file {}", bundle_path.display()))?;
    let mut passed = Vec::new();
    let mut reasons = Vec::new();
    let mut trust_unusable = false;
    for (i, bundle) in bundles.iter().enumerate() {
        let line = Some(i + 1);
        let rejected = |code: &str, message: String| Rejected {
            line,
            code: code.into(),
            message,
        };
        match verify::verify_attestation(bundle, artifact.as_artifact(), &policy, &trust) {
            Ok(v) => match verify::check_expectations(&v, &expectations) {
                Ok(()) => {
                    let mut a = v.to_accepted();
                    a.attestation = Some(AcceptedAttestation {
                        line: i + 1,
                        predicate_type: v.value().predicate_type.clone(),
                        statement: serde_json::to_value(v.value()).unwrap_or_default(),
                    });
                    passed.push(a);
                }
                Err(e) => reasons.push(rejected(e.code(), e.to_string())),
            },
            Err(e) => {
                trust_unusable |= matches!(e, verify::VerifyError::UnusableTrustRoot { .. });
                reasons.push(rejected(e.code(), e.to_string()));
            }
        }
    }
    let file = bundle_path.display().to_string();
    match args.format {
        OutputFormat::Json => print!("{}", verdict::attestations_json(&file, &passed, &reasons)),
        OutputFormat::Text => eprint!(
            "{}",
            verdict::attestations_text(&args.artifact.to_string(), &file, &passed, &reasons)
        ),
    }
    Ok(if !passed.is_empty() {
        ExitStatus::Success
    } else if trust_unusable {
        ExitStatus::Error
    } else {
        ExitStatus::Failure
    })
}
