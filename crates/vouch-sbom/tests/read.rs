//! The readers: peer tools' SBOMs, upstream test vectors, and every failure mode.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use vouch_inventory::{Ecosystem, Scope, SourcePackage};
use vouch_sbom::read::{self, Format, ReadError, ReadSbom, UnmappedReason};

fn fixture(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn read(path: &str) -> ReadSbom {
    read::parse(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn purls(sbom: &ReadSbom) -> BTreeSet<&str> {
    sbom.components.iter().map(|c| c.purl.as_str()).collect()
}

fn counts(sbom: &ReadSbom) -> Vec<(Ecosystem, usize)> {
    let mut out: Vec<(Ecosystem, usize)> = Vec::new();
    for c in &sbom.components {
        match out.last_mut() {
            Some((e, n)) if *e == c.ecosystem => *n += 1,
            _ => out.push((c.ecosystem, 1)),
        }
    }
    out
}

#[test]
fn trivy_filesystem_cyclonedx() {
    let sbom = read("peers/trivy-fs.cdx.json");
    assert_eq!(
        sbom.format,
        Format::CycloneDx {
            spec_version: "1.6".into()
        }
    );
    assert_eq!(sbom.subject.as_deref(), Some("app"));
    assert_eq!(sbom.distro, None);
    assert_eq!(
        counts(&sbom),
        [
            (Ecosystem::Npm, 74),
            (Ecosystem::PyPi, 10),
            (Ecosystem::Packagist, 2)
        ]
    );
    // Trivy's per-lockfile `application` components have no purl: kept, with the reason.
    let unmapped: Vec<(&str, Option<&str>, &UnmappedReason)> = sbom
        .unmapped
        .iter()
        .map(|u| (u.name.as_str(), u.kind.as_deref(), &u.reason))
        .collect();
    assert_eq!(
        unmapped,
        [
            (
                "py/requirements.txt",
                Some("application"),
                &UnmappedReason::NoPurl
            ),
            (
                "web/package-lock.json",
                Some("application"),
                &UnmappedReason::NoPurl
            ),
            (
                "php/composer.lock",
                Some("application"),
                &UnmappedReason::NoPurl
            ),
        ]
    );
    let types = sbom
        .components
        .iter()
        .find(|c| c.purl == "pkg:npm/%40types/debug@4.1.13")
        .expect("@types/debug");
    assert_eq!(types.name, "@types/debug");
    assert_eq!(types.version, "4.1.13");
    let guzzle = sbom
        .components
        .iter()
        .find(|c| c.name == "guzzlehttp/guzzle")
        .expect("guzzle");
    assert_eq!(guzzle.purl, "pkg:composer/guzzlehttp/guzzle@7.4.4");
    assert_eq!(guzzle.licenses, ["MIT"]);
    assert!(
        guzzle
            .dependencies
            .iter()
            .any(|d| d.starts_with("pkg:composer/guzzlehttp/psr7@")),
        "{:?}",
        guzzle.dependencies
    );
    assert!(sbom.components.iter().all(|c| c.evidence.is_empty()));
}

#[test]
fn trivy_filesystem_spdx_matches_its_cyclonedx() {
    let cdx = read("peers/trivy-fs.cdx.json");
    let spdx = read("peers/trivy-fs.spdx.json");
    assert_eq!(
        spdx.format,
        Format::Spdx {
            version: "2.3".into()
        }
    );
    assert_eq!(spdx.subject.as_deref(), Some("app"));
    assert_eq!(purls(&spdx), purls(&cdx));
    assert_eq!(spdx.unmapped.len(), 3);
    assert!(spdx.unmapped.iter().all(|u| u.reason == UnmappedReason::NoPurl && u.kind.as_deref() == Some("APPLICATION")));
    for c in &cdx.components {
        let s = spdx
            .components
            .iter()
            .find(|s| s.purl == c.purl)
            .expect("same purl");
        assert_eq!(
            (s.ecosystem, &s.name, &s.version),
            (c.ecosystem, &c.name, &c.version)
        );
        assert_eq!(s.dependencies, c.dependencies, "{}", c.purl);
    }
}

#[test]
fn trivy_rootfs_cyclonedx_and_spdx() {
    let cdx = read("peers/trivy-rootfs.cdx.json");
    let spdx = read("peers/trivy-rootfs.spdx.json");
    for sbom in [&cdx, &spdx] {
        assert_eq!(counts(sbom), [(Ecosystem::Debian, 90)], "{}", sbom.format);
        assert!(
            sbom.unmapped.is_empty(),
            "{}: {:?}",
            sbom.format,
            sbom.unmapped
        );
        let distro = sbom.distro.as_ref().expect("distro");
        assert_eq!(
            (distro.id.as_str(), distro.version_id.as_deref()),
            ("debian", Some("12.5"))
        );
    }
    assert_eq!(purls(&cdx), purls(&spdx));
    let apt = cdx
        .components
        .iter()
        .find(|c| c.name == "apt")
        .expect("apt");
    assert_eq!(
        apt.purl,
        "pkg:deb/debian/apt@1.6.3ubuntu0.1?arch=amd64&distro=debian-12.5"
    );
    assert_eq!(
        apt.source_package,
        Some(SourcePackage {
            name: "apt".into(),
            version: "1.6.3ubuntu0.1".into()
        })
    );
    // Trivy writes the epoch as a purl qualifier and the source version as version + release;
    // both are joined back the way dpkg spells them.
    for sbom in [&cdx, &spdx] {
        let bsdutils = sbom
            .components
            .iter()
            .find(|c| c.name == "bsdutils")
            .expect("bsdutils");
        assert_eq!(bsdutils.version, "1:2.31.1-0.4ubuntu3.1", "{}", sbom.format);
        assert_eq!(
            bsdutils.purl,
            "pkg:deb/debian/bsdutils@2.31.1-0.4ubuntu3.1?arch=amd64&distro=debian-12.5&epoch=1"
        );
    }
    let bsdutils = cdx
        .components
        .iter()
        .find(|c| c.name == "bsdutils")
        .expect("bsdutils");
    assert_eq!(
        bsdutils.source_package,
        Some(SourcePackage {
            name: "util-linux".into(),
            version: "2.31.1-0.4ubuntu3.1".into()
        })
    );
}

/// The test validator agrees with the peers' own validators: their CycloneDX passes; Trivy's
/// SPDX spells the purpose `OPERATING-SYSTEM`, which the SPDX 2.3 JSON schema (enum
/// `OPERATING_SYSTEM`) rejects, and which the reader accepts anyway.
#[test]
fn peer_documents_against_the_schemas() {
    for p in [
        "peers/trivy-fs.cdx.json",
        "peers/trivy-rootfs.cdx.json",
        "peers/cdxgen-js.cdx.json",
    ] {
        let text = String::from_utf8(fixture(p)).expect("utf-8");
        assert_eq!(common::cyclonedx_errors(&text), Vec::<String>::new(), "{p}");
    }
    let fs = String::from_utf8(fixture("peers/trivy-fs.spdx.json")).expect("utf-8");
    assert_eq!(common::spdx_errors(&fs), Vec::<String>::new());
    let rootfs = String::from_utf8(fixture("peers/trivy-rootfs.spdx.json")).expect("utf-8");
    let errors = common::spdx_errors(&rootfs);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("\"OPERATING-SYSTEM\" is not one of"),
        "{errors:?}"
    );
}

#[test]
fn cdxgen_npm_cyclonedx() {
    let sbom = read("peers/cdxgen-js.cdx.json");
    assert_eq!(
        sbom.format,
        Format::CycloneDx {
            spec_version: "1.6".into()
        }
    );
    assert_eq!(sbom.subject.as_deref(), Some("setup-slsa-verifier"));
    assert_eq!(counts(&sbom), [(Ecosystem::Npm, 306)]);
    assert!(sbom.unmapped.is_empty(), "{:?}", sbom.unmapped);
    let core = sbom
        .components
        .iter()
        .find(|c| c.purl == "pkg:npm/%40actions/core@1.11.1")
        .expect("@actions/core");
    assert_eq!(core.name, "@actions/core");
    assert_eq!(core.hashes.len(), 1);
    assert_eq!(
        core.resolved.as_ref().map(vouch_inventory::Url::expose),
        Some("https://registry.npmjs.org/@actions/core/-/core-1.11.1.tgz")
    );
    // cdxgen's bom-refs are unencoded purls; dependencies still resolve to the canonical ones.
    assert!(!core.dependencies.is_empty());
    assert!(
        core.dependencies.iter().all(|d| d.starts_with("pkg:npm/")),
        "{:?}",
        core.dependencies
    );
}

#[test]
fn spdx_2_3_official_example() {
    let sbom = read("spdx-examples/SPDXJSONExample-v2.3.spdx.json");
    assert_eq!(
        sbom.format,
        Format::Spdx {
            version: "2.3".into()
        }
    );
    assert_eq!(sbom.subject.as_deref(), Some("glibc"));
    // Maven purls map (issue #14): Jena is a component.
    assert_eq!(
        sbom.components
            .iter()
            .map(|c| (c.name.as_str(), c.version.as_str(), c.purl.as_str()))
            .collect::<Vec<_>>(),
        [(
            "org.apache.jena:apache-jena",
            "3.12.0",
            "pkg:maven/org.apache.jena/apache-jena@3.12.0"
        )]
    );
    let got: Vec<(&str, &UnmappedReason)> = sbom
        .unmapped
        .iter()
        .map(|u| (u.name.as_str(), &u.reason))
        .collect();
    assert_eq!(
        got,
        [
            ("Apache Commons Lang", &UnmappedReason::NoPurl),
            ("Saxon", &UnmappedReason::NoPurl),
        ]
    );
}

#[test]
fn cyclonedx_upstream_vectors_read_and_validate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cyclonedx-test-vectors");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("vectors")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let (mut valid, mut invalid) = (0, 0);
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).expect("read");
        let errors = common::cyclonedx_errors(&text);
        if name.starts_with("valid-") {
            valid += 1;
            assert!(
                errors.is_empty(),
                "{name} should pass the schema: {errors:?}"
            );
            let sbom = read::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                sbom.format,
                Format::CycloneDx {
                    spec_version: "1.6".into()
                },
                "{name}"
            );
        } else {
            invalid += 1;
            // The validator must reject what the specification's own tests reject, or it
            // would prove nothing about vouch's output.
            assert!(!errors.is_empty(), "{name} should fail the schema");
        }
    }
    assert_eq!((valid, invalid), (45, 25));
    let sbom = read("cyclonedx-test-vectors/valid-component-hashes-1.6.json");
    assert!(!sbom.components.is_empty() || !sbom.unmapped.is_empty());
}

#[test]
fn unmapped_reasons_and_merging() {
    let sbom = read("read-errors/unmapped.cdx.json");
    assert_eq!(
        sbom.format,
        Format::CycloneDx {
            spec_version: "1.4".into()
        }
    );
    assert_eq!(sbom.subject.as_deref(), Some("acme/shop"));
    let got: Vec<(&str, &UnmappedReason)> = sbom
        .unmapped
        .iter()
        .map(|u| (u.name.as_str(), &u.reason))
        .collect();
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(
        got[0],
        ("phoenix", &UnmappedReason::UnsupportedType("hex".into()))
    );
    assert_eq!(got[1], ("vendored-thing", &UnmappedReason::NoPurl));
    assert_eq!(got[2].0, "broken");
    assert!(
        matches!(got[2].1, UnmappedReason::InvalidPurl(_)),
        "{:?}",
        got[2]
    );
    assert_eq!(got[3], ("left-pad", &UnmappedReason::NoVersion));

    let names: Vec<(&str, &str, &str)> = sbom
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.version.as_str(), c.purl.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("nested", "0.1.0", "pkg:cargo/nested@0.1.0"),
            ("left-pad", "1.3", "pkg:npm/left-pad@1.3"),
            ("lodash", "4.17.21", "pkg:npm/lodash@4.17.21"),
        ]
    );
    let lodash = &sbom.components[2];
    // Two entries with one purl merge: the stronger scope wins, the edge of either is kept.
    assert_eq!(lodash.scope, Scope::Required);
    assert_eq!(
        lodash.hashes.len(),
        1,
        "the SHA-1 is kept, the unknown BLAKE3 is not"
    );
    assert_eq!(lodash.licenses, ["MIT"]);
    assert_eq!(lodash.dependencies, ["pkg:cargo/nested@0.1.0"]);
    assert_eq!(sbom.components[0].licenses, ["MIT OR Apache-2.0"]);
}

#[test]
fn into_inventory_keeps_unmapped_as_warnings() {
    let inv = read("peers/trivy-fs.cdx.json").into_inventory("sboms/app.cdx.json");
    assert_eq!(inv.subject, "app");
    assert_eq!(inv.components.len(), 86);
    assert_eq!(inv.files.len(), 1);
    assert_eq!(
        (
            inv.files[0].path.as_str(),
            inv.files[0].kind.as_str(),
            inv.files[0].packages
        ),
        ("sboms/app.cdx.json", "CycloneDX 1.6", 86)
    );
    let messages: Vec<&str> = inv.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "component `php/composer.lock` not evaluated: no purl",
            "component `py/requirements.txt` not evaluated: no purl",
            "component `web/package-lock.json` not evaluated: no purl",
        ]
    );
    let inv = read("read-errors/unmapped.cdx.json").into_inventory("x.json");
    assert!(inv.warnings.iter().any(|w| w.message
        == "component `phoenix` 1.7.14 not evaluated: purl type `hex` is not supported"));
}

#[test]
fn errors_name_the_reason() {
    let err = |p: &str| read::parse(&fixture(p)).expect_err(p);
    assert_eq!(
        err("read-errors/trailing-comma.cdx.json"),
        ReadError::Json {
            line: 5,
            column: 20,
            message: "key must be a string".into()
        }
    );
    assert_eq!(err("read-errors/bom.cdx.xml"), ReadError::Xml);
    assert_eq!(err("read-errors/doc.spdx"), ReadError::TagValue);
    assert_eq!(err("read-errors/unknown.json"), ReadError::UnknownFormat);
    assert_eq!(
        err("read-errors/cdx-1.1.json"),
        ReadError::UnsupportedCycloneDx("1.1".into())
    );
    assert_eq!(
        err("read-errors/spdx-3.json"),
        ReadError::UnsupportedSpdx("SPDX-3.0".into())
    );
    let e = err("read-errors/components-not-array.cdx.json");
    assert!(
        matches!(
            &e,
            ReadError::Invalid {
                format: "CycloneDX",
                line: 4,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("invalid CycloneDX document at line 4 column "),
        "{e}"
    );
    let e = err("read-errors/checksums-not-array.spdx.json");
    assert!(
        matches!(
            &e,
            ReadError::Invalid {
                format: "SPDX",
                line: 4,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        read::parse(b"").expect_err("empty"),
        ReadError::Json {
            line: 1,
            column: 0,
            message: "EOF while parsing a value".into()
        }
    );
    assert_eq!(
        read::parse(b"[]").expect_err("array"),
        ReadError::UnknownFormat
    );
}

#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz-regressions") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        let _ = read::parse(&bytes);
        n += 1;
    }
    assert!(n > 0, "no regression inputs in {}", dir.display());
}

#[test]
fn nulls_count_as_empty() {
    let cdx = read::parse(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":null,"components":[{"name":"a","purl":"pkg:npm/a@1.0.0","hashes":null,"licenses":null,"properties":null,"components":null}],"dependencies":null}"#,
    )
    .expect("nulls are empty");
    assert_eq!(cdx.components.len(), 1);
    let spdx = read::parse(br#"{"spdxVersion":"SPDX-2.2","packages":null,"relationships":null}"#)
        .expect("nulls");
    assert_eq!(
        spdx.format,
        Format::Spdx {
            version: "2.2".into()
        }
    );
    assert!(spdx.components.is_empty() && spdx.unmapped.is_empty());
}

/// A cheap, deterministic stand-in for the fuzzer that runs with every `cargo test`: byte
/// flips, truncations and splices of real documents must never panic the readers.
#[test]
fn mutated_documents_do_not_panic() {
    let seeds = [
        fixture("read-errors/unmapped.cdx.json"),
        fixture("spdx-examples/SPDXJSONExample-v2.3.spdx.json"),
        fixture("cyclonedx-test-vectors/valid-dependency-1.6.json"),
        fixture("cyclonedx-test-vectors/valid-license-expression-1.6.json"),
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let interesting: &[&[u8]] = &[
        b"null",
        b"[]",
        b"{}",
        b"\"pkg:\"",
        b"1e999",
        b"\"\\u0000\"",
        b"-0",
        b"\"pkg:npm/%40/a@\"",
    ];
    for round in 0..3000 {
        let seed = &seeds[round % seeds.len()];
        let mut doc = seed.clone();
        for _ in 0..1 + next() % 4 {
            if doc.is_empty() {
                break;
            }
            let at = (next() as usize) % doc.len();
            match next() % 4 {
                0 => doc[at] = (next() & 0xff) as u8,
                1 => doc.truncate(at),
                2 => {
                    let piece = interesting[(next() as usize) % interesting.len()];
                    doc.splice(at..at, piece.iter().copied());
                }
                _ => {
                    let end = (at + (next() as usize) % 64).min(doc.len());
                    doc.drain(at..end);
                }
            }
        }
        let _ = read::parse(&doc);
    }
}
