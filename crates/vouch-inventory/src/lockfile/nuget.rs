//! NuGet `packages.lock.json` and .NET `*.deps.json` → `pkg:nuget/Name@version`.
//!
//! ## `packages.lock.json`
//!
//! `dependencies` holds one map per target framework (`net8.0`, or `net8.0/linux-x64` for a
//! runtime): package name → `type`, `resolved`, `contentHash`, `dependencies`.
//!
//! - `Direct` → `dependency` property `direct`; `Transitive` and `CentralTransitive` →
//!   `indirect`. A package direct in one framework and transitive in another is direct.
//! - `Project` entries are the solution's own projects (no registry package): left out.
//! - `contentHash` is the base64 SHA-512 of the `.nupkg` file NuGet downloaded: kept as the
//!   package's SHA-512.
//! - One package at one version in several frameworks is one package; the frameworks are the
//!   `nuget-target-frameworks` property (comma-separated, sorted).
//! - Edges: each `dependencies` name is resolved to the version locked for it in the same
//!   framework.
//!
//! ## `*.deps.json`
//!
//! What a built application loads: `libraries` of `type: package` (`project` and
//! `referenceassembly` entries are the application and framework reference assemblies, left
//! out), with the `sha512` hash of the `.nupkg`; edges from `targets`. Every package is
//! [`crate::Scope::Required`] (a deps.json lists only what the application loads).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::property;
use crate::{Ecosystem, Hash, Package, PackageRef, ParseError, ParseWarning, Parsed, Source};

/// The `nuget-target-frameworks` property.
pub const TARGET_FRAMEWORKS: &str = "nuget-target-frameworks";

fn object(root: &Value) -> Result<&Map<String, Value>, ParseError> {
    root.as_object()
        .ok_or_else(|| ParseError::new("expected a JSON object at the top level").at(1, 1))
}

fn load(source: &Source<'_>) -> Result<Value, ParseError> {
    let text = source.text()?;
    serde_json::from_str(text).map_err(|e| ParseError::json(&e))
}

/// Line of the first `"name": {` at or after line `after` (1-based), for evidence.
fn line_of(text: &str, key: &str, after: u32) -> Option<u32> {
    let needle = format!("\"{key}\": {{");
    text.lines()
        .enumerate()
        .skip(after.saturating_sub(1) as usize)
        .find(|(_, l)| l.trim_start().starts_with(&needle))
        .and_then(|(i, _)| u32::try_from(i + 1).ok())
}

struct Seen {
    package: Package,
    frameworks: BTreeSet<String>,
}

/// Parses a `packages.lock.json`.
pub fn parse_lock(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let root = load(source)?;
    let text = source.text()?;
    let root = object(&root)?;
    let mut warnings = Vec::new();
    let Some(frameworks) = root.get("dependencies") else {
        return Ok(Parsed::default());
    };
    let Some(frameworks) = frameworks.as_object() else {
        return Err(ParseError::new("`dependencies` is not an object"));
    };
    // (lower-cased name, version) → package, merged across frameworks.
    let mut seen: BTreeMap<(String, String), Seen> = BTreeMap::new();
    for (framework, packages) in frameworks {
        let framework_line = line_of(text, framework, 1).unwrap_or(1);
        let Some(packages) = packages.as_object() else {
            warnings.push(ParseWarning {
                line: Some(framework_line),
                column: None,
                message: format!("framework `{framework}` is not an object; skipped"),
            });
            continue;
        };
        let resolved_here: BTreeMap<String, String> = packages
            .iter()
            .filter_map(|(n, e)| {
                Some((
                    n.to_ascii_lowercase(),
                    e.get("resolved")?.as_str()?.to_owned(),
                ))
            })
            .collect();
        for (name, entry) in packages {
            let line = line_of(text, name, framework_line);
            let kind = entry.get("type").and_then(Value::as_str).unwrap_or("");
            if kind == "Project" {
                continue;
            }
            let Some(version) = entry.get("resolved").and_then(Value::as_str) else {
                warnings.push(ParseWarning {
                    line,
                    column: None,
                    message: format!(
                        "`{name}` in `{framework}` has no `resolved` version; skipped"
                    ),
                });
                continue;
            };
            let direct = match kind {
                "Direct" => property::DIRECT,
                _ => property::INDIRECT,
            };
            let key = (name.to_ascii_lowercase(), version.to_owned());
            let record = seen.entry(key).or_insert_with(|| {
                let mut package = Package::new(Ecosystem::NuGet, name.as_str(), version);
                package.line = line;
                package.hashes.extend(
                    entry
                        .get("contentHash")
                        .and_then(Value::as_str)
                        .and_then(|h| Hash::from_sri(&format!("sha512-{h}"))),
                );
                Seen {
                    package,
                    frameworks: BTreeSet::new(),
                }
            });
            record.frameworks.insert(framework.clone());
            let current = record.package.properties.get(property::DEPENDENCY);
            if current.is_none() || direct == property::DIRECT {
                record
                    .package
                    .properties
                    .insert(property::DEPENDENCY.into(), direct.into());
            }
            if let Some(deps) = entry.get("dependencies").and_then(Value::as_object) {
                for dep in deps.keys() {
                    let reference = PackageRef {
                        name: dep.clone(),
                        version: resolved_here.get(&dep.to_ascii_lowercase()).cloned(),
                    };
                    if !record.package.dependencies.contains(&reference) {
                        record.package.dependencies.push(reference);
                    }
                }
            }
        }
    }
    let packages = seen
        .into_values()
        .map(|mut s| {
            let frameworks: Vec<String> = s.frameworks.into_iter().collect();
            s.package
                .properties
                .insert(TARGET_FRAMEWORKS.into(), frameworks.join(","));
            s.package
        })
        .collect();
    Ok(Parsed { packages, warnings })
}

/// Parses a `*.deps.json`.
pub fn parse_deps(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let root = load(source)?;
    let text = source.text()?;
    let root = object(&root)?;
    let mut warnings = Vec::new();
    let Some(libraries) = root.get("libraries") else {
        return Err(ParseError::new("no `libraries` object: not a .deps.json file").at(1, 1));
    };
    let Some(libraries) = libraries.as_object() else {
        return Err(ParseError::new("`libraries` is not an object"));
    };
    let libraries_line = line_of(text, "libraries", 1).unwrap_or(1);
    // `Name/Version` → its dependencies (name → version), from every target.
    let mut edges: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    if let Some(targets) = root.get("targets").and_then(Value::as_object) {
        for target in targets.values().filter_map(Value::as_object) {
            for (id, entry) in target {
                if let Some(deps) = entry.get("dependencies").and_then(Value::as_object) {
                    let out = edges.entry(id.as_str()).or_default();
                    for (n, v) in deps {
                        if let Some(v) = v.as_str() {
                            out.insert(n.as_str(), v);
                        }
                    }
                }
            }
        }
    }
    let mut packages = Vec::new();
    for (id, entry) in libraries {
        let line = line_of(text, id, libraries_line);
        if entry.get("type").and_then(Value::as_str) != Some("package") {
            continue;
        }
        let Some((name, version)) = id
            .rsplit_once('/')
            .filter(|(n, v)| !n.is_empty() && !v.is_empty())
        else {
            warnings.push(ParseWarning {
                line,
                column: None,
                message: format!("library `{id}` is not `Name/Version`; skipped"),
            });
            continue;
        };
        let mut package = Package::new(Ecosystem::NuGet, name, version);
        package.line = line;
        package.hashes.extend(
            entry
                .get("sha512")
                .and_then(Value::as_str)
                .and_then(Hash::from_sri),
        );
        if let Some(deps) = edges.get(id.as_str()) {
            package.dependencies = deps
                .iter()
                .map(|(n, v)| PackageRef {
                    name: (*n).to_owned(),
                    version: Some((*v).to_owned()),
                })
                .collect();
        }
        packages.push(package);
    }
    Ok(Parsed { packages, warnings })
}
