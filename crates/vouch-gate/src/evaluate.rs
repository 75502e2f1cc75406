//! The evaluation: verify every piece of evidence, check it against the policy, collect every
//! reason. Pure: the subject, evidence bytes, trust material, the policy, the advisory database
//! handle and the date come in; a [`Decision`] comes out.

use serde_json::{Value, json};
use vouch_advisory::Database;
use vouch_advisory::matching::{MatchError, MatchOptions};
use vouch_advisory::suppress::{Date, Suppressions};
use vouch_attest::Statement;
use vouch_attest::expect::{self, Expectations};
use vouch_attest::{sbom as attest_sbom, slsa, vsa};
use vouch_report::{Finding, Severity};
use vouch_sign::Bundle;
use vouch_sign::bundle::ContentKind;
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{self, Content, Policy as Signers, Signer};
use vouch_sign::{Verified, VerifyError};

use crate::decision::{ArtifactInfo, Check, Decision, Ignored, Outcome, Reason, UsedEvidence};
use crate::evidence::{Evidence, EvidenceFile, Place, SignatureContent, SignatureEvidence};
use crate::load::Loaded;
use crate::policy::{Field, Policy};
use crate::rebuild::Rebuilder;
use crate::rego::{RegoError, Rules};
use crate::subject::Subject;

/// Severity at and above which `vouch check` findings deny (the same default as `vouch check`).
pub const CHECK_FAIL_ON: Severity = Severity::Medium;

/// Everything the gate looks at. The caller reads files, keys, the database and the clock.
pub struct Inputs<'a> {
    /// What is gated: a name and a digest (with the bytes, for a file).
    pub subject: &'a Subject<'a>,
    /// The signatures over the subject (the `[evidence] signature` file of a folder; every
    /// signature attached to an image). One that verifies is enough.
    pub signatures: &'a [SignatureEvidence],
    /// The SBOM file (`[evidence] sbom`), if present.
    pub sbom: Option<&'a [u8]>,
    /// Every `*.intoto.jsonl` of the evidence folder (the summary being written excluded), or
    /// the attestations attached to an image.
    pub attestations: &'a [EvidenceFile],
    /// Where the evidence was found: a folder's SBOM is a file compared with its attestation;
    /// an image's SBOM is the document its verified SBOM attestation carries.
    pub place: Place,
    /// Who may sign: one entry per trusted key or keyless identity.
    pub signers: &'a [Signers],
    pub trust_root: &'a TrustRoot,
    /// Needed when the policy has `[vulnerabilities]`.
    pub advisories: Option<&'a Database>,
    /// VEX statements and ignore entries for the vulnerability check.
    pub suppressions: &'a Suppressions,
    /// `vouch check` findings, when the policy has `check = true`.
    pub check_findings: Option<&'a [Finding]>,
    /// Secret findings, when the policy has `secrets = true`.
    pub secret_findings: Option<&'a [Finding]>,
    /// The compiled Rego modules of the policy's `rego`.
    pub rules: Option<&'a Rules>,
    /// Today's date (UTC), for ignore-entry expiry.
    pub today: Date,
    /// The `[rebuilds]` rebuilders ([`Loaded::rebuilders`]); empty without `[rebuilds]`.
    pub rebuilders: &'a [Rebuilder],
    /// Now, for the validity windows of rebuild statements.
    pub now: jiff::Timestamp,
    /// `--sarif` files and the `[sarif] ignore` entries (SARIF attestations come with
    /// `attestations`).
    pub sarif: crate::sarif::SarifInputs<'a>,
}

/// Why the gate could not evaluate (exit 2). Never a pass.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    #[error("the policy names no trusted key or identity")]
    NoSigners,
    #[error("the trusted root cannot be used: {detail}")]
    UnusableTrustRoot { detail: String },
    #[error(
        "the policy has [vulnerabilities], but no advisory database was given (pass --db, or run `vouch db update`)"
    )]
    NoDatabase,
    #[error("the policy has check = true, but no `vouch check` findings were given")]
    NoCheckFindings,
    #[error("the policy has secrets = true, but no secret findings were given")]
    NoSecretFindings,
    #[error("the policy has [rebuilds], but no rebuilder keys or identities were given")]
    NoRebuilders,
    #[error("could not match vulnerabilities")]
    Match(#[source] MatchError),
    #[error(transparent)]
    Rego(#[from] RegoError),
    /// A SARIF log (a `--sarif` file or the predicate of a verified SARIF attestation) that
    /// cannot be read.
    #[error(transparent)]
    Sarif(#[from] vouch_report::sarif::read::ReadError),
}

/// What an attestation claims to be (from its predicate type).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Provenance,
    Sbom,
    Summary,
    Sarif,
    Other(String),
    /// The payload is not a readable in-toto statement.
    Unknown,
}

impl Kind {
    fn of(predicate_type: &str) -> Self {
        match predicate_type {
            slsa::PROVENANCE_V1 => Kind::Provenance,
            attest_sbom::PREDICATE_CYCLONEDX | attest_sbom::PREDICATE_SPDX => Kind::Sbom,
            vsa::VSA_V1 => Kind::Summary,
            vouch_attest::sarif::PREDICATE_SARIF => Kind::Sarif,
            other => Kind::Other(other.to_owned()),
        }
    }

    fn check(&self) -> Check {
        match self {
            Kind::Provenance => Check::Provenance,
            Kind::Sbom => Check::Sbom,
            Kind::Sarif => Check::Sarif,
            _ => Check::Attestation,
        }
    }
}

/// An attestation that verified: only [`vouch_sign::verify`] can make the `Verified` inside.
struct VerifiedAttestation {
    evidence: String,
    digest: vouch_digest::Digest,
    kind: Kind,
    verified: Verified<Statement>,
}

/// A bundle that did not verify, with the kind its (unverified) payload claims; the kind only
/// decides which check reports it.
struct Failed {
    kind: Kind,
    reason: Reason,
}

/// Verify under each trusted signer in turn; the first that verifies wins.
fn verify_with_any<T>(
    signers: &[Signers],
    f: impl Fn(&Signers) -> Result<T, VerifyError>,
) -> Result<T, Vec<VerifyError>> {
    let mut errors = Vec::new();
    for s in signers {
        match f(s) {
            Ok(v) => return Ok(v),
            Err(e) => errors.push(e),
        }
    }
    Err(errors)
}

/// The one reason for a bundle that verified under no trusted signer.
pub(crate) fn failure(
    errors: &[VerifyError],
    bundle: &Bundle,
    signers: &[Signers],
) -> Result<(&'static str, String), GateError> {
    failure_with_hint(errors, bundle.key_hint(), signers)
}

/// [`failure`] for evidence whose key hint (unauthenticated) is `hint`.
fn failure_with_hint(
    errors: &[VerifyError],
    hint: Option<&str>,
    signers: &[Signers],
) -> Result<(&'static str, String), GateError> {
    if let Some(e) = errors
        .iter()
        .find(|e| matches!(e, VerifyError::UnusableTrustRoot { .. }))
    {
        return Err(GateError::UnusableTrustRoot {
            detail: e.to_string(),
        });
    }
    // The bundle is about something else: true whoever signed it.
    if let Some(e) = errors.iter().find(|e| {
        matches!(
            e,
            VerifyError::DigestMismatch { .. }
                | VerifyError::SubjectMismatch { .. }
                | VerifyError::ArtifactMismatch { .. }
        )
    }) {
        return Ok((e.code(), e.to_string()));
    }
    let signer_only = |e: &VerifyError| {
        matches!(
            e,
            VerifyError::InvalidSignature { .. }
                | VerifyError::KeyMismatch { .. }
                | VerifyError::KeyRequired
                | VerifyError::CertificateRequired
                | VerifyError::IdentityMismatch { .. }
                | VerifyError::IssuerMismatch { .. }
        )
    };
    if !errors.is_empty() && errors.iter().all(signer_only) {
        // The key hint is unauthenticated: it only chooses between two messages.
        let hinted_trusted = hint.is_some_and(|h| {
            signers.iter().any(|s| match s {
                Signers::Key { key, .. } => key.fingerprint().hex() == h,
                Signers::Identity { .. } => false,
            })
        });
        if hinted_trusted
            && let Some(e) = errors
                .iter()
                .find(|e| matches!(e, VerifyError::InvalidSignature { .. }))
        {
            return Ok((e.code(), e.to_string()));
        }
        let tried: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Ok((
            "untrusted-signer",
            format!(
                "not signed by a key or identity the policy trusts ({})",
                tried.join("; ")
            ),
        ));
    }
    let e = errors
        .iter()
        .find(|e| !signer_only(e))
        .or(errors.first())
        .map_or_else(
            || {
                (
                    "untrusted-signer",
                    "no trusted signer to verify with".to_owned(),
                )
            },
            |e| (e.code(), e.to_string()),
        );
    Ok(e)
}

/// The predicate type an attestation bundle claims, read without verification (only to say
/// which check reports a failure).
fn claimed_kind(bundle: &Bundle) -> Kind {
    let Some(env) = bundle.dsse_envelope_json() else {
        return Kind::Unknown;
    };
    let Ok(env) = vouch_attest::Envelope::from_value(env.clone()) else {
        return Kind::Unknown;
    };
    match Statement::parse(&env.payload) {
        Ok(st) => Kind::of(&st.predicate_type),
        Err(_) => Kind::Unknown,
    }
}

fn kind_name(kind: &Kind) -> &str {
    match kind {
        Kind::Provenance => slsa::PROVENANCE_V1,
        Kind::Sbom => "sbom",
        Kind::Summary => vsa::VSA_V1,
        Kind::Sarif => vouch_attest::sarif::PREDICATE_SARIF,
        Kind::Other(t) => t,
        Kind::Unknown => "unknown",
    }
}

fn str_at<'v>(v: &'v Value, ptr: &str) -> Option<&'v str> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// The provenance policy over one verified provenance statement.
fn check_provenance(policy: &Policy, a: &VerifiedAttestation) -> Vec<Reason> {
    let st = a.verified.value();
    let p = &st.predicate;
    let mut out = Vec::new();
    let reason = |code: &'static str, msg: String| {
        Reason::new(Check::Provenance, code, msg).at(a.evidence.clone())
    };
    if let Err(e) = slsa::Provenance::parse(p) {
        out.push(reason("provenance-incomplete", e.to_string()));
        return out;
    }

    if let Some(want) = &policy.provenance.source {
        let found = expect::source_uri(st);
        if found.as_deref().map(expect::normalize_repo) != Some(expect::normalize_repo(want)) {
            out.push(reason(
                "source-mismatch",
                format!(
                    "source repository is {}, the policy requires {want}",
                    found.as_deref().unwrap_or("absent")
                ),
            ));
        }
    }

    let git_ref = str_at(p, "/buildDefinition/externalParameters/ref");
    let short_ref = git_ref.map(|r| {
        r.strip_prefix("refs/heads/")
            .or_else(|| r.strip_prefix("refs/tags/"))
            .unwrap_or(r)
    });
    let mut ref_problems = Vec::new();
    if p.pointer("/buildDefinition/internalParameters/refProtected")
        .and_then(Value::as_bool)
        == Some(false)
    {
        ref_problems.push(format!(
            "the CI server marked ref `{}` as not protected",
            git_ref.unwrap_or("?")
        ));
    }
    let pats = &policy.provenance.protected_refs;
    if !pats.is_empty() {
        let allowed: Vec<&str> = pats.iter().map(|p| p.text.as_str()).collect();
        match short_ref {
            None => ref_problems.push(format!(
                "provenance names no ref; builds must come from {}",
                allowed.join(", ")
            )),
            Some(r) if !pats.iter().any(|p| p.is_match(r)) => ref_problems.push(format!(
                "ref `{r}` is not a protected ref ({})",
                allowed.join(", ")
            )),
            Some(_) => {}
        }
    }
    if !ref_problems.is_empty() {
        out.push(reason("unprotected-ref", ref_problems.join("; ")));
    }

    let builder = expect::builder_id(st);
    let builders = &policy.provenance.builders;
    if !builders.is_empty()
        && !builder
            .as_deref()
            .is_some_and(|b| builders.iter().any(|p| p.is_match(b)))
    {
        let allowed: Vec<&str> = builders.iter().map(|p| p.text.as_str()).collect();
        out.push(reason(
            "builder-mismatch",
            format!(
                "builder id is {}, the policy allows {}",
                builder.as_deref().unwrap_or("absent"),
                allowed.join(", ")
            ),
        ));
    }
    // A keyless signer must be the workflow the provenance names as builder.
    if let (Signer::Certificate { .. }, Some(b)) = (a.verified.signer(), &builder)
        && b.contains("/.github/workflows/")
    {
        let e = Expectations {
            builder_id: Some(b.clone()),
            ..Expectations::default()
        };
        if let Err(e) = verify::check_expectations(&a.verified, &e) {
            out.push(reason(e.code(), e.to_string()));
        }
    }

    let mut missing = Vec::new();
    for f in &policy.provenance.require {
        let present = match f {
            Field::Commit => expect::source_commit(st).is_some_and(|c| !c.trim().is_empty()),
            Field::Pipeline => str_at(p, "/runDetails/metadata/invocationId").is_some(),
            Field::Runner => {
                str_at(p, "/buildDefinition/internalParameters/runner/id").is_some()
                    || str_at(p, "/buildDefinition/internalParameters/runner/name").is_some()
            }
        };
        if !present {
            missing.push(f.as_str());
        }
    }
    if !missing.is_empty() {
        out.push(reason(
            "provenance-incomplete",
            format!("provenance does not name the {}", missing.join(", ")),
        ));
    }
    out
}

/// Reasons for a kind with no verified attestation: the failures of its bundles, or "missing".
fn missing_or_failed(
    failed: &[Failed],
    kind: &Kind,
    check: Check,
    code: &'static str,
    message: String,
) -> Vec<Reason> {
    let fails: Vec<Reason> = failed
        .iter()
        .filter(|f| &f.kind == kind)
        .map(|f| f.reason.clone())
        .collect();
    if fails.is_empty() {
        vec![Reason::new(check, code, message)]
    } else {
        fails
    }
}

fn finding_place(f: &Finding) -> String {
    f.location
        .as_ref()
        .map_or_else(String::new, |l| format!("{l}: "))
}

/// What the caller supplies besides the policy, the subject and the evidence: the opened
/// advisory database, the source-tree findings (see [`crate::source`]) and today's date.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// Needed when the policy has `[vulnerabilities]`.
    pub advisories: Option<&'a Database>,
    /// Needed when the policy has `check = true`.
    pub check_findings: Option<&'a [Finding]>,
    /// Needed when the policy has `secrets = true`.
    pub secret_findings: Option<&'a [Finding]>,
    /// Today's date (UTC), for ignore-entry expiry.
    pub today: Date,
    /// Now, for the validity windows of rebuild statements (`[rebuilds]`).
    pub now: jiff::Timestamp,
}

/// Gate `subject`: the loaded policy (signers, trust root, suppressions, Rego rules) over the
/// collected evidence. The library call behind `vouch gate`.
pub fn gate(
    loaded: &Loaded,
    subject: &Subject<'_>,
    evidence: &Evidence,
    context: &Context<'_>,
) -> Result<Decision, GateError> {
    let inputs = Inputs {
        subject,
        signatures: &evidence.signatures,
        sbom: evidence.sbom.as_deref(),
        attestations: &evidence.attestations,
        place: evidence.place,
        signers: &loaded.signers,
        trust_root: &loaded.trust_root,
        advisories: context.advisories,
        suppressions: &loaded.suppressions,
        check_findings: context.check_findings,
        secret_findings: context.secret_findings,
        rules: loaded.rules.as_ref(),
        today: context.today,
        rebuilders: &loaded.rebuilders,
        now: context.now,
        sarif: crate::sarif::SarifInputs {
            files: &evidence.sarif,
            ignore: loaded.sarif_ignore.as_ref(),
        },
    };
    evaluate(&loaded.policy, &inputs)
}

/// The digest of a signature as stored: the bundle's bytes, or a legacy signature's payload.
fn signature_digest(content: &SignatureContent) -> vouch_digest::Digest {
    match content {
        SignatureContent::Bundle(bytes) => vouch_digest::Digest::sha256(bytes),
        SignatureContent::CosignLegacy { payload, .. } => vouch_digest::Digest::sha256(payload),
    }
}

/// Verify one signature candidate under the trusted signers: `Ok(Ok(_))` verified,
/// `Ok(Err(reason))` not, `Err` when the gate cannot evaluate (unusable trust root).
fn check_signature(
    candidate: &SignatureEvidence,
    subject: vouch_sign::verify::Artifact<'_>,
    inputs: &Inputs<'_>,
) -> Result<Result<Verified<Content>, Reason>, GateError> {
    let name = candidate.name.as_str();
    let reason =
        |code: &'static str, msg: String| Reason::new(Check::Signature, code, msg).at(name);
    match &candidate.content {
        SignatureContent::Bundle(bytes) => {
            let b = match Bundle::parse(bytes) {
                Ok(b) => b,
                Err(e) => {
                    return Ok(Err(reason(
                        "invalid-bundle",
                        format!("{name} is not a sigstore bundle: {e}"),
                    )));
                }
            };
            let image_signature = b.content_kind() == ContentKind::DsseEnvelope
                && claimed_predicate_type(&b).as_deref()
                    == Some(vouch_attest::IMAGE_SIGNATURE_PREDICATE);
            if b.content_kind() == ContentKind::DsseEnvelope && !image_signature {
                return Ok(Err(reason(
                    "invalid-bundle",
                    format!(
                        "{name} holds an attestation (dsse envelope), not a signature over the artifact"
                    ),
                )));
            }
            match verify_with_any(inputs.signers, |s| {
                crate::registry::verify_signature(&candidate.content, subject, s, inputs.trust_root)
            }) {
                Ok(v) => Ok(Ok(v)),
                Err(errors) => {
                    let (code, msg) = failure(&errors, &b, inputs.signers)?;
                    Ok(Err(reason(code, msg)))
                }
            }
        }
        SignatureContent::CosignLegacy { .. } => match verify_with_any(inputs.signers, |s| {
            crate::registry::verify_signature(&candidate.content, subject, s, inputs.trust_root)
        }) {
            Ok(v) => Ok(Ok(v)),
            Err(errors) => {
                let (code, msg) = failure_with_hint(&errors, None, inputs.signers)?;
                Ok(Err(reason(code, msg)))
            }
        },
    }
}

/// The predicate type a DSSE bundle claims, read without verification (to sort or list it,
/// never to decide).
pub fn claimed_predicate_type(bundle: &Bundle) -> Option<String> {
    let env = vouch_attest::Envelope::from_value(bundle.dsse_envelope_json()?.clone()).ok()?;
    Statement::parse(&env.payload)
        .ok()
        .map(|st| st.predicate_type)
}

/// Evaluate the gate. Every reason is collected; the decision passes only with none.
pub fn evaluate(policy: &Policy, inputs: &Inputs<'_>) -> Result<Decision, GateError> {
    if inputs.signers.is_empty() {
        return Err(GateError::NoSigners);
    }
    if policy.vulnerabilities.is_some() && inputs.advisories.is_none() {
        return Err(GateError::NoDatabase);
    }
    if policy.check && inputs.check_findings.is_none() {
        return Err(GateError::NoCheckFindings);
    }
    if policy.secrets && inputs.secret_findings.is_none() {
        return Err(GateError::NoSecretFindings);
    }
    if policy.rebuilds.is_some() && inputs.rebuilders.is_empty() {
        return Err(GateError::NoRebuilders);
    }
    let artifact = ArtifactInfo {
        name: inputs.subject.name().to_owned(),
        digest: inputs.subject.digest().clone(),
    };
    let subject = inputs.subject.artifact();
    let mut reasons: Vec<Reason> = Vec::new();
    let mut used: Vec<UsedEvidence> = Vec::new();
    let mut ignored: Vec<Ignored> = Vec::new();

    // 1. The signature over the artifact: one that verifies is enough; the others are listed.
    let place = inputs.place.phrase();
    let sig_name = policy.signature_file.as_str();
    let mut signature: Option<Verified<Content>> = None;
    let mut sig_failures: Vec<Reason> = Vec::new();
    for candidate in inputs.signatures {
        match check_signature(candidate, subject, inputs)? {
            Ok(v) => {
                used.push(UsedEvidence {
                    evidence: candidate.name.clone(),
                    kind: "signature".into(),
                    digest: signature_digest(&candidate.content),
                    signer: v.signer().clone(),
                    tlog_verified: v.tlog_verified(),
                });
                signature = Some(v);
                break;
            }
            Err(reason) => sig_failures.push(reason),
        }
    }
    if inputs.signatures.is_empty() {
        let message = match inputs.place {
            Place::Folder => format!("{sig_name} is not {place}"),
            Place::Registry => format!("no signature is {place} ({})", artifact.digest),
        };
        let reason = Reason::new(Check::Signature, "missing-signature", message);
        reasons.push(match inputs.place {
            Place::Folder => reason.at(sig_name),
            Place::Registry => reason,
        });
    } else if signature.is_none() {
        let mut failures = sig_failures.into_iter();
        reasons.extend(failures.next());
        ignored.extend(failures.map(|r| Ignored {
            evidence: r.evidence.clone().unwrap_or_default(),
            why: format!("signature ({}): {}", r.code, r.message),
        }));
    } else {
        ignored.extend(sig_failures.into_iter().map(|r| Ignored {
            evidence: r.evidence.clone().unwrap_or_default(),
            why: format!("signature ({}): {}", r.code, r.message),
        }));
    }

    // 2. Every attestation in the evidence folder.
    let mut files: Vec<&EvidenceFile> = inputs.attestations.iter().collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut verified: Vec<VerifiedAttestation> = Vec::new();
    let mut failed: Vec<Failed> = Vec::new();
    // Rebuild statements, for the `[rebuilds]` rule alone (whoever signed them, whatever
    // digest they name: a rebuild of another digest must reach the rule to be an alert).
    let mut rebuilds: Vec<crate::rebuild::Candidate> = Vec::new();
    for f in files {
        let lines = vouch_sign::jsonl::split(&f.bytes);
        if lines.is_empty() {
            reasons.push(
                Reason::new(
                    Check::Attestation,
                    "invalid-bundle",
                    "attestation file holds no bundles",
                )
                .at(f.name.clone()),
            );
        }
        for vouch_sign::jsonl::Line {
            number: line,
            bytes: raw,
            bundle: parsed,
        } in lines
        {
            let evidence = format!("{}:{line}", f.name);
            let bundle = match parsed {
                Ok(b) => b,
                Err(e) => {
                    reasons.push(
                        Reason::new(
                            Check::Attestation,
                            "invalid-bundle",
                            format!("not a sigstore bundle: {e}"),
                        )
                        .at(evidence),
                    );
                    continue;
                }
            };
            if policy.rebuilds.is_some()
                && bundle.content_kind() == ContentKind::DsseEnvelope
                && crate::rebuild::is_rebuild(&bundle)
            {
                rebuilds.push(crate::rebuild::Candidate {
                    evidence,
                    digest: vouch_digest::Digest::sha256(raw),
                    bundle,
                });
                continue;
            }
            let claimed = claimed_kind(&bundle);
            if claimed == Kind::Summary {
                ignored.push(Ignored {
                    evidence,
                    why: "a verification summary is the gate's output, not its input".into(),
                });
                continue;
            }
            if bundle.content_kind() != ContentKind::DsseEnvelope {
                failed.push(Failed {
                    kind: Kind::Unknown,
                    reason: Reason::new(
                        Check::Attestation,
                        "not-an-attestation",
                        VerifyError::NotAnAttestation.to_string(),
                    )
                    .at(evidence),
                });
                continue;
            }
            match verify_with_any(inputs.signers, |s| {
                verify::verify_attestation(&bundle, subject, s, inputs.trust_root)
            }) {
                Ok(v) => verified.push(VerifiedAttestation {
                    evidence,
                    digest: vouch_digest::Digest::sha256(raw),
                    kind: Kind::of(&v.value().predicate_type),
                    verified: v,
                }),
                Err(errors) => {
                    let (code, msg) = failure(&errors, &bundle, inputs.signers)?;
                    failed.push(Failed {
                        reason: Reason::new(claimed.check(), code, msg).at(evidence),
                        kind: claimed,
                    });
                }
            }
        }
    }
    for a in &verified {
        used.push(UsedEvidence {
            evidence: a.evidence.clone(),
            kind: a.verified.value().predicate_type.clone(),
            digest: a.digest.clone(),
            signer: a.verified.signer().clone(),
            tlog_verified: a.verified.tlog_verified(),
        });
    }
    // SARIF counts when the policy has [sarif], or SARIF was given (files, or a SARIF
    // attestation in the evidence, verified or not), with the default settings then: signed
    // findings are never verified and then left unjudged. A SARIF attestation that does not
    // verify is a reason to deny.
    let sarif_given = !inputs.sarif.files.is_empty()
        || verified.iter().any(|a| a.kind == Kind::Sarif)
        || failed.iter().any(|f| f.kind == Kind::Sarif);
    let sarif_policy = policy
        .sarif
        .clone()
        .or_else(|| sarif_given.then(crate::policy::Sarif::default));
    // Failures nobody needs are listed, not reasons: an unrelated attestation in the folder
    // must not block a release, and nothing from it reaches the policy.
    let needed = |k: &Kind| -> bool {
        match k {
            Kind::Sarif => sarif_policy.is_some(),
            Kind::Provenance | Kind::Sbom => !verified.iter().any(|a| &a.kind == k),
            Kind::Other(t) => {
                policy.required_predicate_types.contains(t)
                    && !verified.iter().any(|a| &a.kind == k)
            }
            Kind::Unknown => true,
            Kind::Summary => false,
        }
    };
    for f in &failed {
        if !needed(&f.kind) {
            ignored.push(Ignored {
                evidence: f.reason.evidence.clone().unwrap_or_default(),
                why: format!(
                    "{} ({}): {}",
                    kind_name(&f.kind),
                    f.reason.code,
                    f.reason.message
                ),
            });
        } else if f.kind == Kind::Unknown || f.kind == Kind::Sarif {
            reasons.push(f.reason.clone());
        }
    }

    // 3. Provenance.
    let provenance: Vec<&VerifiedAttestation> = verified
        .iter()
        .filter(|a| a.kind == Kind::Provenance)
        .collect();
    if provenance.is_empty() {
        reasons.extend(missing_or_failed(
            &failed,
            &Kind::Provenance,
            Check::Provenance,
            "missing-provenance",
            format!(
                "no SLSA provenance ({}) about {} {place}",
                slsa::PROVENANCE_V1,
                artifact.digest
            ),
        ));
    }
    for a in &provenance {
        reasons.extend(check_provenance(policy, a));
    }

    // 4. The SBOM and the attestation binding it to the artifact.
    let sbom_name = policy.sbom_file.as_str();
    let sbom_doc: Option<Value> = match inputs.sbom {
        // An image's SBOM is the document its verified attestation carries.
        None if inputs.place == Place::Registry => None,
        None => {
            reasons.push(
                Reason::new(
                    Check::Sbom,
                    "missing-sbom",
                    format!("{sbom_name} is not {place}"),
                )
                .at(sbom_name),
            );
            None
        }
        Some(bytes) => match serde_json::from_slice::<Value>(bytes) {
            Ok(doc) if attest_sbom::detect(&doc).is_ok() => Some(doc),
            _ => {
                reasons.push(
                    Reason::new(
                        Check::Sbom,
                        "invalid-sbom",
                        format!("{sbom_name} is not CycloneDX or SPDX JSON"),
                    )
                    .at(sbom_name),
                );
                None
            }
        },
    };
    let sbom_atts: Vec<&VerifiedAttestation> =
        verified.iter().filter(|a| a.kind == Kind::Sbom).collect();
    let bound: Option<&VerifiedAttestation> = if sbom_atts.is_empty() {
        reasons.extend(missing_or_failed(
            &failed,
            &Kind::Sbom,
            Check::Sbom,
            "missing-sbom-attestation",
            format!(
                "no SBOM attestation ({} or {}) about {} {place}",
                attest_sbom::PREDICATE_CYCLONEDX,
                attest_sbom::PREDICATE_SPDX,
                artifact.digest
            ),
        ));
        None
    } else {
        let matching = sbom_doc.as_ref().and_then(|doc| {
            sbom_atts
                .iter()
                .find(|a| &a.verified.value().predicate == doc)
        });
        if sbom_doc.is_some() && matching.is_none() {
            let atts: Vec<&str> = sbom_atts.iter().map(|a| a.evidence.as_str()).collect();
            reasons.push(
                Reason::new(
                    Check::Sbom,
                    "sbom-mismatch",
                    format!(
                        "{sbom_name} is not the SBOM that {} binds to the artifact",
                        atts.join(", ")
                    ),
                )
                .at(sbom_name),
            );
        }
        // The attested document is verified; the file is only compared with it.
        Some(matching.copied().unwrap_or(sbom_atts[0]))
    };

    // 5. Other required attestations.
    for t in &policy.required_predicate_types {
        let k = Kind::of(t);
        if !verified
            .iter()
            .any(|a| &a.verified.value().predicate_type == t)
        {
            reasons.extend(missing_or_failed(
                &failed,
                &k,
                Check::Attestation,
                "missing-attestation",
                format!(
                    "no attestation of type {t} about {} {place}",
                    artifact.digest
                ),
            ));
        }
    }

    // 5b. k-of-n rebuilds.
    if let Some(rule) = &policy.rebuilds {
        let found = crate::rebuild::check(
            rule,
            inputs,
            &rebuilds,
            &provenance
                .iter()
                .filter_map(|a| expect::source_commit(a.verified.value()))
                .collect::<Vec<_>>(),
        )?;
        reasons.extend(found.reasons);
        used.extend(found.used);
        ignored.extend(found.ignored);
    }

    // 6. Vulnerabilities, from the verified SBOM only.
    let mut vulnerabilities: Vec<Value> = Vec::new();
    if let (Some(vp), Some(db)) = (&policy.vulnerabilities, inputs.advisories) {
        match bound {
            None => ignored.push(Ignored {
                evidence: "vulnerabilities".into(),
                why: "not evaluated: there is no verified SBOM (already a reason to deny)".into(),
            }),
            Some(a) => {
                let bytes = serde_json::to_vec(&a.verified.value().predicate).unwrap_or_default();
                match vouch_sbom::read::parse(&bytes) {
                    Err(e) => reasons.push(
                        Reason::new(
                            Check::Vulnerabilities,
                            "invalid-sbom",
                            format!("the attested SBOM cannot be read: {e}"),
                        )
                        .at(a.evidence.clone()),
                    ),
                    Ok(sb) => {
                        let mut outcome = db
                            .match_components(
                                &sb.components,
                                sb.distro.as_ref(),
                                &MatchOptions::default(),
                            )
                            .map_err(GateError::Match)?;
                        // Packages the database cannot answer for (a distro release it does
                        // not cover): the check did not run for them, so the gate denies.
                        for n in &outcome.not_checked {
                            reasons.push(
                                Reason::new(
                                    Check::Vulnerabilities,
                                    "vulnerabilities-not-checked",
                                    n.reason.clone(),
                                )
                                .at(a.evidence.clone()),
                            );
                        }
                        let expired = inputs
                            .suppressions
                            .apply(&mut outcome.matches, inputs.today);
                        for e in &expired {
                            let purl = e
                                .purl
                                .as_deref()
                                .map(|p| format!(" ({p})"))
                                .unwrap_or_default();
                            reasons.push(Reason::new(
                                Check::Vulnerabilities,
                                "ignore-expired",
                                format!(
                                    "ignore entry for {}{purl} expired on {} and no longer suppresses it (reason given: {})",
                                    e.id, e.expires, e.reason
                                ),
                            ));
                        }
                        for m in &outcome.matches {
                            let counted = m.finding.counts_at(vp.fail_on);
                            // Covered by its ignore-expired reason.
                            let expired_ignore =
                                m.finding.properties.contains_key("ignore_expired");
                            if counted && !expired_ignore {
                                let fixed = if m.fixed.is_empty() {
                                    String::new()
                                } else {
                                    format!("; fixed in {}", m.fixed.join(", "))
                                };
                                // A malicious package is its own reason, not "a vulnerability".
                                let reason = match m.kind {
                                    vouch_report::vulns::MatchKind::Malicious => Reason::new(
                                        Check::Vulnerabilities,
                                        "malicious-package",
                                        format!(
                                            "{} {} is a malicious package: {}{}",
                                            m.component.name,
                                            m.component.version,
                                            m.id,
                                            m.summary
                                                .as_deref()
                                                .map(|s| format!(": {s}"))
                                                .unwrap_or_default()
                                        ),
                                    ),
                                    vouch_report::vulns::MatchKind::Vulnerability => Reason::new(
                                        Check::Vulnerabilities,
                                        "vulnerability-above-threshold",
                                        format!(
                                            "{} ({}) in {} {}, at or above `{}`{fixed}",
                                            m.id,
                                            m.severity.as_str(),
                                            m.component.name,
                                            m.component.version,
                                            vp.fail_on.as_str()
                                        ),
                                    ),
                                };
                                reasons.push(reason.at(a.evidence.clone()));
                            }
                            vulnerabilities.push(json!({
                                "id": m.id,
                                "ids": m.ids,
                                "aliases": m.aliases,
                                "severity": m.severity,
                                "purl": m.component.purl,
                                "suppressed": m.finding.suppressed.is_some(),
                            }));
                        }
                    }
                }
            }
        }
    }

    // 7. vouch check and secrets.
    if policy.check
        && let Some(findings) = inputs.check_findings
    {
        for f in findings.iter().filter(|f| f.counts_at(CHECK_FAIL_ON)) {
            let mut r = Reason::new(
                Check::Check,
                "check-failed",
                format!(
                    "{}{} ({})",
                    finding_place(f),
                    f.message,
                    f.severity.as_str()
                ),
            );
            r.rule = Some(f.rule_id.clone());
            reasons.push(r);
        }
    }
    if policy.secrets
        && let Some(findings) = inputs.secret_findings
    {
        for f in findings.iter().filter(|f| f.suppressed.is_none()) {
            let mut r = Reason::new(
                Check::Secrets,
                "secret-found",
                format!("{}{}", finding_place(f), f.message),
            );
            r.rule = Some(f.rule_id.clone());
            reasons.push(r);
        }
    }

    // 7b. Other tools' SARIF: `--sarif` files (unsigned) and verified SARIF attestations.
    let mut unsigned = Vec::new();
    if let Some(sp) = &sarif_policy {
        let signed: Vec<crate::sarif::Signed<'_>> = verified
            .iter()
            .filter(|a| a.kind == Kind::Sarif)
            .map(|a| crate::sarif::Signed {
                evidence: a.evidence.clone(),
                signer: a.verified.signer().to_string(),
                predicate: &a.verified.value().predicate,
            })
            .collect();
        let found = crate::sarif::check(sp, inputs.sarif, &signed, inputs.today)?;
        reasons.extend(found.reasons);
        ignored.extend(found.ignored);
        unsigned = found.unsigned;
    }

    // 8. Rego, over the verified evidence only.
    if let Some(rules) = inputs.rules {
        let input = rego_input(
            &artifact,
            signature.as_ref(),
            &verified,
            bound,
            &vulnerabilities,
        );
        reasons.extend(rules.evaluate(&input)?);
    }

    reasons.sort_by_key(|r| r.check);
    Ok(Decision {
        outcome: if reasons.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Deny
        },
        artifact,
        reasons,
        verified: used,
        ignored,
        unsigned,
    })
}

/// The Rego input document. Built only from `Verified<_>` values (and the vulnerabilities
/// matched from the verified SBOM): nothing unverified can reach the policy.
fn rego_input(
    artifact: &ArtifactInfo,
    signature: Option<&Verified<Content>>,
    attestations: &[VerifiedAttestation],
    sbom: Option<&VerifiedAttestation>,
    vulnerabilities: &[Value],
) -> Value {
    let signer = |v: &Signer| serde_json::to_value(v).unwrap_or(Value::Null);
    let atts: Vec<Value> = attestations
        .iter()
        .map(|a| {
            let st = a.verified.value();
            json!({
                "evidence": a.evidence,
                "digest": a.digest,
                "predicateType": st.predicate_type,
                "subject": st.subject,
                "predicate": st.predicate,
                "signer": signer(a.verified.signer()),
                "tlogVerified": a.verified.tlog_verified(),
            })
        })
        .collect();
    let provenance: Vec<Value> = attestations
        .iter()
        .filter(|a| a.kind == Kind::Provenance)
        .map(|a| a.verified.value().predicate.clone())
        .collect();
    json!({
        "artifact": artifact,
        "signature": signature.map(|s| json!({
            "signer": signer(s.signer()),
            "tlogVerified": s.tlog_verified(),
            "certificateVerified": s.certificate_verified(),
        })),
        "attestations": atts,
        "provenance": provenance,
        "sbom": sbom.map(|a| json!({
            "predicateType": a.verified.value().predicate_type,
            "evidence": a.evidence,
            "document": a.verified.value().predicate,
        })),
        "vulnerabilities": vulnerabilities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_predicate_types() {
        assert_eq!(Kind::of("https://slsa.dev/provenance/v1"), Kind::Provenance);
        assert_eq!(Kind::of("https://cyclonedx.org/bom"), Kind::Sbom);
        assert_eq!(Kind::of("https://spdx.dev/Document"), Kind::Sbom);
        assert_eq!(
            Kind::of("https://slsa.dev/verification_summary/v1"),
            Kind::Summary
        );
        assert_eq!(Kind::of("x").check(), Check::Attestation);
    }
}
