//! Discovery: file bytes → the references in them, each with its exact span.
//!
//! Pure functions (bytes in, [`Reference`]s out); they never panic on any input and are fuzzed
//! (`crates/vouch-pin/fuzz`).

mod dockerfile;
mod yaml;

use vouch_oci::reference::Written;

use crate::reference::{FileKind, ImageTarget, Reference, Target};

/// Files larger than this are not read for discovery.
pub const MAX_FILE_SIZE: usize = 8 * 1024 * 1024;

/// Why a file's references could not be discovered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    #[error("file is not valid UTF-8 (byte {offset})")]
    NotUtf8 { offset: usize },
    /// `size` is at least the number of bytes read (a read stops one byte past the limit).
    #[error("file is over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("malformed YAML: {message}")]
    Yaml { message: String },
    #[error("malformed Dockerfile{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Dockerfile { line: Option<u32>, message: String },
}

impl DiscoverError {
    /// Stable diagnostic code (`docs/rules/<code>.md`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotUtf8 { .. } | Self::TooLarge { .. } => "pin-unreadable-file",
            Self::Yaml { .. } | Self::Dockerfile { .. } => "pin-malformed-file",
        }
    }
}

/// The kind of file at `rel_path` (`/`-separated, relative to the root), from its name and, for
/// generic YAML names, its first bytes: [`vouch_filekind::config`], seen as the kinds pin reads
/// (Kubernetes only as YAML). Helm templates are not read (they are Go templates, not YAML:
/// their images come from the chart's values, which are); `Chart.yaml` holds no image.
pub fn detect(rel_path: &str, head: &[u8]) -> Option<FileKind> {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    use vouch_filekind::FileKind as K;
    match vouch_filekind::config(rel_path, head)? {
        K::PreCommit => Some(FileKind::PreCommit),
        K::Dockerfile => Some(FileKind::Dockerfile),
        K::GitlabCi => Some(FileKind::GitlabCi),
        K::GithubWorkflow => Some(FileKind::GithubWorkflow),
        K::GithubAction => Some(FileKind::GithubAction),
        K::Kubernetes if is_yaml(name) => Some(FileKind::Kubernetes),
        K::Compose => Some(FileKind::Compose),
        K::HelmValues => Some(FileKind::HelmValues),
        K::Kustomization if is_yaml(name) || name == "Kustomization" => {
            Some(FileKind::Kustomization)
        }
        _ => None,
    }
}

/// A `.yml` or `.yaml` name (any case).
pub(crate) fn is_yaml(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.ends_with(".yml") || l.ends_with(".yaml")
}

/// Every reference in `bytes`, a file of `kind`, in file order.
pub fn discover(kind: FileKind, bytes: &[u8]) -> Result<Vec<Reference>, DiscoverError> {
    if bytes.len() > MAX_FILE_SIZE {
        return Err(DiscoverError::TooLarge {
            size: bytes.len(),
            limit: MAX_FILE_SIZE,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| DiscoverError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut refs = match kind {
        FileKind::Dockerfile => dockerfile::discover(text)?,
        FileKind::GitlabCi => yaml::gitlab(text)?,
        FileKind::GithubWorkflow => yaml::workflow(text)?,
        FileKind::GithubAction => yaml::action(text)?,
        FileKind::Kubernetes => yaml::kubernetes(text)?,
        FileKind::Compose => yaml::compose(text)?,
        FileKind::PreCommit => yaml::pre_commit(text)?,
        FileKind::HelmValues => yaml::helm_values(text)?,
        FileKind::Kustomization => yaml::kustomization(text)?,
    };
    // A value merged in through a YAML anchor (`<<: *defaults`) has no text of its own at the
    // merging key; the anchor's own occurrence carries the span, and pinning it pins every copy.
    let located: Vec<Target> = refs
        .iter()
        .filter(|r| r.span.is_some())
        .map(|r| r.target.clone())
        .collect();
    refs.retain(|r| r.span.is_some() || !located.contains(&r.target));
    refs.sort_by_key(|r| (r.line, r.span.as_ref().map(|s| s.value.start)));
    // Unlocated copies of one unlocated value: report it once, at its first line.
    let mut unlocated: Vec<Target> = Vec::new();
    refs.retain(|r| {
        if r.span.is_some() {
            return true;
        }
        if unlocated.contains(&r.target) {
            return false;
        }
        unlocated.push(r.target.clone());
        true
    });
    refs.dedup_by(|a, b| a.span.is_some() && a.span == b.span);
    Ok(refs)
}

/// An image target for `raw` (already substituted), or `None` for what is not a registry image
/// (`scratch`, empty, or still holding a variable).
pub(crate) fn image_target(
    raw: &str,
    platform: Option<String>,
    uses_arguments: bool,
) -> Option<Target> {
    let raw = raw.trim();
    if raw.is_empty()
        || raw.contains('$')
        || raw.contains("{{")
        || raw.chars().any(char::is_whitespace)
    {
        return None;
    }
    let reference = Written::parse(raw);
    if reference.is_scratch() || reference.name().is_empty() {
        return None;
    }
    Some(Target::Image(ImageTarget {
        reference,
        platform,
        uses_arguments,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_targets() {
        let Some(Target::Image(i)) = image_target("ghcr.io/a/b:1.2@sha256:00", None, false) else {
            panic!()
        };
        assert_eq!(
            (i.name(), i.tag(), i.digest_text()),
            ("ghcr.io/a/b", Some("1.2"), Some("sha256:00"))
        );
        let Some(Target::Image(i)) = image_target("localhost:5000/x", None, false) else {
            panic!()
        };
        assert_eq!((i.name(), i.tag()), ("localhost:5000/x", None));
        assert!(image_target("scratch", None, false).is_none());
        assert!(image_target("$CI_REGISTRY_IMAGE:latest", None, false).is_none());
        assert!(image_target(":x", None, false).is_none());
    }

    #[test]
    fn merged_copies_are_pinned_through_their_anchor() {
        let t = ".defaults: &defaults\n  image: ruby:2.4\n  services: [postgres:15]\nrspec:\n  <<: *defaults\n  script: [rspec]\nlint:\n  image: {name: node:20}\n";
        let refs = discover(FileKind::GitlabCi, t.as_bytes()).unwrap();
        let lines: Vec<(u32, bool)> = refs.iter().map(|r| (r.line, r.span.is_some())).collect();
        // ruby and postgres once each (at the anchor); node:20 in flow style kept, unlocated.
        assert_eq!(lines, vec![(2, true), (3, false), (8, false)]);
    }

    #[test]
    fn detects_kinds() {
        assert_eq!(detect("Dockerfile", b""), Some(FileKind::Dockerfile));
        assert_eq!(
            detect(".pre-commit-config.yaml", b""),
            Some(FileKind::PreCommit)
        );
        assert_eq!(
            detect(".github/workflows/ci.yml", b""),
            Some(FileKind::GithubWorkflow)
        );
        assert_eq!(detect("a/action.yml", b""), Some(FileKind::GithubAction));
        assert_eq!(detect(".gitlab-ci.yml", b""), Some(FileKind::GitlabCi));
        assert_eq!(detect("docker-compose.yml", b""), Some(FileKind::Compose));
        assert_eq!(
            detect("k/deploy.yaml", b"apiVersion: v1\nkind: Pod\n"),
            Some(FileKind::Kubernetes)
        );
        assert_eq!(
            detect("k/deploy.json", b"{\"apiVersion\":1,\"kind\":2}"),
            None
        );
        assert_eq!(detect("README.md", b""), None);
    }
}
