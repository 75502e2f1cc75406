//! A matched secret value that never prints itself in clear.

use sha2::{Digest as _, Sha256};

/// The bytes of a matched secret. `Debug` and `Display` print only the redacted form; the clear
/// value is reachable through [`Secret::expose`], which callers use for hashing and, behind
/// `--show-secrets`, for local triage.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub(crate) fn new(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// The clear value. Never log or print this outside `--show-secrets`.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// A few leading and trailing characters with `…` between them; short secrets keep less.
    ///
    /// At most one sixth of the characters (and never more than six at the front and two at the
    /// back) are kept, so the remaining characters still carry most of the entropy.
    pub fn redacted(&self) -> String {
        let text = String::from_utf8_lossy(&self.0);
        let chars: Vec<char> = text
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect();
        let n = chars.len();
        let lead = (n / 6).min(6);
        let trail = if n >= 24 { 2 } else { 0 };
        let mut out: String = chars[..lead].iter().collect();
        out.push('…');
        out.extend(&chars[n - trail..]);
        out
    }

    /// SHA-256 of the clear value, hex. Used inside the fingerprint; not printed on its own.
    pub(crate) fn sha256_hex(&self) -> String {
        hex(&Sha256::digest(&self.0))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_little() {
        let s = Secret::new(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789"); // vouch:allow (test value)
        assert_eq!(s.redacted(), "ghp_ab…89");
        assert_eq!(format!("{s:?}"), "Secret(ghp_ab…89)");
        assert_eq!(Secret::new(b"hunter2!").redacted(), "h…");
        assert_eq!(Secret::new(b"abc").redacted(), "…");
    }

    #[test]
    fn entropy_bounds() {
        assert!(entropy(b"aaaaaaaa") < 0.01);
        assert!((entropy(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }
}
