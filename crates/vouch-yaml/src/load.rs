//! YAML loading with line numbers (the loader behind `check`, `scan`, `pin` and `update`).
//!
//! Values come from `yaml_serde` (alias expansion and recursion limits, so billion-laughs inputs
//! fail with an error instead of exhausting memory). `yaml_serde` does not expose spans for
//! values, so line numbers come from a separate, deliberately small [`LineIndex`]: an
//! indentation scanner that records the line of every block-style mapping key and sequence item
//! by its path (`jobs.build.steps[2].uses`). It understands comments, `---` document separators,
//! block scalars (`|`, `>`), quoted keys and compact sequences (`key:\n- item`). Flow-style
//! collections (`{a: 1}`, `[x, y]`) are indexed only at the key that holds them; anything the
//! index does not know falls back to the nearest enclosing key's line. A wrong guess can only move
//! a finding's line, never hide or invent a finding, because rule decisions use the parsed values.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// One component of a path inside a YAML document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Line numbers (1-based) of the keys and sequence items of every document in one file.
#[derive(Debug, Default)]
pub struct LineIndex {
    docs: Vec<HashMap<Vec<Seg>, u32>>,
}

#[derive(Debug)]
struct Frame {
    indent: usize,
    seg: Seg,
    is_key: bool,
    /// Sequence items seen directly below this frame (the next item's index).
    items: usize,
}

impl LineIndex {
    /// Build the index of `text`, in time linear in its size: the work per line is its path,
    /// which is no longer than the line's indentation allows.
    pub fn build(text: &str) -> Self {
        let mut docs: Vec<HashMap<Vec<Seg>, u32>> = vec![HashMap::new()];
        let mut stack: Vec<Frame> = Vec::new();
        // Sequence items at the top level of the current document.
        let mut root_items = 0usize;
        // When inside a block scalar: lines indented more than this column belong to it.
        let mut block_scalar: Option<usize> = None;
        let mut seen_content = false;
        for (n, raw) in text.lines().enumerate() {
            let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
            let trimmed = raw.trim_start_matches(' ');
            let mut col = raw.len() - trimmed.len();
            if let Some(limit) = block_scalar {
                if trimmed.trim().is_empty() || col > limit {
                    continue;
                }
                block_scalar = None;
            }
            let t = trimmed.trim_end();
            if t.is_empty() || t.starts_with('#') || t.starts_with('%') {
                continue;
            }
            if col == 0 && (t == "---" || t.starts_with("--- ") || t == "...") {
                if t != "..." && seen_content {
                    docs.push(HashMap::new());
                }
                stack.clear();
                root_items = 0;
                seen_content = false;
                continue;
            }
            seen_content = true;
            // Pop frames this line is not a child of.
            let is_dash = t == "-" || t.starts_with("- ");
            while let Some(top) = stack.last() {
                let child = if top.is_key {
                    col > top.indent || (col == top.indent && is_dash)
                } else {
                    col > top.indent
                };
                if child {
                    break;
                }
                stack.pop();
            }
            let mut rest = t;
            let doc = docs.last_mut().expect("at least one document");
            // Sequence items, possibly nested on one line (`- - a`).
            while rest == "-" || rest.starts_with("- ") {
                let counter = match stack.last_mut() {
                    Some(top) => &mut top.items,
                    None => &mut root_items,
                };
                let idx = *counter;
                *counter += 1;
                let mut path: Vec<Seg> = stack.iter().map(|f| f.seg.clone()).collect();
                path.push(Seg::Index(idx));
                doc.entry(path).or_insert(line_no);
                stack.push(Frame {
                    indent: col,
                    seg: Seg::Index(idx),
                    is_key: false,
                    items: 0,
                });
                let after = rest[1..].trim_start_matches(' ');
                col += rest.len() - after.len();
                rest = after;
            }
            if let Some((key, value)) = split_key(rest) {
                let mut path: Vec<Seg> = stack.iter().map(|f| f.seg.clone()).collect();
                path.push(Seg::Key(key.clone()));
                doc.entry(path).or_insert(line_no);
                // A new frame: a key seen again (new mapping) numbers its items from 0.
                stack.push(Frame {
                    indent: col,
                    seg: Seg::Key(key),
                    is_key: true,
                    items: 0,
                });
                let v = value.split(" #").next().unwrap_or("").trim();
                if v.starts_with('|') || v.starts_with('>') {
                    block_scalar = Some(col);
                }
            } else if rest.starts_with('|') || rest.starts_with('>') {
                block_scalar = Some(col.saturating_sub(1));
            }
        }
        Self { docs }
    }

    /// The line of `path` in document `doc`, or of its nearest indexed ancestor.
    pub fn line(&self, doc: usize, path: &[Seg]) -> Option<u32> {
        let map = self.docs.get(doc)?;
        let mut p = path.to_vec();
        loop {
            if let Some(l) = map.get(&p) {
                return Some(*l);
            }
            p.pop()?;
        }
    }

    /// The line of `path` in document `doc`, only if that exact path was indexed.
    pub fn exact(&self, doc: usize, path: &[Seg]) -> Option<u32> {
        self.docs.get(doc)?.get(path).copied()
    }
}

/// `key: value` → (key, value). Recognises plain and quoted keys.
fn split_key(s: &str) -> Option<(String, &str)> {
    let bytes = s.as_bytes();
    let first = *bytes.first()?;
    if first == b'"' || first == b'\'' {
        let close = s[1..].find(first as char)? + 1;
        let after = &s[close + 1..];
        let after = after.strip_prefix(':')?;
        if !(after.is_empty() || after.starts_with(' ')) {
            return None;
        }
        return Some((s[1..close].to_owned(), after));
    }
    if matches!(
        first,
        b'{' | b'[' | b'&' | b'*' | b'!' | b'|' | b'>' | b'#' | b'@' | b'`'
    ) {
        // Anchored keys such as `&a key:` are rare in configuration files; skip them.
        return None;
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            let key = s[..i].trim_end();
            if key.is_empty() {
                return None;
            }
            return Some((key.to_owned(), &s[i + 1..]));
        }
        if bytes[i] == b' ' && bytes.get(i + 1) == Some(&b'#') {
            return None;
        }
        i += 1;
    }
    None
}

/// Why a YAML file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum YamlError {
    /// Not YAML, or YAML this loader does not accept (a bad merge key).
    #[error("invalid YAML: {0}")]
    Syntax(String),
    /// Mappings and sequences nested deeper than [`crate::MAX_DEPTH`].
    #[error(transparent)]
    TooDeep(#[from] crate::DepthError),
}

impl YamlError {
    fn syntax(message: impl Into<String>) -> Self {
        Self::Syntax(message.into())
    }

    fn message(&self) -> String {
        match self {
            Self::Syntax(m) => m.clone(),
            Self::TooDeep(e) => e.to_string(),
        }
    }
}

/// Parse every document of `text` into JSON values. Empty documents are kept as `null`, so
/// document indices match the [`LineIndex`].
///
/// The nesting depth is checked first ([`crate::check_depth`], limit
/// [`crate::MAX_DEPTH`]): libyaml's work per token grows with the flow-collection depth, so
/// an unchecked `[[[[…` takes time quadratic in its size; checked, parsing is linear.
pub fn load_all(text: &str) -> Result<Vec<Value>, YamlError> {
    crate::check_depth(text, crate::MAX_DEPTH)?;
    let mut text = std::borrow::Cow::Borrowed(text);
    // A mapping with several `<<:` keys is rejected by the YAML parser as a duplicate key, yet
    // Ruby's parser (and so GitLab) accepts it; gitlabhq's own CI file has one. Such a mapping is
    // rewritten to the standard single `<<: [*a, *b]` (line numbers kept) and parsed again.
    for _ in 0..64 {
        match parse_documents(&text) {
            Ok(docs) => return Ok(docs),
            Err(e) => {
                let mapping_line = e
                    .location()
                    .filter(|_| e.to_string().contains("duplicate entry with key \"<<\""))
                    .map(|l| l.line());
                match mapping_line.and_then(|line| join_merge_keys(&text, line)) {
                    Some(fixed) => text = std::borrow::Cow::Owned(fixed),
                    None => return Err(YamlError::syntax(e.to_string())),
                }
            }
        }
    }
    Err(YamlError::syntax(
        "too many mappings with repeated merge keys (<<)",
    ))
}

fn parse_documents(text: &str) -> Result<Vec<Value>, yaml_serde::Error> {
    use serde::Deserialize as _;
    let mut out = Vec::new();
    for de in yaml_serde::Deserializer::from_str(text) {
        let mut v = yaml_serde::Value::deserialize(de)?;
        apply_merges(&mut v)
            .map_err(|e| <yaml_serde::Error as serde::de::Error>::custom(e.message()))?;
        out.push(
            to_json(v, 0)
                .map_err(|e| <yaml_serde::Error as serde::de::Error>::custom(e.message()))?,
        );
    }
    Ok(out)
}

/// Rewrites the block mapping that starts at 1-based `mapping_line` so that its repeated
/// `<<: *alias` (or `<<: [*a, *b]`) lines become one `<<: [*a, *b, …]` on the first such line;
/// the others become empty lines, so every other line keeps its number. `None` when the shape
/// is anything else (the parse error then stands).
fn join_merge_keys(text: &str, mapping_line: usize) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let indent_of = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let blank = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
    // The parser reports the line of the mapping's anchor or tag (`job: &job`, so the mapping
    // starts on the next line) or, for a plain mapping, the line of its first key.
    let reported = mapping_line.checked_sub(1)?; // 0-based
    let mut i = mapping_line;
    while i < lines.len() && blank(lines[i]) {
        i += 1;
    }
    let anchored = lines
        .get(i)
        .is_some_and(|l| indent_of(l) > indent_of(lines[reported]))
        && lines[reported].contains('&');
    if !anchored {
        i = reported;
    }
    let child = indent_of(lines.get(i)?);
    let mut merges: Vec<(usize, Vec<String>)> = Vec::new();
    while i < lines.len() {
        let l = lines[i];
        if !blank(l) {
            let ind = indent_of(l);
            if ind < child {
                break;
            }
            if ind == child
                && let Some(value) = l.trim().strip_prefix("<<:")
            {
                let value = value.trim();
                let aliases: Vec<String> = match value.strip_prefix('[') {
                    Some(list) => list
                        .strip_suffix(']')?
                        .split(',')
                        .map(|a| a.trim().to_owned())
                        .collect(),
                    None => vec![value.to_owned()],
                };
                let plain = |a: &String| {
                    a.strip_prefix('*').is_some_and(|n| {
                        !n.is_empty() && !n.contains(|c: char| c.is_whitespace() || c == '#')
                    })
                };
                if !aliases.iter().all(plain) {
                    return None;
                }
                merges.push((i, aliases));
            }
        }
        i += 1;
    }
    if merges.len() < 2 {
        return None;
    }
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let all: Vec<String> = merges.iter().flat_map(|(_, a)| a.clone()).collect();
    let (first, _) = merges[0];
    let newline = if out[first].ends_with('\n') { "\n" } else { "" };
    out[first] = format!("{}<<: [{}]{newline}", " ".repeat(child), all.join(", "));
    for (line, _) in &merges[1..] {
        let newline = if out[*line].ends_with('\n') { "\n" } else { "" };
        out[*line] = newline.to_owned();
    }
    Some(out.concat())
}

/// Applies YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`; keys already in the mapping win), as
/// GitLab CI and compose files use them. A merged mapping can itself carry a `<<` key (a chain of
/// templates), so merging repeats until none is left, at most 32 rounds.
fn apply_merges(v: &mut yaml_serde::Value) -> Result<(), YamlError> {
    fn has_merge_key(v: &yaml_serde::Value) -> bool {
        match v {
            yaml_serde::Value::Mapping(m) => m.contains_key("<<") || m.values().any(has_merge_key),
            yaml_serde::Value::Sequence(s) => s.iter().any(has_merge_key),
            yaml_serde::Value::Tagged(t) => has_merge_key(&t.value),
            _ => false,
        }
    }
    for _ in 0..32 {
        if !has_merge_key(v) {
            return Ok(());
        }
        v.apply_merge()
            .map_err(|e| YamlError::syntax(format!("merge key (<<): {e}")))?;
    }
    Err(YamlError::syntax(
        "merge keys (<<) nested more than 32 levels deep",
    ))
}

fn to_json(v: yaml_serde::Value, depth: usize) -> Result<Value, YamlError> {
    if depth > 256 {
        return Err(YamlError::syntax("nesting deeper than 256 levels"));
    }
    Ok(match v {
        yaml_serde::Value::Null => Value::Null,
        yaml_serde::Value::Bool(b) => Value::Bool(b),
        yaml_serde::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(n.to_string()), Value::Number)
            }
        }
        yaml_serde::Value::String(s) => Value::String(s),
        yaml_serde::Value::Sequence(seq) => Value::Array(
            seq.into_iter()
                .map(|v| to_json(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        yaml_serde::Value::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    yaml_serde::Value::String(s) => s,
                    yaml_serde::Value::Bool(b) => b.to_string(),
                    yaml_serde::Value::Number(n) => n.to_string(),
                    yaml_serde::Value::Null => "null".to_owned(),
                    other => format!("{other:?}"),
                };
                out.insert(key, to_json(v, depth + 1)?);
            }
            Value::Object(out)
        }
        yaml_serde::Value::Tagged(t) => {
            let tag = t.tag.to_string();
            let inner = to_json(t.value, depth + 1)?;
            if tag == "!reference" {
                let mut m = Map::new();
                m.insert("!reference".into(), inner);
                Value::Object(m)
            } else {
                inner
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Seg {
        Seg::Key(s.into())
    }

    #[test]
    fn index_keys_and_items() {
        let text =
            "a:\n  b: 1\n  c:\n  - x\n  - y: 2\n    z: |\n      q: 3\n    w: 4\nd: 5\n---\ne: 6\n";
        let idx = LineIndex::build(text);
        assert_eq!(idx.exact(0, &[k("a"), k("b")]), Some(2));
        assert_eq!(idx.exact(0, &[k("a"), k("c"), Seg::Index(0)]), Some(4));
        assert_eq!(
            idx.exact(0, &[k("a"), k("c"), Seg::Index(1), k("y")]),
            Some(5)
        );
        assert_eq!(
            idx.exact(0, &[k("a"), k("c"), Seg::Index(1), k("w")]),
            Some(8)
        );
        assert_eq!(
            idx.exact(0, &[k("a"), k("c"), Seg::Index(1), k("z"), k("q")]),
            None
        );
        assert_eq!(idx.exact(0, &[k("d")]), Some(9));
        assert_eq!(idx.exact(1, &[k("e")]), Some(11));
    }

    #[test]
    fn merge_keys_are_applied_and_own_keys_win() {
        let text = ".base: &base\n  image: python:3.12\n  tags: [a]\n.more: &more\n  <<: *base\n  stage: test\njob:\n  <<: *more\n  tags: [b]\nlist:\n  <<: [*base, {stage: x}]\n";
        let docs = load_all(text).unwrap();
        let job = &docs[0]["job"];
        assert_eq!(job["image"], "python:3.12");
        assert_eq!(job["stage"], "test");
        assert_eq!(job["tags"], serde_json::json!(["b"]));
        assert!(job.get("<<").is_none());
        assert_eq!(docs[0]["list"]["image"], "python:3.12");
        assert_eq!(docs[0]["list"]["stage"], "x");
    }

    #[test]
    fn merge_of_a_scalar_is_an_error_naming_the_merge() {
        let err = load_all("a:\n  <<: 3\n").unwrap_err().to_string();
        assert!(err.starts_with("invalid YAML: merge key (<<): "), "{err}");
    }

    #[test]
    fn repeated_merge_keys_in_one_mapping_are_joined_in_order() {
        let text = ".a: &a\n  image: a:1\n  stage: a\n.b: &b\n  stage: b\n  tags: [b]\njob: &job\n  <<: *a\n  # comment\n  <<: *b\n  script: [x]\nnext:\n  <<: *job\n";
        let docs = load_all(text).unwrap();
        let job = &docs[0]["job"];
        assert_eq!(job["image"], "a:1");
        assert_eq!(job["stage"], "a"); // the first merge listed wins, as in `<<: [*a, *b]`
        assert_eq!(job["tags"], serde_json::json!(["b"]));
        assert_eq!(docs[0]["next"]["stage"], "a");
        // Line numbers are kept: `script` is still on line 11.
        let idx = LineIndex::build(&join_merge_keys(text, 7).unwrap());
        assert_eq!(idx.exact(0, &[k("job"), k("script")]), Some(11));
    }

    #[test]
    fn repeated_merge_keys_in_a_mapping_without_an_anchor_are_joined() {
        let text =
            ".a: &a\n  image: a:1\n.b: &b\n  stage: b\njob:\n  <<: *a\n  <<: *b\n  script: [x]\n";
        let docs = load_all(text).unwrap();
        assert_eq!(docs[0]["job"]["image"], "a:1");
        assert_eq!(docs[0]["job"]["stage"], "b");
    }

    #[test]
    fn repeated_merge_key_with_a_non_alias_value_stays_an_error() {
        let err = load_all("a:\n  <<: {x: 1}\n  <<: {y: 2}\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("duplicate entry with key \"<<\""), "{err}");
    }
}
