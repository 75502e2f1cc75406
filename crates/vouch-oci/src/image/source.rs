//! Where an image comes from, in Syft's scheme: `oci-dir:PATH[:TAG|@DIGEST]`,
//! `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:TAG]`, `registry:HOST/REPO:TAG|@DIGEST`, or a
//! bare path that [`detect`] recognises.

use std::fmt;
use std::path::{Path, PathBuf};

use vouch_digest::Digest;

use crate::reference::Reference;

/// Which image of a layout or archive: by tag (`org.opencontainers.image.ref.name`, or a
/// docker-archive `RepoTags` entry) or by manifest digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Tag(String),
    Digest(Digest),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tag(t) => write!(f, ":{t}"),
            Self::Digest(d) => write!(f, "@{d}"),
        }
    }
}

/// An image source as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/`).
    OciDir {
        path: PathBuf,
        selector: Option<Selector>,
    },
    /// An OCI image layout in a tar file.
    OciArchive {
        path: PathBuf,
        selector: Option<Selector>,
    },
    /// A `docker save` / `podman save` tar file (legacy layout, or Docker 25's OCI layout with a
    /// `manifest.json` beside it).
    DockerArchive {
        path: PathBuf,
        selector: Option<Selector>,
    },
    /// An image in a registry, asked through the OCI distribution API.
    Registry { reference: Reference },
}

impl Source {
    /// The scheme word of this source (`oci-dir`, …).
    pub fn scheme(&self) -> &'static str {
        match self {
            Self::OciDir { .. } => "oci-dir",
            Self::OciArchive { .. } => "oci-archive",
            Self::DockerArchive { .. } => "docker-archive",
            Self::Registry { .. } => "registry",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Registry { reference } => write!(f, "registry:{reference}"),
            Self::OciDir { path, selector }
            | Self::OciArchive { path, selector }
            | Self::DockerArchive { path, selector } => {
                write!(f, "{}:{}", self.scheme(), path.display())?;
                if let Some(s) = selector {
                    write!(f, "{s}")?;
                }
                Ok(())
            }
        }
    }
}

/// Why an image source argument was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("`{input}`: {reason}")]
    Invalid { input: String, reason: String },
}

/// The schemes [`parse`] knows.
pub const SCHEMES: [&str; 4] = ["oci-dir", "oci-archive", "docker-archive", "registry"];

/// Parses `SCHEME:REST`. `None` when `arg` does not start with one of [`SCHEMES`] (the caller
/// then treats it as a path, see [`detect`]).
pub fn parse(arg: &str) -> Option<Result<Source, SourceError>> {
    let (scheme, rest) = arg.split_once(':')?;
    if !SCHEMES.contains(&scheme) {
        return None;
    }
    let invalid = |reason: &str| SourceError::Invalid {
        input: arg.to_owned(),
        reason: reason.to_owned(),
    };
    if rest.is_empty() {
        return Some(Err(invalid("nothing after the scheme")));
    }
    if scheme == "registry" {
        return Some(
            Reference::parse(rest)
                .map(|reference| Source::Registry { reference })
                .map_err(|e| invalid(&e.to_string())),
        );
    }
    let (path, selector) = match split_selector(rest) {
        Ok(v) => v,
        Err(reason) => return Some(Err(invalid(&reason))),
    };
    Some(Ok(match scheme {
        "oci-dir" => Source::OciDir { path, selector },
        "oci-archive" => Source::OciArchive { path, selector },
        _ => Source::DockerArchive { path, selector },
    }))
}

/// `PATH`, `PATH:TAG` or `PATH@sha256:…`. A `:` is a tag separator only when what follows has
/// no `/` (so `./dir:with:colons/img` stays a path) and the path before it exists or the tag
/// is a valid tag.
fn split_selector(rest: &str) -> Result<(PathBuf, Option<Selector>), String> {
    if let Some(at) = rest.rfind("@sha256:").or_else(|| rest.rfind("@sha512:")) {
        let digest: Digest = rest[at + 1..]
            .parse()
            .map_err(|e: vouch_digest::ParseError| e.to_string())?;
        return Ok((PathBuf::from(&rest[..at]), Some(Selector::Digest(digest))));
    }
    if Path::new(rest).exists() {
        return Ok((PathBuf::from(rest), None));
    }
    if let Some(colon) = rest.rfind(':') {
        let (path, tag) = (&rest[..colon], &rest[colon + 1..]);
        if !tag.contains('/') && !path.is_empty() {
            crate::reference::check_tag(tag)
                .map_err(|r| format!("`{tag}` is not a valid tag: {r}"))?;
            return Ok((PathBuf::from(path), Some(Selector::Tag(tag.to_owned()))));
        }
    }
    Ok((PathBuf::from(rest), None))
}

/// What a bare path holds, when it is an image: a directory with an `oci-layout` file is an
/// OCI layout; a tar file holding `oci-layout` is an OCI archive, and one holding
/// `manifest.json` a docker archive (Docker 25 writes both: the docker archive reading is
/// used, which reads its OCI index when there is one). `None` for anything else.
pub fn detect(path: &Path) -> Option<Source> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        return path.join("oci-layout").is_file().then(|| Source::OciDir {
            path: path.to_owned(),
            selector: None,
        });
    }
    if !meta.is_file() {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut archive = tar::Archive::new(file);
    let mut layout = false;
    // Look at the entries' names only (at most 10,000), seeking over their content: `docker
    // save` writes `manifest.json` last, after every layer.
    for entry in archive.entries_with_seek().ok()?.take(10_000) {
        let entry = entry.ok()?;
        let name = entry
            .path()
            .ok()?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_owned();
        match name.as_str() {
            "manifest.json" => {
                return Some(Source::DockerArchive {
                    path: path.to_owned(),
                    selector: None,
                });
            }
            "oci-layout" => layout = true,
            _ => {}
        }
    }
    layout.then(|| Source::OciArchive {
        path: path.to_owned(),
        selector: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_selectors() {
        assert_eq!(
            parse("oci-dir:img:v1").unwrap().unwrap(),
            Source::OciDir {
                path: "img".into(),
                selector: Some(Selector::Tag("v1".into()))
            }
        );
        let d = "sha256:".to_owned() + &"a".repeat(64);
        assert_eq!(
            parse(&format!("oci-archive:x.tar@{d}")).unwrap().unwrap(),
            Source::OciArchive {
                path: "x.tar".into(),
                selector: Some(Selector::Digest(d.parse().unwrap()))
            }
        );
        assert_eq!(
            parse("docker-archive:a/b.tar").unwrap().unwrap(),
            Source::DockerArchive {
                path: "a/b.tar".into(),
                selector: None
            }
        );
        assert!(matches!(
            parse("registry:127.0.0.1:5000/a/b:1").unwrap().unwrap(),
            Source::Registry { .. }
        ));
        assert!(parse("./some/dir").is_none());
        assert!(parse("dir:x").is_none());
        let err = parse("oci-dir:").unwrap().unwrap_err();
        assert_eq!(err.to_string(), "`oci-dir:`: nothing after the scheme");
        let err = parse("oci-dir:img:bad tag").unwrap().unwrap_err();
        assert!(
            err.to_string().contains("`bad tag` is not a valid tag"),
            "{err}"
        );
    }
}
