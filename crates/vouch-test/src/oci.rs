//! Hand-built OCI image layouts for tests: tar layers written byte for byte as given (so
//! hostile entries — `..`, absolute paths, escaping links — can be made), gzip, and a layout
//! of one image around them. Real images come from `registry` (pushed with real tools) and
//! the fixtures of each crate.

use std::io::Write;
use std::path::Path;

use crate::registry::sha256;

/// A tar of `(path, content)` entries written as given (no path checks), with optional
/// symbolic and hard links.
pub enum E<'a> {
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

pub fn tar_of(entries: &[E<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let mut h = tar::Header::new_gnu();
        let (name, data, kind, link): (&str, &[u8], tar::EntryType, Option<&str>) = match e {
            E::File(p, d) => (p, d, tar::EntryType::Regular, None),
            E::Symlink(p, t) => (p, b"", tar::EntryType::Symlink, Some(t)),
            E::Hardlink(p, t) => (p, b"", tar::EntryType::Link, Some(t)),
        };
        // Write the name bytes raw: `set_path` refuses `..`, which is what we test.
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(l) = link {
            gnu.linkname[..l.len()].copy_from_slice(l.as_bytes());
        }
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Writes an OCI layout of one image whose layers are `(blob, uncompressed tar)` pairs.
pub fn layout(dir: &Path, layers: &[(Vec<u8>, Vec<u8>)]) -> String {
    layout_with(dir, layers, serde_json::json!({"User": "1000"}))
}

/// [`layout`] with the config's `config` object given (`User`, `Env`, `Labels`…).
pub fn layout_with(dir: &Path, layers: &[(Vec<u8>, Vec<u8>)], config: serde_json::Value) -> String {
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    let put = |bytes: &[u8]| {
        let digest = sha256(bytes);
        let hex = &digest["sha256:".len()..];
        std::fs::write(dir.join("blobs/sha256").join(hex), bytes).unwrap();
        digest
    };
    let diff_ids: Vec<String> = layers.iter().map(|(_, tar)| sha256(tar)).collect();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    let config = serde_json::to_vec(&config).unwrap();
    let config_digest = put(&config);
    let layer_descs: Vec<serde_json::Value> = layers
        .iter()
        .map(|(blob, _)| {
            serde_json::json!({
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": put(blob),
                "size": blob.len(),
            })
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": layer_descs,
    }))
    .unwrap();
    let manifest_digest = put(&manifest);
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": manifest_digest.clone(), "size": manifest.len(),
                       "annotations": {"org.opencontainers.image.ref.name": "t"}}],
    });
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    manifest_digest
}
