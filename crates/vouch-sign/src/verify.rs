//! Offline verification of Sigstore bundles, with vouch's own result and error types.
//!
//! The cryptographic checks (certificate chain to a trusted Fulcio CA at signing time, SCTs,
//! Rekor v1 SETs, inclusion proofs and checkpoints, Rekor v2 entries, RFC 3161 timestamps,
//! signatures over messages and DSSE envelopes) are done by `sigstore-verify`. vouch adds the
//! policy split (key vs identity), its own digest and subject checks with typed fields, and
//! [`Verified`], which only this module can construct.

use std::fmt;

use serde::Serialize;
use sha2::Digest as _;
use sigstore_verify::{
    CertificateError, PublicKeyVerificationPolicy, TimestampError, TransparencyLogError,
    VerificationPolicy,
};
use vouch_attest::Statement;
use vouch_digest::{Algorithm, Digest};

use crate::bundle::{Bundle, ContentKind, MaterialKind};
use crate::key::{PublicKey, PublicKeyAlgorithm};
use crate::strict;
use crate::trust::{TrustRoot, TrustSource};

/// What the artifact is: its bytes, or a SHA-256 digest computed elsewhere.
#[derive(Debug, Clone, Copy)]
pub enum Artifact<'a> {
    Bytes(&'a [u8]),
    Sha256([u8; 32]),
}

impl Artifact<'_> {
    /// The artifact's SHA-256.
    pub fn sha256(&self) -> Digest {
        match self {
            Artifact::Bytes(b) => Digest::sha256(b),
            Artifact::Sha256(d) => {
                Digest::from_bytes(Algorithm::Sha256, d.to_vec()).expect("32 bytes is a sha256")
            }
        }
    }
}

/// Whether a key-signed bundle must carry a verified transparency-log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlogPolicy {
    /// Require a transparency-log entry and verify it.
    Required,
    /// Verify log entries when the bundle has them; accept a bundle without any (vouch signs
    /// offline, so its own bundles have none). The result says which happened.
    IfPresent,
}

/// Who must have signed.
#[derive(Debug, Clone)]
pub enum Policy {
    /// A managed key.
    Key { key: PublicKey, tlog: TlogPolicy },
    /// A Fulcio certificate for exactly this identity (SAN) and OIDC issuer. Transparency-log
    /// (or timestamp) evidence is always required.
    Identity { identity: String, issuer: String },
}

/// Who signed, as established by verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signer {
    Key {
        fingerprint: Digest,
        algorithm: PublicKeyAlgorithm,
    },
    Certificate {
        identity: String,
        issuer: String,
    },
}

impl fmt::Display for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signer::Key {
                fingerprint,
                algorithm,
            } => write!(f, "{algorithm} key {fingerprint}"),
            Signer::Certificate { identity, issuer } => write!(f, "{identity} (issuer {issuer})"),
        }
    }
}

/// What a message-signature bundle proves: the signed artifact digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedArtifact {
    pub digest: Digest,
}

/// What verification found; every field comes from checked evidence.
#[derive(Debug, Clone, Serialize)]
pub enum Content {
    Artifact(SignedArtifact),
    Attestation(Statement),
}

/// A value that passed verification. Only this crate can construct one.
#[derive(Debug, Clone, Serialize)]
pub struct Verified<T> {
    value: T,
    signer: Signer,
    artifact_digest: Digest,
    trust: TrustSource,
    tlog_verified: bool,
    certificate_verified: bool,
    timestamps: Vec<jiff::Timestamp>,
}

impl<T> Verified<T> {
    /// A value whose signature was checked with `key` alone: no log entry, no certificate, no
    /// trusted root (cosign legacy signatures, [`crate::cosign`]).
    pub(crate) fn by_key_only(value: T, key: &PublicKey, artifact_digest: Digest) -> Self {
        Self {
            value,
            signer: Signer::Key {
                fingerprint: key.fingerprint(),
                algorithm: key.algorithm(),
            },
            artifact_digest,
            trust: TrustSource::PublicKeyOnly,
            tlog_verified: false,
            certificate_verified: false,
            timestamps: Vec::new(),
        }
    }

    pub fn value(&self) -> &T {
        &self.value
    }
    pub fn into_value(self) -> T {
        self.value
    }
    pub fn signer(&self) -> &Signer {
        &self.signer
    }
    /// SHA-256 of the artifact (or attestation subject) that was checked.
    pub fn artifact_digest(&self) -> &Digest {
        &self.artifact_digest
    }
    pub fn trust(&self) -> &TrustSource {
        &self.trust
    }
    /// Whether a transparency-log entry was verified (inclusion proof/promise, checkpoint).
    pub fn tlog_verified(&self) -> bool {
        self.tlog_verified
    }
    /// Whether a certificate chain to a trusted CA was verified.
    pub fn certificate_verified(&self) -> bool {
        self.certificate_verified
    }
    /// Authenticated signing times from log entries and RFC 3161 timestamps (serialized as
    /// RFC 3339).
    pub fn timestamps(&self) -> &[jiff::Timestamp] {
        &self.timestamps
    }
}

impl<T> Verified<T> {
    /// What the verification established, as report data for the renderers
    /// ([`vouch_report::verdict`]).
    pub fn to_accepted(&self) -> vouch_report::verdict::Accepted {
        vouch_report::verdict::Accepted {
            signer: serde_json::to_value(&self.signer).unwrap_or_default(),
            signer_text: self.signer.to_string(),
            digest: self.artifact_digest.to_string(),
            trust: serde_json::to_value(&self.trust).unwrap_or_default(),
            trust_text: self.trust.to_string(),
            transparency_log_verified: self.tlog_verified,
            certificate_verified: self.certificate_verified(),
            timestamps: self.timestamps.iter().map(ToString::to_string).collect(),
            attestation: None,
        }
    }
}

/// Why a bundle did not verify. Each variant has a stable code ([`VerifyError::code`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    #[error("artifact has digest {found}, but the bundle signs {expected}")]
    DigestMismatch { expected: Digest, found: Digest },
    #[error("no subject of the attestation has digest {digest} (subjects: {subjects})")]
    SubjectMismatch { digest: Digest, subjects: String },
    #[error("bundle does not describe the artifact: {detail}")]
    ArtifactMismatch { detail: String },
    #[error("signature does not verify: {detail}")]
    InvalidSignature { detail: String },
    /// The signature does not verify with the given key, and the bundle's key hint names
    /// another key: signed by a different key (not a tampered artifact).
    #[error("signed by a different key: the bundle names key {hint}, the given key is {given}")]
    KeyMismatch { hint: String, given: Digest },
    #[error("bundle is signed with a managed key, but no key was given (use --key)")]
    KeyRequired,
    #[error(
        "bundle carries a signing certificate, but a key was given (use --certificate-identity and --certificate-oidc-issuer)"
    )]
    CertificateRequired,
    #[error("bundle has no transparency-log entry and the policy requires one")]
    MissingLogEntry,
    #[error("signer identity is {found}, expected {expected}")]
    IdentityMismatch { expected: String, found: String },
    #[error("signer oidc issuer is {found}, expected {expected}")]
    IssuerMismatch { expected: String, found: String },
    #[error("signing certificate expired at {not_after}, before the signing time {signed_at}")]
    ExpiredCertificate {
        not_after: jiff::Timestamp,
        signed_at: jiff::Timestamp,
    },
    #[error(
        "signing certificate is not valid before {not_before}, after the signing time {signed_at}"
    )]
    CertificateNotYetValid {
        not_before: jiff::Timestamp,
        signed_at: jiff::Timestamp,
    },
    #[error("signing certificate does not chain to a trusted certificate authority: {detail}")]
    UntrustedCertificate { detail: String },
    #[error("no trusted certificate authority was valid at the signing time {signed_at}")]
    NoValidAuthority { signed_at: jiff::Timestamp },
    #[error("signing certificate is malformed: {detail}")]
    MalformedCertificate { detail: String },
    #[error("signed certificate timestamp (sct) is missing or invalid: {detail}")]
    InvalidSct { detail: String },
    #[error("transparency log {log_id} is not in the trusted root")]
    UnknownLog { log_id: String },
    #[error("inclusion proof is invalid: {detail}")]
    InvalidInclusionProof { detail: String },
    #[error("log checkpoint is invalid: {detail}")]
    InvalidCheckpoint { detail: String },
    #[error("signed entry timestamp (inclusion promise) is invalid: {detail}")]
    InvalidInclusionPromise { detail: String },
    #[error("transparency-log entry does not match the bundle: {detail}")]
    LogEntryMismatch { detail: String },
    #[error("log entry integrated time is invalid: {detail}")]
    InvalidIntegratedTime { detail: String },
    #[error("transparency-log entry is malformed: {detail}")]
    MalformedLogEntry { detail: String },
    #[error("rfc 3161 timestamp is invalid: {detail}")]
    InvalidTimestamp { detail: String },
    #[error("rfc 3161 timestamp {time} is outside the validity of the authority that signed it")]
    TimestampOutsideAuthority { time: jiff::Timestamp },
    #[error("no verified signing time: {detail}")]
    NoVerifiedTimestamp { detail: String },
    #[error("bundle is invalid: {detail}")]
    InvalidBundle { detail: String },
    #[error("bundle uses something vouch cannot verify: {detail}")]
    UnsupportedBundle { detail: String },
    #[error("the trusted root cannot be used: {detail}")]
    UnusableTrustRoot { detail: String },
    #[error("bundle signs a message, but an attestation (dsse envelope) was expected")]
    NotAnAttestation,
    #[error("attestation payload is not an in-toto statement")]
    Statement(#[source] vouch_attest::statement::ParseError),
    #[error(
        "message digest algorithm is `{found}`, expected one of SHA2_256, SHA2_384, SHA2_512, SHA3_256, SHA3_384 (spelled exactly)"
    )]
    UnknownDigestAlgorithm { found: String },
    #[error("dsse payload type is `{found}`, expected application/vnd.in-toto+json")]
    UnsupportedPayloadType { found: String },
    #[error(
        "log entry {log_index}: {field} is {found}, but the inclusion proof computes the root hash {computed}"
    )]
    RootHashMismatch {
        log_index: u64,
        field: &'static str,
        computed: String,
        found: String,
    },
    #[error("log entry {log_index}: {field} is {found}, expected {expected}")]
    InconsistentLogEntry {
        log_index: u64,
        field: &'static str,
        expected: String,
        found: String,
    },
    #[error(
        "log entry {log_index} is a rekor v2 entry, which has no {field} (its time comes from rfc 3161 timestamps), but the bundle sets it to {found}"
    )]
    UnexpectedLogField {
        log_index: u64,
        field: &'static str,
        found: String,
    },
    /// A cosign legacy (`.sig`/`.att` tag) signature checked under an identity policy: vouch
    /// verifies legacy signatures with a key only ([`crate::cosign`]).
    #[error(
        "cosign legacy {what} {carries}, but vouch verifies legacy signatures with a key only (use --key, or sign again as a sigstore bundle)"
    )]
    LegacyKeylessUnsupported {
        what: &'static str,
        carries: &'static str,
    },
    /// The signed simple-signing payload is not a cosign image signature vouch accepts.
    #[error("simple-signing payload {detail}")]
    InvalidSimpleSigningPayload { detail: String },
    /// A valid cosign legacy signature, but for another image.
    #[error("the signature is for image {signed}, not for {image}")]
    ImageDigestMismatch { image: Digest, signed: Digest },
}

impl VerifyError {
    /// Stable, kebab-case code (documented under docs/rules/).
    pub fn code(&self) -> &'static str {
        use VerifyError as E;
        match self {
            E::DigestMismatch { .. } => "digest-mismatch",
            E::SubjectMismatch { .. } => "subject-mismatch",
            E::ArtifactMismatch { .. } => "artifact-mismatch",
            E::InvalidSignature { .. } => "invalid-signature",
            E::KeyMismatch { .. } => "key-mismatch",
            E::KeyRequired => "key-required",
            E::CertificateRequired => "certificate-required",
            E::MissingLogEntry => "missing-log-entry",
            E::IdentityMismatch { .. } => "identity-mismatch",
            E::IssuerMismatch { .. } => "issuer-mismatch",
            E::ExpiredCertificate { .. } => "expired-certificate",
            E::CertificateNotYetValid { .. } => "certificate-not-yet-valid",
            E::UntrustedCertificate { .. } => "untrusted-certificate",
            E::NoValidAuthority { .. } => "no-valid-authority",
            E::MalformedCertificate { .. } => "malformed-certificate",
            E::InvalidSct { .. } => "invalid-sct",
            E::UnknownLog { .. } => "unknown-log",
            E::InvalidInclusionProof { .. } => "invalid-inclusion-proof",
            E::InvalidCheckpoint { .. } => "invalid-checkpoint",
            E::InvalidInclusionPromise { .. } => "invalid-inclusion-promise",
            E::LogEntryMismatch { .. } => "log-entry-mismatch",
            E::InvalidIntegratedTime { .. } => "invalid-integrated-time",
            E::MalformedLogEntry { .. } => "malformed-log-entry",
            E::InvalidTimestamp { .. } => "invalid-timestamp",
            E::TimestampOutsideAuthority { .. } => "timestamp-outside-authority",
            E::NoVerifiedTimestamp { .. } => "no-verified-timestamp",
            E::InvalidBundle { .. } => "invalid-bundle",
            E::UnsupportedBundle { .. } => "unsupported-bundle",
            E::UnusableTrustRoot { .. } => "unusable-trust-root",
            E::NotAnAttestation => "not-an-attestation",
            E::Statement(_) => "invalid-statement",
            E::UnknownDigestAlgorithm { .. } => "unknown-digest-algorithm",
            E::UnsupportedPayloadType { .. } => "unsupported-payload-type",
            E::RootHashMismatch { .. } => "root-hash-mismatch",
            E::InconsistentLogEntry { .. } => "inconsistent-log-entry",
            E::UnexpectedLogField { .. } => "unexpected-log-field",
            E::LegacyKeylessUnsupported { .. } => "legacy-keyless-unsupported",
            E::InvalidSimpleSigningPayload { .. } => "invalid-simple-signing-payload",
            E::ImageDigestMismatch { .. } => "image-digest-mismatch",
        }
    }
}

fn lower(s: impl fmt::Display) -> String {
    let s = s.to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

impl From<sigstore_verify::Error> for VerifyError {
    fn from(e: sigstore_verify::Error) -> Self {
        use sigstore_verify::Error as S;
        match e {
            S::IdentityMismatch { expected, actual } => VerifyError::IdentityMismatch {
                expected: expected.to_string(),
                found: actual.map_or_else(|| "none".to_owned(), |a| a.to_string()),
            },
            S::IssuerMismatch { expected, actual } => VerifyError::IssuerMismatch {
                expected,
                found: actual.unwrap_or_else(|| "none".to_owned()),
            },
            S::SignatureInvalid(d) => VerifyError::InvalidSignature { detail: lower(d) },
            S::ArtifactMismatch(d) => VerifyError::ArtifactMismatch { detail: lower(d) },
            S::UnsupportedArtifact(d) => VerifyError::UnsupportedBundle { detail: lower(d) },
            S::Certificate(c) => match c {
                CertificateError::Expired { time, not_after } => VerifyError::ExpiredCertificate {
                    not_after,
                    signed_at: time,
                },
                CertificateError::NotYetValid { time, not_before } => {
                    VerifyError::CertificateNotYetValid {
                        not_before,
                        signed_at: time,
                    }
                }
                CertificateError::NoValidAuthority { time } => {
                    VerifyError::NoValidAuthority { signed_at: time }
                }
                CertificateError::ChainInvalid(d) => chain_error(&d),
                CertificateError::Sct(d) => VerifyError::InvalidSct { detail: lower(d) },
                other => VerifyError::MalformedCertificate {
                    detail: lower(other),
                },
            },
            S::TransparencyLog(t) => match t {
                TransparencyLogError::UnknownLog { log_id } => VerifyError::UnknownLog { log_id },
                TransparencyLogError::InclusionProof(d) => {
                    VerifyError::InvalidInclusionProof { detail: lower(d) }
                }
                TransparencyLogError::Checkpoint(d) => {
                    VerifyError::InvalidCheckpoint { detail: lower(d) }
                }
                TransparencyLogError::InclusionPromise(d) => {
                    VerifyError::InvalidInclusionPromise { detail: lower(d) }
                }
                TransparencyLogError::EntryMismatch(d) => {
                    VerifyError::LogEntryMismatch { detail: lower(d) }
                }
                TransparencyLogError::IntegratedTime(d) => {
                    VerifyError::InvalidIntegratedTime { detail: lower(d) }
                }
                other => VerifyError::MalformedLogEntry {
                    detail: lower(other),
                },
            },
            S::Timestamp(t) => match t {
                TimestampError::Invalid(d) => VerifyError::InvalidTimestamp { detail: lower(d) },
                TimestampError::OutsideAuthorityValidity { time } => {
                    VerifyError::TimestampOutsideAuthority { time }
                }
                other => VerifyError::NoVerifiedTimestamp {
                    detail: lower(other),
                },
            },
            S::InvalidTrustRoot(d) => VerifyError::UnusableTrustRoot { detail: lower(d) },
            S::TrustRoot(d) => VerifyError::UnusableTrustRoot { detail: lower(d) },
            S::TrustedCertificate(d) => VerifyError::UnusableTrustRoot { detail: lower(d) },
            S::UnsupportedBundle(d) => VerifyError::UnsupportedBundle { detail: lower(d) },
            other => VerifyError::InvalidBundle {
                detail: lower(other),
            },
        }
    }
}

/// Check the signature of a bundle that has no transparency-log entry and no timestamp, with
/// the caller's key: over the artifact (message signature) or over the DSSE PAE.
fn verify_offline_key_signature(
    bundle: &Bundle,
    artifact: Artifact<'_>,
    key: &PublicKey,
) -> Result<(), VerifyError> {
    use sigstore_verify::crypto::VerificationKey;
    use sigstore_verify::types::SignatureContent;
    let der = sigstore_verify::types::DerPublicKey::new(key.spki_der().to_vec());
    let vk = VerificationKey::from_spki(&der).map_err(|e| VerifyError::UnsupportedBundle {
        detail: format!("public key {}: {}", key.fingerprint(), lower(e)),
    })?;
    let invalid = |e: sigstore_verify::crypto::Error| VerifyError::InvalidSignature {
        detail: format!(
            "{} with {} key {}",
            lower(e),
            key.algorithm(),
            key.fingerprint()
        ),
    };
    match &bundle.inner.content {
        SignatureContent::MessageSignature(ms) => match artifact {
            Artifact::Bytes(b) => vk.verify(b, &ms.signature).map_err(invalid),
            Artifact::Sha256(d) => vk.verify_prehashed(&d, &ms.signature).map_err(|e| match e {
                sigstore_verify::crypto::Error::UnsupportedAlgorithm(_) => {
                    VerifyError::UnsupportedBundle {
                        detail: format!(
                            "{} signatures cover the whole file, so a sha256 digest cannot be checked; pass the file",
                            key.algorithm()
                        ),
                    }
                }
                other => invalid(other),
            }),
        },
        SignatureContent::DsseEnvelope(env) => {
            let pae = vouch_attest::dsse::pae(&env.payload_type, env.payload.as_bytes());
            vk.verify(&pae, &env.signature.sig).map_err(invalid)
        }
        _ => Err(VerifyError::UnsupportedBundle {
            detail: "unknown signature content".into(),
        }),
    }
}

/// Check a signature over `message` with `key` (ECDSA DER with the key's hash, or Ed25519).
pub(crate) fn verify_raw_signature(
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    use sigstore_verify::crypto::VerificationKey;
    let der = sigstore_verify::types::DerPublicKey::new(key.spki_der().to_vec());
    let vk = VerificationKey::from_spki(&der).map_err(|e| VerifyError::UnsupportedBundle {
        detail: format!("public key {}: {}", key.fingerprint(), lower(e)),
    })?;
    let signature = sigstore_verify::types::SignatureBytes::new(signature.to_vec());
    vk.verify(message, &signature)
        .map_err(|e| VerifyError::InvalidSignature {
            detail: format!(
                "{} with {} key {}",
                lower(e),
                key.algorithm(),
                key.fingerprint()
            ),
        })
}

/// Read `name: UnixTime(N)` out of webpki's debug text.
fn unix_field(detail: &str, name: &str) -> Option<jiff::Timestamp> {
    let start = detail.find(&format!("{name}: UnixTime("))? + name.len() + ": UnixTime(".len();
    let end = detail[start..].find(')')? + start;
    let secs: i64 = detail[start..end].parse().ok()?;
    jiff::Timestamp::from_second(secs).ok()
}

/// webpki reports validity-window failures inside the chain error; surface them as typed
/// variants so "expired" is distinguishable from "unknown CA".
fn chain_error(detail: &str) -> VerifyError {
    if detail.contains("CertExpired")
        && let (Some(signed_at), Some(not_after)) =
            (unix_field(detail, "time"), unix_field(detail, "not_after"))
    {
        return VerifyError::ExpiredCertificate {
            not_after,
            signed_at,
        };
    }
    if detail.contains("CertNotValidYet")
        && let (Some(signed_at), Some(not_before)) =
            (unix_field(detail, "time"), unix_field(detail, "not_before"))
    {
        return VerifyError::CertificateNotYetValid {
            not_before,
            signed_at,
        };
    }
    VerifyError::UntrustedCertificate {
        detail: lower(detail),
    }
}

/// Verify `bundle` over `artifact` (the signed file, or the attestation subject) under
/// `policy` and `trust`. Never touches the network.
///
/// A signature that does not verify with the given key, in a bundle whose key hint names
/// another key, is [`VerifyError::KeyMismatch`]: the usual mistake (the wrong `--key`), told
/// apart from a changed artifact or signature.
///
/// Note: `sigstore-verify` reads the system clock for one check (a log entry's integrated time
/// must not be in the future); everything else uses times from the evidence.
pub fn verify(
    bundle: &Bundle,
    artifact: Artifact<'_>,
    policy: &Policy,
    trust: &TrustRoot,
) -> Result<Verified<Content>, VerifyError> {
    verify_checked(bundle, artifact, policy, trust).map_err(|e| match (e, policy) {
        (VerifyError::InvalidSignature { detail }, Policy::Key { key, .. }) => {
            match bundle.key_hint() {
                Some(hint) if names_another_key(hint, &key.fingerprint()) => {
                    VerifyError::KeyMismatch {
                        hint: hint.to_owned(),
                        given: key.fingerprint(),
                    }
                }
                _ => VerifyError::InvalidSignature { detail },
            }
        }
        (e, _) => e,
    })
}

/// Whether a key hint (hex or base64 of the key's SHA-256, as vouch and cosign write it) names
/// a key other than `fingerprint`. A hint in neither form says nothing.
fn names_another_key(hint: &str, fingerprint: &Digest) -> bool {
    use base64::Engine as _;
    let bytes = if hint.len() == 64 && hint.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(hint).ok()
    } else {
        base64::engine::general_purpose::STANDARD.decode(hint).ok()
    };
    match bytes {
        Some(b) if b.len() == 32 => hex::encode(b) != fingerprint.hex(),
        _ => false,
    }
}

fn verify_checked(
    bundle: &Bundle,
    artifact: Artifact<'_>,
    policy: &Policy,
    trust: &TrustRoot,
) -> Result<Verified<Content>, VerifyError> {
    let digest = artifact.sha256();

    // Policy kind must match the bundle's material.
    match (policy, bundle.material_kind()) {
        (Policy::Identity { .. }, MaterialKind::PublicKey) => return Err(VerifyError::KeyRequired),
        (Policy::Key { .. }, MaterialKind::Certificate) => {
            return Err(VerifyError::CertificateRequired);
        }
        _ => {}
    }

    // vouch's own binding checks first, for precise, typed errors.
    let statement = match bundle.content_kind() {
        ContentKind::MessageSignature => {
            strict::check_message_digest(bundle, artifact)?;
            None
        }
        ContentKind::DsseEnvelope => {
            let sigstore_verify::types::SignatureContent::DsseEnvelope(env) = &bundle.inner.content
            else {
                return Err(VerifyError::InvalidBundle {
                    detail: "dsse content missing".into(),
                });
            };
            strict::check_payload_type(&env.payload_type)?;
            let statement =
                Statement::parse(env.payload.as_bytes()).map_err(VerifyError::Statement)?;
            let sha512 = match artifact {
                Artifact::Bytes(b) => {
                    Digest::from_bytes(Algorithm::Sha512, sha2::Sha512::digest(b).to_vec())
                }
                Artifact::Sha256(_) => None,
            };
            let matches = statement.has_subject(&digest)
                || sha512.as_ref().is_some_and(|d| statement.has_subject(d));
            if !matches {
                let subjects = statement
                    .subject
                    .iter()
                    .map(|s| {
                        let d = match s.digest.get(Algorithm::Sha256) {
                            Some(d) => d.hex(),
                            None => s
                                .digest
                                .other()
                                .get("sha256")
                                .cloned()
                                .unwrap_or_else(|| "?".to_owned()),
                        };
                        format!("{} sha256:{d}", s.name)
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(VerifyError::SubjectMismatch {
                    digest: digest.clone(),
                    subjects,
                });
            }
            Some(statement)
        }
    };

    let input: sigstore_verify::types::Artifact<'_> = match artifact {
        Artifact::Bytes(b) => b.into(),
        Artifact::Sha256(d) => sigstore_verify::types::Artifact::from_digest(
            sigstore_verify::types::Sha256Hash::new(d),
        ),
    };

    let (result, signer) = match policy {
        Policy::Key { key, tlog } => {
            let has_entries = bundle.tlog_entry_count() > 0;
            if *tlog == TlogPolicy::Required && !has_entries {
                return Err(VerifyError::MissingLogEntry);
            }
            let signer = Signer::Key {
                fingerprint: key.fingerprint(),
                algorithm: key.algorithm(),
            };
            let has_timestamps = bundle
                .json
                .pointer("/verificationMaterial/timestampVerificationData/rfc3161Timestamps")
                .and_then(|t| t.as_array())
                .is_some_and(|a| !a.is_empty());
            if !has_entries && !has_timestamps {
                // An offline key-signed bundle (as `vouch sign` writes): no log, no timestamp.
                // sigstore-verify refuses such bundles outright, so the signature is checked here.
                verify_offline_key_signature(bundle, artifact, key)?;
                let content = match statement {
                    Some(st) => Content::Attestation(st),
                    None => Content::Artifact(SignedArtifact {
                        digest: digest.clone(),
                    }),
                };
                return Ok(Verified {
                    value: content,
                    signer,
                    artifact_digest: digest,
                    trust: trust.source().clone(),
                    tlog_verified: false,
                    certificate_verified: false,
                    timestamps: Vec::new(),
                });
            }
            let der = sigstore_verify::types::DerPublicKey::new(key.spki_der().to_vec());
            let mut p = PublicKeyVerificationPolicy::new(der);
            if !has_entries {
                p = p.skip_tlog_unsafe();
            }
            let r = trust.verifier.verify(input, &bundle.inner, &p)?;
            (r, signer)
        }
        Policy::Identity { identity, issuer } => {
            let p = VerificationPolicy::new(identity.as_str(), issuer.as_str());
            let r = trust.verifier.verify(input, &bundle.inner, &p)?;
            let found_identity = r.identity().map(|i| i.to_string()).unwrap_or_default();
            let found_issuer = r.issuer().unwrap_or_default().to_owned();
            // Defence in depth: the policy above already matched both exactly.
            if &found_identity != identity {
                return Err(VerifyError::IdentityMismatch {
                    expected: identity.clone(),
                    found: found_identity,
                });
            }
            if &found_issuer != issuer {
                return Err(VerifyError::IssuerMismatch {
                    expected: issuer.clone(),
                    found: found_issuer,
                });
            }
            (
                r,
                Signer::Certificate {
                    identity: found_identity,
                    issuer: found_issuer,
                },
            )
        }
    };

    // The entries' cryptography held; now every field sigstore-verify left unread must agree.
    strict::check_log_entries(bundle)?;

    let content = match statement {
        Some(st) => Content::Attestation(st),
        None => Content::Artifact(SignedArtifact {
            digest: digest.clone(),
        }),
    };
    Ok(Verified {
        value: content,
        signer,
        artifact_digest: digest,
        trust: trust.source().clone(),
        tlog_verified: result.tlog_verified(),
        certificate_verified: result.certificate_verified(),
        timestamps: result.verified_timestamps().to_vec(),
    })
}

/// Verify an attestation bundle (DSSE envelope with an in-toto statement) whose subject must
/// include `subject`. Returns the verified statement.
pub fn verify_attestation(
    bundle: &Bundle,
    subject: Artifact<'_>,
    policy: &Policy,
    trust: &TrustRoot,
) -> Result<Verified<Statement>, VerifyError> {
    if bundle.content_kind() != ContentKind::DsseEnvelope {
        return Err(VerifyError::NotAnAttestation);
    }
    let v = verify(bundle, subject, policy, trust)?;
    let Verified {
        value,
        signer,
        artifact_digest,
        trust,
        tlog_verified,
        certificate_verified,
        timestamps,
    } = v;
    match value {
        Content::Attestation(st) => Ok(Verified {
            value: st,
            signer,
            artifact_digest,
            trust,
            tlog_verified,
            certificate_verified,
            timestamps,
        }),
        Content::Artifact(_) => Err(VerifyError::NotAnAttestation),
    }
}

/// Check a verified statement against expectations ([`vouch_attest::expect::check`]), binding
/// the builder to the signer where the signer can prove it: a predicate's `builder.id` is a
/// claim made by whoever signed, so when the signer is a certificate and the expected builder is
/// a CI workflow (`…/.github/workflows/…`), the certificate identity (without `@ref`) must be
/// that workflow too. Otherwise a workflow could sign a statement naming a trusted builder.
pub fn check_expectations(
    verified: &Verified<Statement>,
    expectations: &vouch_attest::expect::Expectations,
) -> Result<(), vouch_attest::expect::ExpectationError> {
    vouch_attest::expect::check(verified.value(), expectations)?;
    if let (Some(want), Signer::Certificate { identity, .. }) =
        (&expectations.builder_id, verified.signer())
        && want.contains("/.github/workflows/")
    {
        let signer_workflow = identity.split('@').next().unwrap_or(identity);
        let want_workflow = want.split('@').next().unwrap_or(want);
        if signer_workflow != want_workflow {
            return Err(vouch_attest::expect::ExpectationError::BuilderId {
                expected: want.clone(),
                found: Some(format!("{identity} (signing certificate)")),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_window_failures_carry_typed_times() {
        let detail = "CertExpired { time: UnixTime(1700000000), not_after: UnixTime(1690000000) }";
        let VerifyError::ExpiredCertificate {
            not_after,
            signed_at,
        } = chain_error(detail)
        else {
            panic!("not typed as expired")
        };
        assert!(not_after < signed_at);
        assert_eq!(
            signed_at,
            jiff::Timestamp::from_second(1_700_000_000).unwrap()
        );
        let err = VerifyError::ExpiredCertificate {
            not_after,
            signed_at,
        };
        assert_eq!(
            err.to_string(),
            "signing certificate expired at 2023-07-22T04:26:40Z, before the signing time 2023-11-14T22:13:20Z"
        );
        assert!(matches!(
            chain_error("CertNotValidYet { time: UnixTime(1), not_before: UnixTime(2) }"),
            VerifyError::CertificateNotYetValid { .. }
        ));
        assert!(matches!(
            chain_error("UnknownIssuer"),
            VerifyError::UntrustedCertificate { .. }
        ));
    }
}
