//! Pinning for vouch: find mutable references (image tags, GitHub `uses:` refs, GitLab
//! includes and components, pre-commit `rev:`), rewrite them in place to digests and commits,
//! record them in `vouch.lock`, and plan semver-checked updates.
//!
//! The pure parts take bytes and return typed values, so they are fuzzed and unit-tested
//! without a network: [`discover`], [`rewrite`], [`version`], [`interface`], [`lock`].
//!
//! ```
//! use vouch_pin::{FileKind, discover::discover};
//! let text = "FROM python:3.12-slim\n";
//! let refs = discover(FileKind::Dockerfile, text.as_bytes()).unwrap();
//! assert_eq!(refs[0].name(), "python");
//! assert!(!refs[0].is_pinned());
//! ```

pub mod discover;
pub mod locate;
pub mod reference;

pub use reference::{
    DownloadTarget, Downloader, FileKind, GitKind, GitTarget, ImageTarget, Reference, Repo, Span,
    Target,
};
pub mod interface;
pub mod lock;
pub mod pin;
pub mod rewrite;
pub mod sources;
pub mod update;
pub mod version;
pub mod walk;

/// The resolver crate, re-exported so callers build a [`vouch_resolve::Resolver`] without a
/// separate dependency.
pub use vouch_resolve;
pub mod cache;
#[doc(hidden)]
pub mod fuzzing;
pub mod report;
