//! `Cargo.lock`, format versions 1 to 4.
//!
//! Read with our own small serde types over the `toml` crate rather than `cargo-lock`, so that
//! one code path covers v1's `[metadata]` checksums (`"checksum NAME VERSION (SOURCE)" = "HEX"`)
//! as well as the per-package `checksum` field of v2+.
//!
//! - Every `[[package]]` becomes a [`Package`]; `source` is kept as [`Package::resolved`]
//!   (`registry+https://…`, `git+https://…#<commit>`, `sparse+https://…`).
//! - Packages without a `source` are path packages: the root crate, the workspace's other
//!   members and path dependencies. They are first-party code: kept (Syft and Trivy list them
//!   too) with [`Package::first_party`] set and no `resolved`, so SBOMs mark them and advisories
//!   for a crates.io crate of the same name never match them. The one path package no other
//!   package depends on is the root crate ([`Package::root`]); a virtual workspace has none.
//! - `checksum` (SHA-256 of the `.crate` file) becomes a [`HashAlgorithm::Sha256`] [`Hash`](struct@crate::Hash); a
//!   malformed checksum is dropped with a warning.
//! - Dependency entries `"name"`, `"name version"` and `"name version (source)"` are resolved to
//!   the exact version of the package they name in the same file.
//! - Cargo.lock records no dev/build distinction, so every package is [`Scope::Required`](crate::Scope::Required).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{
    Ecosystem, Hash, HashAlgorithm, Package, PackageRef, ParseError, ParseWarning, Parsed, Source,
    line_col,
};

#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    package: Vec<RawPackage>,
    /// v1: `"checksum NAME VERSION (SOURCE)" = "HEX"`.
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// Parses a `Cargo.lock`.
pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let raw: RawLock = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let lines = package_header_lines(text);
    let mut warnings = Vec::new();

    // v1 checksums, keyed by "name version (source)".
    let mut v1_checksums: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, value) in &raw.metadata {
        if let (Some(id), Some(hex)) = (key.strip_prefix("checksum "), value.as_str()) {
            v1_checksums.insert(id, hex);
        }
    }

    // name -> [(version, source)] for dependency resolution.
    let mut by_name: BTreeMap<&str, Vec<(&str, Option<&str>)>> = BTreeMap::new();
    for p in &raw.package {
        by_name
            .entry(p.name.as_str())
            .or_default()
            .push((p.version.as_str(), p.source.as_deref()));
    }

    let mut packages = Vec::with_capacity(raw.package.len());
    for (index, p) in raw.package.iter().enumerate() {
        let line = lines.get(index).copied();
        let mut package = Package::new(Ecosystem::Cargo, &p.name, &p.version);
        package.line = line;
        package.resolved = p.source.clone().map(vouch_url::Url::from);
        package.first_party = p.source.is_none();
        let checksum = p.checksum.as_deref().or_else(|| {
            let source = p.source.as_deref()?;
            v1_checksums
                .get(format!("{} {} ({source})", p.name, p.version).as_str())
                .copied()
        });
        if let Some(hex) = checksum.filter(|h| *h != "<none>") {
            match Hash::from_hex(HashAlgorithm::Sha256, hex) {
                Some(hash) => package.hashes.push(hash),
                None => warnings.push(ParseWarning {
                    line,
                    column: None,
                    message: format!(
                        "checksum of {} {} is not 64 hex digits; ignored",
                        p.name, p.version
                    ),
                }),
            }
        }
        for dep in &p.dependencies {
            match resolve_dependency(dep, &by_name) {
                Some(r) => package.dependencies.push(r),
                None => warnings.push(ParseWarning {
                    line,
                    column: None,
                    message: format!(
                        "dependency `{dep}` of {} {} names no package in this file",
                        p.name, p.version
                    ),
                }),
            }
        }
        packages.push(package);
    }
    mark_root(&mut packages);
    Ok(Parsed { packages, warnings })
}

/// The root crate: the one path package no other package of the file depends on. A virtual
/// workspace (several such members, or none) has no root.
fn mark_root(packages: &mut [Package]) {
    let depended = |p: &Package| {
        packages.iter().any(|q| {
            q.dependencies
                .iter()
                .any(|d| d.name == p.name && d.version.as_deref().is_none_or(|v| v == p.version))
        })
    };
    let mut roots = packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.first_party && !depended(p))
        .map(|(i, _)| i);
    if let (Some(i), None) = (roots.next(), roots.next()) {
        packages[i].root = true;
    }
}

/// Resolves `name`, `name version` or `name version (source)` to the package it names.
fn resolve_dependency(
    dep: &str,
    by_name: &BTreeMap<&str, Vec<(&str, Option<&str>)>>,
) -> Option<PackageRef> {
    let mut parts = dep.splitn(3, ' ');
    let name = parts.next()?;
    let version = parts.next();
    let source = parts
        .next()
        .and_then(|s| s.strip_prefix('('))
        .and_then(|s| s.strip_suffix(')'));
    let candidates = by_name.get(name)?;
    let found = candidates.iter().find(|(v, s)| {
        version.is_none_or(|want| *v == want) && source.is_none_or(|want| *s == Some(want))
    })?;
    // A bare name is only valid when it is unambiguous.
    if version.is_none() && candidates.len() != 1 {
        return None;
    }
    Some(PackageRef {
        name: name.to_owned(),
        version: Some(found.0.to_owned()),
    })
}

/// 1-based lines of the `[[package]]` headers, in file order.
fn package_header_lines(text: &str) -> Vec<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[package]]")
        .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))
        .collect()
}

/// A TOML error positioned at its span's start.
pub(crate) fn toml_error(text: &str, err: &toml::de::Error) -> ParseError {
    let message = err.message().trim().to_owned();
    match err.span() {
        Some(span) => {
            let (line, column) = line_col(text.as_bytes(), span.start);
            ParseError::new(message).at(line, column)
        }
        None => ParseError::new(message),
    }
}
