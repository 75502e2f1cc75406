//! `vouch verify-attestation FILE --bundle ATT.jsonl (--key PUB | --certificate-identity ...)`.

use anyhow::Context as _;
use serde_json::json;
use vouch_attest::expect::Expectations;
use vouch_sign::verify;

use super::evidence::{self, ArtifactInput};
use crate::cli::{OutputFormat, VerifyAttestationArgs};
use crate::exit::ExitStatus;

pub fn run(args: VerifyAttestationArgs) -> anyhow::Result<ExitStatus> {
    let policy = evidence::policy(&args.signer)?;
    let trust = evidence::trust_root(args.signer.trusted_root.as_deref())?;
    let artifact = ArtifactInput::load(&args.artifact)?;
    let bytes = crate::files::read(&args.bundle, "attestation file", crate::files::MAX_EVIDENCE)?;
    let bundles = vouch_sign::jsonl::parse(&bytes)
        .with_context(|| format!("could not read attestation file {}", args.bundle.display()))?;
    let expectations = Expectations {
        predicate_type: args.predicate_type.clone(),
        source_uri: args.source_uri.clone(),
        commit: args.commit.clone(),
        builder_id: args.builder_id.clone(),
    };
    let mut passed = Vec::new();
    let mut reasons = Vec::new();
    let mut trust_unusable = false;
    for (i, bundle) in bundles.iter().enumerate() {
        let line = i + 1;
        match verify::verify_attestation(bundle, artifact.as_artifact(), &policy, &trust) {
            Ok(v) => match verify::check_expectations(&v, &expectations) {
                Ok(()) => passed.push((line, v)),
                Err(e) => {
                    reasons.push(json!({"line": line, "code": e.code(), "message": e.to_string()}))
                }
            },
            Err(e) => {
                trust_unusable |= matches!(e, verify::VerifyError::UnusableTrustRoot { .. });
                reasons.push(json!({"line": line, "code": e.code(), "message": e.to_string()}));
            }
        }
    }
    let file = args.bundle.display().to_string();
    if args.format == OutputFormat::Json {
        let verified: Vec<_> = passed
            .iter()
            .map(|(line, v)| {
                let mut j = super::verify::verified_json(v);
                j["line"] = (*line).into();
                j["statement"] = serde_json::to_value(v.value()).unwrap_or_default();
                j
            })
            .collect();
        println!(
            "{}",
            json!({
                "verdict": if passed.is_empty() { "not-verified" } else { "verified" },
                "attestations": file,
                "verified": verified,
                "rejected": reasons,
            })
        );
    } else if passed.is_empty() {
        eprintln!(
            "error: {} has no attestation for {} that verifies and meets the expectations",
            file, args.artifact
        );
        for r in &reasons {
            eprintln!(
                "  line {}: [{}] {}",
                r["line"],
                r["code"].as_str().unwrap_or(""),
                r["message"].as_str().unwrap_or("")
            );
        }
    } else {
        for (line, v) in &passed {
            eprintln!(
                "verified: {file} line {line}: {} for {} signed by {}; trust: {}",
                v.value().predicate_type,
                v.artifact_digest(),
                v.signer(),
                v.trust()
            );
        }
    }
    Ok(if !passed.is_empty() {
        ExitStatus::Success
    } else if trust_unusable {
        ExitStatus::Error
    } else {
        ExitStatus::Failure
    })
}
