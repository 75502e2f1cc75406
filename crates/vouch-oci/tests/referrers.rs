//! `vouch_oci::referrers` over real layouts: regclient's and notation's referrers fallback
//! indexes, ORAS and regclient artifact manifests, a Notary signature, cosign's bundle spec
//! examples and a real cosign bundle (tests/fixtures/referrers/SOURCES.md).

use std::collections::BTreeMap;
use std::path::PathBuf;

use vouch_digest::Digest;
use vouch_oci::referrers::{
    self, ArtifactManifest, BUNDLE_MEDIA_TYPE, CONTENT_ANNOTATION, CREATED_ANNOTATION, Descriptor,
    EMPTY_DIGEST, EMPTY_MEDIA_TYPE, Kind, LayoutError, OCI_INDEX, OCI_MANIFEST,
    PREDICATE_TYPE_ANNOTATION,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/referrers")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn digest(s: &str) -> Digest {
    s.parse().unwrap()
}

/// The fixture, checked to be the blob its name says.
fn blob(name: &str, hex_prefix: &str) -> Vec<u8> {
    let bytes = fixture(name);
    assert!(
        Digest::sha256(&bytes).hex().starts_with(hex_prefix),
        "{name} is not blob {hex_prefix}"
    );
    bytes
}

fn manifest(name: &str) -> ArtifactManifest {
    referrers::parse_manifest(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn regclient_fallback_index_lists_its_referrers() {
    let index = blob("regclient-955b8a891713.json", "955b8a891713");
    let entries = referrers::parse_index(&index).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0],
        Descriptor {
            media_type: OCI_MANIFEST.to_owned(),
            digest: digest(
                "sha256:0484e93c23cddf24a8400547119558312023295af241d4cd1eaf1b27145c5026"
            ),
            size: 583,
            artifact_type: Some("application/example.sbom".to_owned()),
            annotations: BTreeMap::new(),
        }
    );
    assert_eq!(
        entries[1].artifact_type.as_deref(),
        Some("application/example.signature")
    );
    // Each entry is the descriptor of the manifest it names.
    for (entry, name) in entries
        .iter()
        .zip(["regclient-0484e93c23cd.json", "regclient-741132f956e1.json"])
    {
        let bytes = fixture(name);
        assert_eq!(Digest::sha256(&bytes), entry.digest);
        assert_eq!(bytes.len() as u64, entry.size);
    }
    // The tag it lives under is the fallback tag of the referrers' subject.
    let m = manifest("regclient-0484e93c23cd.json");
    assert_eq!(
        referrers::fallback_tag(&m.subject.unwrap().digest),
        "sha256-dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e"
    );
}

#[test]
fn notation_fallback_index_keeps_entry_annotations() {
    let entries =
        referrers::parse_index(&blob("notation-fallback-index.json", "13e107e0")).unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(
        e.artifact_type.as_deref(),
        Some("application/vnd.cncf.notary.signature")
    );
    assert_eq!(e.annotations[CREATED_ANNOTATION], "2023-06-27T05:30:33Z");
    let signature = fixture("notation-signature-manifest.json");
    assert_eq!(Digest::sha256(&signature), e.digest);
}

#[test]
fn artifact_manifests_are_read_with_subject_layers_and_annotations() {
    let m = manifest("notation-signature-manifest.json");
    assert_eq!(m.artifact_type, None);
    assert_eq!(m.config.media_type, "application/vnd.cncf.notary.signature");
    assert_eq!(m.config.digest, digest(EMPTY_DIGEST));
    assert_eq!(m.layers.len(), 1);
    assert_eq!(m.layers[0].media_type, "application/jose+json");
    assert_eq!(
        m.subject.as_ref().map(|s| s.digest.clone()),
        Some(digest(
            "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
        ))
    );
    assert_eq!(m.annotations[CREATED_ANNOTATION], "2023-06-27T05:30:33Z");

    let oras = manifest("oras-20e7d3a6ce08.json");
    assert_eq!(oras.artifact_type.as_deref(), Some("referrer/image"));
    assert_eq!(oras.config.media_type, EMPTY_MEDIA_TYPE);
    assert_eq!(
        oras.layers[0].annotations["org.opencontainers.image.title"],
        "referrerimage"
    );
    let empty_layers = manifest("oras-c5e00045954a.json");
    assert!(empty_layers.layers.is_empty());
    assert_eq!(empty_layers.annotations["subject"], "linux/amd64");
}

#[test]
fn classify_tells_other_artifacts_by_their_type() {
    // A Notary signature has no artifactType: the config media type is its type.
    assert_eq!(
        referrers::classify(&manifest("notation-signature-manifest.json")),
        Kind::Other {
            artifact_type: "application/vnd.cncf.notary.signature".to_owned()
        }
    );
    // "application/example.sbom" and ORAS's "sbom/file" are names, not SBOM media types.
    assert_eq!(
        referrers::classify(&manifest("regclient-0484e93c23cd.json")),
        Kind::Other {
            artifact_type: "application/example.sbom".to_owned()
        }
    );
    assert_eq!(
        referrers::classify(&manifest("oras-359bac7f6a26.json")),
        Kind::Other {
            artifact_type: "sbom/file".to_owned()
        }
    );
    assert_eq!(
        referrers::classify(&manifest("oras-c5e00045954a.json")),
        Kind::Other {
            artifact_type: "referrer/image".to_owned()
        }
    );
}

#[test]
fn an_index_is_not_a_manifest() {
    for name in ["regclient-d69399e05204.json", "oras-7679bc22c33b.json"] {
        let err = referrers::parse_manifest(&fixture(name)).unwrap_err();
        assert!(
            matches!(err, LayoutError::MediaType { ref found, .. } if found.contains("index")),
            "{name}: {err:?}"
        );
    }
    let err = referrers::parse_manifest(&fixture("regclient-d69399e05204.json")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "manifest has media type `application/vnd.oci.image.index.v1+json`, expected application/vnd.oci.image.manifest.v1+json or application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(err.code(), "malformed-referrers");
}

#[test]
fn bundle_spec_examples_have_abbreviated_digests_named_by_position() {
    let err = referrers::parse_index(&fixture("bundle-spec-index.json")).unwrap_err();
    assert!(
        matches!(&err, LayoutError::Digest { field, .. } if field == "manifests[0].digest"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "referrers index: `manifests[0].digest` is not a digest"
    );
    let err = referrers::parse_manifest(&fixture("bundle-spec-manifest.json")).unwrap_err();
    assert_eq!(err.to_string(), "manifest: `config.digest` is not a digest");
}

#[test]
fn bundle_spec_example_classifies_once_its_digests_are_whole() {
    // The spec's example with only its abbreviated digests filled in: still the spec's shape.
    let text = String::from_utf8(fixture("bundle-spec-manifest.json")).unwrap();
    let fill = |t: String, short: &str, c: char| {
        let full = format!("sha256:{}", c.to_string().repeat(64));
        t.replace(short, &full)
    };
    let text = fill(text, "sha256:44136fa3...", 'a');
    let text = fill(text, "sha256:cafed00d...", 'b');
    let text = fill(text, "sha256:c00010ff...", 'c');
    // The example's subject has no size, which the image spec requires of every descriptor
    // (cosign and `@sigstore/oci` write it): refused, naming the field.
    let err = referrers::parse_manifest(text.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "manifest has no `subject.size`");
    let text = text.replacen(
        "\"mediaType\": \"application/vnd.oci.image.index.v1+json\"",
        "\"mediaType\": \"application/vnd.oci.image.index.v1+json\", \"size\": 1",
        1,
    );
    let m = referrers::parse_manifest(text.as_bytes()).unwrap();
    assert_eq!(
        referrers::classify(&m),
        Kind::Bundle {
            predicate_type: Some("https://slsa.dev/provenance/v1".to_owned())
        }
    );
    // The subject descriptor of the example has no size: an error naming it.
    let no_size = text.replace("\"size\": 4971", "\"sizes\": 4971");
    let err = referrers::parse_manifest(no_size.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "manifest has no `layers[0].size`");
}

fn image() -> Descriptor {
    Descriptor::new(
        OCI_INDEX,
        digest("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"),
        1234,
    )
}

fn bundle_annotations(predicate: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (CONTENT_ANNOTATION.to_owned(), "dsse-envelope".to_owned()),
        (PREDICATE_TYPE_ANNOTATION.to_owned(), predicate.to_owned()),
        (
            CREATED_ANNOTATION.to_owned(),
            "2025-02-28T19:18:11Z".to_owned(),
        ),
    ])
}

#[test]
fn bundle_artifact_has_the_cosign_v3_shape() {
    let bundle = fixture("cosign-oci-attestation.sigstore.json");
    let a = referrers::bundle_artifact(
        &bundle,
        &image(),
        bundle_annotations("https://cosign.sigstore.dev/attestation/v1"),
    );
    assert_eq!(a.blobs, vec![b"{}".to_vec(), bundle.clone()]);
    let value: serde_json::Value = serde_json::from_slice(&a.manifest).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": BUNDLE_MEDIA_TYPE,
            "config": {"mediaType": EMPTY_MEDIA_TYPE, "digest": EMPTY_DIGEST, "size": 2},
            "layers": [{
                "mediaType": BUNDLE_MEDIA_TYPE,
                "digest": Digest::sha256(&bundle).to_string(),
                "size": bundle.len(),
            }],
            "subject": {
                "mediaType": OCI_INDEX,
                "digest": "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4",
                "size": 1234,
            },
            "annotations": {
                "dev.sigstore.bundle.content": "dsse-envelope",
                "dev.sigstore.bundle.predicateType": "https://cosign.sigstore.dev/attestation/v1",
                "org.opencontainers.image.created": "2025-02-28T19:18:11Z",
            },
        })
    );
    // The index entry is the manifest's descriptor with its artifact type and annotations.
    assert_eq!(a.descriptor.media_type, OCI_MANIFEST);
    assert_eq!(a.descriptor.digest, Digest::sha256(&a.manifest));
    assert_eq!(a.descriptor.size, a.manifest.len() as u64);
    assert_eq!(
        a.descriptor.artifact_type.as_deref(),
        Some(BUNDLE_MEDIA_TYPE)
    );
    assert_eq!(
        a.descriptor.annotations,
        bundle_annotations("https://cosign.sigstore.dev/attestation/v1")
    );
    // Deterministic: the same arguments give the same bytes.
    let again = referrers::bundle_artifact(
        &bundle,
        &image(),
        bundle_annotations("https://cosign.sigstore.dev/attestation/v1"),
    );
    assert_eq!(again, a);
    // And it reads back as a bundle about the image.
    let m = referrers::parse_manifest(&a.manifest).unwrap();
    assert_eq!(m.subject, Some(image()));
    assert_eq!(
        referrers::classify(&m),
        Kind::Bundle {
            predicate_type: Some("https://cosign.sigstore.dev/attestation/v1".to_owned())
        }
    );
}

#[test]
fn old_predicate_type_key_and_downgraded_manifests_are_bundles() {
    let bundle = fixture("cosign-oci-attestation.sigstore.json");
    let mut annotations = BTreeMap::new();
    annotations.insert(
        referrers::OLD_PREDICATE_TYPE_ANNOTATION.to_owned(),
        "https://slsa.dev/provenance/v1".to_owned(),
    );
    let a = referrers::bundle_artifact(&bundle, &image(), annotations);
    let mut m = referrers::parse_manifest(&a.manifest).unwrap();
    assert_eq!(
        referrers::classify(&m),
        Kind::Bundle {
            predicate_type: Some("https://slsa.dev/provenance/v1".to_owned())
        }
    );
    // `@sigstore/oci` drops artifactType and subject for registries without OCI 1.1.
    m.artifact_type = None;
    m.subject = None;
    assert!(matches!(referrers::classify(&m), Kind::Bundle { .. }));
    // A bundle with no predicate annotation (a message signature).
    let a = referrers::bundle_artifact(&bundle, &image(), BTreeMap::new());
    assert_eq!(
        referrers::classify(&referrers::parse_manifest(&a.manifest).unwrap()),
        Kind::Bundle {
            predicate_type: None
        }
    );
}

fn legacy_manifest(layer_media_type: &str, annotations: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "size": 233,
            "digest": "sha256:83bd5fb5b39f65f28e50a86d48fa79c07880befc292d92eebdc18531054b070c"
        },
        "layers": [{
            "mediaType": layer_media_type,
            "size": 246,
            "digest": "sha256:ed3ad03d3b87843b5419d7dce9d50a3e0f45554b2ba93bf378611cae6b450cff",
            "annotations": annotations,
        }]
    }))
    .unwrap()
}

#[test]
fn cosign_legacy_manifests_are_classified_by_their_layers() {
    // The shapes of cosign's SIGNATURE_SPEC, ATTESTATION_SPEC and SBOM_SPEC examples.
    let sig = legacy_manifest(
        referrers::SIMPLE_SIGNING_MEDIA_TYPE,
        serde_json::json!({ referrers::COSIGN_SIGNATURE_ANNOTATION: "MEUCIQ==" }),
    );
    let m = referrers::parse_manifest(&sig).unwrap();
    assert_eq!(referrers::classify(&m), Kind::CosignSignatures);
    assert_eq!(
        m.layers[0].annotations[referrers::COSIGN_SIGNATURE_ANNOTATION],
        "MEUCIQ=="
    );
    let att = legacy_manifest(referrers::DSSE_MEDIA_TYPE, serde_json::json!({}));
    assert_eq!(
        referrers::classify(&referrers::parse_manifest(&att).unwrap()),
        Kind::CosignAttestations
    );
    for sbom in ["text/spdx", "application/vnd.cyclonedx+json"] {
        let m = legacy_manifest(sbom, serde_json::json!({}));
        assert_eq!(
            referrers::classify(&referrers::parse_manifest(&m).unwrap()),
            Kind::Sbom {
                media_type: sbom.to_owned()
            }
        );
    }
}

#[test]
fn index_with_adds_replaces_and_sorts() {
    let existing = fixture("regclient-955b8a891713.json");
    let bundle = fixture("cosign-oci-attestation.sigstore.json");
    let a = referrers::bundle_artifact(&bundle, &image(), bundle_annotations("p1"));
    let out = referrers::index_with(Some(&existing), &a.descriptor).unwrap();
    let entries = referrers::parse_index(&out).unwrap();
    assert_eq!(entries.len(), 3);
    let digests: Vec<String> = entries.iter().map(|e| e.digest.to_string()).collect();
    let mut sorted = digests.clone();
    sorted.sort();
    assert_eq!(digests, sorted);
    assert!(entries.contains(&a.descriptor));
    // The regclient entries are kept as they were.
    let before = referrers::parse_index(&existing).unwrap();
    assert!(before.iter().all(|e| entries.contains(e)));
    // Adding it again changes nothing; a new descriptor for the same digest replaces it.
    assert_eq!(
        referrers::index_with(Some(&out), &a.descriptor).unwrap(),
        out
    );
    let mut changed = a.descriptor.clone();
    changed
        .annotations
        .insert("org.example".to_owned(), "x".to_owned());
    let replaced =
        referrers::parse_index(&referrers::index_with(Some(&out), &changed).unwrap()).unwrap();
    assert_eq!(replaced.len(), 3);
    assert!(replaced.contains(&changed) && !replaced.contains(&a.descriptor));
}

#[test]
fn index_with_converges_whatever_the_order_of_writers() {
    let bundle = fixture("cosign-oci-attestation.sigstore.json");
    let descriptors: Vec<Descriptor> = (0..5)
        .map(|i| {
            referrers::bundle_artifact(&bundle, &image(), bundle_annotations(&format!("p{i}")))
                .descriptor
        })
        .collect();
    let build = |order: &[usize]| {
        let mut index: Option<Vec<u8>> = None;
        for &i in order {
            index = Some(referrers::index_with(index.as_deref(), &descriptors[i]).unwrap());
        }
        index.unwrap()
    };
    assert_eq!(build(&[0, 1, 2, 3, 4]), build(&[4, 2, 0, 3, 1]));
    let fresh = referrers::index_with(None, &descriptors[0]).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&fresh).unwrap();
    assert_eq!(value["schemaVersion"], 2);
    assert_eq!(value["mediaType"], OCI_INDEX);
}

#[test]
fn index_with_keeps_entries_it_does_not_understand_verbatim() {
    let existing = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "annotations": {"org.example.kept": "yes"},
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": "blake3:abc", "size": 3, "x-vendor": [1, 2]},
            {"note": "no digest at all"}
        ]
    });
    let add = Descriptor::of(OCI_MANIFEST, b"m");
    let out = referrers::index_with(Some(&serde_json::to_vec(&existing).unwrap()), &add).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let manifests = value["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 3);
    assert!(manifests.contains(&existing["manifests"][0]));
    assert!(manifests.contains(&existing["manifests"][1]));
    assert_eq!(value["annotations"]["org.example.kept"], "yes");
    // parse_index still refuses the entry it cannot read, naming its position.
    // Sorted by digest, the entry without one comes first.
    assert_eq!(manifests[0], existing["manifests"][1]);
    let err = referrers::parse_index(&out).unwrap_err();
    assert_eq!(
        err.to_string(),
        "referrers index has no `manifests[0].mediaType`"
    );
}

#[test]
fn index_with_refuses_a_tag_that_holds_something_else() {
    // regclient's layout tags an image manifest `sha256-0514…`: never overwrite it.
    let manifest = blob("regclient-0514ce64171e.json", "0514ce64171e");
    let err =
        referrers::index_with(Some(&manifest), &Descriptor::of(OCI_MANIFEST, b"m")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "existing referrers index has media type `application/vnd.oci.image.manifest.v1+json`, expected application/vnd.oci.image.index.v1+json"
    );
    let err =
        referrers::index_with(Some(b"not json"), &Descriptor::of(OCI_MANIFEST, b"m")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "existing referrers index is not valid json"
    );
}

#[test]
fn parsers_are_bounded() {
    let big = vec![b' '; referrers::MAX_DOCUMENT_LEN + 1];
    assert!(matches!(
        referrers::parse_index(&big),
        Err(LayoutError::Oversized { max, .. }) if max == 4 * 1024 * 1024
    ));
    assert!(matches!(
        referrers::parse_manifest(&big),
        Err(LayoutError::Oversized { .. })
    ));
    assert!(matches!(
        referrers::index_with(Some(&big), &Descriptor::of(OCI_MANIFEST, b"m")),
        Err(LayoutError::Oversized { .. })
    ));

    let entry = serde_json::json!({"mediaType": OCI_MANIFEST, "digest": EMPTY_DIGEST, "size": 2});
    let many = serde_json::json!({
        "schemaVersion": 2,
        "manifests": vec![entry; referrers::MAX_ENTRIES + 1],
    });
    let err = referrers::parse_index(&serde_json::to_vec(&many).unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "referrers index: `manifests` has 10001 entries, more than the 10000 limit"
    );

    let long = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": EMPTY_DIGEST, "size": 2,
            "annotations": {"k": "x".repeat(referrers::MAX_ANNOTATION_LEN + 1)}
        }],
    });
    let err = referrers::parse_index(&serde_json::to_vec(&long).unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "referrers index: annotation `k` in `manifests[0].annotations` is 65537 bytes, more than the 65536 byte limit"
    );

    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    assert!(matches!(
        referrers::parse_index(deep.as_bytes()),
        Err(LayoutError::Json { .. })
    ));
}

#[test]
fn malformed_fields_name_their_position() {
    let cases: &[(serde_json::Value, &str)] = &[
        (
            serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": OCI_MANIFEST, "digest": EMPTY_DIGEST, "size": -1}]}),
            "referrers index: `manifests[0].size` is a number, expected a non-negative integer",
        ),
        (
            serde_json::json!({"schemaVersion": 2, "manifests": [{"digest": EMPTY_DIGEST, "size": 2}]}),
            "referrers index has no `manifests[0].mediaType`",
        ),
        (
            serde_json::json!({"schemaVersion": 1, "manifests": []}),
            "referrers index has schemaVersion 1, expected 2",
        ),
        (
            serde_json::json!({"schemaVersion": 2, "manifests": {}}),
            "referrers index: `manifests` is an object, expected an array",
        ),
        (
            serde_json::json!({"schemaVersion": 2}),
            "referrers index has no `manifests`",
        ),
        (
            serde_json::json!([]),
            "referrers index: `(document)` is an array, expected an object",
        ),
    ];
    for (doc, message) in cases {
        let err = referrers::parse_index(&serde_json::to_vec(doc).unwrap()).unwrap_err();
        assert_eq!(&err.to_string(), message);
    }
    // An empty referrers list is a list, not an error.
    assert_eq!(
        referrers::parse_index(br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#)
            .unwrap(),
        Vec::new()
    );
}

#[test]
fn fuzz_regression_index_with_keeps_numbers_as_written() {
    // A fuzzer input (tests/fixtures/fuzz/) with a number too large for an integer: kept as a
    // `Value` it was re-printed as a float that changed on every rewrite, so adding the same
    // entry twice gave different bytes. Entries and fields are now kept byte for byte.
    let input = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/referrers-float-reserialized.json"),
    )
    .unwrap();
    let add = Descriptor::of(OCI_MANIFEST, b"fuzz");
    let once = referrers::index_with(Some(&input), &add).unwrap();
    assert_eq!(referrers::index_with(Some(&once), &add).unwrap(), once);
    let big = "7888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888806";
    assert!(String::from_utf8(once).unwrap().contains(big));
}

#[test]
fn legacy_signature_layers_read_the_annotations_cosign_writes() {
    let sig = legacy_manifest(
        referrers::SIMPLE_SIGNING_MEDIA_TYPE,
        serde_json::json!({
            referrers::COSIGN_SIGNATURE_ANNOTATION: "MEUCIQ==",
            referrers::COSIGN_CERTIFICATE_ANNOTATION: "-----BEGIN CERTIFICATE-----\n",
            referrers::COSIGN_BUNDLE_ANNOTATION: "{\"SignedEntryTimestamp\":\"x\"}",
        }),
    );
    let m = referrers::parse_manifest(&sig).unwrap();
    let layers = referrers::legacy_signature_layers(&m).unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].payload, m.layers[0]);
    assert_eq!(layers[0].signature_b64, "MEUCIQ==");
    assert_eq!(
        layers[0].certificate_pem.as_deref(),
        Some("-----BEGIN CERTIFICATE-----\n")
    );
    assert_eq!(layers[0].chain_pem, None);
    assert!(layers[0].rekor_bundle.is_some());
    // A simple-signing layer without its signature cannot be checked: an error, not a skip.
    let unsigned = legacy_manifest(referrers::SIMPLE_SIGNING_MEDIA_TYPE, serde_json::json!({}));
    let err = referrers::legacy_signature_layers(&referrers::parse_manifest(&unsigned).unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cosign signature manifest has no `layers[0].annotations.dev.cosignproject.cosign/signature`"
    );
    // Other layers are not signatures.
    let sbom = legacy_manifest("text/spdx", serde_json::json!({}));
    assert!(
        referrers::legacy_signature_layers(&referrers::parse_manifest(&sbom).unwrap())
            .unwrap()
            .is_empty()
    );
}
