//! Attestation files: JSON Lines, one Sigstore bundle per line (`.intoto.jsonl`, `.sigstore.json`).

use crate::bundle::{Bundle, BundleError};

/// Why an attestation file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonlError {
    #[error("line {line} is not a sigstore bundle")]
    Line {
        line: usize,
        #[source]
        source: BundleError,
    },
    #[error("attestation file has no bundles")]
    Empty,
}

/// Parse every non-empty line as a bundle. A file holding one pretty-printed bundle (not JSONL)
/// is accepted too.
pub fn parse(bytes: &[u8]) -> Result<Vec<Bundle>, JsonlError> {
    if let Ok(b) = Bundle::parse(bytes) {
        return Ok(vec![b]);
    }
    let mut out = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.push(Bundle::parse(line).map_err(|source| JsonlError::Line {
            line: i + 1,
            source,
        })?);
    }
    if out.is_empty() {
        return Err(JsonlError::Empty);
    }
    Ok(out)
}
