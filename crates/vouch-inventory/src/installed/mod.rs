//! Installed-package database parsers, one module per format. Each exposes
//! `pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError>`.

pub mod apk;
pub mod dpkg;
pub mod node;
pub mod python;
pub mod rpm;

use crate::{ParseWarning, Source};

/// The first 60 characters of `s`, with an ellipsis when cut (for warnings that quote a line).
fn shorten(s: &str) -> String {
    let mut t: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        t.push('…');
    }
    t
}

/// The file as text. A package database is not rejected whole for a stray non-UTF-8 byte (old
/// Latin-1 maintainer names and descriptions exist): bad bytes become U+FFFD and one warning
/// gives the first one's position.
fn lossy_text<'a>(
    source: &Source<'a>,
    warnings: &mut Vec<ParseWarning>,
) -> std::borrow::Cow<'a, str> {
    match source.text() {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(e) => {
            warnings.push(ParseWarning {
                line: e.line,
                column: e.column,
                message: "file is not valid UTF-8; invalid bytes replaced".to_owned(),
            });
            String::from_utf8_lossy(source.bytes)
        }
    }
}
