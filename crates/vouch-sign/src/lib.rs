//! Keys, Sigstore bundles, signing and offline verification, trust roots.
//!
//! - [`key`]: ECDSA P-256 / Ed25519 keys, cosign's encrypted key format, PEM public keys.
//! - [`sign`]: sign files and in-toto statements into Sigstore bundles with a local key.
//! - [`bundle`]: parse bundles (v0.1–v0.3) with typed errors.
//! - [`trust`]: the embedded production trusted root, or a custom one.
//! - [`verify`]: verify a bundle under a key or identity policy; returns [`verify::Verified`].
//! - [`strict`]: vouch's own consistency checks around `sigstore-verify` (recomputed Merkle
//!   roots, Rekor v2 fields, message digest algorithm, DSSE payload type).
//! - [`jsonl`]: read attestation JSONL files (one bundle per line).
//! - [`cosign`]: cosign's legacy image signatures (`.sig` simple-signing payloads) and
//!   attestations (`.att` DSSE envelopes), verified with a key.
//!
//! ```
//! use vouch_sign::{key::{Algorithm, SigningKey}, sign, trust::TrustRoot, verify};
//! let key = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
//! let bundle = sign::sign_blob(&key, b"hello").unwrap();
//! let policy = verify::Policy::Key {
//!     key: key.public_key().clone(),
//!     tlog: verify::TlogPolicy::IfPresent,
//! };
//! let trust = TrustRoot::production().unwrap();
//! let v = verify::verify(&bundle, verify::Artifact::Bytes(b"hello"), &policy, &trust).unwrap();
//! assert!(matches!(v.signer(), verify::Signer::Key { .. }));
//! ```

pub mod bundle;
pub mod cosign;
pub mod jsonl;
pub mod key;
pub mod sign;
pub mod strict;
pub mod trust;
pub mod verify;

pub use bundle::Bundle;
pub use verify::{Verified, VerifyError};
