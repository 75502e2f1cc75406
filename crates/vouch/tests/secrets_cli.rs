//! `vouch secrets` end to end: exit codes, formats, and that no output ever carries a secret in
//! clear. Secrets are assembled at run time so this file holds none.

use std::path::Path;
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt as _;

fn secrets() -> Vec<String> {
    vec![
        format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke"),
        format!("AKIA{}", "Z7Q3LNV5R2XKD4PW"),
        format!(
            "xoxb-{}-{}-{}",
            "18273645091", "2837465019283", "Qk3Lm9Xv2Bn7Rt5Yw8Zp1Cd4"
        ),
        format!("sk_live_{}{}", "4eC39HqLyjWDarjtT1zdp7dc", "Xq9ZpL3vB7nM"),
        format!("{}{}", "Vx9!qL2#mZ", "p7$Rw4&tB8"),
    ]
}

fn write_tree(root: &Path) {
    let s = secrets();
    std::fs::write(
        root.join("app.env"),
        format!(
            "GITHUB_TOKEN={}\nAWS_ACCESS_KEY_ID={}\nSLACK={}\n",
            s[0], s[1], s[2]
        ),
    )
    .unwrap();
    std::fs::write(
        root.join("billing.py"),
        format!("stripe_key = \"{}\"\ndb_password = \"{}\"\n", s[3], s[4]),
    )
    .unwrap();
}

fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    use std::io::Write as _;
    let mut child = Command::cargo_bin("vouch")
        .unwrap()
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn vouch(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run(dir, args, None)
}

fn assert_no_secret(what: &str, text: &str) {
    for s in secrets() {
        assert!(!text.contains(&s), "{what} contains a secret in clear");
        assert!(
            !text.contains(&s[..s.len() - 3]),
            "{what} contains most of a secret"
        );
    }
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .expect("git is required for this test (scripts/test-setup.d/secrets.sh)");
    assert!(st.success());
}

#[test]
fn no_output_leaks_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path());
    for format in ["table", "json", "sarif", "gitlab"] {
        let (code, stdout, stderr) = vouch(dir.path(), &["secrets", ".", "--format", format]);
        assert_eq!(code, 1, "{format}: {stderr}");
        assert_no_secret(&format!("{format} stdout"), &stdout);
        assert_no_secret(&format!("{format} stderr"), &stderr);
        assert!(stdout.contains("github-pat"), "{format}: {stdout}");
    }
    let input = std::fs::read(dir.path().join("app.env")).unwrap();
    let (code, stdout, stderr) = run(
        dir.path(),
        &["secrets", "-", "--format", "json"],
        Some(&input),
    );
    assert_eq!(code, 1);
    assert_no_secret("stdin json", &stdout);
    assert_no_secret("stdin stderr", &stderr);
    vouch(
        dir.path(),
        &["secrets", ".", "--write-baseline", "base.json", "--no-fail"],
    );
    assert_no_secret(
        "baseline",
        &std::fs::read_to_string(dir.path().join("base.json")).unwrap(),
    );

    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "app.env", "billing.py"]);
    for format in ["table", "json", "sarif", "gitlab"] {
        let (code, stdout, stderr) =
            vouch(dir.path(), &["secrets", "--staged", "--format", format]);
        assert_eq!(code, 1, "{stderr}");
        assert_no_secret("staged stdout", &stdout);
        assert_no_secret("staged stderr", &stderr);
    }
    git(dir.path(), &["commit", "-qm", "x"]);
    for format in ["table", "json", "sarif", "gitlab"] {
        let (code, stdout, stderr) = vouch(dir.path(), &["secrets", "--git", "--format", format]);
        assert_eq!(code, 1, "{stderr}");
        assert_no_secret("git stdout", &stdout);
        assert_no_secret("git stderr", &stderr);
    }
    // --show-secrets is the one way to see them
    let (_, stdout, stderr) = vouch(
        dir.path(),
        &["secrets", ".", "--format", "json", "--show-secrets"],
    );
    assert!(stdout.contains(&secrets()[0]));
    assert!(stderr.contains("--show-secrets"));
}

#[test]
fn exit_codes_baseline_config_and_json_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path());
    let (code, stdout, _) = vouch(dir.path(), &["secrets", ".", "--format", "json"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("secrets_json", stdout);
    let (code, stdout, _) = vouch(dir.path(), &["secrets", ".", "--format", "gitlab"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("secrets_gitlab", stdout);
    assert_eq!(vouch(dir.path(), &["secrets", ".", "--no-fail"]).0, 0);
    assert_eq!(vouch(dir.path(), &["secrets", ".", "--fail"]).0, 1);
    assert_eq!(vouch(dir.path(), &["secrets", "does-not-exist"]).0, 2);
    assert_eq!(
        vouch(dir.path(), &["secrets", "--git", "."]).0,
        2,
        "not a repository"
    );
    assert_eq!(
        vouch(dir.path(), &["secrets", ".", "--write-baseline", "b.json"]).0,
        1
    );
    let (code, stdout, stderr) = vouch(dir.path(), &["secrets", ".", "--baseline", "b.json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("5 baselined"), "{stderr}");
    std::fs::create_dir(dir.path().join(".vouch")).unwrap();
    std::fs::write(
        dir.path().join(".vouch/secrets.toml"),
        "[allow]\npaths = [\"*.env\", \"*.py\"]\n",
    )
    .unwrap();
    assert_eq!(vouch(dir.path(), &["secrets", "."]).0, 0);
    std::fs::write(
        dir.path().join(".vouch/secrets.toml"),
        "[allow]\nregexes = ['(']\n",
    )
    .unwrap();
    let (code, _, stderr) = vouch(dir.path(), &["secrets", "."]);
    assert_eq!(code, 2);
    assert!(stderr.contains("allow.regexes"), "{stderr}");
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("a.txt"), "nothing here\n").unwrap();
    assert_eq!(vouch(clean.path(), &["secrets", "."]).0, 0);
}
