//! Registry credentials at the command line: the Docker config files the binary finds
//! (`$REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG/config.json`, `~/.docker/config.json`), used by
//! `vouch pin` against Debian's `docker-registry` behind htpasswd on 127.0.0.1. Every run gets
//! a `HOME` of its own, so the developer's own `~/.docker/config.json` never takes part.

mod common;

use std::path::Path;
use std::process::Output;

use common::{assert_exit, write};
use vouch_test::registry::Registry;

/// base64 of `vouch:vouch-test` ([`Registry::USER`], [`Registry::PASSWORD`]).
const AUTH: &str = "dm91Y2g6dm91Y2gtdGVzdA==";

struct Setup {
    registry: Registry,
    digest: String,
    work: tempfile::TempDir,
    home: tempfile::TempDir,
}

fn setup() -> Setup {
    let registry = Registry::start_with_htpasswd();
    let digest = registry.push_image("team/app", "1.0.0", "2026-09-01T00:00:00Z");
    let work = tempfile::tempdir().unwrap();
    write(
        work.path(),
        "Dockerfile",
        &format!("FROM {}/team/app:1.0.0\n", registry.host()),
    );
    Setup {
        registry,
        digest,
        work,
        home: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    fn pin(&self, env: &[(&str, &Path)]) -> Output {
        let mut c = common::vouch();
        c.current_dir(self.work.path())
            .env("HOME", self.home.path())
            .args(["pin", "--insecure-registry", &self.registry.host()]);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    fn dockerfile(&self) -> String {
        std::fs::read_to_string(self.work.path().join("Dockerfile")).unwrap()
    }

    fn pinned(&self) -> String {
        format!(
            "FROM {}/team/app:1.0.0@{}\n",
            self.registry.host(),
            self.digest
        )
    }

    fn unpinned(&self) -> String {
        format!("FROM {}/team/app:1.0.0\n", self.registry.host())
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn without_credentials_the_registry_is_unauthorized() {
    let s = setup();
    let out = s.pin(&[]);
    assert_exit(&out, 2);
    let host = s.registry.host();
    assert!(stderr(&out).starts_with("error[registry-unauthorized]: Dockerfile:1: "));
    assert!(
        stderr(&out).contains(&format!(
            "{host}/team/app:1.0.0: registry {host} answered 401 (the registry asks for Basic credentials and none are configured for {host}); file left unchanged"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.dockerfile(), s.unpinned());
}

#[test]
fn registry_auth_file_is_read() {
    let s = setup();
    let auth = s.home.path().join("auth.json");
    let host = s.registry.host();
    std::fs::write(
        &auth,
        format!(r#"{{"auths": {{"{host}": {{"auth": "{AUTH}"}}}}}}"#),
    )
    .unwrap();
    let out = s.pin(&[("REGISTRY_AUTH_FILE", &auth)]);
    assert_exit(&out, 0);
    assert_eq!(s.dockerfile(), s.pinned());
}

#[test]
fn docker_config_folder_and_home_are_read() {
    let s = setup();
    let host = s.registry.host();
    let config = format!(
        r#"{{"auths": {{"{host}": {{"username": "{}", "password": "{}"}}}}}}"#,
        Registry::USER,
        Registry::PASSWORD
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "config.json", &config);
    let out = s.pin(&[("DOCKER_CONFIG", dir.path())]);
    assert_exit(&out, 0);
    assert_eq!(s.dockerfile(), s.pinned());

    // ~/.docker/config.json
    write(s.work.path(), "Dockerfile", &s.unpinned());
    write(s.home.path(), ".docker/config.json", &config);
    let out = s.pin(&[]);
    assert_exit(&out, 0);
    assert_eq!(s.dockerfile(), s.pinned());

    // DOCKER_CONFIG replaces ~/.docker, as in Docker: an empty folder there means no
    // credentials, whatever ~/.docker holds.
    write(s.work.path(), "Dockerfile", &s.unpinned());
    let empty = tempfile::tempdir().unwrap();
    let out = s.pin(&[("DOCKER_CONFIG", empty.path())]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("error[registry-unauthorized]"));
}

#[test]
fn wrong_credentials_name_the_registry_and_file_never_the_password() {
    let s = setup();
    let host = s.registry.host();
    let auth = s.home.path().join("auth.json");
    std::fs::write(
        &auth,
        format!(
            r#"{{"auths": {{"{host}": {{"username": "vouch", "password": "wrong-hunter2"}}}}}}"#
        ),
    )
    .unwrap();
    // A right entry in ~/.docker is not consulted: the first file with an entry wins.
    write(
        s.home.path(),
        ".docker/config.json",
        &format!(r#"{{"auths": {{"{host}": {{"auth": "{AUTH}"}}}}}}"#),
    );
    let out = s.pin(&[("REGISTRY_AUTH_FILE", &auth)]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.starts_with("error[registry-unauthorized]: Dockerfile:1: "));
    assert!(
        err.contains(&format!(
            "{host}/team/app:1.0.0: registry {host} answered 401 (the credentials for {host} from {} were refused); file left unchanged",
            auth.display()
        )),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(s.dockerfile(), s.unpinned());
}

#[test]
fn credentials_for_another_registry_are_not_sent() {
    let s = setup();
    let other = s.registry.host().replace("127.0.0.1", "localhost");
    write(
        s.home.path(),
        ".docker/config.json",
        &format!(r#"{{"auths": {{"{other}": {{"auth": "{AUTH}"}}}}}}"#),
    );
    let out = s.pin(&[]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("none are configured for 127.0.0.1:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_broken_credentials_file_is_exit_2_without_quoting_it() {
    let s = setup();
    let auth = s.home.path().join("auth.json");
    std::fs::write(&auth, r#"{"auths": {"ghcr.io": "hunter2-secret"}}"#).unwrap();
    let out = s.pin(&[("REGISTRY_AUTH_FILE", &auth)]);
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error: registry credentials file {} is not a Docker config file: unexpected value type at line 1 column 38\n",
            auth.display()
        )
    );
    assert_eq!(s.dockerfile(), s.unpinned());

    // A folder where the file should be: named, exit 2.
    let out = s.pin(&[("REGISTRY_AUTH_FILE", s.home.path())]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).starts_with(&format!(
            "error: could not read registry credentials {}\n",
            s.home.path().display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_credential_helper_is_named_once_and_not_run() {
    let s = setup();
    let host = s.registry.host();
    // Two references to the same registry: one warning.
    write(
        s.work.path(),
        "Dockerfile",
        &format!("FROM {host}/team/app:1.0.0\nFROM {host}/team/app:1.0.0 AS second\n"),
    );
    write(
        s.home.path(),
        ".docker/config.json",
        &format!(r#"{{"auths": {{"{host}": {{}}}}, "credsStore": "desktop"}}"#),
    );
    let out = s.pin(&[]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    let config = s.home.path().join(".docker/config.json");
    let warning = format!(
        "warning[registry-credential-helper-not-run]: credentials for {host} are kept by the credential helper `desktop` ({}), which vouch does not run; asking {host} anonymously\n",
        config.display()
    );
    assert_eq!(err.matches(&warning).count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "answered 401 (the registry asks for Basic credentials; the entry for {host} in {} only names the credential helper `desktop`, which vouch does not run)",
            config.display()
        )),
        "{err}"
    );
}

#[test]
fn every_registry_code_has_a_page() {
    for code in [
        "registry-truncated",
        "registry-too-large",
        "registry-credentials-invalid",
        "registry-credential-helper-not-run",
        "registry-unauthorized",
        "registry-throttled",
        "registry-not-found",
        "registry-network-error",
    ] {
        let out = common::vouch().args(["explain", code]).output().unwrap();
        assert_exit(&out, 0);
        let page = String::from_utf8(out.stdout).unwrap();
        assert!(page.starts_with(&format!("# {code}\n")), "{code}: {page}");
    }
}
