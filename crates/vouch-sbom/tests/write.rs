//! The writers: schema validity, snapshots, determinism, content-derived identity.

mod common;

use common::{app_inventory, assert_valid_cyclonedx, assert_valid_spdx, options, sample_inventory};
use serde_json::Value;
use vouch_inventory::{Ecosystem, Inventory, Scope};
use vouch_sbom::{WriteOptions, cyclonedx, read, spdx};

fn json(s: &str) -> Value {
    serde_json::from_str(s).expect("writer output is JSON")
}

fn component<'a>(bom: &'a Value, purl: &str) -> &'a Value {
    bom["components"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["purl"] == purl))
        .unwrap_or_else(|| panic!("no component {purl}"))
}

#[test]
fn cyclonedx_sample_is_valid_and_stable() {
    let out = cyclonedx::to_json(&sample_inventory(), &options());
    assert_valid_cyclonedx(&out);
    insta::assert_snapshot!("cyclonedx_sample", out);
}

#[test]
fn spdx_sample_is_valid_and_stable() {
    let out = spdx::to_json(&sample_inventory(), &options());
    assert_valid_spdx(&out);
    insta::assert_snapshot!("spdx_sample", out);
}

#[test]
fn application_without_distro_is_valid_and_stable() {
    let inv = app_inventory();
    let cdx = cyclonedx::to_json(&inv, &options());
    let spdx = spdx::to_json(&inv, &options());
    assert_valid_cyclonedx(&cdx);
    assert_valid_spdx(&spdx);
    insta::assert_snapshot!("cyclonedx_app", cdx);
    insta::assert_snapshot!("spdx_app", spdx);
    let bom = json(&cdx);
    assert_eq!(bom["metadata"]["component"]["type"], "application");
    let doc = json(&spdx);
    assert_eq!(doc["packages"][0]["primaryPackagePurpose"], "APPLICATION");
}

#[test]
fn empty_inventory_is_valid() {
    let inv = Inventory::build("empty", None, vec![], vec![]);
    let cdx = cyclonedx::to_json(&inv, &WriteOptions::new("0.1.0"));
    let spdx = spdx::to_json(&inv, &WriteOptions::new("0.1.0"));
    assert_valid_cyclonedx(&cdx);
    assert_valid_spdx(&spdx);
    assert_eq!(json(&cdx)["components"], Value::Array(vec![]));
}

#[test]
fn output_is_byte_identical_across_runs() {
    let a = sample_inventory();
    let b = sample_inventory();
    assert_eq!(
        cyclonedx::to_json(&a, &options()),
        cyclonedx::to_json(&b, &options())
    );
    assert_eq!(spdx::to_json(&a, &options()), spdx::to_json(&b, &options()));
}

fn serial(inv: &Inventory, opts: &WriteOptions) -> String {
    json(&cyclonedx::to_json(inv, opts))["serialNumber"]
        .as_str()
        .expect("serial")
        .to_owned()
}

fn namespace(inv: &Inventory, opts: &WriteOptions) -> String {
    json(&spdx::to_json(inv, opts))["documentNamespace"]
        .as_str()
        .expect("namespace")
        .to_owned()
}

#[test]
fn identity_follows_content_not_time() {
    let inv = sample_inventory();
    let later = WriteOptions::new("0.1.0").timestamp("2027-06-01T00:00:00Z".parse().expect("ts"));
    assert_eq!(serial(&inv, &options()), serial(&inv, &later));
    assert_eq!(namespace(&inv, &options()), namespace(&inv, &later));

    let mut changed = sample_inventory();
    let c = changed
        .components
        .iter_mut()
        .find(|c| c.name == "ms")
        .expect("ms");
    c.version = "2.1.3".into();
    c.purl = "pkg:npm/ms@2.1.3".into();
    assert_ne!(serial(&inv, &options()), serial(&changed, &options()));
    assert_ne!(namespace(&inv, &options()), namespace(&changed, &options()));

    let mut licence = sample_inventory();
    let c = licence
        .components
        .iter_mut()
        .find(|c| c.name == "ms")
        .expect("ms");
    c.licenses = vec!["ISC".into()];
    assert_ne!(serial(&inv, &options()), serial(&licence, &options()));
    assert_ne!(namespace(&inv, &options()), namespace(&licence, &options()));

    assert!(serial(&inv, &options()).starts_with("urn:uuid:"));
    assert!(namespace(&inv, &options()).starts_with("https://vouch.invalid/spdx/demo-image-"));
}

#[test]
fn timestamps_are_passed_in() {
    let inv = sample_inventory();
    let none = WriteOptions::new("0.1.0");
    let bom = json(&cyclonedx::to_json(&inv, &none));
    assert!(bom["metadata"].get("timestamp").is_none());
    assert_eq!(
        json(&spdx::to_json(&inv, &none))["creationInfo"]["created"],
        "1970-01-01T00:00:00Z"
    );
    // Sub-second precision is dropped: SPDX wants YYYY-MM-DDThh:mm:ssZ.
    let precise =
        WriteOptions::new("0.1.0").timestamp("2026-01-02T03:04:05.678Z".parse().expect("ts"));
    assert_eq!(
        json(&cyclonedx::to_json(&inv, &precise))["metadata"]["timestamp"],
        "2026-01-02T03:04:05Z"
    );
    assert_eq!(
        json(&spdx::to_json(&inv, &precise))["creationInfo"]["created"],
        "2026-01-02T03:04:05Z"
    );
}

#[test]
fn subject_name_overrides_the_inventory_subject() {
    let inv = sample_inventory();
    let opts = options().subject_name("registry.example/app:1.0");
    let bom = json(&cyclonedx::to_json(&inv, &opts));
    assert_eq!(
        bom["metadata"]["component"]["name"],
        "registry.example/app:1.0"
    );
    let doc = json(&spdx::to_json(&inv, &opts));
    assert_eq!(doc["name"], "registry.example/app:1.0");
    assert!(
        doc["documentNamespace"]
            .as_str()
            .expect("ns")
            .starts_with("https://vouch.invalid/spdx/registry.example-app-1.0-")
    );
}

#[test]
fn cyclonedx_mapping_choices() {
    let bom = json(&cyclonedx::to_json(&sample_inventory(), &options()));
    assert_eq!(bom["metadata"]["tools"]["components"][0]["name"], "vouch");
    assert_eq!(
        bom["metadata"]["tools"]["components"][0]["version"],
        "0.1.0"
    );
    assert_eq!(bom["metadata"]["component"]["type"], "container");
    let os = &bom["components"][0];
    assert_eq!(os["type"], "operating-system");
    assert_eq!(os["name"], "debian");
    assert_eq!(os["version"], "12");

    let babel = component(&bom, "pkg:npm/%40babel/core@7.24.0");
    assert_eq!(babel["group"], "@babel");
    assert_eq!(babel["name"], "core");
    assert_eq!(babel["bom-ref"], "pkg:npm/%40babel/core@7.24.0");
    assert_eq!(
        babel["licenses"],
        serde_json::json!([{ "license": { "id": "MIT" } }])
    );
    let occurrences = &babel["evidence"]["occurrences"];
    assert_eq!(
        *occurrences,
        serde_json::json!([
            { "location": "app/node_modules/@babel/core/package.json" },
            { "location": "app/package-lock.json", "line": 12 }
        ])
    );
    assert_eq!(babel["externalReferences"][0]["type"], "distribution");
    assert_eq!(babel["hashes"][0]["alg"], "SHA-512");
    let kinds: Vec<&Value> = babel["properties"]
        .as_array()
        .expect("props")
        .iter()
        .map(|p| &p["value"])
        .collect();
    assert_eq!(kinds, ["lockfile", "installed"]);

    assert_eq!(component(&bom, "pkg:npm/jest@29.7.0")["scope"], "excluded");
    assert_eq!(
        component(&bom, "pkg:npm/fsevents@2.3.3")["scope"],
        "optional"
    );
    assert_eq!(component(&bom, "pkg:npm/ms@2.1.2")["scope"], "required");

    let serde = component(&bom, "pkg:cargo/serde@1.0.197");
    assert_eq!(
        serde["licenses"],
        serde_json::json!([{ "expression": "MIT OR Apache-2.0" }])
    );
    assert!(
        serde.get("externalReferences").is_none(),
        "registry+https is not a download URL"
    );
    assert_eq!(serde["hashes"][0]["alg"], "SHA-256");
    let requests = component(&bom, "pkg:pypi/requests@2.31.0");
    assert_eq!(
        requests["licenses"],
        serde_json::json!([{ "license": { "name": "Apache 2.0" } }])
    );
    let pydantic = component(&bom, "pkg:pypi/pydantic@2.5.0");
    assert_eq!(
        pydantic["licenses"],
        serde_json::json!([{ "expression": "(Apache-2.0 OR BSD-3-Clause) AND MIT" }])
    );

    let passwd = component(
        &bom,
        "pkg:deb/debian/passwd@1:4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12",
    );
    assert_eq!(passwd["version"], "1:4.13+dfsg1-1+b1");
    let props = passwd["properties"].as_array().expect("props");
    assert!(
        props.contains(&serde_json::json!({ "name": "vouch:source-package", "value": "shadow" }))
    );
    assert!(props.contains(
        &serde_json::json!({ "name": "vouch:source-package-version", "value": "1:4.13+dfsg1-1" })
    ));
    assert_eq!(passwd["type"], "library");

    let deps = bom["dependencies"].as_array().expect("deps");
    let find = |r: &str| {
        deps.iter()
            .find(|d| d["ref"] == r)
            .unwrap_or_else(|| panic!("no dependency entry {r}"))
    };
    assert_eq!(
        deps.len(),
        bom["components"].as_array().expect("c").len() + 1,
        "one entry per component + subject"
    );
    assert_eq!(
        find("pkg:npm/%40babel/core@7.24.0")["dependsOn"],
        serde_json::json!(["pkg:npm/debug@4.3.4"])
    );
    // A name-only reference resolves when one version is present.
    assert_eq!(
        find("pkg:npm/debug@4.3.4")["dependsOn"],
        serde_json::json!(["pkg:npm/ms@2.1.2"])
    );
    let subject = find("vouch:subject:demo-image")["dependsOn"]
        .as_array()
        .expect("subject deps")
        .clone();
    assert!(subject.contains(&Value::from("vouch:os:debian-12")));
    assert!(subject.contains(&Value::from("pkg:npm/%40babel/core@7.24.0")));
    assert!(
        !subject.contains(&Value::from("pkg:npm/ms@2.1.2")),
        "ms is reached through debug"
    );
    let os_deps = find("vouch:os:debian-12")["dependsOn"]
        .as_array()
        .expect("os deps")
        .clone();
    assert!(os_deps.contains(&Value::from(
        "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12"
    )));
    assert!(
        !os_deps
            .iter()
            .any(|d| d.as_str().is_some_and(|d| d.contains("libc6"))),
        "libc6 is depended on"
    );
    let refs: Vec<&str> = deps.iter().filter_map(|d| d["ref"].as_str()).collect();
    let mut sorted = refs.clone();
    sorted.sort_unstable();
    assert_eq!(refs, sorted);
}

#[test]
fn spdx_mapping_choices() {
    let doc = json(&spdx::to_json(&sample_inventory(), &options()));
    assert_eq!(
        doc["creationInfo"]["creators"],
        serde_json::json!(["Tool: vouch-0.1.0"])
    );
    let packages = doc["packages"].as_array().expect("packages");
    let by_purl = |purl: &str| {
        packages
            .iter()
            .find(|p| p["externalRefs"][0]["referenceLocator"] == purl)
            .unwrap_or_else(|| panic!("no package {purl}"))
    };
    let babel = by_purl("pkg:npm/%40babel/core@7.24.0");
    assert_eq!(babel["name"], "@babel/core");
    let id = babel["SPDXID"].as_str().expect("id");
    assert!(id.starts_with("SPDXRef-Package-npm-babel-core-"), "{id}");
    assert_eq!(
        babel["downloadLocation"],
        "https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz"
    );
    assert_eq!(babel["licenseDeclared"], "MIT");
    assert_eq!(babel["licenseConcluded"], "NOASSERTION");
    assert_eq!(babel["primaryPackagePurpose"], "LIBRARY");
    assert_eq!(babel["checksums"][0]["algorithm"], "SHA512");
    assert_eq!(
        babel["sourceInfo"],
        "found in: app/node_modules/@babel/core/package.json (installed), app/package-lock.json:12 (lockfile)"
    );

    let requests = by_purl("pkg:pypi/requests@2.31.0");
    let lic = requests["licenseDeclared"].as_str().expect("lic");
    assert!(lic.starts_with("LicenseRef-vouch-Apache-2.0-"), "{lic}");
    let extracted = doc["hasExtractedLicensingInfos"]
        .as_array()
        .expect("extracted");
    assert!(
        extracted
            .iter()
            .any(|e| e["licenseId"] == lic && e["extractedText"] == "Apache 2.0")
    );
    assert_eq!(
        by_purl("pkg:pypi/pydantic@2.5.0")["licenseDeclared"],
        "(Apache-2.0 OR BSD-3-Clause) AND MIT"
    );
    assert_eq!(
        by_purl("pkg:cargo/serde@1.0.197")["downloadLocation"],
        "NOASSERTION"
    );
    let passwd = by_purl("pkg:deb/debian/passwd@1:4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12");
    assert_eq!(passwd["versionInfo"], "1:4.13+dfsg1-1+b1");
    assert!(
        passwd["sourceInfo"]
            .as_str()
            .expect("info")
            .ends_with("built from source package shadow 1:4.13+dfsg1-1")
    );

    let os = packages
        .iter()
        .find(|p| p["primaryPackagePurpose"] == "OPERATING_SYSTEM")
        .expect("os package");
    assert_eq!(os["name"], "debian");
    assert_eq!(packages[0]["SPDXID"], "SPDXRef-Subject");
    assert_eq!(packages[0]["primaryPackagePurpose"], "CONTAINER");

    let rels = doc["relationships"].as_array().expect("rels");
    assert_eq!(
        rels[0],
        serde_json::json!({ "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Subject" })
    );
    let has = |from: &str, ty: &str, to: &str| {
        rels.iter().any(|r| {
            r["spdxElementId"] == from
                && r["relationshipType"] == ty
                && r["relatedSpdxElement"] == to
        })
    };
    let jest = by_purl("pkg:npm/jest@29.7.0")["SPDXID"]
        .as_str()
        .expect("id");
    let fsevents = by_purl("pkg:npm/fsevents@2.3.3")["SPDXID"]
        .as_str()
        .expect("id");
    let debug = by_purl("pkg:npm/debug@4.3.4")["SPDXID"]
        .as_str()
        .expect("id");
    assert!(has("SPDXRef-Subject", "CONTAINS", id));
    assert!(has(jest, "DEV_DEPENDENCY_OF", "SPDXRef-Subject"));
    assert!(has(fsevents, "OPTIONAL_DEPENDENCY_OF", "SPDXRef-Subject"));
    assert!(has(id, "DEPENDS_ON", debug));

    // Every SPDXID is unique and uses only the allowed characters.
    let ids: Vec<&str> = packages
        .iter()
        .filter_map(|p| p["SPDXID"].as_str())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    assert!(
        ids.iter()
            .all(|i| i.strip_prefix("SPDXRef-").is_some_and(|r| r
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')))
    );
}

#[test]
fn what_vouch_writes_vouch_reads_back() {
    let inv = sample_inventory();
    for (name, text) in [
        ("cyclonedx", cyclonedx::to_json(&inv, &options())),
        ("spdx", spdx::to_json(&inv, &options())),
    ] {
        let back = read::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(back.unmapped.is_empty(), "{name}: {:?}", back.unmapped);
        assert_eq!(back.subject.as_deref(), Some("demo-image"), "{name}");
        assert_eq!(
            back.distro.as_ref().map(|d| d.id.as_str()),
            Some("debian"),
            "{name}"
        );
        assert_eq!(back.components.len(), inv.components.len(), "{name}");
        for c in &inv.components {
            let r = back
                .components
                .iter()
                .find(|r| r.purl == c.purl)
                .unwrap_or_else(|| panic!("{name}: {}", c.purl));
            assert_eq!(r.ecosystem, c.ecosystem, "{name} {}", c.purl);
            assert_eq!(
                c.ecosystem.normalize_name(&r.name),
                c.ecosystem.normalize_name(&c.name),
                "{name}"
            );
            assert_eq!(r.version, c.version, "{name}");
            assert_eq!(r.scope, c.scope, "{name} {}", c.purl);
            assert_eq!(r.hashes, c.hashes, "{name} {}", c.purl);
            assert_eq!(r.dependencies, c.dependencies, "{name} {}", c.purl);
            if name == "cyclonedx" {
                assert_eq!(r.source_package, c.source_package, "{name} {}", c.purl);
            }
        }
    }
    let back = read::parse(cyclonedx::to_json(&inv, &options()).as_bytes()).expect("read");
    let jest = back
        .components
        .iter()
        .find(|c| c.name == "jest")
        .expect("jest");
    assert_eq!((jest.ecosystem, jest.scope), (Ecosystem::Npm, Scope::Dev));
}

/// The root crate of a top-level Cargo.lock is the document's subject in both formats: its own
/// name and version, first-party, no purl, with its dependencies; it is not also a component.
#[test]
fn the_root_crate_is_the_subject() {
    use vouch_inventory::{FileKind, Package, PackageRef, Parsed};
    let mut app = Package::new(Ecosystem::Cargo, "app", "0.3.0");
    app.first_party = true;
    app.root = true;
    app.dependencies.push(PackageRef {
        name: "serde".into(),
        version: Some("1.0.200".into()),
    });
    let serde = Package::new(Ecosystem::Cargo, "serde", "1.0.200");
    let inv = Inventory::build(
        "checkout",
        None,
        vec![(
            "Cargo.lock".into(),
            FileKind::CargoLock,
            Parsed {
                packages: vec![app, serde],
                warnings: vec![],
            },
        )],
        vec![],
    );
    assert_eq!(inv.components.len(), 1);

    let cdx = cyclonedx::to_json(&inv, &options());
    assert_valid_cyclonedx(&cdx);
    let bom = json(&cdx);
    let subject = &bom["metadata"]["component"];
    assert_eq!(subject["name"], "app");
    assert_eq!(subject["version"], "0.3.0");
    assert_eq!(subject["purl"], Value::Null);
    assert_eq!(subject["properties"][0]["name"], "vouch:first-party");
    assert_eq!(bom["components"].as_array().unwrap().len(), 1);
    let deps = bom["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == subject["bom-ref"])
        .unwrap();
    assert_eq!(
        deps["dependsOn"],
        serde_json::json!(["pkg:cargo/serde@1.0.200"])
    );
    // A name the caller gives still wins.
    let named = json(&cyclonedx::to_json(&inv, &options().subject_name("given")));
    assert_eq!(named["metadata"]["component"]["name"], "given");

    let doc = spdx::to_json(&inv, &options());
    assert_valid_spdx(&doc);
    let doc = json(&doc);
    let subject = &doc["packages"][0];
    assert_eq!(subject["SPDXID"], "SPDXRef-Subject");
    assert_eq!(subject["name"], "app");
    assert_eq!(subject["versionInfo"], "0.3.0");
    assert!(
        subject["sourceInfo"]
            .as_str()
            .unwrap()
            .starts_with("first-party")
    );
    assert!(doc["relationships"].as_array().unwrap().iter().any(|r| {
        r["spdxElementId"] == "SPDXRef-Subject"
            && r["relationshipType"] == "DEPENDS_ON"
            && r["relatedSpdxElement"]
                .as_str()
                .unwrap()
                .starts_with("SPDXRef-Package-cargo-serde-")
    }));
}
