//! Which kind of file a path names: the one place where vouch decides, from a path relative to
//! the scanned root (`/`-separated) and, for generic YAML and JSON names, a file's first bytes,
//! what a file is. Inventory, policy and pin each keep a thin view of [`FileKind`] (the kinds
//! they read, with their own labels and methods) and consume these functions:
//!
//! - [`package_source`]: lockfiles and installed-package databases, from the path alone (what
//!   `vouch_inventory::detect` parses: exact file names, case-sensitive, as package managers
//!   write them);
//! - [`config`]: files whose configuration vouch checks or pins (Dockerfiles, GitLab CI,
//!   GitHub workflows and actions, Kubernetes, compose, pre-commit, registry configuration,
//!   package manifests and the npm/yarn lockfiles as policy input), from the name (any case) and,
//!   for generic `.yml`/`.yaml`/`.json` names, the first 64 KiB.
//!
//! The two answer different questions and keep their own rules where they differ on purpose:
//! `requirements` files are what pip reads for an inventory (`requirements*.txt`, `*.pip`, `*.txt`
//! in a `requirements/` folder: [`FileKind::Requirements`]) but any `*requirements*.txt` for the
//! registry-configuration rules ([`FileKind::RequirementsTxt`]).
//!
//! ```
//! use vouch_filekind::{FileKind, config, package_source};
//! assert_eq!(package_source("app/Cargo.lock"), Some(FileKind::CargoLock));
//! assert_eq!(package_source("app/Dockerfile"), None);
//! assert_eq!(config("app/Dockerfile", b""), Some(FileKind::Dockerfile));
//! assert_eq!(config("k8s/deploy.yaml", b"apiVersion: v1\nkind: Pod\n"), Some(FileKind::Kubernetes));
//! assert_eq!(config("x/package-lock.json", b""), Some(FileKind::NpmLock));
//! ```

/// Every kind of file vouch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FileKind {
    CargoLock,
    /// `package-lock.json` v1/v2/v3 and `npm-shrinkwrap.json`.
    NpmLock,
    /// `yarn.lock`, classic (v1) and Berry (v2+).
    YarnLock,
    /// `pnpm-lock.yaml` v5 to v9.
    PnpmLock,
    PoetryLock,
    UvLock,
    PipfileLock,
    /// `requirements*.txt` (and `*.txt` under a `requirements/` folder), as an inventory source.
    Requirements,
    /// `go.mod` (with `go.sum` read beside it for hashes).
    GoMod,
    GemfileLock,
    ComposerLock,
    /// `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` or a `*.egg-info` file.
    PythonInstalled,
    /// `node_modules/<name>/package.json` or `node_modules/@scope/<name>/package.json`.
    NodeModule,
    /// `var/lib/dpkg/status`.
    DpkgStatus,
    /// One file in distroless `var/lib/dpkg/status.d/`.
    DpkgStatusD,
    /// `lib/apk/db/installed`.
    ApkInstalled,
    /// `var/lib/rpm/rpmdb.sqlite` (RPM 4.16+).
    RpmSqlite,
    /// `Dockerfile`, `Containerfile`, `*.dockerfile`, …
    Dockerfile,
    /// `.gitlab-ci.yml` and `*.gitlab-ci.yml`.
    GitlabCi,
    /// YAML under `.github/workflows/`.
    GithubWorkflow,
    /// `action.yml` / `action.yaml`.
    GithubAction,
    /// Kubernetes manifests (YAML or JSON with `apiVersion` and `kind`).
    Kubernetes,
    /// Docker compose files.
    Compose,
    /// `.pre-commit-config.yaml`.
    PreCommit,
    /// `.npmrc`.
    Npmrc,
    /// `pip.conf` / `pip.ini`.
    PipConf,
    /// `pyproject.toml`.
    Pyproject,
    /// Any `*requirements*.txt`, as registry configuration for policy.
    RequirementsTxt,
    /// A project's `package.json` (manifest).
    PackageJson,
    /// Maven `pom.xml`.
    PomXml,
    /// Gradle dependency lockfiles: `gradle.lockfile`, `*.gradle.lockfile`,
    /// `buildscript-gradle.lockfile`, `settings-gradle.lockfile`.
    GradleLockfile,
    /// NuGet `packages.lock.json`.
    NugetLock,
    /// .NET `*.deps.json` (what a built application loads).
    DotnetDeps,
    /// Terraform / OpenTofu configuration: `*.tf`, `*.tofu`.
    Terraform,
    /// A Terraform plan as `terraform show -json` writes it (any `.json` name; detected by its
    /// `format_version` and `planned_values` or `resource_changes` keys).
    TerraformPlan,
    /// A Helm chart's `Chart.yaml` (the chart is its folder: rendered, then checked).
    HelmChart,
    /// A Helm chart's `values.yaml` / `values.yml` (defaults the templates read; images pinned).
    HelmValues,
    /// A YAML file under a `templates/` folder holding Go template actions (`{{`): a Helm
    /// template, rendered with its chart, never parsed as YAML on its own.
    HelmTemplate,
    /// `kustomization.yaml`, `kustomization.yml` or `Kustomization`: an overlay, built, then
    /// checked.
    Kustomization,
    /// An ELF executable or library, detected by its first bytes ([`executable`]): Go build
    /// info and `cargo auditable` data are read from it.
    Executable,
}

/// Detects an executable from a file's first bytes (at least 4): the ELF magic. Only ELF
/// files are read for compiled-in components (Go build info, `cargo auditable`).
///
/// ```
/// use vouch_filekind::{executable, FileKind};
/// assert_eq!(executable(b"\x7fELF\x02\x01\x01"), Some(FileKind::Executable));
/// assert_eq!(executable(b"#!/bin/sh\n"), None);
/// ```
pub fn executable(head: &[u8]) -> Option<FileKind> {
    head.starts_with(b"\x7fELF").then_some(FileKind::Executable)
}

/// Detects a lockfile or installed-package database from its path relative to the scanned root
/// (`/`-separated), by exact name.
///
/// ```
/// use vouch_filekind::{package_source, FileKind};
/// assert_eq!(package_source("var/lib/dpkg/status"), Some(FileKind::DpkgStatus));
/// assert_eq!(package_source("x/node_modules/@babel/core/package.json"), Some(FileKind::NodeModule));
/// assert_eq!(package_source("x/node_modules/a/node_modules/b/package.json"), Some(FileKind::NodeModule));
/// assert_eq!(package_source("x/node_modules/a/lib/package.json"), None);
/// assert_eq!(package_source("README.md"), None);
/// ```
pub fn package_source(path: &str) -> Option<FileKind> {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", path),
    };
    let parent = dir.rsplit('/').next().unwrap_or("");
    let kind = match name {
        "Cargo.lock" => FileKind::CargoLock,
        "package-lock.json" | "npm-shrinkwrap.json" => {
            // npm also writes node_modules/.package-lock.json: the hidden lockfile, not detected.
            FileKind::NpmLock
        }
        "yarn.lock" => FileKind::YarnLock,
        "pnpm-lock.yaml" => FileKind::PnpmLock,
        "poetry.lock" => FileKind::PoetryLock,
        "uv.lock" => FileKind::UvLock,
        "Pipfile.lock" => FileKind::PipfileLock,
        "go.mod" => FileKind::GoMod,
        "Gemfile.lock" | "gems.locked" => FileKind::GemfileLock,
        "composer.lock" => FileKind::ComposerLock,
        "pom.xml" => FileKind::PomXml,
        "packages.lock.json" => FileKind::NugetLock,
        "gradle.lockfile" => FileKind::GradleLockfile,
        _ if name.ends_with(".gradle.lockfile") || name.ends_with("-gradle.lockfile") => {
            FileKind::GradleLockfile
        }
        _ if name.ends_with(".deps.json") && name.len() > ".deps.json".len() => {
            FileKind::DotnetDeps
        }
        // CI files name the actions, images and components a pipeline runs: inventoried as
        // components too (same names as `config`, exact case).
        "action.yml" | "action.yaml" => FileKind::GithubAction,
        ".gitlab-ci.yml" | ".gitlab-ci.yaml" => FileKind::GitlabCi,
        _ if name.ends_with(".gitlab-ci.yml") => FileKind::GitlabCi,
        _ if (name.ends_with(".yml") || name.ends_with(".yaml"))
            && (dir == ".github/workflows" || dir.ends_with("/.github/workflows")) =>
        {
            FileKind::GithubWorkflow
        }
        "METADATA" if parent.ends_with(".dist-info") => FileKind::PythonInstalled,
        "PKG-INFO" if parent.ends_with(".egg-info") => FileKind::PythonInstalled,
        "package.json" if is_node_module_dir(dir) => FileKind::NodeModule,
        "status" if dir == "var/lib/dpkg" || dir.ends_with("/var/lib/dpkg") => FileKind::DpkgStatus,
        "installed" if dir == "lib/apk/db" || dir.ends_with("/lib/apk/db") => {
            FileKind::ApkInstalled
        }
        "rpmdb.sqlite" if dir.ends_with("rpm") => FileKind::RpmSqlite,
        _ if parent == "status.d"
            && (dir == "var/lib/dpkg/status.d" || dir.ends_with("/var/lib/dpkg/status.d")) =>
        {
            // distroless writes `<pkg>` and `<pkg>.md5sums`; only the former is a stanza.
            if name.ends_with(".md5sums") {
                return None;
            }
            FileKind::DpkgStatusD
        }
        _ if name.ends_with(".egg-info")
            && (parent.ends_with("site-packages") || parent.ends_with("dist-packages")) =>
        {
            FileKind::PythonInstalled
        }
        _ if is_requirements(dir, name) => FileKind::Requirements,
        _ => return None,
    };
    Some(kind)
}

fn is_node_module_dir(dir: &str) -> bool {
    // dir must be .../node_modules/<name> or .../node_modules/@scope/<name>
    let mut parts = dir.rsplit('/');
    let Some(last) = parts.next() else {
        return false;
    };
    if last.starts_with('.') || last == "node_modules" {
        return false;
    }
    match parts.next() {
        Some("node_modules") => !last.starts_with('@'),
        Some(scope) if scope.starts_with('@') => parts.next() == Some("node_modules"),
        _ => false,
    }
}

fn is_requirements(dir: &str, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("requirements") && (lower.ends_with(".txt") || lower.ends_with(".pip")))
        || (dir.rsplit('/').next() == Some("requirements") && lower.ends_with(".txt"))
}

/// Detects a file whose configuration vouch checks or pins, from its name (relative,
/// `/`-separated, any case) and, for generic `.yml`/`.yaml`/`.json` names only, a look at its
/// first bytes. See docs/policy-inputs.md#detection.
pub fn config(rel_path: &str, head: &[u8]) -> Option<FileKind> {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    // `vouch pin` reads pre-commit hooks; `vouch check` has no rules for them.
    if name == ".pre-commit-config.yaml" || name == ".pre-commit-config.yml" {
        return Some(FileKind::PreCommit);
    }
    let lower = name.to_ascii_lowercase();
    let not_docker_ext = [
        ".md", ".txt", ".json", ".yml", ".yaml", ".sh", ".py", ".rs", ".go", ".js", ".ts", ".rego",
        ".toml", ".j2", ".tmpl", ".tpl", ".erb", ".bak", ".orig", ".swp",
    ];
    if (lower.starts_with("dockerfile")
        || lower.starts_with("containerfile")
        || lower.contains(".dockerfile")
        || lower.contains(".containerfile"))
        && !not_docker_ext.iter().any(|e| lower.ends_with(e))
    {
        return Some(FileKind::Dockerfile);
    }
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if yaml
        && (lower == ".gitlab-ci.yml"
            || lower == ".gitlab-ci.yaml"
            || lower.ends_with(".gitlab-ci.yml"))
    {
        return Some(FileKind::GitlabCi);
    }
    if yaml && rel_path.contains(".github/workflows/") {
        return Some(FileKind::GithubWorkflow);
    }
    if lower == "action.yml" || lower == "action.yaml" {
        return Some(FileKind::GithubAction);
    }
    // Helm and Kustomize, by the names their tools read (exact case, as they do).
    match name {
        "Chart.yaml" => return Some(FileKind::HelmChart),
        "values.yaml" | "values.yml" => return Some(FileKind::HelmValues),
        "kustomization.yaml" | "kustomization.yml" | "Kustomization" => {
            return Some(FileKind::Kustomization);
        }
        _ => {}
    }
    if yaml && is_helm_template(rel_path, head) {
        return Some(FileKind::HelmTemplate);
    }
    if yaml
        && (lower.starts_with("docker-compose")
            || lower.starts_with("compose.")
            || lower.starts_with("compose-"))
    {
        return Some(FileKind::Compose);
    }
    match lower.as_str() {
        ".npmrc" | "npmrc" => return Some(FileKind::Npmrc),
        "pip.conf" | "pip.ini" => return Some(FileKind::PipConf),
        "pyproject.toml" => return Some(FileKind::Pyproject),
        "package.json" => return Some(FileKind::PackageJson),
        "package-lock.json" | "npm-shrinkwrap.json" => return Some(FileKind::NpmLock),
        "yarn.lock" => return Some(FileKind::YarnLock),
        _ => {}
    }
    if lower.ends_with(".tf") || lower.ends_with(".tofu") {
        return Some(FileKind::Terraform);
    }
    if lower.ends_with(".txt")
        && (lower.starts_with("requirements") || lower.contains("requirements"))
    {
        return Some(FileKind::RequirementsTxt);
    }
    if lower.ends_with(".json") {
        let head = String::from_utf8_lossy(&head[..head.len().min(64 * 1024)]);
        // Before Kubernetes: a plan of `kubernetes_manifest` resources holds apiVersion/kind.
        if head.trim_start().starts_with('{')
            && head.contains("\"format_version\"")
            && (head.contains("\"planned_values\"") || head.contains("\"resource_changes\""))
        {
            return Some(FileKind::TerraformPlan);
        }
        if head.trim_start().starts_with('{')
            && head.contains("\"apiVersion\"")
            && head.contains("\"kind\"")
        {
            return Some(FileKind::Kubernetes);
        }
        return None;
    }
    if yaml {
        let head = String::from_utf8_lossy(&head[..head.len().min(64 * 1024)]);
        let has = |k: &str| {
            head.lines()
                .any(|l| l.starts_with(k) || l.trim_start_matches("- ").starts_with(k))
        };
        if has("apiVersion:") && has("kind:") {
            return Some(FileKind::Kubernetes);
        }
        if head.lines().any(|l| l.starts_with("services:")) && !has("apiVersion:") {
            return Some(FileKind::Compose);
        }
    }
    None
}

/// A YAML file in a `templates/` folder (at any depth below it) whose first 64 KiB hold a Go
/// template action. With an empty `head` (detection by name only) the answer is no: the caller
/// looks again with the content.
fn is_helm_template(rel_path: &str, head: &[u8]) -> bool {
    let mut folders = rel_path.split('/');
    folders.next_back();
    if !folders.any(|f| f == "templates") {
        return false;
    }
    let head = &head[..head.len().min(64 * 1024)];
    head.windows(2).any(|w| w == b"{{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_kinds_from_names_and_heads() {
        for (path, kind) in [
            ("Dockerfile", FileKind::Dockerfile),
            ("build/api.Containerfile", FileKind::Dockerfile),
            (".gitlab-ci.yml", FileKind::GitlabCi),
            ("ci/deploy.gitlab-ci.yml", FileKind::GitlabCi),
            (".github/workflows/ci.yaml", FileKind::GithubWorkflow),
            ("a/action.yml", FileKind::GithubAction),
            ("docker-compose.prod.yml", FileKind::Compose),
            (".pre-commit-config.yaml", FileKind::PreCommit),
            (".npmrc", FileKind::Npmrc),
            ("pip.ini", FileKind::PipConf),
            ("pyproject.toml", FileKind::Pyproject),
            ("dev-requirements.txt", FileKind::RequirementsTxt),
            ("web/package.json", FileKind::PackageJson),
            ("Package-Lock.json", FileKind::NpmLock),
            ("yarn.lock", FileKind::YarnLock),
        ] {
            assert_eq!(config(path, b""), Some(kind), "{path}");
        }
        assert_eq!(config("Dockerfile.md", b""), None);
        assert_eq!(config("README.md", b""), None);
        assert_eq!(
            config("deploy.json", br#"{"apiVersion": "v1", "kind": "Pod"}"#),
            Some(FileKind::Kubernetes)
        );
        assert_eq!(config("other.json", b"{}"), None);
        assert_eq!(config("infra/main.tf", b""), Some(FileKind::Terraform));
        assert_eq!(config("infra/Main.TOFU", b""), Some(FileKind::Terraform));
        assert_eq!(config("infra/main.tfvars", b""), None);
        assert_eq!(
            config(
                "tfplan.json",
                br#"{"format_version":"1.2","planned_values":{"root_module":{}}}"#
            ),
            Some(FileKind::TerraformPlan)
        );
        // A plan of Kubernetes manifests is still a plan.
        assert_eq!(
            config(
                "plan.json",
                br#"{"format_version":"1.2","resource_changes":[{"apiVersion":"v1","kind":"Pod"}]}"#
            ),
            Some(FileKind::TerraformPlan)
        );
        // A state file (`values`, no plan keys) is not a plan.
        assert_eq!(
            config("state.json", br#"{"format_version":"1.0","values":{}}"#),
            None
        );
        assert_eq!(
            config("stack.yml", b"services:\n  web:\n    image: x\n"),
            Some(FileKind::Compose)
        );
        assert_eq!(config("other.yaml", b"replicas: 2\n"), None);
    }

    #[test]
    fn helm_and_kustomize_files() {
        assert_eq!(config("chart/Chart.yaml", b""), Some(FileKind::HelmChart));
        assert_eq!(config("chart/values.yaml", b""), Some(FileKind::HelmValues));
        assert_eq!(
            config("base/kustomization.yaml", b""),
            Some(FileKind::Kustomization)
        );
        assert_eq!(
            config("o/Kustomization", b""),
            Some(FileKind::Kustomization)
        );
        let tmpl =
            b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n";
        assert_eq!(
            config("chart/templates/deploy.yaml", tmpl),
            Some(FileKind::HelmTemplate)
        );
        assert_eq!(
            config("chart/templates/sub/svc.yml", tmpl),
            Some(FileKind::HelmTemplate)
        );
        // Without an action it is plain YAML; outside `templates/` too.
        assert_eq!(
            config("chart/templates/plain.yaml", b"apiVersion: v1\nkind: Pod\n"),
            Some(FileKind::Kubernetes)
        );
        assert_eq!(config("deploy.yaml", tmpl), Some(FileKind::Kubernetes));
        assert_eq!(config("chart/templates/deploy.yaml", b""), None);
    }

    #[test]
    fn package_sources_by_exact_name() {
        assert_eq!(package_source("Cargo.lock"), Some(FileKind::CargoLock));
        assert_eq!(
            package_source("a/requirements-dev.pip"),
            Some(FileKind::Requirements)
        );
        assert_eq!(
            package_source("requirements/base.txt"),
            Some(FileKind::Requirements)
        );
        // Only policy reads any `*requirements*.txt`, and names in any case.
        assert_eq!(package_source("dev-requirements.txt"), None);
        assert_eq!(package_source("Package-Lock.json"), None);
        assert_eq!(package_source("node_modules/.package-lock.json"), None);
        assert_eq!(package_source("var/lib/dpkg/status.d/base.md5sums"), None);
        assert_eq!(
            package_source("var/lib/dpkg/status.d/base"),
            Some(FileKind::DpkgStatusD)
        );
        assert_eq!(package_source("Dockerfile"), None);
        // Maven, Gradle, NuGet and .NET.
        assert_eq!(package_source("app/pom.xml"), Some(FileKind::PomXml));
        assert_eq!(
            package_source("gradle.lockfile"),
            Some(FileKind::GradleLockfile)
        );
        assert_eq!(
            package_source("lib/buildscript-gradle.lockfile"),
            Some(FileKind::GradleLockfile)
        );
        assert_eq!(
            package_source("gradle/dependency-locks/compileClasspath.gradle.lockfile"),
            Some(FileKind::GradleLockfile)
        );
        assert_eq!(
            package_source("src/packages.lock.json"),
            Some(FileKind::NugetLock)
        );
        assert_eq!(
            package_source("bin/App.deps.json"),
            Some(FileKind::DotnetDeps)
        );
        assert_eq!(package_source(".deps.json"), None);
        // CI files, for the actions and components they name.
        assert_eq!(
            package_source(".github/workflows/ci.yml"),
            Some(FileKind::GithubWorkflow)
        );
        assert_eq!(package_source(".github/workflows/sub/ci.yml"), None);
        assert_eq!(package_source("a/action.yml"), Some(FileKind::GithubAction));
        assert_eq!(package_source(".gitlab-ci.yml"), Some(FileKind::GitlabCi));
    }
}
