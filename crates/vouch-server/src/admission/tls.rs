//! The certificate and key: read, checked as a pair, and reloaded when the files change.
//!
//! The files are read every `reload_interval` and compared with the pair last tried, so a
//! change is seen whatever the file system's timestamps do (cert-manager and kubelet swap a
//! `..data` link; a manual `cp` may write the certificate a moment before the key). A new pair
//! that does not load — unreadable, not PEM, a key that does not match the certificate — is
//! logged as an error once and the pair in use stays; the next change is tried again.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::json;

use super::log::Log;

/// The largest certificate chain or key file read.
const MAX_FILE: u64 = 1024 * 1024;

/// Why a certificate or key could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The file could not be read.
    #[error("could not read the TLS {what} {path}")]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than vouch reads.
    #[error("TLS {what} {path}: expected at most {MAX_FILE} bytes")]
    TooLarge { what: &'static str, path: PathBuf },
    /// The file holds no PEM block of the kind needed.
    #[error("TLS {what} {path}: expected a PEM {expected} block, found none")]
    NoPem {
        what: &'static str,
        path: PathBuf,
        expected: &'static str,
    },
    /// A PEM block could not be decoded.
    #[error("TLS {what} {path}: malformed PEM")]
    Pem {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    /// The key does not belong to the certificate, or rustls refused the pair.
    #[error("TLS certificate {cert} and key {key} are not a usable pair")]
    Pair {
        cert: PathBuf,
        key: PathBuf,
        #[source]
        source: rustls::Error,
    },
}

/// The bytes of a pair, as last read.
#[derive(Clone, PartialEq, Eq)]
pub struct Loaded {
    cert: Vec<u8>,
    key: Vec<u8>,
}

impl Loaded {
    pub fn read(cert: &Path, key: &Path) -> Result<Loaded, TlsError> {
        Ok(Loaded {
            cert: read_bounded("certificate", cert)?,
            key: read_bounded("key", key)?,
        })
    }

    /// The rustls configuration of this pair: aws-lc-rs, TLS 1.2 and 1.3, ALPN `h2` then
    /// `http/1.1`, and the key checked against the certificate.
    pub fn server_config(
        &self,
        cert_path: &Path,
        key_path: &Path,
    ) -> Result<Arc<ServerConfig>, TlsError> {
        let certs = CertificateDer::pem_slice_iter(&self.cert)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| TlsError::Pem {
                what: "certificate",
                path: cert_path.to_owned(),
                source,
            })?;
        if certs.is_empty() {
            return Err(TlsError::NoPem {
                what: "certificate",
                path: cert_path.to_owned(),
                expected: "CERTIFICATE",
            });
        }
        let key = PrivateKeyDer::from_pem_slice(&self.key).map_err(|source| match source {
            rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoPem {
                what: "key",
                path: key_path.to_owned(),
                expected: "PRIVATE KEY",
            },
            source => TlsError::Pem {
                what: "key",
                path: key_path.to_owned(),
                source,
            },
        })?;
        let pair = |source| TlsError::Pair {
            cert: cert_path.to_owned(),
            key: key_path.to_owned(),
            source,
        };
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let signing_key = provider
            .key_provider
            .load_private_key(key.clone_key())
            .map_err(pair)?;
        rustls::sign::CertifiedKey::new(certs.clone(), signing_key)
            .keys_match()
            .map_err(pair)?;
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(pair)?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(pair)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn read_bounded(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    let read = |source| TlsError::Read {
        what,
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(read)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(TlsError::TooLarge {
            what,
            path: path.to_owned(),
        });
    }
    Ok(bytes)
}

/// Reads the pair every `interval` and swaps the server's configuration when it changed and
/// loads; a pair that does not load is logged once and the one in use stays.
pub async fn watch(
    config: RustlsConfig,
    mut current: Loaded,
    cert: PathBuf,
    key: PathBuf,
    interval: Duration,
    log: Log,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    let mut last_error: Option<String> = None;
    loop {
        ticker.tick().await;
        let (cert_path, key_path) = (cert.clone(), key.clone());
        let read = tokio::task::spawn_blocking(move || Loaded::read(&cert_path, &key_path)).await;
        let attempt = match read {
            Ok(Ok(next)) if next == current => continue,
            Ok(Ok(next)) => next
                .server_config(&cert, &key)
                .map(|server_config| (next, server_config)),
            Ok(Err(err)) => Err(err),
            Err(_) => continue,
        };
        match attempt {
            Ok((next, server_config)) => {
                config.reload_from_config(server_config);
                current = next;
                last_error = None;
                log.info(
                    "reloaded the TLS certificate and key",
                    json!({"tls_cert": cert.display().to_string(), "tls_key": key.display().to_string()}),
                );
            }
            Err(err) => {
                let text = chain(&err);
                if last_error.as_deref() != Some(&text) {
                    log.error(
                        "kept the TLS certificate and key in use: the new files do not load",
                        json!({"error": text}),
                    );
                    last_error = Some(text);
                }
            }
        }
    }
}

fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
