//! SPDX 2.2 / 2.3 JSON, leniently.

use std::collections::BTreeSet;

use serde::Deserialize;
use vouch_inventory::{Distro, Scope, SourcePackage};

use super::{
    Format, Found, Listed, ReadError, ReadSbom, assemble, hash, lenient_string, licence,
    null_default,
};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Document {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(rename = "documentDescribes", deserialize_with = "null_default")]
    document_describes: Vec<serde_json::Value>,
    #[serde(deserialize_with = "null_default")]
    packages: Vec<Package>,
    #[serde(deserialize_with = "null_default")]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Package {
    #[serde(rename = "SPDXID", deserialize_with = "lenient_string")]
    spdx_id: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(rename = "versionInfo", deserialize_with = "lenient_string")]
    version_info: Option<String>,
    #[serde(rename = "downloadLocation", deserialize_with = "lenient_string")]
    download_location: Option<String>,
    #[serde(rename = "licenseDeclared", deserialize_with = "lenient_string")]
    license_declared: Option<String>,
    #[serde(rename = "licenseConcluded", deserialize_with = "lenient_string")]
    license_concluded: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    description: Option<String>,
    #[serde(deserialize_with = "null_default")]
    checksums: Vec<Checksum>,
    #[serde(rename = "externalRefs", deserialize_with = "null_default")]
    external_refs: Vec<ExternalRef>,
    #[serde(rename = "primaryPackagePurpose", deserialize_with = "lenient_string")]
    purpose: Option<String>,
    #[serde(rename = "sourceInfo", deserialize_with = "lenient_string")]
    source_info: Option<String>,
}

/// The source package vouch's SPDX writer records in `sourceInfo` (`…; built from source
/// package glibc 2.36-9+deb12u3; …`): SPDX 2.3 has no field for it, and distro advisories are
/// keyed by it.
fn source_package_of(info: Option<&str>) -> Option<SourcePackage> {
    info?.split("; ").find_map(|part| {
        let mut words = part
            .strip_prefix("built from source package ")?
            .split_whitespace();
        let (name, version) = (words.next()?, words.next()?);
        words.next().is_none().then(|| SourcePackage {
            name: name.to_owned(),
            version: version.to_owned(),
        })
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Checksum {
    #[serde(deserialize_with = "lenient_string")]
    algorithm: Option<String>,
    #[serde(rename = "checksumValue", deserialize_with = "lenient_string")]
    value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExternalRef {
    #[serde(rename = "referenceType", deserialize_with = "lenient_string")]
    ty: Option<String>,
    #[serde(rename = "referenceLocator", deserialize_with = "lenient_string")]
    locator: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Relationship {
    #[serde(rename = "spdxElementId", deserialize_with = "lenient_string")]
    from: Option<String>,
    #[serde(rename = "relationshipType", deserialize_with = "lenient_string")]
    ty: Option<String>,
    #[serde(rename = "relatedSpdxElement", deserialize_with = "lenient_string")]
    to: Option<String>,
}

pub(super) fn read(bytes: &[u8], version: String) -> Result<ReadSbom, ReadError> {
    let doc: Document =
        serde_json::from_slice(bytes).map_err(|e| ReadError::invalid("SPDX", &e))?;
    let mut described: BTreeSet<&str> = doc
        .document_describes
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let mut edges = Vec::new();
    let mut dev: BTreeSet<&str> = BTreeSet::new();
    let mut optional: BTreeSet<&str> = BTreeSet::new();
    for r in &doc.relationships {
        let (Some(from), Some(ty), Some(to)) =
            (r.from.as_deref(), r.ty.as_deref(), r.to.as_deref())
        else {
            continue;
        };
        match ty {
            "DESCRIBES" if from == "SPDXRef-DOCUMENT" => {
                described.insert(to);
            }
            "DESCRIBED_BY" if to == "SPDXRef-DOCUMENT" => {
                described.insert(from);
            }
            "DEPENDS_ON" => edges.push((from.to_owned(), to.to_owned())),
            // `A X_DEPENDENCY_OF B`: B depends on A.
            _ if ty.ends_with("DEPENDENCY_OF") => {
                edges.push((to.to_owned(), from.to_owned()));
                match ty {
                    "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" => {
                        dev.insert(from);
                    }
                    "OPTIONAL_DEPENDENCY_OF" => {
                        optional.insert(from);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let described_packages: Vec<&Package> = doc
        .packages
        .iter()
        .filter(|p| {
            p.spdx_id
                .as_deref()
                .is_some_and(|id| described.contains(id))
        })
        .collect();
    let subject = match described_packages.as_slice() {
        [one] => one.name.clone(),
        _ => doc.name.clone(),
    };
    let mut distro = None;
    let mut found = Vec::new();
    for p in &doc.packages {
        let id = p.spdx_id.as_deref().unwrap_or_default();
        if described.contains(id) && described_packages.len() == 1 {
            continue;
        }
        let purl = p
            .external_refs
            .iter()
            .find(|r| r.ty.as_deref() == Some("purl"))
            .and_then(|r| r.locator.clone());
        if matches!(
            p.purpose.as_deref(),
            Some("OPERATING_SYSTEM" | "OPERATING-SYSTEM")
        ) && purl.is_none()
            && distro.is_none()
            && let Some(name) = p.name.as_deref().filter(|n| !n.is_empty())
        {
            distro = Some(Distro {
                id: name.to_ascii_lowercase(),
                version_id: p.version_info.clone(),
                codename: None,
                pretty_name: p.description.clone(),
            });
            continue;
        }
        let licenses = licence(p.license_declared.as_deref())
            .or_else(|| licence(p.license_concluded.as_deref()))
            .into_iter()
            .collect();
        found.push(Found {
            id: p.spdx_id.clone(),
            name: p.name.clone().unwrap_or_default(),
            version: p.version_info.clone(),
            kind: p.purpose.clone(),
            purl,
            scope: if dev.contains(id) {
                Scope::Dev
            } else if optional.contains(id) {
                Scope::Optional
            } else {
                Scope::Required
            },
            hashes: p
                .checksums
                .iter()
                .filter_map(|c| hash(c.algorithm.as_deref()?, c.value.as_deref()?))
                .collect(),
            licenses,
            source_package: source_package_of(p.source_info.as_deref()),
            resolved: p
                .download_location
                .clone()
                .filter(|l| !matches!(l.as_str(), "NOASSERTION" | "NONE" | "")),
            // vouch writes first-party packages without a purl: they stay unmapped as such.
            first_party: false,
        });
    }
    Ok(assemble(
        Format::Spdx { version },
        subject,
        distro,
        found,
        &edges,
    ))
}

pub(super) fn list(bytes: &[u8]) -> Result<Vec<Listed>, ReadError> {
    let doc: Document =
        serde_json::from_slice(bytes).map_err(|e| ReadError::invalid("SPDX", &e))?;
    Ok(doc
        .packages
        .into_iter()
        .filter_map(|p| {
            let purl = p
                .external_refs
                .into_iter()
                .find(|r| {
                    r.ty.as_deref()
                        .is_some_and(|t| t.eq_ignore_ascii_case("purl"))
                })
                .and_then(|r| r.locator)
                .filter(|l| !l.is_empty())?;
            Some(Listed {
                name: p.name,
                purl,
                hashes: p
                    .checksums
                    .into_iter()
                    .map(|c| (c.algorithm.unwrap_or_default(), c.value.unwrap_or_default()))
                    .collect(),
            })
        })
        .collect())
}
