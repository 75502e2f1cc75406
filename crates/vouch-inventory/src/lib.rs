//! What an artifact contains: the [`Inventory`] model and the parsers that fill it.
//!
//! Parsers are pure: each takes one file's bytes as a [`Source`] and returns [`Parsed`] packages
//! (or a [`ParseError`] with line and column). [`detect`] maps a path to its [`FileKind`], and
//! [`parse`] dispatches to the parser. The [`walk`] module is the one place that reads the file
//! system: it finds every supported file below a root in parallel, parses them and merges the
//! results into an [`Inventory`], where one package found by a lockfile and by its installed
//! copy becomes one [`Component`] with both pieces of [`Evidence`].
//!
//! ```
//! use vouch_inventory::{detect, parse, Source, Ecosystem};
//! let lock = br#"
//! version = 3
//! [[package]]
//! name = "itoa"
//! version = "1.0.11"
//! source = "registry+https://github.com/rust-lang/crates.io-index"
//! checksum = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"
//! "#;
//! let kind = detect("Cargo.lock").unwrap();
//! let parsed = parse(kind, &Source::alone("Cargo.lock", lock)).unwrap();
//! assert_eq!(parsed.packages[0].ecosystem, Ecosystem::Cargo);
//! assert_eq!(parsed.packages[0].name, "itoa");
//! ```

pub mod binary;
mod detect;
pub mod installed;
mod inventory;
pub mod lockfile;
mod model;
pub mod os_release;
mod source;
pub mod walk;

pub use detect::{FileKind, detect, detect_content};
pub use inventory::{ImageSubject, Inventory, SourceFile};
pub use model::*;
pub use source::{NoSiblings, Siblings, Source, line_col};

/// Runs the parser for `kind` over one file.
pub fn parse(kind: FileKind, source: &Source<'_>) -> Result<Parsed, ParseError> {
    match kind {
        FileKind::CargoLock => lockfile::cargo::parse(source),
        FileKind::NpmLock => lockfile::npm::parse(source),
        FileKind::YarnLock => lockfile::yarn::parse(source),
        FileKind::PnpmLock => lockfile::pnpm::parse(source),
        FileKind::PoetryLock => lockfile::poetry::parse(source),
        FileKind::UvLock => lockfile::uv::parse(source),
        FileKind::PipfileLock => lockfile::pipfile::parse(source),
        FileKind::Requirements => lockfile::requirements::parse(source),
        FileKind::GoMod => lockfile::gomod::parse(source),
        FileKind::GemfileLock => lockfile::gemfile::parse(source),
        FileKind::ComposerLock => lockfile::composer::parse(source),
        FileKind::PythonInstalled => installed::python::parse(source),
        FileKind::NodeModule => installed::node::parse(source),
        FileKind::DpkgStatus | FileKind::DpkgStatusD => installed::dpkg::parse(source),
        FileKind::ApkInstalled => installed::apk::parse(source),
        FileKind::RpmSqlite => installed::rpm::parse(source),
        FileKind::PomXml => lockfile::maven::parse_pom(source),
        FileKind::GradleLockfile => lockfile::maven::parse_gradle_lockfile(source),
        FileKind::NugetLock => lockfile::nuget::parse_lock(source),
        FileKind::DotnetDeps => lockfile::nuget::parse_deps(source),
        FileKind::GithubWorkflow | FileKind::GithubAction => lockfile::ci::parse_github(source),
        FileKind::GitlabCi => lockfile::ci::parse_gitlab(source),
        FileKind::Binary => Ok(binary::scan_bytes(source.bytes).into_parsed()),
    }
}
