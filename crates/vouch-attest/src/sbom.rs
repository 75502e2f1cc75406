//! A lenient reader for the components of CycloneDX and SPDX JSON SBOMs written by other tools.
//!
//! Only what provenance needs: package URLs and digests. Unknown fields are ignored.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::slsa::ResourceDescriptor;

/// `predicateType` for a CycloneDX SBOM attestation.
pub const PREDICATE_CYCLONEDX: &str = "https://cyclonedx.org/bom";
/// `predicateType` for an SPDX SBOM attestation.
pub const PREDICATE_SPDX: &str = "https://spdx.dev/Document";

/// The SBOM format, detected from the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CycloneDx,
    Spdx,
}

impl Format {
    /// The in-toto predicate type for this format.
    pub fn predicate_type(self) -> &'static str {
        match self {
            Format::CycloneDx => PREDICATE_CYCLONEDX,
            Format::Spdx => PREDICATE_SPDX,
        }
    }
}

/// Why an SBOM could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("sbom is not valid json")]
    Json(#[source] serde_json::Error),
    #[error("sbom is neither CycloneDX (`bomFormat`) nor SPDX (`spdxVersion`) json")]
    UnknownFormat,
}

/// Detect the format of an SBOM document.
pub fn detect(doc: &serde_json::Value) -> Result<Format, ReadError> {
    if doc.get("bomFormat").and_then(|v| v.as_str()) == Some("CycloneDX") {
        Ok(Format::CycloneDx)
    } else if doc.get("spdxVersion").is_some() {
        Ok(Format::Spdx)
    } else {
        Err(ReadError::UnknownFormat)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxBom {
    components: Vec<CdxComponent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxComponent {
    name: Option<String>,
    purl: Option<String>,
    hashes: Vec<CdxHash>,
    components: Vec<CdxComponent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxHash {
    alg: String,
    content: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SpdxDoc {
    packages: Vec<SpdxPackage>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SpdxPackage {
    name: Option<String>,
    external_refs: Vec<SpdxRef>,
    checksums: Vec<SpdxChecksum>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SpdxRef {
    reference_type: String,
    reference_locator: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SpdxChecksum {
    algorithm: String,
    checksum_value: String,
}

/// in-toto digest-set name for an SBOM hash algorithm name (`SHA-256`, `SHA256`, `sha256`).
fn algorithm_name(alg: &str) -> Option<&'static str> {
    match alg.to_ascii_lowercase().replace('-', "").as_str() {
        "sha256" => Some("sha256"),
        "sha384" => Some("sha384"),
        "sha512" => Some("sha512"),
        "sha1" => Some("sha1"),
        "sha3256" => Some("sha3-256"),
        "sha3512" => Some("sha3-512"),
        _ => None,
    }
}

/// Locked dependencies (purl + digest) of an SBOM, in document order, deduplicated by purl.
/// Components without a purl are skipped; components without hashes keep an empty digest.
pub fn locked_dependencies(bytes: &[u8]) -> Result<(Format, Vec<ResourceDescriptor>), ReadError> {
    let doc: serde_json::Value = serde_json::from_slice(bytes).map_err(ReadError::Json)?;
    let format = detect(&doc)?;
    let mut out: Vec<ResourceDescriptor> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut push = |purl: String, name: Option<String>, digest: BTreeMap<String, String>| {
        if seen.insert(purl.clone()) {
            out.push(ResourceDescriptor {
                uri: Some(purl),
                digest,
                name,
            });
        }
    };
    match format {
        Format::CycloneDx => {
            let bom: CdxBom = serde_json::from_value(doc).unwrap_or_default();
            let mut stack: Vec<CdxComponent> = bom.components.into_iter().rev().collect();
            while let Some(c) = stack.pop() {
                if let Some(purl) = c.purl.filter(|p| !p.is_empty()) {
                    let digest = c
                        .hashes
                        .iter()
                        .filter_map(|h| {
                            algorithm_name(&h.alg).map(|a| (a.to_owned(), h.content.to_lowercase()))
                        })
                        .collect();
                    push(purl, c.name, digest);
                }
                stack.extend(c.components.into_iter().rev());
            }
        }
        Format::Spdx => {
            let spdx: SpdxDoc = serde_json::from_value(doc).unwrap_or_default();
            for p in spdx.packages {
                let Some(purl) = p
                    .external_refs
                    .iter()
                    .find(|r| r.reference_type.eq_ignore_ascii_case("purl"))
                    .map(|r| r.reference_locator.clone())
                else {
                    continue;
                };
                let digest = p
                    .checksums
                    .iter()
                    .filter_map(|c| {
                        algorithm_name(&c.algorithm)
                            .map(|a| (a.to_owned(), c.checksum_value.to_lowercase()))
                    })
                    .collect();
                push(purl, p.name, digest);
            }
        }
    }
    Ok((format, out))
}
