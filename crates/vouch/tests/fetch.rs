//! `vouch fetch` against real loopback HTTP servers (std TCP listeners on 127.0.0.1:0 speaking
//! HTTP/1.1, so faults a well-behaved server never makes — a body cut short of its
//! Content-Length — can be served on demand): right hash, wrong hash, truncated body, redirects
//! within and across hosts (127.0.0.1 and localhost), the size cap, and a lock of five entries.
//! The https → http downgrade is refused by `vouch_resolve::http` (its unit tests).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use common::{assert_exit, vouch};
use vouch_digest::Digest;

/// What the server answers for one path.
#[derive(Clone)]
enum Answer {
    /// 200 with this body.
    Body(Vec<u8>),
    /// 200 announcing `Content-Length: announced`, then this body, then the connection closes.
    Short { body: Vec<u8>, announced: usize },
    /// A redirect to this location.
    Redirect(String),
}

/// Serves `routes` (path → answer; anything else 404) on 127.0.0.1:<free port> from a
/// background thread; returns the port.
fn serve(routes: Vec<(&str, Answer)>) -> u16 {
    let routes: Arc<BTreeMap<String, Answer>> =
        Arc::new(routes.into_iter().map(|(p, a)| (p.to_owned(), a)).collect());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let routes = Arc::clone(&routes);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                }
                let (head, body) = match routes.get(&target) {
                    Some(Answer::Body(b)) => (
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n", b.len()),
                        b.clone(),
                    ),
                    Some(Answer::Short { body, announced }) => (
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\n"),
                        body.clone(),
                    ),
                    Some(Answer::Redirect(to)) => (
                        format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n"),
                        Vec::new(),
                    ),
                    None => (
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n".to_owned(),
                        Vec::new(),
                    ),
                };
                let _ = stream.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes());
                let _ = stream.write_all(&body);
                let _ = stream.flush();
            });
        }
    });
    port
}

fn hex(body: &[u8]) -> String {
    Digest::sha256(body).hex()
}

/// The names in a folder, sorted (temporary files included: none may be left behind).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn tarball() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fetch/foo.tar.gz"))
        .unwrap()
}

#[test]
fn right_hash_writes_the_exact_bytes() {
    let body = tarball();
    let port = serve(vec![("/foo.tar.gz", Answer::Body(body.clone()))]);
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("foo.tar.gz");
    let url = format!("http://127.0.0.1:{port}/foo.tar.gz");
    let out = vouch()
        .args(["fetch", &url, "--sha256", &hex(&body), "-o"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(std::fs::read(&out_path).unwrap(), body);
    assert_eq!(names(dir.path()), ["foo.tar.gz"]);
    assert_eq!(
        stderr(&out),
        format!(
            "fetched {url} to {}: {} bytes, sha256:{}\n",
            out_path.display(),
            body.len(),
            hex(&body)
        )
    );
    // Again: the file already holds the bytes, nothing is downloaded (the `sha256:` form of
    // the digest is accepted too).
    let out = vouch()
        .args([
            "fetch",
            &url,
            "--sha256",
            &format!("sha256:{}", hex(&body)),
            "-o",
        ])
        .arg(&out_path)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        stderr(&out),
        format!(
            "{} already has sha256:{} ({} bytes); not downloaded again\n",
            out_path.display(),
            hex(&body),
            body.len()
        )
    );
}

#[test]
fn wrong_hash_is_exit_1_and_writes_nothing() {
    let body = tarball();
    let port = serve(vec![("/foo.tar.gz", Answer::Body(body.clone()))]);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://user:s3cret@127.0.0.1:{port}/foo.tar.gz");
    let shown = format!("http://***@127.0.0.1:{port}/foo.tar.gz");
    let wanted = hex(b"something else");
    // No file before: none after, and no temporary file either.
    let fresh = dir.path().join("new.tar.gz");
    let out = vouch()
        .args(["fetch", &url, "--sha256", &wanted, "-o"])
        .arg(&fresh)
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(
        stderr(&out),
        format!(
            "error[fetch-mismatch]: {shown} has digest sha256:{}, expected sha256:{wanted}; nothing written to {}\n",
            hex(&body),
            fresh.display()
        )
    );
    assert!(!stderr(&out).contains("s3cret"));
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    // An existing file is left untouched.
    let existing = dir.path().join("foo.tar.gz");
    std::fs::write(&existing, b"the old release\n").unwrap();
    let out = vouch()
        .args(["fetch", &url, "--sha256", &wanted, "-o"])
        .arg(&existing)
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(std::fs::read(&existing).unwrap(), b"the old release\n");
    assert_eq!(names(dir.path()), ["foo.tar.gz"]);
}

#[test]
fn truncated_body_is_exit_2_could_not_fetch() {
    let body = tarball();
    let port = serve(vec![(
        "/foo.tar.gz",
        Answer::Short {
            body: body[..100].to_vec(),
            announced: body.len(),
        },
    )]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foo.tar.gz");
    let url = format!("http://127.0.0.1:{port}/foo.tar.gz");
    let out = vouch()
        .args(["fetch", &url, "--sha256", &hex(&body), "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error[fetch-failed]: could not fetch {url}; nothing written to {}\n  caused by: {url} sent 100 bytes, but announced {} (Content-Length)\n",
            path.display(),
            body.len()
        )
    );
    assert!(names(dir.path()).is_empty());
}

#[test]
fn redirects_stay_on_the_host_unless_allowed() {
    let body = b"release bytes\n".to_vec();
    let other = serve(vec![("/real.bin", Answer::Body(body.clone()))]);
    let port = serve(vec![
        // Same host (127.0.0.1), another port: followed.
        (
            "/same",
            Answer::Redirect(format!("http://127.0.0.1:{other}/real.bin")),
        ),
        // Another host (localhost): refused unless allowed.
        (
            "/cross",
            Answer::Redirect(format!("http://localhost:{other}/real.bin")),
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("real.bin");
    let fetch = |route: &str, allow: &[&str]| {
        let mut cmd = vouch();
        cmd.args([
            "fetch",
            &format!("http://127.0.0.1:{port}{route}"),
            "--sha256",
            &hex(&body),
            "-o",
        ])
        .arg(&path);
        for host in allow {
            cmd.args(["--allow-redirect-host", host]);
        }
        cmd.output().unwrap()
    };
    let out = fetch("/same", &[]);
    assert_exit(&out, 0);
    assert_eq!(std::fs::read(&path).unwrap(), body);
    std::fs::remove_file(&path).unwrap();

    let out = fetch("/cross", &[]);
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error[fetch-failed]: could not fetch http://127.0.0.1:{port}/cross; nothing written to {}\n  caused by: http://127.0.0.1:{port}/cross redirects from host 127.0.0.1 to host localhost; redirects to another host are refused\n\nhint: if localhost is trusted to serve this file, add --allow-redirect-host localhost\n",
            path.display()
        )
    );
    assert!(names(dir.path()).is_empty());

    let out = fetch("/cross", &["localhost"]);
    assert_exit(&out, 0);
    assert_eq!(std::fs::read(&path).unwrap(), body);
}

#[test]
fn oversized_download_is_refused() {
    let body = tarball();
    let port = serve(vec![("/foo.tar.gz", Answer::Body(body.clone()))]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foo.tar.gz");
    let url = format!("http://127.0.0.1:{port}/foo.tar.gz");
    let out = vouch()
        .args([
            "fetch",
            &url,
            "--sha256",
            &hex(&body),
            "--max-size",
            "100",
            "-o",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error[fetch-failed]: could not fetch {url}; nothing written to {}\n  caused by: {url} is larger than 100 bytes\n",
            path.display()
        )
    );
    assert!(names(dir.path()).is_empty());
}

#[test]
fn lock_of_five_with_one_bad_writes_the_others_and_exits_1() {
    let files: Vec<(String, Vec<u8>)> = (1..=5)
        .map(|i| {
            (
                format!("f{i}.txt"),
                format!("file number {i}\n").into_bytes(),
            )
        })
        .collect();
    let port = serve(
        files
            .iter()
            .map(|(name, body)| {
                let body = if name == "f3.txt" {
                    b"file number X\n".to_vec()
                } else {
                    body.clone()
                };
                (
                    Box::leak(format!("/{name}").into_boxed_str()) as &str,
                    Answer::Body(body),
                )
            })
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut lock = String::from("version = 1\n");
    for (name, body) in &files {
        lock.push_str(&format!(
            "\n[[source]]\nurl = \"http://127.0.0.1:{port}/{name}\"\nsha256 = \"{}\"\nsize = {}\npath = \"out/{name}\"\n",
            hex(body),
            body.len()
        ));
    }
    let lock_path = dir.path().join("sources.lock");
    std::fs::write(&lock_path, &lock).unwrap();
    // f5 is already there with the right bytes: not downloaded again.
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("out/f5.txt"), &files[4].1).unwrap();
    let out = vouch()
        .args(["fetch", "--lock"])
        .arg(&lock_path)
        .args(["--jobs", "3"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let out_dir = dir.path().join("out");
    assert_eq!(names(&out_dir), ["f1.txt", "f2.txt", "f4.txt", "f5.txt"]);
    for i in [0, 1, 3, 4] {
        assert_eq!(
            std::fs::read(out_dir.join(&files[i].0)).unwrap(),
            files[i].1
        );
    }
    let p = |n: &str| out_dir.join(n).display().to_string();
    let line = |n: usize| {
        format!(
            "fetched http://127.0.0.1:{port}/f{n}.txt to {}: 14 bytes, sha256:{}\n",
            p(&format!("f{n}.txt")),
            hex(&files[n - 1].1)
        )
    };
    assert_eq!(
        stderr(&out),
        format!(
            "{}{}error[fetch-mismatch]: http://127.0.0.1:{port}/f3.txt has digest sha256:{}, expected sha256:{}; nothing written to {}\n{}{} already has sha256:{} (14 bytes); not downloaded again\n{}: 5 entries, 3 fetched, 1 already present, 1 mismatched, 0 failed\n",
            line(1),
            line(2),
            hex(b"file number X\n"),
            hex(&files[2].1),
            p("f3.txt"),
            line(4),
            p("f5.txt"),
            hex(&files[4].1),
            lock_path.display()
        )
    );
}

#[test]
fn lock_size_is_checked_and_an_unreachable_entry_is_exit_2() {
    let body = b"twelve bytes".to_vec();
    let port = serve(vec![("/a.bin", Answer::Body(body.clone()))]);
    let dir = tempfile::tempdir().unwrap();
    let lock = format!(
        "version = 1\n[[source]]\nurl = \"http://127.0.0.1:{port}/a.bin\"\nsha256 = \"{}\"\nsize = 13\n[[source]]\nurl = \"http://127.0.0.1:{port}/missing.bin\"\nsha256 = \"{}\"\nsize = 1\n",
        hex(&body),
        hex(b"x")
    );
    std::fs::write(dir.path().join("sources.lock"), lock).unwrap();
    let out = vouch()
        .args(["fetch", "--lock"])
        .arg(dir.path().join("sources.lock"))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error[fetch-mismatch]: http://127.0.0.1:{port}/a.bin is 12 bytes, expected 13; nothing written to"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "  caused by: http://127.0.0.1:{port}/missing.bin answered 404\n"
        )),
        "{err}"
    );
    assert_eq!(names(dir.path()), ["sources.lock"]);
}

#[test]
fn a_malformed_lock_is_exit_2_and_names_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sources.lock"),
        "version = 1\n[[source]]\nurl = \"https://example.com/x\"\nsha256 = \"abc\"\nsize = 1\n",
    )
    .unwrap();
    let out = vouch()
        .args(["fetch", "--lock"])
        .arg(dir.path().join("sources.lock"))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot use {}\n  caused by: sources.lock entry 1 (https://example.com/x): sha256 `abc` is not 64 hex digits\n",
            dir.path().join("sources.lock").display()
        )
    );
}

// ---- vouch pin: downloads recorded in sources.lock ----

#[test]
fn pin_records_add_and_curl_downloads_and_rewrites_the_add() {
    let tool = tarball();
    let script = b"#!/bin/sh\necho installed\n".to_vec();
    let port = serve(vec![
        ("/foo.tar.gz", Answer::Body(tool.clone())),
        ("/install.sh", Answer::Body(script.clone())),
    ]);
    let base = format!("http://127.0.0.1:{port}");
    let dockerfile = format!(
        "FROM scratch\nADD {base}/foo.tar.gz /opt/\nRUN curl -fsSLo /tmp/install.sh {base}/install.sh && sh /tmp/install.sh\n"
    );
    let dir = common::dir_with(&[("Dockerfile", &dockerfile)]);

    // Offline check first: both downloads are reported, one finding per line.
    let out = vouch()
        .args(["pin", "--check", "--offline"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "Dockerfile:2: ADD {base}/foo.tar.gz[download-not-verified]: ADD downloads {base}/foo.tar.gz without --checksum; run `vouch pin` to add it\nDockerfile:3: curl {base}/install.sh[download-not-verified]: curl downloads {base}/install.sh, which is neither in sources.lock nor checked after (sha256sum -c, gpg --verify, …)\n"
        )
    );

    let out = vouch().arg("pin").arg(dir.path()).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        format!(
            "FROM scratch\nADD --checksum=sha256:{} {base}/foo.tar.gz /opt/\nRUN curl -fsSLo /tmp/install.sh {base}/install.sh && sh /tmp/install.sh\n",
            hex(&tool)
        )
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sources.lock")).unwrap(),
        format!(
            "# sources.lock: downloads pinned by URL, SHA-256 and size. Written by `vouch pin`,\n# read by `vouch fetch --lock`.\nversion = 1\n\n[[source]]\nurl = \"{base}/foo.tar.gz\"\nsha256 = \"{}\"\nsize = {}\nfiles = [\"Dockerfile\"]\n\n[[source]]\nurl = \"{base}/install.sh\"\nsha256 = \"{}\"\nsize = {}\nfiles = [\"Dockerfile\"]\n",
            hex(&tool),
            tool.len(),
            hex(&script),
            script.len()
        )
    );
    assert_eq!(
        stderr(&out),
        format!(
            "pinned 1 reference(s) in 1 file(s); 2 download(s) in {}\n",
            dir.path().join("sources.lock").display()
        )
    );

    // Now the check passes offline: the ADD carries its checksum, the curl is in the lock.
    let out = vouch()
        .args(["pin", "--check", "--offline"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);

    // And the lock fetches: both files written, verified.
    let fetched = tempfile::tempdir().unwrap();
    let out = vouch()
        .args(["fetch", "--lock"])
        .arg(dir.path().join("sources.lock"))
        .arg("--dir")
        .arg(fetched.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        std::fs::read(fetched.path().join("foo.tar.gz")).unwrap(),
        tool
    );
    assert_eq!(
        std::fs::read(fetched.path().join("install.sh")).unwrap(),
        script
    );
}

#[test]
fn pin_refuses_an_add_checksum_the_url_does_not_match() {
    let tool = tarball();
    let port = serve(vec![("/foo.tar.gz", Answer::Body(tool.clone()))]);
    let wrong = hex(b"another release");
    let dockerfile = format!(
        "FROM scratch\nADD --checksum=sha256:{wrong} http://127.0.0.1:{port}/foo.tar.gz /opt/\n"
    );
    let dir = common::dir_with(&[("Dockerfile", &dockerfile)]);
    let out = vouch().arg("pin").arg(dir.path()).output().unwrap();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(&format!(
            "http://127.0.0.1:{port}/foo.tar.gz has digest sha256:{}, but the file pins it with --checksum=sha256:{wrong}",
            hex(&tool)
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        dockerfile
    );
    assert!(!dir.path().join("sources.lock").exists());
}

#[test]
fn the_new_codes_have_pages() {
    for code in ["fetch-mismatch", "fetch-failed", "download-not-verified"] {
        let out = vouch().args(["explain", code]).output().unwrap();
        assert_exit(&out, 0);
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with(&format!("# {code}: ")),
            "{code}"
        );
    }
}

/// An https server on 127.0.0.1 (a self-signed certificate for 127.0.0.1, written to
/// `dir/ca.pem` for `SSL_CERT_FILE`) answering every request with a redirect to `location`.
fn serve_tls_redirect(dir: &Path, location: String) -> u16 {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    std::fs::write(dir.join("ca.pem"), made.cert.pem()).unwrap();
    let cert = rustls::pki_types::CertificateDer::from(made.cert.der().to_vec());
    let key = rustls::pki_types::PrivateKeyDer::try_from(made.signing_key.serialize_der()).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(tcp) = stream else { continue };
            let config = Arc::clone(&config);
            let location = location.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut reader = BufReader::new(&mut tls);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                }
                let _ = tls.write_all(
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    .as_bytes(),
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

#[test]
fn https_to_http_redirect_is_refused_even_to_the_same_host() {
    let body = b"release bytes\n".to_vec();
    let plain = serve(vec![("/real.bin", Answer::Body(body.clone()))]);
    let dir = tempfile::tempdir().unwrap();
    let tls = serve_tls_redirect(dir.path(), format!("http://127.0.0.1:{plain}/real.bin"));
    let path = dir.path().join("real.bin");
    let url = format!("https://127.0.0.1:{tls}/real.bin");
    for allow in [None, Some("127.0.0.1")] {
        let mut cmd = vouch();
        cmd.env("SSL_CERT_FILE", dir.path().join("ca.pem"))
            .args(["fetch", &url, "--sha256", &hex(&body), "-o"])
            .arg(&path);
        if let Some(host) = allow {
            cmd.args(["--allow-redirect-host", host]);
        }
        let out = cmd.output().unwrap();
        assert_exit(&out, 2);
        assert_eq!(
            stderr(&out),
            format!(
                "error[fetch-failed]: could not fetch {url}; nothing written to {}\n  caused by: {url} redirects from https to http (http://127.0.0.1:{plain}/real.bin); a downgrade is refused\n",
                path.display()
            )
        );
        assert!(!path.exists());
    }
}

/// (path, line, rule) of the download findings of a `vouch scan --format json`.
fn scan_download_findings(dir: &Path) -> Vec<(String, u64, String)> {
    let out = vouch()
        .env("VOUCH_DB", dir.join("no-such.sqlite"))
        .args(["scan", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let v = common::json(&out.stdout);
    let mut got: Vec<(String, u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let id = f["rule_id"].as_str().unwrap_or_default();
            id.contains("download") || id == "dockerfile-add-remote-url"
        })
        .map(|f| {
            (
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["location"]["line"].as_u64().unwrap_or_default(),
                f["rule_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    got.sort();
    got
}

#[test]
fn scan_reports_each_unverified_download_once_and_reads_sources_lock() {
    let dir = common::dir_with(&[
        (
            ".gitlab-ci.yml",
            "build:\n  image: debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000000\n  script:\n    - curl -fsSLo tool.tgz https://example.com/tool.tgz\n    - tar xzf tool.tgz\n",
        ),
        (
            "Dockerfile",
            "FROM debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000000\nRUN curl -fsSLo /tmp/t.tgz https://example.com/t.tgz && tar -xzf /tmp/t.tgz\nADD https://example.com/a.tgz /opt/\nUSER app\n",
        ),
    ]);
    // The Dockerfile's lines are the configuration rules' (the pinning finding folds into
    // them); the GitLab script has no configuration rule, so download-not-verified says it.
    assert_eq!(
        scan_download_findings(dir.path()),
        [
            (
                ".gitlab-ci.yml".to_owned(),
                4,
                "download-not-verified".to_owned()
            ),
            (
                "Dockerfile".to_owned(),
                2,
                "dockerfile-download-no-checksum".to_owned()
            ),
            (
                "Dockerfile".to_owned(),
                3,
                "dockerfile-add-remote-url".to_owned()
            ),
        ]
    );
    // Recorded in sources.lock: the CI download is pinned.
    common::write(
        dir.path(),
        "sources.lock",
        &format!(
            "version = 1\n[[source]]\nurl = \"https://example.com/tool.tgz\"\nsha256 = \"{}\"\nsize = 3\n",
            hex(b"abc")
        ),
    );
    assert_eq!(
        scan_download_findings(dir.path()),
        [
            (
                "Dockerfile".to_owned(),
                2,
                "dockerfile-download-no-checksum".to_owned()
            ),
            (
                "Dockerfile".to_owned(),
                3,
                "dockerfile-add-remote-url".to_owned()
            ),
        ]
    );
}

#[test]
fn pin_records_ci_script_downloads_without_rewriting_them() {
    let tool = tarball();
    let port = serve(vec![("/foo.tar.gz", Answer::Body(tool.clone()))]);
    let url = format!("http://127.0.0.1:{port}/foo.tar.gz");
    let gitlab = format!(
        "build:\n  image: debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000000\n  script:\n    - curl -fsSLo foo.tar.gz {url}\n    - tar xzf foo.tar.gz\n"
    );
    let workflow = format!(
        "on: push\njobs:\n  b:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: |\n          wget -q {url}\n          tar xzf foo.tar.gz\n"
    );
    let dir = common::dir_with(&[
        (".gitlab-ci.yml", &gitlab),
        (".github/workflows/ci.yml", &workflow),
    ]);
    let out = vouch().arg("pin").arg(dir.path()).output().unwrap();
    assert_exit(&out, 0);
    // Shell is never rewritten.
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitlab-ci.yml")).unwrap(),
        gitlab
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".github/workflows/ci.yml")).unwrap(),
        workflow
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sources.lock")).unwrap(),
        format!(
            "# sources.lock: downloads pinned by URL, SHA-256 and size. Written by `vouch pin`,\n# read by `vouch fetch --lock`.\nversion = 1\n\n[[source]]\nurl = \"{url}\"\nsha256 = \"{}\"\nsize = {}\nfiles = [\".github/workflows/ci.yml\", \".gitlab-ci.yml\"]\n",
            hex(&tool),
            tool.len()
        )
    );
}

#[test]
fn pin_keeps_url_credentials_out_of_sources_lock_and_output() {
    let tool = tarball();
    let port = serve(vec![("/foo.tar.gz", Answer::Body(tool.clone()))]);
    let dockerfile =
        format!("FROM scratch\nRUN curl -fsSLO http://ci:s3cret@127.0.0.1:{port}/foo.tar.gz\n");
    let dir = common::dir_with(&[("Dockerfile", &dockerfile)]);
    let out = vouch().arg("pin").arg(dir.path()).output().unwrap();
    assert_exit(&out, 0);
    let lock = std::fs::read_to_string(dir.path().join("sources.lock")).unwrap();
    assert!(
        lock.contains(&format!("url = \"http://127.0.0.1:{port}/foo.tar.gz\"\n")),
        "{lock}"
    );
    assert!(!lock.contains("s3cret") && !stderr(&out).contains("s3cret"));
    // The check finds it in the lock by the same credential-free URL.
    let out = vouch()
        .args(["pin", "--check", "--offline"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

#[test]
fn pin_dry_run_shows_the_add_and_sources_lock_diffs_and_writes_nothing() {
    let tool = tarball();
    let port = serve(vec![("/foo.tar.gz", Answer::Body(tool.clone()))]);
    let dockerfile = format!("FROM scratch\nADD http://127.0.0.1:{port}/foo.tar.gz /opt/\n");
    let dir = common::dir_with(&[("Dockerfile", &dockerfile)]);
    let out = vouch()
        .args(["pin", "--dry-run"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains(&format!(
            "+ADD --checksum=sha256:{} http://127.0.0.1:{port}/foo.tar.gz /opt/\n",
            hex(&tool)
        )),
        "{diff}"
    );
    assert!(
        diff.contains(&format!("+sha256 = \"{}\"\n", hex(&tool))),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        dockerfile
    );
    assert!(!dir.path().join("sources.lock").exists());
}

#[test]
fn a_lock_entry_cannot_leave_its_folder_through_a_symbolic_link() {
    let body = b"payload\n".to_vec();
    let port = serve(vec![("/x.bin", Answer::Body(body.clone()))]);
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("sources.lock"),
        format!(
            "version = 1\n[[source]]\nurl = \"http://127.0.0.1:{port}/x.bin\"\nsha256 = \"{}\"\nsize = 8\npath = \"sub/x.bin\"\n",
            hex(&body)
        ),
    )
    .unwrap();
    let out = vouch()
        .args(["fetch", "--lock"])
        .arg(dir.path().join("sources.lock"))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("it leads outside"),
        "{}",
        stderr(&out)
    );
    assert!(names(outside.path()).is_empty());
}
