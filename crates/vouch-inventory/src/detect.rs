//! Which parser reads which file, decided from the path alone (relative to the scanned root).

/// Every kind of file vouch inventories.
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

/// Detects the kind of a file from its path relative to the scanned root (`/`-separated).
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
