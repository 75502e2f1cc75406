//! What discovery finds: a mutable (or already pinned) reference, where its text sits in the
//! file, and what it points at.

use std::fmt;
use std::ops::Range;

use vouch_digest::Digest;
use vouch_oci::reference::Written;

/// The kinds of file vouch pins references in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Dockerfile,
    GitlabCi,
    GithubWorkflow,
    GithubAction,
    Kubernetes,
    Compose,
    PreCommit,
    /// A Helm chart's `values.yaml` (templates are not read: their images come from here).
    HelmValues,
    /// A kustomization's `images:` entries.
    Kustomization,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dockerfile => "dockerfile",
            Self::GitlabCi => "gitlab-ci",
            Self::GithubWorkflow => "github-workflow",
            Self::GithubAction => "github-action",
            Self::Kubernetes => "kubernetes",
            Self::Compose => "compose",
            Self::PreCommit => "pre-commit",
            Self::HelmValues => "helm-values",
            Self::Kustomization => "kustomization",
        }
    }

    /// All kinds, for fuzzing and tests.
    pub const ALL: [FileKind; 9] = [
        Self::Dockerfile,
        Self::GitlabCi,
        Self::GithubWorkflow,
        Self::GithubAction,
        Self::Kubernetes,
        Self::Compose,
        Self::PreCommit,
        Self::HelmValues,
        Self::Kustomization,
    ];
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a reference's text sits in the original file, byte-exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The value as written, without surrounding quotes.
    pub value: Range<usize>,
    /// Just after the value and its closing quote: where a new `# version` comment goes.
    pub insert_at: usize,
    /// An existing `# ...` comment on the same line after the value (from `#` to the end of the
    /// line, trailing white space excluded).
    pub comment: Option<Range<usize>>,
}

impl Span {
    /// The first word of the existing comment (`# v4.1.1` → `v4.1.1`, `# frozen: v1.2` →
    /// `v1.2`), with its range.
    pub fn comment_word<'t>(&self, text: &'t str) -> Option<(Range<usize>, &'t str)> {
        let c = self.comment.clone()?;
        let body = text.get(c.clone())?;
        let after_hash = body.strip_prefix('#')?;
        let mut offset = c.start + 1;
        let mut rest = after_hash;
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        rest = trimmed;
        if let Some(r) = rest.strip_prefix("frozen:") {
            let t = r.trim_start();
            offset += rest.len() - t.len();
            rest = t;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        Some((offset..offset + end, &rest[..end]))
    }
}

/// Where a git reference lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Repo {
    /// `owner/repo` on the GitHub forge (`--github-url`).
    GitHub(String),
    /// `group/project` on the GitLab forge (`--gitlab-url`).
    GitLab(String),
    /// Any git URL (pre-commit `repo:`).
    Url(String),
}

impl fmt::Display for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::GitHub(s) | Self::GitLab(s) | Self::Url(s) => f.write_str(s),
        }
    }
}

/// What kind of git reference this is; decides the rewrite format and the interface check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GitKind {
    /// GitHub `uses: owner/repo[/path]@ref` (an action or a reusable workflow).
    Action,
    /// GitLab `include: {project, ref}`.
    Include,
    /// GitLab `include: {component: host/group/project/name@version}`.
    Component,
    /// pre-commit `rev:`.
    PreCommit,
}

impl GitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Action => "action",
            Self::Include => "include",
            Self::Component => "component",
            Self::PreCommit => "pre-commit",
        }
    }
}

/// A container image reference: the reference as it resolves (Dockerfile `ARG` defaults
/// substituted), split as written, plus what pinning needs beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageTarget {
    /// The reference as it resolves, as written (`python:3.12`, `ghcr.io/a/b@sha256:…`).
    pub reference: Written,
    /// Dockerfile `FROM --platform=…` value, if any.
    pub platform: Option<String>,
    /// Whether the written text uses build arguments (the rewrite then appends the digest and
    /// leaves the text before it alone).
    pub uses_arguments: bool,
}

impl ImageTarget {
    /// The reference as it resolves (`ARG` defaults substituted).
    pub fn resolved(&self) -> &str {
        self.reference.text()
    }

    /// Registry and repository as written, without tag or digest (`python`, `ghcr.io/a/b`).
    pub fn name(&self) -> &str {
        self.reference.name()
    }

    /// Tag, if written and not empty.
    pub fn tag(&self) -> Option<&str> {
        self.reference.tag().filter(|t| !t.is_empty())
    }

    /// Digest text after `@`, if written (well-formed or not).
    pub fn digest_text(&self) -> Option<&str> {
        self.reference.digest_text()
    }

    /// The written digest, if well-formed.
    pub fn digest(&self) -> Option<Digest> {
        self.reference.digest()
    }
}

/// A git reference: an action, include, component or pre-commit hook repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitTarget {
    pub kind: GitKind,
    pub repo: Repo,
    /// Sub-path inside the repository (`github/codeql-action/init` → `init`; a component's name).
    pub path: Option<String>,
    /// The ref as written (`v4`, `main`, or a 40-hex commit).
    pub reference: String,
    /// What the value holds before the ref (`actions/checkout@`); empty for `ref:` and `rev:`.
    pub prefix: String,
}

/// A reference vouch cannot pin by itself, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpinnable {
    /// The value as written.
    pub text: String,
    pub reason: String,
}

/// The tool that downloads a file at build or CI time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Downloader {
    /// Dockerfile `ADD https://…` (BuildKit's `--checksum=sha256:…` is its in-file pin).
    Add,
    /// `curl` in a `RUN` line or a CI script.
    Curl,
    /// `wget` in a `RUN` line or a CI script.
    Wget,
}

impl Downloader {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "ADD",
            Self::Curl => "curl",
            Self::Wget => "wget",
        }
    }
}

/// A file downloaded by URL (Dockerfile `ADD`, `curl`/`wget` in `RUN` lines and CI scripts).
/// Its pin is the URL's SHA-256 and size in `sources.lock`; an `ADD` also carries it in the
/// file (`ADD --checksum=sha256:…`), which `vouch pin` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadTarget {
    pub downloader: Downloader,
    /// The URL as written (quotes removed).
    pub url: String,
    /// `ADD --checksum=…` as written (`sha256:<hex>`), if any.
    pub checksum: Option<String>,
    /// `curl`/`wget`: a checksum or signature check runs after it
    /// (`vouch_policy::shell::downloads`).
    pub verified: bool,
    /// `ADD` without `--checksum`: the byte offset where `--checksum=sha256:<hex> ` goes (the
    /// first word after `ADD`).
    pub checksum_at: Option<usize>,
}

impl DownloadTarget {
    /// The digest of `ADD --checksum=sha256:<hex>`, when well-formed.
    pub fn checksum_digest(&self) -> Option<Digest> {
        self.checksum.as_deref()?.parse().ok()
    }
}

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Image(ImageTarget),
    Git(GitTarget),
    Unpinnable(Unpinnable),
    Download(DownloadTarget),
}

/// One reference found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// 1-based line of the value.
    pub line: u32,
    /// Byte-exact location, or `None` when the value could not be found in the text (flow
    /// style, escapes, multi-line scalars): such a reference is reported but never rewritten.
    pub span: Option<Span>,
    pub target: Target,
}

impl Reference {
    /// Whether the reference is immutable: an image digest, or a 40-hex commit.
    pub fn is_pinned(&self) -> bool {
        match &self.target {
            Target::Image(i) => i.digest_text().is_some(),
            Target::Git(g) => is_commit(&g.reference),
            Target::Unpinnable(_) => false,
            // A curl/wget download recorded in `sources.lock` counts too: see
            // `pin::unpinned_with`.
            Target::Download(d) => match d.downloader {
                Downloader::Add => d.checksum.is_some(),
                Downloader::Curl | Downloader::Wget => d.verified,
            },
        }
    }

    /// A short name for messages and the lock: `python`, `actions/checkout`,
    /// `group/project`, `https://github.com/psf/black`.
    pub fn name(&self) -> String {
        match &self.target {
            Target::Image(i) => i.name().to_owned(),
            Target::Git(g) => match &g.path {
                Some(p) => format!("{}/{p}", g.repo),
                None => g.repo.to_string(),
            },
            Target::Unpinnable(u) => u.text.clone(),
            Target::Download(d) => d.url.clone(),
        }
    }

    /// The version a person reads: the image tag, or the ref (for a pinned ref, the version
    /// comment beside it).
    pub fn version(&self, text: &str) -> Option<String> {
        match &self.target {
            Target::Image(i) => match (i.tag(), i.digest_text()) {
                (Some(t), _) => Some(t.to_owned()),
                (None, None) => Some("latest".to_owned()),
                (None, Some(_)) => None,
            },
            Target::Git(g) if is_commit(&g.reference) => self
                .span
                .as_ref()
                .and_then(|s| s.comment_word(text))
                .map(|(_, w)| w.to_owned()),
            Target::Git(g) => Some(g.reference.clone()),
            Target::Unpinnable(_) | Target::Download(_) => None,
        }
    }

    /// The reference as written, for messages.
    pub fn display(&self) -> String {
        match &self.target {
            Target::Image(i) => i.resolved().to_owned(),
            Target::Git(g) => format!("{}@{}", self.name(), g.reference),
            Target::Unpinnable(u) => u.text.clone(),
            Target::Download(d) => format!("{} {}", d.downloader.as_str(), d.url),
        }
    }
}

/// A full 40-hex git commit id (SHA-1).
pub fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_word_variants() {
        let text = "rev: abc  # frozen: v1.2.0 extra\n";
        let s = Span {
            value: 5..8,
            insert_at: 8,
            comment: Some(10..33),
        };
        let (r, w) = s.comment_word(text).unwrap();
        assert_eq!(w, "v1.2.0");
        assert_eq!(&text[r], "v1.2.0");
        let text = "x@y #v4\n";
        let s = Span {
            value: 0..3,
            insert_at: 3,
            comment: Some(4..7),
        };
        assert_eq!(s.comment_word(text).unwrap().1, "v4");
        let text = "x@y #\n";
        let s = Span {
            value: 0..3,
            insert_at: 3,
            comment: Some(4..5),
        };
        assert!(s.comment_word(text).is_none());
    }
}
