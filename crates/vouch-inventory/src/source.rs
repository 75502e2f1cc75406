//! What a parser is given: one file's bytes, its path, and a way to read files beside it.

/// Reads files next to the one being parsed (a `go.sum` beside `go.mod`, a requirements file
/// named by `-r`). Names are relative to the parsed file's directory; implementations must
/// refuse anything that leaves the scanned root.
pub trait Siblings: Sync {
    fn read(&self, relative: &str) -> Option<Vec<u8>>;
}

/// For callers (tests, fuzzers) that have only the one file.
pub struct NoSiblings;

impl Siblings for NoSiblings {
    fn read(&self, _relative: &str) -> Option<Vec<u8>> {
        None
    }
}

/// One file handed to a parser.
pub struct Source<'a> {
    /// Path relative to the scanned root, `/`-separated (for messages and evidence only).
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub siblings: &'a dyn Siblings,
}

impl<'a> Source<'a> {
    /// A source with no readable siblings.
    pub fn alone(path: &'a str, bytes: &'a [u8]) -> Self {
        Self {
            path,
            bytes,
            siblings: &NoSiblings,
        }
    }

    /// The bytes as UTF-8 (a leading BOM dropped), or an error naming the first bad byte.
    pub fn text(&self) -> Result<&'a str, crate::ParseError> {
        let bytes = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(self.bytes);
        std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_col(bytes, e.valid_up_to());
            crate::ParseError::new("file is not valid UTF-8").at(line, column)
        })
    }
}

/// 1-based line and column of byte offset `at` in `bytes`.
pub fn line_col(bytes: &[u8], at: usize) -> (u32, u32) {
    let at = at.min(bytes.len());
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = at
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line as u32, col as u32)
}
