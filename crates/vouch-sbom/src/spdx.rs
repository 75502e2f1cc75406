//! SPDX 2.3 JSON writer.
//!
//! Mapping (see `docs/sbom-format.md` for the reasons):
//! - the scanned subject is a package `SPDXRef-Subject` (purpose `APPLICATION`, or
//!   `CONTAINER` for a root filesystem with a distro) that the document `DESCRIBES` and that
//!   `CONTAINS` every component (and the `OPERATING_SYSTEM` package for the distro);
//! - every component is a `LIBRARY` package `SPDXRef-Package-<ecosystem>-<name>-<hash8>`, where
//!   `hash8` is the start of the SHA-256 of its purl; `A DEPENDS_ON B` for each dependency; a
//!   dev component is also `DEV_DEPENDENCY_OF` the subject, an optional one
//!   `OPTIONAL_DEPENDENCY_OF` it;
//! - `licenseDeclared` joins the recorded licences with `AND`; a string that is not a valid
//!   SPDX expression becomes a `LicenseRef-vouch-…` defined in `hasExtractedLicensingInfos`
//!   with the original text; `licenseConcluded` is `NOASSERTION` (vouch concludes nothing);
//! - `documentNamespace` is `https://vouch.invalid/spdx/<subject>-<sha256>` where the hash
//!   (first 32 hex characters) covers the document without `created` and the namespace;
//! - `created` is the given timestamp, or `1970-01-01T00:00:00Z` when none is given.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq as _, Serializer};
use vouch_inventory::{Component, Inventory, Scope, SourceKind};

use crate::WriteOptions;
use crate::ident::{is_url, sanitize, sha256_hex};
use crate::license::spdx_declared;

const SUBJECT_ID: &str = "SPDXRef-Subject";
const NOASSERTION: &str = "NOASSERTION";

/// The SPDX document for `inventory`, pretty-printed, with a final newline.
pub fn to_json(inventory: &Inventory, options: &WriteOptions) -> String {
    crate::to_string(|out| write(inventory, options, out))
}

/// Writes the document [`to_json`] returns to `out`, streaming: packages are built one at a
/// time while they are written and relationships are held as indices, so memory stays near
/// the inventory's own size. The namespace needs a first pass over the document (hashed, not
/// held).
pub fn write(inventory: &Inventory, options: &WriteOptions, out: impl Write) -> io::Result<()> {
    let parts = Parts::new(inventory, options);
    let mut hasher = vouch_digest::Digest::sha256_writer();
    serde_json::to_writer(&mut hasher, &parts.document(String::new(), String::new()))?;
    let hash = hasher.finish().hex();
    let mut name = sanitize(options.subject(inventory), 64);
    if name.is_empty() {
        name.push_str("subject");
    }
    let namespace = format!(
        "https://vouch.invalid/spdx/{name}-{}",
        hash.get(..32).unwrap_or(&hash)
    );
    let created = options
        .timestamp_text()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    crate::write_pretty(out, &parts.document(namespace, created))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: &'a str,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Packages<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicence>,
    relationships: Relationships<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
    license_list_version: &'static str,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Package {
    name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    download_location: String,
    files_analyzed: bool,
    license_concluded: &'static str,
    license_declared: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    primary_package_purpose: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: &'static str,
    checksum_value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicence {
    license_id: String,
    extracted_text: String,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship<'a> {
    spdx_element_id: &'a str,
    relationship_type: &'static str,
    related_spdx_element: &'a str,
}

/// An element of a relationship: held as an index, named when written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Node {
    Document,
    Subject,
    Os,
    Component(usize),
}

/// What the document needs besides the inventory, computed once.
struct Parts<'a> {
    inventory: &'a Inventory,
    subject: &'a str,
    /// Whether the caller named the subject ([`WriteOptions::subject_name`]).
    named: bool,
    creator: String,
    os_id: Option<String>,
    /// SPDX identifier of each inventory component, unique even if two shared a purl.
    ids: Vec<String>,
    extracted: BTreeMap<String, String>,
    /// Sorted and de-duplicated, `DESCRIBES` first.
    relationships: Vec<(Node, &'static str, Node)>,
}

impl<'a> Parts<'a> {
    fn new(inventory: &'a Inventory, options: &'a WriteOptions) -> Self {
        let components = &inventory.components;
        let os_id = inventory.distro.as_ref().map(|d| {
            format!(
                "SPDXRef-OperatingSystem-{}",
                sanitize(&d.purl_qualifier(), 64)
            )
        });
        let mut ids = Vec::with_capacity(components.len());
        let mut used: HashSet<String> = HashSet::with_capacity(components.len());
        for c in components {
            let hash = sha256_hex(c.purl.as_bytes());
            let base = format!(
                "SPDXRef-Package-{}-{}-{}",
                c.ecosystem.as_str(),
                sanitize(&c.name, 48),
                hash.get(..8).unwrap_or(&hash)
            );
            let mut id = base.clone();
            let mut n = 1;
            while used.contains(&id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            used.insert(id.clone());
            ids.push(id);
        }
        drop(used);
        // The first component with a purl is the one a dependency on that purl names.
        let mut by_purl: HashMap<&str, usize> = HashMap::with_capacity(components.len());
        for (i, c) in components.iter().enumerate() {
            by_purl.entry(c.purl.as_str()).or_insert(i);
        }

        let mut extracted = BTreeMap::new();
        let mut relationships = Vec::new();
        if os_id.is_some() {
            relationships.push((Node::Subject, "CONTAINS", Node::Os));
        }
        if let Some(root) = &inventory.root {
            // What the project itself (the subject) depends on.
            for dep in &root.dependencies {
                if let Some(&j) = by_purl.get(dep.as_str()) {
                    relationships.push((Node::Subject, "DEPENDS_ON", Node::Component(j)));
                }
            }
        }
        for (i, c) in components.iter().enumerate() {
            spdx_declared(&c.licenses, &mut extracted);
            let me = Node::Component(i);
            relationships.push((Node::Subject, "CONTAINS", me));
            match c.scope {
                Scope::Required => {}
                Scope::Optional => {
                    relationships.push((me, "OPTIONAL_DEPENDENCY_OF", Node::Subject))
                }
                Scope::Dev => relationships.push((me, "DEV_DEPENDENCY_OF", Node::Subject)),
            }
            for dep in &c.dependencies {
                if let Some(&j) = by_purl.get(dep.as_str())
                    && ids[j] != ids[i]
                {
                    relationships.push((me, "DEPENDS_ON", Node::Component(j)));
                }
            }
        }
        drop(by_purl);
        let mut parts = Self {
            inventory,
            subject: options.subject(inventory),
            named: options.subject_name.is_some(),
            creator: format!("Tool: {}-{}", options.tool_name, options.tool_version),
            os_id,
            ids,
            extracted,
            relationships: Vec::new(),
        };
        let key = |r: &(Node, &'static str, Node)| (parts.name(r.0), r.1, parts.name(r.2));
        relationships.sort_by(|a, b| key(a).cmp(&key(b)));
        relationships.dedup_by(|a, b| key(a) == key(b));
        relationships.insert(0, (Node::Document, "DESCRIBES", Node::Subject));
        parts.relationships = relationships;
        parts
    }

    fn name(&self, node: Node) -> &str {
        match node {
            Node::Document => "SPDXRef-DOCUMENT",
            Node::Subject => SUBJECT_ID,
            Node::Os => self.os_id.as_deref().unwrap_or(""),
            Node::Component(i) => &self.ids[i],
        }
    }

    fn document(&self, document_namespace: String, created: String) -> Document<'_> {
        Document {
            spdx_version: "SPDX-2.3",
            data_license: "CC0-1.0",
            spdx_id: "SPDXRef-DOCUMENT",
            name: self.subject,
            document_namespace,
            creation_info: CreationInfo {
                created,
                creators: vec![self.creator.clone()],
                license_list_version: "3.29",
            },
            packages: Packages(self),
            has_extracted_licensing_infos: self
                .extracted
                .iter()
                .map(|(license_id, text)| ExtractedLicence {
                    license_id: license_id.clone(),
                    name: text.clone(),
                    extracted_text: text.clone(),
                })
                .collect(),
            relationships: Relationships(self),
        }
    }

    fn subject_package(&self) -> Package {
        // The project at the top of the tree (the root crate), when the inventory names one:
        // its own name (unless the caller gave one) and version, marked first-party.
        let root = self.inventory.root.as_ref();
        Package {
            name: match root {
                Some(r) if !self.named => r.name.clone(),
                _ => self.subject.to_owned(),
            },
            version_info: root.map(|r| r.version.clone()),
            source_info: root
                .map(|_| "first-party: the project's own code, not a registry package".to_owned()),
            spdx_id: SUBJECT_ID.to_owned(),
            download_location: NOASSERTION.to_owned(),
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION.to_owned(),
            primary_package_purpose: if self.inventory.distro.is_some()
                || self.inventory.image.is_some()
            {
                "CONTAINER"
            } else {
                "APPLICATION"
            },
            ..Package::default()
        }
        .with_image(self.inventory.image.as_ref(), self.named)
    }

    fn os_package(&self) -> Option<Package> {
        let d = self.inventory.distro.as_ref()?;
        Some(Package {
            name: d.id.clone(),
            spdx_id: self.os_id.clone().unwrap_or_default(),
            version_info: d.version_id.clone().or_else(|| d.codename.clone()),
            download_location: NOASSERTION.to_owned(),
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION.to_owned(),
            description: d.pretty_name.clone(),
            primary_package_purpose: "OPERATING_SYSTEM",
            ..Package::default()
        })
    }
}

impl Package {
    /// An image subject's name, digest and purl.
    fn with_image(mut self, image: Option<&vouch_inventory::ImageSubject>, named: bool) -> Self {
        let Some(image) = image else { return self };
        if !named {
            self.name = image.name.clone();
        }
        self.version_info = image
            .manifest_digest
            .clone()
            .or_else(|| Some(image.config_digest.clone()));
        self.external_refs.push(ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: image.purl.clone(),
        });
        self
    }
}

/// `packages`, built one at a time while written.
struct Packages<'a>(&'a Parts<'a>);

impl Serialize for Packages<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parts = self.0;
        let os = parts.os_package();
        let len = 1 + usize::from(os.is_some()) + parts.inventory.components.len();
        let mut seq = serializer.serialize_seq(Some(len))?;
        seq.serialize_element(&parts.subject_package())?;
        if let Some(os) = &os {
            seq.serialize_element(os)?;
        }
        // The licence references were collected in `Parts::new`; this map only receives the
        // same entries again.
        let mut extracted = BTreeMap::new();
        for (c, id) in parts.inventory.components.iter().zip(&parts.ids) {
            seq.serialize_element(&package(c, id.clone(), &mut extracted))?;
            extracted.clear();
        }
        seq.end()
    }
}

/// `relationships`, named while written.
struct Relationships<'a>(&'a Parts<'a>);

impl Serialize for Relationships<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parts = self.0;
        let mut seq = serializer.serialize_seq(Some(parts.relationships.len()))?;
        for (from, ty, to) in &parts.relationships {
            seq.serialize_element(&Relationship {
                spdx_element_id: parts.name(*from),
                relationship_type: ty,
                related_spdx_element: parts.name(*to),
            })?;
        }
        seq.end()
    }
}

fn package(c: &Component, spdx_id: String, extracted: &mut BTreeMap<String, String>) -> Package {
    let mut found: Vec<String> = c
        .evidence
        .iter()
        .map(|e| {
            let kind = match e.kind {
                SourceKind::Lockfile => "lockfile",
                SourceKind::Installed => "installed",
            };
            match e.line {
                Some(line) => format!("{}:{line} ({kind})", e.path),
                None => format!("{} ({kind})", e.path),
            }
        })
        .collect();
    found.dedup();
    let mut info = Vec::new();
    if !found.is_empty() {
        info.push(format!("found in: {}", found.join(", ")));
    }
    if let Some(sp) = &c.source_package {
        info.push(format!(
            "built from source package {} {}",
            sp.name, sp.version
        ));
    }
    if c.first_party {
        info.push("first-party: the project's own code, not a registry package".to_owned());
    }
    Package {
        name: c.name.clone(),
        spdx_id,
        version_info: Some(c.version.clone()),
        // `Url` prints without credentials: `https://***@host/…`.
        download_location: match c.resolved.as_ref().map(ToString::to_string) {
            Some(url) if is_url(&url) => url,
            _ => NOASSERTION.to_owned(),
        },
        files_analyzed: false,
        license_concluded: NOASSERTION,
        license_declared: spdx_declared(&c.licenses, extracted),
        checksums: c
            .hashes
            .iter()
            .map(|h| Checksum {
                algorithm: h.algorithm.spdx(),
                checksum_value: h.hex.clone(),
            })
            .collect(),
        // No registry purl for first-party code (see `source_info`).
        external_refs: if c.first_party {
            Vec::new()
        } else {
            vec![ExternalRef {
                reference_category: "PACKAGE-MANAGER",
                reference_type: "purl",
                reference_locator: c.purl.clone(),
            }]
        },
        source_info: (!info.is_empty()).then(|| info.join("; ")),
        description: None,
        primary_package_purpose: "LIBRARY",
    }
}
