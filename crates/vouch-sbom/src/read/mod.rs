//! Reading other tools' SBOMs: CycloneDX JSON 1.2 to 1.7 and SPDX 2.2/2.3 JSON.
//!
//! The readers are lenient about what they do not need (missing fields, unknown fields,
//! numbers where strings are expected) and strict about what they do: a component becomes a
//! [`Component`] only with a purl whose type vouch knows ([`Ecosystem::from_name`]) and a
//! version. Everything else goes to [`ReadSbom::unmapped`] with the reason, so a caller can say
//! how much of the SBOM it could not evaluate.
//!
//! Components with the same purl are merged (hashes, licences and dependencies unioned). The
//! document's own subject (CycloneDX `metadata.component`, the package an SPDX document
//! `DESCRIBES`) is reported as [`ReadSbom::subject`], not as a component; an
//! operating-system component becomes [`ReadSbom::distro`].

mod cyclonedx;
mod spdx;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use packageurl::PackageUrl;
use serde::{Deserialize, Deserializer};
use vouch_inventory::{
    Component, Distro, Ecosystem, Hash, HashAlgorithm, Inventory, Scope, SourceFile, SourcePackage,
    Warning,
};

/// Which format a document was, with the version it declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// CycloneDX JSON; `spec_version` as declared (`1.6`).
    CycloneDx { spec_version: String },
    /// SPDX JSON; `version` without the `SPDX-` prefix (`2.3`).
    Spdx { version: String },
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::CycloneDx { spec_version } => write!(f, "CycloneDX {spec_version}"),
            Format::Spdx { version } => write!(f, "SPDX {version}"),
        }
    }
}

/// What an SBOM holds, in vouch's model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSbom {
    pub format: Format,
    /// The name of what the document describes (CycloneDX `metadata.component`, with its
    /// group; the SPDX package the document `DESCRIBES`, else the document's name).
    pub subject: Option<String>,
    /// The operating system the document names (a CycloneDX `operating-system` component or
    /// an SPDX `OPERATING_SYSTEM` package; Trivy spells it `OPERATING-SYSTEM`): `id` is its name, `version_id` its version.
    pub distro: Option<Distro>,
    /// Components with a known purl type and a version, sorted by ecosystem, name, version and
    /// purl. `evidence` is empty: the SBOM does not say which of the scanned files held them.
    pub components: Vec<Component>,
    /// Components vouch could not map, in document order.
    pub unmapped: Vec<Unmapped>,
}

impl ReadSbom {
    /// The SBOM as an [`Inventory`], for code that works on inventories (advisory matching):
    /// `path` names the SBOM file; it becomes the subject when the document names none and the
    /// one entry of [`Inventory::files`], and each unmapped component becomes a
    /// [`Warning`] on it, so what could not be evaluated stays visible.
    pub fn into_inventory(self, path: &str) -> Inventory {
        let mut warnings: Vec<Warning> = self
            .unmapped
            .iter()
            .map(|u| {
                let version = u
                    .version
                    .as_deref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default();
                Warning {
                    path: path.to_owned(),
                    line: None,
                    column: None,
                    message: format!(
                        "component `{}`{version} not evaluated: {}",
                        u.name, u.reason
                    ),
                    kind: vouch_inventory::WarningKind::Input,
                }
            })
            .collect();
        warnings.sort();
        warnings.dedup();
        Inventory {
            subject: self.subject.unwrap_or_else(|| path.to_owned()),
            distro: self.distro,
            files: vec![SourceFile {
                path: path.to_owned(),
                kind: self.format.to_string(),
                packages: self.components.len(),
            }],
            components: self.components,
            root: None,
            image: None,
            warnings,
        }
    }
}

/// A component that was not turned into a [`Component`], and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// The name as the document gives it (with a CycloneDX group joined as `group/name`).
    pub name: String,
    pub version: Option<String>,
    /// The CycloneDX `type` or SPDX `primaryPackagePurpose` (`application`, `LIBRARY`, …).
    pub kind: Option<String>,
    pub purl: Option<String>,
    pub reason: UnmappedReason,
}

/// Why a component could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnmappedReason {
    /// It has no purl.
    NoPurl,
    /// Its purl does not parse; the parser's message.
    InvalidPurl(String),
    /// Its purl type (`maven`, `nuget`, `generic`, …) is not an ecosystem vouch knows.
    UnsupportedType(String),
    /// Neither the purl nor the component gives a version.
    NoVersion,
    /// The document marks it first-party (vouch's `vouch:first-party` property): the project's
    /// own code, which no registry advisory is about.
    FirstParty,
}

impl fmt::Display for Unmapped {
    /// `` `name` 1.2 (pkg:…): reason ``, for warnings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.name)?;
        if let Some(v) = &self.version {
            write!(f, " {v}")?;
        }
        if let Some(p) = &self.purl {
            write!(f, " ({p})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl fmt::Display for UnmappedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnmappedReason::NoPurl => f.write_str("no purl"),
            UnmappedReason::InvalidPurl(m) => write!(f, "invalid purl: {m}"),
            UnmappedReason::UnsupportedType(t) => write!(f, "purl type `{t}` is not supported"),
            UnmappedReason::NoVersion => f.write_str("no version"),
            UnmappedReason::FirstParty => f.write_str("first-party code"),
        }
    }
}

/// Why a document could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("not valid JSON at line {line} column {column}: {message}")]
    Json {
        line: u32,
        column: u32,
        message: String,
    },
    #[error("CycloneDX XML is not supported: convert it to CycloneDX JSON")]
    Xml,
    #[error("SPDX tag-value is not supported: convert it to SPDX JSON")]
    TagValue,
    #[error(
        "not a CycloneDX or SPDX JSON document: no `bomFormat: \"CycloneDX\"` and no `spdxVersion`"
    )]
    UnknownFormat,
    #[error("unsupported CycloneDX specVersion `{0}`: vouch reads 1.2 to 1.7")]
    UnsupportedCycloneDx(String),
    #[error("unsupported SPDX version `{0}`: vouch reads SPDX-2.2 and SPDX-2.3 JSON")]
    UnsupportedSpdx(String),
    #[error("invalid {format} document at line {line} column {column}: {message}")]
    Invalid {
        format: &'static str,
        line: u32,
        column: u32,
        message: String,
    },
}

impl ReadError {
    fn json(err: &serde_json::Error) -> Self {
        let (line, column, message) = split(err);
        ReadError::Json {
            line,
            column,
            message,
        }
    }

    fn invalid(format: &'static str, err: &serde_json::Error) -> Self {
        let (line, column, message) = split(err);
        ReadError::Invalid {
            format,
            line,
            column,
            message,
        }
    }
}

fn split(err: &serde_json::Error) -> (u32, u32, String) {
    let msg = err.to_string();
    let message = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    (
        u32::try_from(err.line()).unwrap_or(u32::MAX),
        u32::try_from(err.column()).unwrap_or(u32::MAX),
        message,
    )
}

/// Just enough of a document to tell which format it is.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Probe {
    #[serde(rename = "bomFormat", deserialize_with = "lenient_string")]
    bom_format: Option<String>,
    #[serde(rename = "specVersion", deserialize_with = "lenient_string")]
    spec_version: Option<String>,
    #[serde(rename = "spdxVersion", deserialize_with = "lenient_string")]
    spdx_version: Option<String>,
}

impl Probe {
    /// The format the probe names, with the version as declared (`SPDX-` prefix removed).
    fn format(self) -> Result<Format, ReadError> {
        if self.bom_format.as_deref() == Some("CycloneDX") {
            return Ok(Format::CycloneDx {
                spec_version: self.spec_version.unwrap_or_default(),
            });
        }
        if let Some(v) = self.spdx_version {
            let version = v.strip_prefix("SPDX-").unwrap_or(&v).to_owned();
            return Ok(Format::Spdx { version });
        }
        Err(ReadError::UnknownFormat)
    }
}

/// `bytes` without a UTF-8 byte-order mark; XML and SPDX tag-value documents are refused with
/// their own error.
fn json_body(bytes: &[u8]) -> Result<&[u8], ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let rest = bytes.get(start..).unwrap_or_default();
    if rest.starts_with(b"<") {
        return Err(ReadError::Xml);
    }
    if rest.starts_with(b"SPDXVersion:") || rest.starts_with(b"##") {
        return Err(ReadError::TagValue);
    }
    Ok(bytes)
}

/// Reads just enough of `bytes` (a JSON body) to tell which format it is.
fn probe(bytes: &[u8]) -> Result<Probe, ReadError> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        // Well-formed JSON whose top level is not an object.
        serde_json::error::Category::Data => ReadError::UnknownFormat,
        _ => ReadError::json(&e),
    })
}

/// Which format `bytes` is (CycloneDX `bomFormat`, SPDX `spdxVersion`), with the version the
/// document declares; the version is not checked (see [`parse`] for that).
pub fn detect(bytes: &[u8]) -> Result<Format, ReadError> {
    probe(json_body(bytes)?)?.format()
}

/// [`detect`] for a document already parsed as JSON.
pub fn detect_value(doc: &serde_json::Value) -> Result<Format, ReadError> {
    Probe::deserialize(doc)
        .map_err(|_| ReadError::UnknownFormat)?
        .format()
}

/// Detects the format of `bytes` and reads it.
pub fn parse(bytes: &[u8]) -> Result<ReadSbom, ReadError> {
    let bytes = json_body(bytes)?;
    let probe = probe(bytes)?;
    if probe.bom_format.as_deref() == Some("CycloneDX") {
        let spec = probe.spec_version.unwrap_or_default();
        if !matches!(spec.as_str(), "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7") {
            return Err(ReadError::UnsupportedCycloneDx(spec));
        }
        return cyclonedx::read(bytes, spec);
    }
    if let Some(v) = probe.spdx_version {
        let version = match v.as_str() {
            "SPDX-2.2" => "2.2",
            "SPDX-2.3" => "2.3",
            _ => return Err(ReadError::UnsupportedSpdx(v)),
        };
        return spdx::read(bytes, version.to_owned());
    }
    Err(ReadError::UnknownFormat)
}

/// The ecosystem and package name a purl maps to, as [`parse`] names a component with that
/// purl (npm scopes, Maven `group:artifact`, Go module paths as written); the version is not
/// needed. The fleet index keys its queries on this, so a query finds what ingest stored.
pub fn package_of(purl: &str) -> Result<(Ecosystem, String), UnmappedReason> {
    let found = Found {
        id: None,
        name: String::new(),
        version: Some("0".to_owned()),
        kind: None,
        purl: Some(purl.to_owned()),
        scope: Scope::default(),
        hashes: Vec::new(),
        licenses: Vec::new(),
        source_package: None,
        resolved: None,
        first_party: false,
    };
    map(&found).map(|(ecosystem, name, _, _)| (ecosystem, name))
}

/// A component as the document lists it, before any mapping: what provenance records as a
/// resolved dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The component's name as written (CycloneDX `name` without the group, SPDX `name`).
    pub name: Option<String>,
    /// The purl as written (not canonicalised, any type).
    pub purl: String,
    /// Every hash as written: (algorithm, value), e.g. (`SHA-256`, `ab…`); algorithms and values
    /// are not checked.
    pub hashes: Vec<(String, String)>,
}

/// Every component of a document that has a purl, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub format: Format,
    pub components: Vec<Listed>,
}

/// Lists the components of `bytes` that have a non-empty purl, in document order, of any
/// format version: CycloneDX top-level `components` depth first (nested `components`
/// included, `metadata.component` not), SPDX `packages` with a `purl` external reference (type
/// compared without case). Nothing is merged, mapped or deduplicated; unlike [`parse`], the
/// format's version is not checked.
pub fn list(bytes: &[u8]) -> Result<Listing, ReadError> {
    let bytes = json_body(bytes)?;
    let format = probe(bytes)?.format()?;
    let components = match format {
        Format::CycloneDx { .. } => cyclonedx::list(bytes)?,
        Format::Spdx { .. } => spdx::list(bytes)?,
    };
    Ok(Listing { format, components })
}

/// A string, or a number or boolean written as one; anything else (null, arrays, objects) is
/// treated as absent.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// A list (or object) where `null` counts as empty, as some tools write it.
fn null_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One component as a reader found it, before mapping.
#[derive(Default)]
struct Found {
    /// The document's identifier for it (bom-ref, SPDXID).
    id: Option<String>,
    name: String,
    version: Option<String>,
    kind: Option<String>,
    purl: Option<String>,
    scope: Scope,
    hashes: Vec<Hash>,
    licenses: Vec<String>,
    source_package: Option<SourcePackage>,
    resolved: Option<String>,
    /// Marked first-party by the document.
    first_party: bool,
}

/// Maps what a reader found to components, merging by purl and resolving dependency edges
/// (given as document identifiers) to purls.
fn assemble(
    format: Format,
    subject: Option<String>,
    distro: Option<Distro>,
    found: Vec<Found>,
    edges: &[(String, String)],
) -> ReadSbom {
    let mut by_purl: BTreeMap<String, Component> = BTreeMap::new();
    let mut purl_of_id: BTreeMap<String, String> = BTreeMap::new();
    let mut unmapped = Vec::new();
    for f in found {
        let mapped = if f.first_party {
            Err(UnmappedReason::FirstParty)
        } else {
            map(&f)
        };
        match mapped {
            Ok((ecosystem, name, version, purl)) => {
                if let Some(id) = &f.id {
                    purl_of_id.insert(id.clone(), purl.clone());
                }
                let c = by_purl.entry(purl.clone()).or_insert_with(|| Component {
                    ecosystem,
                    name,
                    version,
                    purl,
                    scope: f.scope,
                    hashes: Vec::new(),
                    licenses: Vec::new(),
                    source_package: None,
                    resolved: None,
                    evidence: Vec::new(),
                    dependencies: Vec::new(),
                    first_party: false,
                    properties: Default::default(),
                });
                c.scope = c.scope.merge(f.scope);
                c.hashes.extend(f.hashes);
                c.licenses.extend(f.licenses);
                if c.source_package.is_none() {
                    c.source_package = f
                        .source_package
                        .or_else(|| upstream(f.purl.as_deref(), &c.version));
                }
                if c.resolved.is_none() {
                    c.resolved = f.resolved.map(vouch_inventory::Url::from);
                }
            }
            Err(reason) => unmapped.push(Unmapped {
                name: f.name,
                version: f.version,
                kind: f.kind,
                purl: f.purl,
                reason,
            }),
        }
    }
    let mut deps: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges {
        if let (Some(a), Some(b)) = (purl_of_id.get(from), purl_of_id.get(to))
            && a != b
        {
            deps.entry(a.as_str()).or_default().insert(b.as_str());
        }
    }
    let deps: BTreeMap<String, Vec<String>> = deps
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
        .collect();
    let mut components: Vec<Component> = by_purl.into_values().collect();
    for c in &mut components {
        if let Some(d) = deps.get(&c.purl) {
            c.dependencies.clone_from(d);
        }
        c.hashes.sort();
        c.hashes.dedup();
        c.licenses.sort();
        c.licenses.dedup();
    }
    components.sort_by(|a, b| {
        (a.ecosystem, &a.name, &a.version, &a.purl).cmp(&(
            b.ecosystem,
            &b.name,
            &b.version,
            &b.purl,
        ))
    });
    ReadSbom {
        format,
        subject,
        distro,
        components,
        unmapped,
    }
}

/// (ecosystem, name as the ecosystem spells it, version, canonical purl).
/// The source package a distro purl names in its `upstream` qualifier, as Syft writes it
/// (`upstream=glibc`, or `upstream=glibc%402.36-9` when the source version differs); the
/// component's version when the qualifier has none. Debian and Alpine advisories are per source
/// package, so this is what an SPDX document from Syft gives the matcher.
fn upstream(purl: Option<&str>, version: &str) -> Option<SourcePackage> {
    let purl: PackageUrl<'_> = purl?.trim().parse().ok()?;
    let value = purl.qualifiers().get("upstream")?.trim().to_owned();
    let (name, v) = match value.split_once('@') {
        Some((n, v)) => (n.trim().to_owned(), v.trim().to_owned()),
        None => (value, version.to_owned()),
    };
    (!name.is_empty() && !v.is_empty()).then_some(SourcePackage { name, version: v })
}

fn map(f: &Found) -> Result<(Ecosystem, String, String, String), UnmappedReason> {
    let raw = f
        .purl
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or(UnmappedReason::NoPurl)?;
    let mut purl: PackageUrl<'static> = raw
        .parse()
        .map_err(|e: packageurl::Error| UnmappedReason::InvalidPurl(e.to_string()))?;
    let ecosystem = Ecosystem::from_name(purl.ty())
        .ok_or_else(|| UnmappedReason::UnsupportedType(purl.ty().to_owned()))?;
    let version = purl
        .version()
        .map(str::to_owned)
        .or_else(|| f.version.clone())
        .filter(|v| !v.trim().is_empty())
        .ok_or(UnmappedReason::NoVersion)?;
    if purl.version().is_none() {
        // The component's own version completes a version-less purl, so the purl identifies
        // what is matched.
        purl.with_version(version.clone())
            .map_err(|e| UnmappedReason::InvalidPurl(e.to_string()))?;
    }
    // Trivy (and the purl spec for rpm) writes the epoch as a qualifier; vouch's versions
    // carry it, as dpkg and rpm compare it first.
    let epoch = purl
        .qualifiers()
        .get("epoch")
        .map(|e| e.to_string())
        .filter(|e| !e.is_empty() && e != "0");
    let version = match epoch {
        Some(epoch) if !version.contains(':') => format!("{epoch}:{version}"),
        _ => version,
    };
    let name = ecosystem_name(ecosystem, purl.namespace(), purl.name());
    let canonical = purl.to_string();
    if ecosystem == Ecosystem::Go {
        // `packageurl` lower-cases golang namespaces, but module paths are case-sensitive
        // (`github.com/BurntSushi/toml`): take the path as the document wrote it.
        if let Some(path) = golang_path(raw).filter(|p| p.eq_ignore_ascii_case(&name)) {
            let canonical = recase_golang(&canonical, &path);
            return Ok((ecosystem, path, version, canonical));
        }
    }
    Ok((ecosystem, name, version, canonical))
}

/// The module path of a `pkg:golang/...` purl as written (namespace and name percent-decoded,
/// case kept; parsed by [`vouch_purl::Purl::parse`]), or `None` when `raw` is not a golang purl.
fn golang_path(raw: &str) -> Option<String> {
    let purl = vouch_purl::Purl::parse(raw).ok()?;
    if purl.ty() != "golang" {
        return None;
    }
    Some(match purl.namespace_value().filter(|ns| !ns.is_empty()) {
        Some(ns) => format!("{ns}/{}", purl.name()),
        None => purl.name().to_owned(),
    })
}

/// `canonical` (which `packageurl` wrote with a lower-cased namespace) with the module path's
/// namespace as written; unchanged when the two do not line up.
fn recase_golang(canonical: &str, path: &str) -> String {
    const PREFIX: &str = "pkg:golang/";
    let Some((namespace, _)) = path.rsplit_once('/') else {
        return canonical.to_owned();
    };
    let end = PREFIX.len() + namespace.len();
    match (canonical.get(PREFIX.len()..end), canonical.get(end..)) {
        (Some(lower), Some(rest))
            if lower.eq_ignore_ascii_case(namespace) && rest.starts_with('/') =>
        {
            format!("{PREFIX}{namespace}{rest}")
        }
        _ => canonical.to_owned(),
    }
}

/// Re-joins a purl's namespace and name the way the ecosystem spells package names.
fn ecosystem_name(ecosystem: Ecosystem, namespace: Option<&str>, name: &str) -> String {
    match (ecosystem, namespace.filter(|n| !n.is_empty())) {
        (Ecosystem::Npm, Some(ns)) if ns.starts_with('@') => format!("{ns}/{name}"),
        (Ecosystem::Npm, Some(ns)) => format!("@{ns}/{name}"),
        (Ecosystem::Maven, Some(ns)) => format!("{ns}:{name}"),
        (
            Ecosystem::Go
            | Ecosystem::Packagist
            | Ecosystem::GitHubActions
            | Ecosystem::GitLab
            | Ecosystem::Docker,
            Some(ns),
        ) => format!("{ns}/{name}"),
        _ => name.to_owned(),
    }
}

/// The name an unmapped component is reported under: Maven `group:artifact`, others
/// `group/name` when there is a group.
fn display_name(purl_type: Option<&str>, group: Option<&str>, name: &str) -> String {
    match group.filter(|g| !g.is_empty()) {
        Some(g) if purl_type == Some("maven") => format!("{g}:{name}"),
        Some(g) => format!("{g}/{name}"),
        None => name.to_owned(),
    }
}

/// A hash from an algorithm name as CycloneDX (`SHA-256`) or SPDX (`SHA256`) spells it.
fn hash(algorithm: &str, hex: &str) -> Option<Hash> {
    let algorithm = match algorithm.to_ascii_uppercase().replace('-', "").as_str() {
        "MD5" => HashAlgorithm::Md5,
        "SHA1" => HashAlgorithm::Sha1,
        "SHA256" => HashAlgorithm::Sha256,
        "SHA384" => HashAlgorithm::Sha384,
        "SHA512" => HashAlgorithm::Sha512,
        _ => return None,
    };
    Hash::from_hex(algorithm, hex.trim())
}

/// A licence string worth keeping: not empty, `NOASSERTION` or `NONE`.
fn licence(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    (!s.is_empty() && s != "NOASSERTION" && s != "NONE").then(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unmapped_component_prints_name_version_purl_and_reason() {
        let u = Unmapped {
            name: "actions/checkout".into(),
            version: Some("v4".into()),
            kind: None,
            purl: Some("pkg:github/actions/checkout@v4".into()),
            reason: UnmappedReason::UnsupportedType("github".into()),
        };
        assert_eq!(
            u.to_string(),
            "`actions/checkout` v4 (pkg:github/actions/checkout@v4): purl type `github` is not supported"
        );
    }

    #[test]
    fn golang_module_paths_keep_their_case() {
        let f = Found {
            purl: Some("pkg:golang/github.com/BurntSushi/toml@v1.2.0".into()),
            ..Found::default()
        };
        let (eco, name, version, purl) = map(&f).unwrap();
        assert_eq!(eco, Ecosystem::Go);
        assert_eq!(name, "github.com/BurntSushi/toml");
        assert_eq!(version, "v1.2.0");
        assert_eq!(purl, "pkg:golang/github.com/BurntSushi/toml@v1.2.0");
        assert_eq!(
            golang_path("pkg:golang/github.com/Masterminds/semver/v3@v3.1.0?type=module#x"),
            Some("github.com/Masterminds/semver/v3".into())
        );
        assert_eq!(golang_path("pkg:npm/foo@1"), None);
    }

    #[test]
    fn names_rejoin_per_ecosystem() {
        assert_eq!(
            ecosystem_name(Ecosystem::Npm, Some("@babel"), "core"),
            "@babel/core"
        );
        assert_eq!(
            ecosystem_name(Ecosystem::Npm, Some("babel"), "core"),
            "@babel/core"
        );
        assert_eq!(
            ecosystem_name(Ecosystem::Go, Some("github.com/a"), "b"),
            "github.com/a/b"
        );
        assert_eq!(
            ecosystem_name(Ecosystem::Packagist, Some("guzzlehttp"), "guzzle"),
            "guzzlehttp/guzzle"
        );
        assert_eq!(
            ecosystem_name(Ecosystem::Debian, Some("debian"), "libc6"),
            "libc6"
        );
        assert_eq!(
            display_name(Some("maven"), Some("org.apache"), "commons"),
            "org.apache:commons"
        );
    }

    #[test]
    fn detect_names_the_declared_version_without_checking_it() {
        assert_eq!(
            detect(br#"{"bomFormat":"CycloneDX","specVersion":"1.1"}"#),
            Ok(Format::CycloneDx {
                spec_version: "1.1".into()
            })
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF {\"spdxVersion\":\"SPDX-2.1\"}"),
            Ok(Format::Spdx {
                version: "2.1".into()
            })
        );
        assert_eq!(
            detect_value(&serde_json::json!({"spdxVersion": "SPDX-2.3"})),
            Ok(Format::Spdx {
                version: "2.3".into()
            })
        );
        assert_eq!(detect(b"<bom/>"), Err(ReadError::Xml));
        assert_eq!(detect(b"{}"), Err(ReadError::UnknownFormat));
        assert_eq!(
            detect_value(&serde_json::json!("x")),
            Err(ReadError::UnknownFormat)
        );
        // `parse` still refuses what it cannot read.
        assert_eq!(
            parse(br#"{"bomFormat":"CycloneDX","specVersion":"1.1"}"#),
            Err(ReadError::UnsupportedCycloneDx("1.1".into()))
        );
    }

    #[test]
    fn list_keeps_document_order_and_purls_as_written() {
        let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.6",
            "metadata":{"component":{"name":"app","components":[{"name":"m","purl":"pkg:npm/m@1"}]}},
            "components":[{"name":"b","purl":"pkg:Cargo/b@2","hashes":[{"alg":"SHA-256","content":"AB"}],
              "components":[{"name":"n","purl":"pkg:generic/n"}]},{"name":"x"},{"name":"a","purl":"pkg:cargo/a@1"}]}"#;
        let listing = list(cdx).unwrap();
        let purls: Vec<&str> = listing.components.iter().map(|c| c.purl.as_str()).collect();
        assert_eq!(purls, ["pkg:Cargo/b@2", "pkg:generic/n", "pkg:cargo/a@1"]);
        assert_eq!(
            listing.components[0].hashes,
            [("SHA-256".to_owned(), "AB".to_owned())]
        );
        let spdx = br#"{"spdxVersion":"SPDX-2.3","packages":[
            {"name":"p","externalRefs":[{"referenceType":"PURL","referenceLocator":"pkg:pypi/p@1"}]},
            {"name":"q","externalRefs":[{"referenceType":"purl","referenceLocator":""}]}]}"#;
        let listing = list(spdx).unwrap();
        assert_eq!(listing.components.len(), 1);
        assert_eq!(listing.components[0].name.as_deref(), Some("p"));
        assert!(matches!(
            list(br#"{"bomFormat":"CycloneDX","components":{}}"#),
            Err(ReadError::Invalid { .. })
        ));
    }

    #[test]
    fn hashes_accept_both_spellings() {
        let hex = "a".repeat(64);
        assert_eq!(hash("SHA-256", &hex), hash("SHA256", &hex));
        assert!(hash("SHA-256", &hex).is_some());
        assert!(hash("BLAKE3", &hex).is_none());
        assert!(hash("SHA-256", "abc").is_none());
    }
}
