//! Bounded reads in the secret scanner: a device or FIFO as the path is an error, one inside a
//! tree is a warning for that file, the repository's allow-list stays inside the repository, and
//! config errors never quote the file.

use std::path::Path;

use vouch_fs::read::{FileType, ReadError};
use vouch_secrets::{AllowList, Baseline, ConfigError, Options, ScanError, scan_dir};

fn token() -> String {
    format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke")
}

#[test]
fn dev_zero_as_the_path_is_an_error() {
    let err = scan_dir(Path::new("/dev/zero"), &Options::default()).unwrap_err();
    assert!(
        matches!(
            &err,
            ScanError::File(ReadError::NotRegular {
                found: FileType::CharDevice,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "/dev/zero is not a regular file (it is a character device)"
    );
}

#[test]
fn fifo_in_the_tree_is_a_warning_and_the_rest_is_scanned() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.env"), format!("T={}\n", token())).unwrap();
    vouch_test::mkfifo(&d.path().join("b.env"));
    let out = scan_dir(d.path(), &Options::default()).unwrap();
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.stats.files_scanned, 1);
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(
        out.warnings[0].to_string(),
        "b.env: not a regular file (it is a FIFO)"
    );
}

#[test]
fn file_over_the_limit_is_counted_as_skipped() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("big.env"), vec![b'a'; 100]).unwrap();
    let opts = Options {
        max_file_size: 10,
        ..Options::default()
    };
    let out = scan_dir(d.path(), &opts).unwrap();
    assert_eq!(out.stats.skipped_large, 1);
    assert_eq!(out.stats.files_scanned, 0);
}

#[test]
fn repository_allow_list_linking_outside_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("environ");
    std::fs::write(&target, format!("SECRET_TOKEN={}\n", token())).unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".vouch")).unwrap();
    let link = repo.path().join(".vouch/secrets.toml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = AllowList::load_repo(repo.path()).unwrap_err();
    assert!(
        matches!(&err, ConfigError::Read(ReadError::OutsideRoot { .. })),
        "{err:?}"
    );
    assert!(!err.to_string().contains("ghp_"));
    // A regular file inside the repository loads.
    std::fs::remove_file(&link).unwrap();
    std::fs::write(&link, "disable = []\n").unwrap();
    AllowList::load_repo(repo.path()).unwrap();
    // Nothing there: the default allow-list.
    std::fs::remove_file(&link).unwrap();
    AllowList::load_repo(repo.path()).unwrap();
}

#[test]
fn allow_list_toml_error_names_position_without_quoting() {
    let text = format!("disable = []\n{} = 1\n", token());
    let err = AllowList::parse(&text, Path::new("s.toml")).unwrap_err();
    let ConfigError::Toml { location, message } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(location.to_string(), "s.toml:2:1");
    assert!(!message.contains(&token()), "{message}");
    assert!(!err.to_string().contains(&token()), "{err}");
    assert!(
        err.to_string()
            .starts_with("s.toml:2:1: not a valid secrets config: ")
    );
}

#[test]
fn baseline_json_error_names_position_and_redacts() {
    let text = format!("{{\"version\": \"{}\"}}", token());
    let err = Baseline::parse(&text, Path::new("b.json")).unwrap_err();
    let ConfigError::Baseline { location, message } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(location.path, "b.json");
    assert_eq!(location.line, 1);
    assert!(!message.contains(&token()), "{message}");
    assert!(!err.to_string().contains(&token()), "{err}");
}

#[test]
fn redact_replaces_secrets_and_keeps_the_rest() {
    let text = format!("unknown field `{}`, expected `disable`", token());
    let out = vouch_secrets::redact(&text);
    assert!(!out.contains(&token()), "{out}");
    assert!(out.starts_with("unknown field `"), "{out}");
    assert!(out.ends_with("`, expected `disable`"), "{out}");
    assert_eq!(vouch_secrets::redact("nothing here"), "nothing here");
}
