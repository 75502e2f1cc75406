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
        }
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
}

fn split_name(ty: &str, name: &str) -> (Option<String>, String) {
    match ty {
        "npm" => match name.strip_prefix('@').and_then(|rest| rest.split_once('/')) {
            Some((scope, pkg)) => (Some(format!("@{scope}")), pkg.to_owned()),
            None => (None, name.to_owned()),
        },
        "pypi" => (None, normalize_pypi(name)),
        "golang" | "github" | "gitlab" | "bitbucket" | "composer" => {
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
}
