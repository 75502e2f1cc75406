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
            | FileKind::RpmSqlite => crate::SourceKind::Installed,
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
        _ => return None,
    })
}
