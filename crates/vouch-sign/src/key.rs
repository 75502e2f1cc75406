//! Signing keys, public keys, and cosign's encrypted private-key format.
//!
//! Private keys are written as PEM `ENCRYPTED SIGSTORE PRIVATE KEY`: a JSON document holding
//! scrypt parameters (N=32768, r=8, p=1), a salt, a nonce and a NaCl secretbox
//! (XSalsa20-Poly1305) over the PKCS#8 DER key. Keys cosign wrote, including the older
//! `ENCRYPTED COSIGN PRIVATE KEY` label, load too. Neither passwords nor key bytes ever appear
//! in `Debug` output or error messages.

use std::fmt;

use aws_lc_rs::signature::{self as awssig, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// PEM label vouch (and current cosign) writes for private keys.
pub const SIGSTORE_PRIVATE_KEY_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// PEM label older cosign releases wrote.
pub const COSIGN_PRIVATE_KEY_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";
/// Largest key file accepted (64 KiB).
pub const MAX_KEY_FILE_LEN: usize = 64 * 1024;

/// scrypt log2(N) cosign uses (N = 32768).
const SCRYPT_LOG_N: u8 = 15;
/// Highest scrypt log2(N) accepted when loading (N = 2^16, 64 MiB with r=8; cosign writes
/// 2^15): bounds the memory and time a crafted key file can cost.
const MAX_SCRYPT_LOG_N: u8 = 16;

/// Algorithms `vouch key generate` can create and `vouch sign` can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    EcdsaP256,
    Ed25519,
}

impl Algorithm {
    /// The name used on the command line and in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256 => "ecdsa-p256",
            Algorithm::Ed25519 => "ed25519",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Algorithm {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        match s {
            "ecdsa-p256" => Ok(Algorithm::EcdsaP256),
            "ed25519" => Ok(Algorithm::Ed25519),
            other => Err(KeyError::UnsupportedAlgorithm {
                found: other.to_owned(),
            }),
        }
    }
}

/// A password for a private key file. Never printed.
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(s: impl Into<String>) -> Self {
        Self(Zeroizing::new(s.into()))
    }
    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Why a key could not be generated, read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("key file is {len} bytes, more than the {max} byte limit")]
    Oversized { len: usize, max: usize },
    #[error("key file is not PEM")]
    Pem(#[source] pem::PemError),
    #[error("key file has PEM label `{found}`, expected {expected}")]
    UnexpectedLabel {
        found: String,
        expected: &'static str,
    },
    #[error("encrypted key is not valid json")]
    Json(#[source] serde_json::Error),
    #[error("encrypted key field `{field}` is not valid base64")]
    Base64 {
        field: &'static str,
        #[source]
        source: base64::DecodeError,
    },
    #[error("encrypted key uses kdf `{found}`, expected `scrypt`")]
    UnsupportedKdf { found: String },
    #[error(
        "encrypted key has scrypt parameters N={n} r={r} p={p}, outside what vouch accepts (N a power of two up to 2^16, r<=16, p<=4)"
    )]
    UnsupportedKdfParams { n: u64, r: u32, p: u32 },
    #[error("encrypted key uses cipher `{found}`, expected `nacl/secretbox`")]
    UnsupportedCipher { found: String },
    #[error("encrypted key field `{field}` is {found} bytes, expected {expected}")]
    BadLength {
        field: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("wrong password for the encrypted private key (or the key file was modified)")]
    WrongPassword,
    #[error("private key is not a PKCS#8 ECDSA P-256 or Ed25519 key")]
    UnsupportedPrivateKey,
    #[error("unsupported key algorithm `{found}`, expected ecdsa-p256 or ed25519")]
    UnsupportedAlgorithm { found: String },
    #[error("public key is not a valid SubjectPublicKeyInfo: {reason}")]
    InvalidPublicKey { reason: String },
    #[error("key generation failed in the crypto library")]
    Generate,
    #[error("signing failed in the crypto library")]
    Sign,
}

impl KeyError {
    /// Stable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::Oversized { .. } => "oversized-key-file",
            KeyError::Pem(_) => "malformed-pem",
            KeyError::UnexpectedLabel { .. } => "wrong-key-type",
            KeyError::Json(_) | KeyError::Base64 { .. } | KeyError::BadLength { .. } => {
                "malformed-encrypted-key"
            }
            KeyError::UnsupportedKdf { .. }
            | KeyError::UnsupportedKdfParams { .. }
            | KeyError::UnsupportedCipher { .. } => "unsupported-key-encryption",
            KeyError::WrongPassword => "wrong-password",
            KeyError::UnsupportedPrivateKey | KeyError::UnsupportedAlgorithm { .. } => {
                "unsupported-algorithm"
            }
            KeyError::InvalidPublicKey { .. } => "invalid-public-key",
            KeyError::Generate | KeyError::Sign => "crypto-failure",
        }
    }
}

/// The algorithm of a public key (wider than [`Algorithm`]: verification accepts more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PublicKeyAlgorithm {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    Rsa,
    Other,
}

impl fmt::Display for PublicKeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EcdsaP256 => "ecdsa-p256",
            Self::EcdsaP384 => "ecdsa-p384",
            Self::Ed25519 => "ed25519",
            Self::Rsa => "rsa",
            Self::Other => "other",
        })
    }
}

/// A public key as DER SubjectPublicKeyInfo.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    spki: Vec<u8>,
    algorithm: PublicKeyAlgorithm,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

impl PublicKey {
    /// From DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        use sigstore_verify::crypto::KeyAlgorithm as K;
        let key = sigstore_verify::types::DerPublicKey::new(der.to_vec());
        let alg = K::from_spki(&key).map_err(|e| KeyError::InvalidPublicKey {
            reason: e.to_string().to_lowercase(),
        })?;
        let algorithm = match alg {
            K::EcdsaP256 => PublicKeyAlgorithm::EcdsaP256,
            K::EcdsaP384 => PublicKeyAlgorithm::EcdsaP384,
            K::Ed25519 => PublicKeyAlgorithm::Ed25519,
            K::Rsa => PublicKeyAlgorithm::Rsa,
            _ => PublicKeyAlgorithm::Other,
        };
        Ok(Self {
            spki: der.to_vec(),
            algorithm,
        })
    }

    /// From a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo), as cosign and vouch write.
    pub fn from_pem(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() > MAX_KEY_FILE_LEN {
            return Err(KeyError::Oversized {
                len: bytes.len(),
                max: MAX_KEY_FILE_LEN,
            });
        }
        let block = pem::parse(bytes).map_err(KeyError::Pem)?;
        if block.tag() != "PUBLIC KEY" {
            return Err(KeyError::UnexpectedLabel {
                found: block.tag().to_owned(),
                expected: "`PUBLIC KEY`",
            });
        }
        Self::from_spki_der(block.contents())
    }

    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    pub fn algorithm(&self) -> PublicKeyAlgorithm {
        self.algorithm
    }

    /// SHA-256 of the DER SubjectPublicKeyInfo (prints as `sha256:<hex>`).
    pub fn fingerprint(&self) -> vouch_digest::Digest {
        vouch_digest::Digest::sha256(&self.spki)
    }

    /// PEM `PUBLIC KEY`.
    pub fn to_pem(&self) -> String {
        pem::encode(&pem::Pem::new("PUBLIC KEY", self.spki.clone()))
    }
}

enum Inner {
    EcdsaP256(awssig::EcdsaKeyPair),
    Ed25519(awssig::Ed25519KeyPair),
}

/// A private signing key. `Debug` shows only the algorithm and public-key fingerprint.
pub struct SigningKey {
    inner: Inner,
    pkcs8: Zeroizing<Vec<u8>>,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm())
            .field("public", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generate a fresh key with the operating system's random generator.
    pub fn generate(algorithm: Algorithm) -> Result<Self, KeyError> {
        let pkcs8 = match algorithm {
            Algorithm::EcdsaP256 => {
                let kp = awssig::EcdsaKeyPair::generate(&awssig::ECDSA_P256_SHA256_ASN1_SIGNING)
                    .map_err(|_| KeyError::Generate)?;
                kp.to_pkcs8v1().map_err(|_| KeyError::Generate)?
            }
            Algorithm::Ed25519 => {
                let kp = awssig::Ed25519KeyPair::generate().map_err(|_| KeyError::Generate)?;
                kp.to_pkcs8v1().map_err(|_| KeyError::Generate)?
            }
        };
        Self::from_pkcs8_der(pkcs8.as_ref())
    }

    /// From PKCS#8 DER (ECDSA P-256 or Ed25519).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
        let (inner, spki) = if let Ok(kp) =
            awssig::EcdsaKeyPair::from_pkcs8(&awssig::ECDSA_P256_SHA256_ASN1_SIGNING, der)
        {
            let spki: PublicKeyX509Der<'_> = kp
                .public_key()
                .as_der()
                .map_err(|_| KeyError::UnsupportedPrivateKey)?;
            let spki = spki.as_ref().to_vec();
            (Inner::EcdsaP256(kp), spki)
        } else if let Ok(kp) = awssig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            let spki: PublicKeyX509Der<'_> = kp
                .public_key()
                .as_der()
                .map_err(|_| KeyError::UnsupportedPrivateKey)?;
            let spki = spki.as_ref().to_vec();
            (Inner::Ed25519(kp), spki)
        } else {
            return Err(KeyError::UnsupportedPrivateKey);
        };
        Ok(Self {
            inner,
            pkcs8: Zeroizing::new(der.to_vec()),
            public: PublicKey::from_spki_der(&spki)?,
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        match self.inner {
            Inner::EcdsaP256(_) => Algorithm::EcdsaP256,
            Inner::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Sign `message` (ECDSA P-256 with SHA-256, DER signature; or pure Ed25519).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        match &self.inner {
            Inner::EcdsaP256(kp) => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                kp.sign(&rng, message)
                    .map(|s| s.as_ref().to_vec())
                    .map_err(|_| KeyError::Sign)
            }
            Inner::Ed25519(kp) => Ok(kp.sign(message).as_ref().to_vec()),
        }
    }

    /// Encrypt to the PEM `ENCRYPTED SIGSTORE PRIVATE KEY` format.
    pub fn to_encrypted_pem(&self, password: &Password) -> Result<String, KeyError> {
        let mut salt = [0u8; 32];
        let mut nonce = [0u8; 24];
        aws_lc_rs::rand::fill(&mut salt).map_err(|_| KeyError::Generate)?;
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| KeyError::Generate)?;
        let key = derive(password, &salt, SCRYPT_LOG_N, 8, 1)?;
        use crypto_secretbox::aead::{Aead, KeyInit};
        let cipher = crypto_secretbox::XSalsa20Poly1305::new((&*key).into());
        let ciphertext = cipher
            .encrypt((&nonce).into(), self.pkcs8.as_slice())
            .map_err(|_| KeyError::Generate)?;
        let doc = EncryptedKey {
            kdf: Kdf {
                name: "scrypt".into(),
                params: KdfParams {
                    n: 1 << SCRYPT_LOG_N,
                    r: 8,
                    p: 1,
                },
                salt: STANDARD.encode(salt),
            },
            cipher: Cipher {
                name: "nacl/secretbox".into(),
                nonce: STANDARD.encode(nonce),
            },
            ciphertext: STANDARD.encode(ciphertext),
        };
        let json = serde_json::to_vec(&doc).map_err(KeyError::Json)?;
        Ok(pem::encode(&pem::Pem::new(
            SIGSTORE_PRIVATE_KEY_LABEL,
            json,
        )))
    }

    /// Load an encrypted private key (vouch's or cosign's), or an unencrypted PKCS#8
    /// `PRIVATE KEY` PEM (the password is then not used).
    pub fn from_pem(bytes: &[u8], password: &Password) -> Result<Self, KeyError> {
        if bytes.len() > MAX_KEY_FILE_LEN {
            return Err(KeyError::Oversized {
                len: bytes.len(),
                max: MAX_KEY_FILE_LEN,
            });
        }
        let block = pem::parse(bytes).map_err(KeyError::Pem)?;
        match block.tag() {
            SIGSTORE_PRIVATE_KEY_LABEL | COSIGN_PRIVATE_KEY_LABEL => {
                let pkcs8 = decrypt(block.contents(), password)?;
                Self::from_pkcs8_der(&pkcs8)
            }
            "PRIVATE KEY" => Self::from_pkcs8_der(block.contents()),
            other => Err(KeyError::UnexpectedLabel {
                found: other.to_owned(),
                expected: "`ENCRYPTED SIGSTORE PRIVATE KEY`, `ENCRYPTED COSIGN PRIVATE KEY` or `PRIVATE KEY`",
            }),
        }
    }

    /// Whether a PEM key file is encrypted (so a password is needed).
    pub fn needs_password(bytes: &[u8]) -> bool {
        pem::parse(bytes).is_ok_and(|b| b.tag() != "PRIVATE KEY")
    }
}

#[derive(Serialize, Deserialize)]
struct EncryptedKey {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct KdfParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

fn b64(field: &'static str, s: &str) -> Result<Vec<u8>, KeyError> {
    STANDARD
        .decode(s)
        .map_err(|source| KeyError::Base64 { field, source })
}

fn derive(
    password: &Password,
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let params = scrypt::Params::new(log_n, r, p).map_err(|_| KeyError::UnsupportedKdfParams {
        n: 1u64 << log_n,
        r,
        p,
    })?;
    let mut out = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password.as_bytes(), salt, &params, &mut out[..])
        .map_err(|_| KeyError::Generate)?;
    Ok(out)
}

fn decrypt(json: &[u8], password: &Password) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let doc: EncryptedKey = serde_json::from_slice(json).map_err(KeyError::Json)?;
    if doc.kdf.name != "scrypt" {
        return Err(KeyError::UnsupportedKdf {
            found: doc.kdf.name,
        });
    }
    if doc.cipher.name != "nacl/secretbox" {
        return Err(KeyError::UnsupportedCipher {
            found: doc.cipher.name,
        });
    }
    let KdfParams { n, r, p } = doc.kdf.params;
    let bad = || KeyError::UnsupportedKdfParams { n, r, p };
    if !n.is_power_of_two() || n < 2 || r == 0 || r > 16 || p == 0 || p > 4 {
        return Err(bad());
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| bad())?;
    if log_n > MAX_SCRYPT_LOG_N {
        return Err(bad());
    }
    let salt = b64("kdf.salt", &doc.kdf.salt)?;
    let nonce = b64("cipher.nonce", &doc.cipher.nonce)?;
    if nonce.len() != 24 {
        return Err(KeyError::BadLength {
            field: "cipher.nonce",
            expected: 24,
            found: nonce.len(),
        });
    }
    let ciphertext = b64("ciphertext", &doc.ciphertext)?;
    let key = derive(password, &salt, log_n, r, p)?;
    use crypto_secretbox::aead::{Aead, KeyInit};
    let cipher = crypto_secretbox::XSalsa20Poly1305::new((&*key).into());
    let nonce: [u8; 24] = nonce.try_into().map_err(|_| KeyError::WrongPassword)?;
    cipher
        .decrypt((&nonce).into(), ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| KeyError::WrongPassword)
}
