//! What vouch refuses to read (issue #12): FIFOs, devices and repository files that leave the
//! repository are errors (exit 2) that name the path, never a hang, a silent "nothing found" or
//! an error that quotes the file. Secrets are assembled at run time so this file holds none.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{assert_exit, vouch};

/// A GitHub token shape the secret rules recognise.
fn token() -> String {
    format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke")
}

/// Runs vouch in `dir`; a read that blocked would hit the timeout and fail the test.
fn run(dir: &Path, args: &[&str]) -> (std::process::Output, String) {
    let out = vouch()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stderr)
}

#[test]
fn secrets_of_dev_zero_is_an_error_not_an_empty_scan() {
    let d = tempfile::tempdir().unwrap();
    let (out, stderr) = run(d.path(), &["secrets", "/dev/zero"]);
    assert_exit(&out, 2);
    assert_eq!(
        stderr,
        "error: /dev/zero is not a regular file (it is a character device)\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn secrets_of_a_regular_file_still_scans_it() {
    let d = common::dir_with(&[("app.env", &format!("GITHUB_TOKEN={}\n", token()))]);
    let (out, stderr) = run(d.path(), &["secrets", "app.env"]);
    assert_exit(&out, 1);
    assert!(stderr.contains("scanned 1 file(s)"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token()));
}

#[test]
fn secrets_of_a_fifo_argument_does_not_block() {
    let d = tempfile::tempdir().unwrap();
    vouch_test::mkfifo(&d.path().join("pipe"));
    let (out, stderr) = run(d.path(), &["secrets", "pipe"]);
    assert_exit(&out, 2);
    assert_eq!(stderr, "error: pipe is not a regular file (it is a FIFO)\n");
}

#[test]
fn fifo_in_a_scanned_tree_is_reported_and_the_rest_is_scanned() {
    let d = common::dir_with(&[("app.env", &format!("GITHUB_TOKEN={}\n", token()))]);
    vouch_test::mkfifo(&d.path().join("pipe.env"));
    let (out, stderr) = run(d.path(), &["secrets", "."]);
    assert!(
        stderr.contains("warning: pipe.env: not a regular file (it is a FIFO)\n"),
        "{stderr}"
    );
    assert!(stderr.contains("scanned 1 file(s)"), "{stderr}");
    // The finding in the readable file is still reported.
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("github-pat"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn private_key_from_dev_zero_is_refused() {
    let d = common::dir_with(&[("app.bin", "artifact\n")]);
    let (out, stderr) = run(d.path(), &["sign", "app.bin", "--key", "/dev/zero"]);
    assert_exit(&out, 2);
    assert_eq!(
        stderr,
        "error: could not read private key /dev/zero\n  caused by: /dev/zero is not a regular file (it is a character device)\n"
    );
}

#[test]
fn public_key_from_dev_zero_is_refused() {
    let d = common::dir_with(&[("app.bin", "artifact\n"), ("b.json", "{}")]);
    let (out, stderr) = run(
        d.path(),
        &[
            "verify",
            "app.bin",
            "--bundle",
            "b.json",
            "--key",
            "/dev/zero",
        ],
    );
    assert_exit(&out, 2);
    assert_eq!(
        stderr,
        "error: could not read public key /dev/zero\n  caused by: /dev/zero is not a regular file (it is a character device)\n"
    );
}

#[test]
fn fifo_as_bundle_is_refused_without_blocking() {
    let d = common::dir_with(&[("app.bin", "artifact\n")]);
    vouch_test::mkfifo(&d.path().join("sig.bundle"));
    let (out, stderr) = run(
        d.path(),
        &[
            "verify",
            "app.bin",
            "--bundle",
            "sig.bundle",
            "--certificate-identity",
            "https://example.com/ci",
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
        ],
    );
    assert_exit(&out, 2);
    assert_eq!(
        stderr,
        "error: could not read bundle sig.bundle\n  caused by: sig.bundle is not a regular file (it is a FIFO)\n"
    );
}

#[test]
fn trusted_root_from_dev_zero_is_refused() {
    let d = common::dir_with(&[("app.bin", "artifact\n"), ("b.json", "{}")]);
    let (out, stderr) = run(
        d.path(),
        &[
            "verify",
            "app.bin",
            "--bundle",
            "b.json",
            "--certificate-identity",
            "https://example.com/ci",
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
            "--trusted-root",
            "/dev/zero",
        ],
    );
    assert_exit(&out, 2);
    assert_eq!(
        stderr,
        "error: could not read trusted root /dev/zero\n  caused by: /dev/zero is not a regular file (it is a character device)\n"
    );
}

#[test]
fn check_of_dev_zero_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let (out, stderr) = run(d.path(), &["check", "/dev/zero"]);
    assert_exit(&out, 2);
    assert!(
        stderr.contains(
            "error: could not check /dev/zero\n  caused by: not a regular file (it is a character device)\n"
        ),
        "{stderr}"
    );
}

/// A repository whose `.vouch/<name>` is a symbolic link to a file outside it that holds a
/// secret (as `/proc/self/environ` of a CI job would).
fn repo_linking_outside(name: &str) -> (tempfile::TempDir, tempfile::TempDir) {
    let outside = tempfile::tempdir().unwrap();
    let environ = outside.path().join("environ");
    std::fs::write(&environ, format!("SECRET_TOKEN={}\nHOME=/root\n", token())).unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".vouch")).unwrap();
    std::os::unix::fs::symlink(&environ, repo.path().join(".vouch").join(name)).unwrap();
    (repo, outside)
}

#[test]
fn scan_config_linking_outside_the_repository_is_refused_and_not_quoted() {
    let (repo, _outside) = repo_linking_outside("scan.toml");
    let (out, stderr) = run(repo.path(), &["scan", "."]);
    assert_exit(&out, 2);
    assert!(!stderr.contains(&token()), "{stderr}");
    assert!(!stderr.contains("ghp_"), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: could not read scan configuration ./.vouch/scan.toml\n  caused by: ./.vouch/scan.toml resolves outside the repository . (a symbolic link that leaves the repository is not followed)\n"
        )
    );
}

#[test]
fn secrets_config_linking_outside_the_repository_is_refused() {
    let (repo, _outside) = repo_linking_outside("secrets.toml");
    let (out, stderr) = run(repo.path(), &["secrets", "."]);
    assert_exit(&out, 2);
    assert!(!stderr.contains("ghp_"), "{stderr}");
    assert_eq!(
        stderr,
        "error: could not load the secrets config\n  caused by: ./.vouch/secrets.toml resolves outside the repository . (a symbolic link that leaves the repository is not followed)\n"
    );
}

#[test]
fn malformed_scan_config_names_line_and_column_without_quoting() {
    let d = common::dir_with(&[(
        ".vouch/scan.toml",
        &format!("exclude = [\"vendor\"]\n{} = 1\n", token()),
    )]);
    let (out, stderr) = run(d.path(), &["scan", "."]);
    assert_exit(&out, 2);
    assert!(!stderr.contains(&token()), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: invalid scan configuration\n  caused by: ./.vouch/scan.toml:2:1: "
        ),
        "{stderr}"
    );
}

#[test]
fn scan_config_fifo_is_an_error_not_an_absent_file() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".vouch")).unwrap();
    vouch_test::mkfifo(&d.path().join(".vouch/scan.toml"));
    let (out, stderr) = run(d.path(), &["scan", "."]);
    assert_exit(&out, 2);
    assert_eq!(
        stderr,
        "error: could not read scan configuration ./.vouch/scan.toml\n  caused by: ./.vouch/scan.toml is not a regular file (it is a FIFO)\n"
    );
}

#[test]
fn scan_config_inside_the_repository_is_used() {
    let d = common::dir_with(&[(".vouch/scan.toml", "exclude = [\"vendor\"]\n")]);
    let (_out, stderr) = run(d.path(), &["scan", "."]);
    assert!(
        stderr.contains("note: .vouch/scan.toml excludes vendor from every check"),
        "{stderr}"
    );
}

const GATE_POLICY: &str = r#"[trust]
identities = [{ identity = "https://example.com/ci", issuer = "https://token.actions.githubusercontent.com" }]
"#;

#[test]
fn gate_evidence_fifo_is_an_error_not_an_absent_file() {
    for name in [
        "signature.bundle",
        "sbom.cdx.json",
        "provenance.intoto.jsonl",
    ] {
        let d = common::dir_with(&[("app.bin", "artifact\n"), ("gate.toml", GATE_POLICY)]);
        vouch_test::mkfifo(&d.path().join(name));
        let (out, stderr) = run(d.path(), &["gate", "app.bin", "--policy", "gate.toml"]);
        assert_exit(&out, 2);
        assert!(
            stderr.contains(&format!(
                "  caused by: ./{name} is not a regular file (it is a FIFO)\n"
            )),
            "{name}: {stderr}"
        );
    }
}

#[test]
fn gate_artifact_from_dev_zero_is_refused() {
    let d = common::dir_with(&[("gate.toml", GATE_POLICY)]);
    let (out, stderr) = run(
        d.path(),
        &[
            "gate",
            "/dev/zero",
            "--policy",
            "gate.toml",
            "--evidence",
            ".",
        ],
    );
    assert_exit(&out, 2);
    assert_eq!(
        stderr,
        "error: could not read artifact /dev/zero\n  caused by: /dev/zero is not a regular file (it is a character device)\n"
    );
}
