//! The cosign v3 image signature: an in-toto statement signed into a DSSE bundle.
//!
//! `cosign sign` v3 no longer writes a simple-signing payload: it signs an in-toto Statement v1
//! with predicate type [`IMAGE_SIGNATURE_PREDICATE`], one subject (the repository, `HOST/REPO`,
//! and the manifest's sha256) and an empty predicate, into a Sigstore bundle attached to the
//! image as an OCI 1.1 referrer. [`image_signature`] builds that statement; signing it with
//! `vouch_sign::sign::sign_statement` gives the bundle cosign writes.
//!
//! ```
//! use vouch_attest::image::{IMAGE_SIGNATURE_PREDICATE, image_signature};
//! let digest = vouch_digest::Digest::sha256(b"manifest");
//! let st = image_signature("ghcr.io/acme/api", &digest);
//! assert_eq!(st.predicate_type, IMAGE_SIGNATURE_PREDICATE);
//! assert!(st.has_subject(&digest));
//! assert_eq!(st.subject[0].name, "ghcr.io/acme/api");
//! ```

use vouch_digest::Digest;

use crate::statement::{Statement, Subject};

/// Predicate type of a cosign v3 image signature.
pub const IMAGE_SIGNATURE_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// The statement `cosign sign` v3 signs for the image `digest` in `repository` (`HOST/REPO`,
/// no tag, no digest): Statement v1, one subject `{name: repository, digest: {sha256}}`,
/// predicate `{}`.
pub fn image_signature(repository: &str, digest: &Digest) -> Statement {
    Statement::new(
        vec![Subject::new(repository, digest.clone())],
        IMAGE_SIGNATURE_PREDICATE,
        serde_json::json!({}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_has_cosigns_shape() {
        let digest: Digest =
            "sha256:d805674eae5a9a845d7e0827e3220fae008e3fcdd686631c8e7448d54eadb3f7"
                .parse()
                .unwrap();
        let st = image_signature("ghcr.io/ferentin-net/service-edge", &digest);
        assert_eq!(
            serde_json::to_value(&st).unwrap(),
            serde_json::json!({
                "_type": "https://in-toto.io/Statement/v1",
                "subject": [{
                    "name": "ghcr.io/ferentin-net/service-edge",
                    "digest": {"sha256": "d805674eae5a9a845d7e0827e3220fae008e3fcdd686631c8e7448d54eadb3f7"},
                }],
                "predicateType": "https://sigstore.dev/cosign/sign/v1",
                "predicate": {},
            })
        );
        // It parses back: an empty predicate is a predicate.
        let back = Statement::parse(&serde_json::to_vec(&st).unwrap()).unwrap();
        assert_eq!(back, st);
    }
}
