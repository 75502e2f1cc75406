//! Byte-exact spans of YAML scalar values.
//!
//! The YAML parser gives values, [`vouch_yaml::LineIndex`] gives the line of each key;
//! this module finds the value's exact bytes on that line, so a rewrite touches nothing else.
//! Only single-line block-style scalars are located (plain, `'single'` or `"double"` quoted
//! without escapes); anything else returns `None` and the reference is reported, not rewritten.

use std::ops::Range;

use crate::reference::Span;

/// Byte range of each line (without its `\n` / `\r\n`).
#[derive(Debug)]
pub struct Lines {
    starts: Vec<usize>,
    len: usize,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        Self {
            starts,
            len: text.len(),
        }
    }

    /// Range of 1-based `line`, end-of-line characters excluded.
    pub fn range(&self, text: &str, line: u32) -> Option<Range<usize>> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let mut end = self.starts.get(i + 1).map_or(self.len, |s| s - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(start..end)
    }

    /// 1-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> u32 {
        let i = self.starts.partition_point(|&s| s <= offset);
        u32::try_from(i.max(1)).unwrap_or(u32::MAX)
    }
}

/// Find `value` on `line` after `key:` (or after the `- ` of a sequence item when `key` is
/// `None`), and return its exact span.
pub fn yaml_value(
    text: &str,
    lines: &Lines,
    line: u32,
    key: Option<&str>,
    value: &str,
) -> Option<Span> {
    let range = lines.range(text, line)?;
    let l = text.get(range.clone())?;
    let after = match key {
        Some(key) => after_key(l, key)?,
        None => {
            let t = l.trim_start_matches([' ', '-']);
            if t.len() == l.len() || !l.trim_start().starts_with('-') {
                return None;
            }
            l.len() - t.len()
        }
    };
    let rest = &l[after..];
    let lead = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let start = after + lead;
    let body = &l[start..];
    let (value_range, close_end) = match body.as_bytes().first()? {
        q @ (b'"' | b'\'') => {
            let inner = &body[1..];
            let close = inner.find(*q as char)?;
            let content = &inner[..close];
            if content != value || (*q == b'"' && content.contains('\\')) {
                return None;
            }
            (start + 1..start + 1 + close, start + 1 + close + 1)
        }
        _ => {
            // A plain scalar runs to ` #` or the end of the line.
            let end = body
                .find(" #")
                .or_else(|| body.find("\t#"))
                .unwrap_or(body.len());
            let content = body[..end].trim_end();
            if content != value {
                return None;
            }
            (start..start + content.len(), start + content.len())
        }
    };
    let tail = &l[close_end..];
    let t = tail.trim_start_matches([' ', '\t']);
    let comment = if t.starts_with('#') {
        let c_start = close_end + (tail.len() - t.len());
        Some(range.start + c_start..range.start + close_end + tail.trim_end().len())
    } else if t.trim().is_empty() {
        None
    } else {
        // Something other than a comment follows (flow style): not a lone scalar.
        return None;
    };
    Some(Span {
        value: range.start + value_range.start..range.start + value_range.end,
        insert_at: range.start + close_end,
        comment,
    })
}

/// Offset just after `key:` on the line, when the line holds that key (possibly after `- `).
fn after_key(l: &str, key: &str) -> Option<usize> {
    let t = l.trim_start_matches([' ', '-', '\t']);
    let offset = l.len() - t.len();
    for candidate in [key.to_owned(), format!("\"{key}\""), format!("'{key}'")] {
        if let Some(r) = t.strip_prefix(candidate.as_str()) {
            let r2 = r.trim_start_matches(' ');
            if let Some(after_colon) = r2.strip_prefix(':')
                && (after_colon.is_empty() || after_colon.starts_with([' ', '\t']))
            {
                return Some(offset + (t.len() - after_colon.len()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate(text: &str, line: u32, key: Option<&str>, value: &str) -> Option<(String, String)> {
        let lines = Lines::new(text);
        let s = yaml_value(text, &lines, line, key, value)?;
        let c = s.comment.map(|c| text[c].to_owned()).unwrap_or_default();
        assert!(s.insert_at >= s.value.end);
        Some((text[s.value].to_owned(), c))
    }

    #[test]
    fn plain_quoted_and_comments() {
        let t = "a:\n  - uses: actions/checkout@v4 # keep\n  - 'uses': \"x@y\"\n  - z\n";
        assert_eq!(
            locate(t, 2, Some("uses"), "actions/checkout@v4"),
            Some(("actions/checkout@v4".into(), "# keep".into()))
        );
        assert_eq!(
            locate(t, 3, Some("uses"), "x@y"),
            Some(("x@y".into(), String::new()))
        );
        assert_eq!(locate(t, 4, None, "z"), Some(("z".into(), String::new())));
        // Wrong value, wrong key, flow style, escapes: not located.
        assert_eq!(locate(t, 2, Some("uses"), "other"), None);
        assert_eq!(locate(t, 2, Some("image"), "actions/checkout@v4"), None);
        assert_eq!(locate("image: {name: x}\n", 1, Some("image"), "x"), None);
        assert_eq!(
            locate("image: \"a\\u0062\"\n", 1, Some("image"), "ab"),
            None
        );
        assert_eq!(locate(t, 99, Some("uses"), "x"), None);
    }

    #[test]
    fn crlf_lines() {
        let t = "image: python:3.12 # c\r\nx: 1\r\n";
        assert_eq!(
            locate(t, 1, Some("image"), "python:3.12"),
            Some(("python:3.12".into(), "# c".into()))
        );
        let lines = Lines::new(t);
        assert_eq!(lines.line_of(0), 1);
        assert_eq!(lines.line_of(24), 2);
    }
}
