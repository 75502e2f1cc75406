//! Container image references as policy inputs see them.

use serde::Serialize;

/// A parsed image reference: `registry/repository:tag@sha256:digest`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImageRef {
    /// The reference as written.
    pub raw: String,
    /// Registry host, `docker.io` when none is written.
    pub registry: String,
    /// Repository path without registry (`library/python` for `python`).
    pub repository: String,
    /// Tag, if written (`None` for `python` or `python@sha256:…`).
    pub tag: Option<String>,
    /// Digest, if written and well-formed (`sha256:` + 64 hex).
    pub digest: Option<String>,
    /// Whether a digest is present and well-formed.
    pub pinned: bool,
    /// Whether the reference contains `$VAR`/`${VAR}` and cannot be judged statically.
    pub has_variable: bool,
    /// `scratch` is not an image.
    pub scratch: bool,
}

impl ImageRef {
    pub fn parse(raw: &str) -> Self {
        let raw_t = raw.trim();
        let has_variable = raw_t.contains('$');
        let (name_tag, digest) = match raw_t.split_once('@') {
            Some((n, d)) => (n, Some(d.to_owned())),
            None => (raw_t, None),
        };
        let pinned = digest.as_deref().is_some_and(is_digest);
        // A tag is after the last ':' that follows the last '/'.
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (
                &name_tag[..last_slash + i],
                Some(name_tag[last_slash + i + 1..].to_owned()),
            ),
            None => (name_tag, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_owned(), rest.to_owned())
            }
            Some(_) => ("docker.io".to_owned(), name.to_owned()),
            None => ("docker.io".to_owned(), format!("library/{name}")),
        };
        Self {
            raw: raw.to_owned(),
            registry,
            repository,
            tag,
            digest,
            pinned,
            has_variable,
            scratch: raw_t == "scratch",
        }
    }
}

fn is_digest(d: &str) -> bool {
    let hex_ok = |h: &str, n: usize| h.len() == n && h.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(h) = d.strip_prefix("sha256:") {
        hex_ok(h, 64)
    } else if let Some(h) = d.strip_prefix("sha512:") {
        hex_ok(h, 128)
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("python");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag),
            ("docker.io", "library/python", None)
        );
        let r = ImageRef::parse("localhost:5000/a/b:1.2");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("localhost:5000", "a/b", Some("1.2"))
        );
        let d = format!("ghcr.io/x/y:1@sha256:{}", "a".repeat(64));
        assert!(ImageRef::parse(&d).pinned);
        assert!(!ImageRef::parse("x@sha256:abc").pinned);
    }
}
