//! An installed npm package: `node_modules/<name>/package.json` (and scoped
//! `node_modules/@scope/<name>/package.json`).
//!
//! `name` and `version` are required: a package.json without them (some packages ship a
//! stub `package.json` in a sub-folder) gives a warning and no package. Licences: a `license`
//! string, or the legacy `{ "type": … }` object, or arrays of either, and the legacy
//! `licenses` array. npm v6 and older wrote `_integrity` (SRI) and `_resolved` into the
//! installed package.json; they become a hash and the download location. `dependencies` become
//! edges by name only (which version satisfied them is decided by the folder layout, which this
//! one file cannot see).

use serde_json::Value;

use crate::{Ecosystem, Hash, Package, PackageRef, ParseError, ParseWarning, Parsed, Source};

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let value: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let Some(obj) = value.as_object() else {
        return Err(ParseError::new("package.json is not a JSON object").at(1, 1));
    };
    let mut parsed = Parsed::default();
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let version = obj
        .get("version")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let (Some(name), Some(version)) = (name, version) else {
        parsed.warnings.push(ParseWarning {
            line: None,
            column: None,
            message: match (name, version) {
                (Some(n), None) => format!("package.json of `{n}` has no `version`; skipped"),
                (None, Some(_)) => "package.json has no `name`; skipped".to_owned(),
                _ => "package.json has no `name` or `version`; skipped".to_owned(),
            },
        });
        return Ok(parsed);
    };
    let mut package = Package::new(Ecosystem::Npm, name, version);
    package.line = key_line(text, "name");
    for key in ["license", "licenses"] {
        collect_licenses(obj.get(key), &mut package.licenses, 0);
    }
    if let Some(hash) = obj
        .get("_integrity")
        .and_then(Value::as_str)
        .and_then(Hash::from_sri)
    {
        package.hashes.push(hash);
    }
    package.resolved = obj
        .get("_resolved")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(vouch_url::Url::from);
    if let Some(deps) = obj.get("dependencies").and_then(Value::as_object) {
        package.dependencies = deps
            .keys()
            .map(|k| PackageRef {
                name: k.clone(),
                version: None,
            })
            .collect();
    }
    parsed.packages.push(package);
    Ok(parsed)
}

fn collect_licenses(value: Option<&Value>, out: &mut Vec<String>, depth: usize) {
    let Some(value) = value else { return };
    let found = match value {
        Value::String(s) => Some(s.trim()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::trim),
        Value::Array(items) if depth == 0 => {
            for item in items {
                collect_licenses(Some(item), out, depth + 1);
            }
            None
        }
        _ => None,
    };
    if let Some(l) = found.filter(|l| !l.is_empty())
        && !out.iter().any(|o| o == l)
    {
        out.push(l.to_owned());
    }
}

/// Line of the first top-level-looking `"key":` (cheap; `None` if not found).
fn key_line(text: &str, key: &str) -> Option<u32> {
    let at = text.find(&format!("\"{key}\""))?;
    Some(crate::line_col(text.as_bytes(), at).0)
}
