//! Bounded reads in `vouch check`: FIFOs in the tree are per-file errors, the repository's
//! ignore file and Rego modules stay inside the repository, and errors never quote the file.

use vouch_fs::read::{FileType, ReadError};
use vouch_policy::{CheckError, Date, IgnoreFileError, Options, PolicyError, check_dir};

fn opts() -> Options {
    Options::new("2026-11-22".parse::<Date>().unwrap())
}

fn token() -> String {
    format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke")
}

/// A file outside the repository holding a secret, and the repository with a link to it.
fn link_outside(rel: &str) -> (tempfile::TempDir, tempfile::TempDir) {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("environ");
    std::fs::write(&target, format!("SECRET_TOKEN={}\n", token())).unwrap();
    let repo = tempfile::tempdir().unwrap();
    let link = repo.path().join(rel);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    (repo, outside)
}

#[test]
fn fifo_with_a_checked_name_is_an_error_for_that_file() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("Dockerfile"), "FROM alpine:3.20\nUSER app\n").unwrap();
    vouch_test::mkfifo(&d.path().join(".gitlab-ci.yml"));
    let out = check_dir(d.path(), &opts()).unwrap();
    assert_eq!(out.files_checked, 1);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].path, ".gitlab-ci.yml");
    assert_eq!(out.errors[0].message, "not a regular file (it is a FIFO)");
}

#[test]
fn ignore_file_linking_outside_the_repository_is_refused() {
    let (repo, _outside) = link_outside(".vouch/ignore.toml");
    let err = check_dir(repo.path(), &opts()).unwrap_err();
    assert!(
        matches!(
            &err,
            CheckError::IgnoreFile(IgnoreFileError::Read {
                source: ReadError::OutsideRoot { .. },
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn ignore_file_fifo_is_refused_not_treated_as_absent() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".vouch")).unwrap();
    vouch_test::mkfifo(&d.path().join(".vouch/ignore.toml"));
    let err = check_dir(d.path(), &opts()).unwrap_err();
    assert!(
        matches!(
            &err,
            CheckError::IgnoreFile(IgnoreFileError::Read {
                source: ReadError::NotRegular {
                    found: FileType::Fifo,
                    ..
                },
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn ignore_file_syntax_error_names_position_without_quoting() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".vouch")).unwrap();
    std::fs::write(
        d.path().join(".vouch/ignore.toml"),
        format!("[[ignore]]\nrule = \"x\"\nbad line {}\n", token()),
    )
    .unwrap();
    let err = check_dir(d.path(), &opts()).unwrap_err();
    let msg = err.to_string();
    // The one ignore-file schema (vouch_report::ignore) names the line and column and never
    // quotes the file.
    assert_eq!(
        msg,
        ".vouch/ignore.toml: not a valid ignore file at line 3 column 5: key with no value, expected `=`"
    );
    assert!(!msg.contains(&token()), "{msg}");
}

#[test]
fn rego_module_linking_outside_its_policy_folder_is_refused() {
    let (repo, _outside) = link_outside(".vouch/policy/evil.rego");
    let err = check_dir(repo.path(), &opts()).unwrap_err();
    assert!(
        matches!(
            &err,
            CheckError::Policy(PolicyError::File(ReadError::OutsideRoot { .. }))
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("ghp_"));
}

#[test]
fn rego_compile_error_redacts_the_quoted_line() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join(".vouch/policy")).unwrap();
    std::fs::write(
        d.path().join(".vouch/policy/bad.rego"),
        format!("package ci\n\ntoken := \"{}\" +\n", token()),
    )
    .unwrap();
    let err = check_dir(d.path(), &opts()).unwrap_err();
    assert!(
        matches!(&err, CheckError::Policy(PolicyError::Compile { .. })),
        "{err:?}"
    );
    assert!(!err.to_string().contains(&token()), "{err}");
}

/// Inputs that span files read the others through the tree, with the same cap and refusals;
/// without a tree nothing else can be read.
#[test]
fn other_files_are_read_through_the_tree_with_the_cap() {
    use vouch_fs::walk::{DirTree, Excludes};
    use vouch_policy::{Context, InputError};
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("ci")).unwrap();
    std::fs::write(d.path().join("ci/build.yml"), "build:\n  script: [make]\n").unwrap();
    std::fs::write(d.path().join("big.yml"), "x".repeat(100)).unwrap();
    let tree = DirTree::open(d.path(), Excludes::none()).unwrap();
    let ctx = Context {
        lockfile_present: false,
        tree: Some((&tree, ".gitlab-ci.yml")),
        max_file_size: 64,
        ..Context::default()
    };
    assert_eq!(
        ctx.read("ci/build.yml").unwrap(),
        b"build:\n  script: [make]\n"
    );
    assert!(matches!(
        ctx.read("big.yml"),
        Err(InputError::TooLarge { limit: 64 })
    ));
    match ctx.read("missing.yml") {
        Err(InputError::Unreadable { reason }) => {
            assert!(
                reason.starts_with("missing.yml: could not open"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("passwd"), "root:x:0:0").unwrap();
    std::os::unix::fs::symlink(outside.path(), d.path().join("linked")).unwrap();
    for bad in [
        "../passwd",
        "/etc/passwd",
        "ci/../../passwd",
        "linked/passwd",
        "ci//build.yml",
    ] {
        match ctx.read(bad) {
            Err(InputError::Unreadable { reason }) => {
                assert_eq!(reason, format!("{bad}: not a path inside the repository"))
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    match Context::default().read("ci/build.yml") {
        Err(InputError::Unreadable { reason }) => {
            assert_eq!(reason, "ci/build.yml: no tree to read other files from")
        }
        other => panic!("{other:?}"),
    }
}
