//! Which parser reads which file, decided from the path alone (relative to the scanned root)
//! by the shared detection in `vouch-filekind`; [`FileKind`] is this crate's view of it.

/// Every kind of file vouch inventories (a view of [`vouch_filekind::FileKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
    /// `requirements*.txt` (and `*.txt` under a `requirements/` folder).
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
    /// Maven `pom.xml`: the declared dependencies, versions resolved within the file.
    PomXml,
    /// `gradle.lockfile`, `*.gradle.lockfile`, `buildscript-gradle.lockfile`, ….
    GradleLockfile,
    /// NuGet `packages.lock.json`.
    NugetLock,
    /// .NET `*.deps.json`.
    DotnetDeps,
    /// A GitHub Actions workflow (`.github/workflows/*.yml`): the actions and images it uses.
    GithubWorkflow,
    /// A GitHub action's `action.yml`: the actions and images a composite or Docker action uses.
    GithubAction,
    /// `.gitlab-ci.yml`: the CI/CD components and project files it includes.
    GitlabCi,
    /// An ELF executable (detected by its first bytes, never by name): Go build info and
    /// `cargo auditable` data ([`crate::binary`]).
    Binary,
}

impl FileKind {
    /// Short label for tables and messages.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::CargoLock => "Cargo.lock",
            FileKind::NpmLock => "package-lock.json",
            FileKind::YarnLock => "yarn.lock",
            FileKind::PnpmLock => "pnpm-lock.yaml",
            FileKind::PoetryLock => "poetry.lock",
            FileKind::UvLock => "uv.lock",
            FileKind::PipfileLock => "Pipfile.lock",
            FileKind::Requirements => "requirements.txt",
            FileKind::GoMod => "go.mod",
            FileKind::GemfileLock => "Gemfile.lock",
            FileKind::ComposerLock => "composer.lock",
            FileKind::PythonInstalled => "python dist-info",
            FileKind::NodeModule => "node_modules",
            FileKind::DpkgStatus => "dpkg status",
            FileKind::DpkgStatusD => "dpkg status.d",
            FileKind::ApkInstalled => "apk installed",
            FileKind::RpmSqlite => "rpmdb.sqlite",
            FileKind::PomXml => "pom.xml",
            FileKind::GradleLockfile => "gradle.lockfile",
            FileKind::NugetLock => "packages.lock.json",
            FileKind::DotnetDeps => "deps.json",
            FileKind::GithubWorkflow => "GitHub workflow",
            FileKind::GithubAction => "action.yml",
            FileKind::GitlabCi => "GitLab CI",
            FileKind::Binary => "executable",
        }
    }

    /// Lockfiles say what will be installed; the rest record what is installed.
    pub fn source_kind(self) -> crate::SourceKind {
        match self {
            FileKind::PythonInstalled
            | FileKind::NodeModule
            | FileKind::DpkgStatus
            | FileKind::DpkgStatusD
            | FileKind::ApkInstalled
            | FileKind::RpmSqlite
            | FileKind::Binary => crate::SourceKind::Installed,
            _ => crate::SourceKind::Lockfile,
        }
    }

    /// Whether this kind holds OS packages (and so takes the distro from `etc/os-release`).
    pub fn is_os(self) -> bool {
        matches!(
            self,
            FileKind::DpkgStatus
                | FileKind::DpkgStatusD
                | FileKind::ApkInstalled
                | FileKind::RpmSqlite
        )
    }
}

/// Detects the kind of a file from its path relative to the scanned root (`/`-separated):
/// [`vouch_filekind::package_source`], seen as the kinds this crate parses.
///
/// ```
/// use vouch_inventory::{detect, FileKind};
/// assert_eq!(detect("app/Cargo.lock"), Some(FileKind::CargoLock));
/// assert_eq!(detect("var/lib/dpkg/status"), Some(FileKind::DpkgStatus));
/// assert_eq!(detect("x/node_modules/@babel/core/package.json"), Some(FileKind::NodeModule));
/// assert_eq!(detect("x/node_modules/a/node_modules/b/package.json"), Some(FileKind::NodeModule));
/// assert_eq!(detect("x/node_modules/a/lib/package.json"), None);
/// assert_eq!(detect("README.md"), None);
/// ```
pub fn detect(path: &str) -> Option<FileKind> {
    use vouch_filekind::FileKind as K;
    Some(match vouch_filekind::package_source(path)? {
        K::CargoLock => FileKind::CargoLock,
        K::NpmLock => FileKind::NpmLock,
        K::YarnLock => FileKind::YarnLock,
        K::PnpmLock => FileKind::PnpmLock,
        K::PoetryLock => FileKind::PoetryLock,
        K::UvLock => FileKind::UvLock,
        K::PipfileLock => FileKind::PipfileLock,
        K::Requirements => FileKind::Requirements,
        K::GoMod => FileKind::GoMod,
        K::GemfileLock => FileKind::GemfileLock,
        K::ComposerLock => FileKind::ComposerLock,
        K::PythonInstalled => FileKind::PythonInstalled,
        K::NodeModule => FileKind::NodeModule,
        K::DpkgStatus => FileKind::DpkgStatus,
        K::DpkgStatusD => FileKind::DpkgStatusD,
        K::ApkInstalled => FileKind::ApkInstalled,
        K::RpmSqlite => FileKind::RpmSqlite,
        K::PomXml => FileKind::PomXml,
        K::GradleLockfile => FileKind::GradleLockfile,
        K::NugetLock => FileKind::NugetLock,
        K::DotnetDeps => FileKind::DotnetDeps,
        K::GithubWorkflow => FileKind::GithubWorkflow,
        K::GithubAction => FileKind::GithubAction,
        K::GitlabCi => FileKind::GitlabCi,
        _ => return None,
    })
}

/// Detects an executable the inventory reads components from, by a file's first bytes
/// ([`vouch_filekind::executable`]: the ELF magic).
///
/// ```
/// use vouch_inventory::{detect_content, FileKind};
/// assert_eq!(detect_content(b"\x7fELF\x02\x01\x01\x00"), Some(FileKind::Binary));
/// assert_eq!(detect_content(b"MZ"), None);
/// ```
pub fn detect_content(head: &[u8]) -> Option<FileKind> {
    vouch_filekind::executable(head).map(|_| FileKind::Binary)
}
