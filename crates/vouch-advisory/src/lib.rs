//! Vulnerability advisories: OSV and RustSec import, the local SQLite database, and matching
//! an inventory against it.
//!
//! - [`import`] reads OSV JSON and YAML files, folders, OSV zip exports and RustSec Markdown
//!   advisories ([`rustsec`] converts them to OSV) into validated [`osv::Record`]s; a malformed
//!   advisory is an [`import::Problem`] naming the file and reason, and the rest still imports.
//! - [`Database`] stores them in one SQLite file (one transaction per import) and computes the
//!   content digest every report records.
//! - [`matching`] places each component's version against the OSV ranges with `vouch-version`
//!   and returns [`vouch_report::Finding`]s; aliases merge into one finding.
//! - [`suppress`] applies OpenVEX documents and `.vouch/ignore.toml`.
//! - The results ([`MatchOutcome`]) are report data: `vouch_report::vulns::render` writes the
//!   table, JSON, SARIF, CycloneDX 1.6 and GitLab dependency-scanning outputs.
//!
//! The library takes paths, bytes and the date as arguments: the clock, the environment and the
//! data directory are the binary's business, and so is the network (`vouch db update`).
//!
//! ```
//! use vouch_advisory::{Database, import, matching};
//! use vouch_inventory::{Component, Ecosystem, Scope};
//!
//! let record = vouch_advisory::osv::parse_json(br#"{
//!   "id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-01T00:00:00Z",
//!   "affected": [{"package": {"ecosystem": "PyPI", "name": "Requests"},
//!                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.31.0"}]}]}]
//! }"#).unwrap();
//! let mut db = Database::in_memory().unwrap();
//! db.import(&[record]).unwrap();
//! let component = Component {
//!     ecosystem: Ecosystem::PyPi, name: "requests".into(), version: "2.30.0".into(),
//!     purl: "pkg:pypi/requests@2.30.0".into(), scope: Scope::Required, hashes: vec![],
//!     licenses: vec![], source_package: None, resolved: None, evidence: vec![], dependencies: vec![],
//!     first_party: false,
//!     properties: Default::default(),
//! };
//! let outcome = db.match_components(&[component], None, &matching::MatchOptions::default()).unwrap();
//! assert_eq!(outcome.matches.len(), 1);
//! assert_eq!(outcome.matches[0].fixed, vec!["2.31.0".to_string()]);
//! ```

pub mod db;
pub mod distro;
pub mod import;
pub mod matching;
pub mod osv;
pub mod rustsec;
pub mod suppress;

pub use db::{
    Database, DbError, ImportSummary, Importer, Provenance, RecordProblem, SourceRecord, Status,
};
pub use matching::{MatchError, MatchOptions, MatchOutcome, VulnMatch};
