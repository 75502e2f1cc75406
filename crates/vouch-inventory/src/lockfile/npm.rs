//! `package-lock.json` (v1, v2, v3) and `npm-shrinkwrap.json`.
//!
//! - v2/v3: the `packages` map, keyed by install path (`node_modules/a/node_modules/b`). The
//!   root `""` entry is the project itself and is skipped. `link: true` entries are symlinks to
//!   another entry (a workspace member); they are not packages themselves, but dependency edges
//!   through them are followed to their target. Workspace members (keys outside `node_modules`,
//!   e.g. `packages/app`) are first-party code; they are kept, like Syft and Trivy do, when they
//!   have a version, and marked [`crate::Package::first_party`] (so are `file:`/`link:`
//!   versions, by the inventory).
//! - v1: the nested `dependencies` tree (only read when there is no `packages` map).
//! - Scope: `dev` and `devOptional` (a dev dependency that production only needs optionally)
//!   → [`Scope::Dev`], `optional` → [`Scope::Optional`], a `peer` that is also `optional` →
//!   Optional; a plain `peer` is installed by npm 7+ and so stays Required.
//! - `integrity` → [`Hash`](struct@crate::Hash) (SRI), `resolved`, `license` (string or legacy `{type}` object).
//! - v2/v3 `hasInstallScript: true` → the [`property::INSTALL_SCRIPT`](crate::property::INSTALL_SCRIPT)
//!   property (`true`); v1 lockfiles do not record it.
//! - Edges: every name in `dependencies`, `optionalDependencies` and `peerDependencies` (v1:
//!   `requires`) is resolved the way node does, at the nearest `node_modules` up the install
//!   path; names npm did not install (an optional peer) are left out.
//! - Lines: found by looking up `"key": {` at the indentation npm writes, so they are only known
//!   for npm's own pretty-printed output.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::{
    Ecosystem, Hash, Package, PackageRef, ParseError, ParseWarning, Parsed, Scope, Source,
};

/// Deeper `node_modules` nesting than this in a v1 tree is refused rather than recursed into.
const MAX_DEPTH: usize = 100;

/// Parses a `package-lock.json` or `npm-shrinkwrap.json`.
pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let root: Value = serde_json::from_str(text).map_err(|e| ParseError::json(&e))?;
    let Value::Object(root) = root else {
        return Err(ParseError::new("expected a JSON object at the top level").at(1, 1));
    };
    let lines = KeyLines::new(text);
    if let Some(packages) = root.get("packages") {
        let Value::Object(packages) = packages else {
            return Err(ParseError::new("`packages` is not an object"));
        };
        Ok(parse_packages(packages, &lines))
    } else if let Some(deps) = root.get("dependencies") {
        let Value::Object(deps) = deps else {
            return Err(ParseError::new("`dependencies` is not an object"));
        };
        parse_v1(deps, &lines)
    } else {
        // A lockfile of a project without dependencies.
        Ok(Parsed::default())
    }
}

/// Lines of `"key": {` openings, by (indent, key), each list ascending.
struct KeyLines<'a> {
    map: BTreeMap<(usize, &'a str), Vec<u32>>,
    /// Spaces per nesting level (npm writes 2; hand-formatted files use 4).
    unit: usize,
}

impl<'a> KeyLines<'a> {
    fn new(text: &'a str) -> Self {
        let mut map: BTreeMap<(usize, &'a str), Vec<u32>> = BTreeMap::new();
        let mut unit = 0;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if unit == 0 && indent > 0 && trimmed.starts_with('"') {
                unit = indent;
            }
            let Some(rest) = trimmed.strip_prefix('"') else {
                continue;
            };
            let Some(key) = rest.strip_suffix("\": {") else {
                continue;
            };
            map.entry((indent, key))
                .or_default()
                .push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
        Self {
            map,
            unit: unit.max(1),
        }
    }

    /// The first line at or after `after` opening `key` at nesting `level` (top-level keys: 1).
    fn find(&self, level: usize, key: &str, after: u32) -> Option<u32> {
        let lines = self.map.get(&(level * self.unit, key))?;
        let at = lines.partition_point(|&l| l < after);
        lines.get(at).copied()
    }
}

fn str_field<'v>(entry: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    entry.get(key).and_then(Value::as_str)
}

fn flag(entry: &Map<String, Value>, key: &str) -> bool {
    entry.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn scope_of(entry: &Map<String, Value>) -> Scope {
    if flag(entry, "dev") || flag(entry, "devOptional") {
        Scope::Dev
    } else if flag(entry, "optional") {
        Scope::Optional
    } else {
        Scope::Required
    }
}

fn licenses_of(entry: &Map<String, Value>) -> Vec<String> {
    match entry.get("license") {
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        Some(Value::Object(o)) => o
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

fn fill_common(package: &mut Package, entry: &Map<String, Value>) {
    package.scope = scope_of(entry);
    package.resolved = str_field(entry, "resolved").map(vouch_url::Url::from);
    package
        .hashes
        .extend(str_field(entry, "integrity").and_then(Hash::from_sri));
    package.licenses = licenses_of(entry);
}

/// The package name an install path ends in: `node_modules/@s/b` → `@s/b`; a workspace
/// folder `packages/app` → `app`.
fn name_from_path(path: &str) -> &str {
    match path.rfind("node_modules/") {
        Some(i) => path.get(i + "node_modules/".len()..).unwrap_or(path),
        None => path.rsplit('/').next().unwrap_or(path),
    }
}

/// The install path whose `node_modules` node searches next: the enclosing package, or `""`.
fn parent_path(path: &str) -> &str {
    match path.rfind("/node_modules/") {
        Some(i) => path.get(..i).unwrap_or(""),
        None => "",
    }
}

/// v2/v3 `packages`.
fn parse_packages(packages: &Map<String, Value>, lines: &KeyLines<'_>) -> Parsed {
    let mut parsed = Parsed::default();
    let packages_line = lines.find(1, "packages", 0).unwrap_or(0);

    // Follows a link entry to its target's path.
    let target = |path: &str| -> Option<String> {
        let mut path = path.to_owned();
        for _ in 0..8 {
            let entry = packages.get(&path)?.as_object()?;
            if !flag(entry, "link") {
                return Some(path);
            }
            path = str_field(entry, "resolved")?.to_owned();
        }
        None
    };
    let version_at = |path: &str| -> Option<(String, String)> {
        let path = target(path)?;
        let entry = packages.get(&path)?.as_object()?;
        let version = str_field(entry, "version")?;
        let name = str_field(entry, "name").unwrap_or_else(|| name_from_path(&path));
        Some((name.to_owned(), version.to_owned()))
    };

    for (path, entry) in packages {
        if path.is_empty() {
            continue;
        }
        let line = lines.find(2, path, packages_line);
        let Some(entry) = entry.as_object() else {
            parsed.warnings.push(ParseWarning {
                line,
                column: None,
                message: format!("entry `{path}` is not an object; skipped"),
            });
            continue;
        };
        if flag(entry, "link") {
            continue;
        }
        let Some(version) = str_field(entry, "version") else {
            if path.contains("node_modules/") {
                parsed.warnings.push(ParseWarning {
                    line,
                    column: None,
                    message: format!("entry `{path}` has no version; skipped"),
                });
            }
            continue;
        };
        let name = str_field(entry, "name").unwrap_or_else(|| name_from_path(path));
        let mut package = Package::new(Ecosystem::Npm, name, version);
        package.line = line;
        // A key outside `node_modules` is a workspace member folder: the project's own code.
        package.first_party = !path.contains("node_modules/");
        fill_common(&mut package, entry);
        if flag(entry, "hasInstallScript") {
            package = package.with_property(crate::property::INSTALL_SCRIPT, "true");
        }
        if flag(entry, "peer") && flag(entry, "optional") {
            package.scope = package.scope.max(Scope::Optional);
        }
        for field in ["dependencies", "optionalDependencies", "peerDependencies"] {
            let Some(deps) = entry.get(field).and_then(Value::as_object) else {
                continue;
            };
            for dep in deps.keys() {
                if let Some((name, version)) = resolve_node(path, dep, &|p| version_at(p)) {
                    let r = PackageRef {
                        name,
                        version: Some(version),
                    };
                    if !package.dependencies.contains(&r) {
                        package.dependencies.push(r);
                    }
                }
            }
        }
        parsed.packages.push(package);
    }
    parsed
}

/// `bar@1.0.0` / `@s/bar@1.0.0` → (name, version).
fn split_alias(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((spec.get(..at)?, spec.get(at + 1..)?))
}

/// Looks `dep` up from the package at `from`, nearest `node_modules` first.
fn resolve_node(
    from: &str,
    dep: &str,
    lookup: &dyn Fn(&str) -> Option<(String, String)>,
) -> Option<(String, String)> {
    let mut base = from;
    loop {
        let candidate = if base.is_empty() {
            format!("node_modules/{dep}")
        } else {
            format!("{base}/node_modules/{dep}")
        };
        if let Some(found) = lookup(&candidate) {
            return Some(found);
        }
        if base.is_empty() {
            return None;
        }
        base = parent_path(base);
    }
}

/// One node of the v1 tree, flattened: its parent's index and its own children.
struct V1Node<'v> {
    parent: Option<usize>,
    name: &'v str,
    entry: &'v Map<String, Value>,
    line: Option<u32>,
    children: BTreeMap<&'v str, usize>,
}

/// A v1 `dependencies` map still to visit: (parent node index, depth, parent line, the map).
type Pending<'v> = (Option<usize>, usize, u32, &'v Map<String, Value>);

/// v1 nested `dependencies`.
fn parse_v1(deps: &Map<String, Value>, lines: &KeyLines<'_>) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed::default();
    let mut nodes: Vec<V1Node<'_>> = Vec::new();
    let mut roots: BTreeMap<&str, usize> = BTreeMap::new();
    let root_line = lines.find(1, "dependencies", 0).unwrap_or(0);
    let mut queue: Vec<Pending<'_>> = vec![(None, 0, root_line, deps)];
    while let Some((parent, depth, parent_line, children)) = queue.pop() {
        if depth > MAX_DEPTH {
            return Err(ParseError::new(format!(
                "dependencies nest deeper than {MAX_DEPTH} levels"
            )));
        }
        for (name, entry) in children {
            let line = lines.find(2 + 2 * depth, name, parent_line);
            let Some(entry) = entry.as_object() else {
                parsed.warnings.push(ParseWarning {
                    line,
                    column: None,
                    message: format!("dependency `{name}` is not an object; skipped"),
                });
                continue;
            };
            let index = nodes.len();
            nodes.push(V1Node {
                parent,
                name,
                entry,
                line,
                children: BTreeMap::new(),
            });
            match parent {
                Some(p) => {
                    if let Some(node) = nodes.get_mut(p) {
                        node.children.insert(name, index);
                    }
                }
                None => {
                    roots.insert(name, index);
                }
            }
            if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
                queue.push((Some(index), depth + 1, line.unwrap_or(parent_line), nested));
            }
        }
    }

    for node in &nodes {
        let Some(version) = str_field(node.entry, "version") else {
            parsed.warnings.push(ParseWarning {
                line: node.line,
                column: None,
                message: format!("dependency `{}` has no version; skipped", node.name),
            });
            continue;
        };
        // An alias `"foo": { "version": "npm:bar@1.0.0" }` installs package `bar`.
        let (name, version) = match version.strip_prefix("npm:").and_then(split_alias) {
            Some((real, v)) => (real, v),
            None => (node.name, version),
        };
        let mut package = Package::new(Ecosystem::Npm, name, version);
        package.line = node.line;
        fill_common(&mut package, node.entry);
        if let Some(requires) = node.entry.get("requires").and_then(Value::as_object) {
            for dep in requires.keys() {
                // Nearest first: this node's own children, then each ancestor's, then the root.
                let mut at = Some(node);
                let mut found = None;
                while found.is_none() {
                    let children = match at {
                        Some(n) => &n.children,
                        None => &roots,
                    };
                    found = children.get(dep.as_str()).and_then(|&i| nodes.get(i));
                    match at {
                        Some(n) => at = n.parent.and_then(|p| nodes.get(p)),
                        None => break,
                    }
                }
                if let Some(target) = found
                    && let Some(v) = str_field(target.entry, "version")
                {
                    let (name, v) = match v.strip_prefix("npm:").and_then(split_alias) {
                        Some((real, v)) => (real.to_owned(), v),
                        None => (dep.clone(), v),
                    };
                    package.dependencies.push(PackageRef {
                        name,
                        version: Some(v.to_owned()),
                    });
                }
            }
        }
        parsed.packages.push(package);
    }
    parsed.packages.sort_by_key(|p| p.line);
    Ok(parsed)
}
