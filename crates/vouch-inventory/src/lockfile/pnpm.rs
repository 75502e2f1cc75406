//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x, 7 and 9 (read with `yaml_serde`).
//!
//! - `lockfileVersion` may be a number (`5.3`) or a string (`'6.0'`, `'9.0'`).
//! - Package keys: v5 `/name/1.2.3` (peer suffix `_peer@1.0.0`), v6 `/name@1.2.3(peer@1.0.0)`,
//!   v9 `name@1.2.3` in `packages` with the per-peer variants and their edges in `snapshots`.
//!   An entry's own `name` / `version` fields (tarball and git dependencies) win over the key.
//! - v5/v6: one package per `packages` key (peer variants of one version are separate keys, the
//!   inventory merges them). v9: one package per `packages` key, its edges the union of its
//!   `snapshots` variants.
//! - Scope: `dev: true` → Dev, `optional: true` → Optional. v9 dropped the `dev` flag, so there
//!   the scope is computed from the importers: a package reachable only from some importer's
//!   `devDependencies` is Dev.
//! - `resolution.integrity` → [`Hash`](struct@crate::Hash) (SRI); `resolution.tarball` → `resolved`.
//! - `file:` packages (keys `file:…` or `name@file:…`, `resolution.directory`) are local
//!   folders: kept, marked [`crate::Package::first_party`].
//! - Edges: `dependencies` and `optionalDependencies` values (`1.2.3`, `1.2.3_peer@x`,
//!   `1.2.3(peer@x)`, `/other/1.0.0`, `other@1.0.0`) resolved to the package they name; `link:`
//!   targets (workspace folders) are not packages and are left out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use yaml_serde::Value;

use crate::{
    Ecosystem, Hash, Package, PackageRef, ParseError, ParseWarning, Parsed, Scope, Source,
};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawLock {
    #[serde(default)]
    lockfile_version: Option<Value>,
    #[serde(default)]
    importers: BTreeMap<String, RawImporter>,
    /// v5 single-project lockfiles keep the importer fields at the top level.
    #[serde(flatten)]
    root: RawImporter,
    #[serde(default)]
    packages: BTreeMap<String, RawPackage>,
    #[serde(default)]
    snapshots: BTreeMap<String, RawSnapshot>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawImporter {
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawPackage {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<Value>,
    #[serde(default)]
    resolution: Option<RawResolution>,
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    dev: Option<bool>,
    #[serde(default)]
    optional: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawSnapshot {
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    optional: Option<bool>,
}

#[derive(Deserialize, Default)]
struct RawResolution {
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    tarball: Option<String>,
    /// A local folder (`file:` dependency): the project's own code.
    #[serde(default)]
    directory: Option<String>,
}

/// Parses a `pnpm-lock.yaml`.
pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let raw: RawLock = yaml_serde::from_str(text).map_err(|e| yaml_error(&e))?;
    let major = raw
        .lockfile_version
        .as_ref()
        .and_then(scalar)
        .and_then(|v| {
            v.split('.')
                .next()
                .and_then(|m| m.trim_start_matches('v').parse::<u32>().ok())
        });
    let slash_keys = major.is_some_and(|m| m < 6);
    let lines = key_lines(text, "packages:");

    // key (without peer suffix) -> (name, version)
    let mut ids: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (key, entry) in &raw.packages {
        if let Some(id) = package_id(key, entry, slash_keys) {
            ids.insert(base_key(key, slash_keys).to_owned(), id);
        }
    }
    let resolve = |name: &str, value: &Value| -> Option<PackageRef> {
        let v = dep_version(value)?;
        if v.starts_with("link:") {
            return None;
        }
        // `/other/1.0.0` or `other@1.0.0` (an alias or a tarball key).
        if let Some(id) = ids
            .get(base_key(&v, slash_keys))
            .or_else(|| ids.get(base_key(v.trim_start_matches('/'), slash_keys)))
        {
            return Some(PackageRef {
                name: id.0.clone(),
                version: Some(id.1.clone()),
            });
        }
        let version = strip_peers(&v, slash_keys);
        let key_v6 = format!("/{name}@{version}");
        let key_v5 = format!("/{name}/{version}");
        let key_v9 = format!("{name}@{version}");
        for key in [&key_v9, &key_v6, &key_v5] {
            if let Some(id) = ids.get(key.as_str()) {
                return Some(PackageRef {
                    name: id.0.clone(),
                    version: Some(id.1.clone()),
                });
            }
        }
        Some(PackageRef {
            name: name.to_owned(),
            version: Some(version.to_owned()),
        })
    };

    let mut warnings = Vec::new();
    let v9 = !raw.snapshots.is_empty();
    let mut packages = Vec::new();
    for (key, entry) in &raw.packages {
        let Some((name, version)) = ids.get(base_key(key, slash_keys)).cloned() else {
            warnings.push(ParseWarning {
                line: lines.get(key.as_str()).copied(),
                column: None,
                message: format!("package key `{key}` names no package and version; skipped"),
            });
            continue;
        };
        let mut package = Package::new(Ecosystem::Npm, name, version);
        package.line = lines.get(key.as_str()).copied();
        // `file:`/`link:` keys and directory resolutions are local folders: first-party code.
        let local_key = key.trim_start_matches('/');
        package.first_party = local_key.starts_with("file:")
            || local_key.starts_with("link:")
            || local_key.contains("@file:")
            || entry
                .resolution
                .as_ref()
                .is_some_and(|r| r.directory.is_some());
        if let Some(resolution) = &entry.resolution {
            package
                .hashes
                .extend(resolution.integrity.as_deref().and_then(Hash::from_sri));
            package.resolved = resolution.tarball.clone().map(vouch_url::Url::from);
        }
        let mut edges: Vec<(&String, &Value)> = entry
            .dependencies
            .iter()
            .chain(&entry.optional_dependencies)
            .collect();
        let mut optional = entry.optional == Some(true);
        if v9 {
            let base = base_key(key, slash_keys);
            let mut all_optional = true;
            let mut any = false;
            for (skey, snap) in &raw.snapshots {
                if base_key(skey, slash_keys) == base {
                    any = true;
                    all_optional &= snap.optional == Some(true);
                    edges.extend(snap.dependencies.iter().chain(&snap.optional_dependencies));
                }
            }
            optional |= any && all_optional;
        }
        for (dep, value) in edges {
            if let Some(r) = resolve(dep, value)
                && !package.dependencies.contains(&r)
            {
                package.dependencies.push(r);
            }
        }
        package.dependencies.sort();
        package.scope = if entry.dev == Some(true) {
            Scope::Dev
        } else if optional {
            Scope::Optional
        } else {
            Scope::Required
        };
        packages.push(package);
    }

    if v9 {
        apply_dev_scope_from_importers(&raw, &mut packages, &resolve);
    }
    packages.sort_by_key(|p| p.line);
    Ok(Parsed { packages, warnings })
}

/// v9 has no `dev` flag: a package reachable from `devDependencies` but not from
/// `dependencies` / `optionalDependencies` of any importer is Dev.
fn apply_dev_scope_from_importers(
    raw: &RawLock,
    packages: &mut [Package],
    resolve: &dyn Fn(&str, &Value) -> Option<PackageRef>,
) {
    let importers: Vec<&RawImporter> = if raw.importers.is_empty() {
        vec![&raw.root]
    } else {
        raw.importers.values().collect()
    };
    let index: BTreeMap<(String, String), usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.name.clone(), p.version.clone()), i))
        .collect();
    let reach = |roots: Vec<PackageRef>| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<PackageRef> = roots;
        while let Some(r) = stack.pop() {
            let Some(version) = r.version.clone() else {
                continue;
            };
            let Some(&i) = index.get(&(r.name.clone(), version)) else {
                continue;
            };
            if seen.insert(i)
                && let Some(p) = packages.get(i)
            {
                stack.extend(p.dependencies.iter().cloned());
            }
        }
        seen
    };
    let prod_roots: Vec<PackageRef> = importers
        .iter()
        .flat_map(|imp| imp.dependencies.iter().chain(&imp.optional_dependencies))
        .filter_map(|(n, v)| resolve(n, v))
        .collect();
    let dev_roots: Vec<PackageRef> = importers
        .iter()
        .flat_map(|imp| imp.dev_dependencies.iter())
        .filter_map(|(n, v)| resolve(n, v))
        .collect();
    let prod = reach(prod_roots);
    let dev = reach(dev_roots);
    for i in dev.difference(&prod) {
        if let Some(p) = packages.get_mut(*i) {
            p.scope = Scope::Dev;
        }
    }
}

/// A YAML scalar as a string.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An importer or package dependency value: a scalar, or v6+'s `{specifier, version}`.
fn dep_version(value: &Value) -> Option<String> {
    match value {
        Value::Mapping(m) => m.get("version").and_then(scalar),
        other => scalar(other),
    }
}

/// Drops the peer suffix of a dependency version: `(peer@1.0.0)` (v6+), `_peer@1.0.0` (v5).
fn strip_peers(version: &str, slash_keys: bool) -> &str {
    let cut = if slash_keys {
        version.find('_')
    } else {
        version.find('(')
    };
    cut.and_then(|i| version.get(..i)).unwrap_or(version)
}

/// A package key without its peer suffix. v5 writes the suffix after the version
/// (`/name/1.2.3_peer@1.0.0`, a scoped peer's `/` written as `+`), so only a `_` after the last
/// `/` starts it; v6+ writes it in parentheses.
fn base_key(key: &str, slash_keys: bool) -> &str {
    if slash_keys {
        let from = key.rfind('/').unwrap_or(0);
        let cut = key
            .get(from..)
            .and_then(|rest| rest.find('_'))
            .map(|i| from + i);
        cut.and_then(|i| key.get(..i)).unwrap_or(key)
    } else {
        key.find('(').and_then(|i| key.get(..i)).unwrap_or(key)
    }
}

/// (name, version) of a `packages` entry: its own fields first, else the key.
fn package_id(key: &str, entry: &RawPackage, slash_keys: bool) -> Option<(String, String)> {
    let base = base_key(key, slash_keys);
    let trimmed = base.strip_prefix('/').unwrap_or(base);
    let from_key = if slash_keys {
        // name/1.2.3, @scope/name/1.2.3
        trimmed.rsplit_once('/')
    } else {
        // name@1.2.3, @scope/name@1.2.3
        let at = trimmed.get(1..).and_then(|s| s.find('@')).map(|i| i + 1);
        at.and_then(|i| Some((trimmed.get(..i)?, trimmed.get(i + 1..)?)))
    };
    let name = entry
        .name
        .clone()
        .or_else(|| from_key.map(|k| k.0.to_owned()))?;
    let version = entry
        .version
        .as_ref()
        .and_then(scalar)
        .or_else(|| from_key.map(|k| k.1.to_owned()))?;
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

/// 1-based lines of the two-space keys under the top-level `section`, by unquoted key.
fn key_lines(text: &str, section: &str) -> BTreeMap<String, u32> {
    let mut map = BTreeMap::new();
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line.trim_end() == section;
            continue;
        }
        if !inside {
            continue;
        }
        let Some(rest) = line.strip_prefix("  ") else {
            continue;
        };
        if rest.starts_with(' ') {
            continue;
        }
        let Some(key) = rest.trim_end().strip_suffix(':') else {
            continue;
        };
        let key = key.trim_matches(|c| c == '\'' || c == '"');
        map.entry(key.to_owned())
            .or_insert(u32::try_from(i + 1).unwrap_or(u32::MAX));
    }
    map
}

/// A YAML error with its line and column.
pub(crate) fn yaml_error(err: &yaml_serde::Error) -> ParseError {
    let msg = err.to_string();
    let message = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    match err.location() {
        Some(loc) => ParseError::new(message).at(
            u32::try_from(loc.line()).unwrap_or(u32::MAX),
            u32::try_from(loc.column()).unwrap_or(u32::MAX),
        ),
        None => ParseError::new(message),
    }
}
