//! Verified downloads into files (`vouch fetch`): the body goes to a temporary file beside the
//! target, its SHA-256 (and size, when known) is checked as it streams, and only a match is
//! renamed over the target ([`vouch_fs::write::write_from`]). On any error nothing is written:
//! the temporary file is removed and an existing target is left as it was.
//!
//! A target that already holds the expected bytes (same size and SHA-256) is not downloaded
//! again ([`Outcome::Present`]).
//!
//! ```no_run
//! use vouch_resolve::fetch::{self, Settings, Source};
//! use vouch_resolve::http::{self, Timeouts};
//!
//! let client = http::client_without_redirects(Timeouts {
//!     connect: None,
//!     total: std::time::Duration::from_secs(600),
//! })
//! .unwrap();
//! let source = Source {
//!     url: "https://example.com/tool.tar.gz".to_owned(),
//!     sha256: "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d"
//!         .parse()
//!         .unwrap(),
//!     size: None,
//!     path: "tool.tar.gz".into(),
//! };
//! let outcome = fetch::fetch(&client, &source, &Settings::default(), &mut |_| {}).unwrap();
//! ```

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use vouch_digest::Digest;
use vouch_fs::write::{Options, WriteError};

use crate::http::{self, Client, DownloadError, Downloaded, Expect, Redirects};

/// Default size cap of one download: 4 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 4 * 1024 * 1024 * 1024;

/// One file to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The URL (may carry credentials: never printed as is, see [`crate::Url`]).
    pub url: String,
    /// The SHA-256 the bytes must have.
    pub sha256: Digest,
    /// The size the bytes must have, when known.
    pub size: Option<u64>,
    /// Where to write them.
    pub path: PathBuf,
}

/// How to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Largest body accepted, in bytes.
    pub max_size: u64,
    /// Hosts redirects may go to besides the URL's own.
    pub redirects: Redirects,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_size: DEFAULT_MAX_SIZE,
            redirects: Redirects::default(),
        }
    }
}

/// What [`fetch`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Downloaded, verified and written.
    Fetched(Downloaded),
    /// The target already held the expected bytes; nothing was downloaded.
    Present(Downloaded),
}

/// Why [`fetch`] wrote nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("cannot read {} to compare it with the expected digest", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl FetchError {
    /// Whether the server answered with other bytes than expected (digest or size): a finding
    /// (exit 1), where every other error means the fetch could not be done (exit 2).
    pub fn is_mismatch(&self) -> bool {
        matches!(
            self,
            FetchError::Download(
                DownloadError::DigestMismatch { .. } | DownloadError::SizeMismatch { .. }
            )
        )
    }
}

/// Fetches `source` with `client` (one from [`http::client_without_redirects`]: redirects are
/// checked by [`http::download_verified`]) under `settings`; `progress` is told the bytes
/// received so far.
pub fn fetch(
    client: &Client,
    source: &Source,
    settings: &Settings,
    progress: &mut dyn FnMut(u64),
) -> Result<Outcome, FetchError> {
    if let Some(present) = present(source)? {
        return Ok(Outcome::Present(present));
    }
    let expect = Expect {
        sha256: Some(source.sha256.clone()),
        size: source.size,
    };
    let failed: RefCell<Option<DownloadError>> = RefCell::new(None);
    let mut got = None;
    let written = vouch_fs::write::write_from(&source.path, &Options::rewrite(), |out| {
        let mut counted = Counted {
            out,
            size: 0,
            progress,
        };
        match http::download_verified(
            client,
            &source.url,
            settings.max_size,
            &expect,
            &settings.redirects,
            &mut counted,
        ) {
            Ok(downloaded) => {
                got = Some(downloaded);
                Ok(())
            }
            Err(err) => {
                *failed.borrow_mut() = Some(err);
                Err(io::Error::other("download failed"))
            }
        }
    });
    if let Some(err) = failed.into_inner() {
        return Err(err.into());
    }
    written?;
    match got {
        Some(downloaded) => Ok(Outcome::Fetched(downloaded)),
        None => Err(FetchError::Write(WriteError::Io {
            op: vouch_fs::write::Op::Write,
            path: source.path.clone(),
            source: io::Error::other("the download wrote nothing"),
        })),
    }
}

/// The target's size and digest when it already holds the expected bytes.
fn present(source: &Source) -> Result<Option<Downloaded>, FetchError> {
    let path: &Path = &source.path;
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() || source.size.is_some_and(|s| s != meta.len()) {
        return Ok(None);
    }
    let read = |source| FetchError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read)?;
    let digest = Digest::sha256_reader(io::BufReader::new(file)).map_err(read)?;
    Ok((digest == source.sha256).then_some(Downloaded {
        size: meta.len(),
        digest,
    }))
}

/// A writer that counts what passes and reports it.
struct Counted<'a, 'p> {
    out: &'a mut dyn Write,
    size: u64,
    progress: &'p mut dyn FnMut(u64),
}

impl Write for Counted<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.size += n as u64;
        (self.progress)(self.size);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
