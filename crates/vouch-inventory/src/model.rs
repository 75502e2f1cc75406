//! The typed inventory every capability consumes.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use vouch_purl::Purl;
pub use vouch_url::Url;

/// A package ecosystem. Its purl type and OSV name are fixed here, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    Cargo,
    Npm,
    PyPi,
    Go,
    RubyGems,
    Packagist,
    Debian,
    Alpine,
    Rpm,
    /// Maven Central coordinates (`group:artifact`), from `pom.xml` and Gradle lockfiles.
    Maven,
    /// NuGet packages, from `packages.lock.json` and `*.deps.json`.
    NuGet,
    /// GitHub Actions (`uses: owner/repo[/path]@ref`) in workflows and `action.yml`.
    GitHubActions,
    /// Container images a CI file runs (`uses: docker://…`).
    Docker,
    /// GitLab CI/CD components and project includes (`include: component:` / `project:`).
    GitLab,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 14] = [
        Ecosystem::Cargo,
        Ecosystem::Npm,
        Ecosystem::PyPi,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Debian,
        Ecosystem::Alpine,
        Ecosystem::Rpm,
        Ecosystem::Maven,
        Ecosystem::NuGet,
        Ecosystem::GitHubActions,
        Ecosystem::Docker,
        Ecosystem::GitLab,
    ];

    /// The purl `type` (<https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst>).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPi => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Packagist => "composer",
            Ecosystem::Debian => "deb",
            Ecosystem::Alpine => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
            Ecosystem::GitHubActions => "githubactions",
            Ecosystem::Docker => "docker",
            Ecosystem::GitLab => "gitlab",
        }
    }

    /// The OSV ecosystem name (without a distro release suffix).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPi => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Debian => "Debian",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::Rpm => "Red Hat",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::GitHubActions => "GitHub Actions",
            // Not OSV ecosystems: no advisory names them, so nothing matches.
            Ecosystem::Docker => "Docker",
            Ecosystem::GitLab => "GitLab",
        }
    }

    /// Short lower-case label used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPi => "pypi",
            Ecosystem::Go => "go",
            Ecosystem::RubyGems => "rubygems",
            Ecosystem::Packagist => "packagist",
            Ecosystem::Debian => "debian",
            Ecosystem::Alpine => "alpine",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
            Ecosystem::GitHubActions => "github-actions",
            Ecosystem::Docker => "docker",
            Ecosystem::GitLab => "gitlab",
        }
    }

    /// Parses an OSV ecosystem name or a purl type (`crates.io`, `cargo`, `PyPI`, `deb`, …).
    /// A distro release suffix (`Debian:12`) is ignored.
    pub fn from_name(name: &str) -> Option<Self> {
        let base = name.split(':').next().unwrap_or(name);
        Some(match base.to_ascii_lowercase().as_str() {
            "cargo" | "crates.io" => Ecosystem::Cargo,
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::PyPi,
            "go" | "golang" => Ecosystem::Go,
            "rubygems" | "gem" => Ecosystem::RubyGems,
            "packagist" | "composer" => Ecosystem::Packagist,
            "debian" | "deb" => Ecosystem::Debian,
            "alpine" | "apk" => Ecosystem::Alpine,
            "rpm" | "red hat" => Ecosystem::Rpm,
            "maven" => Ecosystem::Maven,
            "nuget" => Ecosystem::NuGet,
            "githubactions" | "github actions" | "github-actions" => Ecosystem::GitHubActions,
            "docker" | "oci" => Ecosystem::Docker,
            "gitlab" => Ecosystem::GitLab,
            _ => return None,
        })
    }

    /// The name as the ecosystem compares it: PyPI names are PEP 503-normalised; Composer,
    /// NuGet, GitHub and GitLab names lower-cased (those registries and forges compare them
    /// without case); the rest are case-sensitive as given.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPi => vouch_purl::normalize_pypi(name),
            Ecosystem::Packagist
            | Ecosystem::NuGet
            | Ecosystem::GitHubActions
            | Ecosystem::GitLab => name.to_ascii_lowercase(),
            _ => name.to_owned(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a package is needed at run time, per what its source says.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Needed at run time (also the default when the source does not say).
    #[default]
    Required,
    /// Only optional at run time (npm `optional`, poetry optional extras).
    Optional,
    /// Only for development or tests (npm `dev`, poetry `dev`/group, composer `packages-dev`).
    Dev,
}

impl Scope {
    /// When two sources disagree the stronger claim wins: required beats optional beats dev.
    pub fn merge(self, other: Scope) -> Scope {
        self.min(other)
    }
}

/// Hash algorithms lockfiles record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "SHA-1")]
    Sha1,
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-384")]
    Sha384,
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl HashAlgorithm {
    /// The CycloneDX `hash-alg` spelling (`SHA-256`); SPDX uses the same without the dash.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
        }
    }

    pub fn spdx(self) -> &'static str {
        match self {
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA1",
            HashAlgorithm::Sha256 => "SHA256",
            HashAlgorithm::Sha384 => "SHA384",
            HashAlgorithm::Sha512 => "SHA512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            HashAlgorithm::Md5 => 32,
            HashAlgorithm::Sha1 => 40,
            HashAlgorithm::Sha256 => 64,
            HashAlgorithm::Sha384 => 96,
            HashAlgorithm::Sha512 => 128,
        }
    }
}

/// A hash a source records for a package (npm `integrity`, pip `--hash`, Cargo `checksum`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    pub algorithm: HashAlgorithm,
    /// Lower-case hex.
    pub hex: String,
}

impl Hash {
    /// From hex; `None` unless the length fits the algorithm and every character is hex.
    pub fn from_hex(algorithm: HashAlgorithm, hex: &str) -> Option<Self> {
        (hex.len() == algorithm.hex_len() && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(
            || Self {
                algorithm,
                hex: hex.to_ascii_lowercase(),
            },
        )
    }

    /// From a Subresource Integrity string (`sha512-<base64>`), as npm, yarn and pnpm write them.
    /// Only the first well-formed entry of a space-separated list is taken.
    pub fn from_sri(sri: &str) -> Option<Self> {
        sri.split_whitespace().find_map(|part| {
            let (alg, b64) = part.split_once('-')?;
            let algorithm = match alg {
                "sha1" => HashAlgorithm::Sha1,
                "sha256" => HashAlgorithm::Sha256,
                "sha384" => HashAlgorithm::Sha384,
                "sha512" => HashAlgorithm::Sha512,
                _ => return None,
            };
            let bytes = decode_base64(b64)?;
            Hash::from_hex(algorithm, &vouch_digest::encode_hex(&bytes))
        })
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        })
    };
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// What kind of source a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A lockfile or pinned requirements file: what will be installed.
    Lockfile,
    /// An installed-package record (dist-info, node_modules, dpkg, apk, rpm): what is there.
    Installed,
}

/// Where a component was seen: a file relative to the scanned root (`/`-separated).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Evidence {
    pub path: String,
    pub kind: SourceKind,
    /// 1-based line of the entry in that file, when the parser knows it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
}

/// A reference to another package, resolved by the parser to an exact version where the
/// source allows (`version: None` when it records only a name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PackageRef {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version: Option<String>,
}

/// The source package a binary package was built from (Debian `Source:`, apk `origin`, RPM
/// `SOURCERPM`). Vulnerability databases for distros key advisories by it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourcePackage {
    pub name: String,
    pub version: String,
}

/// One package as a single parser saw it in a single file. Parsers return these; the
/// [`crate::Inventory`] merges them into [`Component`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The name as the source spells it (npm scopes included: `@babel/core`; Go module paths).
    pub name: String,
    /// The exact version (Debian with epoch `1:2.3-4`; Go with its `v`).
    pub version: String,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// Licence strings as recorded (SPDX expressions where the source uses them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<PackageRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_package: Option<SourcePackage>,
    /// Download location the source records (npm `resolved`, Cargo `source`, yarn `resolved`).
    /// A [`Url`]: it prints and serializes without credentials (`https://***@host/…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Url>,
    /// Extra purl qualifiers (`arch`; `distro` is filled from the inventory's distro).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub qualifiers: BTreeMap<String, String>,
    /// 1-based line of the entry in its file, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The project's own code, not a registry package: a Cargo workspace member or path
    /// dependency, a uv/poetry path dependency, an npm/pnpm workspace package or `file:`/`link:`
    /// dependency. Its name may equal an unrelated registry package's, so advisories for that
    /// package never apply to it (see [`Component::first_party`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub first_party: bool,
    /// The project itself: the root crate of a Cargo.lock (the path package nothing else in
    /// the file depends on). Also first-party. The inventory lifts the root of a lockfile at
    /// the top of the scanned tree into [`crate::Inventory::root`] (an SBOM's subject); a
    /// nested one stays a first-party component.
    #[serde(default, skip_serializing_if = "is_false")]
    pub root: bool,
    /// The purl subpath: a path inside the package (a GitHub action in a folder of its
    /// repository, `github/codeql-action/init`). Part of the component's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
    /// Facts about this package that its source records and no typed field holds, keyed by
    /// the names in [`property`] (`dependency`: `direct` or `indirect`; the Gradle
    /// configurations; whether an action is pinned to a commit). SBOM writers give each as a
    /// `vouch:<key>` property.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

/// The keys of [`Package::properties`] that several sources share, and their values.
pub mod property {
    /// Whether the project asks for the package itself (`direct`) or it comes with another
    /// package (`indirect`): Go `// indirect`, NuGet `Transitive`, a `pom.xml` dependency.
    /// When sources disagree, `direct` wins.
    pub const DEPENDENCY: &str = "dependency";
    pub const DIRECT: &str = "direct";
    pub const INDIRECT: &str = "indirect";
    /// The reference as written in a CI file (`v4`, a commit SHA, `main`).
    pub const REF: &str = "ref";
    /// `true` when a CI reference is pinned to a full commit SHA or an image digest, `false`
    /// for a tag or branch (which of the two cannot be known offline).
    pub const PINNED: &str = "pinned";
    /// `true` when the package runs an install script (npm `hasInstallScript` in
    /// package-lock v2/v3): it executes code when installed.
    pub const INSTALL_SCRIPT: &str = "install-script";
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Whether a version string names local code rather than a registry release: npm, yarn and
/// pnpm write `file:…`, `link:…` and `workspace:…` for workspace packages and path dependencies.
pub fn is_local_version(ecosystem: Ecosystem, version: &str) -> bool {
    ecosystem == Ecosystem::Npm
        && ["file:", "link:", "workspace:"]
            .iter()
            .any(|p| version.starts_with(p))
}

impl Package {
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            ecosystem,
            name: name.into(),
            version: version.into(),
            scope: Scope::Required,
            hashes: Vec::new(),
            licenses: Vec::new(),
            dependencies: Vec::new(),
            source_package: None,
            resolved: None,
            qualifiers: BTreeMap::new(),
            line: None,
            first_party: false,
            root: false,
            subpath: None,
            properties: BTreeMap::new(),
        }
    }

    /// Sets one of [`Package::properties`].
    #[must_use]
    pub fn with_property(mut self, key: &str, value: impl Into<String>) -> Self {
        self.properties.insert(key.to_owned(), value.into());
        self
    }
}

/// A problem in one input that did not stop the rest of the work.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    /// The file, relative to the scanned root.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<u32>,
    pub message: String,
    /// What the warning is about: one input, or the walk itself.
    #[serde(skip_serializing_if = "WarningKind::is_input", default)]
    pub kind: WarningKind,
}

/// Whether a [`Warning`] is about one input or about the walk.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A problem in one file (a bad entry, an unreadable or too large file): the rest of the
    /// file or tree was read.
    #[default]
    Input,
    /// Part of the tree could not be walked (a folder that cannot be listed): what is below it
    /// is missing, so nothing built on the inventory can pass.
    Walk,
}

impl WarningKind {
    fn is_input(&self) -> bool {
        *self == WarningKind::Input
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// What a parser produced from one file: the packages, plus problems in parts of the file it
/// could skip (a bad stanza in a dpkg status file, one unparsable requirement line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub packages: Vec<Package>,
    pub warnings: Vec<ParseWarning>,
}

/// A recoverable problem inside one file, positioned within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseWarning {
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

/// Why a whole file could not be parsed. The message names what was wrong; the caller adds
/// the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            line: None,
            column: None,
            message: message.into(),
        }
    }

    #[must_use]
    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// From a serde_json error, keeping its line and column.
    pub fn json(err: &serde_json::Error) -> Self {
        let msg = err.to_string();
        // serde_json appends " at line L column C"; keep the message without it.
        let message = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        Self {
            line: Some(err.line() as u32),
            column: Some(err.column() as u32),
            message,
        }
    }
}

/// The Linux distribution of a root filesystem, from `etc/os-release` (or `usr/lib/os-release`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distro {
    /// `ID`, e.g. `debian`, `ubuntu`, `alpine`.
    pub id: String,
    /// `VERSION_ID`, e.g. `12`, `3.18.4`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version_id: Option<String>,
    /// `VERSION_CODENAME`, e.g. `bookworm`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub codename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pretty_name: Option<String>,
}

impl Distro {
    /// The purl `distro` qualifier: `debian-12`, `alpine-3.18.4`, or the codename when there is
    /// no version id (Debian testing).
    pub fn purl_qualifier(&self) -> String {
        match (&self.version_id, &self.codename) {
            (Some(v), _) => format!("{}-{v}", self.id),
            (None, Some(c)) => format!("{}-{c}", self.id),
            (None, None) => self.id.clone(),
        }
    }
}

/// One package in the inventory: every place it was seen merged into one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    pub purl: String,
    pub scope: Scope,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_package: Option<SourcePackage>,
    /// Download location; prints and serializes without credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Url>,
    /// Every file this component was found in, sorted.
    pub evidence: Vec<Evidence>,
    /// purls of the components this one depends on, sorted and de-duplicated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// The project's own code (see [`Package::first_party`]); true only when every source that
    /// lists it says so. SBOM writers give such a component a first-party property and no
    /// registry purl, and vulnerability matching skips it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub first_party: bool,
    /// The merged [`Package::properties`] of every source (`dependency`: `direct` when any
    /// source says so).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

impl Component {
    /// The merge key: ecosystem, the ecosystem-normalised name, and the version.
    pub fn key(&self) -> (Ecosystem, String, String) {
        (
            self.ecosystem,
            self.ecosystem.normalize_name(&self.name),
            self.version.clone(),
        )
    }
}

/// Builds the purl of a package, with the distro's namespace and qualifier for OS packages.
///
/// The distro (from `os-release`) names the namespace and the `distro` qualifier only when it
/// uses the package's format (an apk database inside a Debian tree keeps `alpine`).
pub fn purl_of(package: &Package, distro: Option<&Distro>) -> Purl {
    let mut purl = Purl::package(
        package.ecosystem.purl_type(),
        &package.name,
        &package.version,
    );
    let default_vendor = match package.ecosystem {
        Ecosystem::Debian => Some("debian"),
        Ecosystem::Alpine => Some("alpine"),
        // An RPM's vendor is unknown without the distro: leave the namespace out.
        Ecosystem::Rpm => Some(""),
        _ => None,
    };
    if let Some(default_vendor) = default_vendor {
        let matching = distro.filter(|d| distro_uses(d, package.ecosystem));
        purl = purl.namespace(matching.map_or(default_vendor, |d| d.id.as_str()));
        if let Some(d) = matching {
            purl = purl.qualifier("distro", &d.purl_qualifier());
        }
    }
    for (k, v) in &package.qualifiers {
        purl = purl.qualifier(k, v);
    }
    if let Some(subpath) = &package.subpath {
        purl = purl.subpath(subpath);
    }
    purl
}

/// Whether `distro` installs packages of `ecosystem` (by `os-release` `ID`).
fn distro_uses(distro: &Distro, ecosystem: Ecosystem) -> bool {
    const DPKG: &[&str] = &[
        "debian",
        "ubuntu",
        "raspbian",
        "kali",
        "linuxmint",
        "pop",
        "elementary",
        "devuan",
    ];
    const APK: &[&str] = &["alpine", "wolfi", "chainguard", "postmarketos"];
    let id = distro.id.as_str();
    match ecosystem {
        Ecosystem::Debian => DPKG.contains(&id),
        Ecosystem::Alpine => APK.contains(&id),
        Ecosystem::Rpm => !DPKG.contains(&id) && !APK.contains(&id),
        _ => false,
    }
}
