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

/// One bundle of an attestation file, as [`split`] found it.
#[derive(Debug)]
pub struct Line<'a> {
    /// 1-based line number (a file holding one pretty-printed bundle is line 1).
    pub number: usize,
    /// The line's bytes (the whole file for a pretty-printed bundle).
    pub bytes: &'a [u8],
    /// The line parsed as a bundle.
    pub bundle: Result<Bundle, BundleError>,
}

/// Splits an attestation file into its bundles: every line that is not blank, with its line
/// number and bytes, each parsed on its own (one bad line does not hide the others). A file
/// holding one pretty-printed bundle (not JSONL) is one entry, line 1. No entries means the file
/// holds no bundles.
pub fn split(bytes: &[u8]) -> Vec<Line<'_>> {
    if let Ok(b) = Bundle::parse(bytes) {
        return vec![Line {
            number: 1,
            bytes,
            bundle: Ok(b),
        }];
    }
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .map(|(i, line)| Line {
            number: i + 1,
            bytes: line,
            bundle: Bundle::parse(line),
        })
        .collect()
}

/// Parse every non-empty line as a bundle ([`split`]); the first line that is not a bundle is
/// the error. A file holding one pretty-printed bundle (not JSONL) is accepted too.
pub fn parse(bytes: &[u8]) -> Result<Vec<Bundle>, JsonlError> {
    let lines = split(bytes);
    if lines.is_empty() {
        return Err(JsonlError::Empty);
    }
    lines
        .into_iter()
        .map(|l| {
            l.bundle.map_err(|source| JsonlError::Line {
                line: l.number,
                source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_numbers_lines_and_skips_blank_ones() {
        let lines = split(b"\n{}\n\nnot json\n");
        let nums: Vec<usize> = lines.iter().map(|l| l.number).collect();
        assert_eq!(nums, vec![2, 4]);
        assert!(lines.iter().all(|l| l.bundle.is_err()));
        assert_eq!(lines[1].bytes, b"not json");
    }

    #[test]
    fn parse_reports_the_first_bad_line_or_no_bundles() {
        assert!(matches!(parse(b"\n  \n"), Err(JsonlError::Empty)));
        assert!(matches!(
            parse(b"\n{}\nnot json\n"),
            Err(JsonlError::Line { line: 2, .. })
        ));
    }
}
