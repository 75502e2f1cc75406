//! Reproducible builds: [`diff`] compares two artifacts structurally (files, directories,
//! tar/tar.gz/tar.zst and zip archives, OCI layouts and archives, JSON documents) into a list of
//! [`diff::Difference`]s; [`reproduce`] builds a source tree twice under varied environments,
//! compares the two artifacts with the same engine and names the variation responsible.
//!
//! ```
//! use vouch_repro::diff::{self, Limits};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
//! std::fs::write(&a, r#"{"created": "2024-01-01", "os": "linux"}"#).unwrap();
//! std::fs::write(&b, r#"{"created": "2025-06-30", "os": "linux"}"#).unwrap();
//! let report = diff::compare(&a, &b, &Limits::default()).unwrap();
//! assert_eq!(report.differences.len(), 1);
//! assert_eq!(report.differences[0].path, "/created");
//! ```

pub mod diff;
pub mod reproduce;
