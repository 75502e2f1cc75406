//! Writing to registries (`push_blob`, `push_manifest`) and the referrers API (`referrers`)
//! against real registries on 127.0.0.1: Debian's `docker-registry` (distribution 2.8, no
//! referrers API) and crates.io's `ferro-oci-server` (OCI distribution 1.1, referrers API), the
//! same matrix against both; htpasswd and token-authentication modes of `docker-registry` for
//! credentials.
//!
//! Faults a registry does not produce on demand (429 with `Retry-After`, 401, 403, 500, a body
//! cut short of its `Content-Length`) come from `vouch_test::proxy::FaultProxy`, which forwards
//! everything else to the real registry. A loopback server from `support/` stands in for the
//! token endpoint (no token service runs offline) and for referrers answers neither registry
//! gives (405, 400 `UNSUPPORTED`, `NAME_UNKNOWN`, `Link` pages).

mod support;

use std::str::FromStr as _;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};
use support::{Reply, Request, forward, serve};
use vouch_digest::Digest;
use vouch_oci::reference::Name;
use vouch_resolve::{Credentials, Options, Referrers, ResolveError, Resolver};
use vouch_test::proxy::{Fault, FaultProxy};
use vouch_test::registry::{OCI_INDEX, OCI_MANIFEST, Registry, TokenAuth};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/one-image");
const MANIFEST: &str = "sha256:98ceaf93e482fe91b9bfd6bba07137c098e49ee2d55e69f09fb6c951e75e0e46";
const CONFIG: &str = "sha256:381d958b555884ba59574ab5c066e9f6116b5aec3567675aa13bec63331f0810";
const LAYER: &str = "sha256:492b89b9dd3cda4596f94916d17f6901455fb8bd7f4c5a2a90df8d39c90f48a0";
/// A real Sigstore bundle v0.3 (cosign's test data), the artifact's one layer.
const BUNDLE: &[u8] = include_bytes!("fixtures/referrers/oci-attestation.sigstore.json");
const BUNDLE_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const EMPTY_TYPE: &str = "application/vnd.oci.empty.v1+json";

fn blob_bytes(digest: &str) -> Vec<u8> {
    let hex = digest.strip_prefix("sha256:").unwrap();
    std::fs::read(format!("{FIXTURE}/blobs/sha256/{hex}")).unwrap()
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

fn anonymous(host: &str) -> Resolver {
    resolver(&[host.to_owned()], Credentials::default())
}

fn basic_config(key: &str, user: &str, password: &str) -> Credentials {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let json = format!(r#"{{"auths": {{"{key}": {{"auth": "{auth}"}}}}}}"#);
    Credentials::from_docker_config("config.json", json.as_bytes()).unwrap()
}

fn digest(s: &str) -> Digest {
    Digest::from_str(s).unwrap()
}

/// Pushes the fixture image (config, layer, manifest) through the resolver as `team/app:1.0`;
/// returns the manifest digest.
fn push_image(resolver: &Resolver, app: &Name) -> Digest {
    for blob in [CONFIG, LAYER] {
        assert_eq!(
            resolver.push_blob(app, &blob_bytes(blob)).unwrap(),
            digest(blob)
        );
    }
    let pushed = resolver
        .push_manifest(app, "1.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
        .unwrap();
    assert_eq!(pushed, digest(MANIFEST));
    pushed
}

/// An OCI 1.1 artifact manifest in cosign v3's shape: the bundle as its one layer, the empty
/// config, `subject` the image.
fn artifact_manifest(bundle: &Digest, subject: &Digest) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": BUNDLE_TYPE,
        "config": {"mediaType": EMPTY_TYPE, "digest": Digest::sha256(b"{}").to_string(), "size": 2},
        "layers": [{"mediaType": BUNDLE_TYPE, "digest": bundle.to_string(), "size": BUNDLE.len()}],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject.to_string(), "size": blob_bytes(MANIFEST).len()},
        "annotations": {"dev.sigstore.bundle.predicateType": "https://cosign.sigstore.dev/attestation/v1"},
    }))
    .unwrap()
}

/// Pushes the artifact (its blobs, then the manifest by digest); returns its digest.
fn push_artifact(resolver: &Resolver, app: &Name, subject: &Digest) -> Digest {
    let empty = resolver.push_blob(app, b"{}").unwrap();
    assert_eq!(empty, Digest::sha256(b"{}"));
    let bundle = resolver.push_blob(app, BUNDLE).unwrap();
    let manifest = artifact_manifest(&bundle, subject);
    let reference = Digest::sha256(&manifest).to_string();
    resolver
        .push_manifest(app, &reference, OCI_MANIFEST, &manifest)
        .unwrap()
}

/// Both registries, with a name for assertion messages.
fn registries() -> Vec<(&'static str, Registry)> {
    vec![
        ("docker-registry", Registry::start()),
        ("ferro-oci-server", Registry::start_ferro()),
    ]
}

#[test]
fn an_artifact_with_a_subject_is_listed_by_the_referrers_api_on_ferro_only() {
    for (kind, registry) in registries() {
        let host = registry.host();
        let resolver = anonymous(&host);
        let app = image(&host);
        let subject = push_image(&resolver, &app);
        let artifact = push_artifact(&resolver, &app, &subject);
        // Read back as pushed.
        let read = resolver
            .fetch_manifest(&app, &artifact.to_string())
            .unwrap();
        assert_eq!(read.digest, artifact, "{kind}");
        let layer = serde_json::from_slice::<Value>(&read.bytes).unwrap()["layers"][0]["digest"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut blob = resolver.open_blob(&app, &digest(&layer)).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut blob, &mut bytes).unwrap();
        assert_eq!(bytes, BUNDLE, "{kind}: the bundle reads back byte for byte");

        let referrers = resolver.referrers(&app, &subject).unwrap();
        match (kind, referrers) {
            ("ferro-oci-server", Referrers::Index(index)) => {
                assert_eq!(index.media_type, OCI_INDEX);
                let index: Value = serde_json::from_slice(&index.bytes).unwrap();
                let entries = index["manifests"].as_array().unwrap();
                assert_eq!(entries.len(), 1, "{index}");
                assert_eq!(entries[0]["digest"], artifact.to_string());
                assert_eq!(entries[0]["artifactType"], BUNDLE_TYPE);
                assert_eq!(
                    entries[0]["annotations"]["dev.sigstore.bundle.predicateType"],
                    "https://cosign.sigstore.dev/attestation/v1"
                );
            }
            // distribution 2.8 has no route: `404 page not found` (text/plain).
            ("docker-registry", Referrers::Unsupported) => {}
            (kind, other) => panic!("{kind}: {other:?}"),
        }
        // An image nothing refers to: an empty index on ferro, still unsupported on docker.
        let other = resolver
            .referrers(&app, &digest(CONFIG))
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        match other {
            Referrers::Index(index) => {
                assert_eq!(kind, "ferro-oci-server");
                let index: Value = serde_json::from_slice(&index.bytes).unwrap();
                assert_eq!(index["manifests"], json!([]));
            }
            Referrers::Unsupported => assert_eq!(kind, "docker-registry"),
            other => panic!("{kind}: {other:?}"),
        }
    }
}

#[test]
fn the_fallback_tag_index_is_pushed_and_read_back_on_both() {
    for (kind, registry) in registries() {
        let host = registry.host();
        let resolver = anonymous(&host);
        let app = image(&host);
        let subject = push_image(&resolver, &app);
        let artifact = push_artifact(&resolver, &app, &subject);
        let size = resolver
            .fetch_manifest(&app, &artifact.to_string())
            .unwrap()
            .bytes
            .len();
        let index = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [{"mediaType": OCI_MANIFEST, "digest": artifact.to_string(), "size": size, "artifactType": BUNDLE_TYPE}],
        }))
        .unwrap();
        let tag = format!("sha256-{}", subject.hex());
        let pushed = resolver
            .push_manifest(&app, &tag, OCI_INDEX, &index)
            .unwrap();
        assert_eq!(pushed, Digest::sha256(&index), "{kind}");
        let read = resolver.fetch_manifest(&app, &tag).unwrap();
        assert_eq!(read.bytes, index, "{kind}");
        assert_eq!(read.media_type, OCI_INDEX);
        assert_eq!(read.digest, pushed);
    }
}

#[test]
fn pushing_to_an_existing_tag_moves_it() {
    for (kind, registry) in registries() {
        let host = registry.host();
        let resolver = anonymous(&host);
        let app = image(&host);
        let first = push_image(&resolver, &app);
        assert_eq!(resolver.image_digest(&app, "1.0").unwrap(), first);
        let index = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [{"mediaType": OCI_MANIFEST, "digest": first.to_string(), "size": blob_bytes(MANIFEST).len(), "platform": {"os": "linux", "architecture": "amd64"}}],
        }))
        .unwrap();
        let second = resolver
            .push_manifest(&app, "1.0", OCI_INDEX, &index)
            .unwrap();
        assert_ne!(first, second);
        assert_eq!(
            resolver.image_digest(&app, "1.0").unwrap(),
            second,
            "{kind}"
        );
        assert_eq!(resolver.fetch_manifest(&app, "1.0").unwrap().bytes, index);
    }
}

#[test]
fn a_blob_the_registry_has_is_not_uploaded_again() {
    for (kind, registry) in registries() {
        let proxy = FaultProxy::start(&registry.host());
        let host = proxy.host();
        let resolver = anonymous(&host);
        let app = image(&host);
        let layer = blob_bytes(LAYER);
        assert_eq!(resolver.push_blob(&app, &layer).unwrap(), digest(LAYER));
        assert_eq!(resolver.requests_sent(), 3, "{kind}: HEAD, POST, PUT");
        let seen = proxy.requests();
        assert_eq!(
            seen[0],
            format!("HEAD /v2/team/app/blobs/{LAYER}"),
            "{kind}"
        );
        assert_eq!(seen[1], "POST /v2/team/app/blobs/uploads/", "{kind}");
        assert!(
            seen[2].starts_with("PUT /v2/team/app/blobs/uploads/"),
            "{kind}: {seen:?}"
        );
        assert!(
            seen[2].contains(&format!("digest=sha256%3A{}", &LAYER[7..])),
            "{kind}: {seen:?}"
        );
        assert_eq!(resolver.push_blob(&app, &layer).unwrap(), digest(LAYER));
        assert_eq!(resolver.requests_sent(), 4, "{kind}: a HEAD only");
        assert_eq!(proxy.requests().len(), 4);
        // A manifest push and a referrers request are one request each.
        resolver.push_blob(&app, &blob_bytes(CONFIG)).unwrap();
        let before = resolver.requests_sent();
        resolver
            .push_manifest(&app, "1.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
            .unwrap();
        resolver.referrers(&app, &digest(MANIFEST)).unwrap();
        assert_eq!(resolver.requests_sent(), before + 2, "{kind}");
    }
}

/// The operations under test and the subject text each names in its errors.
fn operations(host: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "push_blob",
            format!("pushing blob {} to {host}/team/app", Digest::sha256(BUNDLE)),
        ),
        ("push_manifest", format!("pushing {host}/team/app:2.0")),
        ("fetch_manifest", format!("{host}/team/app:1.0")),
        (
            "referrers",
            format!("referrers of {host}/team/app@{MANIFEST}"),
        ),
    ]
}

fn run(resolver: &Resolver, app: &Name, operation: &str) -> Result<(), ResolveError> {
    match operation {
        // A blob the registry does not have yet: HEAD, POST, PUT.
        "push_blob" => resolver.push_blob(app, BUNDLE).map(drop),
        "push_manifest" => resolver
            .push_manifest(app, "2.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
            .map(drop),
        "fetch_manifest" => resolver.fetch_manifest(app, "1.0").map(drop),
        "referrers" => resolver.referrers(app, &digest(MANIFEST)).map(drop),
        other => unreachable!("{other}"),
    }
}

/// A registry behind a proxy with the image pushed as `team/app:1.0` (the bundle blob is not
/// there, so `push_blob` of it goes through the whole upload).
fn proxied(registry: &Registry) -> (FaultProxy, Resolver, Name) {
    let proxy = FaultProxy::start(&registry.host());
    let host = proxy.host();
    let resolver = anonymous(&host);
    let app = image(&host);
    push_image(&resolver, &app);
    (proxy, resolver, app)
}

#[test]
fn every_fault_is_typed_for_push_pull_and_referrers_on_both_registries() {
    for (kind, registry) in registries() {
        let (proxy, resolver, app) = proxied(&registry);
        let host = proxy.host();
        for (operation, subject) in operations(&host) {
            let case = format!("{kind} {operation}");

            proxy.fail_next(
                Fault::Throttled {
                    retry_after: "7".into(),
                },
                1,
            );
            let err = run(&resolver, &app, operation).unwrap_err();
            assert!(
                matches!(err, ResolveError::Throttled { retry_after: Some(ref r), .. } if r == "7"),
                "{case}: {err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "{subject}: registry {host} answered 429 Too Many Requests (Retry-After: 7)"
                ),
                "{case}"
            );

            proxy.fail_next(Fault::Unauthorized, 1);
            let err = run(&resolver, &app, operation).unwrap_err();
            assert!(
                matches!(err, ResolveError::Unauthorized { status: 401, .. }),
                "{case}: {err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "{subject}: registry {host} answered 401 (the registry asks for Basic credentials and none are configured for {host})"
                ),
                "{case}"
            );

            proxy.fail_next(Fault::Forbidden, 1);
            let err = run(&resolver, &app, operation).unwrap_err();
            assert_eq!(err.code(), "registry-unauthorized", "{case}");
            assert_eq!(
                err.to_string(),
                format!("{subject}: registry {host} answered 403 (access denied)"),
                "{case}"
            );

            proxy.fail_next(Fault::ServerError, 1);
            let err = run(&resolver, &app, operation).unwrap_err();
            assert!(
                matches!(err, ResolveError::Server { status: 500, .. }),
                "{case}: {err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!("{subject}: registry {host} answered 500 (server error)"),
                "{case}"
            );
            assert_eq!(err.code(), "registry-server-error");
        }
    }
}

#[test]
fn a_truncated_answer_is_truncated_for_push_pull_and_referrers_on_both_registries() {
    for (kind, registry) in registries() {
        let (proxy, resolver, app) = proxied(&registry);
        let host = proxy.host();
        let manifest_len = blob_bytes(MANIFEST).len() as u64;
        // (operation, path the fault is aimed at, received, announced)
        let docker = kind == "docker-registry";
        let referrers_body: (u64, u64) = if docker {
            // `404 page not found\n`: the body vouch reads to tell "unsupported" from
            // "repository unknown".
            (9, 19)
        } else {
            // `{"manifests":[],…}`: no referrers yet.
            let len = r#"{"manifests":[],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}"#.len() as u64;
            (len / 2, len)
        };
        let cases = [
            // The upload's POST answers 202 with an empty body: 1 byte announced, none sent.
            ("push_blob", "/blobs/uploads/", (0, 1)),
            ("push_manifest", "/manifests/2.0", (0, 1)),
            (
                "fetch_manifest",
                "/manifests/1.0",
                (manifest_len / 2, manifest_len),
            ),
            ("referrers", "/referrers/", referrers_body),
        ];
        for ((operation, path, (received, announced)), (_, subject)) in
            cases.into_iter().zip(operations(&host))
        {
            let case = format!("{kind} {operation}");
            proxy.fail_matching(Fault::Truncated, path, 1);
            let err = run(&resolver, &app, operation).unwrap_err();
            assert!(
                matches!(err, ResolveError::Truncated { received: r, announced: a, .. } if r == received && a == announced),
                "{case}: {err:?}"
            );
            assert_eq!(err.code(), "registry-truncated");
            assert_eq!(
                err.to_string(),
                format!(
                    "{subject}: registry {host} sent {received} bytes, but announced {announced} (Content-Length)"
                ),
                "{case}"
            );
            proxy.clear();
        }
    }
}

#[test]
fn a_registry_that_is_stopped_is_a_network_error_for_every_operation() {
    for (kind, registry) in registries() {
        let (proxy, resolver, app) = proxied(&registry);
        let host = proxy.host();
        proxy.stop();
        for (operation, _) in operations(&host) {
            let err = run(&resolver, &app, operation).unwrap_err();
            assert_eq!(err.code(), "registry-network-error", "{kind} {operation}");
            let path = match operation {
                "push_blob" => format!("blobs/{}", Digest::sha256(BUNDLE)),
                "push_manifest" => "manifests/2.0".to_owned(),
                "fetch_manifest" => "manifests/1.0".to_owned(),
                _ => format!("referrers/{MANIFEST}"),
            };
            assert_eq!(
                err.to_string(),
                format!("cannot reach http://{host}/v2/team/app/{path}"),
                "{kind} {operation}"
            );
        }
        // The registry itself stopped, asked directly: the same.
        let direct = registry.host();
        drop(registry);
        let resolver = anonymous(&direct);
        let err = resolver
            .push_manifest(&image(&direct), "2.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
            .unwrap_err();
        assert!(
            matches!(err, ResolveError::Network { .. }),
            "{kind}: {err:?}"
        );
    }
}

#[test]
fn a_short_retry_after_is_waited_for_once_and_never_more() {
    let registry = Registry::start();
    let (proxy, resolver, app) = proxied(&registry);
    let host = proxy.host();

    // One 429 with Retry-After: 1 → waited for, then the retry succeeds.
    proxy.fail_matching(
        Fault::Throttled {
            retry_after: "1".into(),
        },
        "/manifests/1.0",
        1,
    );
    let before = proxy.requests().len();
    let started = std::time::Instant::now();
    resolver.fetch_manifest(&app, "1.0").unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(
        proxy.requests().len() - before,
        2,
        "the 429, then the retry"
    );

    // Two in a row: one retry, then the 429 is the answer.
    proxy.fail_matching(
        Fault::Throttled {
            retry_after: "0".into(),
        },
        "/manifests/2.0",
        2,
    );
    let before = proxy.requests().len();
    let err = resolver
        .push_manifest(&app, "2.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "pushing {host}/team/app:2.0: registry {host} answered 429 Too Many Requests (Retry-After: 0)"
        )
    );
    assert_eq!(
        proxy.requests().len() - before,
        2,
        "never more than one retry"
    );
    proxy.clear();

    // Longer than 5 s, or an HTTP date: not waited for.
    for retry_after in ["6", "Wed, 21 Oct 2026 07:28:00 GMT"] {
        proxy.fail_next(
            Fault::Throttled {
                retry_after: retry_after.into(),
            },
            1,
        );
        let before = proxy.requests().len();
        let err = resolver.referrers(&app, &digest(MANIFEST)).unwrap_err();
        assert!(
            matches!(err, ResolveError::Throttled { retry_after: Some(ref r), .. } if r == retry_after),
            "{err:?}"
        );
        assert_eq!(proxy.requests().len() - before, 1, "{retry_after}");
    }
}

#[test]
fn forbidden_with_credentials_names_their_file() {
    let registry = Registry::start_with_htpasswd();
    let proxy = FaultProxy::start(&registry.host());
    let host = proxy.host();
    let resolver = resolver(
        std::slice::from_ref(&host),
        basic_config(&host, Registry::USER, Registry::PASSWORD),
    );
    let app = image(&host);
    push_image(&resolver, &app);
    proxy.fail_matching(Fault::Forbidden, "/manifests/", 1);
    let err = resolver
        .push_manifest(&app, "2.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "pushing {host}/team/app:2.0: registry {host} answered 403 (access denied to the credentials for {host} from config.json)"
        )
    );
    assert!(!err.to_string().contains(Registry::PASSWORD));
}

#[test]
fn an_htpasswd_registry_takes_pushes_with_credentials_only() {
    let registry = Registry::start_with_htpasswd();
    let host = registry.host();
    let app = image(&host);
    let err = anonymous(&host)
        .push_blob(&app, &blob_bytes(LAYER))
        .unwrap_err();
    assert!(
        matches!(err, ResolveError::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "pushing blob {LAYER} to {host}/team/app: registry {host} answered 401 (the registry asks for Basic credentials and none are configured for {host})"
        )
    );
    let wrong = resolver(
        std::slice::from_ref(&host),
        basic_config(&host, Registry::USER, "nope"),
    );
    let err = wrong.push_blob(&app, &blob_bytes(LAYER)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "pushing blob {LAYER} to {host}/team/app: registry {host} answered 401 (the credentials for {host} from config.json were refused)"
        )
    );
    let right = resolver(
        std::slice::from_ref(&host),
        basic_config(&host, Registry::USER, Registry::PASSWORD),
    );
    push_image(&right, &app);
    assert_eq!(
        right.fetch_manifest(&app, "1.0").unwrap().digest,
        digest(MANIFEST)
    );
}

const ROOT_PEM: &str = include_str!("fixtures/token-auth/root.pem");
/// The token (access `repository:team/app:pull,push`), without the `vouch:allow` marker.
fn signed_token() -> &'static str {
    include_str!("fixtures/token-auth/token.jwt")
        .split_whitespace()
        .next()
        .expect("token.jwt holds a token")
}

#[test]
fn a_token_registry_takes_pushes_with_a_pull_push_token_kept_apart_from_the_pull_token() {
    let scopes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&scopes);
    let token_port = serve(move |request: &Request| {
        let query = request.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        let scope = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        seen.lock().unwrap().push(scope);
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                Registry::USER,
                Registry::PASSWORD
            ))
        );
        if request.header("authorization") == Some(expected.as_str()) {
            Reply::new(200).body(format!(r#"{{"token":"{}"}}"#, signed_token()))
        } else {
            Reply::new(401).header("WWW-Authenticate", r#"Basic realm="token""#)
        }
    });
    let registry = Registry::start_with_token_auth(&TokenAuth {
        realm: &format!("http://127.0.0.1:{token_port}/token"),
        service: "vouch-test",
        issuer: "vouch-test-issuer",
        root_certs_pem: ROOT_PEM,
        push_token: signed_token(),
    });
    let host = registry.host();
    let insecure = [host.clone(), format!("127.0.0.1:{token_port}")];
    let app = image(&host);

    // Without credentials the realm refuses: typed, naming the registry.
    let without = resolver(&insecure, Credentials::default());
    let err = without.push_blob(&app, &blob_bytes(LAYER)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "token for pushing blob {LAYER} to {host}/team/app from http://127.0.0.1:{token_port}/token: registry {host} answered 401 (the registry asks for Basic credentials and none are configured for {host})"
        )
    );
    assert_eq!(
        scopes.lock().unwrap().as_slice(),
        ["repository:team/app:pull,push"]
    );
    scopes.lock().unwrap().clear();

    let with = resolver(
        &insecure,
        basic_config(&host, Registry::USER, Registry::PASSWORD),
    );
    // Nothing there yet: a pull token first.
    assert!(matches!(
        with.fetch_manifest(&app, "1.0").unwrap_err(),
        ResolveError::NotFound { .. }
    ));
    push_image(&with, &app);
    assert_eq!(
        with.fetch_manifest(&app, "1.0").unwrap().digest,
        digest(MANIFEST)
    );
    push_artifact(&with, &app, &digest(MANIFEST));
    // docker-registry has no referrers API, with token auth too.
    assert_eq!(
        with.referrers(&app, &digest(MANIFEST)).unwrap(),
        Referrers::Unsupported
    );
    assert_eq!(
        scopes.lock().unwrap().as_slice(),
        ["repository:team/app:pull", "repository:team/app:pull,push"],
        "one token per scope for the run: neither evicts the other"
    );

    // Wrong credentials: refused at the realm.
    let wrong = resolver(&insecure, basic_config(&host, Registry::USER, "nope"));
    let err = wrong
        .push_manifest(&app, "2.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
        .unwrap_err();
    assert!(
        matches!(err, ResolveError::Unauthorized { status: 401, ref reason, .. } if *reason == format!("the credentials for {host} from config.json were refused")),
        "{err:?}"
    );
}

/// A 307 on `PUT` (a front that moved): the body is sent again to the new location, without
/// the registry's `Authorization` since it is another origin.
#[test]
fn a_307_on_put_sends_the_body_again() {
    let registry = Registry::start();
    let real = registry.url();
    let target = real.clone();
    let front = serve(move |request: &Request| {
        if request.method == "PUT" {
            Reply::new(307).header("Location", &format!("{target}{}", request.target))
        } else {
            forward(&target, request)
        }
    });
    let front_host = format!("127.0.0.1:{front}");
    let resolver = resolver(
        &[front_host.clone(), registry.host()],
        Credentials::default(),
    );
    let app = image(&front_host);
    for blob in [CONFIG, LAYER] {
        registry.push_blob("team/app", &blob_bytes(blob));
    }
    let pushed = resolver
        .push_manifest(&app, "1.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
        .unwrap();
    assert_eq!(pushed, digest(MANIFEST));
    assert_eq!(
        anonymous(&registry.host())
            .fetch_manifest(&image(&registry.host()), "1.0")
            .unwrap()
            .bytes,
        blob_bytes(MANIFEST)
    );
    assert_eq!(resolver.requests_sent(), 2, "the PUT and its redirect");
}

/// Referrers answers neither registry gives, from a loopback server: which mean "no API here"
/// and which are faults.
#[test]
fn the_referrers_rule_for_answers_other_registries_give() {
    let answers: Vec<(&str, Reply)> = vec![
        (
            "405",
            Reply::new(405)
                .header("Content-Type", "application/json")
                .body(r#"{"errors":[{"code":"UNSUPPORTED","message":"unsupported method"}]}"#),
        ),
        (
            "400 UNSUPPORTED",
            Reply::new(400)
                .header("Content-Type", "application/json")
                .body(r#"{"errors":[{"code":"UNSUPPORTED","message":"referrers"}]}"#),
        ),
        (
            "404 MANIFEST_UNKNOWN",
            Reply::new(404)
                .header("Content-Type", "application/json")
                .body(r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#),
        ),
        (
            "200 text/html",
            Reply::new(200)
                .header("Content-Type", "text/html")
                .body("<html></html>"),
        ),
    ];
    for (case, reply) in answers {
        let reply = Arc::new(reply);
        let port = serve(move |_: &Request| Reply {
            status: reply.status,
            headers: reply.headers.clone(),
            body: reply.body.clone(),
        });
        let host = format!("127.0.0.1:{port}");
        let got = anonymous(&host)
            .referrers(&image(&host), &digest(MANIFEST))
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(got, Referrers::Unsupported, "{case}");
    }

    let subject = format!("referrers of {{host}}/team/app@{MANIFEST}");
    let faults: Vec<(&str, Reply, &str)> = vec![
        (
            "404 NAME_UNKNOWN: the repository does not exist",
            Reply::new(404)
                .header("Content-Type", "application/json")
                .body(r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#),
            "{subject} not found: registry {host} answered 404 Not Found",
        ),
        (
            "400 DIGEST_INVALID",
            Reply::new(400)
                .header("Content-Type", "application/json")
                .body(r#"{"errors":[{"code":"DIGEST_INVALID","message":"invalid digest"}]}"#),
            "{subject}: registry {host} answered unexpected status 400",
        ),
        (
            "200 index that is not JSON",
            Reply::new(200).header("Content-Type", OCI_INDEX).body("{"),
            "{subject}: malformed response from registry {host}: referrers index is not JSON: EOF while parsing an object at line 1 column 1",
        ),
        (
            "200 index whose manifests is not an array",
            Reply::new(200)
                .header("Content-Type", OCI_INDEX)
                .body(r#"{"schemaVersion":2,"manifests":{}}"#),
            "{subject}: malformed response from registry {host}: `manifests` of the referrers index is not an array",
        ),
    ];
    for (case, reply, message) in faults {
        let reply = Arc::new(reply);
        let port = serve(move |_: &Request| Reply {
            status: reply.status,
            headers: reply.headers.clone(),
            body: reply.body.clone(),
        });
        let host = format!("127.0.0.1:{port}");
        let err = anonymous(&host)
            .referrers(&image(&host), &digest(MANIFEST))
            .unwrap_err();
        let subject = subject.replace("{host}", &host);
        let expected = message
            .replace("{subject}", &subject)
            .replace("{host}", &host);
        assert_eq!(err.to_string(), expected, "{case}");
    }
}

/// `Link` pagination: pages merged into one index, at most 100 pages.
#[test]
fn referrers_pages_are_merged_and_bounded() {
    let entry = |n: u8| json!({"mediaType": OCI_MANIFEST, "digest": Digest::sha256(&[n]).to_string(), "size": 1, "artifactType": BUNDLE_TYPE});
    let pages = [
        json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry(1), entry(2)]}),
        json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry(3)]}),
    ];
    let port = serve(move |request: &Request| {
        let (page, link) = if request.target.ends_with("?page=2") {
            (&pages[1], None)
        } else {
            (
                &pages[0],
                Some(format!(
                    "<{}?page=2>; rel=\"next\"",
                    request.target.split('?').next().unwrap()
                )),
            )
        };
        let reply = Reply::new(200)
            .header("Content-Type", OCI_INDEX)
            .body(serde_json::to_vec(page).unwrap());
        match link {
            Some(l) => reply.header("Link", &l),
            None => reply,
        }
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = anonymous(&host);
    let Referrers::Index(index) = resolver
        .referrers(&image(&host), &digest(MANIFEST))
        .unwrap()
    else {
        panic!("an index")
    };
    let merged: Value = serde_json::from_slice(&index.bytes).unwrap();
    assert_eq!(merged["manifests"], json!([entry(1), entry(2), entry(3)]));
    assert_eq!(merged["schemaVersion"], 2);
    assert_eq!(index.digest, Digest::sha256(&index.bytes));
    assert_eq!(resolver.requests_sent(), 2);

    // A registry whose pages never end.
    let endless = serve(|request: &Request| {
        Reply::new(200)
            .header("Content-Type", OCI_INDEX)
            .header("Link", &format!("<{}>; rel=\"next\"", request.target))
            .body(r#"{"schemaVersion":2,"manifests":[]}"#)
    });
    let host = format!("127.0.0.1:{endless}");
    let resolver = anonymous(&host);
    let err = resolver
        .referrers(&image(&host), &digest(MANIFEST))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "referrers of {host}/team/app@{MANIFEST}: malformed response from registry {host}: referrers index did not end after 100 pages"
        )
    );
    assert_eq!(resolver.requests_sent(), 100);
}

#[test]
fn a_manifest_pushed_under_a_digest_must_hash_to_it() {
    let resolver = anonymous("127.0.0.1:9");
    let app = image("127.0.0.1:9");
    let err = resolver
        .push_manifest(&app, CONFIG, OCI_MANIFEST, &blob_bytes(MANIFEST))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "invalid image name `127.0.0.1:9/team/app@{CONFIG}`: the manifest pushed under it has digest {MANIFEST}"
        )
    );
    let big = vec![b' '; (4 << 20) + 1];
    let err = resolver
        .push_manifest(&app, "1.0", OCI_MANIFEST, &big)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "pushing 127.0.0.1:9/team/app:1.0: 4194305 bytes, more than the 4194304 registries accept for a manifest"
    );
    assert_eq!(
        resolver.requests_sent(),
        0,
        "refused before anything is sent"
    );
}

/// A manifest whose blobs the registry does not have: docker-registry refuses it with 400 and
/// says why; the error carries the registry's codes.
#[test]
fn a_refused_write_names_the_registrys_error_codes() {
    let registry = Registry::start();
    let host = registry.host();
    let resolver = anonymous(&host);
    let app = image(&host);
    let err = resolver
        .push_manifest(&app, "1.0", OCI_MANIFEST, &blob_bytes(MANIFEST))
        .unwrap_err();
    assert!(
        matches!(err, ResolveError::Rejected { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "registry-rejected");
    assert_eq!(
        err.to_string(),
        format!(
            "pushing {host}/team/app:1.0: registry {host} refused it with 400 (MANIFEST_BLOB_UNKNOWN: blob unknown to registry)"
        )
    );

    // A registry's words are cut and cleaned; no error body is said so.
    let long = "x".repeat(300);
    let body = format!(
        r#"{{"errors":[{{"code":"DENIED\u001b[31m","message":"{long}"}},{{"code":"UNSUPPORTED"}}]}}"#
    );
    let port = serve(move |request: &Request| {
        if request.target.contains("2.0") {
            Reply::new(405)
        } else {
            Reply::new(413).body(body.clone())
        }
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = anonymous(&host);
    let app = image(&host);
    let err = resolver
        .push_manifest(&app, "1.0", OCI_MANIFEST, b"{}")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "pushing {host}/team/app:1.0: registry {host} refused it with 413 (DENIED[31m: {}…; UNSUPPORTED)",
            "x".repeat(200)
        )
    );
    let err = resolver
        .push_manifest(&app, "2.0", OCI_MANIFEST, b"{}")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("pushing {host}/team/app:2.0: registry {host} refused it with 405 (no error body)")
    );
}

/// An upload location on another origin (an upload service, storage): the blob goes there
/// without the registry's `Authorization`; a plain-HTTP location on a host not listed as
/// insecure is refused before the blob is sent.
#[test]
fn the_upload_location_gets_the_blob_but_not_the_credentials() {
    let storage_seen = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&storage_seen);
    let storage = serve(move |request: &Request| {
        seen.lock().unwrap().push((
            request.method.clone(),
            request.target.clone(),
            request.header("authorization").map(str::to_owned),
            request.body.clone(),
        ));
        Reply::new(201)
    });
    let registry_seen = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&registry_seen);
    let front = serve(move |request: &Request| {
        let authorization = request.header("authorization").map(str::to_owned);
        seen.lock().unwrap().push(authorization.clone());
        if authorization.is_none() {
            return Reply::new(401).header("WWW-Authenticate", r#"Basic realm="front""#);
        }
        match request.method.as_str() {
            "HEAD" => Reply::new(404),
            "POST" if request.target.contains("/elsewhere/") => {
                Reply::new(202).header("Location", "http://storage.invalid/upload/1")
            }
            "POST" => Reply::new(202).header(
                "Location",
                &format!("http://127.0.0.1:{storage}/upload/1?_state=abc"),
            ),
            _ => Reply::new(500),
        }
    });
    let front_host = format!("127.0.0.1:{front}");
    let resolver = resolver(
        &[front_host.clone(), format!("127.0.0.1:{storage}")],
        basic_config(&front_host, Registry::USER, Registry::PASSWORD),
    );
    let app = image(&front_host);
    let pushed = resolver.push_blob(&app, BUNDLE).unwrap();
    assert_eq!(pushed, Digest::sha256(BUNDLE));
    let registry_seen = registry_seen.lock().unwrap().clone();
    assert_eq!(
        registry_seen.len(),
        3,
        "HEAD refused, HEAD with Basic, POST"
    );
    assert!(
        registry_seen[1..]
            .iter()
            .all(|a| a.as_deref().is_some_and(|a| a.starts_with("Basic ")))
    );
    let storage_seen = storage_seen.lock().unwrap().clone();
    assert_eq!(storage_seen.len(), 1);
    let (method, target, authorization, body) = &storage_seen[0];
    assert_eq!(method, "PUT");
    assert_eq!(
        target,
        &format!("/upload/1?_state=abc&digest=sha256%3A{}", pushed.hex())
    );
    assert_eq!(authorization, &None, "no credentials to another origin");
    assert_eq!(body, BUNDLE);

    let elsewhere = Name::parse(&format!("{front_host}/elsewhere/app")).unwrap();
    let err = resolver.push_blob(&elsewhere, BUNDLE).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "pushing blob {pushed} to {front_host}/elsewhere/app: malformed response from registry {front_host}: upload location to http://storage.invalid/upload/1, which is not HTTPS and not an insecure registry"
        )
    );
}
