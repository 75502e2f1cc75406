//! Container images read as they are shipped: OCI image layouts (directories and tar files),
//! `docker save` archives and registry images, resolved to one manifest (multi-platform
//! indexes by [`Platform`]), every blob's digest checked, and the layers streamed once into an
//! [`tree::ImageTree`], the merged filesystem the capabilities read through
//! [`vouch_fs::walk::Tree`] as they read a directory. docs/images.md has the rules.
//!
//! Reading is in two steps: [`open`] resolves and verifies the small documents (index,
//! manifest, config: bounded, digest-checked); [`Image::read`] streams each layer once,
//! decompressing (gzip, zstd, or none), hashing the blob and the uncompressed tar (its
//! `diff_id`) as it goes, applying whiteouts in order, and keeping in memory only the
//! content of the files the caller asks for ([`Scan::retain`]). A digest mismatch anywhere is
//! an error for the whole image: nothing from it is reported.

use std::collections::BTreeMap;
use std::fmt;

use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};
use vouch_digest::{Algorithm, Digest};

pub mod layer;
pub mod source;
pub mod store;
pub mod tree;

pub use layer::{Caps, Scan, Visit};
pub use source::{Selector, Source};
pub use store::{Registry, RemoteError};
pub use tree::ImageTree;

use store::Store;

/// Largest index, manifest or docker `manifest.json` read (4 MiB, as registries cap them).
pub const MAX_MANIFEST_LEN: u64 = 4 * 1024 * 1024;
/// Largest image configuration read (8 MiB).
pub const MAX_CONFIG_LEN: u64 = 8 * 1024 * 1024;
/// Most layers an image may have (Docker's own limit is 127).
pub const MAX_LAYERS: usize = 512;
/// How deep indexes may nest.
const MAX_INDEX_DEPTH: usize = 4;

/// Why an image could not be read. Every variant is "could not evaluate" (exit 2): nothing
/// of an image that fails is reported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    #[error("cannot read {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Archive { path: String, reason: String },
    #[error("{what} not found: {name}")]
    Missing { what: String, name: String },
    #[error("{what}: digest mismatch: expected {expected}, the content hashes to {actual}")]
    DigestMismatch {
        what: String,
        expected: Digest,
        actual: Digest,
    },
    #[error("{what}: not valid JSON of its kind: {reason}")]
    Document { what: String, reason: String },
    #[error("{what} is larger than the {limit}-byte cap")]
    TooLarge { what: String, limit: u64 },
    #[error("no image for platform {requested}; the index has {available}")]
    Platform {
        requested: String,
        available: String,
    },
    #[error("{what} holds several images ({choices}); name one with :TAG or @DIGEST")]
    Ambiguous { what: String, choices: String },
    #[error("{what} is not a container image: {reason}")]
    NotAnImage { what: String, reason: String },
    #[error("unsupported digest algorithm {0} (sha256 only)")]
    Algorithm(Algorithm),
    #[error("layer {index} ({digest}): {reason}")]
    Layer {
        index: usize,
        digest: Digest,
        reason: String,
    },
    #[error("the image's layers hold more than {limit} bytes uncompressed")]
    ImageTooLarge { limit: u64 },
    #[error("registry: {0}")]
    Registry(#[source] RemoteError),
}

/// An OS, architecture and variant: `linux/amd64`, `linux/arm/v7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// `os/arch[/variant]`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Self {
                os: (*os).to_owned(),
                architecture: (*arch).to_owned(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Self {
                    os: (*os).to_owned(),
                    architecture: (*arch).to_owned(),
                    variant: Some((*variant).to_owned()),
                })
            }
            _ => Err(format!("`{text}` is not os/arch[/variant]")),
        }
    }

    /// The platform of the machine this was compiled for, in Go's names (`linux/amd64`).
    pub fn host() -> Self {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Self {
            os: std::env::consts::OS.to_owned(),
            architecture: architecture.to_owned(),
            variant: None,
        }
    }

    /// Whether an index entry for `other` serves this request (a variant asked for must match;
    /// `arm64` and `arm64/v8` are the same).
    fn accepts(&self, other: &Platform) -> bool {
        let variant = |p: &Platform| match (p.architecture.as_str(), p.variant.as_deref()) {
            ("arm64", Some("v8")) => None,
            (_, v) => v.map(str::to_owned),
        };
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || variant(self) == variant(other))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Where a layer's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerLocation {
    /// A blob, by its (compressed) digest.
    Blob(Digest),
    /// A file of a legacy docker archive (`<id>/layer.tar`), checked by its diff_id only.
    Path(String),
}

/// One layer of the resolved image.
#[derive(Debug, Clone)]
pub struct Layer {
    pub location: LayerLocation,
    pub media_type: String,
    /// The digest of the uncompressed tar (the config's `rootfs.diff_ids`).
    pub diff_id: Digest,
    /// The blob's size as the manifest states it (0 when unknown).
    pub size: u64,
}

impl Layer {
    /// The layer's blob digest, or its diff_id when it has no blob (legacy docker archive).
    pub fn digest(&self) -> &Digest {
        match &self.location {
            LayerLocation::Blob(d) => d,
            LayerLocation::Path(_) => &self.diff_id,
        }
    }
}

/// How to open an image.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which platform of a multi-platform index (callers pass the host's by default).
    pub platform: Platform,
}

/// An image resolved to one manifest: its documents verified, its layers not yet read.
pub struct Image<'r> {
    store: Store<'r>,
    pub source: Source,
    /// The manifest's digest (`None` for a legacy docker archive, which has no manifest).
    pub manifest_digest: Option<Digest>,
    pub config_digest: Digest,
    pub config: ImageConfiguration,
    pub layers: Vec<Layer>,
    /// The platform of the manifest chosen from an index.
    pub platform: Option<Platform>,
    /// Tags the layout or archive gives the image.
    pub tags: Vec<String>,
    /// The manifest's annotations (`org.opencontainers.image.base.name`, …).
    pub annotations: BTreeMap<String, String>,
}

impl fmt::Debug for Image<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("source", &self.source)
            .field("manifest_digest", &self.manifest_digest)
            .field("config_digest", &self.config_digest)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

impl Image<'_> {
    /// Streams every layer once (in parallel), checking each blob digest and diff_id, and
    /// merges them into the image's filesystem. Any mismatch, corrupt or truncated layer, or
    /// cap reached is an error for the whole image.
    pub fn read(&self, scan: &Scan<'_>) -> Result<ImageTree, ImageError> {
        let all = self.read_layers(scan)?;
        let ids = self
            .layers
            .iter()
            .map(|l| tree::LayerId {
                digest: l.digest().clone(),
                diff_id: l.diff_id.clone(),
            })
            .collect();
        Ok(ImageTree::merge(ids, all))
    }
}

impl Image<'_> {
    /// Streams every layer once (in parallel) as [`Image::read`] does, digests checked and caps
    /// applied, but returns each layer's own entries (in tar order, whiteouts apart) instead of
    /// merging them: for comparing two images layer by layer (`vouch diff`).
    pub fn read_layers(&self, scan: &Scan<'_>) -> Result<Vec<layer::LayerEntries>, ImageError> {
        use rayon::prelude::*;
        let totals = layer::Totals::default();
        let results: Vec<Result<layer::LayerEntries, ImageError>> = self
            .layers
            .par_iter()
            .enumerate()
            .map(|(i, l)| {
                let raw = match &l.location {
                    LayerLocation::Blob(d) => self.store.open_blob(d)?,
                    LayerLocation::Path(p) => self.store.open(p)?.0,
                };
                layer::read(i, l, raw, scan, &totals)
            })
            .collect();
        results.into_iter().collect()
    }
}

/// Resolves `source` to one image and verifies its index, manifest and config. `registry` is
/// needed for [`Source::Registry`] only.
pub fn open<'r>(
    source: &Source,
    options: &Options,
    registry: Option<&'r dyn Registry>,
) -> Result<Image<'r>, ImageError> {
    match source {
        Source::OciDir { path, selector } => {
            if !path.join("oci-layout").is_file() {
                return Err(ImageError::NotAnImage {
                    what: path.display().to_string(),
                    reason: "no oci-layout file (not an OCI image layout)".into(),
                });
            }
            from_layout(Store::dir(path), source, selector.as_ref(), options)
        }
        Source::OciArchive { path, selector } => {
            let store = Store::tar(path)?;
            if !store.has("index.json") {
                return Err(ImageError::NotAnImage {
                    what: path.display().to_string(),
                    reason: "no index.json (not an OCI archive)".into(),
                });
            }
            from_layout(store, source, selector.as_ref(), options)
        }
        Source::DockerArchive { path, selector } => {
            let store = Store::tar(path)?;
            if store.has("oci-layout") && has_manifests(&store) {
                // Docker 25+ writes an OCI layout beside manifest.json: it has real manifests.
                return from_layout(store, source, selector.as_ref(), options);
            }
            from_docker_archive(
                store,
                source,
                selector.as_ref(),
                &path.display().to_string(),
            )
        }
        Source::Registry { reference } => {
            let Some(registry) = registry else {
                return Err(ImageError::Missing {
                    what: "registry access".into(),
                    name: reference.to_string(),
                });
            };
            let store = Store::registry(registry);
            let asked = match reference.digest.as_ref() {
                Some(d) => d.to_string(),
                None => reference.tag.as_deref().unwrap_or("latest").to_owned(),
            };
            let bytes = registry
                .manifest(&asked, MAX_MANIFEST_LEN)
                .map_err(ImageError::Registry)?;
            let digest = Digest::sha256(&bytes);
            if let Some(expected) = reference.digest.as_ref() {
                store::check(expected, &bytes, &format!("manifest {expected}"))?;
            }
            let tags = reference
                .tag
                .as_deref()
                .map(str::to_owned)
                .into_iter()
                .collect();
            descend(store, source.clone(), digest, bytes, options, tags, 0)
        }
    }
}

/// Whether the store's `index.json` lists at least one manifest (some writers leave it empty
/// or `null` beside a docker `manifest.json`).
fn has_manifests(store: &Store<'_>) -> bool {
    store
        .read("index.json", MAX_MANIFEST_LEN)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| {
            v.get("manifests")
                .and_then(|m| m.as_array())
                .map(|m| !m.is_empty())
        })
        .unwrap_or(false)
}

/// sha256 of `bytes`, in the algorithm of `expected` (sha256 only).
pub(crate) fn hash(expected: &Digest, bytes: &[u8]) -> Result<Digest, ImageError> {
    match expected.algorithm() {
        Algorithm::Sha256 => Ok(Digest::sha256(bytes)),
        other => Err(ImageError::Algorithm(other)),
    }
}

const REF_NAME: &str = "org.opencontainers.image.ref.name";

fn from_layout<'r>(
    store: Store<'r>,
    source: &Source,
    selector: Option<&Selector>,
    options: &Options,
) -> Result<Image<'r>, ImageError> {
    if let Some(Selector::Digest(d)) = selector {
        let bytes = store.read_manifest(d, MAX_MANIFEST_LEN, &format!("manifest {d}"))?;
        return descend(
            store,
            source.clone(),
            d.clone(),
            bytes,
            options,
            Vec::new(),
            0,
        );
    }
    let what = format!("{source}: index.json");
    let bytes = store.read("index.json", MAX_MANIFEST_LEN)?;
    let index: ImageIndex = parse(&bytes, &what)?;
    let named = |d: &oci_spec::image::Descriptor| {
        d.annotations()
            .as_ref()
            .and_then(|a| a.get(REF_NAME))
            .cloned()
    };
    let chosen: Vec<&oci_spec::image::Descriptor> = match selector {
        Some(Selector::Tag(tag)) => index
            .manifests()
            .iter()
            .filter(|d| named(d).is_some_and(|n| tag_matches(&n, tag)))
            .collect(),
        _ => index.manifests().iter().collect(),
    };
    let tags: Vec<String> = chosen.iter().filter_map(|d| named(d)).collect();
    match chosen.as_slice() {
        [] => Err(ImageError::Missing {
            what: what.clone(),
            name: match selector {
                Some(s) => format!(
                    "an image tagged {s} (tags: {})",
                    list(index.manifests().iter().filter_map(named))
                ),
                None => "any image".into(),
            },
        }),
        [one] => {
            let digest = descriptor_digest(one, &what)?;
            let bytes =
                store.read_manifest(&digest, MAX_MANIFEST_LEN, &format!("manifest {digest}"))?;
            descend(store, source.clone(), digest, bytes, options, tags, 0)
        }
        many if many.iter().all(|d| d.platform().is_some()) => {
            // index.json itself is a multi-platform index.
            let digest = pick_platform(&index, options, &what)?;
            let bytes =
                store.read_manifest(&digest, MAX_MANIFEST_LEN, &format!("manifest {digest}"))?;
            descend(store, source.clone(), digest, bytes, options, tags, 0)
        }
        many => Err(ImageError::Ambiguous {
            what,
            choices: list(
                many.iter()
                    .map(|d| named(d).unwrap_or_else(|| d.digest().to_string())),
            ),
        }),
    }
}

/// Whether a layout's ref name (`latest`, or a whole reference `host/repo:latest`) is `tag`.
fn tag_matches(name: &str, tag: &str) -> bool {
    name == tag
        || name
            .rsplit_once(':')
            .is_some_and(|(_, t)| t == tag && !t.contains('/'))
}

fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|e| ImageError::Document {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

fn descriptor_digest(d: &oci_spec::image::Descriptor, what: &str) -> Result<Digest, ImageError> {
    d.digest()
        .to_string()
        .parse()
        .map_err(|e: vouch_digest::ParseError| ImageError::Document {
            what: what.to_owned(),
            reason: e.to_string(),
        })
}

fn platform_of(d: &oci_spec::image::Descriptor) -> Option<Platform> {
    let p = d.platform().as_ref()?;
    Some(Platform {
        os: p.os().to_string(),
        architecture: p.architecture().to_string(),
        variant: p.variant().clone(),
    })
}

fn pick_platform(index: &ImageIndex, options: &Options, what: &str) -> Result<Digest, ImageError> {
    let wanted = &options.platform;
    let found = index
        .manifests()
        .iter()
        .find(|d| platform_of(d).is_some_and(|p| wanted.accepts(&p)))
        .or_else(|| match index.manifests().as_slice() {
            // One entry that names no platform (go-containerregistry writes such indexes):
            // the image's own config says what it is for.
            [only] if only.platform().is_none() => Some(only),
            _ => None,
        });
    match found {
        Some(d) => descriptor_digest(d, what),
        None => Err(ImageError::Platform {
            requested: wanted.to_string(),
            available: list(
                index
                    .manifests()
                    .iter()
                    .filter_map(platform_of)
                    .filter(|p| p.os != "unknown")
                    .map(|p| p.to_string()),
            ),
        }),
    }
}

/// From a verified manifest or index document down to one image.
fn descend<'r>(
    store: Store<'r>,
    source: Source,
    digest: Digest,
    bytes: Vec<u8>,
    options: &Options,
    tags: Vec<String>,
    depth: usize,
) -> Result<Image<'r>, ImageError> {
    let what = format!("manifest {digest}");
    let value: serde_json::Value = parse(&bytes, &what)?;
    if value.get("manifests").is_some() {
        if depth >= MAX_INDEX_DEPTH {
            return Err(ImageError::Document {
                what,
                reason: format!("indexes nested more than {MAX_INDEX_DEPTH} deep"),
            });
        }
        let index: ImageIndex = parse(&bytes, &what)?;
        let chosen = pick_platform(&index, options, &what)?;
        let platform = index
            .manifests()
            .iter()
            .find(|d| d.digest().to_string() == chosen.to_string())
            .and_then(platform_of);
        let next = store.read_manifest(&chosen, MAX_MANIFEST_LEN, &format!("manifest {chosen}"))?;
        let mut image = descend(store, source, chosen, next, options, tags, depth + 1)?;
        image.platform = image.platform.or(platform);
        return Ok(image);
    }
    if value.get("layers").is_none() {
        return Err(ImageError::NotAnImage {
            what,
            reason: "neither a manifest (no layers) nor an index (no manifests)".into(),
        });
    }
    let manifest: ImageManifest = parse(&bytes, &what)?;
    let config_type = manifest.config().media_type().to_string();
    if !matches!(
        config_type.as_str(),
        "application/vnd.oci.image.config.v1+json"
            | "application/vnd.docker.container.image.v1+json"
    ) {
        return Err(ImageError::NotAnImage {
            what,
            reason: format!("its config has media type {config_type}"),
        });
    }
    let config_digest = descriptor_digest(manifest.config(), &what)?;
    let config_bytes = store.read_blob(
        &config_digest,
        MAX_CONFIG_LEN,
        &format!("config {config_digest}"),
    )?;
    let config: ImageConfiguration = parse(&config_bytes, &format!("config {config_digest}"))?;
    let diff_ids = diff_ids(&config, &config_digest)?;
    if manifest.layers().len() != diff_ids.len() {
        return Err(ImageError::Document {
            what,
            reason: format!(
                "{} layers but the config lists {} diff_ids",
                manifest.layers().len(),
                diff_ids.len()
            ),
        });
    }
    let mut layers = Vec::with_capacity(diff_ids.len());
    for (d, diff_id) in manifest.layers().iter().zip(diff_ids) {
        layers.push(Layer {
            location: LayerLocation::Blob(descriptor_digest(d, &what)?),
            media_type: d.media_type().to_string(),
            diff_id,
            size: d.size(),
        });
    }
    let platform = Some(Platform {
        os: config.os().to_string(),
        architecture: config.architecture().to_string(),
        variant: config.variant().clone(),
    });
    Ok(Image {
        store,
        source,
        manifest_digest: Some(digest),
        config_digest,
        config,
        layers,
        platform,
        tags,
        annotations: manifest
            .annotations()
            .clone()
            .map(|a| a.into_iter().collect())
            .unwrap_or_default(),
    })
}

fn diff_ids(
    config: &ImageConfiguration,
    config_digest: &Digest,
) -> Result<Vec<Digest>, ImageError> {
    let ids = config.rootfs().diff_ids();
    if ids.len() > MAX_LAYERS {
        return Err(ImageError::Document {
            what: format!("config {config_digest}"),
            reason: format!("more than {MAX_LAYERS} layers"),
        });
    }
    ids.iter()
        .map(|s| {
            s.parse()
                .map_err(|e: vouch_digest::ParseError| ImageError::Document {
                    what: format!("config {config_digest}"),
                    reason: format!("rootfs.diff_ids: {e}"),
                })
        })
        .collect()
}

/// One image of a docker archive's `manifest.json`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

fn from_docker_archive<'r>(
    store: Store<'r>,
    source: &Source,
    selector: Option<&Selector>,
    path: &str,
) -> Result<Image<'r>, ImageError> {
    let what = format!("{path}: manifest.json");
    if !store.has("manifest.json") {
        return Err(ImageError::NotAnImage {
            what: path.to_owned(),
            reason: "no manifest.json (not a docker archive)".into(),
        });
    }
    let bytes = store.read("manifest.json", MAX_MANIFEST_LEN)?;
    let entries: Vec<DockerEntry> = parse(&bytes, &what)?;
    let tags_of = |e: &DockerEntry| e.repo_tags.clone().unwrap_or_default();
    let chosen: Vec<&DockerEntry> = match selector {
        Some(Selector::Tag(tag)) => entries
            .iter()
            .filter(|e| tags_of(e).iter().any(|t| tag_matches(t, tag) || t == tag))
            .collect(),
        Some(Selector::Digest(d)) => entries
            .iter()
            .filter(|e| config_name_digest(&e.config).is_some_and(|c| &c == d))
            .collect(),
        None => entries.iter().collect(),
    };
    let entry = match chosen.as_slice() {
        [one] => *one,
        [] => {
            return Err(ImageError::Missing {
                what,
                name: match selector {
                    Some(s) => format!(
                        "an image {s} (tags: {})",
                        list(entries.iter().flat_map(tags_of))
                    ),
                    None => "any image".into(),
                },
            });
        }
        many => {
            return Err(ImageError::Ambiguous {
                what,
                choices: list(many.iter().map(|e| {
                    tags_of(e)
                        .first()
                        .cloned()
                        .unwrap_or_else(|| e.config.clone())
                })),
            });
        }
    };
    let config_bytes = store.read(&entry.config, MAX_CONFIG_LEN)?;
    let config_digest = Digest::sha256(&config_bytes);
    if let Some(named) = config_name_digest(&entry.config)
        && named != config_digest
    {
        return Err(ImageError::DigestMismatch {
            what: format!("{path}: config {}", entry.config),
            expected: named,
            actual: config_digest,
        });
    }
    let config: ImageConfiguration = parse(&config_bytes, &format!("config {config_digest}"))?;
    let diff_ids = diff_ids(&config, &config_digest)?;
    if entry.layers.len() != diff_ids.len() {
        return Err(ImageError::Document {
            what,
            reason: format!(
                "{} layers but the config lists {} diff_ids",
                entry.layers.len(),
                diff_ids.len()
            ),
        });
    }
    let layers = entry
        .layers
        .iter()
        .zip(diff_ids)
        .map(|(p, diff_id)| Layer {
            location: LayerLocation::Path(p.trim_start_matches("./").to_owned()),
            media_type: "application/vnd.docker.image.rootfs.diff.tar".into(),
            diff_id,
            size: 0,
        })
        .collect();
    let platform = Some(Platform {
        os: config.os().to_string(),
        architecture: config.architecture().to_string(),
        variant: config.variant().clone(),
    });
    Ok(Image {
        store,
        source: source.clone(),
        manifest_digest: None,
        config_digest,
        config,
        layers,
        platform,
        tags: tags_of(entry),
        annotations: BTreeMap::new(),
    })
}

/// The digest a docker archive's config file name states (`<hex>.json`, `blobs/sha256/<hex>`).
fn config_name_digest(name: &str) -> Option<Digest> {
    let base = name.rsplit('/').next()?;
    let base = base.strip_prefix("sha256:").unwrap_or(base);
    let hex = base.strip_suffix(".json").unwrap_or(base);
    Digest::from_hex(Algorithm::Sha256, hex).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms() {
        let p = Platform::parse("linux/arm64").unwrap();
        assert!(p.accepts(&Platform::parse("linux/arm64/v8").unwrap()));
        let v7 = Platform::parse("linux/arm/v7").unwrap();
        assert!(!v7.accepts(&Platform::parse("linux/arm/v6").unwrap()));
        assert_eq!(
            Platform::parse("linux").unwrap_err(),
            "`linux` is not os/arch[/variant]"
        );
        assert!(tag_matches("docker.io/library/x:latest", "latest"));
        assert!(!tag_matches("x:latest", "late"));
    }
}
