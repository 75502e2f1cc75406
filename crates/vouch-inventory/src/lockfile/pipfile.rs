//! `Pipfile.lock` (pipenv, `pipfile-spec` 6).
//!
//! `default` entries are required, `develop` entries dev (a package in both is listed twice and
//! the inventory keeps the stronger scope). Only entries pinned with `"version": "==X"` (or
//! `===X`) become packages: `git`, `path` and `file` entries carry no version and are skipped.
//! `hashes` become [`crate::Hash`]es. Pipfile.lock records no dependency edges.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::poetry::parse_hash;
use crate::{Ecosystem, Package, ParseError, ParseWarning, Parsed, Scope, Source};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    default: Map<String, Value>,
    #[serde(default)]
    develop: Map<String, Value>,
}

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let lock: Lock = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let mut parsed = Parsed::default();
    for (section, entries, scope) in [
        ("default", &lock.default, Scope::Required),
        ("develop", &lock.develop, Scope::Dev),
    ] {
        let section_at = text.find(&format!("\"{section}\"")).unwrap_or(0);
        for (name, entry) in entries {
            let line = key_line(text, section_at, name);
            let Some(obj) = entry.as_object() else {
                parsed.warnings.push(ParseWarning {
                    line,
                    column: None,
                    message: format!("`{section}.{name}` is not an object; skipped"),
                });
                continue;
            };
            let Some(version) = obj.get("version").and_then(Value::as_str) else {
                continue;
            };
            let Some(version) = version
                .strip_prefix("===")
                .or_else(|| version.strip_prefix("=="))
                .map(str::trim)
            else {
                continue;
            };
            if version.is_empty() || version.contains('*') {
                continue;
            }
            let mut package = Package::new(Ecosystem::PyPi, name.clone(), version);
            package.scope = scope;
            package.line = line;
            for hash in obj
                .get("hashes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(hash) = hash.as_str().and_then(parse_hash)
                    && !package.hashes.contains(&hash)
                {
                    package.hashes.push(hash);
                }
            }
            parsed.packages.push(package);
        }
    }
    Ok(parsed)
}

/// The line of `"name":` after the section key (a cheap scan; `None` if not found verbatim).
fn key_line(text: &str, from: usize, name: &str) -> Option<u32> {
    let needle = format!("\"{name}\":");
    let rest = text.get(from..)?;
    let at = from + rest.find(&needle)?;
    Some(crate::line_col(text.as_bytes(), at).0)
}
