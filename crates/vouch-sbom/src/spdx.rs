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

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use vouch_inventory::{Component, Inventory, Scope, SourceKind};

use crate::WriteOptions;
use crate::ident::{is_url, sanitize, sha256_hex};
use crate::license::spdx_declared;

const SUBJECT_ID: &str = "SPDXRef-Subject";
const NOASSERTION: &str = "NOASSERTION";

/// The SPDX document for `inventory`, pretty-printed, with a final newline.
pub fn to_json(inventory: &Inventory, options: &WriteOptions) -> String {
    let mut doc = build(inventory, options);
    let canonical = serde_json::to_vec(&doc).unwrap_or_default();
    let hash = sha256_hex(&canonical);
    let mut name = sanitize(options.subject(inventory), 64);
    if name.is_empty() {
        name.push_str("subject");
    }
    doc.document_namespace = format!(
        "https://vouch.invalid/spdx/{name}-{}",
        hash.get(..32).unwrap_or(&hash)
    );
    doc.creation_info.created = options
        .timestamp_text()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<Package>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicence>,
    relationships: Vec<Relationship>,
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

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

fn build(inventory: &Inventory, options: &WriteOptions) -> Document {
    let subject = options.subject(inventory);
    let mut packages = Vec::with_capacity(inventory.components.len() + 2);
    let mut relationships = Vec::new();
    let mut extracted = BTreeMap::new();
    packages.push(Package {
        name: subject.to_owned(),
        spdx_id: SUBJECT_ID.to_owned(),
        download_location: NOASSERTION.to_owned(),
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_owned(),
        primary_package_purpose: if inventory.distro.is_some() {
            "CONTAINER"
        } else {
            "APPLICATION"
        },
        ..Package::default()
    });
    if let Some(d) = &inventory.distro {
        let id = format!(
            "SPDXRef-OperatingSystem-{}",
            sanitize(&d.purl_qualifier(), 64)
        );
        packages.push(Package {
            name: d.id.clone(),
            spdx_id: id.clone(),
            version_info: d.version_id.clone().or_else(|| d.codename.clone()),
            download_location: NOASSERTION.to_owned(),
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION.to_owned(),
            description: d.pretty_name.clone(),
            primary_package_purpose: "OPERATING_SYSTEM",
            ..Package::default()
        });
        relationships.push(rel(SUBJECT_ID, "CONTAINS", &id));
    }

    // SPDX identifiers, unique even if two components shared a purl.
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut component_ids = Vec::with_capacity(inventory.components.len());
    for c in &inventory.components {
        let hash = sha256_hex(c.purl.as_bytes());
        let base = format!(
            "SPDXRef-Package-{}-{}-{}",
            c.ecosystem.as_str(),
            sanitize(&c.name, 48),
            hash.get(..8).unwrap_or(&hash)
        );
        let mut id = base.clone();
        let mut n = 1;
        while !used.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        ids.entry(c.purl.as_str()).or_insert_with(|| id.clone());
        component_ids.push(id);
    }

    for (c, id) in inventory.components.iter().zip(&component_ids) {
        packages.push(package(c, id.clone(), &mut extracted));
        relationships.push(rel(SUBJECT_ID, "CONTAINS", id));
        match c.scope {
            Scope::Required => {}
            Scope::Optional => relationships.push(rel(id, "OPTIONAL_DEPENDENCY_OF", SUBJECT_ID)),
            Scope::Dev => relationships.push(rel(id, "DEV_DEPENDENCY_OF", SUBJECT_ID)),
        }
        for dep in &c.dependencies {
            if let Some(dep_id) = ids.get(dep.as_str())
                && dep_id != id
            {
                relationships.push(rel(id, "DEPENDS_ON", dep_id));
            }
        }
    }
    relationships.sort();
    relationships.dedup();
    relationships.insert(0, rel("SPDXRef-DOCUMENT", "DESCRIBES", SUBJECT_ID));

    Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: subject.to_owned(),
        document_namespace: String::new(),
        creation_info: CreationInfo {
            created: String::new(),
            creators: vec![format!(
                "Tool: {}-{}",
                options.tool_name, options.tool_version
            )],
            license_list_version: "3.29",
        },
        packages,
        has_extracted_licensing_infos: extracted
            .into_iter()
            .map(|(license_id, text)| ExtractedLicence {
                license_id,
                name: text.clone(),
                extracted_text: text,
            })
            .collect(),
        relationships,
    }
}

fn rel(from: &str, ty: &'static str, to: &str) -> Relationship {
    Relationship {
        spdx_element_id: from.to_owned(),
        relationship_type: ty,
        related_spdx_element: to.to_owned(),
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
