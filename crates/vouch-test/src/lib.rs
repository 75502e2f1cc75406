//! Test support shared by vouch's crates (a dev-dependency only).
//!
//! Validates documents against the official CycloneDX 1.6 and SPDX 2.3 JSON schemas committed
//! under `schemas/` (origins in `schemas/SOURCES.md`). The schemas that CycloneDX `$ref`s are
//! served from those copies, so validation never touches the network.
//!
//! ```
//! let errors = vouch_test::cyclonedx_errors(r#"{"bomFormat": "CycloneDX"}"#);
//! assert!(!errors.is_empty(), "specVersion is required");
//! ```

pub mod forge;
mod git_http;
pub mod images;
pub mod oci;
pub mod postgres;
pub mod proxy;
pub mod registry;

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

const BOM_16: &str = include_str!("../schemas/bom-1.6.schema.json");
const CDX_SPDX_IDS: &str = include_str!("../schemas/spdx.schema.json");
const JSF: &str = include_str!("../schemas/jsf-0.82.schema.json");
const SPDX_23: &str = include_str!("../schemas/spdx-2.3-schema.json");

/// Serves the schemas the CycloneDX schema `$ref`s from the committed copies; anything else is
/// an error.
struct Local;

impl jsonschema::Retrieve for Local {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = match uri.as_str() {
            "http://cyclonedx.org/schema/spdx.schema.json" => CDX_SPDX_IDS,
            "http://cyclonedx.org/schema/jsf-0.82.schema.json" => JSF,
            other => return Err(format!("no local copy of {other}").into()),
        };
        Ok(serde_json::from_str(text)?)
    }
}

fn build(schema: &str) -> Validator {
    let schema: Value = serde_json::from_str(schema).expect("committed schema is JSON");
    jsonschema::options()
        .with_retriever(Local)
        .should_validate_formats(true)
        .build(&schema)
        .expect("committed schema compiles offline")
}

fn errors(validator: &Validator, doc: &str) -> Vec<String> {
    let instance: Value = match serde_json::from_str(doc) {
        Ok(v) => v,
        Err(e) => return vec![format!("not JSON: {e}")],
    };
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Schema errors of a CycloneDX 1.6 document (empty when valid).
pub fn cyclonedx_errors(doc: &str) -> Vec<String> {
    static V: OnceLock<Validator> = OnceLock::new();
    errors(V.get_or_init(|| build(BOM_16)), doc)
}

/// Schema errors of an SPDX 2.3 document (empty when valid).
pub fn spdx_errors(doc: &str) -> Vec<String> {
    static V: OnceLock<Validator> = OnceLock::new();
    errors(V.get_or_init(|| build(SPDX_23)), doc)
}

#[track_caller]
pub fn assert_valid_cyclonedx(doc: &str) {
    let errs = cyclonedx_errors(doc);
    assert!(
        errs.is_empty(),
        "CycloneDX 1.6 schema errors:\n{}",
        errs.join("\n")
    );
}

#[track_caller]
pub fn assert_valid_spdx(doc: &str) {
    let errs = spdx_errors(doc);
    assert!(
        errs.is_empty(),
        "SPDX 2.3 schema errors:\n{}",
        errs.join("\n")
    );
}

/// A deflated zip archive of `entries` (name, bytes), as OSV's `all.zip` exports are.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            w.start_file(*name, opts).expect("zip entry");
            w.write_all(bytes).expect("zip write");
        }
        w.finish().expect("zip finish");
    }
    buf.into_inner()
}

/// Creates a FIFO (named pipe) at `path` with the system's `mkfifo`, for the tests that check a
/// read refuses what is not a regular file without blocking. Panics when `mkfifo` fails.
pub fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A Kubernetes JSON manifest whose `metadata.labels` holds `depth` nested objects
/// (`{"a": {"a": ... 1}}`, starting on line 2), so the whole document is `depth + 2` levels
/// deep: for the nesting-limit tests.
pub fn deep_k8s_json(depth: usize) -> String {
    format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"x\", \"labels\":\n{}1{}}}}}\n",
        "{\"a\":".repeat(depth),
        "}".repeat(depth)
    )
}
