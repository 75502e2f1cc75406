//! SARIF attestations: another tool's SARIF 2.1.0 log as the predicate of an in-toto
//! statement about the artifact it scanned, so the gate knows who ran the scan.
//!
//! No vetted in-toto predicate (in-toto/attestation `spec/predicates`: provenance, link,
//! SCAI, runtime traces, VSA, SPDX, CycloneDX, vulnerability, release, test result,
//! reference, simple verification result) carries SARIF, and cosign's `--type` list has none
//! either; so vouch names its own: [`PREDICATE_SARIF`], whose predicate is the SARIF log
//! exactly as the tool wrote it (a JSON object with `version` and `runs`).

/// `predicateType` of a SARIF attestation.
pub const PREDICATE_SARIF: &str = "https://vouch.dev/sarif/v1";
