//! `vouch_resolve::fetch`: verified downloads into files, against a loopback HTTP server —
//! written only on a match, nothing left behind otherwise, an existing file with the right
//! bytes not downloaded again, redirects checked by `http::download_verified`.

mod support;

use std::time::Duration;

use support::{Reply, serve};
use vouch_digest::Digest;
use vouch_resolve::fetch::{self, FetchError, Outcome, Settings, Source};
use vouch_resolve::http::{self, DownloadError, Redirects, Timeouts};

fn client() -> http::Client {
    http::client_without_redirects(Timeouts {
        connect: Some(Duration::from_secs(5)),
        total: Duration::from_secs(30),
    })
    .unwrap()
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_match_is_written_a_mismatch_leaves_nothing() {
    let body = b"release 1.2\n".repeat(1000);
    let served = body.clone();
    let port = serve(move |_| Reply::new(200).body(served.clone()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tool.tgz");
    let url = format!("http://127.0.0.1:{port}/tool.tgz");
    let mut source = Source {
        url: url.clone(),
        sha256: Digest::sha256(b"other"),
        size: None,
        path: path.clone(),
    };
    std::fs::write(&path, b"old").unwrap();
    let err = fetch::fetch(&client(), &source, &Settings::default(), &mut |_| {}).unwrap_err();
    assert!(err.is_mismatch());
    assert!(matches!(
        err,
        FetchError::Download(DownloadError::DigestMismatch { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    assert_eq!(names(dir.path()), ["tool.tgz"]);

    source.sha256 = Digest::sha256(&body);
    source.size = Some(body.len() as u64);
    let mut seen = 0;
    let got = fetch::fetch(&client(), &source, &Settings::default(), &mut |n| seen = n).unwrap();
    assert!(matches!(got, Outcome::Fetched(ref d) if d.size == body.len() as u64));
    assert_eq!(seen, body.len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), body);
    // Present: not downloaded again.
    let got = fetch::fetch(&client(), &source, &Settings::default(), &mut |_| {}).unwrap();
    assert!(matches!(got, Outcome::Present(_)));

    // A size that differs from the lock's is a mismatch too.
    source.size = Some(body.len() as u64 + 1);
    std::fs::remove_file(&path).unwrap();
    let err = fetch::fetch(&client(), &source, &Settings::default(), &mut |_| {}).unwrap_err();
    assert!(err.is_mismatch());
    assert_eq!(
        err.to_string(),
        format!("{url} is {} bytes, expected {}", body.len(), body.len() + 1)
    );
    assert!(names(dir.path()).is_empty());
}

#[test]
fn redirects_follow_the_policy() {
    let body = b"payload".to_vec();
    let served = body.clone();
    let target = serve(move |_| Reply::new(200).body(served.clone()));
    let port = serve(move |req| match req.target.as_str() {
        "/loop" => Reply::new(302).header("Location", "/loop"),
        _ => Reply::new(301).header("Location", &format!("http://localhost:{target}/p")),
    });
    let dir = tempfile::tempdir().unwrap();
    let source = Source {
        url: format!("http://127.0.0.1:{port}/a"),
        sha256: Digest::sha256(&body),
        size: None,
        path: dir.path().join("p"),
    };
    let err = fetch::fetch(&client(), &source, &Settings::default(), &mut |_| {}).unwrap_err();
    assert!(
        matches!(&err, FetchError::Download(DownloadError::RedirectHost { from, to, .. }) if from == "127.0.0.1" && to == "localhost"),
        "{err:?}"
    );
    assert!(!err.is_mismatch());
    let allowed = Settings {
        redirects: Redirects {
            allowed_hosts: vec!["LOCALHOST".to_owned()],
            any_host: false,
        },
        ..Settings::default()
    };
    assert!(fetch::fetch(&client(), &source, &allowed, &mut |_| {}).is_ok());
    assert_eq!(std::fs::read(dir.path().join("p")).unwrap(), body);

    let looping = Source {
        url: format!("http://127.0.0.1:{port}/loop"),
        path: dir.path().join("q"),
        ..source
    };
    let err = fetch::fetch(&client(), &looping, &Settings::default(), &mut |_| {}).unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Download(DownloadError::TooManyRedirects { max: 10, .. })
        ),
        "{err:?}"
    );
    assert!(!dir.path().join("q").exists());
}
