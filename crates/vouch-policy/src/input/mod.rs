//! Normalisers: file bytes → one documented JSON shape per file kind (docs/policy-inputs.md).
//!
//! Every input is an object `{"kind": "<kind>", "path": "<relative path>", "<key>": {...}}`
//! where `<key>` is given by [`FileKind::input_key`].

mod ci;
pub use ci::GITLAB_KEYWORDS;
mod built;
mod dockerfile;
pub mod gitlab;
pub mod helm;
pub mod image;
mod kubernetes;
pub mod kustomize;
mod packages;
mod terraform;

pub use built::{FileList, SourceMap};

use serde_json::{Value, json};

/// The kinds of file `vouch check` understands (a view of [`vouch_filekind::FileKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Dockerfile,
    GitlabCi,
    GithubWorkflow,
    GithubAction,
    Kubernetes,
    Compose,
    Npmrc,
    PipConf,
    Pyproject,
    Requirements,
    PackageJson,
    PackageLock,
    YarnLock,
    /// Terraform / OpenTofu HCL (`*.tf`, `*.tofu`).
    Terraform,
    /// A plan as `terraform show -json` writes it.
    TerraformPlan,
    /// A Helm chart (its `Chart.yaml`): templates rendered, then checked as Kubernetes.
    HelmChart,
    /// A Helm template outside any chart: an error (templates are checked through their chart).
    HelmTemplate,
    /// A kustomization: the overlay is built, then checked as Kubernetes.
    Kustomization,
    /// A container image (not a file: [`crate::check_image`] builds its input from an
    /// [`image::ImageInput`]; [`detect`] never returns it).
    Image,
}

impl FileKind {
    /// The name used in `input.kind` and in rule packages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dockerfile => "dockerfile",
            Self::GitlabCi => "gitlab-ci",
            Self::GithubWorkflow => "github-workflow",
            Self::GithubAction => "github-action",
            Self::Kubernetes => "kubernetes",
            Self::Compose => "compose",
            Self::Npmrc => "npmrc",
            Self::PipConf => "pip-conf",
            Self::Pyproject => "pyproject",
            Self::Requirements => "requirements",
            Self::PackageJson => "package-json",
            Self::PackageLock => "package-lock",
            Self::YarnLock => "yarn-lock",
            Self::Terraform => "terraform",
            Self::TerraformPlan => "terraform-plan",
            Self::HelmChart => "helm-chart",
            Self::HelmTemplate => "helm-template",
            Self::Kustomization => "kustomization",
            Self::Image => "image",
        }
    }

    /// The key under which the kind-specific shape sits in the input document.
    pub fn input_key(self) -> &'static str {
        match self {
            Self::Dockerfile => "dockerfile",
            Self::GitlabCi => "ci",
            Self::GithubWorkflow => "workflow",
            Self::GithubAction => "action",
            Self::Kubernetes | Self::HelmChart | Self::HelmTemplate | Self::Kustomization => "k8s",
            Self::Compose => "compose",
            Self::Npmrc | Self::PipConf | Self::Pyproject | Self::Requirements => "registry",
            Self::PackageJson => "manifest",
            Self::PackageLock | Self::YarnLock => "lockfile",
            Self::Terraform | Self::TerraformPlan => "terraform",
            Self::Image => "image",
        }
    }

    /// The built-in rule group (`data.vouch.rules.<group>`) evaluated for this kind.
    pub fn rule_group(self) -> &'static str {
        match self {
            Self::Dockerfile => "dockerfile",
            Self::GitlabCi => "gitlab",
            Self::GithubWorkflow | Self::GithubAction => "github",
            Self::Kubernetes
            | Self::Compose
            | Self::HelmChart
            | Self::HelmTemplate
            | Self::Kustomization => "workload",
            Self::Terraform | Self::TerraformPlan => "terraform",
            Self::Image => "image",
            _ => "packages",
        }
    }
}

/// Detect a file's kind from its path (relative, `/`-separated) and, for generic `.yml`/`.yaml`
/// names only, a look at its first bytes: [`vouch_filekind::config`], seen as the kinds
/// `vouch check` normalises. See docs/policy-inputs.md#detection.
pub fn detect(rel_path: &str, head: &[u8]) -> Option<FileKind> {
    use vouch_filekind::FileKind as K;
    Some(match vouch_filekind::config(rel_path, head)? {
        K::Dockerfile => FileKind::Dockerfile,
        K::GitlabCi => FileKind::GitlabCi,
        K::GithubWorkflow => FileKind::GithubWorkflow,
        K::GithubAction => FileKind::GithubAction,
        K::Kubernetes => FileKind::Kubernetes,
        K::Compose => FileKind::Compose,
        K::Npmrc => FileKind::Npmrc,
        K::PipConf => FileKind::PipConf,
        K::Pyproject => FileKind::Pyproject,
        K::RequirementsTxt => FileKind::Requirements,
        K::PackageJson => FileKind::PackageJson,
        K::NpmLock => FileKind::PackageLock,
        K::YarnLock => FileKind::YarnLock,
        K::Terraform => FileKind::Terraform,
        K::TerraformPlan => FileKind::TerraformPlan,
        K::HelmChart => FileKind::HelmChart,
        K::HelmTemplate => FileKind::HelmTemplate,
        K::Kustomization => FileKind::Kustomization,
        _ => return None,
    })
}

/// Why a file could not be turned into a policy input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    #[error("file is over the {limit}-byte limit")]
    TooLarge { limit: u64 },
    /// Not a regular file (a FIFO, a device), or an I/O error; `reason` names no content.
    #[error("{reason}")]
    Unreadable { reason: String },
    #[error("file is not valid UTF-8 (byte {offset})")]
    NotUtf8 { offset: usize },
    #[error("syntax error{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Syntax { line: Option<u32>, message: String },
    #[error("unexpected structure: {0}")]
    Shape(String),
    /// Another file this input is built from (a file of a Terraform module folder, a local
    /// module's file) could not be read or parsed: this file is not evaluated on a guess.
    #[error("{path}, which this file depends on, could not be read: {reason}")]
    Dependency { path: String, reason: String },
    /// A Helm template that could not be rendered: the template, the construct and its line.
    #[error(transparent)]
    Helm(Box<helm::RenderError>),
    /// A kustomization that could not be built.
    #[error(transparent)]
    Kustomize(Box<kustomize::BuildError>),
    /// Mappings and sequences nested deeper than [`vouch_yaml::MAX_DEPTH`] (YAML or JSON).
    #[error(transparent)]
    TooDeep(vouch_yaml::DepthError),
}

impl From<helm::RenderError> for InputError {
    fn from(e: helm::RenderError) -> Self {
        Self::Helm(Box::new(e))
    }
}

impl From<kustomize::BuildError> for InputError {
    fn from(e: kustomize::BuildError) -> Self {
        Self::Kustomize(Box::new(e))
    }
}

impl From<vouch_yaml::YamlError> for InputError {
    fn from(e: vouch_yaml::YamlError) -> Self {
        match e {
            vouch_yaml::YamlError::TooDeep(d) => Self::TooDeep(d),
            other => Self::Syntax {
                line: None,
                message: other.to_string(),
            },
        }
    }
}

/// A named place in a file (job, service, stage, resource): used to give a line to findings from
/// user policies that return only a message.
#[derive(Debug, Clone)]
pub struct Anchor {
    pub name: String,
    pub line: u32,
    /// The file the line is in, when not the checked file (a GitLab CI job defined in an
    /// included file).
    pub path: Option<String>,
}

/// The input document of one file.
#[derive(Debug, Clone)]
pub struct Normalised {
    pub kind: FileKind,
    pub input: Value,
    pub anchors: Vec<Anchor>,
    /// For inputs built from several files (a rendered chart, a built kustomization): the
    /// `line` values of the input are keys of this map, each naming a file and a line of it.
    pub sources: Option<SourceMap>,
    /// What was left out of the built input and why (a remote base, a subchart archive).
    pub not_built: Vec<NotBuilt>,
}

/// Part of a built input that could not be included (recorded as not checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotBuilt {
    /// The file that names it.
    pub path: String,
    pub reason: String,
}

/// Facts about a file's surroundings that the file itself does not contain, and the tree it was
/// read from, for inputs that span files (an include, a module, a chart): they read the other
/// files through [`Context::read`], with the same size cap and refusals as the file itself.
#[derive(Clone, Copy, Default)]
pub struct Context<'a> {
    /// A lockfile for this manifest exists next to it or in a parent directory under the root.
    pub lockfile_present: bool,
    /// The tree the file was read from, and the file's path in it; `None` for bytes given
    /// without a tree (fuzzing, unit tests): then no other file can be read.
    pub tree: Option<(&'a dyn vouch_fs::walk::Tree, &'a str)>,
    /// The byte cap for every file read through [`Context::read`].
    pub max_file_size: u64,
    /// The files of the tree (from the walk), for inputs that list a folder (a chart's
    /// templates); `None`: the tree is walked when a listing is needed.
    pub files: Option<&'a FileList>,
    /// Helm values files given with `--values`, parsed, in order (later ones win).
    pub helm_values: &'a [Value],
    /// Module folders already read in this run, shared by the files of one tree; `None`: every
    /// file reads its folder itself.
    pub folders: Option<&'a FolderCache>,
}

/// Terraform module folders read once per run and tree, shared by their files (each file of a
/// folder needs the whole folder's variables, locals and resources).
#[derive(Default)]
pub struct FolderCache {
    folders: std::sync::Mutex<
        std::collections::HashMap<
            String,
            std::sync::Arc<std::sync::OnceLock<std::sync::Arc<terraform::Folder>>>,
        >,
    >,
}

impl std::fmt::Debug for FolderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderCache").finish_non_exhaustive()
    }
}

impl FolderCache {
    /// The folder `dir`, built by `build` the first time (once, even when several threads ask).
    pub(crate) fn get(
        &self,
        dir: &str,
        build: impl FnOnce() -> terraform::Folder,
    ) -> std::sync::Arc<terraform::Folder> {
        let cell = {
            // A poisoned lock only means another thread panicked while holding it; the map is
            // still consistent (insertions are single calls).
            let mut map = self
                .folders
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(dir.to_owned()).or_default().clone()
        };
        cell.get_or_init(|| std::sync::Arc::new(build())).clone()
    }
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("lockfile_present", &self.lockfile_present)
            .field("file", &self.tree.map(|(_, rel)| rel))
            .field("max_file_size", &self.max_file_size)
            .field("files", &self.files.map(FileList::len))
            .field("folders", &self.folders.is_some())
            .finish()
    }
}

impl Context<'_> {
    /// The files of the tree: the walk's list, or a walk of the tree made now.
    pub fn files(&self) -> Result<std::borrow::Cow<'_, FileList>, InputError> {
        if let Some(f) = self.files {
            return Ok(std::borrow::Cow::Borrowed(f));
        }
        let Some((tree, _)) = self.tree else {
            return Err(InputError::Unreadable {
                reason: "no tree to list other files from".into(),
            });
        };
        Ok(std::borrow::Cow::Owned(FileList::from_walk(&tree.walk())))
    }

    /// Reads another file of the tree, `rel` relative to the tree's root (`/`-separated).
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, InputError> {
        let Some((tree, _)) = self.tree else {
            return Err(InputError::Unreadable {
                reason: format!("{rel}: no tree to read other files from"),
            });
        };
        // The path comes from a file of the repository: it must name a file of the tree, not
        // climb out of it lexically or through a linked folder.
        let escapes = rel.is_empty()
            || rel.starts_with('/')
            || rel.split('/').any(|part| matches!(part, "" | "." | ".."));
        let folder = rel.rsplit_once('/').map(|(dir, _)| dir);
        if escapes || folder.is_some_and(|dir| tree.read_link(dir).is_err()) {
            return Err(InputError::Unreadable {
                reason: format!("{rel}: not a path inside the repository"),
            });
        }
        tree.read(rel, self.max_file_size).map_err(|e| match e {
            vouch_fs::read::ReadError::TooLarge { limit, .. } => InputError::TooLarge { limit },
            e => InputError::Unreadable {
                reason: format!("{rel}: {}", e.reason()),
            },
        })
    }
}

/// Turn `bytes` of a file of `kind` into its policy input.
pub fn normalise(
    kind: FileKind,
    rel_path: &str,
    bytes: &[u8],
    ctx: &Context,
) -> Result<Normalised, InputError> {
    let text = std::str::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sources = None;
    let mut not_built = Vec::new();
    let (body, anchors) = match kind {
        FileKind::Dockerfile => dockerfile::normalise(text)?,
        FileKind::GitlabCi => ci::gitlab(text, rel_path, ctx)?,
        FileKind::GithubWorkflow => ci::github_workflow(text)?,
        FileKind::GithubAction => ci::github_action(text)?,
        FileKind::Kubernetes => kubernetes::kubernetes(text)?,
        FileKind::Compose => kubernetes::compose(text)?,
        FileKind::Npmrc => packages::npmrc(text),
        FileKind::PipConf => packages::pip_conf(text),
        FileKind::Pyproject => packages::pyproject(text, ctx)?,
        FileKind::Requirements => packages::requirements(text),
        FileKind::PackageJson => packages::package_json(text, ctx)?,
        FileKind::PackageLock => packages::package_lock(text)?,
        FileKind::YarnLock => packages::yarn_lock(text),
        FileKind::Terraform => terraform::hcl(text, ctx)?,
        FileKind::TerraformPlan => terraform::plan(text, rel_path)?,
        FileKind::HelmChart | FileKind::Kustomization => {
            // Built inputs read their other files through the tree: name this one as the
            // tree does.
            let in_tree = ctx.tree.map_or(rel_path, |(_, rel)| rel);
            let b = if kind == FileKind::HelmChart {
                helm::chart(in_tree, text, ctx)?
            } else {
                kustomize::build(in_tree, text, ctx)?
            };
            let (body, anchors) = kubernetes::workloads(&b.documents, &b);
            let (map, left) = b.finish();
            sources = Some(map);
            not_built = left;
            (body, anchors)
        }
        FileKind::HelmTemplate => {
            return Err(InputError::Shape(
                "a Helm template is checked through its chart, and no Chart.yaml was found in a folder above it".into(),
            ));
        }
        FileKind::Image => {
            return Err(InputError::Shape(
                "an image is not a file: its input is built by vouch_policy::check_image".into(),
            ));
        }
    };
    let mut input = json!({"kind": kind.as_str(), "path": rel_path});
    input[kind.input_key()] = body;
    if let Some(map) = &sources {
        input["sources"] = map.to_json();
        input["not_built"] = not_built
            .iter()
            .map(|n| json!({"path": n.path, "reason": n.reason}))
            .collect();
    }
    Ok(Normalised {
        kind,
        input,
        anchors,
        sources,
        not_built,
    })
}

/// Byte offset → 1-based line.
pub(crate) struct LineMap {
    starts: Vec<usize>,
}

impl LineMap {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }
    pub(crate) fn line(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        u32::try_from(idx + 1).unwrap_or(u32::MAX)
    }
}

/// The 1-based line of the first line containing `needle`, if any.
pub(crate) fn find_line(text: &str, needle: &str) -> Option<u32> {
    let pos = text.find(needle)?;
    Some(u32::try_from(text[..pos].matches('\n').count() + 1).unwrap_or(u32::MAX))
}
