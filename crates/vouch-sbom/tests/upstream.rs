//! The purl `upstream` qualifier (Syft's way of naming a distro package's source package) gives
//! the component its source package when the document has no source-package property, so
//! `vouch vulns --sbom` and the gate match `libc6` through `glibc` as Debian's advisories need.

use vouch_inventory::SourcePackage;

fn sources(doc: &str) -> Vec<(String, Option<SourcePackage>)> {
    let sbom = vouch_sbom::read::parse(doc.as_bytes()).unwrap();
    sbom.components
        .into_iter()
        .map(|c| (c.name, c.source_package))
        .collect()
}

fn sp(name: &str, version: &str) -> Option<SourcePackage> {
    Some(SourcePackage {
        name: name.into(),
        version: version.into(),
    })
}

#[test]
fn upstream_qualifier_names_the_source_package_in_spdx_and_cyclonedx() {
    let spdx = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x",
      "dataLicense":"CC0-1.0","documentNamespace":"https://example.invalid/x",
      "creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Tool: syft-1.18.0"]},
      "packages":[
        {"SPDXID":"SPDXRef-1","name":"libc6","versionInfo":"2.36-9+deb12u1","downloadLocation":"NOASSERTION",
         "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
           "referenceLocator":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=amd64&upstream=glibc&distro=debian-12"}]},
        {"SPDXID":"SPDXRef-2","name":"libssl3","versionInfo":"3.0.11-1~deb12u2+b1","downloadLocation":"NOASSERTION",
         "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
           "referenceLocator":"pkg:deb/debian/libssl3@3.0.11-1~deb12u2%2Bb1?arch=amd64&upstream=openssl%403.0.11-1~deb12u2&distro=debian-12"}]},
        {"SPDXID":"SPDXRef-3","name":"bash","versionInfo":"5.2.15-2+b2","downloadLocation":"NOASSERTION",
         "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
           "referenceLocator":"pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12"}]}
      ]}"#;
    assert_eq!(
        sources(spdx),
        vec![
            ("bash".to_owned(), None),
            ("libc6".to_owned(), sp("glibc", "2.36-9+deb12u1")),
            ("libssl3".to_owned(), sp("openssl", "3.0.11-1~deb12u2")),
        ]
    );
    // A source-package property wins over the qualifier.
    let cdx = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
      {"type":"library","name":"libc6","version":"2.36-9","purl":"pkg:deb/debian/libc6@2.36-9?upstream=eglibc",
       "properties":[{"name":"syft:metadata:source","value":"glibc"},
                     {"name":"syft:metadata:sourceVersion","value":"2.36-9"}]},
      {"type":"library","name":"musl-utils","version":"1.2.4-r2","purl":"pkg:apk/alpine/musl-utils@1.2.4-r2?arch=x86_64&upstream=musl&distro=alpine-3.19.1"}]}"#;
    assert_eq!(
        sources(cdx),
        vec![
            ("libc6".to_owned(), sp("glibc", "2.36-9")),
            ("musl-utils".to_owned(), sp("musl", "1.2.4-r2")),
        ]
    );
}

#[test]
fn vouchs_own_spdx_source_info_gives_the_source_package_back() {
    let spdx = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x",
      "dataLicense":"CC0-1.0","documentNamespace":"https://example.invalid/x",
      "creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Tool: vouch"]},
      "packages":[
        {"SPDXID":"SPDXRef-1","name":"libc6","versionInfo":"2.27-3ubuntu1","downloadLocation":"NOASSERTION",
         "sourceInfo":"found in: var/lib/dpkg/status:829 (installed); built from source package glibc 2.27-3ubuntu1",
         "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
           "referenceLocator":"pkg:deb/debian/libc6@2.27-3ubuntu1?arch=amd64&distro=debian-12"}]},
        {"SPDXID":"SPDXRef-2","name":"bash","versionInfo":"5.2.15-2","downloadLocation":"NOASSERTION",
         "sourceInfo":"built from source package bash",
         "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
           "referenceLocator":"pkg:deb/debian/bash@5.2.15-2?arch=amd64&distro=debian-12"}]}
      ]}"#;
    assert_eq!(
        sources(spdx),
        vec![
            // A sentence without a version is not vouch's: no source package.
            ("bash".to_owned(), None),
            ("libc6".to_owned(), sp("glibc", "2.27-3ubuntu1")),
        ]
    );
}
