//! Content digests, parsed once at the boundary.
//!
//! [`Digest`] is an algorithm plus the raw bytes; it prints as `sha256:<lower-hex>` and parses
//! only a well-formed, full-length value (`sha256:ABC…` is normalised to lower case; truncated
//! hex is rejected). SHA-256 uses the CPU's SHA extensions when present (the `sha2` crate
//! detects SHA-NI / ARMv8 SHA at run time).
//!
//! ```
//! use vouch_digest::{Algorithm, Digest};
//! let d = Digest::sha256(b"hello\n");
//! assert_eq!(d.to_string(), "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
//! let parsed: Digest = d.to_string().parse().unwrap();
//! assert_eq!(parsed, d);
//! assert_eq!(parsed.algorithm(), Algorithm::Sha256);
//! assert!("sha256:abc".parse::<Digest>().is_err());
//! ```

use std::fmt;
use std::io::Read;
use std::str::FromStr;

use sha2::Digest as _;

/// Hash algorithms vouch understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Length of the digest in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 32,
            Algorithm::Sha384 => 48,
            Algorithm::Sha512 => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An algorithm and the digest bytes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    bytes: Vec<u8>,
}

/// Why a digest string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("digest `{input}` has no `algorithm:` prefix")]
    MissingAlgorithm { input: String },
    #[error(
        "digest `{input}` uses unsupported algorithm `{algorithm}`; expected sha256, sha384 or sha512"
    )]
    UnsupportedAlgorithm { input: String, algorithm: String },
    #[error("digest `{input}` has {found} hex characters; {algorithm} needs {expected}")]
    WrongLength {
        input: String,
        algorithm: Algorithm,
        expected: usize,
        found: usize,
    },
    #[error("digest `{input}` contains a character that is not hexadecimal")]
    NotHex { input: String },
}

impl Digest {
    /// Builds a digest from raw bytes; `None` when the length does not fit the algorithm.
    pub fn from_bytes(algorithm: Algorithm, bytes: Vec<u8>) -> Option<Self> {
        (bytes.len() == algorithm.digest_len()).then_some(Self { algorithm, bytes })
    }

    /// Parses bare hex for a known algorithm (e.g. a lockfile's checksum field).
    pub fn from_hex(algorithm: Algorithm, hex: &str) -> Result<Self, ParseError> {
        let input = || format!("{algorithm}:{hex}");
        if hex.len() != algorithm.digest_len() * 2 {
            return Err(ParseError::WrongLength {
                input: input(),
                algorithm,
                expected: algorithm.digest_len() * 2,
                found: hex.len(),
            });
        }
        let bytes = decode_hex(hex).ok_or_else(|| ParseError::NotHex { input: input() })?;
        Ok(Self { algorithm, bytes })
    }

    pub fn sha256(data: &[u8]) -> Self {
        Self {
            algorithm: Algorithm::Sha256,
            bytes: sha2::Sha256::digest(data).to_vec(),
        }
    }

    /// SHA-256 of everything `reader` yields, in 64 KiB chunks.
    pub fn sha256_reader(mut reader: impl Read) -> std::io::Result<Self> {
        let mut hasher = sha2::Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
        }
        Ok(Self {
            algorithm: Algorithm::Sha256,
            bytes: hasher.finalize().to_vec(),
        })
    }

    /// A writer that hashes everything written to it with SHA-256; [`Sha256Writer::finish`]
    /// gives the digest. For hashing a document while it is serialized, without holding it.
    pub fn sha256_writer() -> Sha256Writer {
        Sha256Writer(sha2::Sha256::new())
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Lower-case hex of the digest bytes, without the algorithm prefix.
    pub fn hex(&self) -> String {
        encode_hex(&self.bytes)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl FromStr for Digest {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| ParseError::MissingAlgorithm {
                input: s.to_owned(),
            })?;
        let algorithm = match alg.to_ascii_lowercase().as_str() {
            "sha256" => Algorithm::Sha256,
            "sha384" => Algorithm::Sha384,
            "sha512" => Algorithm::Sha512,
            _ => {
                return Err(ParseError::UnsupportedAlgorithm {
                    input: s.to_owned(),
                    algorithm: alg.to_owned(),
                });
            }
        };
        Digest::from_hex(algorithm, hex).map_err(|e| match e {
            ParseError::WrongLength {
                algorithm,
                expected,
                found,
                ..
            } => ParseError::WrongLength {
                input: s.to_owned(),
                algorithm,
                expected,
                found,
            },
            _ => ParseError::NotHex {
                input: s.to_owned(),
            },
        })
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// See [`Digest::sha256_writer`].
pub struct Sha256Writer(sha2::Sha256);

impl Sha256Writer {
    pub fn finish(self) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            bytes: self.0.finalize().to_vec(),
        }
    }
}

impl std::io::Write for Sha256Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Lower-case hex encoding.
pub fn encode_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
    out
}

/// Decodes hex (either case); `None` on odd length or a non-hex character.
pub fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    hex.as_bytes()
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_writer_matches_one_shot_hash() {
        use std::io::Write as _;
        let mut w = Digest::sha256_writer();
        w.write_all(b"hello ").unwrap();
        w.write_all(b"world").unwrap();
        assert_eq!(w.finish(), Digest::sha256(b"hello world"));
    }

    #[test]
    fn rejects_truncated_and_bad_hex() {
        assert!(matches!(
            "sha256:abcd".parse::<Digest>(),
            Err(ParseError::WrongLength {
                expected: 64,
                found: 4,
                ..
            })
        ));
        let bad = format!("sha256:{}", "g".repeat(64));
        assert!(matches!(
            bad.parse::<Digest>(),
            Err(ParseError::NotHex { .. })
        ));
        assert!(matches!(
            "md5:00".parse::<Digest>(),
            Err(ParseError::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            "abc".parse::<Digest>(),
            Err(ParseError::MissingAlgorithm { .. })
        ));
    }

    #[test]
    fn upper_case_normalises() {
        let lower = Digest::sha256(b"x");
        let upper: Digest = format!("SHA256:{}", lower.hex().to_uppercase())
            .parse()
            .unwrap();
        assert_eq!(upper, lower);
    }

    #[test]
    fn reader_matches_slice() {
        let data = vec![7u8; 200_000];
        assert_eq!(
            Digest::sha256_reader(&data[..]).unwrap(),
            Digest::sha256(&data)
        );
    }
}
