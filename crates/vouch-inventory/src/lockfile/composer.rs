//! `composer.lock`.
//!
//! - `packages` → [`Scope::Required`], `packages-dev` → [`Scope::Dev`].
//! - `dist.shasum`, when not empty, → SHA-1 [`Hash`](struct@crate::Hash) (Composer leaves it empty for GitHub
//!   zipballs, which is most packages); `dist.url` (else `source.url`) → `resolved`.
//! - `license` (an array of SPDX ids, occasionally a single string) → licences.
//! - `require` names are resolved to the version locked in the same file (case-insensitively, as
//!   Composer compares names); platform requirements (`php`, `ext-*`, `lib-*`,
//!   `composer-plugin-api`) name no package and are left out.
//! - Lines come from the `"name": "<package>"` line of each entry.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::{
    Ecosystem, Hash, HashAlgorithm, Package, PackageRef, ParseError, ParseWarning, Parsed, Scope,
    Source,
};

#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    packages: Option<Vec<Value>>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: String,
    #[serde(default)]
    dist: Option<RawDist>,
    #[serde(default)]
    source: Option<RawDist>,
    #[serde(default)]
    license: Option<Value>,
    #[serde(default)]
    require: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct RawDist {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    shasum: Option<String>,
}

/// Parses a `composer.lock`.
pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let raw: RawLock = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    if raw.packages.is_none() && raw.packages_dev.is_none() {
        return Err(ParseError::new("no `packages` array: not a composer.lock").at(1, 1));
    }
    let name_lines = name_lines(text);
    let mut warnings = Vec::new();
    let mut entries: Vec<(RawPackage, Scope)> = Vec::new();
    for (list, scope) in [
        (raw.packages, Scope::Required),
        (raw.packages_dev, Scope::Dev),
    ] {
        for (index, value) in list.into_iter().flatten().enumerate() {
            match serde_json::from_value::<RawPackage>(value) {
                Ok(p) => entries.push((p, scope)),
                Err(e) => warnings.push(ParseWarning {
                    line: None,
                    column: None,
                    message: format!(
                        "entry {} of `{}` skipped: {e}",
                        index + 1,
                        if scope == Scope::Dev {
                            "packages-dev"
                        } else {
                            "packages"
                        }
                    ),
                }),
            }
        }
    }

    let versions: BTreeMap<String, (&str, &str)> = entries
        .iter()
        .map(|(p, _)| {
            (
                p.name.to_ascii_lowercase(),
                (p.name.as_str(), p.version.as_str()),
            )
        })
        .collect();

    let mut packages = Vec::with_capacity(entries.len());
    for (raw, scope) in &entries {
        let mut package = Package::new(Ecosystem::Packagist, &raw.name, &raw.version);
        package.scope = *scope;
        package.line = name_lines.get(raw.name.as_str()).copied();
        if let Some(dist) = &raw.dist {
            if let Some(sha) = dist.shasum.as_deref().filter(|s| !s.is_empty()) {
                match Hash::from_hex(HashAlgorithm::Sha1, sha) {
                    Some(hash) => package.hashes.push(hash),
                    None => warnings.push(ParseWarning {
                        line: package.line,
                        column: None,
                        message: format!(
                            "dist.shasum of {} is not 40 hex digits; ignored",
                            raw.name
                        ),
                    }),
                }
            }
            package.resolved = dist.url.clone().map(vouch_url::Url::from);
        }
        if package.resolved.is_none() {
            package.resolved = raw
                .source
                .as_ref()
                .and_then(|s| s.url.clone())
                .map(vouch_url::Url::from);
        }
        package.licenses = match &raw.license {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
            _ => Vec::new(),
        };
        for dep in raw.require.keys() {
            if let Some((name, version)) = versions.get(&dep.to_ascii_lowercase()) {
                package.dependencies.push(PackageRef {
                    name: (*name).to_owned(),
                    version: Some((*version).to_owned()),
                });
            }
        }
        packages.push(package);
    }
    Ok(Parsed { packages, warnings })
}

/// 1-based line of each `"name": "<package>"` line (first occurrence).
fn name_lines(text: &str) -> BTreeMap<&str, u32> {
    let mut map = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("\"name\":") else {
            continue;
        };
        let Some(name) = rest
            .trim()
            .trim_end_matches(',')
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
        else {
            continue;
        };
        map.entry(name)
            .or_insert(u32::try_from(i + 1).unwrap_or(u32::MAX));
    }
    map
}
