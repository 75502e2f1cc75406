//! The shared mechanisms of issue #13 item 4 seen from the command line: `db update` through
//! the one HTTP client (streamed to a temporary file, bounded, its digest shown, URLs shown
//! through the one URL redaction).

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;

use assert_cmd::Command;

mod common;

fn vouch(db: &Path) -> Command {
    let mut cmd = common::vouch();
    cmd.env("VOUCH_DB", db)
        .env("SOURCE_DATE_EPOCH", "1795000000");
    cmd
}

/// Answers one request with `head` (status line and headers, without the blank line) and
/// `body`, then closes the connection; returns the base URL.
fn serve_once(head: String, body: Vec<u8>) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut req = Vec::new();
        let mut buf = [0u8; 1024];
        while !req.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            req.extend_from_slice(&buf[..n]);
        }
        stream
            .write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes())
            .unwrap();
        stream.write_all(&body).unwrap();
        String::from_utf8_lossy(&req)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    (addr.to_string(), handle)
}

fn export() -> Vec<u8> {
    let ghsa =
        std::fs::read(common::advisory_fixtures().join("packagist/GHSA-9f46-5r25-5wfm.json"))
            .unwrap();
    vouch_test::zip_of(&[("GHSA-9f46-5r25-5wfm.json", &ghsa)])
}

#[test]
fn db_update_shows_the_download_digest_and_never_the_credentials() {
    let body = export();
    let digest = vouch_digest::Digest::sha256(&body);
    let (addr, server) = serve_once(
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}", body.len()),
        body.clone(),
    );
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let base = format!("http://mirror-user:s3cret-token@{addr}");
    let out = vouch(&db)
        .args(["db", "update", "--ecosystem", "Packagist", "--url", &base])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("downloading http://***@{addr}/Packagist/all.zip")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("downloaded {} bytes, {digest}", body.len())),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
    assert_eq!(server.join().unwrap(), "GET /Packagist/all.zip HTTP/1.1");
    let out = vouch(&db)
        .args(["db", "status", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(common::json(&out.stdout)["ecosystems"]["Packagist"], 1);
}

#[test]
fn db_update_refuses_a_short_export() {
    let body = export();
    // The server announces more than it sends, then closes: never imported as if whole.
    let (addr, server) = serve_once(
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}", body.len() + 100),
        body,
    );
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let out = vouch(&db)
        .args([
            "db",
            "update",
            "--ecosystem",
            "Packagist",
            "--url",
            &format!("http://{addr}"),
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("http://{addr}/Packagist/all.zip")),
        "{stderr}"
    );
    server.join().unwrap();
}
