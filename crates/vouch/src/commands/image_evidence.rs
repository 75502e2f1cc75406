//! The evidence commands on images in registries (docs/evidence.md): `sign`, `attest`, `sbom
//! --attest`, `verify`, `verify-attestation`, `evidence` and `gate` given `registry:IMAGE`.
//! The tag is resolved to a digest once; everything signed names that digest, and only evidence
//! bound to it is verified. Pushing and discovery are `vouch_resolve::attached`; sorting what is
//! attached into signatures and attestations, and verifying a signature, are `vouch_gate`'s, so
//! the gate and these commands judge the same evidence the same way.

use anyhow::{Context as _, bail};
use serde_json::{Value, json};
use vouch_attest::Statement;
use vouch_digest::Digest;
use vouch_gate::registry::{Attached, verify_signature};
use vouch_gate::{EvidenceSet as _, SignatureEvidence};
use vouch_oci::image::Source;
use vouch_oci::reference::{Name, Reference};
use vouch_oci::referrers::{self, Descriptor};
use vouch_resolve::Resolver;
use vouch_resolve::attached::{self, Attachment, Discovery, Item, Want};
use vouch_sign::Bundle;
use vouch_sign::key::SigningKey;
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{self, Artifact, Policy, VerifyError};

use crate::cli::OutputFormat;
use crate::exit::ExitStatus;

/// An argument that names an image in a registry (`registry:HOST/REPO[:TAG][@DIGEST]`), or
/// `None` for anything else. Other image forms are refused: evidence lives in registries.
pub fn image_arg(arg: &str) -> anyhow::Result<Option<Reference>> {
    match vouch_oci::image::source::parse(arg) {
        None => Ok(None),
        Some(Err(e)) => Err(anyhow::Error::new(e).context(format!("image `{arg}`"))),
        Some(Ok(Source::Registry { reference })) => Ok(Some(reference)),
        Some(Ok(other)) => bail!(
            "`{arg}`: signatures and attestations are attached to images in registries, and an {} image has none; push it and name it as registry:HOST/REPO@sha256:…",
            other.scheme()
        ),
    }
}

/// The image and its registry client.
pub struct Target {
    pub reference: Reference,
    pub resolver: Resolver,
}

impl Target {
    pub fn new(reference: Reference, insecure: &[String]) -> anyhow::Result<Self> {
        Ok(Self {
            reference,
            resolver: crate::registry::resolver(insecure)?,
        })
    }

    pub fn name(&self) -> &Name {
        &self.reference.name
    }

    /// The tag (or `latest`) or the digest the reference names, as the registry knows it.
    fn reference_text(&self) -> String {
        match (&self.reference.digest, &self.reference.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// The digest the image reference names: the one written, or the tag's, asked once.
    pub fn digest(&self) -> anyhow::Result<Digest> {
        if let Some(d) = &self.reference.digest {
            return Ok(d.clone());
        }
        let tag = self.reference_text();
        self.resolver
            .image_digest(self.name(), &tag)
            .with_context(|| format!("cannot resolve {}:{tag}", self.name()))
    }

    /// The image's descriptor (media type, digest, size): what an attached artifact's
    /// `subject` names.
    pub fn descriptor(&self) -> anyhow::Result<Descriptor> {
        self.descriptor_at(&self.reference_text())
    }

    /// The descriptor of the manifest `reference` (a tag or a digest) names.
    pub fn descriptor_at(&self, reference: &str) -> anyhow::Result<Descriptor> {
        let m = self
            .resolver
            .fetch_manifest(self.name(), reference)
            .with_context(|| format!("cannot read the manifest of {}", self.reference))?;
        Ok(Descriptor {
            media_type: m.media_type,
            digest: m.digest,
            size: m.bytes.len() as u64,
            artifact_type: None,
            annotations: Default::default(),
        })
    }

    /// `HOST/REPO@sha256:…`.
    pub fn pinned(&self, digest: &Digest) -> String {
        format!("{}@{digest}", self.name())
    }

    pub fn finish(&self) {
        crate::registry::finish(&self.resolver);
    }
}

/// The in-toto subject for an image: its name (`HOST/REPO`) and manifest digest.
pub fn statement_subject(target: &Target, digest: &Digest) -> vouch_attest::statement::Subject {
    vouch_attest::statement::Subject::new(target.name().to_string(), digest.clone())
}

/// Signs `statement` and attaches the bundle to the image; prints what was covered.
pub fn push_statement(
    target: &Target,
    subject: &Descriptor,
    key: &SigningKey,
    statement: &Statement,
) -> anyhow::Result<Attachment> {
    let bundle = vouch_sign::sign::sign_statement(key, statement)?;
    push_bundle(target, subject, &bundle, Some(&statement.predicate_type))
}

/// Attaches a signed bundle to the image as an OCI 1.1 artifact.
pub fn push_bundle(
    target: &Target,
    subject: &Descriptor,
    bundle: &Bundle,
    predicate_type: Option<&str>,
) -> anyhow::Result<Attachment> {
    let bytes = serde_json::to_vec(bundle.json())?;
    let created = crate::clock::now()?
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let annotations = attached::bundle_annotations(
        bundle.content_kind() == vouch_sign::bundle::ContentKind::DsseEnvelope,
        predicate_type,
        &created,
    );
    let artifact = referrers::bundle_artifact(&bytes, subject, annotations);
    attached::attach(&target.resolver, target.name(), &subject.digest, &artifact).with_context(
        || {
            format!(
                "cannot attach the bundle to {}",
                target.pinned(&subject.digest)
            )
        },
    )
}

/// `vouch sign registry:IMAGE --key K`: cosign v3's image signature (a DSSE statement of
/// predicate type `https://sigstore.dev/cosign/sign/v1` about the manifest digest).
pub fn sign(
    reference: Reference,
    key: &std::path::Path,
    insecure: &[String],
) -> anyhow::Result<ExitStatus> {
    let key = super::evidence::signing_key(key)?;
    let target = Target::new(reference, insecure)?;
    let subject = target.descriptor()?;
    let statement = vouch_attest::image_signature(&target.name().to_string(), &subject.digest);
    let attachment = push_statement(&target, &subject, &key, &statement)?;
    eprintln!(
        "signed {} with {} key {}: pushed {} ({})",
        target.pinned(&subject.digest),
        key.algorithm(),
        key.public_key().fingerprint(),
        attachment.manifest,
        attachment.layout
    );
    target.finish();
    println!("{}", subject.digest);
    Ok(ExitStatus::Success)
}

/// `vouch attest … --subject registry:IMAGE`: the statement's subject is the image; the
/// bundle is attached to it.
pub fn attest(
    reference: Reference,
    key: &SigningKey,
    insecure: &[String],
    build: impl FnOnce(Vec<vouch_attest::statement::Subject>) -> anyhow::Result<Statement>,
) -> anyhow::Result<ExitStatus> {
    let target = Target::new(reference, insecure)?;
    let subject = target.descriptor()?;
    let statement = build(vec![statement_subject(&target, &subject.digest)])?;
    let attachment = push_statement(&target, &subject, key, &statement)?;
    eprintln!(
        "attested {} ({}): pushed {} ({})",
        target.pinned(&subject.digest),
        statement.predicate_type,
        attachment.manifest,
        attachment.layout
    );
    target.finish();
    println!("{}", subject.digest);
    Ok(ExitStatus::Success)
}

/// One verdict on one piece of attached evidence.
struct Judged {
    evidence: String,
    layout: &'static str,
    outcome: Result<Value, (String, String)>,
}

fn accepted_json(v: &vouch_report::verdict::Accepted) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The signature candidates among `items`.
fn signature_candidates(discovery: &Discovery) -> (Vec<SignatureEvidence>, Attached) {
    let set = Attached::new(discovery);
    let sigs = set.signatures("").unwrap_or_default();
    (sigs, set)
}

fn layout_of(name: &str) -> &'static str {
    [
        attached::Layout::ReferrersApi,
        attached::Layout::FallbackTag,
        attached::Layout::CosignSignatureTag,
        attached::Layout::CosignAttestationTag,
        attached::Layout::CosignSbomTag,
    ]
    .into_iter()
    .find(|l| name.starts_with(l.as_str()))
    .map_or("unknown", attached::Layout::as_str)
}

fn judge_signatures(
    candidates: &[SignatureEvidence],
    digest: &Digest,
    policy: &Policy,
    trust: &TrustRoot,
    out: &mut Vec<Judged>,
) -> bool {
    let subject = artifact(digest);
    let mut any = false;
    for c in candidates {
        let outcome = match verify_signature(&c.content, subject, policy, trust) {
            Ok(v) => {
                any = true;
                Ok(accepted_json(&v.to_accepted()))
            }
            Err(e) => Err((e.code().to_owned(), e.to_string())),
        };
        out.push(Judged {
            evidence: c.name.clone(),
            layout: layout_of(&c.name),
            outcome,
        });
    }
    any
}

fn artifact(digest: &Digest) -> Artifact<'static> {
    let mut d = [0u8; 32];
    d.copy_from_slice(digest.as_bytes());
    Artifact::Sha256(d)
}

/// A rejection that means "could not evaluate" rather than "not valid": trust material vouch
/// cannot use, or a keyless cosign legacy signature, which vouch cannot judge.
fn could_not_evaluate(judged: &[Judged]) -> bool {
    judged.iter().any(|j| {
        matches!(&j.outcome, Err((code, _))
            if code == "unusable-trust-root" || code == "legacy-keyless-unsupported")
    })
}

fn print_verdicts(
    command: &str,
    target: &Target,
    digest: &Digest,
    judged: &[Judged],
    passed: bool,
    format: OutputFormat,
) {
    let image = target.pinned(digest);
    match format {
        OutputFormat::Json => {
            let verified: Vec<Value> = judged
                .iter()
                .filter_map(|j| {
                    let mut v = j.outcome.as_ref().ok()?.clone();
                    if let Value::Object(m) = &mut v {
                        m.insert("evidence".into(), json!(j.evidence));
                        m.insert("layout".into(), json!(j.layout));
                    }
                    Some(v)
                })
                .collect();
            let rejected: Vec<Value> = judged
                .iter()
                .filter_map(|j| {
                    let (code, message) = j.outcome.as_ref().err()?;
                    Some(json!({"evidence": j.evidence, "layout": j.layout, "code": code, "message": message}))
                })
                .collect();
            let doc = json!({
                "verdict": if passed { "verified" } else { "not-verified" },
                "image": image,
                "digest": digest.to_string(),
                "verified": verified,
                "rejected": rejected,
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        OutputFormat::Text => {
            for j in judged {
                match &j.outcome {
                    Ok(v) => eprintln!(
                        "  ok   {} ({}): signed by {}",
                        j.evidence,
                        j.layout,
                        v.get("signer_text").and_then(Value::as_str).unwrap_or("?")
                    ),
                    Err((code, message)) => {
                        eprintln!("  FAIL {} ({}): [{code}] {message}", j.evidence, j.layout)
                    }
                }
            }
            if passed {
                eprintln!("{command}: verified: {image}");
            } else if judged.is_empty() {
                eprintln!("{command}: not verified: nothing of the kind is attached to {image}");
            } else {
                eprintln!("{command}: not verified: {image}");
            }
        }
    }
}

/// `vouch verify registry:IMAGE`: the image's signatures (referrers or the fallback tag first;
/// cosign's `.sig` tag only when none of those verified, which keeps the usual case at four
/// requests).
pub fn verify_image(
    reference: Reference,
    policy: &Policy,
    trust: &TrustRoot,
    insecure: &[String],
    format: OutputFormat,
) -> anyhow::Result<ExitStatus> {
    let target = Target::new(reference, insecure)?;
    let digest = target.digest()?;
    let found = attached::discover_referrers(
        &target.resolver,
        target.name(),
        &digest,
        &Want::Signatures,
    )
    .with_context(|| format!("cannot list what is attached to {}", target.pinned(&digest)))?;
    let mut judged = Vec::new();
    let (candidates, set) = signature_candidates(&found);
    warn_unused(&set);
    let mut passed = judge_signatures(&candidates, &digest, policy, trust, &mut judged);
    if !passed {
        let legacy = attached::discover_cosign_tags(
            &target.resolver,
            target.name(),
            &digest,
            &Want::Signatures,
        )
        .with_context(|| {
            format!(
                "cannot read cosign's signature tag of {}",
                target.pinned(&digest)
            )
        })?;
        let (candidates, set) = signature_candidates(&Discovery {
            subject: digest.clone(),
            items: legacy,
            referrers_api: found.referrers_api,
        });
        warn_unused(&set);
        passed = judge_signatures(&candidates, &digest, policy, trust, &mut judged);
    }
    target.finish();
    print_verdicts("verify", &target, &digest, &judged, passed, format);
    Ok(status(passed, &judged))
}

fn status(passed: bool, judged: &[Judged]) -> ExitStatus {
    if passed {
        ExitStatus::Success
    } else if could_not_evaluate(judged) {
        ExitStatus::Error
    } else {
        ExitStatus::Failure
    }
}

fn warn_unused(set: &Attached) {
    for (name, why) in set.unused() {
        eprintln!("note: {name}: not read as evidence: {why}");
    }
}

/// `vouch verify-attestation registry:IMAGE`: attestations about the image (referrers or the
/// fallback tag, and cosign's `.att` tag), each verified and held to the expectations.
pub fn verify_attestation_image(
    reference: Reference,
    policy: &Policy,
    trust: &TrustRoot,
    expectations: &vouch_attest::expect::Expectations,
    insecure: &[String],
    format: OutputFormat,
) -> anyhow::Result<ExitStatus> {
    let target = Target::new(reference, insecure)?;
    let digest = target.digest()?;
    let want = Want::Attestations {
        predicate_type: expectations.predicate_type.clone(),
    };
    let found = attached::discover(&target.resolver, target.name(), &digest, &want)
        .with_context(|| format!("cannot list what is attached to {}", target.pinned(&digest)))?;
    let set = Attached::new(&found);
    warn_unused(&set);
    let mut judged = Vec::new();
    let mut passed = false;
    for file in set.attestations().unwrap_or_default() {
        for line in vouch_sign::jsonl::split(&file.bytes) {
            let evidence = format!("{}:{}", file.name, line.number);
            let outcome = match line.bundle {
                Err(e) => Err(("invalid-bundle".to_owned(), e.to_string())),
                Ok(bundle) => {
                    match verify::verify_attestation(&bundle, artifact(&digest), policy, trust) {
                        Err(e) => Err((e.code().to_owned(), e.to_string())),
                        Ok(v) => match verify::check_expectations(&v, expectations) {
                            Err(e) => Err((e.code().to_owned(), e.to_string())),
                            Ok(()) => {
                                passed = true;
                                let mut a = accepted_json(&v.to_accepted());
                                if let Value::Object(m) = &mut a {
                                    m.insert(
                                        "predicate_type".into(),
                                        json!(v.value().predicate_type),
                                    );
                                    m.insert(
                                        "statement".into(),
                                        serde_json::to_value(v.value()).unwrap_or_default(),
                                    );
                                }
                                Ok(a)
                            }
                        },
                    }
                }
            };
            judged.push(Judged {
                layout: layout_of(&evidence),
                evidence,
                outcome,
            });
        }
    }
    target.finish();
    print_verdicts(
        "verify-attestation",
        &target,
        &digest,
        &judged,
        passed,
        format,
    );
    Ok(status(passed, &judged))
}

/// What one attached item is, for `vouch evidence`.
fn describe(item: &Item) -> (String, Option<String>) {
    use vouch_oci::referrers::Kind;
    match &item.kind {
        Kind::Bundle { predicate_type } => ("sigstore-bundle".into(), predicate_type.clone()),
        Kind::CosignSignatures => ("cosign-signature".into(), None),
        Kind::CosignAttestations => ("cosign-attestation".into(), None),
        Kind::Sbom { media_type } => ("sbom".into(), Some(media_type.clone())),
        Kind::Other { artifact_type } => ("other".into(), Some(artifact_type.clone())),
    }
}

/// `vouch evidence registry:IMAGE`: everything attached, where it was found, and (with trust
/// given) whether each piece verifies.
pub fn evidence(
    reference: Reference,
    trust: Option<(&Policy, &TrustRoot)>,
    insecure: &[String],
    format: OutputFormat,
) -> anyhow::Result<ExitStatus> {
    let target = Target::new(reference, insecure)?;
    let digest = target.digest()?;
    let found = attached::discover(&target.resolver, target.name(), &digest, &Want::All)
        .with_context(|| format!("cannot list what is attached to {}", target.pinned(&digest)))?;
    target.finish();
    let subject = artifact(&digest);
    let mut rows: Vec<Value> = Vec::new();
    let mut unusable = false;
    for item in &found.items {
        let (kind, detail) = describe(item);
        let one = Attached::new(&Discovery {
            subject: digest.clone(),
            items: vec![item.clone()],
            referrers_api: found.referrers_api,
        });
        let mut pieces: Vec<Value> = Vec::new();
        for s in one.signatures("").unwrap_or_default() {
            let verdict = match trust {
                None => json!({"verdict": "not-checked"}),
                Some((policy, root)) => match verify_signature(&s.content, subject, policy, root) {
                    Ok(v) => json!({"verdict": "verified", "signer": v.signer().to_string()}),
                    Err(e) => {
                        unusable |= matches!(e, VerifyError::UnusableTrustRoot { .. });
                        json!({"verdict": "not-verified", "code": e.code(), "message": e.to_string()})
                    }
                },
            };
            pieces.push(json!({"evidence": s.name, "role": "signature", "check": verdict}));
        }
        for f in one.attestations().unwrap_or_default() {
            for line in vouch_sign::jsonl::split(&f.bytes) {
                let evidence = format!("{}:{}", f.name, line.number);
                let (predicate, verdict) = match (&line.bundle, trust) {
                    (Err(e), _) => (
                        None,
                        json!({"verdict": "not-verified", "code": "invalid-bundle", "message": e.to_string()}),
                    ),
                    (Ok(b), None) => (
                        vouch_gate::claimed_predicate_type(b),
                        json!({"verdict": "not-checked"}),
                    ),
                    (Ok(b), Some((policy, root))) => {
                        match verify::verify_attestation(b, subject, policy, root) {
                            Ok(v) => (
                                Some(v.value().predicate_type.clone()),
                                json!({"verdict": "verified", "signer": v.signer().to_string()}),
                            ),
                            Err(e) => {
                                unusable |= matches!(e, VerifyError::UnusableTrustRoot { .. });
                                (
                                    vouch_gate::claimed_predicate_type(b),
                                    json!({"verdict": "not-verified", "code": e.code(), "message": e.to_string()}),
                                )
                            }
                        }
                    }
                };
                pieces.push(json!({"evidence": evidence, "role": "attestation", "predicate_type": predicate, "check": verdict}));
            }
        }
        let unused: Vec<Value> = one
            .unused()
            .iter()
            .map(|(n, why)| json!({"evidence": n, "why": why}))
            .collect();
        rows.push(json!({
            "layout": item.layout.as_str(),
            "manifest": item.digest.to_string(),
            "kind": kind,
            "type": detail,
            "annotations": item.manifest.annotations,
            "pieces": pieces,
            "not_evidence": unused,
        }));
    }
    let doc = json!({
        "image": target.pinned(&digest),
        "digest": digest.to_string(),
        "referrers_api": found.referrers_api,
        "attached": rows,
    });
    match format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&doc)?),
        OutputFormat::Text => print!("{}", evidence_text(&doc)),
    }
    Ok(if unusable {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

/// The tree `vouch evidence` prints (like `cosign tree`, with verdicts).
fn evidence_text(doc: &Value) -> String {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut out = format!(
        "{} (referrers API: {})\n",
        s(doc, "image"),
        if doc["referrers_api"].as_bool() == Some(true) {
            "yes"
        } else {
            "no, fallback tag read"
        }
    );
    let rows = doc["attached"].as_array().cloned().unwrap_or_default();
    if rows.is_empty() {
        out.push_str("└── nothing attached\n");
    }
    for (i, row) in rows.iter().enumerate() {
        let last = i + 1 == rows.len();
        let (branch, pad) = if last {
            ("└──", "    ")
        } else {
            ("├──", "│   ")
        };
        let ty = row["type"]
            .as_str()
            .map(|t| format!(" {t}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{branch} {} {}{ty} [{}]\n",
            s(row, "kind"),
            s(row, "manifest"),
            s(row, "layout")
        ));
        for p in row["pieces"].as_array().cloned().unwrap_or_default() {
            let check = &p["check"];
            let verdict = match check["verdict"].as_str() {
                Some("verified") => format!("verified: {}", s(check, "signer")),
                Some("not-verified") => format!(
                    "NOT verified [{}]: {}",
                    s(check, "code"),
                    s(check, "message")
                ),
                _ => "not checked (no --key or identity given)".to_owned(),
            };
            let ty = p["predicate_type"]
                .as_str()
                .map(|t| format!(" {t}"))
                .unwrap_or_default();
            out.push_str(&format!("{pad}• {}{ty}: {verdict}\n", s(&p, "role")));
        }
        for n in row["not_evidence"].as_array().cloned().unwrap_or_default() {
            out.push_str(&format!("{pad}• not evidence: {}\n", s(&n, "why")));
        }
    }
    out
}

/// `vouch gate registry:IMAGE`: the evidence attached to the image, gated as a folder's.
pub fn gate_evidence(target: &Target, digest: &Digest) -> anyhow::Result<vouch_gate::Evidence> {
    let (evidence, unused) = vouch_gate::registry::collect(&target.resolver, target.name(), digest)
        .with_context(|| format!("cannot list what is attached to {}", target.pinned(digest)))?;
    for (name, why) in unused {
        eprintln!("note: {name}: not read as evidence: {why}");
    }
    Ok(evidence)
}

/// `vouch evidence IMAGE [--key PUB | --certificate-identity … --certificate-oidc-issuer …]`.
pub fn run(args: crate::cli::EvidenceArgs) -> anyhow::Result<ExitStatus> {
    let Some(reference) = image_arg(&args.image)? else {
        bail!(
            "`{}` is not an image in a registry: name it as registry:HOST/REPO:TAG or registry:HOST/REPO@sha256:…",
            args.image
        );
    };
    let given = args.signer.key.is_some() || args.signer.certificate_identity.is_some();
    let policy = if given {
        Some(super::evidence::policy(&args.signer)?)
    } else {
        None
    };
    let root = match &policy {
        Some(_) => Some(super::evidence::trust_root(
            args.signer.trusted_root.as_deref(),
        )?),
        None => None,
    };
    let trust = policy.as_ref().zip(root.as_ref());
    evidence(
        reference,
        trust,
        &args.registry.insecure_registry,
        args.format,
    )
}

/// `vouch sbom registry:IMAGE --attest --key K`: the SBOM just written, signed as an SBOM
/// attestation about the image's digest (the one its reference resolves to) and attached.
pub fn attest_sbom(
    reference: Reference,
    key: &std::path::Path,
    insecure: &[String],
    sbom: &[u8],
) -> anyhow::Result<Digest> {
    let key = super::evidence::signing_key(key)?;
    let doc: Value = serde_json::from_slice(sbom).context("the SBOM just written is not JSON")?;
    let format = vouch_attest::sbom::detect(&doc).context("the SBOM just written")?;
    let predicate_type = vouch_attest::sbom::predicate_type(&format);
    let target = Target::new(reference, insecure)?;
    let subject = target.descriptor()?;
    let statement = Statement::new(
        vec![statement_subject(&target, &subject.digest)],
        predicate_type,
        doc,
    );
    let attachment = push_statement(&target, &subject, &key, &statement)?;
    eprintln!(
        "attested {} ({predicate_type}): pushed {} ({})",
        target.pinned(&subject.digest),
        attachment.manifest,
        attachment.layout
    );
    target.finish();
    Ok(subject.digest)
}
