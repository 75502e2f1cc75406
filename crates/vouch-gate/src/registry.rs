//! Evidence attached to an image in its registry, as an [`EvidenceSet`]: what
//! `vouch_resolve::attached::discover` found (referrers, the fallback tag, cosign's tags),
//! sorted into signatures and attestations by what each item **is** (its bundle's content and
//! statement), not by the annotations the registry lists, which nobody signed. The gate then
//! verifies every piece as it does for a folder.

use vouch_oci::referrers::Kind;
use vouch_resolve::attached::{Discovery, Item};
use vouch_sign::Bundle;
use vouch_sign::bundle::ContentKind;

use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{self, Artifact, Content, Policy as Signer, Verified, VerifyError};

use crate::evidence::{
    EvidenceError, EvidenceFile, EvidenceSet, Place, SignatureContent, SignatureEvidence,
};

/// cosign v3's image-signature predicate type.
const IMAGE_SIGNATURE: &str = vouch_attest::IMAGE_SIGNATURE_PREDICATE;

/// Verify one signature over `subject` under one signer: a message-signature bundle, cosign
/// v3's image signature (a DSSE statement of predicate type
/// `https://sigstore.dev/cosign/sign/v1` naming the subject), or a cosign legacy signature.
/// Any other DSSE statement is not a signature: [`VerifyError::InvalidBundle`].
pub fn verify_signature(
    content: &SignatureContent,
    subject: Artifact<'_>,
    signer: &Signer,
    trust: &TrustRoot,
) -> Result<Verified<Content>, VerifyError> {
    match content {
        SignatureContent::Bundle(bytes) => {
            let bundle = Bundle::parse(bytes).map_err(|e| VerifyError::InvalidBundle {
                detail: e.to_string(),
            })?;
            let verified = verify::verify(&bundle, subject, signer, trust)?;
            match verified.value() {
                Content::Attestation(st) if st.predicate_type != IMAGE_SIGNATURE => {
                    Err(VerifyError::InvalidBundle {
                        detail: format!(
                            "an attestation of type {}, not a signature",
                            st.predicate_type
                        ),
                    })
                }
                _ => Ok(verified),
            }
        }
        SignatureContent::CosignLegacy {
            payload,
            signature_b64,
            certificate_pem,
            chain_pem,
            rekor_bundle,
        } => {
            let legacy = vouch_sign::cosign::LegacySignature {
                payload: payload.clone(),
                signature_b64: signature_b64.clone(),
                certificate_pem: certificate_pem.clone(),
                chain_pem: chain_pem.clone(),
                rekor_bundle: rekor_bundle.clone(),
            };
            vouch_sign::cosign::verify_legacy_signature(&legacy, &subject.sha256(), signer)
        }
    }
}

/// What is attached to one image, sorted for the gate.
#[derive(Debug, Clone, Default)]
pub struct Attached {
    signatures: Vec<SignatureEvidence>,
    attestations: Vec<EvidenceFile>,
    /// Items the gate cannot use, with why: printed by the caller, never evidence.
    unused: Vec<(String, String)>,
}

/// The name an item's evidence goes by in the decision: `LAYOUT:sha256:…`.
pub fn item_name(item: &Item) -> String {
    format!("{}:{}", item.layout, item.digest)
}

/// A bare DSSE envelope (cosign's `.att` layer) as a Sigstore bundle v0.3 with no verification
/// material but the key hint of its first signature, so that the same verifier reads it.
pub fn envelope_bundle(envelope: &serde_json::Value) -> serde_json::Value {
    let hint = envelope
        .pointer("/signatures/0/keyid")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": { "publicKey": { "hint": hint }, "tlogEntries": [] },
        "dsseEnvelope": envelope,
    })
}

/// Everything attached to the image `name@digest` in its registry, read through `resolver`
/// and sorted for the gate: the evidence `vouch gate registry:IMAGE` and the admission webhook
/// evaluate (the same call, so the same decision), and the items that are not evidence, each
/// with why. Any fault of the registry is the error: never "nothing attached".
pub fn collect(
    resolver: &vouch_resolve::Resolver,
    name: &vouch_oci::reference::Name,
    digest: &vouch_digest::Digest,
) -> Result<(crate::Evidence, Vec<(String, String)>), vouch_resolve::ResolveError> {
    let found = vouch_resolve::attached::discover(
        resolver,
        name,
        digest,
        &vouch_resolve::attached::Want::All,
    )?;
    let set = Attached::new(&found);
    let evidence = crate::Evidence {
        signatures: set.signatures.clone(),
        sbom: None,
        attestations: set.attestations.clone(),
        place: Place::Registry,
        sarif: Vec::new(),
    };
    Ok((evidence, set.unused))
}

impl Attached {
    pub fn new(discovery: &Discovery) -> Self {
        let mut out = Attached::default();
        for item in &discovery.items {
            out.add(item);
        }
        out
    }

    /// Items that are not evidence the gate reads (another artifact type, a cosign `.sbom`
    /// without a signature, an item that could not be read), each with why.
    pub fn unused(&self) -> &[(String, String)] {
        &self.unused
    }

    fn add(&mut self, item: &Item) {
        let name = item_name(item);
        if let Some(problem) = &item.problem {
            self.unused.push((name, problem.clone()));
            return;
        }
        match &item.kind {
            Kind::Bundle { .. } => {
                for layer in &item.layers {
                    self.add_bundle(&name, &layer.bytes);
                }
            }
            Kind::CosignSignatures => {
                for (i, layer) in item.layers.iter().enumerate() {
                    let a = &layer.descriptor.annotations;
                    let get = |k: &str| a.get(k).cloned();
                    match get(vouch_oci::referrers::COSIGN_SIGNATURE_ANNOTATION) {
                        Some(signature_b64) => self.signatures.push(SignatureEvidence {
                            name: format!("{name}#{}", i + 1),
                            content: SignatureContent::CosignLegacy {
                                payload: layer.bytes.clone(),
                                signature_b64,
                                certificate_pem: get(
                                    vouch_oci::referrers::COSIGN_CERTIFICATE_ANNOTATION,
                                ),
                                chain_pem: get(vouch_oci::referrers::COSIGN_CHAIN_ANNOTATION),
                                rekor_bundle: get(vouch_oci::referrers::COSIGN_BUNDLE_ANNOTATION),
                            },
                        }),
                        None => self.unused.push((
                            format!("{name}#{}", i + 1),
                            "a signature layer without the dev.cosignproject.cosign/signature annotation".into(),
                        )),
                    }
                }
            }
            Kind::CosignAttestations => {
                let mut lines = Vec::new();
                for layer in &item.layers {
                    match serde_json::from_slice::<serde_json::Value>(&layer.bytes) {
                        Ok(envelope) => {
                            let bundle = envelope_bundle(&envelope);
                            lines.extend(serde_json::to_vec(&bundle).unwrap_or_default());
                            lines.push(b'\n');
                        }
                        Err(e) => self.unused.push((
                            format!("{name} layer {}", layer.descriptor.digest),
                            format!("not a DSSE envelope: {e}"),
                        )),
                    }
                }
                if !lines.is_empty() {
                    self.attestations.push(EvidenceFile { name, bytes: lines });
                }
            }
            Kind::Sbom { media_type } => self.unused.push((
                name,
                format!(
                    "an unsigned SBOM ({media_type}); the gate reads the SBOM from a signed SBOM attestation"
                ),
            )),
            Kind::Other { artifact_type } => self
                .unused
                .push((name, format!("an artifact of type {artifact_type}"))),
        }
    }

    /// A bundle layer: a signature when it is a message signature or cosign v3's image
    /// signature statement, an attestation otherwise (decided by the content; the gate verifies
    /// either way).
    fn add_bundle(&mut self, name: &str, bytes: &[u8]) {
        let is_signature = match Bundle::parse(bytes) {
            Ok(b) => match b.content_kind() {
                ContentKind::DsseEnvelope => {
                    crate::evaluate::claimed_predicate_type(&b).as_deref() == Some(IMAGE_SIGNATURE)
                }
                _ => true,
            },
            // Not a bundle: reported by the attestation check, which names it.
            Err(_) => false,
        };
        if is_signature {
            self.signatures.push(SignatureEvidence {
                name: name.to_owned(),
                content: SignatureContent::Bundle(bytes.to_vec()),
            });
        } else {
            let mut line = strip_newlines(bytes);
            line.push(b'\n');
            self.attestations.push(EvidenceFile {
                name: name.to_owned(),
                bytes: line,
            });
        }
    }
}

/// A pretty-printed bundle as one JSON line (JSON strings hold no raw newlines).
fn strip_newlines(bytes: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => serde_json::to_vec(&v).unwrap_or_else(|_| bytes.to_vec()),
        Err(_) => bytes
            .iter()
            .copied()
            .filter(|b| *b != b'\n' && *b != b'\r')
            .collect(),
    }
}

impl EvidenceSet for Attached {
    fn signatures(&self, _name: &str) -> Result<Vec<SignatureEvidence>, EvidenceError> {
        Ok(self.signatures.clone())
    }

    fn sbom(&self, _name: &str) -> Result<Option<Vec<u8>>, EvidenceError> {
        Ok(None)
    }

    fn attestations(&self) -> Result<Vec<EvidenceFile>, EvidenceError> {
        Ok(self.attestations.clone())
    }

    fn place(&self) -> Place {
        Place::Registry
    }
}
