//! Maven `pom.xml` and Gradle lockfiles → `pkg:maven/group/artifact@version`.
//!
//! Package names are Maven coordinates `group:artifact`, as OSV's Maven ecosystem writes them.
//!
//! ## `pom.xml`
//!
//! What the file declares, with versions resolved the way Maven would from what is in the tree:
//!
//! - Packages are the `<dependencies>` of the project (not those under
//!   `<dependencyManagement>`, which only pin versions, nor plugins, nor profiles, which are
//!   not active by default). Each is a direct dependency (`dependency` property `direct`).
//! - A version is a literal, or `${name}` taken from `<properties>` (nested references
//!   followed, at most [`MAX_EXPANSIONS`] substitutions and [`MAX_RESOLVED_LEN`] bytes),
//!   `${project.version}`,
//!   `${project.groupId}`, `${project.artifactId}` and `${project.parent.version}`. A
//!   dependency without a version takes it from the `<dependencyManagement>` of the same file.
//! - The parent pom (`<parent>`, at `<relativePath>`, by default `../pom.xml`) is read when it
//!   is inside the scanned tree and names the same coordinates: its properties and
//!   `<dependencyManagement>` count too, up to [`MAX_PARENTS`] levels. A parent that is not
//!   in the tree (fetched from a repository by Maven) is not read.
//! - Not resolved, each said in one warning per file and left out: a version from a parent
//!   pom that is not in the tree or an imported BOM (`<scope>import</scope>`), a property
//!   that is not defined here (`${env.X}`, `-D` on the command line), version ranges
//!   (`[1.0,2.0)`: Maven picks from a repository's listing).
//! - Scope: `test` → [`Scope::Dev`]; `<optional>true</optional>` → [`Scope::Optional`];
//!   `compile`, `runtime`, `provided` and `system` → [`Scope::Required`] (`provided` is on
//!   the class path at run time, supplied by the container). The Maven scope is kept as the
//!   `maven-scope` property.
//! - `<classifier>` and a `<type>` other than `jar` are the purl's `classifier` and `type`
//!   qualifiers (`pkg:maven/io.netty/netty-transport-native-epoll@4.1.100.Final?classifier=linux-x86_64`).
//! - The project itself (its own coordinates) is the file's root package (first-party).
//! - Input is bounded: at most [`MAX_POM_LEN`] bytes and [`MAX_NODES`] XML nodes; a DTD is
//!   refused (so no entity expansion).
//!
//! ## Gradle lockfiles
//!
//! `gradle.lockfile`, `*.gradle.lockfile` (per-configuration lockfiles of older Gradle),
//! `buildscript-gradle.lockfile` and `settings-gradle.lockfile`: one `group:name:version=
//! configuration,…` line per module; `empty=…` and comments are skipped. A module locked only
//! in test configurations (a name that starts with `test` or has a `Test` word: `testRuntimeClasspath`,
//! `jvmTestCompileClasspath`, `androidTestImplementation`) is [`Scope::Dev`]. The configurations
//! are kept as the `gradle-configurations` property.

use std::collections::BTreeMap;

use roxmltree::{Document, Node, ParsingOptions};

use crate::{Ecosystem, Package, ParseError, ParseWarning, Parsed, Scope, Source, property};

/// Largest `pom.xml` read (8 MiB; real ones are a few hundred KiB at most).
pub const MAX_POM_LEN: usize = 8 * 1024 * 1024;
/// Most XML nodes in one `pom.xml`.
pub const MAX_NODES: u32 = 1_000_000;
/// Most `${…}` substitutions while resolving one value.
pub const MAX_EXPANSIONS: usize = 32;
/// Most parent poms followed.
pub const MAX_PARENTS: usize = 8;
/// Longest value a `${…}` substitution may build (a version or a coordinate is far shorter).
pub const MAX_RESOLVED_LEN: usize = 1024;

/// The `maven-scope` property: the dependency's `<scope>` as written.
pub const MAVEN_SCOPE: &str = "maven-scope";
/// The `gradle-configurations` property: the configurations a module is locked in.
pub const GRADLE_CONFIGURATIONS: &str = "gradle-configurations";

/// What one pom contributes to resolution.
#[derive(Default)]
struct Pom {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    parent: Option<Coordinates>,
    parent_path: String,
    properties: BTreeMap<String, String>,
    /// `group:artifact` → version, from `<dependencyManagement>` (imports left out).
    managed: BTreeMap<String, String>,
}

#[derive(Clone, PartialEq, Eq)]
struct Coordinates {
    group: String,
    artifact: String,
    version: String,
}

struct Dependency {
    group: String,
    artifact: String,
    version: Option<String>,
    scope: Option<String>,
    optional: bool,
    classifier: Option<String>,
    packaging: Option<String>,
    line: u32,
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

fn parse_xml(text: &str) -> Result<Document<'_>, ParseError> {
    if text.len() > MAX_POM_LEN {
        return Err(ParseError::new(format!(
            "pom.xml is {} bytes, over the {MAX_POM_LEN}-byte limit",
            text.len()
        )));
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| {
        let pos = e.pos();
        ParseError::new(format!("invalid XML: {}", xml_message(&e))).at(pos.row, pos.col)
    })
}

/// roxmltree's message without its trailing position (the caller adds line and column).
fn xml_message(e: &roxmltree::Error) -> String {
    let msg = e.to_string();
    match msg.rfind(" at ") {
        Some(i) if msg[i + 4..].chars().all(|c| c.is_ascii_digit() || c == ':') => {
            msg[..i].to_owned()
        }
        _ => msg,
    }
}

fn read_pom(doc: &Document<'_>) -> Result<(Pom, Vec<Dependency>), ParseError> {
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return Err(ParseError::new(format!(
            "expected a <project> root element, found <{}>",
            project.tag_name().name()
        ))
        .at(1, 1));
    }
    let mut pom = Pom {
        group: text_of(project, "groupId"),
        artifact: text_of(project, "artifactId"),
        version: text_of(project, "version"),
        parent_path: "../pom.xml".to_owned(),
        ..Pom::default()
    };
    if let Some(parent) = child(project, "parent") {
        if let (Some(group), Some(artifact), Some(version)) = (
            text_of(parent, "groupId"),
            text_of(parent, "artifactId"),
            text_of(parent, "version"),
        ) {
            pom.parent = Some(Coordinates {
                group,
                artifact,
                version,
            });
        }
        if let Some(path) = child(parent, "relativePath") {
            // An empty `<relativePath/>` means: not in the tree, look it up in a repository.
            pom.parent_path = path.text().map(str::trim).unwrap_or("").to_owned();
        }
    }
    if let Some(props) = child(project, "properties") {
        for p in props.children().filter(Node::is_element) {
            let value = p.text().map(str::trim).unwrap_or("").to_owned();
            pom.properties.insert(p.tag_name().name().to_owned(), value);
        }
    }
    if let Some(list) =
        child(project, "dependencyManagement").and_then(|m| child(m, "dependencies"))
    {
        for d in list.children().filter(|c| c.is_element()) {
            if text_of(d, "scope").as_deref() == Some("import") {
                continue;
            }
            if let (Some(g), Some(a), Some(v)) = (
                text_of(d, "groupId"),
                text_of(d, "artifactId"),
                text_of(d, "version"),
            ) {
                pom.managed.insert(format!("{g}:{a}"), v);
            }
        }
    }
    let mut deps = Vec::new();
    if let Some(list) = child(project, "dependencies") {
        for d in list
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "dependency")
        {
            let (line, _) = position(doc, d);
            let (Some(group), Some(artifact)) = (text_of(d, "groupId"), text_of(d, "artifactId"))
            else {
                return Err(
                    ParseError::new("<dependency> without <groupId> and <artifactId>").at(line, 1),
                );
            };
            deps.push(Dependency {
                group,
                artifact,
                version: text_of(d, "version"),
                scope: text_of(d, "scope"),
                optional: text_of(d, "optional").as_deref() == Some("true"),
                classifier: text_of(d, "classifier"),
                packaging: text_of(d, "type"),
                line,
            });
        }
    }
    Ok((pom, deps))
}

fn position(doc: &Document<'_>, node: Node<'_, '_>) -> (u32, u32) {
    let pos = doc.text_pos_at(node.range().start);
    (pos.row, pos.col)
}

/// The values `${…}` can take: properties of this pom, then of its parents (nearer first),
/// and the project's own coordinates.
struct Resolver {
    properties: BTreeMap<String, String>,
}

impl Resolver {
    /// `value` with every `${name}` replaced, or why it cannot be (quoted for a warning).
    fn resolve(&self, value: &str) -> Result<String, String> {
        let mut out = value.to_owned();
        for _ in 0..MAX_EXPANSIONS {
            let Some(start) = out.find("${") else {
                return Ok(out);
            };
            let Some(len) = out[start..].find('}') else {
                return Err(format!("`{value}`: `${{` is never closed"));
            };
            let name = &out[start + 2..start + len];
            let Some(replacement) = self.properties.get(name) else {
                return Err(format!("`${{{name}}}`"));
            };
            out = format!(
                "{}{}{}",
                &out[..start],
                replacement,
                &out[start + len + 1..]
            );
            if out.len() > MAX_RESOLVED_LEN {
                return Err(format!(
                    "`{value}`: longer than {MAX_RESOLVED_LEN} bytes once resolved"
                ));
            }
        }
        Err(format!(
            "`{value}`: more than {MAX_EXPANSIONS} substitutions"
        ))
    }
}

/// Parses a `pom.xml`.
pub fn parse_pom(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let doc = parse_xml(text)?;
    let (pom, deps) = read_pom(&doc)?;
    let mut warnings = Vec::new();

    // Parents found in the tree, nearest first.
    let mut parents: Vec<Pom> = Vec::new();
    let mut want = pom.parent.clone();
    let mut dir = String::new();
    let mut path = pom.parent_path.clone();
    while let Some(coordinates) = want.take() {
        if parents.len() >= MAX_PARENTS || path.is_empty() {
            break;
        }
        let file = if path.ends_with(".xml") {
            path.clone()
        } else {
            format!("{}/pom.xml", path.trim_end_matches('/'))
        };
        let relative = format!("{dir}{file}");
        let Some(bytes) = source.siblings.read(&relative) else {
            break;
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            break;
        };
        let Ok(doc) = parse_xml(text) else { break };
        let Ok((parent, _)) = read_pom(&doc) else {
            break;
        };
        let same = parent.artifact.as_deref() == Some(coordinates.artifact.as_str())
            && parent
                .group
                .as_ref()
                .or(parent.parent.as_ref().map(|p| &p.group))
                == Some(&coordinates.group);
        if !same {
            break;
        }
        dir = match relative.rsplit_once('/') {
            Some((d, _)) => format!("{d}/"),
            None => String::new(),
        };
        path = parent.parent_path.clone();
        want = parent.parent.clone();
        parents.push(parent);
    }

    let parent_coordinates = pom.parent.clone();
    let group = pom
        .group
        .clone()
        .or_else(|| parent_coordinates.as_ref().map(|p| p.group.clone()));
    let version = pom
        .version
        .clone()
        .or_else(|| parent_coordinates.as_ref().map(|p| p.version.clone()));
    let mut properties: BTreeMap<String, String> = BTreeMap::new();
    // Farthest parent first, so nearer definitions win.
    for p in parents.iter().rev().chain(std::iter::once(&pom)) {
        properties.extend(p.properties.clone());
    }
    if let Some(v) = &version {
        properties.insert("project.version".into(), v.clone());
        properties.insert("pom.version".into(), v.clone());
        properties.insert("version".into(), v.clone());
    }
    if let Some(g) = &group {
        properties.insert("project.groupId".into(), g.clone());
        properties.insert("pom.groupId".into(), g.clone());
    }
    if let Some(a) = &pom.artifact {
        properties.insert("project.artifactId".into(), a.clone());
        properties.insert("pom.artifactId".into(), a.clone());
    }
    if let Some(p) = &parent_coordinates {
        properties.insert("project.parent.version".into(), p.version.clone());
        properties.insert("project.parent.groupId".into(), p.group.clone());
    }
    let resolver = Resolver { properties };
    let mut managed: BTreeMap<String, String> = BTreeMap::new();
    for p in parents.iter().rev().chain(std::iter::once(&pom)) {
        managed.extend(p.managed.clone());
    }

    let mut packages = Vec::new();
    if let (Some(group), Some(artifact), Some(version)) = (&group, &pom.artifact, &version)
        && let (Ok(group), Ok(artifact), Ok(version)) = (
            resolver.resolve(group),
            resolver.resolve(artifact),
            resolver.resolve(version),
        )
    {
        let mut root = Package::new(Ecosystem::Maven, format!("{group}:{artifact}"), version);
        root.first_party = true;
        root.root = true;
        root.line = Some(position(&doc, doc.root_element()).0);
        packages.push(root);
    }

    let mut unversioned: Vec<String> = Vec::new();
    let mut undefined: Vec<String> = Vec::new();
    let mut ranges: Vec<String> = Vec::new();
    for d in deps {
        let (group, artifact) = match (resolver.resolve(&d.group), resolver.resolve(&d.artifact)) {
            (Ok(g), Ok(a)) => (g, a),
            (Err(name), _) | (_, Err(name)) => {
                undefined.push(format!("{}:{} ({name})", d.group, d.artifact));
                continue;
            }
        };
        let coordinate = format!("{group}:{artifact}");
        let Some(written) = d
            .version
            .clone()
            .or_else(|| managed.get(&coordinate).cloned())
        else {
            unversioned.push(coordinate);
            continue;
        };
        let version = match resolver.resolve(&written) {
            Ok(v) => v,
            Err(name) => {
                undefined.push(format!("{coordinate} ({name})"));
                continue;
            }
        };
        if version.starts_with(['[', '(']) || version.contains(',') {
            ranges.push(format!("{coordinate} {version}"));
            continue;
        }
        let mut package = Package::new(Ecosystem::Maven, coordinate, version)
            .with_property(property::DEPENDENCY, property::DIRECT);
        package.line = Some(d.line);
        package.scope = match d.scope.as_deref() {
            Some("test") => Scope::Dev,
            _ if d.optional => Scope::Optional,
            _ => Scope::Required,
        };
        if let Some(scope) = d.scope {
            package.properties.insert(MAVEN_SCOPE.into(), scope);
        }
        // The purl spec's Maven qualifiers: `classifier`, and `type` when it is not `jar`.
        for (key, value) in [("classifier", d.classifier), ("type", d.packaging)] {
            if let Some(v) = value.and_then(|v| resolver.resolve(&v).ok())
                && !(key == "type" && v == "jar")
            {
                package.qualifiers.insert(key.into(), v);
            }
        }
        packages.push(package);
    }
    let mut say = |list: Vec<String>, why: &str| {
        if !list.is_empty() {
            warnings.push(ParseWarning {
                line: None,
                column: None,
                message: format!(
                    "{} dependencies {why}; left out: {}",
                    list.len(),
                    list.join(", ")
                ),
            });
        }
    };
    say(
        unversioned,
        "have no version here (managed by a parent pom not in the tree or an imported BOM)",
    );
    say(
        undefined,
        "use a property this pom and its parents in the tree do not define",
    );
    say(
        ranges,
        "have a version range (Maven picks from a repository's listing)",
    );
    Ok(Parsed { packages, warnings })
}

/// Whether a Gradle configuration is for tests only.
fn is_test_configuration(name: &str) -> bool {
    name.starts_with("test")
        || name
            .match_indices("Test")
            .any(|(i, _)| name[i + 4..].chars().next().is_none_or(char::is_uppercase))
}

/// Parses a Gradle lockfile.
pub fn parse_gradle_lockfile(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let mut parsed = Parsed::default();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (module, configurations) = line.split_once('=').unwrap_or((line, ""));
        if module == "empty" {
            continue;
        }
        let parts: Vec<&str> = module.split(':').collect();
        let [group, name, version] = parts.as_slice() else {
            parsed.warnings.push(ParseWarning {
                line: Some(line_no),
                column: Some(1),
                message: format!(
                    "expected `group:name:version=configurations`, found {} part(s) before `=`; line skipped",
                    parts.len()
                ),
            });
            continue;
        };
        if [group, name, version].iter().any(|p| p.is_empty()) {
            parsed.warnings.push(ParseWarning {
                line: Some(line_no),
                column: Some(1),
                message: "empty group, name or version; line skipped".into(),
            });
            continue;
        }
        let configs: Vec<&str> = configurations
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let mut package = Package::new(Ecosystem::Maven, format!("{group}:{name}"), *version);
        package.line = Some(line_no);
        if !configs.is_empty() && configs.iter().all(|c| is_test_configuration(c)) {
            package.scope = Scope::Dev;
        }
        if !configs.is_empty() {
            package
                .properties
                .insert(GRADLE_CONFIGURATIONS.into(), configs.join(","));
        }
        parsed.packages.push(package);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::is_test_configuration;

    #[test]
    fn test_configurations() {
        for c in [
            "testRuntimeClasspath",
            "jvmTestCompileClasspath",
            "androidTestImplementation",
            "iosX64TestCompileKlibraries",
        ] {
            assert!(is_test_configuration(c), "{c}");
        }
        for c in [
            "runtimeClasspath",
            "compileClasspath",
            "kotlinTestable",
            "dokkaHtmlRuntime",
        ] {
            assert!(!is_test_configuration(c), "{c}");
        }
    }
}
