//! Files vouch reads and writes, with the rules of issue #12 in one place.
//!
//! - [`mod@read`]: every read has a bound checked on the bytes read (not on metadata), refuses
//!   FIFOs, devices and sockets with a clear error, and, for files the scanned repository
//!   controls (`.vouch/*`, Rego, lockfiles), refuses symbolic links that leave the repository.
//! - [`mod@write`]: writing results (`-o`, `--vsa`, `pin` rewrites): atomic replacement of regular
//!   files that keeps their mode, writing through devices and FIFOs (or refusing), following
//!   symbolic links instead of replacing them, and cleaning up temporary files.
//! - [`config`]: the one lookup of a repository's own configuration, `<root>/.vouch/<name>`.
//! - [`mod@walk`]: the one walker of every capability (one rule set, one `--exclude` builder)
//!   and the [`walk::Tree`] they read files through.

pub mod config;
pub mod read;
pub mod walk;
pub mod write;
