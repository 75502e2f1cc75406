//! vouch's own checks around `sigstore-verify`: every field of a bundle is verified, required to
//! be consistent with what was verified, or rejected where it must not appear.
//!
//! - `check_message_digest`: `messageSignature.messageDigest.algorithm` must be spelled as the
//!   Sigstore protobuf enum spells it (`SHA2_256`, …), and its digest must equal the artifact's.
//! - `check_payload_type`: a DSSE envelope must carry an in-toto statement
//!   (`application/vnd.in-toto+json`).
//! - `check_log_entries`: each inclusion proof's Merkle root is recomputed here
//!   ([`merkle::root_from_inclusion_proof`]) and must equal both `inclusionProof.rootHash` and
//!   the root of the signed checkpoint; the proof's tree size must be the checkpoint's; a Rekor v2
//!   entry (`hashedrekord` 0.0.2) must not carry an `integratedTime` (Rekor v2 has none) nor an
//!   inclusion promise, and its proof's `logIndex` must be the entry's.
//!
//! `sigstore-verify` (0.15) authenticates the Rekor v2 root through the checkpoint but leaves the
//! duplicate `rootHash` and `integratedTime` unread, so a bundle with either changed still
//! verified there; sigstore-js rejects both.

use base64::Engine as _;
use sha2::Digest as _;
use sigstore_verify::types::KindVersion;
use vouch_digest::{Algorithm, Digest};

use crate::bundle::Bundle;
use crate::verify::{Artifact, VerifyError};

/// The `HashAlgorithm` names of the Sigstore protobuf specs (`sigstore_common.proto`), exactly.
pub const DIGEST_ALGORITHMS: &[&str] =
    &["SHA2_256", "SHA2_384", "SHA2_512", "SHA3_256", "SHA3_384"];

fn b64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// `messageSignature.messageDigest`: the algorithm is one of [`DIGEST_ALGORITHMS`], spelled
/// exactly, and the digest is the artifact's under that algorithm. Absent: nothing to check.
pub(crate) fn check_message_digest(
    bundle: &Bundle,
    artifact: Artifact<'_>,
) -> Result<(), VerifyError> {
    let Some(md) = bundle
        .json()
        .get("messageSignature")
        .and_then(|m| m.get("messageDigest"))
    else {
        return Ok(());
    };
    let algorithm = match md.get("algorithm") {
        Some(serde_json::Value::String(s)) => s.as_str(),
        Some(other) => {
            return Err(VerifyError::UnknownDigestAlgorithm {
                found: other.to_string(),
            });
        }
        None => {
            return Err(VerifyError::UnknownDigestAlgorithm {
                found: "(none)".into(),
            });
        }
    };
    if !DIGEST_ALGORITHMS.contains(&algorithm) {
        return Err(VerifyError::UnknownDigestAlgorithm {
            found: algorithm.to_owned(),
        });
    }
    let claimed = md
        .get("digest")
        .and_then(|d| d.as_str())
        .and_then(b64)
        .ok_or_else(|| VerifyError::InvalidBundle {
            detail: "messageSignature.messageDigest.digest is not base64".into(),
        })?;
    if algorithm == "SHA2_256" {
        let found = artifact.sha256();
        let expected = Digest::from_bytes(Algorithm::Sha256, claimed.clone()).ok_or_else(|| {
            VerifyError::InvalidBundle {
                detail: format!(
                    "messageSignature.messageDigest.digest has {} bytes; SHA2_256 has 32",
                    claimed.len()
                ),
            }
        })?;
        if expected == found {
            return Ok(());
        }
        return Err(VerifyError::DigestMismatch { expected, found });
    }
    let claimed = hex::encode(claimed);
    let found = match (algorithm, artifact) {
        ("SHA2_384", Artifact::Bytes(b)) => hex::encode(sha2::Sha384::digest(b)),
        ("SHA2_512", Artifact::Bytes(b)) => hex::encode(sha2::Sha512::digest(b)),
        (alg, _) => {
            return Err(VerifyError::UnsupportedBundle {
                detail: format!(
                    "the message digest is {alg}, which vouch cannot compute for this artifact (it checks SHA2_256, and SHA2_384/SHA2_512 of a file)"
                ),
            });
        }
    };
    if claimed == found {
        return Ok(());
    }
    Err(VerifyError::ArtifactMismatch {
        detail: format!(
            "artifact has {algorithm} digest {found}, but the bundle's message digest is {claimed}"
        ),
    })
}

/// A DSSE envelope's `payloadType` must be in-toto's: vouch reads the payload as an in-toto
/// statement, so any other type would be misread.
pub(crate) fn check_payload_type(payload_type: &str) -> Result<(), VerifyError> {
    if payload_type == vouch_attest::dsse::IN_TOTO_PAYLOAD_TYPE {
        Ok(())
    } else {
        Err(VerifyError::UnsupportedPayloadType {
            found: payload_type.to_owned(),
        })
    }
}

/// The root hash line of a checkpoint (signed note): `origin\nsize\nbase64 root\n…\n\n— sigs`.
fn checkpoint_size_and_root(envelope: &str) -> Option<(u64, [u8; 32])> {
    let note = envelope.split("\n\n").next()?;
    let mut lines = note.lines();
    let _origin = lines.next()?;
    let size = lines.next()?.parse().ok()?;
    let root: [u8; 32] = b64(lines.next()?)?.try_into().ok()?;
    Some((size, root))
}

/// Check every transparency-log entry of `bundle` for consistency with what was verified.
/// Runs after `sigstore-verify` accepted the entries (so their cryptography already held); an
/// entry that fails here had a field changed that `sigstore-verify` does not read.
pub(crate) fn check_log_entries(bundle: &Bundle) -> Result<(), VerifyError> {
    for (i, entry) in bundle
        .inner
        .verification_material
        .tlog_entries
        .iter()
        .enumerate()
    {
        let log_index = entry.log_index.get();
        let rekor_v2 = entry.kind_version == KindVersion::HashedRekordV002;
        if rekor_v2 {
            // proto3 JSON: an absent integratedTime and "0" are the same; anything else is a
            // time Rekor v2 never gives, so nothing could have authenticated it.
            if let Some(t) = entry.integrated_time {
                return Err(VerifyError::UnexpectedLogField {
                    log_index,
                    field: "integratedTime",
                    found: t.as_second().to_string(),
                });
            }
            if entry.inclusion_promise.is_some() {
                return Err(VerifyError::UnexpectedLogField {
                    log_index,
                    field: "inclusionPromise",
                    found: "a signed entry timestamp".into(),
                });
            }
        }
        let Some(proof) = &entry.inclusion_proof else {
            continue;
        };
        let explicit_proof_index = bundle
            .json()
            .pointer(&format!(
                "/verificationMaterial/tlogEntries/{i}/inclusionProof/logIndex"
            ))
            .is_some();
        if rekor_v2 && explicit_proof_index && proof.log_index.get() != log_index {
            return Err(VerifyError::InconsistentLogEntry {
                log_index,
                field: "inclusionProof.logIndex",
                expected: log_index.to_string(),
                found: proof.log_index.get().to_string(),
            });
        }
        let envelope = proof.checkpoint.envelope();
        let (size, checkpoint_root) =
            checkpoint_size_and_root(envelope).ok_or_else(|| VerifyError::InvalidCheckpoint {
                detail: format!(
                    "log entry {log_index}: the checkpoint has no tree size and root hash"
                ),
            })?;
        if size != proof.tree_size {
            return Err(VerifyError::InconsistentLogEntry {
                log_index,
                field: "inclusionProof.treeSize",
                expected: format!("{size} (the signed checkpoint's tree size)"),
                found: proof.tree_size.to_string(),
            });
        }
        // Rekor v1 proofs index into the log shard, not the global index.
        let leaf_index = if rekor_v2 {
            log_index
        } else {
            proof.log_index.get()
        };
        let leaf = merkle::leaf_hash(entry.canonicalized_body.as_bytes());
        let hashes: Vec<[u8; 32]> = proof
            .hashes
            .iter()
            .map(|h| {
                <[u8; 32]>::try_from(&h.as_bytes()[..]).map_err(|_| {
                    VerifyError::MalformedLogEntry {
                        detail: format!(
                            "log entry {log_index}: an inclusion proof hash is not 32 bytes"
                        ),
                    }
                })
            })
            .collect::<Result<_, _>>()?;
        let computed =
            merkle::root_from_inclusion_proof(&leaf, leaf_index, proof.tree_size, &hashes)
                .map_err(|e| VerifyError::InvalidInclusionProof {
                    detail: format!("log entry {log_index}: {e}"),
                })?;
        let proof_root = &proof.root_hash.as_bytes()[..];
        if proof_root != computed.as_slice() {
            return Err(VerifyError::RootHashMismatch {
                log_index,
                field: "inclusionProof.rootHash",
                computed: hex::encode(computed),
                found: hex::encode(proof_root),
            });
        }
        if checkpoint_root != computed {
            return Err(VerifyError::RootHashMismatch {
                log_index,
                field: "the signed checkpoint's root hash",
                computed: hex::encode(computed),
                found: hex::encode(checkpoint_root),
            });
        }
    }
    Ok(())
}

/// RFC 6962 / RFC 9162 Merkle tree hashing and inclusion proofs.
pub mod merkle {
    use sha2::{Digest as _, Sha256};

    /// Longest inclusion proof for a tree of at most 2^64 leaves.
    pub const MAX_PROOF_LEN: usize = 64;

    /// Why an inclusion proof has the wrong shape for its index and tree size.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    #[non_exhaustive]
    pub enum ProofError {
        #[error("leaf index {index} is not below the tree size {size}")]
        IndexOutOfRange { index: u64, size: u64 },
        #[error("the proof has {found} hashes, more than a tree of size {size} needs")]
        TooManyHashes { found: usize, size: u64 },
        #[error("the proof has {found} hashes, fewer than a tree of size {size} needs")]
        TooFewHashes { found: usize, size: u64 },
    }

    /// `SHA-256(0x00 || data)`.
    pub fn leaf_hash(data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(data);
        h.finalize().into()
    }

    /// `SHA-256(0x01 || left || right)`.
    pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([1u8]);
        h.update(left);
        h.update(right);
        h.finalize().into()
    }

    /// The root hash an inclusion proof leads to (RFC 9162 section 2.1.3.2), or why the proof
    /// cannot be one for `index` in a tree of `size` leaves.
    pub fn root_from_inclusion_proof(
        leaf: &[u8; 32],
        index: u64,
        size: u64,
        proof: &[[u8; 32]],
    ) -> Result<[u8; 32], ProofError> {
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        if proof.len() > MAX_PROOF_LEN {
            return Err(ProofError::TooManyHashes {
                found: proof.len(),
                size,
            });
        }
        let (mut f, mut s) = (index, size - 1);
        let mut r = *leaf;
        for p in proof {
            if s == 0 {
                return Err(ProofError::TooManyHashes {
                    found: proof.len(),
                    size,
                });
            }
            if f & 1 == 1 || f == s {
                r = node_hash(p, &r);
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            } else {
                r = node_hash(&r, p);
            }
            f >>= 1;
            s >>= 1;
        }
        if s != 0 {
            return Err(ProofError::TooFewHashes {
                found: proof.len(),
                size,
            });
        }
        Ok(r)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// MTH(D[n]) of RFC 6962 section 2.1, from leaf hashes.
        fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
            if leaves.len() == 1 {
                return leaves[0];
            }
            let k = split(leaves.len());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }

        /// Largest power of two below n (n > 1).
        fn split(n: usize) -> usize {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            k
        }

        /// PATH(m, D[n]) of RFC 6962 section 2.1.1.
        fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
            if leaves.len() <= 1 {
                return Vec::new();
            }
            let k = split(leaves.len());
            if m < k {
                let mut p = path(m, &leaves[..k]);
                p.push(mth(&leaves[k..]));
                p
            } else {
                let mut p = path(m - k, &leaves[k..]);
                p.push(mth(&leaves[..k]));
                p
            }
        }

        #[test]
        fn every_leaf_of_trees_up_to_33_leads_to_the_root() {
            for n in 1..=33usize {
                let leaves: Vec<[u8; 32]> = (0..n)
                    .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
                    .collect();
                let root = mth(&leaves);
                for (m, leaf) in leaves.iter().enumerate() {
                    let p = path(m, &leaves);
                    assert_eq!(
                        root_from_inclusion_proof(leaf, m as u64, n as u64, &p),
                        Ok(root),
                        "leaf {m} of {n}"
                    );
                    // Another index with the same proof leads elsewhere (or is refused).
                    if n > 1 {
                        let other = (m + 1) % n;
                        assert_ne!(
                            root_from_inclusion_proof(leaf, other as u64, n as u64, &p),
                            Ok(root),
                            "leaf {m} of {n} as {other}"
                        );
                    }
                }
            }
        }

        #[test]
        fn wrong_shapes_are_refused() {
            let l = leaf_hash(b"x");
            assert_eq!(
                root_from_inclusion_proof(&l, 3, 3, &[]),
                Err(ProofError::IndexOutOfRange { index: 3, size: 3 })
            );
            assert_eq!(
                root_from_inclusion_proof(&l, 0, 1, &[l]),
                Err(ProofError::TooManyHashes { found: 1, size: 1 })
            );
            assert_eq!(
                root_from_inclusion_proof(&l, 0, 4, &[l]),
                Err(ProofError::TooFewHashes { found: 1, size: 4 })
            );
            assert_eq!(
                root_from_inclusion_proof(&l, 0, u64::MAX, &[l; 65]),
                Err(ProofError::TooManyHashes {
                    found: 65,
                    size: u64::MAX
                })
            );
            assert_eq!(root_from_inclusion_proof(&l, 0, 1, &[]), Ok(l));
        }
    }
}
