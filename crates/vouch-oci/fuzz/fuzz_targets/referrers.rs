//! Referrers indexes and artifact manifests: `parse_index`, `parse_manifest` + `classify`,
//! `index_with` (idempotent: adding the same entry twice gives the same bytes), and
//! `bundle_artifact` (whatever the bundle bytes, its manifest reads back as a bundle).
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use vouch_oci::referrers::{self, Descriptor, Kind, OCI_MANIFEST};

fuzz_target!(|data: &[u8]| {
    let _ = referrers::parse_index(data);
    if let Ok(m) = referrers::parse_manifest(data) {
        let _ = referrers::classify(&m);
    }
    let add = Descriptor::of(OCI_MANIFEST, b"fuzz");
    if let Ok(once) = referrers::index_with(Some(data), &add) {
        let twice = referrers::index_with(Some(&once), &add).expect("vouch's own index reads back");
        assert_eq!(once, twice, "index_with is not idempotent");
    }
    let subject = Descriptor::of(OCI_MANIFEST, data);
    let artifact = referrers::bundle_artifact(data, &subject, BTreeMap::new());
    let m = referrers::parse_manifest(&artifact.manifest).expect("vouch's own manifest reads back");
    assert!(matches!(referrers::classify(&m), Kind::Bundle { .. }));
});
