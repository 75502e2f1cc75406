//! `poetry.lock` (lock-version 1.x and 2.x).
//!
//! Every `[[package]]` becomes a package. Scope, in order of preference:
//!
//! 1. `category = "dev"` / `"main"` (written by Poetry before 1.2) as recorded.
//! 2. Poetry 1.2+ no longer records groups in the lockfile; they live in `pyproject.toml`. When
//!    one can be read beside the lock, its direct dependencies are the roots of the lock's
//!    dependency graph: `[tool.poetry.dependencies]` and `[project] dependencies` are required
//!    (optional ones, and `[project.optional-dependencies]`, optional);
//!    `[tool.poetry.group.*.dependencies]`, `[tool.poetry.dev-dependencies]` and
//!    `[dependency-groups]` are dev. A package gets the strongest scope of any path that
//!    reaches it through `[package.dependencies]`.
//! 3. Otherwise `optional = true` gives optional, everything else required (the safe
//!    direction for vulnerability matching).
//!
//! Path dependencies (`[package.source] type = "directory"` or `"file"`) are marked
//! [`crate::Package::first_party`]; the project itself is not in the lock.
//!
//! Hashes come from the per-package `files = [{file, hash}]` list or, for old locks,
//! from `[metadata.files]`. `[package.dependencies]` become edges, resolved to the locked
//! version when exactly one version of that name is locked.

use std::collections::{BTreeMap, VecDeque};

use serde::Deserialize;
use toml::Spanned;

use crate::{
    Ecosystem, Hash, HashAlgorithm, Package, PackageRef, ParseError, ParseWarning, Parsed, Scope,
    Source, line_col,
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

    let mut warnings = Vec::new();
    let graph_scope = match source.siblings.read("pyproject.toml") {
        None => None,
        Some(bytes) => match std::str::from_utf8(&bytes)
            .ok()
            .map(toml::from_str::<toml::Table>)
        {
            Some(Ok(pyproject)) => Some(scopes_from_roots(&lock.package, &roots(&pyproject))),
            _ => {
                warnings.push(ParseWarning {
                    line: None,
                    column: None,
                    message:
                        "pyproject.toml beside the lock is not valid TOML; dev groups not known"
                            .to_owned(),
                });
                None
            }
        },
    };

    let lines = LineIndex::new(text);
    let mut packages = Vec::with_capacity(lock.package.len());
    for (i, spanned) in lock.package.into_iter().enumerate() {
        let line = lines.line(spanned.span().start);
        let p = spanned.into_inner();
        let mut package = Package::new(Ecosystem::PyPi, p.name.clone(), p.version);
        package.line = Some(line);
        let from_graph = graph_scope
            .as_ref()
            .and_then(|g| g.get(i).copied().flatten());
        package.scope = match (p.category.as_deref(), from_graph) {
            (Some("dev"), _) => Scope::Dev,
            (Some("main"), _) if !p.optional => Scope::Required,
            (_, Some(scope)) => scope,
            _ if p.optional => Scope::Optional,
            _ => Scope::Required,
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
            // A path dependency (`type = "directory"`, or a local archive `"file"`): first-party.
            package.first_party = matches!(src.kind.as_deref(), Some("directory" | "file"));
            package.resolved = match (src.kind.as_deref(), src.url) {
                (Some("git"), Some(url)) => Some(match src.resolved_reference {
                    Some(r) => format!("git+{url}@{r}"),
                    None => format!("git+{url}"),
                }),
                (Some("url"), Some(url)) => Some(url),
                _ => None,
            }
            .map(vouch_url::Url::from);
        }
        packages.push(package);
    }
    Ok(Parsed { packages, warnings })
}

/// The direct dependencies `pyproject.toml` declares: (normalised name, scope).
fn roots(pyproject: &toml::Table) -> Vec<(String, Scope)> {
    let mut out = Vec::new();
    let table = |v: Option<&toml::Value>| {
        v.and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default()
    };
    let tool_poetry = table(pyproject.get("tool").and_then(|t| t.get("poetry")));
    for (name, spec) in table(tool_poetry.get("dependencies")) {
        if name == "python" {
            continue;
        }
        let optional = spec
            .get("optional")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        out.push((
            name,
            if optional {
                Scope::Optional
            } else {
                Scope::Required
            },
        ));
    }
    for (name, _) in table(tool_poetry.get("dev-dependencies")) {
        out.push((name, Scope::Dev));
    }
    for (_, group) in table(tool_poetry.get("group")) {
        for (name, _) in table(group.get("dependencies")) {
            out.push((name, Scope::Dev));
        }
    }
    let project = table(pyproject.get("project"));
    let pep508 = |v: &toml::Value| v.as_str().map(requirement_name);
    for name in project
        .get("dependencies")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(pep508)
    {
        out.push((name, Scope::Required));
    }
    for (_, list) in table(project.get("optional-dependencies")) {
        for name in list.as_array().into_iter().flatten().filter_map(pep508) {
            out.push((name, Scope::Optional));
        }
    }
    for (_, list) in table(pyproject.get("dependency-groups")) {
        for name in list.as_array().into_iter().flatten().filter_map(pep508) {
            out.push((name, Scope::Dev));
        }
    }
    out.into_iter()
        .map(|(n, s)| (vouch_purl::normalize_pypi(&n), s))
        .filter(|(n, _)| !n.is_empty())
        .collect()
}

/// The project name at the start of a PEP 508 requirement (`requests[socks]>=2 ; …`).
fn requirement_name(req: &str) -> String {
    req.trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect()
}

/// For each lock entry, the strongest scope of a path from a root to it (`None`: unreached).
fn scopes_from_roots(
    packages: &[Spanned<LockPackage>],
    roots: &[(String, Scope)],
) -> Vec<Option<Scope>> {
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name
            .entry(vouch_purl::normalize_pypi(&p.get_ref().name))
            .or_default()
            .push(i);
    }
    let mut scope: Vec<Option<Scope>> = vec![None; packages.len()];
    let mut queue: VecDeque<(usize, Scope)> = VecDeque::new();
    for (name, s) in roots {
        queue.extend(by_name.get(name).into_iter().flatten().map(|&i| (i, *s)));
    }
    while let Some((i, s)) = queue.pop_front() {
        let Some(slot) = scope.get_mut(i) else {
            continue;
        };
        if slot.is_some_and(|old| old <= s) {
            continue;
        }
        *slot = Some(s);
        let Some(p) = packages.get(i) else { continue };
        for dep in p.get_ref().dependencies.keys() {
            queue.extend(
                by_name
                    .get(&vouch_purl::normalize_pypi(dep))
                    .into_iter()
                    .flatten()
                    .map(|&j| (j, s)),
            );
        }
    }
    scope
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

/// 1-based line numbers of byte offsets, by binary search over the newline positions (one
/// pass over the text, instead of one per package).
pub(crate) struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    pub(crate) fn line(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&n| n < offset);
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }
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
