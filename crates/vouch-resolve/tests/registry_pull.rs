//! Reading images from registries (`fetch_manifest`, `open_blob`) with credentials from Docker
//! config files, against real registries on 127.0.0.1: Debian's `docker-registry` in its
//! anonymous, htpasswd and token-authentication modes, with a real small image pushed to it
//! (`fixtures/one-image`, go-containerregistry's one-image layout).
//!
//! A loopback server from `support/` stands in only where a real registry cannot do the thing
//! on demand: the token endpoint (no token service runs offline; the real registry still sends
//! the challenge and verifies the JWT), a redirect to blob storage, 429 with `Retry-After`, and a
//! body cut short of its `Content-Length`.

mod support;

use std::io::Read as _;
use std::str::FromStr as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use support::{Reply, Request, forward, serve};
use vouch_digest::Digest;
use vouch_oci::reference::Name;
use vouch_resolve::{Credentials, Notice, Options, ResolveError, Resolver};
use vouch_test::registry::{OCI_INDEX, OCI_MANIFEST, Registry, TokenAuth, sha256};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/one-image");
/// SHA-256 of `index.json` as committed.
const INDEX: &str = "sha256:3d6a884d52c8fcb60b40b462028f600a3f1f7c1fa6da25e85d211025fbf5e7c4";
const MANIFEST: &str = "sha256:98ceaf93e482fe91b9bfd6bba07137c098e49ee2d55e69f09fb6c951e75e0e46";
const CONFIG: &str = "sha256:381d958b555884ba59574ab5c066e9f6116b5aec3567675aa13bec63331f0810";
const LAYER: &str = "sha256:492b89b9dd3cda4596f94916d17f6901455fb8bd7f4c5a2a90df8d39c90f48a0";

fn blob_bytes(digest: &str) -> Vec<u8> {
    let hex = digest.strip_prefix("sha256:").unwrap();
    std::fs::read(format!("{FIXTURE}/blobs/sha256/{hex}")).unwrap()
}

fn index_bytes() -> Vec<u8> {
    std::fs::read(format!("{FIXTURE}/index.json")).unwrap()
}

/// Pushes the fixture image as `repository:tag` (blobs, the manifest by digest, the index by
/// tag); returns the index digest.
fn push_fixture(registry: &Registry, repository: &str, tag: &str) -> String {
    for blob in [CONFIG, LAYER] {
        assert_eq!(registry.push_blob(repository, &blob_bytes(blob)), blob);
    }
    assert_eq!(
        registry.push_manifest(repository, MANIFEST, OCI_MANIFEST, &blob_bytes(MANIFEST)),
        MANIFEST
    );
    registry.push_manifest(repository, tag, OCI_INDEX, &index_bytes())
}

fn image(host: &str) -> Name {
    Name::parse(&format!("{host}/team/app")).unwrap()
}

fn resolver(insecure: &[String], credentials: Credentials) -> Resolver {
    Resolver::new(Options {
        insecure_registries: insecure.to_vec(),
        ..Options::default()
    })
    .unwrap()
    .with_credentials(credentials)
}

fn basic_config(key: &str, user: &str, password: &str) -> Credentials {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let json = format!(r#"{{"auths": {{"{key}": {{"auth": "{auth}"}}}}}}"#);
    Credentials::from_docker_config("config.json", json.as_bytes()).unwrap()
}

/// Reads a blob to its end and returns its SHA-256.
fn stream_digest(resolver: &Resolver, name: &Name, digest: &str) -> Digest {
    let mut blob = resolver
        .open_blob(name, &Digest::from_str(digest).unwrap())
        .unwrap();
    assert_eq!(blob.content_length(), Some(blob_bytes(digest).len() as u64));
    Digest::sha256_reader(&mut blob).unwrap()
}

#[test]
fn a_real_image_is_pulled_with_credentials_from_a_docker_config() {
    let registry = Registry::start_with_htpasswd();
    let pushed = push_fixture(&registry, "team/app", "1.0");
    assert_eq!(pushed, INDEX);
    let host = registry.host();
    let resolver = resolver(
        std::slice::from_ref(&host),
        basic_config(&host, Registry::USER, Registry::PASSWORD),
    );
    let app = image(&host);

    // By tag: the index, whose media type comes from Content-Type (the document has none).
    let index = resolver.fetch_manifest(&app, "1.0").unwrap();
    assert_eq!(index.bytes, index_bytes());
    assert_eq!(index.media_type, OCI_INDEX);
    assert_eq!(index.digest.to_string(), INDEX);

    // By digest: checked against it.
    let manifest = resolver.fetch_manifest(&app, MANIFEST).unwrap();
    assert_eq!(manifest.bytes, blob_bytes(MANIFEST));
    assert_eq!(manifest.media_type, OCI_MANIFEST);
    assert_eq!(manifest.digest.to_string(), MANIFEST);
    let document: serde_json::Value = serde_json::from_slice(&manifest.bytes).unwrap();
    assert_eq!(document["config"]["digest"], CONFIG);
    assert_eq!(document["layers"][0]["digest"], LAYER);

    // Blobs stream, and hash to their digests.
    for blob in [CONFIG, LAYER] {
        assert_eq!(stream_digest(&resolver, &app, blob).to_string(), blob);
    }

    // `username`/`password` fields work as well as `auth`, for the pinning calls too.
    let fields = format!(
        r#"{{"auths": {{"{host}": {{"username": "{}", "password": "{}"}}}}}}"#,
        Registry::USER,
        Registry::PASSWORD
    );
    let resolver = Resolver::new(Options {
        insecure_registries: vec![host.clone()],
        ..Options::default()
    })
    .unwrap()
    .with_credentials(Credentials::from_docker_config("auth.json", fields.as_bytes()).unwrap());
    assert_eq!(
        resolver.image_digest(&app, "1.0").unwrap().to_string(),
        INDEX
    );
    assert_eq!(resolver.image_tags(&app).unwrap(), ["1.0"]);
    assert!(resolver.take_notices().is_empty());
}

#[test]
fn wrong_credentials_are_unauthorized_naming_the_registry_not_the_credentials() {
    let registry = Registry::start_with_htpasswd();
    push_fixture(&registry, "team/app", "1.0");
    let host = registry.host();
    let resolver = resolver(
        std::slice::from_ref(&host),
        basic_config(&host, Registry::USER, "wrong-password-hunter2"),
    );
    let app = image(&host);
    let err = resolver.fetch_manifest(&app, "1.0").unwrap_err();
    assert!(
        matches!(err, ResolveError::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "registry-unauthorized");
    assert_eq!(
        err.to_string(),
        format!(
            "{host}/team/app:1.0: registry {host} answered 401 (the credentials for {host} from config.json were refused)"
        )
    );
    let err = resolver
        .open_blob(&app, &Digest::from_str(LAYER).unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "blob {LAYER} of {host}/team/app: registry {host} answered 401 (the credentials for {host} from config.json were refused)"
        )
    );
    let shown = format!("{err} {err:?} {resolver:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn credentials_for_another_host_are_not_sent() {
    let registry = Registry::start_with_htpasswd();
    push_fixture(&registry, "team/app", "1.0");
    let host = registry.host();
    // The right user and password, filed under another port and under `localhost`: Docker
    // matches the registry's HOST:PORT exactly, and so does vouch.
    for key in [
        "127.0.0.1:1".to_owned(),
        host.replace("127.0.0.1", "localhost"),
    ] {
        let resolver = resolver(
            std::slice::from_ref(&host),
            basic_config(&key, Registry::USER, Registry::PASSWORD),
        );
        let err = resolver.fetch_manifest(&image(&host), "1.0").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{host}/team/app:1.0: registry {host} answered 401 (the registry asks for Basic credentials and none are configured for {host})"
            ),
            "key {key}"
        );
    }
}

#[test]
fn an_entry_that_only_names_a_credential_helper_is_told_once_and_not_run() {
    let registry = Registry::start_with_htpasswd();
    push_fixture(&registry, "team/app", "1.0");
    let host = registry.host();
    let config = format!(r#"{{"auths": {{}}, "credHelpers": {{"{host}": "desktop"}}}}"#);
    let credentials =
        Credentials::from_docker_config("/home/u/.docker/config.json", config.as_bytes()).unwrap();
    let resolver = resolver(std::slice::from_ref(&host), credentials);
    let app = image(&host);
    let err = resolver.fetch_manifest(&app, "1.0").unwrap_err();
    assert_eq!(err.code(), "registry-unauthorized");
    assert_eq!(
        err.to_string(),
        format!(
            "{host}/team/app:1.0: registry {host} answered 401 (the registry asks for Basic credentials; the entry for {host} in /home/u/.docker/config.json only names the credential helper `desktop`, which vouch does not run)"
        )
    );
    resolver.image_tags(&app).unwrap_err();
    let notices = resolver.take_notices();
    assert_eq!(
        notices,
        [Notice::CredentialHelperNotRun {
            registry: host.clone(),
            origin: "/home/u/.docker/config.json".to_owned(),
            helper: "desktop".to_owned(),
        }],
        "one notice per registry, however many requests"
    );
    assert_eq!(notices[0].code(), "registry-credential-helper-not-run");
    assert_eq!(
        notices[0].to_string(),
        format!(
            "credentials for {host} are kept by the credential helper `desktop` (/home/u/.docker/config.json), which vouch does not run; asking {host} anonymously"
        )
    );
    resolver.fetch_manifest(&app, "1.0").unwrap_err();
    assert!(resolver.take_notices().is_empty());
}

const ROOT_PEM: &str = include_str!("fixtures/token-auth/root.pem");
/// The token, without the `vouch:allow` marker that follows it in the file.
fn signed_token() -> &'static str {
    include_str!("fixtures/token-auth/token.jwt")
        .split_whitespace()
        .next()
        .expect("token.jwt holds a token")
}

/// The real registry in token mode, its realm on another port (another host, as Docker Hub's
/// `auth.docker.io` is for `registry-1.docker.io`).
fn token_registry(token_port: u16) -> Registry {
    Registry::start_with_token_auth(&TokenAuth {
        realm: &format!("http://127.0.0.1:{token_port}/token"),
        service: "vouch-test",
        issuer: "vouch-test-issuer",
        root_certs_pem: ROOT_PEM,
        push_token: signed_token(),
    })
}

/// A token endpoint that hands out the signed token only for `vouch:vouch-test` over Basic,
/// and records the Authorization headers it was sent.
fn basic_token_endpoint(seen: Arc<Mutex<Vec<Option<String>>>>) -> u16 {
    serve(move |request: &Request| {
        let authorization = request.header("authorization").map(str::to_owned);
        seen.lock().unwrap().push(authorization.clone());
        assert!(request.target.starts_with("/token?"), "{}", request.target);
        assert!(request.target.contains("service=vouch-test"));
        assert!(
            request
                .target
                .contains("scope=repository%3Ateam%2Fapp%3Apull")
        );
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                Registry::USER,
                Registry::PASSWORD
            ))
        );
        if authorization.as_deref() == Some(expected.as_str()) {
            Reply::new(200).body(format!(r#"{{"token":"{}"}}"#, signed_token()))
        } else {
            Reply::new(401).header("WWW-Authenticate", r#"Basic realm="token""#)
        }
    })
}

#[test]
fn credentials_go_to_the_token_realm_the_registry_names() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let token_port = basic_token_endpoint(Arc::clone(&seen));
    let registry = token_registry(token_port);
    push_fixture(&registry, "team/app", "1.0");
    let host = registry.host();
    let insecure = [host.clone(), format!("127.0.0.1:{token_port}")];
    let app = image(&host);

    let with = resolver(
        &insecure,
        basic_config(&host, Registry::USER, Registry::PASSWORD),
    );
    let index = with.fetch_manifest(&app, "1.0").unwrap();
    assert_eq!(index.digest.to_string(), INDEX);
    assert_eq!(stream_digest(&with, &app, LAYER).to_string(), LAYER);
    let sent = seen.lock().unwrap().clone();
    assert_eq!(sent.len(), 1, "one token for the run: {sent:?}");
    assert!(sent[0].as_deref().unwrap().starts_with("Basic "));

    // Without credentials the token service refuses, and the error says for which registry.
    let without = resolver(&insecure, Credentials::default());
    let err = without.fetch_manifest(&app, "1.0").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "token for {host}/team/app:1.0 from http://127.0.0.1:{token_port}/token: registry {host} answered 401 (the registry asks for Basic credentials and none are configured for {host})"
        )
    );
    assert_eq!(seen.lock().unwrap().last().unwrap(), &None);

    // Wrong credentials: refused at the realm.
    let wrong = resolver(&insecure, basic_config(&host, Registry::USER, "nope"));
    let err = wrong.fetch_manifest(&app, "1.0").unwrap_err();
    assert!(
        matches!(err, ResolveError::Unauthorized { status: 401, ref reason, .. } if *reason == format!("the credentials for {host} from config.json were refused")),
        "{err:?}"
    );
}

#[test]
fn an_identity_token_is_exchanged_at_the_realm() {
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&posts);
    let token_port = serve(move |request: &Request| {
        assert_eq!(request.method, "POST", "an identity token is POSTed");
        assert_eq!(request.target, "/token");
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let form = String::from_utf8(request.body.clone()).unwrap();
        assert_eq!(
            form,
            "grant_type=refresh_token&refresh_token=refresh-me&client_id=vouch&scope=repository%3Ateam%2Fapp%3Apull&service=vouch-test"
        );
        counted.fetch_add(1, Ordering::SeqCst);
        Reply::new(200).body(format!(
            r#"{{"access_token":"{}","expires_in":300}}"#,
            signed_token()
        ))
    });
    let registry = token_registry(token_port);
    push_fixture(&registry, "team/app", "1.0");
    let host = registry.host();
    let config = format!(r#"{{"auths": {{"{host}": {{"identitytoken": "refresh-me"}}}}}}"#);
    let resolver = resolver(
        &[host.clone(), format!("127.0.0.1:{token_port}")],
        Credentials::from_docker_config("config.json", config.as_bytes()).unwrap(),
    );
    let app = image(&host);
    assert_eq!(
        resolver
            .fetch_manifest(&app, MANIFEST)
            .unwrap()
            .digest
            .to_string(),
        MANIFEST
    );
    assert_eq!(stream_digest(&resolver, &app, CONFIG).to_string(), CONFIG);
    assert_eq!(posts.load(Ordering::SeqCst), 1);
}

/// Blob storage elsewhere (S3, GCS, a CDN): the registry answers a blob GET with a redirect to
/// a signed URL. No registry here redirects, so a front does, in front of the real registry;
/// the "storage" server records what it was sent and serves the real blob.
#[test]
fn a_redirect_to_blob_storage_does_not_carry_the_registrys_authorization() {
    let registry = Registry::start();
    push_fixture(&registry, "team/app", "1.0");
    let upstream = registry.url();
    let storage_seen = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&storage_seen);
    let storage_upstream = upstream.clone();
    let storage = serve(move |request: &Request| {
        seen.lock()
            .unwrap()
            .push(request.header("authorization").map(str::to_owned));
        let path = request.target.split('?').next().unwrap().to_owned();
        forward(
            &storage_upstream,
            &Request {
                method: request.method.clone(),
                target: path,
                headers: Vec::new(),
                body: Vec::new(),
            },
        )
    });
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("vouch:front-password")
    );
    let front_seen = Arc::new(AtomicUsize::new(0));
    let authorised = Arc::clone(&front_seen);
    let front = move |storage_port: u16| {
        let expected = expected.clone();
        let upstream = upstream.clone();
        let authorised = Arc::clone(&authorised);
        serve(move |request: &Request| {
            if request.header("authorization") != Some(expected.as_str()) {
                return Reply::new(401).header("WWW-Authenticate", r#"Basic realm="front""#);
            }
            authorised.fetch_add(1, Ordering::SeqCst);
            if request.target.contains("/blobs/") {
                return Reply::new(307).header(
                    "Location",
                    &format!(
                        "http://127.0.0.1:{storage_port}{}?X-Amz-Signature=s3cr3t-signature",
                        request.target
                    ),
                );
            }
            forward(&upstream, request)
        })
    };
    let front_port = front(storage);
    let host = format!("127.0.0.1:{front_port}");
    let storage_host = format!("127.0.0.1:{storage}");
    let app = image(&host);
    let credentials = basic_config(&host, "vouch", "front-password");

    let both = resolver(&[host.clone(), storage_host.clone()], credentials.clone());
    assert_eq!(
        both.fetch_manifest(&app, "1.0").unwrap().digest.to_string(),
        INDEX
    );
    assert_eq!(stream_digest(&both, &app, LAYER).to_string(), LAYER);
    assert!(front_seen.load(Ordering::SeqCst) >= 2);
    assert_eq!(
        *storage_seen.lock().unwrap(),
        [None],
        "blob storage got no Authorization"
    );

    // Storage over plain HTTP that the operator did not list: refused, the signature masked.
    let registry_only = resolver(std::slice::from_ref(&host), credentials.clone());
    let err = registry_only
        .open_blob(&app, &Digest::from_str(LAYER).unwrap())
        .unwrap_err();
    assert_eq!(err.code(), "registry-malformed-response");
    assert_eq!(
        err.to_string(),
        format!(
            "blob {LAYER} of {host}/team/app: malformed response from registry {host}: redirect to http://{storage_host}/v2/team/app/blobs/{LAYER}?X-Amz-Signature=***, which is not HTTPS and not an insecure registry"
        )
    );

    // Storage that is down: a network error, the signed URL masked.
    let gone = vouch_test::registry::free_port();
    let dead_front = front(gone);
    let dead_host = format!("127.0.0.1:{dead_front}");
    let resolver = resolver(
        &[dead_host.clone(), format!("127.0.0.1:{gone}")],
        basic_config(&dead_host, "vouch", "front-password"),
    );
    let err = resolver
        .open_blob(&image(&dead_host), &Digest::from_str(LAYER).unwrap())
        .unwrap_err();
    assert_eq!(err.code(), "registry-network-error");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot reach http://127.0.0.1:{gone}/v2/team/app/blobs/{LAYER}?X-Amz-Signature=***"
        )
    );
    assert!(!format!("{err:?}").contains("s3cr3t"));
}

/// No real registry throttles on demand: a loopback server answers 429.
#[test]
fn throttling_reports_retry_after() {
    let port = serve(|_: &Request| Reply::new(429).header("Retry-After", "30"));
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver(std::slice::from_ref(&host), Credentials::default());
    let app = image(&host);
    let err = resolver.fetch_manifest(&app, "1.0").unwrap_err();
    assert!(
        matches!(err, ResolveError::Throttled { retry_after: Some(ref r), .. } if r == "30"),
        "{err:?}"
    );
    assert_eq!(err.code(), "registry-throttled");
    assert_eq!(
        err.to_string(),
        format!(
            "{host}/team/app:1.0: registry {host} answered 429 Too Many Requests (Retry-After: 30)"
        )
    );
    let err = resolver
        .open_blob(&app, &Digest::from_str(LAYER).unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "blob {LAYER} of {host}/team/app: registry {host} answered 429 Too Many Requests (Retry-After: 30)"
        )
    );
}

/// A real registry sends whole bodies: a loopback server announces 1000 bytes, sends 10 and
/// closes the connection.
#[test]
fn a_body_shorter_than_its_content_length_is_truncated_never_a_short_success() {
    let port = serve(|_: &Request| {
        Reply::new(200)
            .header("Content-Type", OCI_MANIFEST)
            .header("Content-Length", "1000")
            .body("{\"schema\":")
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver(std::slice::from_ref(&host), Credentials::default());
    let app = image(&host);
    let err = resolver.fetch_manifest(&app, "1.0").unwrap_err();
    assert!(
        matches!(
            err,
            ResolveError::Truncated {
                received: 10,
                announced: 1000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "registry-truncated");
    assert_eq!(
        err.to_string(),
        format!(
            "{host}/team/app:1.0: registry {host} sent 10 bytes, but announced 1000 (Content-Length)"
        )
    );

    let mut blob = resolver
        .open_blob(&app, &Digest::from_str(LAYER).unwrap())
        .unwrap();
    let mut body = Vec::new();
    let err = blob.read_to_end(&mut body).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    let inner = ResolveError::in_io(&err).expect("a ResolveError inside");
    assert_eq!(inner.code(), "registry-truncated");
    assert_eq!(
        inner.to_string(),
        format!(
            "blob {LAYER} of {host}/team/app: registry {host} sent 10 bytes, but announced 1000 (Content-Length)"
        )
    );
}

#[test]
fn a_blob_over_the_callers_limit_is_too_large_before_it_is_read() {
    let registry = Registry::start();
    push_fixture(&registry, "team/app", "1.0");
    let host = registry.host();
    let resolver = resolver(std::slice::from_ref(&host), Credentials::default());
    let app = image(&host);
    let err = resolver
        .open_blob_limited(&app, &Digest::from_str(LAYER).unwrap(), 100)
        .unwrap_err();
    assert!(
        matches!(
            err,
            ResolveError::TooLarge {
                limit: 100,
                what: "a blob",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "registry-too-large");
    assert_eq!(
        err.to_string(),
        format!(
            "blob {LAYER} of {host}/team/app: registry {host} sent more than 100 bytes, the limit for a blob"
        )
    );
    // At the limit it is read whole.
    let mut blob = resolver
        .open_blob_limited(&app, &Digest::from_str(LAYER).unwrap(), 114)
        .unwrap();
    assert_eq!(Digest::sha256_reader(&mut blob).unwrap().to_string(), LAYER);
}

#[test]
fn unknown_manifests_and_blobs_are_not_found() {
    let registry = Registry::start();
    push_fixture(&registry, "team/app", "1.0");
    let host = registry.host();
    let resolver = resolver(std::slice::from_ref(&host), Credentials::default());
    let app = image(&host);
    let err = resolver.fetch_manifest(&app, "2.0").unwrap_err();
    assert_eq!(err.code(), "registry-not-found");
    assert_eq!(
        err.to_string(),
        format!("{host}/team/app:2.0 not found: registry {host} answered 404 Not Found")
    );
    let missing = sha256(b"missing");
    let err = resolver.fetch_manifest(&app, &missing).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{host}/team/app@{missing} not found: registry {host} answered 404 Not Found")
    );
    let err = resolver
        .open_blob(&app, &Digest::from_str(&missing).unwrap())
        .unwrap_err();
    assert!(matches!(err, ResolveError::NotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "blob {missing} of {host}/team/app not found: registry {host} answered 404 Not Found"
        )
    );
}

#[test]
fn a_registry_that_is_down_is_a_network_error() {
    let host = format!("127.0.0.1:{}", vouch_test::registry::free_port());
    let resolver = resolver(std::slice::from_ref(&host), Credentials::default());
    let app = image(&host);
    let err = resolver.fetch_manifest(&app, "1.0").unwrap_err();
    assert_eq!(err.code(), "registry-network-error");
    assert_eq!(
        err.to_string(),
        format!("cannot reach http://{host}/v2/team/app/manifests/1.0")
    );
    let err = resolver
        .open_blob(&app, &Digest::from_str(LAYER).unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot reach http://{host}/v2/team/app/blobs/{LAYER}")
    );
}

#[test]
fn a_manifest_asked_for_by_digest_must_hash_to_it() {
    let registry = Registry::start();
    push_fixture(&registry, "team/app", "1.0");
    let upstream = registry.url();
    // Serves the index whatever digest is asked for, without a digest header.
    let port = serve(move |request: &Request| {
        let mut reply = forward(
            &upstream,
            &Request {
                method: request.method.clone(),
                target: "/v2/team/app/manifests/1.0".to_owned(),
                headers: request.headers.clone(),
                body: Vec::new(),
            },
        );
        reply.remove_header("docker-content-digest");
        reply
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver(std::slice::from_ref(&host), Credentials::default());
    let err = resolver
        .fetch_manifest(&image(&host), MANIFEST)
        .unwrap_err();
    assert!(
        matches!(err, ResolveError::DigestMismatch { .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{host}/team/app@{MANIFEST}: registry {host} served content with digest {INDEX}, expected {MANIFEST}"
        )
    );
    let err = resolver.fetch_manifest(&image(&host), "1.0:x").unwrap_err();
    assert_eq!(err.code(), "image-name-invalid");
}

/// The same pull from a second, independent registry implementation: crates.io's
/// `ferro-oci-server` (anonymous; it has no authentication).
#[test]
fn a_real_image_is_pulled_from_ferro_oci_server() {
    let registry = Registry::start_ferro();
    assert_eq!(push_fixture(&registry, "team/app", "1.0"), INDEX);
    let host = registry.host();
    let resolver = resolver(std::slice::from_ref(&host), Credentials::default());
    let app = image(&host);
    let index = resolver.fetch_manifest(&app, "1.0").unwrap();
    assert_eq!(index.bytes, index_bytes());
    assert_eq!(index.media_type, OCI_INDEX);
    assert_eq!(index.digest.to_string(), INDEX);
    let manifest = resolver.fetch_manifest(&app, MANIFEST).unwrap();
    assert_eq!(manifest.bytes, blob_bytes(MANIFEST));
    assert_eq!(manifest.media_type, OCI_MANIFEST);
    for blob in [CONFIG, LAYER] {
        assert_eq!(stream_digest(&resolver, &app, blob).to_string(), blob);
    }
    assert_eq!(
        resolver.image_digest(&app, "1.0").unwrap().to_string(),
        INDEX
    );
    let err = resolver.fetch_manifest(&app, "2.0").unwrap_err();
    assert_eq!(err.code(), "registry-not-found", "{err}");
    let missing = Digest::from_str(&sha256(b"missing")).unwrap();
    let err = resolver.open_blob(&app, &missing).unwrap_err();
    assert_eq!(err.code(), "registry-not-found", "{err}");
}

/// docker-registry's htpasswd mode has no per-repository access control, so it never answers
/// 403: a loopback front that accepts the credentials and then denies the repository does.
#[test]
fn forbidden_names_the_credentials_file_not_the_credentials() {
    let port = serve(|request: &Request| {
        if request.header("authorization").is_none() {
            Reply::new(401).header("WWW-Authenticate", r#"Basic realm="front""#)
        } else {
            Reply::new(403)
        }
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver(
        std::slice::from_ref(&host),
        basic_config(&host, "vouch", "secret-hunter2"),
    );
    let err = resolver.fetch_manifest(&image(&host), "1.0").unwrap_err();
    assert!(
        matches!(err, ResolveError::Unauthorized { status: 403, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{host}/team/app:1.0: registry {host} answered 403 (access denied to the credentials for {host} from config.json)"
        )
    );
    assert!(!format!("{err:?}").contains("hunter2"));
}

/// The image reader of vouch-oci over a registry repository (`Resolver::repository`): the image
/// behind htpasswd, opened with credentials, its layers streamed and merged; every document and
/// blob digest is checked by the reader. The fixture's tag names an index whose one entry has
/// no `platform`: the reader takes that entry (the image's config says what it is for), so by
/// tag and by the manifest's digest give the same image.
#[test]
fn the_image_reader_reads_a_registry_image_through_the_resolver() {
    use vouch_oci::image::{self, Caps, Platform, Scan};

    let registry = Registry::start_with_htpasswd();
    push_fixture(&registry, "team/app", "1.0");
    let host = registry.host();
    let resolver = resolver(
        std::slice::from_ref(&host),
        basic_config(&host, Registry::USER, Registry::PASSWORD),
    );
    let by_tag = image::source::parse(&format!("registry:{host}/team/app:1.0"))
        .expect("a registry: argument")
        .unwrap();
    let source = image::source::parse(&format!("registry:{host}/team/app@{MANIFEST}"))
        .expect("a registry: argument")
        .unwrap();
    let repository = resolver.repository(image(&host));
    let options = image::Options {
        platform: Platform::parse("linux/amd64").unwrap(),
    };
    let tagged = image::open(&by_tag, &options, Some(&repository)).unwrap();
    assert_eq!(
        tagged.manifest_digest.as_ref().unwrap().to_string(),
        MANIFEST
    );
    let opened = image::open(&source, &options, Some(&repository)).unwrap();
    assert_eq!(
        opened.manifest_digest.as_ref().unwrap().to_string(),
        MANIFEST
    );
    assert_eq!(opened.config_digest.to_string(), CONFIG);
    assert_eq!(opened.layers.len(), 1);
    let retain = |_: &str| false;
    let tree = opened
        .read(&Scan {
            retain: &retain,
            visit: None,
            caps: Caps::default(),
            progress: None,
        })
        .unwrap();
    assert_eq!(tree.layers().len(), 1);
    assert!(tree.nodes().count() > 0, "the layer's files are listed");

    // Without credentials the reader gets the registry's 401, typed, with its code. An owned
    // repository, as a `Box<dyn Registry>` for the binary.
    let anonymous: Box<dyn image::Registry> =
        Box::new(super_resolver_without_credentials(&host).into_repository(image(&host)));
    let err = image::open(&source, &options, Some(anonymous.as_ref())).unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains(&format!(
            "registry {host} answered 401 (the registry asks for Basic credentials and none are configured for {host})"
        )),
        "{shown}"
    );
}

fn super_resolver_without_credentials(host: &str) -> Resolver {
    resolver(&[host.to_owned()], Credentials::default())
}
