//! Bounded reads in the pin walker: a FIFO with a name vouch pins is `pin-unreadable-file`
//! (refused before any byte is read, never a hang), and `vouch.lock` errors never quote the file.

use vouch_pin::lock::Lock;
use vouch_pin::walk::{FileErrorReason, walk};

#[test]
fn fifo_with_a_pinned_name_is_an_unreadable_file() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("Dockerfile"), "FROM alpine:3.20\n").unwrap();
    vouch_test::mkfifo(&d.path().join(".gitlab-ci.yml"));
    let tree = walk(d.path());
    assert_eq!(tree.files.len(), 1);
    assert_eq!(tree.errors.len(), 1);
    let e = &tree.errors[0];
    assert_eq!(e.rel, ".gitlab-ci.yml");
    assert!(matches!(e.reason, FileErrorReason::Read(_)), "{e:?}");
    assert_eq!(e.code(), "pin-unreadable-file");
    assert_eq!(
        e.to_string(),
        ".gitlab-ci.yml: cannot read the file: not a regular file (it is a FIFO)"
    );
}

#[test]
fn fifo_as_the_root_is_an_unreadable_file() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("pipe");
    vouch_test::mkfifo(&p);
    let tree = walk(&p);
    assert_eq!(tree.errors.len(), 1);
    assert_eq!(tree.errors[0].code(), "pin-unreadable-file");
}

#[test]
fn malformed_lock_names_the_position_without_quoting() {
    let token = format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke");
    let err = Lock::parse(&format!("version = 1\n{token}\n")).unwrap_err();
    assert_eq!(err.line, 2);
    let msg = err.to_string();
    assert!(
        msg.starts_with("malformed vouch.lock at line 2 column "),
        "{msg}"
    );
    assert!(!msg.contains(&token), "{msg}");
}
