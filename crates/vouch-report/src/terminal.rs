//! Text for a terminal: what a scanned tree controls (file names, quoted content, messages)
//! never reaches the terminal raw.
//!
//! [`sanitize`] is the one function every human-readable path uses: the table renderer for
//! each cell, and the `vouch` binary for every line it prints on stderr (warnings, errors and
//! their causes). It redacts URL credentials ([`vouch_url::redact`]) and then escapes control
//! characters ([`escape`]), so an `ESC [ 31 m` in a file name prints as the six characters
//! `\x1b[31m` and cannot recolour, move the cursor, retitle the window or hide text.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with URL credentials redacted and control characters escaped (see [`escape`]).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    match vouch_url::redact(text) {
        Cow::Borrowed(t) => escape(t),
        Cow::Owned(t) => Cow::Owned(escape(&t).into_owned()),
    }
}

/// Whether `c` must not reach a terminal raw: C0 controls other than line feed and tab (ESC,
/// BEL, CR, backspace, …), DEL, C1 controls (U+0080 to U+009F, CSI U+009B among them) and the
/// Unicode bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069)
/// that reorder what is shown.
pub fn must_escape(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// `text` with every character [`must_escape`] names written as an escape: `\xHH` for C0 and
/// DEL (`\x1b`, `\x07`, `\x0d`), `\u{HHHH}` for C1 and bidirectional controls (`\u{009b}`,
/// `\u{202e}`). Line feed and tab are kept. Borrowed when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(must_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !must_escape(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
        assert_eq!(
            escape("bell\x07 cr\r del\x7f"),
            "bell\\x07 cr\\x0d del\\x7f"
        );
        assert_eq!(escape("csi\u{9b}2J"), "csi\\u{009b}2J");
        assert_eq!(escape("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(escape("line\nnext\ttab"), "line\nnext\ttab");
        assert!(matches!(escape("plain é ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn sanitize_redacts_then_escapes() {
        assert_eq!(
            sanitize("\x1b]0;title\x07 https://u:p@h/x"),
            "\\x1b]0;title\\x07 https://***@h/x"
        );
        assert!(matches!(sanitize("https://h/x"), Cow::Borrowed(_)));
    }
}
