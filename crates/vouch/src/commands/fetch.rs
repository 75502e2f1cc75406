//! `vouch fetch`: verified downloads, one URL or every entry of a `sources.lock`.
//!
//! The work is `vouch_resolve::fetch::fetch` (temporary file beside the target, SHA-256 and size
//! checked while streaming, renamed only on a match, redirects checked by
//! `vouch_resolve::http::download_verified`); this module reads the arguments and the lock,
//! runs the downloads on a bounded number of threads and reports. Exit 0 every file verified,
//! 1 a server sent other bytes than pinned (`fetch-mismatch`), 2 a download could not be done
//! (`fetch-failed`); with a lock the worst entry decides.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vouch_digest::{Algorithm, Digest};
use vouch_resolve::Url;
use vouch_resolve::fetch::{self, FetchError, Outcome, Settings, Source};
use vouch_resolve::http::{Client, DownloadError, Redirects, Timeouts};

use crate::cli::FetchArgs;
use crate::exit::ExitStatus;

/// Largest `sources.lock` read.
const MAX_LOCK: u64 = 16 * 1024 * 1024;

pub fn run(args: FetchArgs) -> anyhow::Result<ExitStatus> {
    let client = vouch_resolve::http::client_without_redirects(Timeouts {
        connect: Some(Duration::from_secs(30)),
        total: Duration::from_secs(args.timeout.max(1)),
    })
    .context("cannot set up the HTTP client")?;
    let settings = Settings {
        max_size: args.max_size,
        redirects: Redirects {
            allowed_hosts: args.allow_redirect_host.clone(),
            any_host: false,
        },
    };
    match (&args.url, &args.lock) {
        (Some(url), _) => one(&client, &settings, url, &args),
        (None, Some(lock)) => many(&client, &settings, lock, &args),
        (None, None) => anyhow::bail!("give a URL or --lock FILE"),
    }
}

fn one(
    client: &Client,
    settings: &Settings,
    url: &str,
    args: &FetchArgs,
) -> anyhow::Result<ExitStatus> {
    let hex = args.sha256.as_deref().unwrap_or_default();
    let sha256 = Digest::from_hex(
        Algorithm::Sha256,
        hex.strip_prefix("sha256:").unwrap_or(hex),
    )
    .map_err(|_| {
        anyhow::anyhow!(
            "--sha256 `{}` is not 64 hex digits",
            hex.chars().take(80).collect::<String>()
        )
    })?;
    let Some(path) = args.output.clone() else {
        anyhow::bail!("give -o FILE");
    };
    let source = Source {
        url: url.to_owned(),
        sha256,
        size: None,
        path,
    };
    let bar = bytes_bar();
    let result = fetch::fetch(client, &source, settings, &mut |n| bar.set_position(n));
    bar.finish_and_clear();
    let status = report(&source, &result);
    Ok(status)
}

/// Reports one fetch on stderr; returns its exit status.
fn report(source: &Source, result: &Result<Outcome, FetchError>) -> ExitStatus {
    let url = Url::new(source.url.as_str());
    let path = source.path.display();
    match result {
        Ok(Outcome::Fetched(got)) => {
            eprintln!(
                "fetched {url} to {path}: {} bytes, {}",
                got.size, got.digest
            );
            ExitStatus::Success
        }
        Ok(Outcome::Present(got)) => {
            eprintln!(
                "{path} already has {} ({} bytes); not downloaded again",
                got.digest, got.size
            );
            ExitStatus::Success
        }
        Err(err) if err.is_mismatch() => {
            eprintln!("error[fetch-mismatch]: {err}; nothing written to {path}");
            ExitStatus::Failure
        }
        Err(err) => {
            eprintln!("error[fetch-failed]: could not fetch {url}; nothing written to {path}");
            let mut cause: Option<&dyn std::error::Error> = Some(err);
            while let Some(c) = cause {
                eprintln!("  caused by: {c}");
                cause = c.source();
            }
            if let FetchError::Download(DownloadError::RedirectHost { to, .. }) = err {
                eprintln!();
                eprintln!(
                    "hint: if {to} is trusted to serve this file, add --allow-redirect-host {to}"
                );
            }
            ExitStatus::Error
        }
    }
}

fn many(
    client: &Client,
    settings: &Settings,
    lock_path: &Path,
    args: &FetchArgs,
) -> anyhow::Result<ExitStatus> {
    let text = vouch_fs::read::read_to_string(lock_path, MAX_LOCK)?;
    let lock = vouch_pin::sources::Sources::parse(&text)
        .and_then(|l| l.check())
        .with_context(|| format!("cannot use {}", lock_path.display()))?;
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => lock_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    let sources: Vec<Source> = lock
        .into_iter()
        .map(|c| Source {
            url: c.url,
            sha256: c.sha256,
            size: Some(c.size),
            path: dir.join(c.path),
        })
        .collect();
    let results: Vec<Mutex<Option<Result<Outcome, FetchError>>>> =
        sources.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let bar = entries_bar(sources.len() as u64);
    let jobs = usize::from(args.jobs).min(sources.len()).max(1);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = sources.get(i) else { break };
                    let result = prepare(&dir, source)
                        .and_then(|()| fetch::fetch(client, source, settings, &mut |_| {}));
                    if let Some(slot) = results.get(i)
                        && let Ok(mut slot) = slot.lock()
                    {
                        *slot = Some(result);
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let mut worst = ExitStatus::Success;
    let (mut fetched, mut present, mut mismatched, mut failed) = (0, 0, 0, 0);
    for (source, slot) in sources.iter().zip(results) {
        let result = slot
            .into_inner()
            .ok()
            .flatten()
            .unwrap_or_else(|| Err(not_run(source)));
        match &result {
            Ok(Outcome::Fetched(_)) => fetched += 1,
            Ok(Outcome::Present(_)) => present += 1,
            Err(e) if e.is_mismatch() => mismatched += 1,
            Err(_) => failed += 1,
        }
        worst = worse(worst, report(source, &result));
    }
    eprintln!(
        "{}: {} entries, {fetched} fetched, {present} already present, {mismatched} mismatched, {failed} failed",
        lock_path.display(),
        sources.len()
    );
    Ok(worst)
}

/// Creates the folder a lock entry is written into, and makes sure the entry stays inside
/// `dir`: the lock's paths are checked as text (relative, no `..`), and here a folder that is a
/// symbolic link leading out of `dir`, or a target that is a symbolic link, is refused.
fn prepare(dir: &Path, source: &Source) -> Result<(), FetchError> {
    let io = |path: &Path, e: std::io::Error| {
        FetchError::Write(vouch_fs::write::WriteError::Io {
            op: vouch_fs::write::Op::CreateTemp,
            path: path.to_path_buf(),
            source: e,
        })
    };
    let parent = match source.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    let root = std::fs::canonicalize(dir).map_err(|e| io(dir, e))?;
    let real = std::fs::canonicalize(parent).map_err(|e| io(parent, e))?;
    let link = std::fs::symlink_metadata(&source.path).is_ok_and(|m| m.file_type().is_symlink());
    if !real.starts_with(&root) || link {
        return Err(io(
            &source.path,
            std::io::Error::other(format!(
                "it leads outside {} through a symbolic link",
                dir.display()
            )),
        ));
    }
    Ok(())
}

/// The result of an entry whose worker ended without one (never a pass).
fn not_run(source: &Source) -> FetchError {
    FetchError::Write(vouch_fs::write::WriteError::Io {
        op: vouch_fs::write::Op::Write,
        path: source.path.clone(),
        source: std::io::Error::other("the download did not finish"),
    })
}

fn worse(a: ExitStatus, b: ExitStatus) -> ExitStatus {
    let rank = |s| match s {
        ExitStatus::Success => 0,
        ExitStatus::Failure => 1,
        ExitStatus::Error => 2,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Bytes received, drawn only when stderr is a terminal (indicatif checks).
fn bytes_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bytes} received [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

/// Entries done, drawn only when stderr is a terminal.
fn entries_bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} downloads [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
