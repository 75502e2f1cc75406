//! Attestation formats: DSSE envelopes, in-toto Statement v1, SLSA Provenance v1.
//!
//! Pure formats: bytes in, typed model out. No I/O, no clock, no environment.
//!
//! - [`dsse::Envelope`]: a DSSE envelope that may carry several signatures, and [`dsse::pae`].
//! - [`statement::Statement`]: an in-toto Statement v1.
//! - [`slsa::Provenance`]: a SLSA Provenance v1 predicate, and [`slsa::build`] which fills one
//!   from a typed [`slsa::BuildContext`] that the caller (the binary) gathered.
//! - [`ci::context`]: the CI environment (a map of variables) → [`slsa::BuildContext`].
//! - [`sbom::locked_dependencies`]: the locked dependencies of a CycloneDX / SPDX JSON SBOM (read
//!   by `vouch-sbom`) as SLSA resource descriptors; the SBOM predicate types.
//! - [`rebuild::Rebuild`]: vouch's rebuild attestation ([`rebuild::REBUILD_V1`]): who rebuilt
//!   what from which source, the digest it got and the window the claim holds in.
//! - [`vsa::VerificationSummary`]: a SLSA Verification Summary Attestation v1 predicate.
//! - [`image::image_signature`]: the statement `cosign sign` v3 signs for an image
//!   ([`IMAGE_SIGNATURE_PREDICATE`]).
//!
//! ```
//! use vouch_attest::statement::{Statement, Subject};
//! let st = Statement::new(
//!     vec![Subject::new("app.tar.gz", vouch_digest::Digest::sha256(b"app"))],
//!     "https://slsa.dev/provenance/v1",
//!     serde_json::json!({}),
//! );
//! let bytes = serde_json::to_vec(&st).unwrap();
//! let back = Statement::parse(&bytes).unwrap();
//! let sha256 = back.subject[0].digest.get(vouch_digest::Algorithm::Sha256).unwrap();
//! assert_eq!(sha256, &vouch_digest::Digest::sha256(b"app"));
//! ```

pub mod ci;
pub mod dsse;
pub mod expect;
pub mod image;
pub mod rebuild;
pub mod sarif;
pub mod sbom;
pub mod slsa;
pub mod statement;
pub mod vsa;

pub use dsse::Envelope;
pub use image::{IMAGE_SIGNATURE_PREDICATE, image_signature};
pub use statement::Statement;
