//! Loading and matching credentials from Docker config files: real files from containers/image
//! (`fixtures/docker-config/SOURCES.md`) and small hand-written ones for what they lack
//! (Docker's own `https://index.docker.io/v1/` key, `username`/`password`, `credsStore`, broken
//! files). Every lookup names the key and file that answered; every failure is asserted with
//! its exact message, which never quotes a value from the file.

use vouch_resolve::credentials::{Credentials, CredentialsError, DOCKER_HUB_KEY, Lookup};

fn fixture(name: &str) -> Credentials {
    let path = format!(
        "{}/tests/fixtures/docker-config/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap();
    Credentials::from_docker_config(name, &bytes).unwrap()
}

/// (key, username) of the entry found for `registry`, or a panic naming what was found.
fn found<'a>(credentials: &'a Credentials, registry: &str) -> (&'a str, Option<&'a str>) {
    match credentials.lookup(registry) {
        Lookup::Found(f) => (f.key, f.username()),
        other => panic!("{registry}: {other:?}"),
    }
}

#[test]
fn bare_host_keys_match_exactly_and_docker_hub_uses_podman_spellings() {
    let full = fixture("full.json");
    assert_eq!(
        found(&full, "example.org"),
        ("example.org", Some("example"))
    );
    assert_eq!(
        found(&full, "localhost:5000"),
        ("localhost:5000", Some("local"))
    );
    assert_eq!(found(&full, "localhost"), ("localhost", Some("local")));
    assert_eq!(
        found(&full, "10.10.30.45:5000"),
        ("10.10.30.45:5000", Some("10.10"))
    );
    // Docker Hub: `docker.io` before `index.docker.io`, as containers/image reads this file.
    assert_eq!(found(&full, "docker.io"), ("docker.io", Some("docker")));
    // A key with a scheme and a path matches its host (Docker's ConvertToHostname).
    assert_eq!(
        found(&full, "normalize.example.org"),
        ("https://normalize.example.org/v1", Some("normalize"))
    );
    // No entry: anonymous. A port is part of the registry: `localhost:5001` is not `localhost`.
    assert_eq!(full.lookup("ghcr.io"), Lookup::None);
    assert_eq!(full.lookup("localhost:5001"), Lookup::None);
    assert_eq!(full.lookup("example.org.evil"), Lookup::None);
}

#[test]
fn keys_with_schemes_and_paths_match_their_host() {
    let abnormal = fixture("abnormal.json");
    assert_eq!(
        found(&abnormal, "docker.io"),
        ("https://index.docker.io/v1", Some("index"))
    );
    assert_eq!(
        found(&abnormal, "127.0.0.1:5000"),
        ("https://127.0.0.1:5000", Some("127.0"))
    );
    assert_eq!(
        found(&abnormal, "localhost"),
        ("http://localhost", Some("local"))
    );
    assert_eq!(
        found(&abnormal, "localhost:5001"),
        ("https://localhost:5001", Some("local"))
    );
    // The exact key wins over a converted one.
    assert_eq!(
        found(&abnormal, "localhost:5000"),
        ("localhost:5000", Some("local"))
    );
}

#[test]
fn docker_cli_key_for_docker_hub_wins() {
    let config = format!(
        r#"{{"auths": {{"docker.io": {{"auth": "cG9kbWFuOnA="}}, "{DOCKER_HUB_KEY}": {{"username": "docker", "password": "p"}}}}}}"#
    );
    let c = Credentials::from_docker_config("config.json", config.as_bytes()).unwrap();
    assert_eq!(found(&c, "docker.io"), (DOCKER_HUB_KEY, Some("docker")));
}

#[test]
fn an_identity_token_wins_over_auth() {
    let c = fixture("example_identitytoken.json");
    match c.lookup("example.org") {
        Lookup::Found(f) => {
            assert!(f.is_identity_token());
            assert_eq!(f.username(), None);
            assert_eq!(f.origin, "example_identitytoken.json");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn helpers_are_named_not_run() {
    let c = fixture("config.json");
    assert_eq!(
        c.lookup("registry-no-creds.com"),
        Lookup::HelperOnly {
            origin: "config.json",
            helper: "helper-registry"
        }
    );
    assert_eq!(c.lookup("example.org"), Lookup::None);

    // `docker login` with a credsStore leaves an empty entry: the store holds the secret.
    let store = br#"{"auths": {"ghcr.io": {}}, "credsStore": "desktop"}"#;
    let c = Credentials::from_docker_config("store.json", store).unwrap();
    assert_eq!(
        c.lookup("ghcr.io"),
        Lookup::HelperOnly {
            origin: "store.json",
            helper: "desktop"
        }
    );
    // Inline credentials are used even beside a credsStore (vouch never asks the store).
    let inline = br#"{"auths": {"ghcr.io": {"auth": "dTpw"}}, "credsStore": "desktop"}"#;
    let c = Credentials::from_docker_config("inline.json", inline).unwrap();
    assert_eq!(found(&c, "ghcr.io"), ("ghcr.io", Some("u")));
}

#[test]
fn files_are_consulted_in_order() {
    let mut chain = Credentials::from_docker_config(
        "auth.json",
        br#"{"auths": {"example.org": {"username": "first", "password": "1"}}}"#,
    )
    .unwrap();
    chain.extend(fixture("full.json"));
    assert_eq!(found(&chain, "example.org"), ("example.org", Some("first")));
    assert_eq!(
        found(&chain, "localhost:5000"),
        ("localhost:5000", Some("local"))
    );
    assert!(!chain.is_empty());
    assert!(Credentials::default().is_empty());
}

#[test]
fn legacy_dockercfg_and_empty_files_hold_no_credentials() {
    let legacy = fixture("legacy.json");
    assert_eq!(legacy.lookup("docker.io"), Lookup::None);
    assert_eq!(legacy.lookup("localhost"), Lookup::None);
    let empty = Credentials::from_docker_config("empty.json", b"{}").unwrap();
    assert_eq!(empty.lookup("docker.io"), Lookup::None);
}

#[test]
fn broken_files_are_named_without_quoting_them() {
    // A value where an entry should be: serde_json would quote the string.
    let err = Credentials::from_docker_config(
        "/home/u/.docker/config.json",
        br#"{"auths": {"ghcr.io": "hunter2-secret"}}"#,
    )
    .unwrap_err();
    assert!(matches!(err, CredentialsError::Malformed { .. }), "{err:?}");
    assert_eq!(err.code(), "registry-credentials-invalid");
    assert_eq!(
        err.to_string(),
        "registry credentials file /home/u/.docker/config.json is not a Docker config file: unexpected value type at line 1 column 38"
    );
    assert!(!format!("{err:?}").contains("hunter2"));

    let err = Credentials::from_docker_config("c.json", b"{\"auths\": {").unwrap_err();
    assert_eq!(
        err.to_string(),
        "registry credentials file c.json is not a Docker config file: unexpected end of file at line 1 column 11"
    );

    for (auth, reason) in [
        ("not*base64", "not base64"),
        // base64 of `nocolon`
        ("bm9jb2xvbg==", "no `:`"),
        // base64 of the bytes ff fe
        ("//4=", "not UTF-8"),
    ] {
        let config = format!(r#"{{"auths": {{"ghcr.io": {{"auth": "{auth}"}}}}}}"#);
        let err = Credentials::from_docker_config("c.json", config.as_bytes()).unwrap_err();
        assert!(matches!(err, CredentialsError::BadAuth { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "registry credentials file c.json: the `auth` of `ghcr.io` is not base64 of `user:password` ({reason})"
            )
        );
    }
}

#[test]
fn debug_output_never_shows_a_secret() {
    let config = br#"{"auths": {"ghcr.io": {"username": "u", "password": "hunter2-secret"}, "quay.io": {"identitytoken": "refresh-secret"}}}"#;
    let c = Credentials::from_docker_config("c.json", config).unwrap();
    let shown = format!("{c:?} {:?} {:?}", c.lookup("ghcr.io"), c.lookup("quay.io"));
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains("refresh-secret"), "{shown}");
    assert!(
        shown.contains("ghcr.io") && shown.contains("c.json"),
        "{shown}"
    );
}
