//! The promotion gate: verify an artifact's whole evidence set (signature, SLSA provenance,
//! SBOM bound by an SBOM attestation, other attestations) against a policy, optionally match
//! vulnerabilities from the verified SBOM and run Rego rules over the verified evidence, and
//! decide pass or deny with every reason. A composition over vouch-sign, vouch-attest,
//! vouch-advisory, vouch-policy and vouch-secrets; the library call behind `vouch gate`, and
//! the one a server edge will make.
//!
//! The gate's parts, in the order a caller uses them:
//!
//! - [`load()`]: the policy file and everything it names (keys → signers, trusted root, VEX
//!   and ignore file, Rego modules expanded and compiled, the policy's digests) → [`Loaded`].
//! - [`Subject`]: what is gated, a name and a `sha256:` digest (an image by its manifest
//!   digest; a file hashed by [`Subject::from_bytes`], which keeps the bytes).
//! - [`EvidenceSet`]: where the evidence comes from ([`Folder`], or [`registry::Attached`]: what
//!   is attached to an image in its registry);
//!   [`Evidence::collect`] reads what the policy asks for.
//! - [`source`]: the `check = true` / `secrets = true` findings, fail-closed.
//! - [`gate()`]: the decision; [`evaluate()`] is its pure core (bytes, trust material, an
//!   opened database and the date in, no file system, clock or network), and [`Decision`]
//!   holds the outcome and every [`Reason`]. [`Report`] adds what to promote and where the
//!   summary went, as a value the edge renders.
//! - [`rebuild`]: the k-of-n rebuild rule (`[rebuilds]`): distinct trusted rebuilders whose
//!   valid rebuild statements agree on the subject's digest; another digest is an alert.
//! - [`summary()`]: the SLSA Verification Summary Attestation for a passed decision.
//! - [`rego`]: the policy's Rego rules (through vouch-policy's one Rego runner); their input is
//!   built from `Verified<_>` values only.
//!
//! ```
//! use vouch_gate::{Check, Inputs, Policy, Subject, evaluate};
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
//!     subject: &Subject::from_bytes("app.tar.gz", b"app"),
//!     signatures: &[],
//!     place: vouch_gate::evidence::Place::Folder,
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
//!     rebuilders: &[],
//!     now: "2026-01-01T00:00:00Z".parse().unwrap(),
//!     sarif: Default::default(),
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
pub mod evidence;
pub mod load;
pub mod policy;
pub mod rebuild;
pub mod registry;
pub mod rego;
pub mod sarif;
pub mod source;
pub mod subject;
pub mod summary;

pub use decision::{ArtifactInfo, Check, Decision, Ignored, Outcome, Reason, Report, UsedEvidence};
pub use evaluate::{Context, GateError, Inputs, claimed_predicate_type, evaluate, gate};
pub use evidence::{
    Evidence, EvidenceError, EvidenceFile, EvidenceSet, Folder, Place, SignatureContent,
    SignatureEvidence,
};
pub use load::{LoadError, Loaded, load};
pub use policy::{Policy, PolicyError, Rebuilds, Sarif};
pub use rebuild::Rebuilder;
pub use sarif::{SarifInputs, UnsignedInput};
pub use source::SourceError;
pub use subject::{Subject, SubjectError};
pub use summary::{PolicySource, summary};
