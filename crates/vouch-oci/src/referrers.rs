//! Evidence attached to images, as OCI documents: the layouts, no network.
//!
//! Signatures, attestations and SBOMs live beside an image in its repository, in one of these
//! layouts (docs/evidence.md has the rules):
//!
//! - **OCI 1.1 referrers** (cosign v3, GitHub's `@sigstore/oci`): an artifact manifest whose
//!   `subject` is the image, listed by the registry's referrers API or, where the registry has
//!   none, by an image index under the fallback tag [`fallback_tag`] (`sha256-<hex>`). A
//!   Sigstore bundle is written by [`bundle_artifact`]; the fallback index is updated by
//!   [`index_with`]; either listing is read by [`parse_index`].
//! - **cosign's legacy tags** ([`cosign_tag`]: `sha256-<hex>.sig`, `.att`, `.sbom`): a manifest
//!   whose layers are simple-signing payloads (signature in an annotation), DSSE envelopes, or
//!   SBOM documents.
//!
//! [`parse_manifest`] reads any of those manifests and [`classify`] says what it holds.
//! Every parser is bounded: at most [`MAX_DOCUMENT_LEN`] bytes in, [`MAX_ENTRIES`] index
//! entries or layers, annotation values of at most [`MAX_ANNOTATION_LEN`] bytes, and
//! `serde_json`'s nesting limit; every error names the document, the field and its position.
//!
//! ```
//! use std::collections::BTreeMap;
//! use vouch_digest::Digest;
//! use vouch_oci::referrers::{self, Descriptor, Kind, OCI_MANIFEST};
//!
//! let image = Descriptor::new(OCI_MANIFEST, Digest::sha256(b"image"), 5);
//! let mut annotations = BTreeMap::new();
//! annotations.insert(referrers::CONTENT_ANNOTATION.to_owned(), "dsse-envelope".to_owned());
//! annotations.insert(
//!     referrers::PREDICATE_TYPE_ANNOTATION.to_owned(),
//!     "https://slsa.dev/provenance/v1".to_owned(),
//! );
//! let artifact = referrers::bundle_artifact(b"{}", &image, annotations);
//! let manifest = referrers::parse_manifest(&artifact.manifest).unwrap();
//! assert_eq!(manifest.subject.as_ref(), Some(&image));
//! assert!(matches!(
//!     referrers::classify(&manifest),
//!     Kind::Bundle { predicate_type: Some(t) } if t == "https://slsa.dev/provenance/v1"
//! ));
//! let index = referrers::index_with(None, &artifact.descriptor).unwrap();
//! assert_eq!(referrers::parse_index(&index).unwrap(), vec![artifact.descriptor]);
//! assert!(referrers::fallback_tag(&image.digest).starts_with("sha256-"));
//! ```

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use vouch_digest::Digest;

/// Media type of a Sigstore bundle v0.3 (the artifact type and layer media type vouch writes).
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Media type of the empty descriptor (its blob is `{}`, [`EMPTY_DIGEST`]).
pub const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// The empty blob, `{}`.
pub const EMPTY_BLOB: &[u8] = b"{}";
/// Digest of [`EMPTY_BLOB`].
pub const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
/// The statement's predicate type, on a bundle manifest (cosign v3, `@sigstore/oci`).
pub const PREDICATE_TYPE_ANNOTATION: &str = "dev.sigstore.bundle.predicateType";
/// The older spelling of [`PREDICATE_TYPE_ANNOTATION`] (cosign 2.x's experimental bundles).
pub const OLD_PREDICATE_TYPE_ANNOTATION: &str = "dev.sigstore.bundle/predicateType";
/// What a bundle holds: `message-signature` or `dsse-envelope`.
pub const CONTENT_ANNOTATION: &str = "dev.sigstore.bundle.content";
/// When the artifact was made (RFC 3339).
pub const CREATED_ANNOTATION: &str = "org.opencontainers.image.created";
/// cosign legacy signature: the base64 signature over the layer's payload.
pub const COSIGN_SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// cosign legacy signature: the PEM signing certificate (keyless).
pub const COSIGN_CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// cosign legacy signature: the PEM certificate chain.
pub const COSIGN_CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
/// cosign legacy signature: the Rekor bundle (SET and entry) as JSON.
pub const COSIGN_BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";
/// Layer media type of a cosign simple-signing payload.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// Layer media type of a DSSE envelope (cosign `.att`).
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest (schema 2), which older cosign releases wrote for `.sig` tags.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// Largest index or manifest read or written (4 MiB, as registries cap manifests).
pub const MAX_DOCUMENT_LEN: usize = 4 * 1024 * 1024;
/// Most entries an index (or layers a manifest) may have.
pub const MAX_ENTRIES: usize = 10_000;
/// Longest annotation value (64 KiB; a certificate chain is a few KiB).
pub const MAX_ANNOTATION_LEN: usize = 64 * 1024;

/// SBOM media types recognised in layers and artifact types (compared without parameters,
/// ignoring case): SPDX and CycloneDX as cosign's `attach sbom`, ORAS and Docker write them.
const SBOM_MEDIA_TYPES: &[&str] = &[
    "text/spdx",
    "text/spdx+json",
    "text/spdx+xml",
    "application/spdx+json",
    "application/vnd.spdx+json",
    "application/vnd.cyclonedx",
    "application/vnd.cyclonedx+json",
    "application/vnd.cyclonedx+xml",
    "application/vnd.syft+json",
];

/// An OCI content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// A descriptor with no artifact type and no annotations.
    pub fn new(media_type: impl Into<String>, digest: Digest, size: u64) -> Self {
        Self {
            media_type: media_type.into(),
            digest,
            size,
            artifact_type: None,
            annotations: BTreeMap::new(),
        }
    }

    /// The descriptor of `bytes` with this media type.
    pub fn of(media_type: impl Into<String>, bytes: &[u8]) -> Self {
        Self::new(media_type, Digest::sha256(bytes), bytes.len() as u64)
    }
}

/// Why an index or manifest could not be read or written. Every message names the document
/// (`what`) and, where there is one, the field with its position (`manifests[3].digest`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    #[error("{what} is {len} bytes, more than the {max} byte limit")]
    Oversized {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{what} is not valid json")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("{what}: `{field}` is {found}, expected {expected}")]
    WrongType {
        what: &'static str,
        field: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{what} has no `{field}`")]
    Missing { what: &'static str, field: String },
    #[error("{what} has media type `{found}`, expected {expected}")]
    MediaType {
        what: &'static str,
        found: String,
        expected: &'static str,
    },
    #[error("{what} has schemaVersion {found}, expected 2")]
    SchemaVersion { what: &'static str, found: String },
    #[error("{what}: `{field}` is not a digest")]
    Digest {
        what: &'static str,
        field: String,
        #[source]
        source: vouch_digest::ParseError,
    },
    #[error("{what}: `{field}` has {found} entries, more than the {max} limit")]
    TooManyEntries {
        what: &'static str,
        field: String,
        found: usize,
        max: usize,
    },
    #[error(
        "{what}: annotation `{key}` in `{field}` is {len} bytes, more than the {max} byte limit"
    )]
    AnnotationTooLong {
        what: &'static str,
        field: String,
        key: String,
        len: usize,
        max: usize,
    },
}

impl LayoutError {
    /// Stable code: `malformed-referrers` for every variant (docs/rules/malformed-referrers.md).
    pub fn code(&self) -> &'static str {
        "malformed-referrers"
    }
}

/// The referrers fallback tag of `subject` (distribution-spec "referrers tag schema"):
/// `<algorithm>-<hex>`, the hex truncated to 64 characters.
pub fn fallback_tag(subject: &Digest) -> String {
    let hex = subject.hex();
    format!("{}-{}", subject.algorithm(), &hex[..hex.len().min(64)])
}

/// cosign's legacy tag kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CosignTag {
    /// `.sig`: simple-signing payloads with the signature in an annotation.
    Signature,
    /// `.att`: DSSE envelopes.
    Attestation,
    /// `.sbom`: SBOM documents (deprecated by cosign in 2024, still read).
    Sbom,
}

impl CosignTag {
    /// The tag suffix, without the dot.
    pub fn suffix(self) -> &'static str {
        match self {
            CosignTag::Signature => "sig",
            CosignTag::Attestation => "att",
            CosignTag::Sbom => "sbom",
        }
    }
}

/// cosign's legacy tag for `subject`: `sha256-<hex>.sig` (`.att`, `.sbom`). As cosign writes
/// it, the hex is not truncated.
pub fn cosign_tag(subject: &Digest, kind: CosignTag) -> String {
    format!(
        "{}-{}.{}",
        subject.algorithm(),
        subject.hex(),
        kind.suffix()
    )
}

/// An artifact ready to push: blobs first, then the manifest (by digest), then the index
/// entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Every blob the manifest names (the empty config `{}`, then the layers).
    pub blobs: Vec<Vec<u8>>,
    /// The manifest's bytes, pushed by its digest (`descriptor.digest`).
    pub manifest: Vec<u8>,
    /// The manifest's index entry: media type [`OCI_MANIFEST`], its artifact type and the
    /// manifest's annotations (the referrers API copies them; the fallback index must too).
    pub descriptor: Descriptor,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestOut<'a> {
    schema_version: u32,
    media_type: &'static str,
    artifact_type: &'a str,
    config: Descriptor,
    layers: Vec<Descriptor>,
    subject: &'a Descriptor,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

/// A Sigstore bundle as an OCI 1.1 artifact (cosign v3 and `@sigstore/oci`'s shape):
/// `artifactType` [`BUNDLE_MEDIA_TYPE`], the empty config, one layer (the bundle, media type
/// [`BUNDLE_MEDIA_TYPE`]), `subject` the image's descriptor, and the manifest annotations
/// `annotations` (the caller passes [`CONTENT_ANNOTATION`], [`PREDICATE_TYPE_ANNOTATION`],
/// [`CREATED_ANNOTATION`]). The same arguments always give the same bytes.
pub fn bundle_artifact(
    bundle: &[u8],
    subject: &Descriptor,
    annotations: BTreeMap<String, String>,
) -> Artifact {
    let config = Descriptor::of(EMPTY_MEDIA_TYPE, EMPTY_BLOB);
    let layer = Descriptor::of(BUNDLE_MEDIA_TYPE, bundle);
    let manifest = ManifestOut {
        schema_version: 2,
        media_type: OCI_MANIFEST,
        artifact_type: BUNDLE_MEDIA_TYPE,
        config,
        layers: vec![layer],
        subject,
        annotations: &annotations,
    };
    // Serializing plain strings, numbers and maps cannot fail.
    let manifest = serde_json::to_vec(&manifest).unwrap_or_default();
    let mut descriptor = Descriptor::of(OCI_MANIFEST, &manifest);
    descriptor.artifact_type = Some(BUNDLE_MEDIA_TYPE.to_owned());
    descriptor.annotations = annotations;
    Artifact {
        blobs: vec![EMPTY_BLOB.to_vec(), bundle.to_vec()],
        manifest,
        descriptor,
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads one JSON document under the size limit; it must be an object.
fn object(what: &'static str, bytes: &[u8]) -> Result<Map<String, Value>, LayoutError> {
    if bytes.len() > MAX_DOCUMENT_LEN {
        return Err(LayoutError::Oversized {
            what,
            len: bytes.len(),
            max: MAX_DOCUMENT_LEN,
        });
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|source| LayoutError::Json { what, source })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(LayoutError::WrongType {
            what,
            field: "(document)".to_owned(),
            expected: "an object",
            found: json_kind(&other),
        }),
    }
}

/// Checks `schemaVersion` (2 when present) and `mediaType` (one of `allowed` when present).
fn check_header(
    what: &'static str,
    doc: &Map<String, Value>,
    allowed: &[&str],
    expected: &'static str,
) -> Result<(), LayoutError> {
    if let Some(v) = doc.get("schemaVersion")
        && v.as_u64() != Some(2)
    {
        return Err(LayoutError::SchemaVersion {
            what,
            found: v.to_string(),
        });
    }
    match doc.get("mediaType") {
        None => Ok(()),
        Some(Value::String(m)) if allowed.contains(&m.as_str()) => Ok(()),
        Some(Value::String(m)) => Err(LayoutError::MediaType {
            what,
            found: m.clone(),
            expected,
        }),
        Some(other) => Err(LayoutError::WrongType {
            what,
            field: "mediaType".to_owned(),
            expected: "a string",
            found: json_kind(other),
        }),
    }
}

fn string_field(
    what: &'static str,
    obj: &Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<Option<String>, LayoutError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(LayoutError::WrongType {
            what,
            field: if at.is_empty() {
                key.to_owned()
            } else {
                format!("{at}.{key}")
            },
            expected: "a string",
            found: json_kind(other),
        }),
    }
}

fn annotations(
    what: &'static str,
    value: Option<&Value>,
    at: &str,
) -> Result<BTreeMap<String, String>, LayoutError> {
    let mut out = BTreeMap::new();
    let Some(value) = value else {
        return Ok(out);
    };
    let Value::Object(map) = value else {
        return Err(LayoutError::WrongType {
            what,
            field: at.to_owned(),
            expected: "an object",
            found: json_kind(value),
        });
    };
    for (key, v) in map {
        let Value::String(s) = v else {
            return Err(LayoutError::WrongType {
                what,
                field: format!("{at}.{key}"),
                expected: "a string",
                found: json_kind(v),
            });
        };
        if s.len() > MAX_ANNOTATION_LEN {
            return Err(LayoutError::AnnotationTooLong {
                what,
                field: at.to_owned(),
                key: key.clone(),
                len: s.len(),
                max: MAX_ANNOTATION_LEN,
            });
        }
        out.insert(key.clone(), s.clone());
    }
    Ok(out)
}

/// One descriptor at `at` (`manifests[3]`, `config`, `layers[0]`, `subject`).
fn descriptor(what: &'static str, value: &Value, at: &str) -> Result<Descriptor, LayoutError> {
    let Value::Object(obj) = value else {
        return Err(LayoutError::WrongType {
            what,
            field: at.to_owned(),
            expected: "an object",
            found: json_kind(value),
        });
    };
    let missing = |key: &str| LayoutError::Missing {
        what,
        field: format!("{at}.{key}"),
    };
    let media_type =
        string_field(what, obj, at, "mediaType")?.ok_or_else(|| missing("mediaType"))?;
    let digest_text = string_field(what, obj, at, "digest")?.ok_or_else(|| missing("digest"))?;
    let digest: Digest = digest_text.parse().map_err(|source| LayoutError::Digest {
        what,
        field: format!("{at}.digest"),
        source,
    })?;
    let size = match obj.get("size") {
        None => return Err(missing("size")),
        Some(v) => v.as_u64().ok_or_else(|| LayoutError::WrongType {
            what,
            field: format!("{at}.size"),
            expected: "a non-negative integer",
            found: json_kind(v),
        })?,
    };
    let artifact_type = string_field(what, obj, at, "artifactType")?;
    let annotations = annotations(what, obj.get("annotations"), &format!("{at}.annotations"))?;
    Ok(Descriptor {
        media_type,
        digest,
        size,
        artifact_type,
        annotations,
    })
}

/// The array at `key`, bounded by [`MAX_ENTRIES`].
fn entries<'a>(
    what: &'static str,
    doc: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a Vec<Value>, LayoutError> {
    let value = doc.get(key).ok_or_else(|| LayoutError::Missing {
        what,
        field: key.to_owned(),
    })?;
    let Value::Array(list) = value else {
        return Err(LayoutError::WrongType {
            what,
            field: key.to_owned(),
            expected: "an array",
            found: json_kind(value),
        });
    };
    if list.len() > MAX_ENTRIES {
        return Err(LayoutError::TooManyEntries {
            what,
            field: key.to_owned(),
            found: list.len(),
            max: MAX_ENTRIES,
        });
    }
    Ok(list)
}

/// A referrers index (the referrers API's answer, or the fallback tag's index): its
/// `manifests` as descriptors, in the order written. An entry with an unparsable digest (or
/// any other malformed field) is an error naming its position.
pub fn parse_index(bytes: &[u8]) -> Result<Vec<Descriptor>, LayoutError> {
    const WHAT: &str = "referrers index";
    let doc = object(WHAT, bytes)?;
    check_header(WHAT, &doc, &[OCI_INDEX], OCI_INDEX)?;
    entries(WHAT, &doc, "manifests")?
        .iter()
        .enumerate()
        .map(|(i, v)| descriptor(WHAT, v, &format!("manifests[{i}]")))
        .collect()
}

/// The fallback-tag index with `add` in it. `existing` (`None`: no index yet) keeps every
/// entry byte for byte, those vouch does not understand too; an entry with `add`'s digest is
/// replaced; entries are sorted by digest (then by their JSON text), so writers that add the
/// same entries in any order write the same bytes. Other top-level fields of `existing` are
/// kept, byte for byte. An `existing` document that is not an OCI image index is an error: the
/// tag is left alone rather than overwritten.
pub fn index_with(existing: Option<&[u8]>, add: &Descriptor) -> Result<Vec<u8>, LayoutError> {
    const WHAT: &str = "existing referrers index";
    let mut rest: BTreeMap<String, Box<RawValue>> = BTreeMap::new();
    let mut manifests: Vec<Box<RawValue>> = Vec::new();
    if let Some(bytes) = existing {
        // Checked as a value first (size, shape, header, entry count) ...
        let doc = object(WHAT, bytes)?;
        check_header(WHAT, &doc, &[OCI_INDEX], OCI_INDEX)?;
        entries(WHAT, &doc, "manifests")?;
        drop(doc);
        // ... then kept as written: re-serializing values would change numbers and spacing.
        let mut raw: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(bytes)
            .map_err(|source| LayoutError::Json { what: WHAT, source })?;
        let list = raw
            .remove("manifests")
            .ok_or_else(|| LayoutError::Missing {
                what: WHAT,
                field: "manifests".to_owned(),
            })?;
        let list: Vec<Box<RawValue>> = serde_json::from_str(list.get())
            .map_err(|source| LayoutError::Json { what: WHAT, source })?;
        let replaced = list.iter().any(|e| same_digest(e, &add.digest));
        if list.len() >= MAX_ENTRIES && !replaced {
            return Err(LayoutError::TooManyEntries {
                what: WHAT,
                field: "manifests".to_owned(),
                found: list.len() + 1,
                max: MAX_ENTRIES,
            });
        }
        manifests = list
            .into_iter()
            .filter(|e| !same_digest(e, &add.digest))
            .collect();
        raw.remove("schemaVersion");
        raw.remove("mediaType");
        rest = raw;
    }
    let added = serde_json::to_string(add).unwrap_or_default();
    let mut keyed: Vec<(String, &str)> = manifests
        .iter()
        .map(|e| (entry_digest(e).unwrap_or_default(), e.get()))
        .chain(std::iter::once((add.digest.to_string(), added.as_str())))
        .collect();
    keyed.sort();
    let mut out = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":["#);
    for (i, (_, text)) in keyed.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(text);
    }
    out.push(']');
    for (key, value) in &rest {
        out.push(',');
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    if out.len() > MAX_DOCUMENT_LEN {
        return Err(LayoutError::Oversized {
            what: "new referrers index",
            len: out.len(),
            max: MAX_DOCUMENT_LEN,
        });
    }
    Ok(out.into_bytes())
}

/// The `digest` string of an index entry, as written.
fn entry_digest(entry: &RawValue) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Entry {
        digest: Option<Value>,
    }
    match serde_json::from_str::<Entry>(entry.get()).ok()?.digest? {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Whether an index entry names `digest` (hex compared after parsing, so case does not
/// matter).
fn same_digest(entry: &RawValue, digest: &Digest) -> bool {
    entry_digest(entry)
        .and_then(|d| d.parse::<Digest>().ok())
        .is_some_and(|d| &d == digest)
}

/// Any manifest an evidence item may be: an OCI 1.1 artifact (bundle, Notary signature,
/// ORAS attachment) or a cosign legacy `.sig`/`.att`/`.sbom` manifest (OCI or Docker schema 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactManifest {
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub subject: Option<Descriptor>,
    pub layers: Vec<Descriptor>,
    pub annotations: BTreeMap<String, String>,
}

/// Parse an image manifest (OCI or Docker schema 2). An index, or any other document, is an
/// error: referrers that are indexes are told apart by their index entry's media type.
pub fn parse_manifest(bytes: &[u8]) -> Result<ArtifactManifest, LayoutError> {
    const WHAT: &str = "manifest";
    let doc = object(WHAT, bytes)?;
    check_header(
        WHAT,
        &doc,
        &[OCI_MANIFEST, DOCKER_MANIFEST],
        "application/vnd.oci.image.manifest.v1+json or application/vnd.docker.distribution.manifest.v2+json",
    )?;
    if doc.contains_key("manifests") {
        return Err(LayoutError::MediaType {
            what: WHAT,
            found: "(an image index: it has `manifests`)".to_owned(),
            expected: "an image manifest",
        });
    }
    let artifact_type = string_field(WHAT, &doc, "", "artifactType")?;
    let config = descriptor(
        WHAT,
        doc.get("config").ok_or_else(|| LayoutError::Missing {
            what: WHAT,
            field: "config".to_owned(),
        })?,
        "config",
    )?;
    let subject = doc
        .get("subject")
        .map(|s| descriptor(WHAT, s, "subject"))
        .transpose()?;
    let layers = entries(WHAT, &doc, "layers")?
        .iter()
        .enumerate()
        .map(|(i, v)| descriptor(WHAT, v, &format!("layers[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let annotations = annotations(WHAT, doc.get("annotations"), "annotations")?;
    Ok(ArtifactManifest {
        artifact_type,
        config,
        subject,
        layers,
        annotations,
    })
}

/// What an attached item is, from its manifest alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A Sigstore bundle (cosign v3, `@sigstore/oci`); the predicate type from the manifest's
    /// annotation (new or old key), `None` for a message signature or when it is not given.
    Bundle { predicate_type: Option<String> },
    /// cosign legacy signatures: simple-signing layers with the signature annotation.
    CosignSignatures,
    /// cosign legacy attestations: DSSE envelope layers.
    CosignAttestations,
    /// An SBOM document (cosign `.sbom`, or an artifact whose type is an SBOM media type).
    Sbom { media_type: String },
    /// Anything else (a Notary signature, an ORAS attachment): its artifact type, or the
    /// config media type where the manifest has none (as the distribution spec says).
    Other { artifact_type: String },
}

/// A media type without parameters, lower case.
fn base(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Sigstore bundle media types: v0.3 (`…bundle.v0.3+json`), later `…bundle.v0.N+json`, and
/// v0.1/v0.2 (`…bundle+json;version=0.N`).
fn is_bundle(media_type: &str) -> bool {
    let b = base(media_type);
    b == "application/vnd.dev.sigstore.bundle+json"
        || (b.starts_with("application/vnd.dev.sigstore.bundle.v") && b.ends_with("+json"))
}

fn is_sbom(media_type: &str) -> bool {
    SBOM_MEDIA_TYPES.contains(&base(media_type).as_str())
}

/// What `manifest` holds. Checked in this order: a bundle (its artifact type, or, where a
/// registry made the client drop `artifactType`, its layer's media type), cosign simple-signing
/// layers, DSSE layers, SBOM layers or an SBOM artifact type, then anything else.
pub fn classify(manifest: &ArtifactManifest) -> Kind {
    let layer_types = || manifest.layers.iter().map(|l| base(&l.media_type));
    let bundle_artifact = manifest.artifact_type.as_deref().is_some_and(is_bundle);
    let bundle_layer = manifest.artifact_type.is_none()
        && !manifest.layers.is_empty()
        && manifest.layers.iter().all(|l| is_bundle(&l.media_type));
    if bundle_artifact || bundle_layer {
        let from = |a: &BTreeMap<String, String>| {
            a.get(PREDICATE_TYPE_ANNOTATION)
                .or_else(|| a.get(OLD_PREDICATE_TYPE_ANNOTATION))
                .cloned()
        };
        let predicate_type = from(&manifest.annotations)
            .or_else(|| manifest.layers.iter().find_map(|l| from(&l.annotations)));
        return Kind::Bundle { predicate_type };
    }
    if layer_types().any(|t| t == SIMPLE_SIGNING_MEDIA_TYPE) {
        return Kind::CosignSignatures;
    }
    if layer_types().any(|t| t == DSSE_MEDIA_TYPE) {
        return Kind::CosignAttestations;
    }
    if let Some(t) = manifest.artifact_type.as_deref().filter(|t| is_sbom(t)) {
        return Kind::Sbom {
            media_type: t.to_owned(),
        };
    }
    if let Some(l) = manifest.layers.iter().find(|l| is_sbom(&l.media_type)) {
        return Kind::Sbom {
            media_type: l.media_type.clone(),
        };
    }
    Kind::Other {
        artifact_type: manifest
            .artifact_type
            .clone()
            .unwrap_or_else(|| manifest.config.media_type.clone()),
    }
}

/// One layer of a cosign legacy `.sig` manifest: the payload blob's descriptor and the
/// signature material in its annotations (read, not checked: `vouch_sign::cosign` verifies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacySignatureLayer {
    /// The simple-signing payload blob (fetch it by digest; it is the signed bytes).
    pub payload: Descriptor,
    /// [`COSIGN_SIGNATURE_ANNOTATION`]: base64 signature over the payload.
    pub signature_b64: String,
    /// [`COSIGN_CERTIFICATE_ANNOTATION`] (keyless signatures).
    pub certificate_pem: Option<String>,
    /// [`COSIGN_CHAIN_ANNOTATION`].
    pub chain_pem: Option<String>,
    /// [`COSIGN_BUNDLE_ANNOTATION`]: the Rekor SET and entry, as JSON text.
    pub rekor_bundle: Option<String>,
}

/// The simple-signing layers of a cosign `.sig` manifest, in order. A simple-signing layer
/// without the signature annotation is an error naming it (a signature that cannot be checked
/// is not skipped); layers of other media types are not signatures and are left out.
pub fn legacy_signature_layers(
    manifest: &ArtifactManifest,
) -> Result<Vec<LegacySignatureLayer>, LayoutError> {
    manifest
        .layers
        .iter()
        .enumerate()
        .filter(|(_, l)| base(&l.media_type) == SIMPLE_SIGNING_MEDIA_TYPE)
        .map(|(i, l)| {
            let signature_b64 = l
                .annotations
                .get(COSIGN_SIGNATURE_ANNOTATION)
                .cloned()
                .ok_or_else(|| LayoutError::Missing {
                    what: "cosign signature manifest",
                    field: format!("layers[{i}].annotations.{COSIGN_SIGNATURE_ANNOTATION}"),
                })?;
            Ok(LegacySignatureLayer {
                payload: l.clone(),
                signature_b64,
                certificate_pem: l.annotations.get(COSIGN_CERTIFICATE_ANNOTATION).cloned(),
                chain_pem: l.annotations.get(COSIGN_CHAIN_ANNOTATION).cloned(),
                rekor_bundle: l.annotations.get(COSIGN_BUNDLE_ANNOTATION).cloned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_digest_is_the_digest_of_the_empty_blob() {
        assert_eq!(Digest::sha256(EMPTY_BLOB).to_string(), EMPTY_DIGEST);
    }

    #[test]
    fn tags_follow_the_distribution_spec_and_cosign() {
        // distribution-spec, "Referrers Tag Schema" table.
        let sha512: Digest = format!("sha512:{}", "a".repeat(128)).parse().unwrap();
        assert_eq!(fallback_tag(&sha512), format!("sha512-{}", "a".repeat(64)));
        // cosign SIGNATURE_SPEC, "Tag-based Discovery".
        let d: Digest = "sha256:97fc222cee7991b5b061d4d4afdb5f3428fcb0c9054e1690313786befa1e4e36"
            .parse()
            .unwrap();
        assert_eq!(
            cosign_tag(&d, CosignTag::Signature),
            "sha256-97fc222cee7991b5b061d4d4afdb5f3428fcb0c9054e1690313786befa1e4e36.sig"
        );
        assert_eq!(
            fallback_tag(&d),
            "sha256-97fc222cee7991b5b061d4d4afdb5f3428fcb0c9054e1690313786befa1e4e36"
        );
        assert!(cosign_tag(&d, CosignTag::Attestation).ends_with(".att"));
        assert!(cosign_tag(&d, CosignTag::Sbom).ends_with(".sbom"));
    }
}
