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
        let mut cursor = Cursor::new(text, section_at);
        for (name, entry) in entries {
            let line = cursor.key_line(name);
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

/// Finds the line of each `"name":` key after a section's start. pipenv writes keys sorted,
/// as they are iterated here, so each search starts where the last one ended (linear overall);
/// a key not found from there is searched again from the section start.
struct Cursor<'t> {
    text: &'t str,
    start: usize,
    at: usize,
    line: u32,
}

impl<'t> Cursor<'t> {
    fn new(text: &'t str, start: usize) -> Self {
        let line = crate::line_col(text.as_bytes(), start).0;
        Self {
            text,
            start,
            at: start,
            line,
        }
    }

    fn key_line(&mut self, name: &str) -> Option<u32> {
        let needle = format!("\"{name}\":");
        if let Some(found) = self.text.get(self.at..).and_then(|r| r.find(&needle)) {
            let at = self.at + found;
            let newlines = self
                .text
                .get(self.at..at)
                .map_or(0, |s| s.matches('\n').count());
            self.line = self
                .line
                .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
            self.at = at;
            return Some(self.line);
        }
        let at = self.start + self.text.get(self.start..)?.find(&needle)?;
        Some(crate::line_col(self.text.as_bytes(), at).0)
    }
}
