//! Container image references as policy inputs see them: [`vouch_oci::reference::Written`]
//! (the reference as written, split but never rejected) in the JSON shape Rego rules read.

use serde::Serialize;
use vouch_oci::reference::Written;

/// An image reference in policy input: `registry/repository:tag@sha256:digest`, as written.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImageInput {
    /// The reference as written.
    pub raw: String,
    /// Registry host, `docker.io` when none is written.
    pub registry: String,
    /// Repository path without registry (`library/python` for `python`).
    pub repository: String,
    /// Tag, if written (`None` for `python` or `python@sha256:…`).
    pub tag: Option<String>,
    /// Digest text after `@`, if written (well-formed or not; see `pinned`).
    pub digest: Option<String>,
    /// Whether a digest is present and well-formed (`sha256:` + 64 hex, `sha512:` + 128).
    pub pinned: bool,
    /// Whether the reference contains `$VAR`/`${VAR}` and cannot be judged statically.
    pub has_variable: bool,
    /// `scratch` is not an image.
    pub scratch: bool,
}

impl ImageInput {
    pub fn parse(raw: &str) -> Self {
        let written = Written::parse(raw);
        Self {
            raw: raw.to_owned(),
            registry: written.registry().to_owned(),
            repository: written.repository(),
            tag: written.tag().map(str::to_owned),
            digest: written.digest_text().map(str::to_owned),
            pinned: written.digest().is_some(),
            has_variable: written.has_variable(),
            scratch: written.is_scratch(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = ImageInput::parse("python");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag),
            ("docker.io", "library/python", None)
        );
        let r = ImageInput::parse("localhost:5000/a/b:1.2");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("localhost:5000", "a/b", Some("1.2"))
        );
        let d = format!("ghcr.io/x/y:1@sha256:{}", "a".repeat(64));
        assert!(ImageInput::parse(&d).pinned);
        assert!(!ImageInput::parse("x@sha256:abc").pinned);
    }

    #[test]
    fn json_shape_is_what_rules_read() {
        let r = ImageInput::parse(" $REG/app:1@sha256:00 ");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({
                "raw": " $REG/app:1@sha256:00 ",
                "registry": "docker.io",
                "repository": "$REG/app",
                "tag": "1",
                "digest": "sha256:00",
                "pinned": false,
                "has_variable": true,
                "scratch": false,
            })
        );
    }
}
