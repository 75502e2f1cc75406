//! Evidence attached to an image in its registry: Sigstore bundles as OCI 1.1 artifacts whose
//! `subject` is the image (found through the referrers API, else the referrers fallback tag
//! `sha256-<hex>`), and cosign's legacy tags (`sha256-<hex>.sig`, `.att`, `.sbom`).
//!
//! [`attach`] pushes one bundle the way cosign v3 and `@sigstore/oci` do and, on a registry
//! without the referrers API, adds it to the fallback tag's index, re-reading the index after
//! writing and writing again until the entry has stayed there (the registries vouch is tested
//! against honour no `If-Match`, so concurrent writers can overwrite each other's index).
//! [`discover`] lists what is attached, reading every manifest and layer it needs, each
//! bounded and checked against its digest. Nothing here verifies a signature: the caller
//! (vouch-sign through vouch-gate or the binary) does, and only evidence bound to the digest
//! it asked about is returned.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::time::Duration;

use vouch_digest::Digest;
use vouch_oci::reference::Name;
use vouch_oci::referrers::{self, ArtifactManifest, CosignTag, Descriptor, Kind};

use crate::{Referrers, ResolveError, Resolver};

/// The largest evidence layer read (a bundle, a DSSE envelope, an SBOM): 64 MiB, as the gate's
/// evidence files.
pub const MAX_LAYER: u64 = 64 << 20;
/// The largest manifest of an attached artifact or index read (the distribution spec's 4 MiB).
pub const MAX_MANIFEST: u64 = 4 << 20;
/// Attached artifacts read for one image: more are refused, never silently left out.
pub const MAX_ITEMS: usize = 1_000;
/// Layers read from one attached manifest.
pub const MAX_LAYERS: usize = 100;
/// Times the fallback tag is written before [`attach`] gives up.
const MAX_WRITES: usize = 30;
/// Registry faults (5xx, the tag vanishing) waited out while writers collide on the tag.
const MAX_FAULTS: usize = 20;
/// How often the fallback tag must be seen to hold the entry, with a pause between reads, before
/// [`attach`] trusts it stayed: a writer that read the index before ours landed writes within
/// milliseconds on a registry near it, so a check after the pauses catches it.
const SETTLE_READS: usize = 3;
const SETTLE_PAUSE: Duration = Duration::from_millis(150);

/// Where an item was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layout {
    /// `GET /v2/<name>/referrers/<digest>`.
    ReferrersApi,
    /// The referrers tag schema: an image index tagged `sha256-<hex>`.
    FallbackTag,
    /// cosign's legacy signature tag `sha256-<hex>.sig`.
    CosignSignatureTag,
    /// cosign's legacy attestation tag `sha256-<hex>.att`.
    CosignAttestationTag,
    /// cosign's legacy SBOM tag `sha256-<hex>.sbom`.
    CosignSbomTag,
}

impl Layout {
    /// The stable name printed by `vouch evidence`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::ReferrersApi => "referrers-api",
            Layout::FallbackTag => "fallback-tag",
            Layout::CosignSignatureTag => "cosign-signature-tag",
            Layout::CosignAttestationTag => "cosign-attestation-tag",
            Layout::CosignSbomTag => "cosign-sbom-tag",
        }
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One layer of an attached manifest, read and checked against its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub descriptor: Descriptor,
    pub bytes: Vec<u8>,
}

/// One attached artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub layout: Layout,
    /// The digest of its manifest (for cosign's tags: the tag's manifest).
    pub digest: Digest,
    pub manifest: ArtifactManifest,
    pub kind: Kind,
    /// The layers the kind needs (the bundle, each legacy signature or envelope, the SBOM).
    pub layers: Vec<Layer>,
    /// Why the item could not be read completely (a manifest that names another subject, a
    /// layer missing from the registry): such an item is listed, never verified.
    pub problem: Option<String>,
}

/// Which items [`discover`] reads: all of them (`vouch evidence`, the gate), or only those
/// that may be image signatures, or only attestations (optionally of one predicate type),
/// which skips artifacts whose index entry says they are something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    All,
    Signatures,
    Attestations { predicate_type: Option<String> },
}

/// What is attached to one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    pub subject: Digest,
    pub items: Vec<Item>,
    /// Whether the registry answered the referrers API (else the fallback tag was read).
    pub referrers_api: bool,
}

/// The result of [`attach`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The digest of the artifact manifest pushed.
    pub manifest: Digest,
    /// Where readers find it: the referrers API, or the fallback tag.
    pub layout: Layout,
    /// How many times the fallback tag was written (0 with the referrers API).
    pub writes: usize,
}

/// Where a manifest or blob is: for error messages.
fn subject_text(image: &Name, what: &str) -> String {
    format!("{what} of {image}")
}

fn malformed(image: &Name, what: &str, reason: String) -> ResolveError {
    ResolveError::Malformed {
        registry: image.registry.clone(),
        subject: subject_text(image, what),
        reason,
    }
}

/// Reads a blob whole (at most `limit` bytes) and checks it against `digest`.
pub fn read_blob(
    resolver: &Resolver,
    image: &Name,
    digest: &Digest,
    limit: u64,
) -> Result<Vec<u8>, ResolveError> {
    let mut blob = resolver.open_blob_limited(image, digest, limit)?;
    let mut bytes = Vec::new();
    if let Err(e) = blob.read_to_end(&mut bytes) {
        return Err(ResolveError::from_io(e, &format!("{image}@{digest}")));
    }
    let actual = crate::registry::hash(digest.algorithm(), &bytes);
    if &actual != digest {
        return Err(ResolveError::DigestMismatch {
            registry: image.registry.clone(),
            subject: format!("blob {digest} of {image}"),
            expected: digest.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(bytes)
}

/// The manifest behind a tag, or `None` when the tag does not exist.
fn optional_manifest(
    resolver: &Resolver,
    image: &Name,
    tag: &str,
) -> Result<Option<crate::Manifest>, ResolveError> {
    match resolver.fetch_manifest_limited(image, tag, MAX_MANIFEST) {
        Ok(m) => Ok(Some(m)),
        Err(ResolveError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Pushes `artifact` (made by [`referrers::bundle_artifact`] with `subject` = the image) and
/// makes it findable: through the referrers API when the registry lists it there, else by
/// adding it to the fallback tag's index (re-read after each write; written again while another
/// writer's index replaced it).
pub fn attach(
    resolver: &Resolver,
    image: &Name,
    subject: &Digest,
    artifact: &referrers::Artifact,
) -> Result<Attachment, ResolveError> {
    for blob in &artifact.blobs {
        resolver.push_blob(image, blob)?;
    }
    let manifest = artifact.descriptor.digest.clone();
    let pushed = resolver.push_manifest(
        image,
        &manifest.to_string(),
        referrers::OCI_MANIFEST,
        &artifact.manifest,
    )?;
    if pushed != manifest {
        return Err(ResolveError::DigestMismatch {
            registry: image.registry.clone(),
            subject: format!("artifact manifest pushed to {image}"),
            expected: manifest.to_string(),
            actual: pushed.to_string(),
        });
    }
    if let Referrers::Index(index) = resolver.referrers(image, subject)? {
        let listed = referrers::parse_index(&index.bytes)
            .map_err(|e| malformed(image, "referrers index", e.to_string()))?;
        if listed.iter().any(|d| d.digest == manifest) {
            return Ok(Attachment {
                manifest,
                layout: Layout::ReferrersApi,
                writes: 0,
            });
        }
        // A registry that answers the API but did not index the manifest (some index
        // asynchronously, some ignore `subject`): the fallback tag too, so readers find it.
    }
    let tag = referrers::fallback_tag(subject);
    let context = format!("fallback tag {tag}");
    let mut writes = 0;
    let mut settled = 0;
    let mut faults = 0;
    // Every entry seen in the tag during this run: a write never drops one, so an index read
    // while another writer was half-way (a registry can answer 404 or 500 then) cannot erase
    // what writers that already finished put there.
    let mut known: Vec<Descriptor> = Vec::new();
    let mut existed = false;
    while writes < MAX_WRITES {
        let current = match optional_manifest(resolver, image, &tag) {
            // The tag vanished after it existed: another writer is replacing it.
            Ok(None) if existed => {
                transient(
                    &mut faults,
                    image,
                    &context,
                    "the tag vanished while read".into(),
                )?;
                continue;
            }
            Ok(m) => m,
            // Filesystem-backed registries answer 5xx while another writer replaces the tag.
            Err(e @ ResolveError::Server { .. }) => {
                transient(&mut faults, image, &context, e.to_string())?;
                continue;
            }
            Err(e) => return Err(e),
        };
        existed |= current.is_some();
        let entries = match &current {
            Some(m) => referrers::parse_index(&m.bytes)
                .map_err(|e| malformed(image, &context, e.to_string()))?,
            None => Vec::new(),
        };
        for e in &entries {
            if !known.iter().any(|k| k.digest == e.digest) {
                known.push(e.clone());
            }
        }
        let missing: Vec<&Descriptor> = known
            .iter()
            .chain(std::iter::once(&artifact.descriptor))
            .filter(|k| !entries.iter().any(|e| e.digest == k.digest))
            .collect();
        if missing.is_empty() {
            settled += 1;
            if settled >= SETTLE_READS {
                return Ok(Attachment {
                    manifest,
                    layout: Layout::FallbackTag,
                    writes,
                });
            }
            std::thread::sleep(SETTLE_PAUSE);
            continue;
        }
        // Ours (or one seen before) is not there (yet, or any more): add every missing entry to
        // what is there now and write the tag.
        settled = 0;
        let mut index = current.map(|m| m.bytes);
        for add in missing {
            index = Some(
                referrers::index_with(index.as_deref(), add)
                    .map_err(|e| malformed(image, &context, e.to_string()))?,
            );
        }
        let index = index.unwrap_or_default();
        match resolver.push_manifest(image, &tag, referrers::OCI_INDEX, &index) {
            Ok(_) => {}
            Err(e @ ResolveError::Server { .. }) => {
                transient(&mut faults, image, &context, e.to_string())?;
                continue;
            }
            Err(e) => return Err(e),
        }
        existed = true;
        writes += 1;
        // Writers that collide retry at different moments.
        std::thread::sleep(jitter(writes));
    }
    Err(malformed(
        image,
        &context,
        format!(
            "the entry for {manifest} was replaced by other writers {MAX_WRITES} times; try again"
        ),
    ))
}

/// A registry fault while writers collide on the fallback tag: waited out a few times, then
/// the error (exit 2), never a success that was not seen.
fn transient(
    faults: &mut usize,
    image: &Name,
    context: &str,
    what: String,
) -> Result<(), ResolveError> {
    *faults += 1;
    if *faults > MAX_FAULTS {
        return Err(malformed(
            image,
            context,
            format!("{what}; still failing after {MAX_FAULTS} tries while other writers update it"),
        ));
    }
    std::thread::sleep(jitter(*faults));
    Ok(())
}

/// A pause that grows with the attempts and differs between processes.
fn jitter(attempt: usize) -> Duration {
    let seed = u64::from(std::process::id())
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add((attempt as u64).wrapping_mul(1_442_695_040_888_963_407));
    let spread = (seed >> 33) % 100;
    Duration::from_millis(20 * attempt.min(10) as u64 + spread)
}

/// Whether an index entry may hold what `want` asks for (from its unverified annotations and
/// artifact type: a skip only saves requests, it never decides a verdict).
fn may_hold(entry: &Descriptor, want: &Want) -> bool {
    let predicate = entry
        .annotations
        .get(referrers::PREDICATE_TYPE_ANNOTATION)
        .or_else(|| {
            entry
                .annotations
                .get(referrers::OLD_PREDICATE_TYPE_ANNOTATION)
        });
    let is_bundle = entry
        .artifact_type
        .as_deref()
        .is_none_or(|t| t.starts_with("application/vnd.dev.sigstore.bundle"));
    match want {
        Want::All => true,
        Want::Signatures => {
            is_bundle && predicate.is_none_or(|p| p == vouch_attest_predicate::IMAGE_SIGNATURE)
        }
        Want::Attestations { predicate_type } => {
            is_bundle
                && match (predicate_type, predicate) {
                    (Some(want), Some(p)) => p == want,
                    _ => true,
                }
        }
    }
}

/// The predicate type of cosign v3's image signature (kept here as a string: vouch-resolve
/// knows layouts, not statements).
mod vouch_attest_predicate {
    pub const IMAGE_SIGNATURE: &str = "https://sigstore.dev/cosign/sign/v1";
}

/// Reads one attached manifest and the layers its kind needs.
fn read_item(
    resolver: &Resolver,
    image: &Name,
    subject: &Digest,
    layout: Layout,
    digest: &Digest,
) -> Result<Item, ResolveError> {
    let fetched = resolver.fetch_manifest_limited(image, &digest.to_string(), MAX_MANIFEST)?;
    let manifest = referrers::parse_manifest(&fetched.bytes)
        .map_err(|e| malformed(image, &format!("attached manifest {digest}"), e.to_string()))?;
    item_from(resolver, image, subject, layout, fetched.digest, manifest)
}

fn item_from(
    resolver: &Resolver,
    image: &Name,
    subject: &Digest,
    layout: Layout,
    digest: Digest,
    manifest: ArtifactManifest,
) -> Result<Item, ResolveError> {
    let kind = referrers::classify(&manifest);
    let mut item = Item {
        layout,
        digest,
        kind,
        layers: Vec::new(),
        problem: None,
        manifest,
    };
    // Referrers must name the image; cosign's tags name it by their tag.
    if matches!(layout, Layout::ReferrersApi | Layout::FallbackTag) {
        match &item.manifest.subject {
            Some(s) if &s.digest == subject => {}
            Some(s) => {
                item.problem = Some(format!(
                    "its subject is {}, not the image {subject}",
                    s.digest
                ));
                return Ok(item);
            }
            None => {
                item.problem = Some("it names no subject".to_owned());
                return Ok(item);
            }
        }
    }
    let wanted: Vec<Descriptor> = match &item.kind {
        Kind::Other { .. } => Vec::new(),
        _ => item.manifest.layers.clone(),
    };
    if wanted.len() > MAX_LAYERS {
        item.problem = Some(format!(
            "it has {} layers; at most {MAX_LAYERS} are read",
            wanted.len()
        ));
        return Ok(item);
    }
    for descriptor in wanted {
        if descriptor.size > MAX_LAYER {
            item.problem = Some(format!(
                "layer {} is {} bytes; at most {MAX_LAYER} are read",
                descriptor.digest, descriptor.size
            ));
            return Ok(item);
        }
        match read_blob(resolver, image, &descriptor.digest, MAX_LAYER) {
            Ok(bytes) => item.layers.push(Layer { descriptor, bytes }),
            Err(ResolveError::NotFound { .. }) => {
                item.problem = Some(format!(
                    "layer {} is not in the registry",
                    descriptor.digest
                ));
                return Ok(item);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(item)
}

/// The artifacts that name `subject` through the referrers API, or, where the registry does
/// not have it, the fallback tag. Every fault of the registry is an error: "could not ask" is
/// never "nothing attached".
pub fn discover_referrers(
    resolver: &Resolver,
    image: &Name,
    subject: &Digest,
    want: &Want,
) -> Result<Discovery, ResolveError> {
    let (entries, layout, api) = match resolver.referrers(image, subject)? {
        Referrers::Index(index) => (
            referrers::parse_index(&index.bytes)
                .map_err(|e| malformed(image, "referrers index", e.to_string()))?,
            Layout::ReferrersApi,
            true,
        ),
        Referrers::Unsupported => {
            let tag = referrers::fallback_tag(subject);
            let entries = match optional_manifest(resolver, image, &tag)? {
                Some(m) => referrers::parse_index(&m.bytes)
                    .map_err(|e| malformed(image, &format!("fallback tag {tag}"), e.to_string()))?,
                None => Vec::new(),
            };
            (entries, Layout::FallbackTag, false)
        }
    };
    if entries.len() > MAX_ITEMS {
        return Err(malformed(
            image,
            "referrers index",
            format!(
                "it lists {} artifacts; at most {MAX_ITEMS} are read",
                entries.len()
            ),
        ));
    }
    let mut items = Vec::new();
    let mut done = std::collections::BTreeSet::new();
    for entry in entries {
        if !may_hold(&entry, want) || !done.insert(entry.digest.clone()) {
            continue;
        }
        items.push(read_item(resolver, image, subject, layout, &entry.digest)?);
    }
    Ok(Discovery {
        subject: subject.clone(),
        items,
        referrers_api: api,
    })
}

/// cosign's legacy tags for `subject`: `.sig` (signatures), `.att` (attestations), `.sbom`.
/// A tag that does not exist adds nothing.
pub fn discover_cosign_tags(
    resolver: &Resolver,
    image: &Name,
    subject: &Digest,
    want: &Want,
) -> Result<Vec<Item>, ResolveError> {
    let tags: &[(CosignTag, Layout)] = match want {
        Want::All => &[
            (CosignTag::Signature, Layout::CosignSignatureTag),
            (CosignTag::Attestation, Layout::CosignAttestationTag),
            (CosignTag::Sbom, Layout::CosignSbomTag),
        ],
        Want::Signatures => &[(CosignTag::Signature, Layout::CosignSignatureTag)],
        Want::Attestations { .. } => &[(CosignTag::Attestation, Layout::CosignAttestationTag)],
    };
    let mut items = Vec::new();
    for (kind, layout) in tags {
        let tag = referrers::cosign_tag(subject, *kind);
        let Some(fetched) = optional_manifest(resolver, image, &tag)? else {
            continue;
        };
        let manifest = referrers::parse_manifest(&fetched.bytes)
            .map_err(|e| malformed(image, &format!("tag {tag}"), e.to_string()))?;
        items.push(item_from(
            resolver,
            image,
            subject,
            *layout,
            fetched.digest,
            manifest,
        )?);
    }
    Ok(items)
}

/// Everything attached to `subject`: the referrers (API or fallback tag) and cosign's tags.
pub fn discover(
    resolver: &Resolver,
    image: &Name,
    subject: &Digest,
    want: &Want,
) -> Result<Discovery, ResolveError> {
    let mut found = discover_referrers(resolver, image, subject, want)?;
    found
        .items
        .extend(discover_cosign_tags(resolver, image, subject, want)?);
    Ok(found)
}

/// The annotations vouch writes on a bundle artifact (cosign v3's and `@sigstore/oci`'s keys):
/// the bundle's content kind, its predicate type when it has one, and the time (RFC 3339).
pub fn bundle_annotations(
    dsse: bool,
    predicate_type: Option<&str>,
    created: &str,
) -> BTreeMap<String, String> {
    let mut a = BTreeMap::new();
    a.insert(
        referrers::CONTENT_ANNOTATION.to_owned(),
        if dsse {
            "dsse-envelope"
        } else {
            "message-signature"
        }
        .to_owned(),
    );
    if let Some(p) = predicate_type {
        a.insert(
            referrers::PREDICATE_TYPE_ANNOTATION.to_owned(),
            p.to_owned(),
        );
    }
    a.insert(referrers::CREATED_ANNOTATION.to_owned(), created.to_owned());
    a
}
