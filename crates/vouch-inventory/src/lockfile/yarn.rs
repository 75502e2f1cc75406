//! `yarn.lock`, classic (v1) and Berry (v2+).
//!
//! Both are read by one line-based reader. Classic is its own format (`key "value"`); Berry is
//! the YAML subset yarn writes itself (`key: value`, `__metadata` first). Reading Berry line by
//! line rather than with a YAML library keeps every entry's line and tolerates what yarn itself
//! tolerates (repeated keys), at the price of not accepting hand-written YAML flow syntax.
//!
//! - An entry is a header at column 0 listing one or more comma-separated specifiers
//!   (`"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":`), then two-space fields, then
//!   four-space lines inside `dependencies:` / `optionalDependencies:` / `peerDependencies:`.
//! - Classic: `version`, `resolved` (its `#<sha1>` fragment becomes a SHA-1 [`Hash`](struct@crate::Hash) when there
//!   is no `integrity`), `integrity` (SRI). An alias `foo@npm:bar@^1` is package `bar`.
//! - Berry: the name comes from `resolution: "name@npm:1.2.3"`, the version from `version`.
//!   Entries resolved with `workspace:`, `link:` or `portal:` are the project's own folders and
//!   are skipped. Berry's `checksum` is a hash of yarn's own cache zip, not of the published
//!   tarball, so it is deliberately not recorded as a package hash: it would never match a
//!   registry's integrity and would mislead any consumer comparing the two.
//! - Edges: each dependency `name range` is resolved to the entry whose header lists
//!   `name@range` (Berry: also `name@npm:range`); peers are resolved only when listed.
//! - Scope. Classic yarn.lock records no dev/optional distinction, so every package is
//!   [`Scope::Required`]. Berry lists each workspace as an entry (`name@workspace:path`) with
//!   its dependencies and devDependencies merged; the workspace's own `package.json`
//!   (`<path>/package.json` beside the lockfile, read through [`crate::Siblings`]) says which
//!   is which. Packages reachable from some workspace's `dependencies`,
//!   `optionalDependencies` or `peerDependencies` are [`Scope::Required`]; those reachable
//!   only from `devDependencies` are [`Scope::Dev`], transitively. When no workspace manifest
//!   can be read (the lockfile given alone), every package stays Required, the claim that
//!   hides nothing; a workspace whose manifest is missing counts all its dependencies as
//!   required.
//! - A malformed entry is skipped with a [`ParseWarning`]; the rest of the file is kept.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::{
    Ecosystem, Hash, HashAlgorithm, Package, PackageRef, ParseError, ParseWarning, Parsed, Scope,
    Source,
};

#[derive(Default)]
struct Entry {
    line: u32,
    specs: Vec<String>,
    fields: BTreeMap<String, String>,
    /// (block name, dependency name, range)
    deps: Vec<(String, String, String)>,
    broken: bool,
}

/// Parses a `yarn.lock`.
pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let mut warnings = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut block: Option<String> = None;
    let mut first_content: Option<u32> = None;

    for (index, raw_line) in text.lines().enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw_line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        first_content.get_or_insert(line_no);
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let warn = |warnings: &mut Vec<ParseWarning>, column: usize, message: String| {
            warnings.push(ParseWarning {
                line: Some(line_no),
                column: Some(u32::try_from(column + 1).unwrap_or(u32::MAX)),
                message,
            });
        };
        match indent {
            0 => {
                block = None;
                let Some(header) = body.strip_suffix(':') else {
                    warn(
                        &mut warnings,
                        0,
                        "entry header does not end with `:`; entry skipped".into(),
                    );
                    entries.push(Entry {
                        line: line_no,
                        broken: true,
                        ..Entry::default()
                    });
                    continue;
                };
                match split_specs(header) {
                    Ok(specs) => entries.push(Entry {
                        line: line_no,
                        specs,
                        ..Entry::default()
                    }),
                    Err(column) => {
                        warn(
                            &mut warnings,
                            column,
                            "unterminated quoted specifier; entry skipped".into(),
                        );
                        entries.push(Entry {
                            line: line_no,
                            broken: true,
                            ..Entry::default()
                        });
                    }
                }
            }
            2 | 4 => {
                let Some(entry) = entries.last_mut() else {
                    warn(
                        &mut warnings,
                        indent,
                        "indented line before any entry; ignored".into(),
                    );
                    continue;
                };
                if entry.broken {
                    continue;
                }
                let (key, value) = match split_key_value(body) {
                    Ok(kv) => kv,
                    Err(column) => {
                        warn(
                            &mut warnings,
                            indent + column,
                            "unterminated quoted string; entry skipped".into(),
                        );
                        entry.broken = true;
                        continue;
                    }
                };
                if indent == 2 {
                    if value.is_empty() {
                        block = Some(key);
                    } else {
                        block = None;
                        entry.fields.insert(key, value);
                    }
                } else if let Some(b) = &block {
                    entry.deps.push((b.clone(), key, value));
                }
            }
            // Deeper levels (`dependenciesMeta`, `peerDependenciesMeta`) carry nothing we keep.
            _ => {}
        }
    }

    if entries.is_empty()
        && let Some(line) = first_content
    {
        return Err(ParseError::new("no yarn.lock entries found").at(line, 1));
    }

    let berry = entries
        .iter()
        .any(|e| e.specs.iter().any(|s| s == "__metadata"));

    // specifier -> (name, version), for edges.
    let mut by_spec: BTreeMap<&str, (String, String)> = BTreeMap::new();
    let mut packages = Vec::new();
    // Berry workspaces: (folder relative to the lockfile, entry).
    let mut workspaces: Vec<(&str, &Entry)> = Vec::new();
    for entry in &entries {
        if entry.broken || entry.specs.iter().any(|s| s == "__metadata") {
            continue;
        }
        let header = entry.specs.join(", ");
        let warn = |message: String| ParseWarning {
            line: Some(entry.line),
            column: None,
            message,
        };
        let Some(version) = entry.fields.get("version") else {
            warnings.push(warn(format!("entry `{header}` has no version; skipped")));
            continue;
        };
        let name = if berry {
            let Some(resolution) = entry.fields.get("resolution") else {
                warnings.push(warn(format!("entry `{header}` has no resolution; skipped")));
                continue;
            };
            let Some((name, reference)) = split_descriptor(resolution) else {
                warnings.push(warn(format!(
                    "entry `{header}` has a resolution without a name; skipped"
                )));
                continue;
            };
            let protocol = reference.split_once(':').map_or("", |(p, _)| p);
            if protocol == "workspace" {
                let folder = reference.get("workspace:".len()..).unwrap_or(".");
                workspaces.push((folder, entry));
            }
            if matches!(protocol, "workspace" | "link" | "portal") {
                continue;
            }
            name.to_owned()
        } else {
            let Some(first) = entry.specs.first() else {
                warnings.push(warn("entry has no specifier; skipped".into()));
                continue;
            };
            let Some((name, range)) = split_descriptor(first) else {
                warnings.push(warn(format!("specifier `{first}` has no name; skipped")));
                continue;
            };
            // An alias `foo@npm:bar@^1` installs package `bar`.
            range
                .strip_prefix("npm:")
                .and_then(split_descriptor)
                .map_or(name, |(real, _)| real)
                .to_owned()
        };
        // Berry quotes the whole header as one string: `"a@npm:^1.1.0, a@npm:^1.4.0":`.
        for spec in entry.specs.iter().flat_map(|s| s.split(", ")) {
            by_spec.insert(spec, (name.clone(), version.clone()));
        }
        let mut package = Package::new(Ecosystem::Npm, name, version.as_str());
        package.line = Some(entry.line);
        if !berry {
            let resolved = entry.fields.get("resolved");
            package.hashes.extend(
                entry
                    .fields
                    .get("integrity")
                    .and_then(|i| Hash::from_sri(i)),
            );
            if package.hashes.is_empty() {
                package.hashes.extend(
                    resolved
                        .and_then(|r| r.rsplit_once('#'))
                        // A git URL's fragment is a commit id, not a tarball hash.
                        .filter(|(url, _)| url.ends_with(".tgz"))
                        .and_then(|(_, fragment)| Hash::from_hex(HashAlgorithm::Sha1, fragment)),
                );
            }
            // Keep a git URL's `#<commit>`: it pins what was fetched.
            package.resolved = resolved.map(|r| {
                vouch_url::Url::from(match r.rsplit_once('#') {
                    Some((url, _)) if url.ends_with(".tgz") => url.to_owned(),
                    _ => r.clone(),
                })
            });
        }
        packages.push((entry, package));
    }

    let mut versions_by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, p) in &packages {
        let versions = versions_by_name.entry(p.name.clone()).or_default();
        if !versions.contains(&p.version) {
            versions.push(p.version.clone());
        }
    }
    let mut out = Vec::with_capacity(packages.len());
    for (entry, mut package) in packages {
        for (block, name, range) in &entry.deps {
            if !matches!(
                block.as_str(),
                "dependencies" | "optionalDependencies" | "peerDependencies"
            ) {
                continue;
            }
            let found = by_spec.get(format!("{name}@{range}").as_str()).or_else(|| {
                if berry {
                    by_spec.get(format!("{name}@npm:{range}").as_str())
                } else {
                    None
                }
            });
            // Not listed under that exact descriptor (a hand-edited or partial lockfile): fall
            // back to the one locked version of that name, if there is exactly one.
            let found = found.cloned().or_else(|| match versions_by_name.get(name) {
                Some(versions) if versions.len() == 1 => {
                    versions.first().map(|v| (name.clone(), v.clone()))
                }
                _ => None,
            });
            let reference = match found {
                Some((real, version)) => PackageRef {
                    name: real,
                    version: Some(version),
                },
                None if block == "peerDependencies" => continue,
                None => PackageRef {
                    name: name.clone(),
                    version: None,
                },
            };
            if !package.dependencies.contains(&reference) {
                package.dependencies.push(reference);
            }
        }
        out.push(package);
    }
    if berry {
        scope_from_workspaces(source, &workspaces, &by_spec, &mut out);
    }
    Ok(Parsed {
        packages: out,
        warnings,
    })
}

/// The names a workspace's `package.json` lists for production and for development, or
/// `None` when it cannot be read.
fn manifest_names(
    source: &Source<'_>,
    folder: &str,
) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
    let path = match folder.trim_end_matches('/') {
        "" | "." => "package.json".to_owned(),
        f => format!("{f}/package.json"),
    };
    let bytes = source.siblings.read(&path)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let names = |field: &str| -> BTreeSet<String> {
        value
            .get(field)
            .and_then(serde_json::Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut prod = names("dependencies");
    prod.extend(names("optionalDependencies"));
    prod.extend(names("peerDependencies"));
    Some((prod, names("devDependencies")))
}

/// Marks packages reachable only from workspaces' devDependencies as [`Scope::Dev`].
fn scope_from_workspaces(
    source: &Source<'_>,
    workspaces: &[(&str, &Entry)],
    by_spec: &BTreeMap<&str, (String, String)>,
    packages: &mut [Package],
) {
    let resolve = |name: &str, range: &str| -> Option<(String, String)> {
        by_spec
            .get(format!("{name}@{range}").as_str())
            .or_else(|| by_spec.get(format!("{name}@npm:{range}").as_str()))
            .cloned()
    };
    let mut prod_roots: Vec<(String, String)> = Vec::new();
    let mut dev_roots: Vec<(String, String)> = Vec::new();
    let mut any_manifest = false;
    for (folder, entry) in workspaces {
        let manifest = manifest_names(source, folder);
        any_manifest |= manifest.is_some();
        for (block, name, range) in &entry.deps {
            if block != "dependencies" && block != "optionalDependencies" {
                continue;
            }
            let Some(target) = resolve(name, range) else {
                continue;
            };
            let dev_only = manifest
                .as_ref()
                .is_some_and(|(prod, dev)| dev.contains(name) && !prod.contains(name));
            if dev_only {
                dev_roots.push(target);
            } else {
                prod_roots.push(target);
            }
        }
    }
    if !any_manifest {
        return;
    }
    let index: BTreeMap<(String, String), usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.name.clone(), p.version.clone()), i))
        .collect();
    let reach = |roots: Vec<(String, String)>| -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<usize> =
            roots.iter().filter_map(|r| index.get(r).copied()).collect();
        while let Some(i) = queue.pop_front() {
            if !seen.insert(i) {
                continue;
            }
            for d in &packages[i].dependencies {
                if let Some(v) = &d.version
                    && let Some(&j) = index.get(&(d.name.clone(), v.clone()))
                {
                    queue.push_back(j);
                }
            }
        }
        seen
    };
    let required = reach(prod_roots);
    let dev = reach(dev_roots);
    for (i, p) in packages.iter_mut().enumerate() {
        if dev.contains(&i) && !required.contains(&i) {
            p.scope = Scope::Dev;
        }
    }
}

/// `name@range` → (`name`, `range`); a leading `@` belongs to the scope.
fn split_descriptor(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    let name = spec.get(..at)?;
    let range = spec.get(at + 1..)?;
    (!name.is_empty()).then_some((name, range))
}

/// Splits a header into its specifiers, unquoting each. `Err(column)` on an unterminated quote.
fn split_specs(header: &str) -> Result<Vec<String>, usize> {
    let mut specs = Vec::new();
    let mut rest = header;
    let mut offset = 0;
    loop {
        let trimmed = rest.trim_start_matches([' ', ',']);
        offset += rest.len() - trimmed.len();
        rest = trimmed;
        if rest.is_empty() {
            break;
        }
        if rest.starts_with('"') {
            let (value, used) = unquote(rest).ok_or(offset)?;
            specs.push(value);
            rest = rest.get(used..).unwrap_or("");
            offset += used;
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            specs.push(rest.get(..end).unwrap_or(rest).trim().to_owned());
            rest = rest.get(end..).unwrap_or("");
            offset += end;
        }
    }
    Ok(specs)
}

/// `key value`, `key: value`, `"key" "value"` or `key:` → (key, value unquoted).
/// `Err(column)` (0-based, within `body`) on an unterminated quote.
fn split_key_value(body: &str) -> Result<(String, String), usize> {
    let (key, rest) = if body.starts_with('"') {
        let (key, used) = unquote(body).ok_or(0usize)?;
        (key, body.get(used..).unwrap_or(""))
    } else {
        let end = body.find([' ', ':']).unwrap_or(body.len());
        (
            body.get(..end).unwrap_or(body).to_owned(),
            body.get(end..).unwrap_or(""),
        )
    };
    let value_start = body.len() - rest.len();
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let trimmed = rest.trim_start();
    let value_offset = value_start + (body.len() - value_start - trimmed.len());
    let value = if trimmed.starts_with('"') {
        unquote(trimmed).ok_or(value_offset)?.0
    } else {
        trimmed.trim_end().to_owned()
    };
    Ok((key, value))
}

/// A double-quoted string at the start of `s` → (its value, bytes used), JSON-style escapes.
fn unquote(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    chars.next(); // the opening quote
    let mut escaped = false;
    for (i, c) in chars {
        if escaped {
            out.push(match c {
                'n' => '\n',
                't' => '\t',
                other => other,
            });
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            return Some((out, i + 1));
        } else {
            out.push(c);
        }
    }
    None
}
