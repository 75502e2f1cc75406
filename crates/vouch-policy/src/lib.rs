//! Policy as code for vouch: Rego policies (conftest conventions) over normalised inputs of
//! Dockerfiles, CI definitions, Kubernetes and compose manifests, package-manager settings and
//! lockfiles, plus a built-in rule pack.
//!
//! - [`input`] turns a file into one documented JSON shape per kind (docs/policy-inputs.md).
//! - [`PolicySet`] holds the built-in rules and user policies, compiled once.
//! - [`rego`] is the one Rego runner (v1 then v0, rule values flattened into violations),
//!   shared with the promotion gate.
//! - [`Checker`] walks a tree, evaluates every file and applies suppressions, returning
//!   [`vouch_report::Finding`]s in a [`CheckOutcome`].
//!
//! ```
//! use vouch_policy::{Checker, Date, Options};
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("Dockerfile"), "FROM python:latest\nUSER app\n").unwrap();
//! let opts = Options::new("2026-11-22".parse::<Date>().unwrap());
//! let outcome = vouch_policy::check_dir(dir.path(), &opts).unwrap();
//! assert!(outcome.findings.iter().any(|f| f.rule_id == "dockerfile-latest-tag"));
//! ```

pub mod conftest;
pub mod engine;
pub mod image;
mod image_check;
pub mod input;
pub mod registry;
pub mod rego;
mod rules;
pub mod shell;
pub mod suppress;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;
use vouch_fs::walk::{DirTree, EntryKind, Excludes, Tree, Walk};
use vouch_report::{Finding, Location, RuleMeta, Severity};

pub use engine::{PolicyError, PolicySet, RuleInfo, builtin_rules};
pub use image_check::{ImageCheckError, ImageOptions, check_image};
pub use input::{
    Context, FileKind, FileList, FolderCache, InputError, Normalised, NotBuilt, SourceMap,
};
pub use suppress::{Date, IgnoreFile, IgnoreFileError};

/// Default per-file size limit: 8 MiB. Larger files are reported, not read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// Registries lockfile entries may resolve from when no `--allowed-registry` is given.
pub use registry::DEFAULT_ALLOWED_REGISTRIES;

/// Rule id of the finding raised for an expired ignore entry.
pub const IGNORE_EXPIRED: &str = "ignore-expired";

/// How to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Extra policy directories (`--policy`); `<root>/.vouch/policy` is added when present.
    pub policy_dirs: Vec<PathBuf>,
    /// Evaluate the built-in rule pack.
    pub builtin: bool,
    /// URL prefixes lockfile packages may resolve from. Empty: [`DEFAULT_ALLOWED_REGISTRIES`].
    pub allowed_registries: Vec<String>,
    /// Today's date, for ignore-entry expiry. The caller reads the clock, not this crate.
    pub today: Date,
    /// Files above this size are reported as errors instead of read.
    pub max_file_size: u64,
    /// Ignore file; `None` means `<root>/.vouch/ignore.toml` (absent is fine).
    pub ignore_file: Option<PathBuf>,
    /// `--exclude` globs (gitignore syntax, relative to the root): matching files and folders
    /// are not walked. Files named explicitly are still checked.
    pub excludes: Vec<String>,
    /// Helm values files (`--values`, in order; later ones win), read when the checker is made.
    pub helm_values: Vec<PathBuf>,
}

impl Options {
    pub fn new(today: Date) -> Self {
        Self {
            policy_dirs: Vec::new(),
            builtin: true,
            allowed_registries: Vec::new(),
            today,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            ignore_file: None,
            excludes: Vec::new(),
            helm_values: Vec::new(),
        }
    }
}

/// A file that could not be checked; the other files still were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: String,
    pub message: String,
}

/// What a check run produced.
#[derive(Debug, Clone, Default)]
pub struct CheckOutcome {
    /// Findings, suppressed ones included (with `suppressed` set), sorted.
    pub findings: Vec<Finding>,
    /// Metadata of the built-in rules (for SARIF and help links).
    pub rules: Vec<RuleMeta>,
    /// Files that could not be evaluated.
    pub errors: Vec<FileError>,
    /// Number of files evaluated.
    pub files_checked: usize,
    /// Parts of built inputs that were left out (remote kustomize bases, subchart archives):
    /// not checked, so the run cannot pass as if they were.
    pub not_checked: Vec<NotCheckedPart>,
}

/// Why a check could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    IgnoreFile(#[from] IgnoreFileError),
    #[error("could not read {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid --exclude pattern: {0}")]
    Exclude(String),
    #[error("{path}: not a file kind vouch check knows (see docs/policy-inputs.md#detection)")]
    UnknownKind { path: String },
    #[error("{path}: {source}")]
    Input {
        path: String,
        #[source]
        source: InputError,
    },
    #[error("helm values file {path}: {message}")]
    HelmValues { path: String, message: String },
    /// An image input that cannot be evaluated (over a limit, a policy that failed on it).
    #[error(transparent)]
    Image(#[from] image_check::ImageCheckError),
}

/// What a check run left out (a kustomization's remote base, a chart's subchart archive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCheckedPart {
    /// The file that names it.
    pub path: String,
    pub reason: String,
}

/// Reads and parses the `--values` files, in order.
fn load_helm_values(paths: &[PathBuf]) -> Result<Vec<Value>, CheckError> {
    paths
        .iter()
        .map(|p| {
            let shown = p.to_string_lossy().into_owned();
            let bad = |message: String| CheckError::HelmValues {
                path: shown.clone(),
                message,
            };
            let bytes =
                vouch_fs::read::read(p, DEFAULT_MAX_FILE_SIZE).map_err(|e| bad(e.reason()))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                bad(format!(
                    "not valid UTF-8 (byte {})",
                    e.utf8_error().valid_up_to()
                ))
            })?;
            let doc = vouch_yaml::load_all(&text)
                .map_err(|e| bad(e.to_string()))?
                .into_iter()
                .find(|d| !d.is_null())
                .unwrap_or(Value::Object(serde_json::Map::new()));
            if !doc.is_object() {
                return Err(bad("expected a mapping of values".into()));
            }
            Ok(doc)
        })
        .collect()
}

/// `--exclude` globs as a walker override: gitignore syntax relative to `root` (`tests/**`,
/// `fixtures`, `*.tmp`), as the inventory walker reads them. The error names the bad pattern.
pub fn exclude_overrides(
    root: &Path,
    patterns: &[String],
) -> Result<ignore::overrides::Override, String> {
    excludes(patterns)?
        .overrides(root)
        .map_err(|e| format!("`{}`: {}", e.pattern, e.reason()))
}

/// `--exclude` globs as the one [`Excludes`] builder every walker uses; the error names the
/// bad pattern as [`exclude_overrides`] does.
pub fn excludes(patterns: &[String]) -> Result<Excludes, String> {
    Excludes::new(patterns).map_err(|e| format!("`{}`: {}", e.pattern, e.reason()))
}

/// Check every recognised file under `root` with the built-in rules and user policies.
pub fn check_dir(root: &Path, opts: &Options) -> Result<CheckOutcome, CheckError> {
    Checker::new(root, opts)?.check(&[root.to_path_buf()])
}

/// [`check_dir`] over the entries of one walk of `tree` (the walk `vouch scan` shares with
/// every check), whose root is `root`; `opts.excludes` were applied by that walk. Every file is
/// read through `tree`.
pub fn check_walked(
    root: &Path,
    tree: &dyn Tree,
    walked: &Walk,
    opts: &Options,
) -> Result<CheckOutcome, CheckError> {
    let checker = Checker::new(root, opts)?;
    let mut jobs = Vec::new();
    let mut errors = Vec::new();
    checker.select(root, 0, walked, &mut jobs, &mut errors);
    checker.run(&[tree], &[Some(FileList::from_walk(walked))], jobs, errors)
}

/// Lockfile names that satisfy a manifest, by manifest file name.
fn lockfiles_for(manifest: &str) -> &'static [&'static str] {
    match manifest {
        "package.json" => &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lock",
            "bun.lockb",
        ],
        "pyproject.toml" => &[
            "poetry.lock",
            "uv.lock",
            "pdm.lock",
            "pylock.toml",
            "Pipfile.lock",
            "requirements.txt",
        ],
        _ => &[],
    }
}

/// Whether a lockfile for `file` exists in its directory or a parent, up to `root`.
fn lockfile_present(root: &Path, file: &Path) -> bool {
    let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let names = lockfiles_for(name);
    let mut dir = file.parent();
    while let Some(d) = dir {
        if names.iter().any(|n| d.join(n).is_file()) {
            return true;
        }
        if d == root || !d.starts_with(root) {
            break;
        }
        dir = d.parent();
    }
    false
}

/// A file given by path as a file of a tree: the tree of its folder, and its name in it (so
/// that inputs spanning files can read their siblings).
fn file_tree(path: &Path) -> Result<(DirTree, String), InputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| InputError::Unreadable {
            reason: "not a file name".into(),
        })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tree = DirTree::open(dir, Excludes::none()).map_err(|e| InputError::Unreadable {
        reason: e.to_string(),
    })?;
    Ok((tree, name))
}

/// Reads `rel` of `tree` with the size cap applied to the bytes read; a FIFO or device is
/// refused before anything is read.
fn read_capped(tree: &dyn Tree, rel: &str, cap: u64) -> Result<Vec<u8>, InputError> {
    tree.read(rel, cap).map_err(|e| match e {
        vouch_fs::read::ReadError::TooLarge { limit, .. } => InputError::TooLarge { limit },
        e => InputError::Unreadable { reason: e.reason() },
    })
}

/// Produce the policy input of one file, as `vouch check --print-input` shows it.
pub fn print_input(path: &Path, opts: &Options) -> Result<Value, CheckError> {
    let shown = path.to_string_lossy().replace('\\', "/");
    let input_err = |source| CheckError::Input {
        path: shown.clone(),
        source,
    };
    let (tree, name) = file_tree(path).map_err(input_err)?;
    let bytes = read_capped(&tree, &name, opts.max_file_size).map_err(input_err)?;
    let kind = input::detect(&shown, &bytes).ok_or_else(|| CheckError::UnknownKind {
        path: shown.clone(),
    })?;
    let root = path.parent().unwrap_or(Path::new("."));
    let helm_values = load_helm_values(&opts.helm_values)?;
    let ctx = Context {
        lockfile_present: lockfile_present(root, path),
        tree: Some((&tree, &name)),
        max_file_size: opts.max_file_size,
        files: None,
        helm_values: &helm_values,
        folders: None,
    };
    let n = input::normalise(kind, &shown, &bytes, &ctx).map_err(input_err)?;
    Ok(n.input)
}

/// A loaded policy set, ignore file and options, ready to check paths.
#[derive(Debug)]
pub struct Checker {
    root: PathBuf,
    policies: PolicySet,
    ignore: IgnoreFile,
    opts: Options,
    data: Value,
    excludes: Excludes,
    trivyignore: suppress::TrivyIgnore,
    helm_values: Vec<Value>,
}

/// One file to check.
struct Job {
    /// Index of the tree it is read from (in the slice given to [`Checker::run`]).
    tree: usize,
    /// Its path in that tree.
    in_tree: String,
    abs: PathBuf,
    rel: String,
    kind: Option<FileKind>,
    explicit: bool,
}

impl Checker {
    /// Load policies (built-in, `--policy` dirs, `<root>/.vouch/policy`) and the ignore file.
    pub fn new(root: &Path, opts: &Options) -> Result<Self, CheckError> {
        let mut dirs = opts.policy_dirs.clone();
        let local = vouch_fs::config::path(root, "policy");
        if local.is_dir() && !dirs.contains(&local) {
            dirs.push(local);
        }
        let policies = PolicySet::load(&dirs, opts.builtin)?;
        let ignore_path = opts
            .ignore_file
            .clone()
            .unwrap_or_else(|| vouch_fs::config::path(root, "ignore.toml"));
        let shown = ignore_path
            .strip_prefix(root)
            .unwrap_or(&ignore_path)
            .to_string_lossy()
            .replace('\\', "/");
        // Without --ignore-file, the ignore file is the repository's: it must stay inside it.
        let ignore_root = opts.ignore_file.is_none().then_some(root);
        let ignore = IgnoreFile::load(&ignore_path, &shown, ignore_root)?;
        let allowed: Vec<String> = if opts.allowed_registries.is_empty() {
            DEFAULT_ALLOWED_REGISTRIES
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            opts.allowed_registries.clone()
        };
        let data = serde_json::json!({"vouch": {"config": {"allowed_registries": allowed}}});
        let mut policies = policies;
        policies.add_data(&data)?;
        let excludes = excludes(&opts.excludes).map_err(CheckError::Exclude)?;
        // Trivy's ignore file at the root, where Trivy reads it; ids that map to a vouch rule
        // suppress it everywhere (docs/check.md#peer-pragmas). Read inside the root only.
        let trivy_path = root.join(".trivyignore");
        let trivyignore = if trivy_path.symlink_metadata().is_ok() {
            let text = vouch_fs::read::read_to_string_in_root(
                root,
                &trivy_path,
                suppress::MAX_IGNORE_FILE_LEN,
            )
            .map_err(|source| {
                CheckError::IgnoreFile(IgnoreFileError::Read {
                    path: ".trivyignore".into(),
                    source,
                })
            })?;
            suppress::TrivyIgnore::parse(&text, ".trivyignore")
        } else {
            suppress::TrivyIgnore::default()
        };
        let helm_values = load_helm_values(&opts.helm_values)?;
        Ok(Self {
            trivyignore,
            root: root.to_path_buf(),
            policies,
            ignore,
            opts: opts.clone(),
            data,
            excludes,
            helm_values,
        })
    }

    /// The loaded policies.
    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// The `data` document given to policies.
    pub fn data(&self) -> &Value {
        &self.data
    }

    /// Check files and directories. Directories are walked by the one walker
    /// ([`vouch_fs::walk`]: no ignore file honoured, `.git` skipped, links not followed), and
    /// files below `target`, `node_modules`, `.hg` and `.svn` are not checked; files given
    /// explicitly must be of a known kind.
    pub fn check(&self, paths: &[PathBuf]) -> Result<CheckOutcome, CheckError> {
        let mut jobs = Vec::new();
        let mut walk_errors = Vec::new();
        let mut trees = Vec::new();
        let mut lists = Vec::new();
        for p in paths {
            let opened = if p.is_dir() {
                DirTree::open(p, self.excludes.clone())
                    .map(|tree| (tree, None))
                    .map_err(|e| e.to_string())
            } else {
                file_tree(p)
                    .map(|(tree, name)| (tree, Some(name)))
                    .map_err(|e| e.to_string())
            };
            let (tree, name) = match opened {
                Ok(t) => t,
                Err(message) => {
                    walk_errors.push(FileError {
                        path: self.rel(p),
                        message: if p.is_dir() {
                            format!("cannot walk: {message}")
                        } else {
                            message
                        },
                    });
                    continue;
                }
            };
            match name {
                None => {
                    let walk = tree.walk();
                    self.select(p, trees.len(), &walk, &mut jobs, &mut walk_errors);
                    lists.push(Some(FileList::from_walk(&walk)));
                }
                Some(name) => {
                    jobs.push(Job {
                        tree: trees.len(),
                        in_tree: name,
                        abs: p.clone(),
                        rel: self.rel(p),
                        kind: None,
                        explicit: true,
                    });
                    // A chart or kustomization given by path lists its folder when it needs to.
                    lists.push(None);
                }
            }
            trees.push(tree);
        }
        let trees: Vec<&dyn Tree> = trees.iter().map(|t| t as &dyn Tree).collect();
        self.run(&trees, &lists, jobs, walk_errors)
    }

    fn run(
        &self,
        trees: &[&dyn Tree],
        lists: &[Option<FileList>],
        mut jobs: Vec<Job>,
        walk_errors: Vec<FileError>,
    ) -> Result<CheckOutcome, CheckError> {
        // A kustomization's patch files are partial resources: checked through the overlay,
        // not on their own (a file given by name still is).
        let mut patches = std::collections::HashSet::new();
        for job in jobs
            .iter()
            .filter(|j| j.kind == Some(FileKind::Kustomization))
        {
            if let Ok(bytes) = read_capped(trees[job.tree], &job.in_tree, self.opts.max_file_size) {
                let text = String::from_utf8_lossy(&bytes);
                for p in input::kustomize::patch_files(&job.in_tree, &text) {
                    patches.insert((job.tree, p));
                }
            }
        }
        jobs.retain(|j| j.explicit || !patches.contains(&(j.tree, j.in_tree.clone())));
        // A file a `.gitlab-ci.yml` of this run includes is checked as part of that pipeline
        // (its jobs resolved with the including file's `default:` and templates), not again
        // on its own, where its `extends` could not be resolved. Files named explicitly are
        // always checked on their own.
        let included = self.included_gitlab_files(trees, &jobs);
        let (jobs, in_pipeline): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| {
            j.explicit || j.kind != Some(FileKind::GitlabCi) || !included.contains(&j.rel)
        });
        // Terraform module folders are read once per tree and run.
        let folders: Vec<FolderCache> = trees.iter().map(|_| FolderCache::default()).collect();
        let results: Vec<Result<Checked, FileError>> = jobs
            .par_iter()
            .map_init(
                || self.policies.engine(),
                |engine, job| {
                    self.check_one(
                        engine,
                        trees[job.tree],
                        lists[job.tree].as_ref(),
                        &folders[job.tree],
                        job,
                    )
                },
            )
            .collect();
        let mut out = CheckOutcome {
            errors: walk_errors,
            files_checked: in_pipeline.len(),
            ..CheckOutcome::default()
        };
        for r in results {
            match r {
                Ok(c) => {
                    out.findings.extend(c.findings);
                    out.files_checked += usize::from(c.checked);
                    out.not_checked.extend(c.not_checked);
                }
                Err(e) => out.errors.push(e),
            }
        }
        Ok(self.finish(out))
    }

    /// What every run ends with: one finding per fingerprint, the expired ignore entries as
    /// findings, the rules' metadata, and a stable order.
    fn finish(&self, mut out: CheckOutcome) -> CheckOutcome {
        // A finding reached twice (a base manifest checked on its own and through an overlay
        // that leaves it as it is) is one finding.
        let mut seen = std::collections::HashSet::new();
        out.findings.retain(|f| seen.insert(f.fingerprint.clone()));
        for e in self.ignore.expired(self.opts.today) {
            out.findings.push(
                Finding::new(
                    IGNORE_EXPIRED,
                    Severity::Medium,
                    format!(
                        "ignore entry for `{}`{} expired on {} and no longer suppresses anything",
                        e.rule,
                        e.path
                            .as_deref()
                            .map(|p| format!(" at `{p}`"))
                            .unwrap_or_default(),
                        e.expires
                    ),
                )
                .at(Location::new(self.ignore.path.clone()).line(e.line))
                .remediation(
                    "fix the finding, or renew the entry with a new reason and expiry date",
                ),
            );
        }
        out.rules = self
            .policies
            .rules()
            .iter()
            .map(|r| {
                let mut m = RuleMeta::new(&r.id, &r.title, r.severity);
                m.description = Some(r.rationale.clone());
                m.help_uri = Some(format!("docs/rules/{}.md", r.id));
                m
            })
            .collect();
        let mut meta = RuleMeta::new(IGNORE_EXPIRED, "Ignore entry has expired", Severity::Medium);
        meta.help_uri = Some(format!("docs/rules/{IGNORE_EXPIRED}.md"));
        out.rules.push(meta);
        let mut report = vouch_report::Report::new("vouch", "");
        report.findings = std::mem::take(&mut out.findings);
        report.rules = std::mem::take(&mut out.rules);
        report.sort();
        out.findings = report.findings;
        out.rules = report.rules;
        out.errors.sort_by(|a, b| a.path.cmp(&b.path));
        out.not_checked
            .sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
        out
    }

    /// Shown paths of the files that the `.gitlab-ci.yml` (or `.gitlab-ci.yaml`) files among
    /// `jobs` include, directly or through other includes.
    fn included_gitlab_files(
        &self,
        trees: &[&dyn Tree],
        jobs: &[Job],
    ) -> std::collections::BTreeSet<String> {
        let mut included = std::collections::BTreeSet::new();
        for job in jobs {
            let name = job.rel.rsplit('/').next().unwrap_or(&job.rel);
            if job.kind != Some(FileKind::GitlabCi)
                || !matches!(name, ".gitlab-ci.yml" | ".gitlab-ci.yaml")
            {
                continue;
            }
            let tree = trees[job.tree];
            let Ok(bytes) = read_capped(tree, &job.in_tree, self.opts.max_file_size) else {
                continue; // reported when the file itself is checked
            };
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            let ctx = Context {
                lockfile_present: false,
                tree: Some((tree, &job.in_tree)),
                max_file_size: self.opts.max_file_size,
                ..Context::default()
            };
            if let Ok(r) = input::gitlab::resolve(text, &job.rel, &ctx) {
                included.extend(r.files.into_iter().skip(1).map(|f| f.shown));
            }
        }
        included
    }

    /// The path of `path` relative to the root, `/`-separated (`.` for the root).
    fn rel(&self, path: &Path) -> String {
        let rel = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if rel.is_empty() { ".".to_owned() } else { rel }
    }

    /// The entries of a walk of `dir` (tree number `tree`) this check wants: files not below a build or vendored
    /// folder (`target`, `node_modules`, `.terraform`) or another VCS's metadata (`.hg`, `.svn`), with a
    /// known name or a YAML/JSON one (detected by content later). Links are not followed; a
    /// FIFO or device with a checked name becomes a job whose read fails (an error for that
    /// file), never a silent skip or a hang. Every entry the walk could not open (a directory it
    /// cannot read, a path too long to open, a symlink loop) is a [`FileError`]: what is below
    /// it was not checked, so the run cannot pass.
    fn select(
        &self,
        dir: &Path,
        tree: usize,
        walked: &Walk,
        jobs: &mut Vec<Job>,
        errors: &mut Vec<FileError>,
    ) {
        for i in &walked.issues {
            let path = if i.rel == "." {
                dir.to_path_buf()
            } else {
                dir.join(&i.rel)
            };
            errors.push(FileError {
                path: self.rel(&path),
                message: format!("cannot walk: {}", i.cause),
            });
        }
        // A chart's templates are rendered with the chart (its Chart.yaml is the job), never
        // read as YAML on their own.
        let chart_templates: Vec<String> = walked
            .entries
            .iter()
            .filter(|e| e.rel == "Chart.yaml" || e.rel.ends_with("/Chart.yaml"))
            .map(|e| format!("{}templates/", &e.rel[..e.rel.len() - "Chart.yaml".len()]))
            .collect();
        for e in &walked.entries {
            if e.kind == EntryKind::Symlink {
                continue;
            }
            if chart_templates
                .iter()
                .any(|t| e.rel.starts_with(t.as_str()))
            {
                continue;
            }
            let mut folders = e.rel.split('/');
            folders.next_back();
            // `.terraform/`: modules and providers `terraform init` downloaded (not the
            // repository's code; checkov and trivy skip it too).
            if folders
                .any(|f| matches!(f, "target" | "node_modules" | ".hg" | ".svn" | ".terraform"))
            {
                continue;
            }
            let abs = dir.join(&e.rel);
            let rel = self.rel(&abs);
            // Name-based detection first; generic YAML gets a look at its content later.
            let kind = input::detect(&rel, b"");
            let lower = rel.to_ascii_lowercase();
            if kind.is_none()
                && !(lower.ends_with(".yml")
                    || lower.ends_with(".yaml")
                    || lower.ends_with(".json"))
            {
                continue;
            }
            jobs.push(Job {
                tree,
                in_tree: e.rel.clone(),
                abs,
                rel,
                kind,
                explicit: false,
            });
        }
    }

    fn check_one(
        &self,
        engine: &mut regorus::Engine,
        tree: &dyn Tree,
        files: Option<&FileList>,
        folders: &FolderCache,
        job: &Job,
    ) -> Result<Checked, FileError> {
        let fail = |m: String| FileError {
            path: job.rel.clone(),
            message: m,
        };
        let cap = self.opts.max_file_size;
        let bytes = match job.kind {
            Some(_) => read_capped(tree, &job.in_tree, cap).map_err(|e| fail(e.to_string()))?,
            None => {
                // Generic YAML: detect on the first 64 KiB; unknown kinds are not errors.
                let head = tree
                    .read_head(&job.in_tree, 64 * 1024)
                    .map_err(|e| fail(e.reason()))?;
                if input::detect(&job.rel, &head).is_none() {
                    if job.explicit {
                        return Err(fail("not a file kind vouch check knows (see docs/policy-inputs.md#detection)".into()));
                    }
                    return Ok(Checked::default());
                }
                read_capped(tree, &job.in_tree, cap).map_err(|e| fail(e.to_string()))?
            }
        };
        let Some(kind) = input::detect(&job.rel, &bytes) else {
            return Err(fail(
                "not a file kind vouch check knows (see docs/policy-inputs.md#detection)".into(),
            ));
        };
        let ctx = Context {
            lockfile_present: lockfile_present(&self.root, &job.abs),
            tree: Some((tree, &job.in_tree)),
            max_file_size: cap,
            files,
            folders: Some(folders),
            helm_values: &self.helm_values,
        };
        let normalised =
            input::normalise(kind, &job.rel, &bytes, &ctx).map_err(|e| fail(e.to_string()))?;
        let raws = self.policies.evaluate(engine, &normalised).map_err(fail)?;
        let own_text = String::from_utf8_lossy(&bytes);
        // Paths of the tree are paths under the root with this prefix.
        let prefix = job
            .rel
            .strip_suffix(job.in_tree.as_str())
            .unwrap_or_default()
            .to_owned();
        // Texts of the other files findings point into (GitLab CI includes, the templates and
        // patches of built inputs), for their inline suppressions; read through the same tree,
        // with the same cap.
        let mut texts: std::collections::HashMap<String, Option<String>> =
            std::collections::HashMap::new();
        let mut findings = Vec::with_capacity(raws.len());
        for r in raws {
            let (line, at) = match r.line {
                Some(l) => (Some(l), r.path.clone()),
                None => match anchor_line(&normalised, &r.message) {
                    Some((l, p)) => (Some(l), p),
                    None => (None, None),
                },
            };
            // A built input's lines are keys of its source map: the file and line they name.
            let (path, line) = match (&normalised.sources, line) {
                (Some(map), Some(key)) => match map.place(key) {
                    Some((p, l)) => (format!("{prefix}{p}"), Some(l)),
                    None => (job.rel.clone(), None),
                },
                _ => (
                    at.filter(|p| *p != job.rel)
                        .unwrap_or_else(|| job.rel.clone()),
                    line,
                ),
            };
            let file_text: Option<&str> = if path == job.rel {
                Some(&own_text)
            } else {
                texts
                    .entry(path.clone())
                    .or_insert_with(|| {
                        let in_tree = path.strip_prefix(prefix.as_str())?;
                        read_capped(tree, in_tree, cap)
                            .ok()
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                    })
                    .as_deref()
            };
            let mut loc = Location::new(path.clone());
            if let Some(l) = line {
                loc = loc.line(l);
                if let Some(c) = r.column {
                    loc = loc.column(c);
                }
            }
            let mut f = Finding::new(&r.rule_id, r.severity, &r.message).at(loc);
            if let Some(rem) = &r.remediation {
                f = f.remediation(rem.clone());
            }
            if let Some(t) = &r.title {
                f = f.property("title", t.clone());
            }
            f = f.property("kind", kind.as_str());
            if normalised.sources.is_some() {
                f = f.property("built_from", job.rel.clone());
            }
            let whole_file_checkov = kind == FileKind::Dockerfile;
            f.suppressed = line
                .zip(file_text)
                .and_then(|(l, t)| {
                    suppress::inline(t, l, &r.rule_id).or_else(|| {
                        suppress::peer(t, l, &r.rule_id, whole_file_checkov, self.opts.today)
                    })
                })
                .or_else(|| self.trivyignore.matching(&r.rule_id, self.opts.today))
                .or_else(|| {
                    self.ignore
                        .matching(&r.rule_id, &path, self.opts.today)
                        .map(|e| vouch_report::Suppression {
                            kind: "ignore-file".into(),
                            reason: format!("{} (until {})", e.reason, e.expires),
                        })
                });
            findings.push(f);
        }
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        let not_checked = normalised
            .not_built
            .iter()
            .map(|n| NotCheckedPart {
                path: format!("{prefix}{}", n.path),
                reason: n.reason.clone(),
            })
            .collect();
        Ok(Checked {
            findings,
            checked: true,
            not_checked,
        })
    }
}

/// What checking one file gave.
#[derive(Default)]
struct Checked {
    findings: Vec<Finding>,
    /// The file was evaluated (not a YAML file of no known kind).
    checked: bool,
    not_checked: Vec<NotCheckedPart>,
}

/// For a user-policy finding without a line: the line of the longest anchor (job, service,
/// stage, resource name) that the message quotes, e.g. `job "build" uses …`.
fn anchor_line(n: &Normalised, message: &str) -> Option<(u32, Option<String>)> {
    n.anchors
        .iter()
        .filter(|a| {
            message.contains(&format!("\"{}\"", a.name))
                || message.contains(&format!("'{}'", a.name))
                || message.contains(&format!("`{}`", a.name))
        })
        .max_by_key(|a| a.name.len())
        .map(|a| (a.line, a.path.clone()))
}
