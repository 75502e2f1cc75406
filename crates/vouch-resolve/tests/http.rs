//! `vouch_resolve::http`: the shared client and bounded, digest-computing downloads, against a
//! loopback HTTP server.

mod support;

use std::time::Duration;

use support::{Reply, serve};
use vouch_digest::Digest;
use vouch_resolve::http::{self, DownloadError, Timeouts};

fn client() -> reqwest::blocking::Client {
    http::client(Timeouts {
        connect: Some(Duration::from_secs(5)),
        total: Duration::from_secs(30),
    })
    .unwrap()
}

#[test]
fn download_streams_the_body_and_its_digest() {
    let body = b"export bytes".repeat(10_000);
    let served = body.clone();
    let port = serve(move |req| {
        assert_eq!(req.header("user-agent"), Some(http::USER_AGENT));
        Reply::new(200).body(served.clone())
    });
    let mut out = Vec::new();
    let url = format!("http://127.0.0.1:{port}/all.zip");
    let got = http::download(&client(), &url, 1 << 20, None, &mut out).unwrap();
    assert_eq!(out, body);
    assert_eq!(got.size, body.len() as u64);
    assert_eq!(got.digest, Digest::sha256(&body));
    // The expected digest is checked.
    let mut out = Vec::new();
    let good = Digest::sha256(&body);
    assert!(http::download(&client(), &url, 1 << 20, Some(&good), &mut out).is_ok());
    let bad = Digest::sha256(b"other");
    match http::download(&client(), &url, 1 << 20, Some(&bad), &mut Vec::new()) {
        Err(DownloadError::DigestMismatch {
            expected, actual, ..
        }) => {
            assert_eq!(expected, bad);
            assert_eq!(actual, good);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn download_is_bounded() {
    let port = serve(|_| Reply::new(200).body(vec![b'x'; 4096]));
    let url = format!("http://127.0.0.1:{port}/big");
    // Announced larger than the limit: refused before the body is read.
    let mut out = Vec::new();
    assert!(matches!(
        http::download(&client(), &url, 4095, None, &mut out),
        Err(DownloadError::TooLarge { limit: 4095, .. })
    ));
    assert!(out.is_empty());
    // At the limit exactly: written whole.
    let mut out = Vec::new();
    let got = http::download(&client(), &url, 4096, None, &mut out).unwrap();
    assert_eq!((got.size, out.len()), (4096, 4096));
}

#[test]
fn download_errors_name_the_url_without_credentials() {
    let port = serve(|_| Reply::new(404));
    let url = format!("http://user:s3cret@127.0.0.1:{port}/npm/all.zip");
    let err = http::download(&client(), &url, 100, None, &mut Vec::new()).unwrap_err();
    assert!(matches!(err, DownloadError::Status { status: 404, .. }));
    let text = err.to_string();
    assert_eq!(
        text,
        format!("http://***@127.0.0.1:{port}/npm/all.zip answered 404")
    );
    // A short body (the server closes before its Content-Length) is an error, never a pass.
    let port = serve(|_| {
        Reply::new(200)
            .header("Content-Length", "100")
            .body(b"short".to_vec())
    });
    let url = format!("http://127.0.0.1:{port}/x");
    let err = http::download(&client(), &url, 1000, None, &mut Vec::new()).unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::Truncated {
                received: 5,
                announced: 100,
                ..
            }
        ),
        "{err:?}"
    );
}
