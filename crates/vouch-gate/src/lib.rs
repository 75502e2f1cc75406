//! The promotion gate: verify an artifact's whole evidence set (signature, SLSA provenance,
//! SBOM bound by an SBOM attestation, other attestations) against a policy, optionally match
//! vulnerabilities from the verified SBOM and run Rego rules over the verified evidence, and
//! decide pass or deny with every reason.
//!
//! Pure: evidence bytes, trust material ([`vouch_sign::verify::Policy`] per trusted signer, a
//! [`vouch_sign::trust::TrustRoot`]), the [`Policy`], an opened advisory database and the date
//! come in; a [`Decision`] comes out. No file system, clock or network here.
//!
//! - [`policy`]: the `gate.toml` format, parsed then validated into [`Policy`].
//! - [`evaluate()`]: the evaluation; [`Decision`] holds the outcome and every [`Reason`].
//! - [`rego`]: the policy's Rego rules; their input is built from `Verified<_>` values only.
//! - [`summary()`]: the SLSA Verification Summary Attestation for a passed decision.
//!
//! ```
//! use vouch_gate::{Check, EvidenceFile, Inputs, Policy, evaluate};
//! use vouch_sign::{key::{Algorithm, SigningKey}, trust::TrustRoot, verify};
//!
//! let policy = Policy::parse("[trust]\nkeys = [\"release.pub\"]\n", "gate.toml").unwrap();
//! let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
//! let signers = [verify::Policy::Key {
//!     key: key.public_key().clone(),
//!     tlog: verify::TlogPolicy::IfPresent,
//! }];
//! let root = TrustRoot::production().unwrap();
//! let inputs = Inputs {
//!     artifact_name: "app.tar.gz",
//!     artifact: b"app",
//!     signature: None,
//!     sbom: None,
//!     attestations: &[],
//!     signers: &signers,
//!     trust_root: &root,
//!     advisories: None,
//!     suppressions: &Default::default(),
//!     check_findings: None,
//!     secret_findings: None,
//!     rules: None,
//!     today: vouch_advisory::suppress::Date::parse("2026-01-01").unwrap(),
//! };
//! let decision = evaluate(&policy, &inputs).unwrap();
//! assert!(!decision.passed());
//! assert_eq!(
//!     decision.codes(),
//!     vec![
//!         (Check::Signature, "missing-signature"),
//!         (Check::Provenance, "missing-provenance"),
//!         (Check::Sbom, "missing-sbom"),
//!         (Check::Sbom, "missing-sbom-attestation"),
//!     ]
//! );
//! ```

pub mod decision;
pub mod evaluate;
pub mod policy;
pub mod rego;
pub mod summary;

pub use decision::{ArtifactInfo, Check, Decision, Ignored, Outcome, Reason, UsedEvidence};
pub use evaluate::{EvidenceFile, GateError, Inputs, evaluate};
pub use policy::{Policy, PolicyError};
pub use summary::{PolicySource, summary};
