//! The ingest token: the one secret of `vouch serve`. It never reaches `Debug`, `Display`,
//! logs or answers; comparisons take the same time whatever the guess.

use aws_lc_rs::{constant_time, digest, hmac};

/// Shortest token accepted: a short token is guessed over the network.
pub const MIN_LEN: usize = 16;

/// The shared secret that allows `POST /api/sbom` and `POST /api/events`.
#[derive(Clone)]
pub struct IngestToken {
    secret: Vec<u8>,
}

impl std::fmt::Debug for IngestToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IngestToken(***)")
    }
}

/// Why a token was refused at start-up (the value itself is never part of the message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    #[error("the ingest token from {source_name} is empty")]
    Empty { source_name: String },
    #[error(
        "the ingest token from {source_name} has {len} characters, fewer than the {MIN_LEN} required"
    )]
    TooShort { source_name: String, len: usize },
    #[error("the ingest token from {source_name} holds a control character or a space")]
    Unprintable { source_name: String },
}

impl IngestToken {
    /// The token in `text` (a file's content or an environment value; surrounding whitespace
    /// and one final newline are dropped). `source_name` names where it came from in errors.
    pub fn new(text: &str, source_name: &str) -> Result<IngestToken, TokenError> {
        let token = text.trim();
        let source_name = source_name.to_owned();
        if token.is_empty() {
            return Err(TokenError::Empty { source_name });
        }
        if token.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(TokenError::Unprintable { source_name });
        }
        let len = token.chars().count();
        if len < MIN_LEN {
            return Err(TokenError::TooShort { source_name, len });
        }
        Ok(IngestToken {
            secret: token.as_bytes().to_vec(),
        })
    }

    /// Whether `given` is the token. Both sides are hashed first, so the time taken says
    /// nothing about the token's length or how much of a guess was right.
    pub fn matches(&self, given: &[u8]) -> bool {
        let a = digest::digest(&digest::SHA256, &self.secret);
        let b = digest::digest(&digest::SHA256, given);
        constant_time::verify_slices_are_equal(a.as_ref(), b.as_ref()).is_ok()
    }

    /// Whether `header` is GitHub's `X-Hub-Signature-256` for `body`: `sha256=` and the hex
    /// HMAC-SHA256 of the body under the token (verified in constant time).
    pub fn verifies_signature(&self, body: &[u8], header: &[u8]) -> bool {
        let Some(hex_sig) = header.strip_prefix(b"sha256=") else {
            return false;
        };
        let Ok(sig) = hex::decode(hex_sig) else {
            return false;
        };
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.secret);
        hmac::verify(&key, body, &sig).is_ok()
    }

    /// GitHub's signature header for `body` under this token (for tests and clients).
    pub fn sign(&self, body: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.secret);
        format!("sha256={}", hex::encode(hmac::sign(&key, body).as_ref()))
    }
}
