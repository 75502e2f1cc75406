//! JSON documents compared value by value; each difference named by its JSON pointer.

use std::path::Path;

use serde_json::Value;

use super::{DiffError, Kind, Out};

/// Whether `path` holds one JSON document (at most `limit` bytes).
pub(crate) fn parses(path: &Path, len: u64, limit: u64) -> bool {
    len <= limit
        && vouch_fs::read::read(path, limit)
            .ok()
            .is_some_and(|b| serde_json::from_slice::<serde::de::IgnoredAny>(&b).is_ok())
}

/// One JSON document, at most `limit` bytes (serde_json bounds nesting at 128).
pub(crate) fn read(path: &Path, limit: u64) -> Result<Value, DiffError> {
    let bytes = vouch_fs::read::read(path, limit).map_err(|e| DiffError::Source {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| DiffError::Json {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// The JSON pointer token for `key` (RFC 6901: `~` → `~0`, `/` → `~1`).
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Longest value shown in a difference (the rest is cut with `…`).
const SHOWN: usize = 200;

fn show(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > SHOWN {
        let cut: String = text.chars().take(SHOWN).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Differences between two JSON values under the pointer `at` (`""` for the root): objects key
/// by key, arrays index by index, anything else as a whole (`field`).
pub(crate) fn compare_values(at: &str, a: &Value, b: &Value, out: &mut super::Out) {
    walk(at, a, b, out);
}

fn walk(at: &str, a: &Value, b: &Value, out: &mut Out) {
    if out.truncated {
        return;
    }
    let here = |at: &str| {
        if at.is_empty() {
            "/".to_owned()
        } else {
            at.to_owned()
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{at}/{}", token(k));
                match (x.get(k), y.get(k)) {
                    (Some(l), Some(r)) => walk(&p, l, r, out),
                    (Some(l), None) => out.push(p, Kind::Missing, Some(show(l)), None),
                    (None, Some(r)) => out.push(p, Kind::Extra, None, Some(show(r))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let p = format!("{at}/{i}");
                match (x.get(i), y.get(i)) {
                    (Some(l), Some(r)) => walk(&p, l, r, out),
                    (Some(l), None) => out.push(p, Kind::Missing, Some(show(l)), None),
                    (None, Some(r)) => out.push(p, Kind::Extra, None, Some(show(r))),
                    (None, None) => {}
                }
            }
        }
        _ if a != b => out.push(here(at), Kind::Field, Some(show(a)), Some(show(b))),
        _ => {}
    }
}
