//! Package versions, compared the way each ecosystem compares them, and OSV range evaluation.
//!
//! String comparison, or SemVer applied to every ecosystem, gives wrong advisory matches
//! (`1.10` vs `1.9`, Debian epochs, PEP 440 pre-releases, Maven qualifiers). This crate has one
//! version type per ordering rule ([`Scheme`]), each a port or a wrapper of the ecosystem's own
//! comparison:
//!
//! | scheme | ecosystems | type |
//! | --- | --- | --- |
//! | [`Scheme::SemVer`] | crates.io, npm, Hex, Pub, SwiftURL, GitHub Actions | [`semver::SemVer`] (the `semver` crate) |
//! | [`Scheme::Go`] | Go modules | [`go::GoVersion`] (`v` prefix, pseudo-versions, `+incompatible`) |
//! | [`Scheme::Pep440`] | PyPI | [`pep440::Pep440Version`] (the `pep440_rs` crate) |
//! | [`Scheme::Dpkg`] | Debian, Ubuntu | [`dpkg::DpkgVersion`] (dpkg's `verrevcmp`) |
//! | [`Scheme::Apk`] | Alpine, Alpaquita, Wolfi, Chainguard | [`apk::ApkVersion`] (apk-tools' `apk_version_compare`) |
//! | [`Scheme::RubyGems`] | RubyGems | [`rubygems::GemVersion`] (`Gem::Version`) |
//! | [`Scheme::Maven`] | Maven | [`maven::MavenVersion`] (`ComparableVersion`) |
//! | [`Scheme::Packagist`] | Packagist | [`packagist::ComposerVersion`] (Composer / `version_compare`) |
//! | [`Scheme::NuGet`] | NuGet | [`nuget::NuGetVersion`] (`NuGetVersion`) |
//! | [`Scheme::Rpm`] | Red Hat, Rocky, AlmaLinux, openSUSE, SUSE, Mageia, openEuler, Photon OS, Azure Linux | [`rpm::RpmVersion`] (`rpmvercmp`) |
//!
//! [`osv::evaluate`] applies the OSV `affected[].ranges` / `versions` rules with these orderings
//! and answers [`osv::Verdict::Unknown`] (with the reason) whenever it cannot decide, never a silent
//! "not affected". The comparison rules and their sources are written up in `docs/versions.md`.
//!
//! ```
//! use std::cmp::Ordering;
//! use vouch_version::{Scheme, compare, osv};
//!
//! // Debian: an epoch beats any upstream version; `~` sorts before the empty string.
//! assert_eq!(compare(Scheme::Dpkg, "1:1.0", "2.0").unwrap(), Ordering::Greater);
//! assert_eq!(compare(Scheme::Dpkg, "1.0~rc1", "1.0").unwrap(), Ordering::Less);
//! // PEP 440: a dev release precedes the pre-releases of the same version.
//! assert_eq!(compare(Scheme::Pep440, "1.0.dev1", "1.0a1").unwrap(), Ordering::Less);
//!
//! let scheme = Scheme::for_osv_ecosystem("PyPI").unwrap();
//! let ranges = [osv::Range {
//!     kind: osv::RangeType::Ecosystem,
//!     events: vec![osv::Event::Introduced("0".into()), osv::Event::Fixed("2.31.0".into())],
//! }];
//! assert_eq!(osv::evaluate(scheme, "2.30.9", &ranges, &[]), osv::Verdict::Affected);
//! assert_eq!(osv::evaluate(scheme, "2.31.0", &ranges, &[]), osv::Verdict::NotAffected);
//! assert!(matches!(osv::evaluate(scheme, "not a version", &ranges, &[]), osv::Verdict::Unknown(_)));
//! assert_eq!(osv::fixed_versions(&ranges), vec!["2.31.0".to_string()]);
//! ```

use std::cmp::Ordering;
use std::fmt;

pub mod apk;
pub mod dpkg;
pub mod go;
pub mod maven;
pub mod nuget;
pub mod osv;
pub mod packagist;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

mod error;
pub use error::VersionError;

/// Longest version string any parser accepts; longer input is rejected, not truncated.
pub const MAX_LEN: usize = 1024;

/// An ordering rule: which ecosystem's comparison applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Semantic Versioning 2.0.0 (crates.io, npm, and OSV `SEMVER` ranges).
    SemVer,
    /// Go module versions: SemVer with a `v` prefix, pseudo-versions, `+incompatible`.
    Go,
    /// PEP 440 (PyPI).
    Pep440,
    /// Debian package versions (`[epoch:]upstream[-revision]`), as dpkg compares them.
    Dpkg,
    /// Alpine package versions, as apk-tools compares them.
    Apk,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// Maven `ComparableVersion`.
    Maven,
    /// Composer (Packagist) versions.
    Packagist,
    /// NuGet versions (SemVer 2 with up to four numbers, case-insensitive labels).
    NuGet,
    /// RPM `[epoch:]version[-release]`, as `rpmvercmp` compares them.
    Rpm,
}

impl Scheme {
    /// Every scheme, for tests and tables.
    pub const ALL: [Scheme; 10] = [
        Scheme::SemVer,
        Scheme::Go,
        Scheme::Pep440,
        Scheme::Dpkg,
        Scheme::Apk,
        Scheme::RubyGems,
        Scheme::Maven,
        Scheme::Packagist,
        Scheme::NuGet,
        Scheme::Rpm,
    ];

    /// The scheme for an OSV `affected[].package.ecosystem` value, or `None` when vouch has no
    /// ordering for it (the caller must then report "could not evaluate", not "not affected").
    ///
    /// Ecosystems with a release suffix (`Debian:12`, `Alpine:v3.18`, `Ubuntu:22.04:LTS`) are
    /// matched on the part before the first `:`.
    pub fn for_osv_ecosystem(name: &str) -> Option<Scheme> {
        let base = name.split(':').next().unwrap_or(name).trim();
        let scheme = match base {
            // GitHub Actions: GHSA writes release versions (`4.1.3`); a ref `v4.1.2` parses too.
            "crates.io" | "npm" | "Hex" | "Pub" | "SwiftURL" | "GitHub Actions" => Scheme::SemVer,
            "Go" => Scheme::Go,
            "PyPI" => Scheme::Pep440,
            "Debian" | "Ubuntu" => Scheme::Dpkg,
            "Alpine" | "Alpaquita" | "Wolfi" | "Chainguard" => Scheme::Apk,
            "RubyGems" => Scheme::RubyGems,
            "Maven" => Scheme::Maven,
            "Packagist" => Scheme::Packagist,
            "NuGet" => Scheme::NuGet,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "openSUSE" | "SUSE" | "Mageia"
            | "openEuler" | "Photon OS" | "Azure Linux" => Scheme::Rpm,
            _ => return None,
        };
        Some(scheme)
    }

    /// A short lower-case name, used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::SemVer => "semver",
            Scheme::Go => "go",
            Scheme::Pep440 => "pep440",
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::RubyGems => "rubygems",
            Scheme::Maven => "maven",
            Scheme::Packagist => "packagist",
            Scheme::NuGet => "nuget",
            Scheme::Rpm => "rpm",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed version of one scheme.
///
/// Versions of the same scheme are ordered by that scheme's rules; equality is order-equality
/// (`1.0` and `1.0.0` are equal in RubyGems), not string equality: use [`Version::as_str`] for
/// the original text. Versions of different schemes order by scheme first (an arbitrary but
/// total order; comparing across schemes is a caller bug).
#[derive(Debug, Clone)]
pub struct Version {
    raw: String,
    key: Key,
}

#[derive(Debug, Clone)]
enum Key {
    SemVer(semver::SemVer),
    Go(go::GoVersion),
    Pep440(pep440::Pep440Version),
    Dpkg(dpkg::DpkgVersion),
    Apk(apk::ApkVersion),
    RubyGems(rubygems::GemVersion),
    Maven(maven::MavenVersion),
    Packagist(packagist::ComposerVersion),
    NuGet(nuget::NuGetVersion),
    Rpm(rpm::RpmVersion),
}

impl Version {
    /// The text this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The scheme this version was parsed under.
    pub fn scheme(&self) -> Scheme {
        match &self.key {
            Key::SemVer(_) => Scheme::SemVer,
            Key::Go(_) => Scheme::Go,
            Key::Pep440(_) => Scheme::Pep440,
            Key::Dpkg(_) => Scheme::Dpkg,
            Key::Apk(_) => Scheme::Apk,
            Key::RubyGems(_) => Scheme::RubyGems,
            Key::Maven(_) => Scheme::Maven,
            Key::Packagist(_) => Scheme::Packagist,
            Key::NuGet(_) => Scheme::NuGet,
            Key::Rpm(_) => Scheme::Rpm,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.key, &other.key) {
            (Key::SemVer(a), Key::SemVer(b)) => a.cmp(b),
            (Key::Go(a), Key::Go(b)) => a.cmp(b),
            (Key::Pep440(a), Key::Pep440(b)) => a.cmp(b),
            (Key::Dpkg(a), Key::Dpkg(b)) => a.cmp(b),
            (Key::Apk(a), Key::Apk(b)) => a.cmp(b),
            (Key::RubyGems(a), Key::RubyGems(b)) => a.cmp(b),
            (Key::Maven(a), Key::Maven(b)) => a.cmp(b),
            (Key::Packagist(a), Key::Packagist(b)) => a.cmp(b),
            (Key::NuGet(a), Key::NuGet(b)) => a.cmp(b),
            (Key::Rpm(a), Key::Rpm(b)) => a.cmp(b),
            _ => self.scheme().cmp(&other.scheme()),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

/// Parses `s` under `scheme`.
///
/// Surrounding whitespace is rejected, as is anything longer than [`MAX_LEN`] bytes.
pub fn parse(scheme: Scheme, s: &str) -> Result<Version, VersionError> {
    if s.is_empty() {
        return Err(VersionError::Empty { scheme });
    }
    if s.len() > MAX_LEN {
        return Err(VersionError::TooLong {
            scheme,
            len: s.len(),
        });
    }
    if s.trim() != s {
        let at = if s.starts_with(char::is_whitespace) {
            0
        } else {
            s.trim_end().len()
        };
        return Err(VersionError::invalid(
            scheme,
            s,
            at,
            "surrounding whitespace",
        ));
    }
    let key = match scheme {
        Scheme::SemVer => Key::SemVer(semver::SemVer::parse(s)?),
        Scheme::Go => Key::Go(go::GoVersion::parse(s)?),
        Scheme::Pep440 => Key::Pep440(pep440::Pep440Version::parse(s)?),
        Scheme::Dpkg => Key::Dpkg(dpkg::DpkgVersion::parse(s)?),
        Scheme::Apk => Key::Apk(apk::ApkVersion::parse(s)?),
        Scheme::RubyGems => Key::RubyGems(rubygems::GemVersion::parse(s)?),
        Scheme::Maven => Key::Maven(maven::MavenVersion::parse(s)?),
        Scheme::Packagist => Key::Packagist(packagist::ComposerVersion::parse(s)?),
        Scheme::NuGet => Key::NuGet(nuget::NuGetVersion::parse(s)?),
        Scheme::Rpm => Key::Rpm(rpm::RpmVersion::parse(s)?),
    };
    Ok(Version {
        raw: s.to_owned(),
        key,
    })
}

/// Compares two version strings under `scheme`; fails if either does not parse.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(scheme, a)?.cmp(&parse(scheme, b)?))
}
