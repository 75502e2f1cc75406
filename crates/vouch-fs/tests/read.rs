//! Bounded reads: regular files only, a bound on the bytes read, repository files kept inside
//! the repository. Each failure mode asserts its exact variant and message.

use std::path::Path;

use vouch_fs::read::{self, FileType, ReadError};

#[test]
fn regular_file_within_the_limit_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.toml");
    std::fs::write(&p, "x = 1\n").unwrap();
    assert_eq!(read::read(&p, 6).unwrap(), b"x = 1\n");
    assert_eq!(read::read_to_string(&p, 100).unwrap(), "x = 1\n");
}

#[test]
fn file_over_the_limit_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big");
    std::fs::write(&p, vec![b'a'; 11]).unwrap();
    let err = read::read(&p, 10).unwrap_err();
    assert!(
        matches!(&err, ReadError::TooLarge { limit: 10, path } if path == &p),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("{} is larger than the 10 byte limit", p.display())
    );
}

#[test]
fn fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pipe");
    vouch_test::mkfifo(&p);
    // No writer ever opens the FIFO: a blocking open would hang this test.
    let err = read::read(&p, 1024).unwrap_err();
    assert!(
        matches!(
            &err,
            ReadError::NotRegular {
                found: FileType::Fifo,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("{} is not a regular file (it is a FIFO)", p.display())
    );
}

#[test]
fn dev_zero_is_refused_before_reading() {
    let err = read::read(Path::new("/dev/zero"), 1024).unwrap_err();
    assert!(
        matches!(
            &err,
            ReadError::NotRegular {
                found: FileType::CharDevice,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "/dev/zero is not a regular file (it is a character device)"
    );
}

#[test]
fn directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = read::read(dir.path(), 1024).unwrap_err();
    assert!(
        matches!(
            &err,
            ReadError::NotRegular {
                found: FileType::Directory,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn missing_file_is_open_error_and_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("absent");
    let err = read::read(&p, 10).unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.to_string(), format!("could not open {}", p.display()));
}

#[test]
fn not_utf8_is_refused_by_the_string_reader() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bin");
    std::fs::write(&p, b"ab\xffcd").unwrap();
    let err = read::read_to_string(&p, 10).unwrap_err();
    assert!(
        matches!(err, ReadError::NotUtf8 { offset: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn symlink_leaving_the_repository_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("environ");
    std::fs::write(
        &secret,
        "SECRET_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n",
    )
    .unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".vouch")).unwrap();
    let link = repo.path().join(".vouch/scan.toml");
    std::os::unix::fs::symlink(&secret, &link).unwrap();

    let err = read::read_to_string_in_root(repo.path(), &link, 1024).unwrap_err();
    assert!(
        matches!(&err, ReadError::OutsideRoot { path, root } if path == &link && root == repo.path()),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(!msg.contains("ghp_"), "{msg}");
    assert_eq!(
        msg,
        format!(
            "{} resolves outside the repository {} (a symbolic link that leaves the repository is not followed)",
            link.display(),
            repo.path().display()
        )
    );
    // The same file read as an operator-chosen path (not repository-controlled) is fine.
    assert!(read::read(&link, 1024).is_ok());
}

#[test]
fn symlink_inside_the_repository_is_followed() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("real.toml"), "a = 1\n").unwrap();
    let link = repo.path().join("link.toml");
    std::os::unix::fs::symlink("real.toml", &link).unwrap();
    assert_eq!(
        read::read_to_string_in_root(repo.path(), &link, 1024).unwrap(),
        "a = 1\n"
    );
}

#[test]
fn repository_fifo_is_refused_and_named_as_given() {
    let repo = tempfile::tempdir().unwrap();
    let p = repo.path().join("vouch.lock");
    vouch_test::mkfifo(&p);
    let err = read::read_in_root(repo.path(), &p, 1024).unwrap_err();
    assert!(
        matches!(&err, ReadError::NotRegular { found: FileType::Fifo, path } if path == &p),
        "{err:?}"
    );
}

#[test]
fn repository_file_over_the_limit_is_too_large() {
    let repo = tempfile::tempdir().unwrap();
    let p = repo.path().join("big.rego");
    std::fs::write(&p, "package x\n").unwrap();
    let err = read::read_in_root(repo.path(), &p, 4).unwrap_err();
    assert!(
        matches!(&err, ReadError::TooLarge { limit: 4, path } if path == &p),
        "{err:?}"
    );
}
