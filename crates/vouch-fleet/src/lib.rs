//! The fleet index: which artifacts contain which packages, across every SBOM a team keeps.
//!
//! A [`Store`] holds artifacts (name, labels) and the versions of each (what was ingested:
//! version, digest, source, format, when). The components of an artifact's current version are
//! indexed by ecosystem and normalised name; re-ingesting an artifact replaces them in one
//! transaction and records what entered and left ([`Store::history`]). The same schema and
//! statements run on SQLite (embedded, the default) and PostgreSQL ([`Location`]); migrations
//! are numbered and run on [`Store::open`] (the `schema_version` table).
//!
//! Answers:
//! - [`Store::query`]: artifacts holding a package, at a version, in a range in the
//!   ecosystem's own order, or at any version ([`Pattern`]); an indexed name lookup, versions
//!   filtered in Rust with `vouch-version`;
//! - [`Store::affected`]: artifacts affected by one advisory (an id or an alias), matched by
//!   `vouch-advisory`'s matcher — the same answer `vouch vulns` gives for each artifact;
//! - [`Store::rescan`]: every artifact re-matched, the findings stored, and what is new since
//!   the previous rescan returned;
//! - pipeline events ([`PipelineEvent`], [`Store::add_events`], [`Store::events`],
//!   [`Store::events_in_window`]) for the delivery SLOs: vouch-slo's type, read by its parser
//!   ([`events::parse`]), so `vouch slo status` gets the same events from the store as from
//!   webhook files.
//!
//! The library reads no clock and no environment: times are arguments.

mod backend;
pub mod events;
pub mod pattern;
mod schema;
mod store;
mod summary;

pub use events::PipelineEvent;
pub use pattern::{Pattern, Selection, VersionSelector};
pub use store::{
    Added, Affected, Artifact, ArtifactDetail, Change, Finding, Hit, Ingest, Location, QueryAnswer,
    Rescan, Store, StoredComponent, parse_labels,
};
pub use summary::{Changes, RescanRecord};

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{backend} store: {message}")]
    Database {
        backend: &'static str,
        message: String,
    },
    #[error("cannot open the fleet store {location}: {message}")]
    Open { location: String, message: String },
    #[error(
        "the fleet store {location} has schema version {found}, newer than the {supported} this vouch knows: upgrade vouch"
    )]
    NewerSchema {
        location: String,
        found: i64,
        supported: i64,
    },
    #[error("invalid query `{pattern}`: {reason}")]
    Pattern { pattern: String, reason: String },
    #[error("invalid label `{label}`: expected KEY=VALUE with a non-empty key")]
    Label { label: String },
    #[error("stored pipeline event {event}: {reason}")]
    Event { event: String, reason: String },
    #[error("no artifact named `{name}` in the fleet store")]
    UnknownArtifact { name: String },
    #[error(
        "advisory `{id}` is not in the advisory database {db} (neither as an id nor as an alias)"
    )]
    UnknownAdvisory { id: String, db: String },
    #[error(transparent)]
    Match(#[from] vouch_advisory::matching::MatchError),
    #[error(transparent)]
    Advisory(#[from] vouch_advisory::db::DbError),
    #[error("PostgreSQL stores need vouch built with the `postgres` feature")]
    NoPostgres,
}
