//! Delivery SLOs: specs in, Prometheus rules and SLO status out. Pure: no files, no clock.
//!
//! - [`load`] reads an SLO file, vouch's seed format or OpenSLO v1, into validated [`Slo`]s
//!   (two stages: typed deserialisation refusing unknown keys, then validation with one
//!   [`SpecError`] variant per fault).
//! - [`rules::render`] writes Prometheus recording rules and multi-window multi-burn-rate
//!   alerts for them.
//! - [`event::parse`] turns GitLab pipeline/job webhooks and GitHub `workflow_run` /
//!   `workflow_job` payloads into [`PipelineEvent`]s; [`status::evaluate`] computes each SLO
//!   from them at a given time.
//!
//! ```
//! let slos = vouch_slo::load(r#"
//! slos:
//!   - name: pipeline-success
//!     target: 99%
//!     window: 30d
//!     indicator:
//!       kind: pipeline-success
//!       errors: sum(rate(ci_pipelines_total{status="failed"}[{{.window}}]))
//!       total: sum(rate(ci_pipelines_total[{{.window}}]))
//! "#).unwrap();
//! let rules = vouch_slo::rules::render(&slos);
//! assert!(rules.contains("(14.4 * 0.01)"));
//! ```

pub mod event;
pub mod number;
pub mod openslo;
pub mod rules;
pub mod spec;
pub mod status;

pub use event::PipelineEvent;
pub use spec::{EventIndicator, Indicator, Slo, SpecError, load};
