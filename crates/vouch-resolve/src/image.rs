//! Image names: the distribution reference grammar and Docker Hub's defaults.

use crate::{ImageName, ResolveError};

/// Docker Hub as written in references.
pub(crate) const DOCKER_HUB: &str = "docker.io";

pub(crate) fn parse(name: &str) -> Result<ImageName, ResolveError> {
    let invalid = |reason: &str| ResolveError::InvalidImage {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if name.is_empty() {
        return Err(invalid("empty"));
    }
    if name.contains('@') {
        return Err(invalid("contains a digest (`@`); pass the name only"));
    }
    let (registry, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first, rest)
        }
        _ => (DOCKER_HUB, name),
    };
    if registry.is_empty() || registry.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(invalid("bad registry host"));
    }
    if path.contains(':') {
        return Err(invalid("contains a tag (`:`); pass the name only"));
    }
    for component in path.split('/') {
        if component.is_empty() {
            return Err(invalid("empty path component"));
        }
        if !component
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(invalid(
                "path components may hold only lowercase letters, digits, `.`, `_` and `-`",
            ));
        }
        let starts = component
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let ends = component
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if !starts || !ends {
            return Err(invalid(
                "path components must start and end with a letter or digit",
            ));
        }
    }
    let registry = match registry {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => DOCKER_HUB,
        other => other,
    };
    let repository = if registry == DOCKER_HUB && !path.contains('/') {
        format!("library/{path}")
    } else {
        path.to_owned()
    };
    Ok(ImageName {
        registry: registry.to_owned(),
        repository,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (String, String) {
        let n = parse(s).unwrap();
        (n.registry, n.repository)
    }

    #[test]
    fn defaults() {
        assert_eq!(ok("python"), ("docker.io".into(), "library/python".into()));
        assert_eq!(
            ok("bitnami/redis"),
            ("docker.io".into(), "bitnami/redis".into())
        );
        assert_eq!(
            ok("docker.io/python"),
            ("docker.io".into(), "library/python".into())
        );
        assert_eq!(
            ok("index.docker.io/library/python"),
            ("docker.io".into(), "library/python".into())
        );
        assert_eq!(
            ok("ghcr.io/acme/api"),
            ("ghcr.io".into(), "acme/api".into())
        );
        assert_eq!(
            ok("127.0.0.1:5000/team/app"),
            ("127.0.0.1:5000".into(), "team/app".into())
        );
        assert_eq!(ok("localhost/app"), ("localhost".into(), "app".into()));
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "Python",
            "python:3",
            "python@sha256:00",
            "a//b",
            "-a",
            "ghcr.io/",
            "a b",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.code(), "image-name-invalid", "{bad}");
        }
    }
}
