//! Package URLs (<https://github.com/package-url/purl-spec>) for the ecosystems vouch inventories.
//!
//! [`Purl::package`] applies each type's normalisation rules before encoding:
//! - `npm`: a scoped name `@scope/pkg` becomes namespace `@scope` (encoded `%40scope`), name `pkg`;
//! - `pypi`: names are lower-cased and runs of `-`, `_`, `.` become `-` (PEP 503);
//! - `golang`: the module path's last segment is the name, the rest the namespace, both kept
//!   as written: Go module paths are case-sensitive (`github.com/BurntSushi/toml`), and a purl
//!   that folded them would name another module than the one advisories list;
//! - `composer`: `vendor/package` splits into namespace and name, lower-cased;
//! - `maven`: `group:artifact` splits into namespace and name;
//! - `deb`, `apk`, `rpm`: the distro vendor (`debian`, `alpine`, …) is the namespace, set with
//!   [`Purl::namespace`]; the full version (with a Debian epoch `1:2.3-4`) is the version.
//!
//! Encoding (percent-escapes, sorted qualifiers) is done by the `packageurl` crate.
//!
//! ```
//! use vouch_purl::Purl;
//! assert_eq!(Purl::package("npm", "@babel/core", "7.0.0").to_string(), "pkg:npm/%40babel/core@7.0.0");
//! assert_eq!(Purl::package("pypi", "Django_REST.framework", "3.0").to_string(), "pkg:pypi/django-rest-framework@3.0");
//! let deb = Purl::package("deb", "libc6", "2.36-9+deb12u4")
//!     .namespace("debian")
//!     .qualifier("arch", "amd64")
//!     .qualifier("distro", "debian-12");
//! assert_eq!(deb.to_string(), "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
//! ```

use std::collections::BTreeMap;
use std::fmt;

/// A package URL under construction; [`fmt::Display`] gives the canonical string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

impl Purl {
    /// A purl for `name@version` of purl type `ty`, with the type's name normalisation applied.
    pub fn package(ty: &str, name: &str, version: &str) -> Self {
        let ty = ty.to_ascii_lowercase();
        let (namespace, name) = split_name(&ty, name);
        Self {
            ty,
            namespace,
            name,
            version: (!version.is_empty()).then(|| version.to_owned()),
            qualifiers: BTreeMap::new(),
            subpath: None,
        }
    }

    /// Sets the subpath (a path inside the package, `/`-separated); empty segments, `.` and
    /// `..` are dropped, as the spec requires.
    #[must_use]
    pub fn subpath(mut self, subpath: &str) -> Self {
        let clean: Vec<&str> = subpath
            .split('/')
            .filter(|s| !s.is_empty() && *s != "." && *s != "..")
            .collect();
        self.subpath = (!clean.is_empty()).then(|| clean.join("/"));
        self
    }

    #[must_use]
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = (!namespace.is_empty()).then(|| namespace.to_owned());
        self
    }

    /// Adds a qualifier; empty values are dropped, as the spec requires.
    #[must_use]
    pub fn qualifier(mut self, key: &str, value: &str) -> Self {
        if !value.is_empty() {
            self.qualifiers
                .insert(key.to_ascii_lowercase(), value.to_owned());
        }
        self
    }

    pub fn ty(&self) -> &str {
        &self.ty
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace (percent-decoded when parsed), if any.
    pub fn namespace_value(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Qualifiers, keys lower-cased, values percent-decoded.
    pub fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }

    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`, leniently: the type is
    /// lower-cased, the namespace, name, version and qualifier values are percent-decoded (an
    /// invalid escape or UTF-8 sequence is kept as written or replaced, never an error), the
    /// subpath is dropped and no type's normalisation rules are applied (the name is kept as
    /// written). A raw `@` is the version separator only after the last `/`.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let rest = s.trim().strip_prefix("pkg:").ok_or(ParseError::Scheme)?;
        let rest = rest.split('#').next().unwrap_or(rest);
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (path, version) = match rest.rsplit_once('@') {
            // `@` inside the path is an npm scope only when percent-encoded; a raw one after the
            // last `/` is the version separator.
            Some((p, v)) if !v.contains('/') => (p, Some(percent_decode(v))),
            _ => (rest, None),
        };
        let path = path.trim_matches('/');
        let (ty, rest) = path.split_once('/').ok_or(ParseError::Name)?;
        let (namespace, name) = match rest.rsplit_once('/') {
            Some((ns, n)) => (Some(percent_decode(ns)), percent_decode(n)),
            None => (None, percent_decode(rest)),
        };
        if ty.is_empty() || name.is_empty() {
            return Err(ParseError::Name);
        }
        let mut qualifiers = BTreeMap::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            if let Some((k, v)) = pair.split_once('=') {
                qualifiers.insert(k.to_ascii_lowercase(), percent_decode(v));
            }
        }
        Ok(Self {
            ty: ty.to_ascii_lowercase(),
            namespace,
            name,
            version,
            qualifiers,
            subpath: None,
        })
    }
}

impl std::str::FromStr for Purl {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Why a string is not a package URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("not a package URL: expected `pkg:` at the start")]
    Scheme,
    #[error("not a package URL: expected `pkg:type/name`, found no name")]
    Name,
}

/// Percent-decodes `s`; a `%` not followed by two hex digits is kept, invalid UTF-8 replaced.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn split_name(ty: &str, name: &str) -> (Option<String>, String) {
    match ty {
        "npm" => match name.strip_prefix('@').and_then(|rest| rest.split_once('/')) {
            Some((scope, pkg)) => (Some(format!("@{scope}")), pkg.to_owned()),
            None => (None, name.to_owned()),
        },
        "pypi" => (None, normalize_pypi(name)),
        "golang" | "github" | "githubactions" | "gitlab" | "bitbucket" | "composer" | "docker" => {
            let lowered;
            let name = if ty == "golang" {
                name
            } else {
                lowered = name.to_ascii_lowercase();
                &lowered
            };
            match name.rsplit_once('/') {
                Some((ns, n)) => (Some(ns.to_owned()), n.to_owned()),
                None => (None, name.to_owned()),
            }
        }
        "maven" => match name.split_once(':') {
            Some((group, artifact)) => (Some(group.to_owned()), artifact.to_owned()),
            None => (None, name.to_owned()),
        },
        _ => (None, name.to_owned()),
    }
}

/// PEP 503 name normalisation: lower case, runs of `-`, `_` and `.` collapsed to `-`.
pub fn normalize_pypi(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_sep = false;
        }
    }
    out
}

/// A purl type with no normalisation rules in `packageurl`, under which a golang purl is
/// encoded so that its namespace keeps its case (`packageurl` lower-cases golang namespaces).
const GOLANG_VERBATIM: &str = "golang-verbatim";

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ty == "golang" {
            let verbatim = Purl {
                ty: GOLANG_VERBATIM.to_owned(),
                ..self.clone()
            };
            if let Ok(p) = verbatim.to_package_url() {
                let text = p.to_string();
                let prefix = format!("pkg:{GOLANG_VERBATIM}/");
                if let Some(rest) = text.strip_prefix(&prefix) {
                    return write!(f, "pkg:golang/{rest}");
                }
            }
        }
        match self.to_package_url() {
            Ok(p) => p.fmt(f),
            // packageurl only rejects an empty name or a malformed type or qualifier key; keep
            // something readable rather than failing a whole SBOM on one odd package.
            Err(_) => write!(f, "pkg:{}/{}", self.ty, self.name),
        }
    }
}

impl Purl {
    fn to_package_url(&self) -> Result<packageurl::PackageUrl<'_>, packageurl::Error> {
        let mut p = packageurl::PackageUrl::new(self.ty.as_str(), self.name.as_str())?;
        if let Some(ns) = &self.namespace {
            p.with_namespace(ns.as_str())?;
        }
        if let Some(v) = &self.version {
            p.with_version(v.as_str())?;
        }
        for (k, v) in &self.qualifiers {
            p.add_qualifier(k.as_str(), v.as_str())?;
        }
        if let Some(subpath) = &self.subpath {
            p.with_subpath(subpath.as_str())?;
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems() {
        assert_eq!(
            Purl::package("cargo", "serde", "1.0.0").to_string(),
            "pkg:cargo/serde@1.0.0"
        );
        assert_eq!(
            Purl::package("golang", "github.com/pkg/errors", "v0.9.1").to_string(),
            "pkg:golang/github.com/pkg/errors@v0.9.1"
        );
        // Module paths are case-sensitive: never folded.
        assert_eq!(
            Purl::package("golang", "github.com/BurntSushi/toml", "v1.2.0").to_string(),
            "pkg:golang/github.com/BurntSushi/toml@v1.2.0"
        );
        assert_eq!(
            Purl::package("composer", "Laravel/Framework", "v10.0.0").to_string(),
            "pkg:composer/laravel/framework@v10.0.0"
        );
        assert_eq!(
            Purl::package("gem", "rails", "7.1.0").to_string(),
            "pkg:gem/rails@7.1.0"
        );
        assert_eq!(
            Purl::package("deb", "bash", "1:5.2-2")
                .namespace("debian")
                .to_string(),
            "pkg:deb/debian/bash@1:5.2-2"
        );
        assert_eq!(
            Purl::package("apk", "musl", "1.2.4-r2")
                .namespace("alpine")
                .qualifier("arch", "x86_64")
                .qualifier("distro", "3.18.4")
                .to_string(),
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4"
        );
        assert_eq!(normalize_pypi("Foo__Bar..baz"), "foo-bar-baz");
    }

    #[test]
    fn parse_splits_and_decodes() {
        let p = Purl::parse(" pkg:NPM/%40babel/core@7.0.0?Arch=x%2B1&flag#sub/path ").unwrap();
        assert_eq!(p.ty(), "npm");
        assert_eq!(p.namespace_value(), Some("@babel"));
        assert_eq!(p.name(), "core");
        assert_eq!(p.version(), Some("7.0.0"));
        assert_eq!(
            p.qualifiers(),
            &BTreeMap::from([("arch".to_owned(), "x+1".to_owned())])
        );
        let p: Purl = "pkg:golang/github.com/BurntSushi/toml".parse().unwrap();
        assert_eq!(p.namespace_value(), Some("github.com/BurntSushi"));
        assert_eq!(p.version(), None);
        // A raw `@` before the last `/` is not a version separator.
        let p = Purl::parse("pkg:npm/@scope/pkg").unwrap();
        assert_eq!(p.namespace_value(), Some("@scope"));
        assert_eq!(p.version(), None);
        assert_eq!(Purl::parse("pkg:cargo/%zz").unwrap().name(), "%zz");
        // Parsed purls compare like built ones.
        assert_eq!(
            Purl::parse("pkg:cargo/serde@1.0.0").unwrap(),
            Purl::package("cargo", "serde", "1.0.0")
        );
    }

    #[test]
    fn parse_refuses_what_is_not_a_purl() {
        assert_eq!(Purl::parse("npm/x@1"), Err(ParseError::Scheme));
        assert_eq!(Purl::parse("pkg:npm"), Err(ParseError::Name));
        assert_eq!(Purl::parse("pkg:/x"), Err(ParseError::Name));
        assert_eq!(Purl::parse("pkg:npm/"), Err(ParseError::Name));
        assert_eq!(Purl::parse("pkg:a//"), Err(ParseError::Name));
    }
}
