//! Scanner behaviour on real files and real git repositories made by the test (setup shells out
//! to `git`; the product never does). Secrets are assembled at run time so this file holds none.

use std::path::Path;
use std::process::Command;

use vouch_secrets::{AllowList, Baseline, Options, scan_dir, scan_git_history, scan_staged};

fn github_token() -> String {
    format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke")
}
fn aws_key() -> String {
    format!("AKIA{}", "Z7Q3LNV5R2XKD4PW")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
        .env("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git must be installed for these tests (scripts/test-setup.d/secrets.sh)");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn init(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
}

#[test]
fn working_tree_finds_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("config.env"),
        format!("TOKEN={}\n", github_token()),
    )
    .unwrap();
    std::fs::create_dir(root.join("src")).unwrap();
    std::fs::write(
        root.join("src/main.py"),
        format!("x = 1\nkey = \"{}\"\n", aws_key()),
    )
    .unwrap();
    std::fs::write(root.join("blob.bin"), b"\0\0\0ghp_binary").unwrap();
    std::fs::write(root.join("big.txt"), vec![b'a'; 2048]).unwrap();
    // invalid UTF-8 around a secret, and one enormous line
    let mut bad = vec![0xff, 0xfe, b' '];
    bad.extend_from_slice(github_token().as_bytes());
    bad.extend_from_slice(b" \xc3\x28\n");
    std::fs::write(root.join("latin1.txt"), bad).unwrap();
    let mut long = vec![b'x'; 900];
    long.extend_from_slice(format!(" {} ", aws_key()).as_bytes());
    std::fs::write(root.join("long.txt"), long).unwrap();
    std::fs::write(root.join(".gitignore"), "ignored.txt\n").unwrap();
    std::fs::write(root.join("ignored.txt"), github_token()).unwrap();
    let options = Options {
        max_file_size: 1024,
        ..Options::default()
    };
    let out = scan_dir(root, &options).unwrap();
    let got: Vec<(String, String, u32)> = out
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            (l.path.clone(), f.rule_id.clone(), l.line.unwrap())
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("config.env".into(), "github-pat".into(), 1),
            // Listed in .gitignore, but on disk: scanned (one rule set for every walker,
            // docs/walk.md); it was skipped when the scanner honoured ignore files.
            ("ignored.txt".into(), "github-pat".into(), 1),
            ("latin1.txt".into(), "github-pat".into(), 1),
            ("long.txt".into(), "aws-access-key-id".into(), 1),
            ("src/main.py".into(), "aws-access-key-id".into(), 2),
        ]
    );
    assert_eq!(out.stats.skipped_binary, 1);
    assert_eq!(out.stats.skipped_large, 1);
    assert_eq!(out.findings[4].location.as_ref().unwrap().column, Some(8));
    for f in &out.findings {
        assert!(!f.message.contains(&github_token()) && !f.message.contains(&aws_key()));
        assert!(f.properties.get("secret").is_none());
    }
}

#[test]
fn fingerprint_survives_line_moves() {
    let a = tempfile::tempdir().unwrap();
    std::fs::write(a.path().join("f"), format!("T={}\n", github_token())).unwrap();
    let first = scan_dir(a.path(), &Options::default()).unwrap();
    std::fs::write(
        a.path().join("f"),
        format!("\n\n# moved\nT={}\n", github_token()),
    )
    .unwrap();
    let second = scan_dir(a.path(), &Options::default()).unwrap();
    assert_eq!(
        first.findings[0].fingerprint,
        second.findings[0].fingerprint
    );
    assert_ne!(first.findings[0].location, second.findings[0].location);
}

#[test]
fn inline_allow_baseline_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("a.env"),
        format!("T={} # vouch:allow\n", github_token()),
    )
    .unwrap();
    std::fs::write(root.join("b.env"), format!("K={}\n", aws_key())).unwrap();
    std::fs::create_dir(root.join("fixtures")).unwrap();
    std::fs::write(
        root.join("fixtures/c.env"),
        format!("K={}\n", github_token()),
    )
    .unwrap();
    let out = scan_dir(root, &Options::default()).unwrap();
    assert_eq!(out.findings.len(), 3);
    let a = out
        .findings
        .iter()
        .find(|f| f.location.as_ref().unwrap().path == "a.env")
        .unwrap();
    assert_eq!(a.suppressed.as_ref().unwrap().kind, "inline");

    // baseline round trip
    let baseline = Baseline::from_findings(&out.findings);
    let parsed = Baseline::parse(&baseline.to_json(), Path::new("b.json")).unwrap();
    let mut again = scan_dir(root, &Options::default()).unwrap();
    again.apply_baseline(&parsed);
    assert!(again.findings.is_empty());
    assert_eq!(again.stats.baselined, 3);

    // config: paths skip, regexes and fingerprints suppress
    let fp = out
        .findings
        .iter()
        .find(|f| f.rule_id == "aws-access-key-id")
        .unwrap()
        .fingerprint
        .clone();
    let cfg = format!("[allow]\npaths = [\"fixtures\"]\nfingerprints = [\"{fp}\"]\n");
    let allow = AllowList::parse(&cfg, Path::new(".vouch/secrets.toml")).unwrap();
    let out = scan_dir(
        root,
        &Options {
            allow,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(out.findings.len(), 2, "{:?}", out.findings);
    assert!(out.findings.iter().all(|f| f.suppressed.is_some()));
    let allow = AllowList::parse("[allow]\nregexes = ['^ghp_']\n", Path::new("x.toml")).unwrap();
    let out = scan_dir(
        root,
        &Options {
            allow,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(
        out.findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .count(),
        1
    );

    let err = AllowList::parse("[allow]\nregexes = ['(']\n", Path::new("x.toml")).unwrap_err();
    assert!(matches!(
        err,
        vouch_secrets::ConfigError::Regex { index: 1, .. }
    ));
    let err = AllowList::parse("disable = ['nope']\n", Path::new("x.toml")).unwrap_err();
    assert!(matches!(
        err,
        vouch_secrets::ConfigError::UnknownRule { .. }
    ));
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_a_warning() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("secret.env");
    std::fs::write(&p, github_token()).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::write(dir.path().join("ok.env"), format!("T={}", github_token())).unwrap();
    let out = scan_dir(dir.path(), &Options::default()).unwrap();
    // root can read anything: then the file is simply scanned
    if std::fs::read(&p).is_err() {
        assert_eq!(out.warnings.len(), 1);
        assert!(!out.warnings[0].message.contains(&github_token()));
        assert_eq!(out.findings.len(), 1);
    } else {
        assert_eq!(out.findings.len(), 2);
    }
}

#[test]
fn missing_root_is_an_error() {
    let err = scan_dir(Path::new("/nonexistent/vouch-secrets"), &Options::default()).unwrap_err();
    assert!(matches!(err, vouch_secrets::ScanError::Root { .. }));
    let dir = tempfile::tempdir().unwrap();
    let err = scan_git_history(dir.path(), &Options::default()).unwrap_err();
    assert!(matches!(
        err,
        vouch_secrets::ScanError::NotARepository { .. }
    ));
}

#[test]
fn history_reports_deleted_secret_with_introducing_commit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    std::fs::write(root.join("README.md"), "hello\n").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "first"]);
    std::fs::write(
        root.join("deploy.sh"),
        format!("#!/bin/sh\nexport GH={}\n", github_token()),
    )
    .unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "add secret"]);
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root)
        .output()
        .unwrap();
    let introducing = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    // an unrelated edit of the same file must not report the secret again
    std::fs::write(
        root.join("deploy.sh"),
        format!("#!/bin/sh\nset -e\nexport GH={}\n", github_token()),
    )
    .unwrap();
    git(root, &["commit", "-qam", "edit"]);
    std::fs::remove_file(root.join("deploy.sh")).unwrap();
    git(root, &["commit", "-qam", "remove secret"]);
    // a secret only on a side branch
    git(root, &["checkout", "-qb", "side"]);
    std::fs::write(root.join("side.env"), format!("AWS={}\n", aws_key())).unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "side"]);
    git(root, &["checkout", "-q", "main"]);

    assert!(
        scan_dir(root, &Options::default())
            .unwrap()
            .findings
            .is_empty()
    );
    let out = scan_git_history(root, &Options::default()).unwrap();
    assert_eq!(out.stats.commits_scanned, 5);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.findings.len(), 2, "{:#?}", out.findings);
    let gh = out
        .findings
        .iter()
        .find(|f| f.rule_id == "github-pat")
        .unwrap();
    assert_eq!(gh.location.as_ref().unwrap().path, "deploy.sh");
    assert_eq!(gh.location.as_ref().unwrap().line, Some(2));
    assert_eq!(gh.properties["commit"], introducing.as_str());
    assert_eq!(gh.properties["commit_date"], "2024-01-02T03:04:05Z");
    assert!(out.findings.iter().any(
        |f| f.rule_id == "aws-access-key-id" && f.location.as_ref().unwrap().path == "side.env"
    ));
}

#[test]
fn staged_scans_index_against_head() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    // unborn HEAD: everything staged is new
    std::fs::write(root.join("a.env"), format!("A={}\n", aws_key())).unwrap();
    git(root, &["add", "."]);
    let out = scan_staged(root, &Options::default()).unwrap();
    assert_eq!(out.findings.len(), 1);
    git(root, &["commit", "-qm", "a"]);
    // committed secrets are not re-reported; an unstaged one is not staged
    assert!(
        scan_staged(root, &Options::default())
            .unwrap()
            .findings
            .is_empty()
    );
    std::fs::write(root.join("b.env"), format!("B={}\n", github_token())).unwrap();
    assert!(
        scan_staged(root, &Options::default())
            .unwrap()
            .findings
            .is_empty()
    );
    git(root, &["add", "b.env"]);
    std::fs::create_dir(root.join("sub")).unwrap();
    let out = scan_staged(&root.join("."), &Options::default()).unwrap();
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].location.as_ref().unwrap().path, "b.env");
    assert!(out.findings[0].properties.get("commit").is_none());
}

#[test]
fn corrupt_object_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    std::fs::write(root.join("a.env"), format!("A={}\n", aws_key())).unwrap();
    std::fs::write(root.join("b.txt"), "plain\n").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "a"]);
    let out = Command::new("git")
        .args(["rev-parse", "HEAD:b.txt"])
        .current_dir(root)
        .output()
        .unwrap();
    let id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let obj = root.join(".git/objects").join(&id[..2]).join(&id[2..]);
    let mut perms = std::fs::metadata(&obj).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&obj, perms).unwrap();
    std::fs::write(&obj, b"this is not zlib").unwrap();
    let out = scan_git_history(root, &Options::default()).unwrap();
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(out.warnings[0].subject.ends_with(":b.txt"));
}
