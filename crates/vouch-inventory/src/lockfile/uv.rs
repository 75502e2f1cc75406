//! `uv.lock` (lock `version = 1`).
//!
//! Every `[[package]]` with a version becomes a package, except the project itself and other
//! workspace members (`source = { editable = … }` or `{ virtual = … }`): those are the user's
//! own code, not dependencies, and their names would only produce false advisory matches.
//! They are used as the roots of the dependency graph instead. Path dependencies
//! (`source = { path = … }` or `{ directory = … }`) are kept, marked
//! [`crate::Package::first_party`].
//!
//! Scope is computed from the graph, as uv records it: what a root's `dependencies` reach is
//! required; what is reached only through a root's `optional-dependencies` (extras) is
//! optional; what is reached only through its `dev-dependencies` (groups) is dev. From any
//! other package, `dependencies` and all of its `optional-dependencies` are followed with the
//! scope it was reached with (over-approximating towards "required", the safe direction).
//! A package no root reaches (or every package, when the lock has no root) is required.
//!
//! Hashes: the `sdist` hash and every `wheels` hash. Edges: `dependencies` entries, with the
//! version uv names or, when it names none, the only locked version of that name.

use std::collections::{BTreeMap, VecDeque};

use serde::Deserialize;
use toml::Spanned;

use super::poetry::{LineIndex, parse_hash, toml_error};
use crate::{Ecosystem, Package, PackageRef, ParseError, ParseWarning, Parsed, Scope, Source};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Spanned<LockPackage>>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: Option<toml::Table>,
    #[serde(default)]
    sdist: Option<Artifact>,
    #[serde(default)]
    wheels: Vec<Artifact>,
    #[serde(default)]
    dependencies: Vec<Dep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<Dep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<Dep>>,
}

#[derive(Deserialize)]
struct Artifact {
    #[serde(default)]
    hash: Option<String>,
}

#[derive(Deserialize)]
struct Dep {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let lock: Lock = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let mut warnings = Vec::new();

    let lines = LineIndex::new(text);
    let entries: Vec<(u32, LockPackage)> = lock
        .package
        .into_iter()
        .map(|s| (lines.line(s.span().start), s.into_inner()))
        .collect();

    // normalised name -> indices of the entries with that name
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, p)) in entries.iter().enumerate() {
        by_name
            .entry(vouch_purl::normalize_pypi(&p.name))
            .or_default()
            .push(i);
    }
    let targets = |dep: &Dep| -> Vec<usize> {
        let all = by_name
            .get(&vouch_purl::normalize_pypi(&dep.name))
            .cloned()
            .unwrap_or_default();
        match &dep.version {
            Some(v) => all
                .into_iter()
                .filter(|&i| entries.get(i).and_then(|e| e.1.version.as_ref()) == Some(v))
                .collect(),
            None => all,
        }
    };
    let is_root = |p: &LockPackage| {
        p.source
            .as_ref()
            .is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"))
    };

    // Scope by reachability from the roots.
    let mut scope: Vec<Option<Scope>> = vec![None; entries.len()];
    let mut queue: VecDeque<(usize, Scope)> = VecDeque::new();
    for (_, p) in entries.iter().filter(|(_, p)| is_root(p)) {
        for d in &p.dependencies {
            queue.extend(targets(d).into_iter().map(|t| (t, Scope::Required)));
        }
        for d in p.optional_dependencies.values().flatten() {
            queue.extend(targets(d).into_iter().map(|t| (t, Scope::Optional)));
        }
        for d in p.dev_dependencies.values().flatten() {
            queue.extend(targets(d).into_iter().map(|t| (t, Scope::Dev)));
        }
    }
    while let Some((i, s)) = queue.pop_front() {
        let Some(slot) = scope.get_mut(i) else {
            continue;
        };
        if slot.is_some_and(|old| old <= s) {
            continue;
        }
        *slot = Some(s);
        let Some((_, p)) = entries.get(i) else {
            continue;
        };
        if is_root(p) {
            continue;
        }
        for d in p
            .dependencies
            .iter()
            .chain(p.optional_dependencies.values().flatten())
        {
            queue.extend(targets(d).into_iter().map(|t| (t, s)));
        }
    }

    let mut packages = Vec::new();
    for (i, (line, p)) in entries.iter().enumerate() {
        if is_root(p) {
            continue;
        }
        let Some(version) = &p.version else {
            warnings.push(ParseWarning {
                line: Some(*line),
                column: None,
                message: format!("package `{}` has no version; skipped", p.name),
            });
            continue;
        };
        let mut package = Package::new(Ecosystem::PyPi, p.name.clone(), version.clone());
        package.line = Some(*line);
        package.scope = scope.get(i).copied().flatten().unwrap_or(Scope::Required);
        for hash in p
            .sdist
            .iter()
            .chain(&p.wheels)
            .filter_map(|a| a.hash.as_deref().and_then(parse_hash))
        {
            if !package.hashes.contains(&hash) {
                package.hashes.push(hash);
            }
        }
        for d in &p.dependencies {
            let version = d.version.clone().or_else(|| match targets(d).as_slice() {
                [one] => entries.get(*one).and_then(|e| e.1.version.clone()),
                _ => None,
            });
            let dep = PackageRef {
                name: d.name.clone(),
                version,
            };
            if !package.dependencies.contains(&dep) {
                package.dependencies.push(dep);
            }
        }
        if let Some(src) = &p.source {
            // `{ path = … }` and `{ directory = … }`: a local path dependency, first-party code.
            package.first_party = src.contains_key("path") || src.contains_key("directory");
            package.resolved = ["git", "url"]
                .iter()
                .find_map(|k| {
                    src.get(*k).and_then(|v| v.as_str()).map(|s| {
                        if *k == "git" {
                            format!("git+{s}")
                        } else {
                            s.to_owned()
                        }
                    })
                })
                .map(vouch_url::Url::from);
        }
        packages.push(package);
    }
    Ok(Parsed { packages, warnings })
}
