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

/// The file as read. No `#[serde(flatten)]`: it would buffer the whole document a second time
/// (serde's `Content`) before typing it, which doubled the memory for large lockfiles.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawFile {
    #[serde(default)]
    lockfile_version: Option<Value>,
    #[serde(default)]
    importers: BTreeMap<String, RawImporter>,
    /// v5 single-project lockfiles keep the importer fields at the top level.
    #[serde(default, deserialize_with = "deps")]
    dependencies: Deps,
    #[serde(default, deserialize_with = "deps")]
    dev_dependencies: Deps,
    #[serde(default, deserialize_with = "deps")]
    optional_dependencies: Deps,
    #[serde(default)]
    packages: BTreeMap<String, RawPackage>,
    #[serde(default)]
    snapshots: BTreeMap<String, RawSnapshot>,
}

#[derive(Default)]
struct RawLock {
    lockfile_version: Option<Value>,
    importers: BTreeMap<String, RawImporter>,
    /// v5 single-project lockfiles keep the importer fields at the top level.
    root: RawImporter,
    packages: BTreeMap<String, RawPackage>,
    snapshots: BTreeMap<String, RawSnapshot>,
}

impl From<RawFile> for RawLock {
    fn from(f: RawFile) -> Self {
        Self {
            lockfile_version: f.lockfile_version,
            importers: f.importers,
            root: RawImporter {
                dependencies: f.dependencies,
                dev_dependencies: f.dev_dependencies,
                optional_dependencies: f.optional_dependencies,
            },
            packages: f.packages,
            snapshots: f.snapshots,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawImporter {
    #[serde(default, deserialize_with = "deps")]
    dependencies: Deps,
    #[serde(default, deserialize_with = "deps")]
    dev_dependencies: Deps,
    #[serde(default, deserialize_with = "deps")]
    optional_dependencies: Deps,
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
    #[serde(default, deserialize_with = "deps")]
    dependencies: Deps,
    #[serde(default, deserialize_with = "deps")]
    optional_dependencies: Deps,
    #[serde(default)]
    dev: Option<bool>,
    #[serde(default)]
    optional: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawSnapshot {
    #[serde(default, deserialize_with = "deps")]
    dependencies: Deps,
    #[serde(default, deserialize_with = "deps")]
    optional_dependencies: Deps,
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
    // Every parse below goes through `vouch_yaml::from_str`, which checks the nesting depth
    // first: the whole file, or each piece (the pieces partition the file, so it is checked once).
    Ok(from_raw(text, read_file(text)?.into()))
}

/// The packages of a lockfile read into `raw`; `text` gives the lines of `packages` keys.
fn from_raw(text: &str, raw: RawLock) -> Parsed {
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
    let mut ids: BTreeMap<&str, (String, String)> = BTreeMap::new();
    for (key, entry) in &raw.packages {
        if let Some(id) = package_id(key, entry, slash_keys) {
            ids.insert(base_key(key, slash_keys), id);
        }
    }
    let resolve = |name: &str, v: &str| -> Option<PackageRef> {
        if v.starts_with("link:") {
            return None;
        }
        // `/other/1.0.0` or `other@1.0.0` (an alias or a tarball key).
        if let Some(id) = ids
            .get(base_key(v, slash_keys))
            .or_else(|| ids.get(base_key(v.trim_start_matches('/'), slash_keys)))
        {
            return Some(PackageRef {
                name: id.0.clone(),
                version: Some(id.1.clone()),
            });
        }
        let version = strip_peers(v, slash_keys);
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
    // v9: the `snapshots` variants of each package key, found once (not by a scan per package).
    let mut variants: BTreeMap<&str, Vec<&RawSnapshot>> = BTreeMap::new();
    for (skey, snap) in &raw.snapshots {
        variants
            .entry(base_key(skey, slash_keys))
            .or_default()
            .push(snap);
    }
    let mut packages = Vec::with_capacity(raw.packages.len());
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
        let mut edges: Vec<&(String, String)> = entry
            .dependencies
            .iter()
            .chain(&entry.optional_dependencies)
            .collect();
        let mut optional = entry.optional == Some(true);
        if v9 {
            let snaps = variants
                .get(base_key(key, slash_keys))
                .map(Vec::as_slice)
                .unwrap_or_default();
            for snap in snaps {
                edges.extend(snap.dependencies.iter().chain(&snap.optional_dependencies));
            }
            optional |= !snaps.is_empty() && snaps.iter().all(|s| s.optional == Some(true));
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
    Parsed { packages, warnings }
}

/// v9 has no `dev` flag: a package reachable from `devDependencies` but not from
/// `dependencies` / `optionalDependencies` of any importer is Dev.
fn apply_dev_scope_from_importers(
    raw: &RawLock,
    packages: &mut [Package],
    resolve: &dyn Fn(&str, &str) -> Option<PackageRef>,
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

/// A dependency map (`name: version`, or v6+'s `name: {specifier, version}`) kept as
/// `(name, version)` pairs in name order; entries without a version are dropped. Converted
/// while read, so a large lockfile does not keep a YAML value per edge.
type Deps = Vec<(String, String)>;

fn deps<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Deps, D::Error> {
    let map = BTreeMap::<String, Value>::deserialize(deserializer)?;
    Ok(map
        .into_iter()
        .filter_map(|(name, value)| Some((name, dep_version(&value)?)))
        .collect())
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
fn key_lines<'a>(text: &'a str, section: &str) -> BTreeMap<&'a str, u32> {
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
        map.entry(key)
            .or_insert(u32::try_from(i + 1).unwrap_or(u32::MAX));
    }
    map
}

/// Lockfiles at least this large are read in pieces ([`read_in_pieces`]).
const PIECEWISE_FROM: usize = 4 * 1024 * 1024;
/// `packages` / `snapshots` / `importers` entries per piece.
const ENTRIES_PER_PIECE: usize = 2048;
/// Largest lockfile read in one go when it is not in pnpm's own layout: the YAML parser keeps
/// every event of a document, about 7 bytes of memory per byte of input.
pub const MAX_WHOLE: usize = 64 * 1024 * 1024;

/// Reads the lockfile. Large files in pnpm's own layout (top-level `key:` lines, the entries
/// of `packages`, `snapshots` and `importers` at two spaces) are read a few thousand entries at
/// a time, so memory is that of the typed result, not of the YAML parser's event list for the
/// whole document. Anything else is read whole, up to [`MAX_WHOLE`].
fn read_file(text: &str) -> Result<RawFile, ParseError> {
    if text.len() >= PIECEWISE_FROM
        && let Some(raw) = read_in_pieces(text, ENTRIES_PER_PIECE, MAX_WHOLE)
    {
        return raw;
    }
    if text.len() > MAX_WHOLE {
        return Err(ParseError::new(format!(
            "file is {} bytes and not in pnpm's own layout (top-level keys, entries at two spaces); \
             such files are read only up to {MAX_WHOLE} bytes",
            text.len()
        )));
    }
    vouch_yaml::from_str::<RawFile>(text).map_err(|e| yaml_failure(&e))
}

/// One top-level section: its `key:` line and the lines below it.
struct Section<'a> {
    key: &'a str,
    /// 1-based line of the `key:` line.
    line: usize,
    /// Byte range of the header line (with its newline).
    header: std::ops::Range<usize>,
    /// Byte offset of each line below the header, and of the section's end.
    lines: Vec<usize>,
    end: usize,
}

/// `None` when the file is not in pnpm's layout, or a piece does not parse and the file is small
/// enough to read whole (which then gives the exact error); otherwise the parse result, an error
/// carrying its line in the whole file.
fn read_in_pieces(
    text: &str,
    per_piece: usize,
    max_whole: usize,
) -> Option<Result<RawFile, ParseError>> {
    let sections = sections(text)?;
    let mut raw = RawFile::default();
    // Small sections (lockfileVersion, settings, a v5 file's top-level dependencies, ...) are
    // read together; `small_lines[k]` is the file line of line k + 1 of `small`.
    let mut small = String::new();
    let mut small_lines: Vec<usize> = Vec::new();
    for section in &sections {
        let header = &text[section.header.clone()];
        let split = matches!(section.key, "packages" | "snapshots" | "importers")
            && header.trim_end() == format!("{}:", section.key);
        if !split {
            small.push_str(header.trim_end_matches(['\n', '\r']));
            small.push('\n');
            small_lines.push(section.line);
            let body = &text[section.lines.first().copied().unwrap_or(section.end)..section.end];
            small.push_str(body);
            small_lines.extend((1..=body.split_inclusive('\n').count()).map(|i| section.line + i));
            continue;
        }
        // Entries start at lines indented exactly two spaces (indices into `section.lines`).
        let bytes = text.as_bytes();
        let mut starts = Vec::new();
        for (i, &at) in section.lines.iter().enumerate() {
            let indent = bytes[at..].iter().take_while(|c| **c == b' ').count();
            if matches!(bytes.get(at + indent), None | Some(b'\n' | b'\r' | b'#')) {
                continue;
            }
            match indent {
                2 => starts.push(i),
                0 | 1 => return None,
                _ if starts.is_empty() => return None,
                _ => {}
            }
        }
        for (n, piece) in starts.chunks(per_piece).enumerate() {
            let first = piece[0];
            let from = section.lines[first];
            let to = starts
                .get((n + 1) * per_piece)
                .map_or(section.end, |next| section.lines[*next]);
            let mut chunk = String::with_capacity(section.key.len() + 2 + (to - from));
            chunk.push_str(section.key);
            chunk.push_str(":\n");
            chunk.push_str(&text[from..to]);
            // Line 1 of the piece is the header; line k > 1 is file line `body_line + k - 2`.
            let body_line = section.line + 1 + first;
            let part = match vouch_yaml::from_str::<RawFile>(&chunk) {
                Ok(p) => p,
                Err(_) if text.len() <= max_whole => return None,
                Err(e) => {
                    return Some(Err(relocate(yaml_failure(&e), |l| {
                        if l <= 1 {
                            Some(section.line)
                        } else {
                            Some(body_line + l - 2)
                        }
                    })));
                }
            };
            raw.importers.extend(part.importers);
            raw.packages.extend(part.packages);
            raw.snapshots.extend(part.snapshots);
        }
    }
    if small.len() > max_whole {
        return Some(Err(ParseError::new(format!(
            "sections other than packages, snapshots and importers hold {} bytes; at most \
             {max_whole} are read",
            small.len()
        ))));
    }
    if !small.is_empty() {
        let part = match vouch_yaml::from_str::<RawFile>(&small) {
            Ok(p) => p,
            Err(_) if text.len() <= max_whole => return None,
            Err(e) => {
                return Some(Err(relocate(yaml_failure(&e), |l| {
                    small_lines.get(l.saturating_sub(1)).copied()
                })));
            }
        };
        raw.lockfile_version = part.lockfile_version;
        raw.dependencies = part.dependencies;
        raw.dev_dependencies = part.dev_dependencies;
        raw.optional_dependencies = part.optional_dependencies;
        raw.importers.extend(part.importers);
        raw.packages.extend(part.packages);
        raw.snapshots.extend(part.snapshots);
    }
    Some(Ok(raw))
}

/// The top-level sections of `text`, or `None` when its top level is not plain `key:` lines
/// (documents markers, flow or block sequences, anchors, tags, quoted or repeated keys, tabs).
fn sections(text: &str) -> Option<Vec<Section<'_>>> {
    let mut sections: Vec<Section<'_>> = Vec::new();
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        match body.bytes().next() {
            None | Some(b'#') => {
                if let Some(s) = sections.last_mut() {
                    s.lines.push(start);
                }
            }
            Some(b' ') => sections.last_mut()?.lines.push(start),
            Some(
                b'\t' | b'-' | b'.' | b'%' | b'&' | b'*' | b'!' | b'[' | b'{' | b'?' | b'"' | b'\''
                | b'|' | b'>' | b'@' | b'`',
            ) => return None,
            Some(_) => {
                let (key, _) = body.split_once(": ").or_else(|| body.split_once(':'))?;
                if key.contains([' ', '#']) || sections.iter().any(|s| s.key == key) {
                    return None;
                }
                if let Some(s) = sections.last_mut() {
                    s.end = start;
                }
                sections.push(Section {
                    key,
                    line: n + 1,
                    header: start..offset,
                    lines: Vec::new(),
                    end: text.len(),
                });
            }
        }
    }
    Some(sections)
}

/// `err` with its line mapped from a piece to the whole file.
fn relocate(mut err: ParseError, line: impl Fn(usize) -> Option<usize>) -> ParseError {
    if let Some(l) = err.line {
        err.line = line(l as usize).map(|l| u32::try_from(l).unwrap_or(u32::MAX));
        if err.line.is_none() {
            err.column = None;
        }
    }
    err
}

/// Nesting over [`vouch_yaml::MAX_DEPTH`], with its line and column.
pub(crate) fn depth_error(err: &vouch_yaml::DepthError) -> ParseError {
    ParseError::new(format!(
        "nesting deeper than the limit of {} levels",
        err.limit
    ))
    .at(
        u32::try_from(err.line).unwrap_or(u32::MAX),
        u32::try_from(err.column).unwrap_or(u32::MAX),
    )
}

/// A failure of the YAML loader (too deep, or a parse error) with its line and column.
fn yaml_failure(err: &vouch_yaml::Error) -> ParseError {
    match err {
        vouch_yaml::Error::TooDeep(e) => depth_error(e),
        vouch_yaml::Error::Parse(e) => yaml_error(e),
        other => ParseError::new(other.to_string()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &[&str] = &[
        include_str!("../../tests/fixtures/pnpm/cdxgen.pnpm-lock.yaml"),
        include_str!("../../tests/fixtures/pnpm/cdxgen-fixture.bytemd.pnpm-lock.v6.yaml"),
        include_str!("../../tests/fixtures/pnpm/cdxgen-fixture.pnpm-lock.v5.3.yaml"),
    ];

    fn whole(text: &str) -> Parsed {
        from_raw(text, yaml_serde::from_str::<RawFile>(text).unwrap().into())
    }

    #[test]
    fn reading_in_pieces_gives_what_reading_whole_gives() {
        for text in FIXTURES {
            let expected = whole(text);
            assert!(!expected.packages.is_empty());
            for per_piece in [1, 3, 1000] {
                let raw = read_in_pieces(text, per_piece, MAX_WHOLE)
                    .expect("pnpm's own layout")
                    .unwrap();
                assert_eq!(
                    from_raw(text, raw.into()),
                    expected,
                    "{per_piece} per piece"
                );
            }
        }
    }

    #[test]
    fn other_layouts_are_read_whole() {
        for text in [
            "---\nlockfileVersion: '9.0'\n",
            "{lockfileVersion: '9.0'}\n",
            "lockfileVersion: '9.0'\npackages:\n    a@1.0.0: {}\n",
            "lockfileVersion: '9.0'\npackages: {}\npackages: {}\n",
            "&a lockfileVersion: '9.0'\n",
        ] {
            assert!(read_in_pieces(text, 2, MAX_WHOLE).is_none(), "{text}");
        }
    }

    #[test]
    fn an_error_in_a_piece_names_its_line_in_the_file() {
        let mut text = String::from("lockfileVersion: '9.0'\npackages:\n");
        for n in 0..10 {
            text.push_str(&format!("  p{n}@1.0.0:\n    dev: false\n"));
        }
        // Entry n sits on lines 3 + 2n and 4 + 2n; the bad value is on line 24, column 10.
        text.push_str("  bad@1.0.0:\n    dev: notabool\n");
        // Small enough to read whole: the whole read gives the error.
        assert!(read_in_pieces(&text, 3, text.len()).is_none());
        // Larger than `max_whole`: the piece's error, on the file's line.
        let err = match read_in_pieces(&text, 3, 10) {
            Some(Err(e)) => e,
            other => panic!("expected an error, got {:?}", other.map(|r| r.is_ok())),
        };
        assert_eq!((err.line, err.column), (Some(24), Some(10)), "{err}");
        assert!(err.message.contains("expected a boolean"), "{err}");
    }
}
