//! `poetry.lock` (lock-version 1.x and 2.x).
//!
//! Every `[[package]]` becomes a package. Scope: `category = "dev"` (written by Poetry before
//! 1.2) gives [`Scope::Dev`]; `optional = true` gives [`Scope::Optional`]; otherwise required.
//! Poetry 1.2+ no longer records groups in the lockfile (they live in `pyproject.toml`), so a
//! newer lock's dev packages are listed as required: the safe direction for vulnerability
//! matching. Hashes come from the per-package `files = [{file, hash}]` list or, for old locks,
//! from `[metadata.files]`. `[package.dependencies]` become edges, resolved to the locked
//! version when exactly one version of that name is locked.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::{
    Ecosystem, Hash, HashAlgorithm, Package, PackageRef, ParseError, Parsed, Scope, Source,
    line_col,
};

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Spanned<LockPackage>>,
    #[serde(default)]
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    files: BTreeMap<String, Vec<FileEntry>>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    files: Vec<FileEntry>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    source: Option<PackageSource>,
}

#[derive(Deserialize)]
struct FileEntry {
    #[serde(default)]
    hash: Option<String>,
}

#[derive(Deserialize)]
struct PackageSource {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    resolved_reference: Option<String>,
}

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let lock: Lock = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let old_files = lock.metadata.map(|m| m.files).unwrap_or_default();

    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &lock.package {
        versions
            .entry(vouch_purl::normalize_pypi(&p.get_ref().name))
            .or_default()
            .push(p.get_ref().version.clone());
    }

    let mut packages = Vec::with_capacity(lock.package.len());
    for spanned in lock.package {
        let (line, _) = line_col(text.as_bytes(), spanned.span().start);
        let p = spanned.into_inner();
        let mut package = Package::new(Ecosystem::PyPi, p.name.clone(), p.version);
        package.line = Some(line);
        package.scope = if p.category.as_deref() == Some("dev") {
            Scope::Dev
        } else if p.optional {
            Scope::Optional
        } else {
            Scope::Required
        };
        let files = if p.files.is_empty() {
            old_files.get(&p.name).map(Vec::as_slice).unwrap_or(&[])
        } else {
            &p.files
        };
        for file in files {
            if let Some(hash) = file.hash.as_deref().and_then(parse_hash)
                && !package.hashes.contains(&hash)
            {
                package.hashes.push(hash);
            }
        }
        for name in p.dependencies.keys() {
            let version = match versions
                .get(&vouch_purl::normalize_pypi(name))
                .map(Vec::as_slice)
            {
                Some([one]) => Some(one.clone()),
                _ => None,
            };
            package.dependencies.push(PackageRef {
                name: name.clone(),
                version,
            });
        }
        if let Some(src) = p.source {
            package.resolved = match (src.kind.as_deref(), src.url) {
                (Some("git"), Some(url)) => Some(match src.resolved_reference {
                    Some(r) => format!("git+{url}@{r}"),
                    None => format!("git+{url}"),
                }),
                (Some("url"), Some(url)) => Some(url),
                _ => None,
            };
        }
        packages.push(package);
    }
    Ok(Parsed {
        packages,
        warnings: Vec::new(),
    })
}

/// `sha256:<hex>` (the only form Poetry writes; others are accepted if well-formed).
pub(crate) fn parse_hash(s: &str) -> Option<Hash> {
    let (alg, hex) = s.split_once(':')?;
    let algorithm = match alg {
        "sha256" => HashAlgorithm::Sha256,
        "sha384" => HashAlgorithm::Sha384,
        "sha512" => HashAlgorithm::Sha512,
        "sha1" => HashAlgorithm::Sha1,
        "md5" => HashAlgorithm::Md5,
        _ => return None,
    };
    Hash::from_hex(algorithm, hex)
}

/// A TOML error with its line and column.
pub(crate) fn toml_error(text: &str, err: &toml::de::Error) -> ParseError {
    let message = err.message().trim().to_owned();
    let message = if message.is_empty() {
        "invalid TOML".to_owned()
    } else {
        message
    };
    match err.span() {
        Some(span) => {
            let (line, col) = line_col(text.as_bytes(), span.start);
            ParseError::new(message).at(line, col)
        }
        None => ParseError::new(message),
    }
}
