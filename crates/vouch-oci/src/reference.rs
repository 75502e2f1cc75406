//! Image references, parsed once.
//!
//! Two views of the same text:
//!
//! - [`Reference`]: the strict, normalised form `registry/repository[:tag][@digest]`. Docker's
//!   normalisation: no registry means `docker.io` (`index.docker.io`, `registry-1.docker.io`
//!   and `registry.hub.docker.com` are Docker Hub too), and a single-component Docker Hub name
//!   lives under `library/`. The first path component is a registry when it holds a `.` or a
//!   `:` (a port) or is `localhost`. The repository follows the distribution spec grammar
//!   (lower case), the tag is after the last `:` that follows the last `/`, and the digest,
//!   after `@`, is a [`Digest`] (`sha256:` or `sha512:` and full-length hex).
//! - [`Written`]: the reference as a file holds it, never rejected: the text, the byte span of
//!   the reference inside it (surrounding white space excluded) and of its name, tag and digest,
//!   whether it holds a variable, whether it is `scratch`. Policy rules judge this view (an
//!   upper-case or variable-holding reference is a finding, not an error), and `vouch pin`
//!   rewrites through its spans.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use vouch_digest::Digest;

/// Docker Hub as written in references.
pub const DOCKER_HUB: &str = "docker.io";

/// Host names that are Docker Hub too.
const DOCKER_HUB_ALIASES: [&str; 3] = [
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// The distribution spec's limit on `registry/repository`.
const NAME_MAX: usize = 255;
/// The distribution spec's limit on a tag.
const TAG_MAX: usize = 128;

/// Why a reference (or a part of one) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Reason {
    #[error("empty")]
    Empty,
    #[error("holds a variable (`$`) that was not substituted")]
    Variable,
    #[error("has white space around it")]
    Whitespace,
    #[error("contains a digest (`@`); pass the name only")]
    UnexpectedDigest,
    #[error("contains a tag (`:`); pass the name only")]
    UnexpectedTag,
    #[error("bad registry host")]
    Registry,
    #[error("empty path component")]
    EmptyComponent,
    #[error("path components may hold only lowercase letters, digits, `.`, `_` and `-`")]
    Character,
    #[error("path components must start and end with a letter or digit")]
    ComponentEdge,
    #[error(
        "path components separate letters and digits with one `.`, one or two `_`, or any number of `-`"
    )]
    Separator,
    #[error("the name is {found} characters long; at most {NAME_MAX} are allowed")]
    NameTooLong { found: usize },
    #[error("a tag is 1 to 128 letters, digits, `_`, `.` or `-`, not starting with `.` or `-`")]
    Tag,
    #[error("digest `{found}` is not `sha256:` or `sha512:` followed by hex")]
    DigestAlgorithm { found: String },
    #[error("bad digest: {0}")]
    Digest(vouch_digest::ParseError),
}

/// A reference that could not be parsed: the input as given and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid image reference `{input}`: {reason}")]
pub struct ParseError {
    pub input: String,
    pub reason: Reason,
}

impl ParseError {
    fn new(input: &str, reason: Reason) -> Self {
        ParseError {
            input: input.to_owned(),
            reason,
        }
    }
}

/// An image repository on a registry, normalised the way Docker does it:
/// `docker.io/library/python`, `ghcr.io/acme/api`, `127.0.0.1:5000/team/app`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    /// `docker.io`, `ghcr.io`, `127.0.0.1:5000`: the host as written (Docker Hub's aliases
    /// normalised to `docker.io`).
    pub registry: String,
    /// `library/python`, `team/app`.
    pub repository: String,
}

impl Name {
    /// Parses a reference without tag or digest (`python`, `ghcr.io/acme/api`,
    /// `127.0.0.1:5000/team/app`), applying Docker Hub's defaults.
    pub fn parse(name: &str) -> Result<Self, ParseError> {
        parse_name(name).map_err(|reason| ParseError::new(name, reason))
    }
}

impl FromStr for Name {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Name::parse(s)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)
    }
}

/// A strict, normalised image reference: `registry/repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    pub name: Name,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl Reference {
    /// Parses `name[:tag][@digest]` (surrounding white space is not allowed).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let err = |reason| ParseError::new(text, reason);
        if text.is_empty() {
            return Err(err(Reason::Empty));
        }
        if text.contains('$') {
            return Err(err(Reason::Variable));
        }
        let w = Written::parse(text);
        if w.span() != (0..text.len()) {
            return Err(err(Reason::Whitespace));
        }
        let digest = w.digest_text().map(parse_digest).transpose().map_err(err)?;
        if let Some(tag) = w.tag() {
            check_tag(tag).map_err(err)?;
        }
        let name = parse_name(w.name()).map_err(err)?;
        Ok(Reference {
            name,
            tag: w.tag().map(str::to_owned),
            digest,
        })
    }
}

impl FromStr for Reference {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// A reference as written in a file, split but never rejected. Ranges index [`Written::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    text: String,
    span: Range<usize>,
    name: Range<usize>,
    tag: Option<Range<usize>>,
    digest: Option<Range<usize>>,
}

impl Written {
    /// Splits `text`: white space around the reference is outside [`span`](Self::span); the
    /// digest is what follows the first `@`; the tag is what follows the last `:` after the last
    /// `/` before it.
    pub fn parse(text: &str) -> Self {
        let start = text.len() - text.trim_start().len();
        let end = start + text[start..].trim_end().len();
        let trimmed = &text[start..end];
        let (name_tag_len, digest) = match trimmed.find('@') {
            Some(at) => (at, Some(start + at + 1..end)),
            None => (trimmed.len(), None),
        };
        let name_tag = &trimmed[..name_tag_len];
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (
                start..start + last_slash + i,
                Some(start + last_slash + i + 1..start + name_tag_len),
            ),
            None => (start..start + name_tag_len, None),
        };
        Written {
            text: text.to_owned(),
            span: start..end,
            name,
            tag,
            digest,
        }
    }

    /// The text as given, white space included.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the reference sits in [`text`](Self::text) (white space around it excluded).
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The reference without the white space around it.
    pub fn as_str(&self) -> &str {
        &self.text[self.span.clone()]
    }

    /// Registry and repository as written, without tag or digest (`python`, `ghcr.io/a/b`).
    pub fn name(&self) -> &str {
        &self.text[self.name.clone()]
    }

    /// Where the name sits in [`text`](Self::text).
    pub fn name_span(&self) -> Range<usize> {
        self.name.clone()
    }

    /// The tag as written (possibly empty, as in `python:`), if there is a `:` for one.
    pub fn tag(&self) -> Option<&str> {
        self.tag.clone().map(|r| &self.text[r])
    }

    /// Where the tag sits in [`text`](Self::text).
    pub fn tag_span(&self) -> Option<Range<usize>> {
        self.tag.clone()
    }

    /// What follows `@`, as written, well-formed or not.
    pub fn digest_text(&self) -> Option<&str> {
        self.digest.clone().map(|r| &self.text[r])
    }

    /// Where the digest sits in [`text`](Self::text).
    pub fn digest_span(&self) -> Option<Range<usize>> {
        self.digest.clone()
    }

    /// The digest, when one is written and well-formed (`sha256:` + 64 hex, `sha512:` + 128).
    pub fn digest(&self) -> Option<Digest> {
        self.digest_text().and_then(|d| parse_digest(d).ok())
    }

    /// The registry as written, `docker.io` when the first component is not a host
    /// (no `.`, no `:`, not `localhost`). Aliases of Docker Hub are kept as written.
    pub fn registry(&self) -> &str {
        match self.name().split_once('/') {
            Some((first, _)) if is_host(first) => first,
            _ => DOCKER_HUB,
        }
    }

    /// The repository as written without the registry; a single component (no registry
    /// written) gets Docker Hub's `library/`.
    pub fn repository(&self) -> String {
        let name = self.name();
        match name.split_once('/') {
            Some((first, rest)) if is_host(first) => rest.to_owned(),
            Some(_) => name.to_owned(),
            None => format!("library/{name}"),
        }
    }

    /// Whether the reference holds `$VAR` or `${VAR}` and cannot be judged as written.
    pub fn has_variable(&self) -> bool {
        self.as_str().contains('$')
    }

    /// `scratch`: Docker's empty base, not an image.
    pub fn is_scratch(&self) -> bool {
        self.as_str() == "scratch"
    }

    /// The strict form of what was written.
    pub fn to_reference(&self) -> Result<Reference, ParseError> {
        Reference::parse(self.as_str())
    }
}

/// An image digest: `sha256:` + 64 hex or `sha512:` + 128 hex (the algorithm in lower case).
pub fn parse_digest(text: &str) -> Result<Digest, Reason> {
    if !(text.starts_with("sha256:") || text.starts_with("sha512:")) {
        return Err(Reason::DigestAlgorithm {
            found: text.to_owned(),
        });
    }
    text.parse().map_err(Reason::Digest)
}

/// A tag by the distribution grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub fn check_tag(tag: &str) -> Result<(), Reason> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let valid = tag.len() <= TAG_MAX
        && tag.chars().next().is_some_and(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-');
    if valid { Ok(()) } else { Err(Reason::Tag) }
}

fn is_host(component: &str) -> bool {
    component.contains('.') || component.contains(':') || component == "localhost"
}

fn parse_name(name: &str) -> Result<Name, Reason> {
    if name.is_empty() {
        return Err(Reason::Empty);
    }
    if name.contains('@') {
        return Err(Reason::UnexpectedDigest);
    }
    let (registry, path) = match name.split_once('/') {
        Some((first, rest)) if is_host(first) => (first, rest),
        _ => (DOCKER_HUB, name),
    };
    if registry.is_empty() || registry.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(Reason::Registry);
    }
    if path.contains(':') {
        return Err(Reason::UnexpectedTag);
    }
    for component in path.split('/') {
        check_component(component)?;
    }
    let registry = if DOCKER_HUB_ALIASES.contains(&registry) {
        DOCKER_HUB
    } else {
        registry
    };
    let repository = if registry == DOCKER_HUB && !path.contains('/') {
        format!("library/{path}")
    } else {
        path.to_owned()
    };
    let length = registry.len() + 1 + repository.len();
    if length > NAME_MAX {
        return Err(Reason::NameTooLong { found: length });
    }
    Ok(Name {
        registry: registry.to_owned(),
        repository,
    })
}

/// One path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn check_component(component: &str) -> Result<(), Reason> {
    if component.is_empty() {
        return Err(Reason::EmptyComponent);
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !component
        .bytes()
        .all(|b| alnum(b) || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(Reason::Character);
    }
    let bytes = component.as_bytes();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return Err(Reason::ComponentEdge);
    }
    for separator in component.split(|c: char| c.is_ascii_alphanumeric()) {
        let ok = separator.is_empty()
            || separator == "."
            || separator == "_"
            || separator == "__"
            || separator.bytes().all(|b| b == b'-');
        if !ok {
            return Err(Reason::Separator);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> (String, String) {
        let n = Name::parse(s).unwrap();
        (n.registry, n.repository)
    }

    fn reason(s: &str) -> Reason {
        Reference::parse(s).unwrap_err().reason
    }

    fn hex(n: usize) -> String {
        "a".repeat(n)
    }

    #[test]
    fn docker_hub_defaults() {
        assert_eq!(
            name("python"),
            ("docker.io".into(), "library/python".into())
        );
        assert_eq!(
            name("bitnami/redis"),
            ("docker.io".into(), "bitnami/redis".into())
        );
        assert_eq!(
            name("docker.io/python"),
            ("docker.io".into(), "library/python".into())
        );
        assert_eq!(
            name("index.docker.io/library/python"),
            ("docker.io".into(), "library/python".into())
        );
        assert_eq!(
            name("registry-1.docker.io/python"),
            ("docker.io".into(), "library/python".into())
        );
        assert_eq!(
            name("ghcr.io/acme/api"),
            ("ghcr.io".into(), "acme/api".into())
        );
        let r: Reference = "python".parse().unwrap();
        assert_eq!(r.to_string(), "docker.io/library/python");
    }

    #[test]
    fn ports_and_localhost() {
        assert_eq!(
            name("127.0.0.1:5000/team/app"),
            ("127.0.0.1:5000".into(), "team/app".into())
        );
        assert_eq!(name("localhost/app"), ("localhost".into(), "app".into()));
        let r: Reference = "localhost:5000/a/b:1.2".parse().unwrap();
        assert_eq!(r.name.registry, "localhost:5000");
        assert_eq!(r.name.repository, "a/b");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        // A port is not a tag: the tag is after the last `/`.
        let r: Reference = "localhost:5000/a".parse().unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.to_string(), "localhost:5000/a");
    }

    #[test]
    fn tag_and_digest() {
        let text = format!("ghcr.io/x/y:1@sha256:{}", hex(64));
        let r: Reference = text.parse().unwrap();
        assert_eq!(r.tag.as_deref(), Some("1"));
        assert_eq!(
            r.digest,
            Some(format!("sha256:{}", hex(64)).parse().unwrap())
        );
        assert_eq!(r.to_string(), text);
        let upper = format!("python@sha256:{}", "A".repeat(64));
        let r: Reference = upper.parse().unwrap();
        assert_eq!(
            r.to_string(),
            format!("docker.io/library/python@sha256:{}", hex(64))
        );
        let r: Reference = format!("python@sha512:{}", hex(128)).parse().unwrap();
        assert!(r.tag.is_none());
        assert_eq!(r.digest.unwrap().hex().len(), 128);
    }

    #[test]
    fn invalid_digests() {
        assert!(matches!(
            reason("x@sha256:abc"),
            Reason::Digest(vouch_digest::ParseError::WrongLength { .. })
        ));
        assert!(matches!(
            reason(&format!("x@sha256:{}", "g".repeat(64))),
            Reason::Digest(vouch_digest::ParseError::NotHex { .. })
        ));
        for bad in [
            format!("x@sha384:{}", hex(96)),
            format!("x@SHA256:{}", hex(64)),
            "x@latest".to_owned(),
            "x@".to_owned(),
        ] {
            assert!(
                matches!(reason(&bad), Reason::DigestAlgorithm { .. }),
                "{bad}"
            );
        }
        assert!(Written::parse("x@sha256:00").digest().is_none());
        assert_eq!(
            Written::parse("x@sha256:00").digest_text(),
            Some("sha256:00")
        );
    }

    #[test]
    fn upper_case_repository_refused() {
        let err = Name::parse("Team/App").unwrap_err();
        assert_eq!(err.reason, Reason::Character);
        assert_eq!(
            err.to_string(),
            "invalid image reference `Team/App`: path components may hold only lowercase letters, digits, `.`, `_` and `-`"
        );
        assert_eq!(reason("ghcr.io/Acme/api:1"), Reason::Character);
        // The registry host is not a path component.
        assert!(Reference::parse("GHCR.io/acme/api").is_ok());
    }

    #[test]
    fn names_refused() {
        for (bad, why) in [
            ("", Reason::Empty),
            ("Python", Reason::Character),
            ("python:3", Reason::UnexpectedTag),
            ("python@sha256:00", Reason::UnexpectedDigest),
            ("a//b", Reason::EmptyComponent),
            ("-a", Reason::ComponentEdge),
            ("ghcr.io/", Reason::EmptyComponent),
            ("a b", Reason::Character),
            ("a..b", Reason::Separator),
            ("a___b", Reason::Separator),
            ("a._b", Reason::Separator),
        ] {
            assert_eq!(Name::parse(bad).unwrap_err().reason, why, "{bad}");
        }
        for good in ["a.b", "a_b", "a__b", "a---b", "a-b.c_d"] {
            assert!(Name::parse(good).is_ok(), "{good}");
        }
        let long = format!("ghcr.io/{}", "a".repeat(250));
        assert!(matches!(
            Name::parse(&long).unwrap_err().reason,
            Reason::NameTooLong { found: 258 }
        ));
    }

    #[test]
    fn tags() {
        assert!(check_tag("1.2.3-slim_x").is_ok());
        assert!(check_tag(&"a".repeat(128)).is_ok());
        for bad in ["", ".x", "-x", "a/b", "a@b", "a:b", &"a".repeat(129)] {
            assert_eq!(check_tag(bad), Err(Reason::Tag), "{bad}");
        }
        assert_eq!(reason("python:"), Reason::Tag);
        assert_eq!(reason("python:-1"), Reason::Tag);
    }

    #[test]
    fn variables() {
        let w = Written::parse("$CI_REGISTRY_IMAGE:latest");
        assert!(w.has_variable());
        assert_eq!(w.tag(), Some("latest"));
        assert_eq!(reason("${IMAGE}"), Reason::Variable);
        assert_eq!(reason(" python"), Reason::Whitespace);
        assert!(!Written::parse("python:3").has_variable());
    }

    #[test]
    fn written_spans() {
        let text = format!("  ghcr.io/a/b:1.2@sha256:{}\n", hex(64));
        let w = Written::parse(&text);
        assert_eq!(w.as_str(), text.trim());
        assert_eq!(&text[w.name_span()], "ghcr.io/a/b");
        assert_eq!(&text[w.tag_span().unwrap()], "1.2");
        assert_eq!(
            &text[w.digest_span().unwrap()],
            format!("sha256:{}", hex(64))
        );
        assert_eq!(w.text(), text);
        assert!(w.digest().is_some());
        assert_eq!(w.to_reference().unwrap().tag.as_deref(), Some("1.2"));
        let w = Written::parse("   ");
        assert_eq!((w.span(), w.name()), (3..3, ""));
        // A tag-like `:` before the last `/` is a port.
        let w = Written::parse("localhost:5000/x");
        assert_eq!((w.name(), w.tag()), ("localhost:5000/x", None));
        assert_eq!(Written::parse("python:").tag(), Some(""));
    }

    #[test]
    fn written_registry_and_repository() {
        let w = Written::parse("python");
        assert_eq!(
            (w.registry(), w.repository().as_str()),
            ("docker.io", "library/python")
        );
        let w = Written::parse("localhost:5000/a/b:1.2");
        assert_eq!(
            (w.registry(), w.repository().as_str(), w.tag()),
            ("localhost:5000", "a/b", Some("1.2"))
        );
        let w = Written::parse("bitnami/redis");
        assert_eq!(
            (w.registry(), w.repository().as_str()),
            ("docker.io", "bitnami/redis")
        );
        // As written: an explicit Docker Hub host is kept, and no `library/` is added.
        let w = Written::parse("docker.io/python");
        assert_eq!(
            (w.registry(), w.repository().as_str()),
            ("docker.io", "python")
        );
        assert!(Written::parse(" scratch ").is_scratch());
        assert!(!Written::parse("scratchy").is_scratch());
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "@",
            ":",
            "/",
            "@@",
            "a@b@c",
            "é:ü@ß",
            "/:@",
            "\u{202e}x:y",
            "x:@",
        ] {
            let w = Written::parse(text);
            let _ = (
                w.name(),
                w.tag(),
                w.digest_text(),
                w.registry(),
                w.repository(),
            );
            let _ = Reference::parse(text);
        }
    }
}
