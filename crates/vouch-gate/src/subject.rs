//! What is gated: a name and a digest. An image is gated by its manifest digest alone; a file
//! subject is hashed by the caller, who may keep the bytes with it for the checks that need
//! them (an Ed25519 signature covers the whole file, and an attestation may name the file by
//! its SHA-512).

use vouch_digest::{Algorithm, Digest};
use vouch_sign::verify::Artifact;

/// The artifact a decision is about. The digest and the bytes (when kept) always agree: the
/// only way to attach bytes is [`Subject::from_bytes`], which hashes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject<'a> {
    name: String,
    digest: Digest,
    bytes: Option<&'a [u8]>,
}

/// Why a subject cannot be gated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubjectError {
    #[error("subject {name} has digest {digest}; the gate needs a sha256 digest")]
    UnsupportedDigest { name: String, digest: Digest },
}

impl<'a> Subject<'a> {
    /// A subject known only by its digest (e.g. an image manifest's). Signatures and
    /// attestations are checked against the digest; it must be SHA-256.
    pub fn from_digest(name: impl Into<String>, digest: Digest) -> Result<Self, SubjectError> {
        let name = name.into();
        if digest.algorithm() != Algorithm::Sha256 {
            return Err(SubjectError::UnsupportedDigest { name, digest });
        }
        Ok(Self {
            name,
            digest,
            bytes: None,
        })
    }

    /// A file subject: its SHA-256 is computed here, and the bytes are kept for the checks
    /// that need them.
    pub fn from_bytes(name: impl Into<String>, bytes: &'a [u8]) -> Self {
        Self {
            name: name.into(),
            digest: Digest::sha256(bytes),
            bytes: Some(bytes),
        }
    }

    /// The name shown in messages and the summary (a file name, an image reference).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `sha256:` digest the decision is about.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The bytes, when the caller kept them.
    pub fn bytes(&self) -> Option<&'a [u8]> {
        self.bytes
    }

    /// What signatures and attestations are verified against: the bytes when kept, else the
    /// digest.
    pub(crate) fn artifact(&self) -> Artifact<'a> {
        match self.bytes {
            Some(b) => Artifact::Bytes(b),
            None => {
                let mut d = [0u8; 32];
                // `from_digest` admits SHA-256 only, so the length is 32.
                d.copy_from_slice(self.digest.as_bytes());
                Artifact::Sha256(d)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_subjects_are_hashed_and_keep_their_bytes() {
        let s = Subject::from_bytes("app.bin", b"app");
        assert_eq!(s.digest(), &Digest::sha256(b"app"));
        assert_eq!(s.name(), "app.bin");
        assert!(matches!(s.artifact(), Artifact::Bytes(b"app")));
    }

    #[test]
    fn digest_subjects_verify_by_digest() {
        let d = Digest::sha256(b"manifest");
        let s = Subject::from_digest("registry.example/app", d.clone()).unwrap();
        assert_eq!(s.bytes(), None);
        match s.artifact() {
            Artifact::Sha256(b) => assert_eq!(&b[..], d.as_bytes()),
            Artifact::Bytes(_) => panic!("no bytes were given"),
        }
    }

    #[test]
    fn only_sha256_digests_are_gated() {
        let d: Digest = format!("sha512:{}", "ab".repeat(64)).parse().unwrap();
        let err = Subject::from_digest("x", d).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "subject x has digest sha512:{}; the gate needs a sha256 digest",
                "ab".repeat(64)
            )
        );
    }
}
