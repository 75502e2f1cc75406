//! SBOM attestations: the in-toto predicate types of CycloneDX and SPDX, and the locked
//! dependencies of an SBOM as SLSA resource descriptors.
//!
//! Reading the SBOM itself is `vouch-sbom`'s ([`vouch_sbom::read`]): this module only maps
//! what it lists to in-toto names.

use std::collections::{BTreeMap, BTreeSet};

pub use vouch_sbom::read::{Format, ReadError};

use crate::slsa::ResourceDescriptor;

/// `predicateType` for a CycloneDX SBOM attestation.
pub const PREDICATE_CYCLONEDX: &str = "https://cyclonedx.org/bom";
/// `predicateType` for an SPDX SBOM attestation.
pub const PREDICATE_SPDX: &str = "https://spdx.dev/Document";

/// The in-toto predicate type for an SBOM of this format.
pub fn predicate_type(format: &Format) -> &'static str {
    match format {
        Format::CycloneDx { .. } => PREDICATE_CYCLONEDX,
        Format::Spdx { .. } => PREDICATE_SPDX,
    }
}

/// Detect the format of an SBOM document (CycloneDX `bomFormat`, SPDX `spdxVersion`), of any
/// declared version.
pub fn detect(doc: &serde_json::Value) -> Result<Format, ReadError> {
    vouch_sbom::read::detect_value(doc)
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
/// The SBOM is read by [`vouch_sbom::read::list`].
pub fn locked_dependencies(bytes: &[u8]) -> Result<(Format, Vec<ResourceDescriptor>), ReadError> {
    let listing = vouch_sbom::read::list(bytes)?;
    let mut seen = BTreeSet::new();
    let deps = listing
        .components
        .into_iter()
        .filter(|c| seen.insert(c.purl.clone()))
        .map(|c| ResourceDescriptor {
            digest: c
                .hashes
                .iter()
                .filter_map(|(alg, value)| {
                    algorithm_name(alg).map(|a| (a.to_owned(), value.to_lowercase()))
                })
                .collect::<BTreeMap<_, _>>(),
            uri: Some(c.purl),
            name: c.name,
        })
        .collect();
    Ok((listing.format, deps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclonedx_components_in_document_order_deduplicated() {
        let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.1",
            "metadata":{"component":{"name":"app","components":[{"name":"m","purl":"pkg:npm/m@1"}]}},
            "components":[
              {"name":"b","purl":"pkg:cargo/b@2","hashes":[{"alg":"SHA-256","content":"AB"},{"alg":"MD5","content":"00"}],
               "components":[{"name":"n","purl":"pkg:generic/n"}]},
              {"name":"nopurl"},
              {"name":"a","purl":"pkg:cargo/a@1","hashes":[{"alg":"SHA3-512","content":"cd"}]},
              {"name":"b again","purl":"pkg:cargo/b@2"}
            ]}"#;
        let (format, deps) = locked_dependencies(doc).unwrap();
        assert_eq!(predicate_type(&format), PREDICATE_CYCLONEDX);
        let uris: Vec<&str> = deps.iter().filter_map(|d| d.uri.as_deref()).collect();
        assert_eq!(uris, ["pkg:cargo/b@2", "pkg:generic/n", "pkg:cargo/a@1"]);
        assert_eq!(deps[0].name.as_deref(), Some("b"));
        assert_eq!(
            deps[0].digest,
            BTreeMap::from([("sha256".to_owned(), "ab".to_owned())])
        );
        assert!(deps[1].digest.is_empty());
        assert_eq!(deps[2].digest["sha3-512"], "cd");
    }

    #[test]
    fn spdx_packages_with_purl_refs() {
        let doc = br#"{"spdxVersion":"SPDX-2.1","packages":[
            {"name":"x","externalRefs":[{"referenceType":"PURL","referenceLocator":"pkg:pypi/x@1"}],
             "checksums":[{"algorithm":"SHA1","checksumValue":"EF"}]},
            {"name":"y","externalRefs":[{"referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a"}]}
        ]}"#;
        let (format, deps) = locked_dependencies(doc).unwrap();
        assert_eq!(predicate_type(&format), PREDICATE_SPDX);
        assert_eq!(deps.len(), 1);
        assert_eq!(deps[0].uri.as_deref(), Some("pkg:pypi/x@1"));
        assert_eq!(deps[0].digest["sha1"], "ef");
    }

    #[test]
    fn neither_format_is_an_error() {
        assert!(matches!(
            locked_dependencies(br#"{"name":"x"}"#),
            Err(ReadError::UnknownFormat)
        ));
        assert!(matches!(
            locked_dependencies(b"not json"),
            Err(ReadError::Json { .. })
        ));
        assert!(matches!(
            detect(&serde_json::json!({"bomFormat": "CycloneDX"})),
            Ok(Format::CycloneDx { .. })
        ));
        assert!(detect(&serde_json::json!([1])).is_err());
    }
}
