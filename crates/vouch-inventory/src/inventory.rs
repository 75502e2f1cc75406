//! Merging parser results into one [`Inventory`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::purl_of;
use crate::{Component, Distro, Ecosystem, Evidence, FileKind, Package, Parsed, Warning};

/// A file that was parsed, and how many packages it gave.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceFile {
    pub path: String,
    /// The parser's label (`Cargo.lock`, `dpkg status`, …).
    pub kind: String,
    pub packages: usize,
}

/// Everything found below one root. Components are sorted by (ecosystem, name, version) and
/// every list inside them is sorted, so the same input always gives the same value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// What was scanned, as given on the command line (a directory name, an image reference).
    pub subject: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub distro: Option<Distro>,
    pub components: Vec<Component>,
    /// The project at the top of the scanned tree, when a lockfile there names it (the root
    /// crate of `./Cargo.lock`): first-party, not among `components`. SBOM writers make it the
    /// document's subject (CycloneDX `metadata.component`, the SPDX described package).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub root: Option<Component>,
    pub files: Vec<SourceFile>,
    pub warnings: Vec<Warning>,
    /// The container image inventoried, when the subject is one: SBOM writers make it the
    /// document's subject (CycloneDX `metadata.component` of type `container`, with its purl).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub image: Option<ImageSubject>,
}

/// A container image as the subject of an inventory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageSubject {
    /// The repository as given (`registry.example.com/team/app`), or the image's name in its
    /// layout or archive, or the source as given when it has none.
    pub name: String,
    /// The tag as given or as the layout or archive names it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tag: Option<String>,
    /// `sha256:…` of the manifest (none for a legacy docker archive, which has no manifest).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub manifest_digest: Option<String>,
    /// `sha256:…` of the image configuration (the image ID).
    pub config_digest: String,
    /// `os/arch[/variant]`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub platform: Option<String>,
    /// The purl (`pkg:oci/NAME@DIGEST?repository_url=…&tag=…`).
    pub purl: String,
}

impl Inventory {
    /// Merges per-file results. `distro` (from `etc/os-release`) qualifies OS package purls.
    ///
    /// Packages with the same ecosystem, normalised name and version become one component:
    /// evidence, hashes, licences and dependencies are unioned; the scope is the strongest
    /// claim (required over optional over dev).
    pub fn build(
        subject: impl Into<String>,
        distro: Option<Distro>,
        results: Vec<(String, FileKind, Parsed)>,
        mut warnings: Vec<Warning>,
    ) -> Self {
        let mut by_key: BTreeMap<Key, Component> = BTreeMap::new();
        let mut files = Vec::with_capacity(results.len());
        // Dependencies are recorded as (name, version) by parsers; resolve them to purls once
        // every component is known. Keep them per component until then.
        let mut pending_deps: BTreeMap<Key, Vec<crate::PackageRef>> = BTreeMap::new();
        // Roots of lockfiles at the top of the tree (paths without a `/`).
        let mut roots: BTreeSet<Key> = BTreeSet::new();
        for (path, kind, parsed) in results {
            files.push(SourceFile {
                path: path.clone(),
                kind: kind.label().to_owned(),
                packages: parsed.packages.len(),
            });
            for w in parsed.warnings {
                warnings.push(Warning {
                    path: path.clone(),
                    line: w.line,
                    column: w.column,
                    message: w.message,
                    kind: crate::WarningKind::Input,
                });
            }
            for mut package in parsed.packages {
                let evidence = Evidence {
                    path: path.clone(),
                    kind: kind.source_kind(),
                    line: package.line,
                };
                let key = Key::of(&package);
                if package.root && !path.contains('/') {
                    roots.insert(key.clone());
                }
                // Moved, not copied: memory stays near one copy of the parsed packages.
                let dependencies = std::mem::take(&mut package.dependencies);
                if !dependencies.is_empty() {
                    pending_deps
                        .entry(key.clone())
                        .or_default()
                        .extend(dependencies);
                }
                match by_key.get_mut(&key) {
                    Some(existing) => merge(existing, package, evidence),
                    None => {
                        let component = new_component(package, evidence, distro.as_ref());
                        by_key.insert(key, component);
                    }
                }
            }
        }
        // (ecosystem, name) -> versions present, for name-only dependency references, and
        // (ecosystem, name, version) -> the keys of that package (one per arch/platform).
        let mut versions_by_name: BTreeMap<(Ecosystem, &str), Vec<&str>> = BTreeMap::new();
        let mut keys_by_nv: BTreeMap<(Ecosystem, &str, &str), Vec<&Key>> = BTreeMap::new();
        for key in by_key.keys() {
            let versions = versions_by_name
                .entry((key.ecosystem, &key.name))
                .or_default();
            if !versions.contains(&key.version.as_str()) {
                versions.push(&key.version);
            }
            keys_by_nv
                .entry((key.ecosystem, &key.name, &key.version))
                .or_default()
                .push(key);
        }
        let mut resolved: Vec<(Key, Vec<String>)> = Vec::with_capacity(pending_deps.len());
        for (key, deps) in std::mem::take(&mut pending_deps) {
            let mut purls = Vec::new();
            for dep in &deps {
                let name = key.ecosystem.normalize_name(&dep.name);
                let version = match &dep.version {
                    Some(v) => Some(v.as_str()),
                    // A name-only reference resolves only when exactly one version is present.
                    None => match versions_by_name.get(&(key.ecosystem, name.as_str())) {
                        Some(vs) if vs.len() == 1 => Some(vs[0]),
                        _ => None,
                    },
                };
                let Some(version) = version else { continue };
                let Some(targets) = keys_by_nv.get(&(key.ecosystem, name.as_str(), version)) else {
                    continue;
                };
                // Several arches or platforms of one package: prefer the dependent's own.
                let same: Vec<&&Key> = targets
                    .iter()
                    .filter(|t| t.qualifiers == key.qualifiers)
                    .collect();
                let chosen: Vec<&&Key> = if same.is_empty() {
                    targets.iter().collect()
                } else {
                    same
                };
                for target in chosen {
                    if **target != key
                        && let Some(c) = by_key.get(*target)
                    {
                        purls.push(c.purl.clone());
                    }
                }
            }
            resolved.push((key, purls));
        }
        for (key, purls) in resolved {
            if let Some(component) = by_key.get_mut(&key) {
                component.dependencies = purls;
            }
        }
        // One project at the top: the subject. Two lockfiles naming different roots leave both
        // as first-party components and the subject as given.
        let mut root = match (roots.pop_first(), roots.is_empty()) {
            (Some(key), true) => by_key.remove(&key),
            _ => None,
        };
        let mut components: Vec<Component> = by_key.into_values().collect();
        for c in components.iter_mut().chain(root.as_mut()) {
            c.evidence.sort();
            c.evidence.dedup();
            c.hashes.sort();
            c.hashes.dedup();
            c.licenses.sort();
            c.licenses.dedup();
            c.dependencies.sort();
            c.dependencies.dedup();
        }
        files.sort();
        warnings.sort();
        warnings.dedup();
        Self {
            subject: subject.into(),
            distro,
            components,
            root,
            files,
            warnings,
            image: None,
        }
    }

    /// Number of components per ecosystem, in ecosystem order.
    pub fn counts(&self) -> BTreeMap<Ecosystem, usize> {
        let mut counts = BTreeMap::new();
        for c in &self.components {
            *counts.entry(c.ecosystem).or_default() += 1;
        }
        counts
    }
}

/// What makes two packages the same component: ecosystem, the ecosystem-normalised name, the
/// version, and the purl qualifiers (so `libc6` for amd64 and for i386, or a gem's platform
/// builds, stay apart).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    ecosystem: Ecosystem,
    name: String,
    version: String,
    qualifiers: BTreeMap<String, String>,
    /// Two actions in one repository (`github/codeql-action/init`, `…/analyze`) stay apart.
    subpath: Option<String>,
}

impl Key {
    fn of(package: &Package) -> Self {
        Self {
            ecosystem: package.ecosystem,
            name: package.ecosystem.normalize_name(&package.name),
            version: package.version.clone(),
            qualifiers: package.qualifiers.clone(),
            subpath: package.subpath.clone(),
        }
    }
}

fn new_component(package: Package, evidence: Evidence, distro: Option<&Distro>) -> Component {
    let purl = purl_of(&package, distro).to_string();
    let first_party =
        package.first_party || crate::model::is_local_version(package.ecosystem, &package.version);
    Component {
        ecosystem: package.ecosystem,
        name: package.name,
        version: package.version,
        purl,
        scope: package.scope,
        hashes: package.hashes,
        licenses: package.licenses,
        source_package: package.source_package,
        resolved: package.resolved,
        evidence: vec![evidence],
        dependencies: Vec::new(),
        first_party,
        properties: package.properties,
    }
}

fn merge(existing: &mut Component, package: Package, evidence: Evidence) {
    // First-party only when every source says so: a registry listing anywhere keeps it matched.
    existing.first_party &=
        package.first_party || crate::model::is_local_version(package.ecosystem, &package.version);
    existing.scope = existing.scope.merge(package.scope);
    existing.evidence.push(evidence);
    existing.hashes.extend(package.hashes);
    existing.licenses.extend(package.licenses);
    if existing.source_package.is_none() {
        existing.source_package = package.source_package;
    }
    if existing.resolved.is_none() {
        existing.resolved = package.resolved;
    }
    merge_properties(&mut existing.properties, package.properties);
}

/// Unions two property maps: the first value of a key stays, except that `dependency` is
/// `direct` when any source says so.
fn merge_properties(into: &mut BTreeMap<String, String>, from: BTreeMap<String, String>) {
    use crate::property::{DEPENDENCY, DIRECT};
    for (key, value) in from {
        match into.get_mut(&key) {
            Some(existing) if key == DEPENDENCY && value == DIRECT => *existing = value,
            Some(_) => {}
            None => {
                into.insert(key, value);
            }
        }
    }
}
