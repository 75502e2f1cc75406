//! Image references parsed once (`vouch_oci::reference`), seen end to end: `vouch pin` against
//! a real registry (Debian's docker-registry on 127.0.0.1, `vouch_test::registry`) rewrites each
//! spelling in place and records a typed digest in `vouch.lock`; a name the distribution grammar
//! refuses is `image-name-invalid` naming the input (exit 2, file untouched); an upper-case
//! digest counts as pinned and a malformed one does not reach the lock.

use std::path::Path;

use vouch_test::registry::Registry;

mod common;

use common::write;

/// 2026-11-22T00:00:00Z: "now" for the lock.
const NOW: &str = "1795305600";

struct Run {
    code: i32,
    stderr: String,
}

fn pin(dir: &Path, host: &str, args: &[&str]) -> Run {
    let out = common::vouch()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", NOW)
        .arg("pin")
        .args(args)
        .args(["--insecure-registry", host])
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn pin_rewrites_each_spelling_in_place_and_locks_the_digest() {
    let registry = Registry::start();
    let app = registry.push_image("team/app", "1.0", "2026-09-01T00:00:00Z");
    let h = registry.host();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A port registry with a tag; the same image without a tag (`latest` is not pushed, so only
    // the tagged one is asked for); quoted in compose, with a comment after it.
    write(
        d,
        "Dockerfile",
        &format!("FROM {h}/team/app:1.0 AS build\nRUN true\n"),
    );
    write(
        d,
        "docker-compose.yml",
        &format!("services:\n  a:\n    image: \"{h}/team/app:1.0\"   # the app\n"),
    );
    let r = pin(d, &h, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        read(d, "Dockerfile"),
        format!("FROM {h}/team/app:1.0@{app} AS build\nRUN true\n")
    );
    assert_eq!(
        read(d, "docker-compose.yml"),
        format!("services:\n  a:\n    image: \"{h}/team/app:1.0@{app}\"   # the app\n")
    );
    let lock = read(d, "vouch.lock");
    assert!(lock.contains(&format!("digest = \"{app}\"")), "{lock}");
    assert!(
        lock.contains(&format!("reference = \"{h}/team/app\"")),
        "{lock}"
    );
    // Pinned now: a second run changes nothing.
    let r = pin(d, &h, &["--check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn an_upper_case_repository_is_image_name_invalid_and_the_file_is_untouched() {
    let registry = Registry::start();
    let h = registry.host();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = format!("FROM {h}/Team/App:1.0\n");
    write(d, "Dockerfile", &text);
    let r = pin(d, &h, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error[image-name-invalid]: Dockerfile:1: {h}/Team/App:1.0: invalid image name `{h}/Team/App`: path components may hold only lowercase letters, digits, `.`, `_` and `-`"
        )),
        "{}",
        r.stderr
    );
    assert_eq!(read(d, "Dockerfile"), text);
}

#[test]
fn pinned_digests_are_typed_when_locked() {
    let registry = Registry::start();
    let h = registry.host();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let upper = format!("sha256:{}", "AB".repeat(32));
    write(
        d,
        "Dockerfile",
        &format!("FROM {h}/team/app:1.0@{upper}\nFROM {h}/team/other:2@sha256:00\n"),
    );
    // Both carry `@`, so nothing is resolved; only the well-formed digest reaches the lock, in
    // its canonical (lower-case) spelling.
    let r = pin(d, &h, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lock = read(d, "vouch.lock");
    assert!(
        lock.contains(&format!("digest = \"sha256:{}\"", "ab".repeat(32))),
        "{lock}"
    );
    assert!(!lock.contains("team/other"), "{lock}");
}
