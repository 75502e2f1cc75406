//! Resolution against a real registry: Debian's `docker-registry` started by the test on
//! 127.0.0.1 with images pushed through the distribution API (`vouch_test::registry`), including
//! its htpasswd and token-authentication modes (the registry sends the bearer challenge and
//! verifies the JWT; only the token endpoint is a loopback stub handing out a pre-signed token,
//! since no token service runs offline). The faults a real registry does not produce on demand
//! (429, 5xx, malformed or oversized bodies, a missing or lying digest header, `Link`
//! pagination) come from a small loopback HTTP server in `support/`, which either answers by
//! itself or forwards to the real registry and changes one thing.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::{Reply, Request, forward, serve};
use vouch_oci::reference::Name;
use vouch_resolve::{Options, ResolveError, Resolver};
use vouch_test::registry::{Registry, TokenAuth, sha256};

const CREATED: &str = "2024-03-01T12:00:00Z";

fn resolver_for(hosts: &[String]) -> Resolver {
    Resolver::new(Options {
        insecure_registries: hosts.to_vec(),
        ..Options::default()
    })
    .unwrap()
}

fn image(host: &str, repository: &str) -> Name {
    Name::parse(&format!("{host}/{repository}")).unwrap()
}

#[test]
fn digest_of_a_single_platform_image_and_of_a_multi_arch_index() {
    let registry = Registry::start();
    let single = registry.push_image("team/app", "1.0", CREATED);
    let index = registry.push_index("team/multi", "2.0", CREATED);
    let resolver = resolver_for(&[registry.host()]);

    let app = image(&registry.host(), "team/app");
    assert_eq!(
        resolver.image_digest(&app, "1.0").unwrap().to_string(),
        single
    );
    let multi = image(&registry.host(), "team/multi");
    let got = resolver.image_digest(&multi, "2.0").unwrap().to_string();
    assert_eq!(got, index, "the index digest, not a platform manifest's");
    assert!(got.starts_with("sha256:") && got.len() == 71);
}

#[test]
fn tags_of_the_real_registry() {
    let registry = Registry::start();
    registry.push_image("team/app", "1.0", CREATED);
    registry.tag("team/app", "1.0", "1.1");
    registry.push_index("team/app", "2.0", CREATED);
    let resolver = resolver_for(&[registry.host()]);
    let mut tags = resolver
        .image_tags(&image(&registry.host(), "team/app"))
        .unwrap();
    tags.sort();
    assert_eq!(tags, ["1.0", "1.1", "2.0"]);
}

/// Docker Hub and GHCR paginate tag lists with `Link` headers. Debian's docker-registry 2.8
/// ignores `n` for tags (it answers every tag at once, checked below), so a loopback front
/// pages the real registry's list: relative `Link` targets, then an absolute one.
#[test]
fn tags_are_listed_across_link_pages() {
    let registry = Registry::start();
    registry.push_image("team/app", "v0", CREATED);
    let mut expected = vec!["v0".to_owned()];
    for n in 1..=230 {
        let tag = format!("v{n}");
        registry.tag("team/app", "v0", &tag);
        expected.push(tag);
    }
    let whole =
        reqwest::blocking::get(format!("{}/v2/team/app/tags/list?n=100", registry.url())).unwrap();
    assert!(
        whole.headers().get("link").is_none(),
        "docker-registry 2.8 does not paginate tags"
    );

    let upstream = registry.url();
    let pages = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&pages);
    let port = Arc::new(std::sync::OnceLock::<u16>::new());
    let me = Arc::clone(&port);
    let p = serve(move |request: &Request| {
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((&request.target, ""));
        let all = forward(
            &upstream,
            &Request {
                method: "GET".to_owned(),
                target: path.to_owned(),
                headers: Vec::new(),
                body: Vec::new(),
            },
        );
        let list: serde_json::Value = serde_json::from_slice(&all.body).unwrap();
        let mut tags: Vec<String> = serde_json::from_value(list["tags"].clone()).unwrap();
        tags.sort();
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .map(str::to_owned)
        };
        let asked: usize = param("n")
            .expect("vouch asks for a page size")
            .parse()
            .unwrap();
        // Like real registries, answer at most 100 per page whatever was asked.
        let n = asked.min(100);
        let start = match param("last") {
            Some(last) => tags.iter().position(|t| *t == last).unwrap() + 1,
            None => 0,
        };
        let page = &tags[start..(start + n).min(tags.len())];
        let page_no = counted.fetch_add(1, Ordering::SeqCst);
        let mut reply = Reply::new(200).body(
            serde_json::to_vec(&serde_json::json!({"name": "team/app", "tags": page})).unwrap(),
        );
        if start + n < tags.len() {
            let last = page.last().unwrap();
            let target = format!("{path}?last={last}&n={n}");
            let target = if page_no == 0 {
                target
            } else {
                format!("http://127.0.0.1:{}{target}", me.get().unwrap())
            };
            reply = reply.header("Link", &format!("<{target}>; rel=\"next\""));
        }
        reply
    });
    port.set(p).unwrap();
    let host = format!("127.0.0.1:{p}");
    let resolver = resolver_for(std::slice::from_ref(&host));
    let mut tags = resolver.image_tags(&image(&host, "team/app")).unwrap();
    assert_eq!(pages.load(Ordering::SeqCst), 3, "231 tags in pages of 100");
    assert_eq!(tags.len(), 231);
    tags.sort();
    expected.sort();
    assert_eq!(tags, expected);
}

#[test]
fn created_time_of_an_image_of_an_index_and_when_absent() {
    let registry = Registry::start();
    let single = registry.push_image("team/app", "1.0", "2023-05-06T07:08:09Z");
    let index = registry.push_index("team/app", "2.0", "2024-01-02T03:04:05+01:00");
    let bare = registry.push_image("team/app", "none", "");
    let resolver = resolver_for(&[registry.host()]);
    let app = image(&registry.host(), "team/app");

    let at = |s: &str| Some(s.parse::<jiff::Timestamp>().unwrap());
    assert_eq!(
        resolver.image_created(&app, &single).unwrap(),
        at("2023-05-06T07:08:09Z")
    );
    assert_eq!(
        resolver.image_created(&app, &index).unwrap(),
        at("2024-01-02T02:04:05Z")
    );
    assert_eq!(resolver.image_created(&app, &bare).unwrap(), None);
}

/// A proxy in front of the real registry whose HEAD answers lack `Docker-Content-Digest` (as
/// some registries' do); counts the GETs it forwards.
fn proxy_without_head_digest(upstream: String, gets: Arc<AtomicUsize>, head_status: u16) -> u16 {
    serve(move |request: &Request| {
        if request.method == "HEAD" {
            if head_status != 200 {
                return Reply::new(head_status);
            }
            let mut reply = forward(&upstream, request);
            reply.remove_header("docker-content-digest");
            return reply;
        }
        gets.fetch_add(1, Ordering::SeqCst);
        let mut reply = forward(&upstream, request);
        reply.remove_header("docker-content-digest");
        reply
    })
}

#[test]
fn head_without_digest_header_falls_back_to_get_and_hashes_the_body() {
    let registry = Registry::start();
    let single = registry.push_image("team/app", "1.0", CREATED);
    let index = registry.push_index("team/app", "multi", CREATED);
    for head_status in [200, 405] {
        let gets = Arc::new(AtomicUsize::new(0));
        let port = proxy_without_head_digest(registry.url(), Arc::clone(&gets), head_status);
        let host = format!("127.0.0.1:{port}");
        let resolver = resolver_for(std::slice::from_ref(&host));
        let app = image(&host, "team/app");
        assert_eq!(
            resolver.image_digest(&app, "1.0").unwrap().to_string(),
            single,
            "HEAD {head_status}"
        );
        assert_eq!(
            resolver.image_digest(&app, "multi").unwrap().to_string(),
            index,
            "HEAD {head_status}"
        );
        assert_eq!(
            gets.load(Ordering::SeqCst),
            2,
            "one GET per tag after HEAD {head_status}"
        );
    }
}

#[test]
fn a_digest_header_that_does_not_match_the_body_is_refused() {
    let registry = Registry::start();
    registry.push_image("team/app", "1.0", CREATED);
    let upstream = registry.url();
    let port = serve(move |request: &Request| {
        if request.method == "HEAD" {
            return Reply::new(405);
        }
        let mut reply = forward(&upstream, request);
        reply.remove_header("docker-content-digest");
        reply.header("Docker-Content-Digest", &sha256(b"something else"))
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver_for(std::slice::from_ref(&host));
    let err = resolver
        .image_digest(&image(&host, "team/app"), "1.0")
        .unwrap_err();
    assert_eq!(err.code(), "registry-digest-mismatch", "{err}");
    assert!(
        matches!(err, ResolveError::DigestMismatch { ref expected, .. } if *expected == sha256(b"something else"))
    );
}

#[test]
fn content_fetched_by_digest_must_hash_to_that_digest() {
    let registry = Registry::start();
    let digest = registry.push_image("team/app", "1.0", CREATED);
    let upstream = registry.url();
    // Serves a different (but well-formed) manifest under the requested digest.
    let other = registry.push_image("team/app", "1.1", "2020-01-01T00:00:00Z");
    let other_target = format!("/v2/team/app/manifests/{other}");
    let port = serve(move |request: &Request| {
        let mut swapped = Request {
            method: request.method.clone(),
            target: request.target.clone(),
            headers: request.headers.clone(),
            body: Vec::new(),
        };
        if request.target.contains("/manifests/") {
            swapped.target = other_target.clone();
        }
        let mut reply = forward(&upstream, &swapped);
        reply.remove_header("docker-content-digest");
        reply
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver_for(std::slice::from_ref(&host));
    let err = resolver
        .image_created(&image(&host, "team/app"), &digest)
        .unwrap_err();
    assert_eq!(err.code(), "registry-digest-mismatch", "{err}");
}

#[test]
fn missing_tag_and_missing_repository_are_not_found() {
    let registry = Registry::start();
    registry.push_image("team/app", "1.0", CREATED);
    let resolver = resolver_for(&[registry.host()]);
    let app = image(&registry.host(), "team/app");
    let err = resolver.image_digest(&app, "9.9").unwrap_err();
    assert_eq!(err.code(), "registry-not-found", "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}/team/app:9.9 not found: registry {} answered 404 Not Found",
            registry.host(),
            registry.host()
        )
    );

    let nothing = image(&registry.host(), "team/nothing");
    assert_eq!(
        resolver.image_digest(&nothing, "1.0").unwrap_err().code(),
        "registry-not-found"
    );
    assert_eq!(
        resolver.image_tags(&nothing).unwrap_err().code(),
        "registry-not-found"
    );
    let missing = sha256(b"no such manifest");
    assert_eq!(
        resolver.image_created(&app, &missing).unwrap_err().code(),
        "registry-not-found"
    );
}

#[test]
fn a_registry_behind_htpasswd_is_unauthorized() {
    let registry = Registry::start_with_htpasswd();
    let pushed = registry.push_image("team/private", "1.0", CREATED);
    assert!(pushed.starts_with("sha256:"));
    let resolver = resolver_for(&[registry.host()]);
    let private = image(&registry.host(), "team/private");
    let err = resolver.image_digest(&private, "1.0").unwrap_err();
    assert_eq!(err.code(), "registry-unauthorized", "{err}");
    match &err {
        ResolveError::Unauthorized { status, reason, .. } => {
            assert_eq!(*status, 401);
            assert!(reason.contains("Basic"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        resolver.image_tags(&private).unwrap_err().code(),
        "registry-unauthorized"
    );
}

#[test]
fn throttled_server_error_and_unexpected_status_are_told_apart() {
    // A real registry does not answer 429 or 5xx on demand: a loopback server does.
    let port = serve(|request: &Request| {
        if request.target.contains("/slow/") {
            Reply::new(429).header("Retry-After", "7")
        } else if request.target.contains("/broken/") {
            Reply::new(503)
        } else if request.target.contains("/internal/") {
            Reply::new(500).body("boom")
        } else {
            Reply::new(400)
        }
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver_for(std::slice::from_ref(&host));

    let err = resolver
        .image_digest(&image(&host, "team/slow"), "1")
        .unwrap_err();
    assert_eq!(err.code(), "registry-throttled");
    assert!(matches!(err, ResolveError::Throttled { retry_after: Some(ref r), .. } if r == "7"));
    assert!(
        err.to_string()
            .ends_with("429 Too Many Requests (Retry-After: 7)"),
        "{err}"
    );
    assert_eq!(
        resolver
            .image_tags(&image(&host, "team/slow"))
            .unwrap_err()
            .code(),
        "registry-throttled"
    );

    let err = resolver
        .image_digest(&image(&host, "team/broken"), "1")
        .unwrap_err();
    assert!(
        matches!(err, ResolveError::Server { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "registry-server-error");
    let err = resolver
        .image_tags(&image(&host, "team/internal"))
        .unwrap_err();
    assert!(
        matches!(err, ResolveError::Server { status: 500, .. }),
        "{err:?}"
    );

    let err = resolver
        .image_digest(&image(&host, "team/odd"), "1")
        .unwrap_err();
    assert!(
        matches!(err, ResolveError::UnexpectedStatus { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "registry-unexpected-status");
}

#[test]
fn malformed_and_oversized_answers() {
    let port = serve(|request: &Request| {
        if request.target.contains("/tags/list") {
            Reply::new(200).body("this is not JSON")
        } else if request.target.contains("/huge/") {
            Reply::new(200).body(vec![b' '; 5 << 20])
        } else if request.method == "HEAD" {
            Reply::new(200).header("Docker-Content-Digest", "sha256:short")
        } else {
            Reply::new(200).body("{}")
        }
    });
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver_for(std::slice::from_ref(&host));
    let app = image(&host, "team/app");

    let err = resolver.image_tags(&app).unwrap_err();
    assert_eq!(err.code(), "registry-malformed-response");
    assert!(err.to_string().contains("tag list is not JSON"), "{err}");

    let err = resolver.image_digest(&app, "1").unwrap_err();
    assert_eq!(err.code(), "registry-malformed-response");
    assert!(
        err.to_string()
            .contains("Docker-Content-Digest header is not a digest"),
        "{err}"
    );

    let huge = image(&host, "team/huge");
    let err = resolver.image_created(&huge, &sha256(b"x")).unwrap_err();
    assert!(
        matches!(
            err,
            ResolveError::TooLarge {
                limit: 4194304,
                what: "a manifest",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "registry-too-large");
    assert_eq!(
        err.to_string(),
        format!(
            "{huge}@{}: registry {host} sent more than 4194304 bytes, the limit for a manifest",
            sha256(b"x")
        )
    );

    // `{}` hashes to what we ask for, but is neither a manifest nor an index.
    let err = resolver.image_created(&app, &sha256(b"{}")).unwrap_err();
    assert_eq!(err.code(), "registry-malformed-response");
    assert!(
        err.to_string().contains("neither `config` nor `manifests`"),
        "{err}"
    );
}

#[test]
fn an_unreachable_registry_is_a_network_error() {
    let port = vouch_test::registry::free_port();
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver_for(std::slice::from_ref(&host));
    let err = resolver
        .image_digest(&image(&host, "team/app"), "1")
        .unwrap_err();
    assert_eq!(err.code(), "registry-network-error", "{err}");
    assert!(
        err.to_string().starts_with(&format!(
            "cannot reach http://{host}/v2/team/app/manifests/1"
        )),
        "{err}"
    );
}

#[test]
fn https_is_used_unless_the_registry_is_listed_as_insecure() {
    let registry = Registry::start();
    registry.push_image("team/app", "1.0", CREATED);
    // Not listed: vouch speaks TLS to a plain-HTTP registry and fails rather than downgrading.
    let resolver = resolver_for(&[]);
    let err = resolver
        .image_digest(&image(&registry.host(), "team/app"), "1.0")
        .unwrap_err();
    assert_eq!(err.code(), "registry-network-error", "{err}");
    assert!(
        err.to_string()
            .contains(&format!("https://{}", registry.host())),
        "{err}"
    );
}

#[test]
fn invalid_input_is_named() {
    let err = ResolveError::from(Name::parse("Team/App").unwrap_err());
    assert_eq!(err.code(), "image-name-invalid");
    assert_eq!(
        err.to_string(),
        "invalid image name `Team/App`: path components may hold only lowercase letters, digits, `.`, `_` and `-`"
    );
    let resolver = resolver_for(&[]);
    let app = Name::parse("127.0.0.1:1/team/app").unwrap();
    assert_eq!(
        resolver
            .image_created(&app, "sha256:nothex")
            .unwrap_err()
            .code(),
        "image-name-invalid"
    );
    for bad in ["a/b", "", ".hidden", "-x", "a@b", "a:b"] {
        let err = resolver.image_digest(&app, bad).unwrap_err();
        assert_eq!(err.code(), "image-name-invalid", "{bad}");
        assert!(
            err.to_string().starts_with(&format!(
                "invalid image name `127.0.0.1:1/team/app:{bad}`: a tag is"
            )),
            "{err}"
        );
    }
    assert_eq!(
        resolver
            .image_digest(&app, &"a".repeat(129))
            .unwrap_err()
            .code(),
        "image-name-invalid"
    );
}

const ROOT_PEM: &str = include_str!("fixtures/token-auth/root.pem");
/// The token, without the `vouch:allow` marker that follows it in the file.
fn signed_token() -> &'static str {
    include_str!("fixtures/token-auth/token.jwt")
        .split_whitespace()
        .next()
        .expect("token.jwt holds a token")
}

/// A token endpoint on 127.0.0.1 handing out `token` (no token service runs offline; see
/// `fixtures/token-auth/SOURCES.md`). It checks the `service` and `scope` vouch took from the
/// real registry's challenge. Returns the port.
fn token_endpoint(token: &'static str, issued: Arc<AtomicUsize>) -> u16 {
    serve(move |request: &Request| {
        let query = request
            .target
            .strip_prefix("/token?")
            .expect("token request");
        assert!(query.contains("service=vouch-test"), "{query}");
        assert!(
            query.contains("scope=repository%3Ateam%2Fapp%3Apull"),
            "{query}"
        );
        issued.fetch_add(1, Ordering::SeqCst);
        Reply::new(200).body(format!(r#"{{"token":"{}"}}"#, token.trim()))
    })
}

fn token_registry(token_port: u16) -> Registry {
    Registry::start_with_token_auth(&TokenAuth {
        realm: &format!("http://127.0.0.1:{token_port}/token"),
        service: "vouch-test",
        issuer: "vouch-test-issuer",
        root_certs_pem: ROOT_PEM,
        push_token: signed_token(),
    })
}

/// The real registry with token authentication sends the challenge and verifies the token.
#[test]
fn the_real_registry_challenge_is_answered_with_a_bearer_token() {
    let issued = Arc::new(AtomicUsize::new(0));
    let token_port = token_endpoint(signed_token(), Arc::clone(&issued));
    let registry = token_registry(token_port);
    let digest = registry.push_image("team/app", "1.0", CREATED);

    let anonymous =
        reqwest::blocking::get(format!("{}/v2/team/app/tags/list", registry.url())).unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let challenge = anonymous.headers()["www-authenticate"].to_str().unwrap();
    assert_eq!(
        challenge,
        format!(
            r#"Bearer realm="http://127.0.0.1:{token_port}/token",service="vouch-test",scope="repository:team/app:pull""#
        )
    );

    let token_host = format!("127.0.0.1:{token_port}");
    let resolver = resolver_for(&[registry.host(), token_host]);
    let app = image(&registry.host(), "team/app");
    assert_eq!(
        resolver.image_digest(&app, "1.0").unwrap().to_string(),
        digest
    );
    assert_eq!(resolver.image_tags(&app).unwrap(), ["1.0"]);
    assert_eq!(
        resolver.image_created(&app, &digest).unwrap(),
        Some(CREATED.parse().unwrap())
    );
    assert_eq!(
        issued.load(Ordering::SeqCst),
        1,
        "one token per repository and run"
    );
}

#[test]
fn a_token_the_real_registry_rejects_is_unauthorized() {
    let issued = Arc::new(AtomicUsize::new(0));
    let token_port = token_endpoint("not-a-signed-token", Arc::clone(&issued));
    let registry = token_registry(token_port);
    registry.push_image("team/app", "1.0", CREATED);
    let resolver = resolver_for(&[registry.host(), format!("127.0.0.1:{token_port}")]);
    let err = resolver
        .image_digest(&image(&registry.host(), "team/app"), "1.0")
        .unwrap_err();
    assert_eq!(err.code(), "registry-unauthorized", "{err}");
    assert!(
        matches!(err, ResolveError::Unauthorized { status: 401, ref reason, .. } if reason.contains("refused")),
        "{err:?}"
    );
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}

/// The bearer-token flow: no token server runs offline, so a loopback server plays the
/// registry's auth front (401 with a `Bearer realm=…,service=…,scope=…` challenge, as Docker Hub
/// and GHCR send) and the token endpoint, and forwards authorised requests to the real registry.
fn token_front(upstream: String, token: &'static str, tokens_issued: Arc<AtomicUsize>) -> u16 {
    token_front_with_realm(upstream, token, tokens_issued, None)
}

/// As [`token_front`], with the challenge's realm on another port (a separate token service).
fn token_front_with_realm(
    upstream: String,
    token: &'static str,
    tokens_issued: Arc<AtomicUsize>,
    realm_port: Option<u16>,
) -> u16 {
    let port = Arc::new(std::sync::OnceLock::<u16>::new());
    let me = Arc::clone(&port);
    let p = serve(move |request: &Request| {
        let own = realm_port.unwrap_or(*me.get().unwrap());
        if let Some(query) = request.target.strip_prefix("/token?") {
            tokens_issued.fetch_add(1, Ordering::SeqCst);
            assert!(query.contains("service=vouch-test"), "{query}");
            assert!(
                query.contains("scope=repository%3Ateam%2Fapp%3Apull"),
                "{query}"
            );
            return Reply::new(200).body(format!(r#"{{"token":"{token}","expires_in":300}}"#));
        }
        if request.header("authorization") != Some("Bearer good-token") {
            let challenge = format!(
                r#"Bearer realm="http://127.0.0.1:{own}/token",service="vouch-test",scope="repository:team/app:pull""#
            );
            let error = if request.header("authorization").is_some() {
                ",error=\"invalid_token\""
            } else {
                ""
            };
            return Reply::new(401).header("WWW-Authenticate", &format!("{challenge}{error}"));
        }
        forward(&upstream, request)
    });
    port.set(p).unwrap();
    p
}

#[test]
fn bearer_token_from_the_challenge_is_fetched_once_and_used() {
    let registry = Registry::start();
    let digest = registry.push_image("team/app", "1.0", CREATED);
    let issued = Arc::new(AtomicUsize::new(0));
    let port = token_front(registry.url(), "good-token", Arc::clone(&issued));
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver_for(std::slice::from_ref(&host));
    let app = image(&host, "team/app");
    assert_eq!(
        resolver.image_digest(&app, "1.0").unwrap().to_string(),
        digest
    );
    assert_eq!(resolver.image_tags(&app).unwrap(), vec!["1.0".to_owned()]);
    assert_eq!(
        resolver.image_created(&app, &digest).unwrap(),
        Some(CREATED.parse().unwrap())
    );
    assert_eq!(
        issued.load(Ordering::SeqCst),
        1,
        "the token is cached per repository"
    );
}

#[test]
fn a_refused_bearer_token_is_unauthorized() {
    let registry = Registry::start();
    registry.push_image("team/app", "1.0", CREATED);
    let issued = Arc::new(AtomicUsize::new(0));
    let port = token_front(registry.url(), "bad-token", Arc::clone(&issued));
    let host = format!("127.0.0.1:{port}");
    let resolver = resolver_for(std::slice::from_ref(&host));
    let err = resolver
        .image_digest(&image(&host, "team/app"), "1.0")
        .unwrap_err();
    assert_eq!(err.code(), "registry-unauthorized");
    assert!(
        matches!(err, ResolveError::Unauthorized { status: 401, ref reason, .. } if reason.contains("refused")),
        "{err:?}"
    );
}

#[test]
fn a_plain_http_token_realm_needs_its_host_listed_as_insecure() {
    let registry = Registry::start();
    let digest = registry.push_image("team/app", "1.0", CREATED);
    let issued = Arc::new(AtomicUsize::new(0));
    // The token service: the same front, reached on its own port.
    let service = token_front(registry.url(), "good-token", Arc::clone(&issued));
    let port = token_front_with_realm(
        registry.url(),
        "good-token",
        Arc::clone(&issued),
        Some(service),
    );
    let host = format!("127.0.0.1:{port}");
    let realm_host = format!("127.0.0.1:{service}");

    let resolver = resolver_for(std::slice::from_ref(&host));
    let err = resolver
        .image_digest(&image(&host, "team/app"), "1.0")
        .unwrap_err();
    assert_eq!(err.code(), "registry-malformed-response", "{err}");
    assert!(
        err.to_string().contains(&format!(
            "bearer challenge realm http://{realm_host}/token is plain HTTP"
        )),
        "{err}"
    );
    assert_eq!(
        issued.load(Ordering::SeqCst),
        0,
        "no request went to the plain-HTTP realm"
    );

    let resolver = resolver_for(&[host.clone(), realm_host]);
    assert_eq!(
        resolver
            .image_digest(&image(&host, "team/app"), "1.0")
            .unwrap()
            .to_string(),
        digest
    );
    assert_eq!(issued.load(Ordering::SeqCst), 1);
}
