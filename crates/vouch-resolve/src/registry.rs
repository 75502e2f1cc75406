//! The OCI distribution API over `reqwest` (blocking, rustls): manifests, tags, config blobs,
//! bearer tokens from `WWW-Authenticate` challenges.

use std::collections::HashMap;
use std::io::Read as _;
use std::str::FromStr as _;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use reqwest::StatusCode;
use reqwest::blocking::{Client as Http, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, LINK, RETRY_AFTER, WWW_AUTHENTICATE};
use serde::Deserialize;
use vouch_digest::{Algorithm, Digest};

use vouch_oci::reference::{DOCKER_HUB, Name};

use crate::{ResolveError, Url};

/// Manifests and indexes: the distribution spec lets registries refuse larger ones (4 MiB).
const MAX_MANIFEST: u64 = 4 << 20;
/// Image config blobs.
const MAX_CONFIG: u64 = 16 << 20;
/// One page of the tag list, and a token response.
const MAX_SMALL: u64 = 8 << 20;
/// Tag-list pages followed before giving up (a registry could loop us forever).
const MAX_PAGES: usize = 10_000;
/// Tags asked for per page (registries may answer fewer; 1000 is a common maximum).
pub(crate) const TAGS_PAGE: usize = 1000;

const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

const DIGEST_HEADER: &str = "docker-content-digest";

pub(crate) struct Client {
    http: Http,
    insecure: Vec<String>,
    /// Bearer tokens by (registry, scope).
    tokens: Mutex<HashMap<(String, String), String>>,
}

/// What a request is about, for error messages: `127.0.0.1:5000/team/app:1.0`.
struct Subject<'a> {
    image: &'a Name,
    text: String,
}

impl Client {
    pub(crate) fn new(insecure: &[String]) -> Result<Self, ResolveError> {
        let http = crate::http::client(crate::http::Timeouts {
            connect: Some(Duration::from_secs(30)),
            total: Duration::from_secs(120),
        })
        .map_err(|e| ResolveError::Network {
            url: Url::new("(HTTP client set-up)"),
            source: Box::new(e),
        })?;
        Ok(Client {
            http,
            insecure: insecure.to_vec(),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// `https://registry-1.docker.io` for Docker Hub, `http://HOST:PORT` for insecure ones.
    fn base(&self, registry: &str) -> String {
        let host = if registry == DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            registry
        };
        let scheme = if self.insecure.iter().any(|r| r == registry) {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{host}")
    }

    pub(crate) fn digest(&self, image: &Name, tag: &str) -> Result<Digest, ResolveError> {
        let subject = Subject {
            image,
            text: format!("{image}:{tag}"),
        };
        if let Err(reason) = vouch_oci::reference::check_tag(tag) {
            return Err(ResolveError::InvalidImage {
                name: subject.text,
                reason: reason.to_string(),
            });
        }
        let url = format!(
            "{}/v2/{}/manifests/{tag}",
            self.base(&image.registry),
            image.repository
        );
        let (head, with_token) = self.send(&subject, Method::HEAD, &url, MANIFEST_TYPES)?;
        let status = head.status();
        if status.is_success() {
            if let Some(d) = claimed_digest(&subject, head.headers())? {
                return Ok(d);
            }
            // No digest header: GET the manifest and hash it ourselves.
        } else if !matches!(
            status,
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED
        ) {
            return Err(fault(&subject, &head, with_token));
        }
        let body = self.get(&subject, &url, MANIFEST_TYPES, MAX_MANIFEST, None)?;
        Ok(Digest::sha256(&body))
    }

    pub(crate) fn tags(&self, image: &Name) -> Result<Vec<String>, ResolveError> {
        #[derive(Deserialize)]
        struct TagList {
            tags: Option<Vec<String>>,
        }
        let subject = Subject {
            image,
            text: format!("tags of {image}"),
        };
        let base = self.base(&image.registry);
        let mut url = format!("{base}/v2/{}/tags/list?n={TAGS_PAGE}", image.repository);
        let mut tags = Vec::new();
        for _ in 0..MAX_PAGES {
            let (response, with_token) =
                self.send(&subject, Method::GET, &url, "application/json")?;
            if !response.status().is_success() {
                return Err(fault(&subject, &response, with_token));
            }
            let next = next_link(response.headers());
            let body = read_bounded(&subject, response, MAX_SMALL)?;
            let page: TagList = serde_json::from_slice(&body)
                .map_err(|e| malformed(&subject, &format!("tag list is not JSON: {e}")))?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                None => return Ok(tags),
                Some(link) => {
                    url = if link.starts_with("http://") || link.starts_with("https://") {
                        link
                    } else if link.starts_with('/') {
                        format!("{base}{link}")
                    } else {
                        return Err(malformed(
                            &subject,
                            "Link header is not an absolute path or URL",
                        ));
                    };
                }
            }
        }
        Err(malformed(
            &subject,
            &format!("tag list did not end after {MAX_PAGES} pages"),
        ))
    }

    pub(crate) fn created(
        &self,
        image: &Name,
        digest: &str,
    ) -> Result<Option<jiff::Timestamp>, ResolveError> {
        let subject = Subject {
            image,
            text: format!("{image}@{digest}"),
        };
        let wanted = Digest::from_str(digest).map_err(|e| ResolveError::InvalidImage {
            name: subject.text.clone(),
            reason: format!("bad digest: {e}"),
        })?;
        let base = self.base(&image.registry);
        let manifest_url = |d: &Digest| format!("{base}/v2/{}/manifests/{d}", image.repository);
        let body = self.get(
            &subject,
            &manifest_url(&wanted),
            MANIFEST_TYPES,
            MAX_MANIFEST,
            Some(&wanted),
        )?;
        let mut manifest = parse_manifest(&subject, &body)?;
        if let Some(entries) = &manifest.manifests {
            // An index: its first platform manifest (attestation manifests say unknown/unknown).
            let first = entries
                .iter()
                .find(|m| {
                    m.platform
                        .as_ref()
                        .is_none_or(|p| p.os != "unknown" && p.architecture != "unknown")
                })
                .ok_or_else(|| malformed(&subject, "index lists no platform manifest"))?;
            let child = Digest::from_str(&first.digest)
                .map_err(|e| malformed(&subject, &format!("index entry digest: {e}")))?;
            let child_subject = Subject {
                image,
                text: format!("{image}@{child}"),
            };
            let body = self.get(
                &child_subject,
                &manifest_url(&child),
                MANIFEST_TYPES,
                MAX_MANIFEST,
                Some(&child),
            )?;
            manifest = parse_manifest(&child_subject, &body)?;
        }
        let Some(config) = manifest.config else {
            return Err(malformed(
                &subject,
                "manifest has neither `config` nor `manifests`",
            ));
        };
        let config_digest = Digest::from_str(&config.digest)
            .map_err(|e| malformed(&subject, &format!("config digest: {e}")))?;
        let config_subject = Subject {
            image,
            text: format!("config {config_digest} of {image}@{digest}"),
        };
        let url = format!("{base}/v2/{}/blobs/{config_digest}", image.repository);
        let body = self.get(
            &config_subject,
            &url,
            "*/*",
            MAX_CONFIG,
            Some(&config_digest),
        )?;
        #[derive(Deserialize)]
        struct Config {
            created: Option<String>,
        }
        let config: Config = serde_json::from_slice(&body)
            .map_err(|e| malformed(&config_subject, &format!("image config is not JSON: {e}")))?;
        config
            .created
            .map(|c| {
                c.parse::<jiff::Timestamp>().map_err(|e| {
                    malformed(
                        &config_subject,
                        &format!("`created` is not an RFC 3339 time: {e}"),
                    )
                })
            })
            .transpose()
    }

    /// GETs `url`, reads at most `limit` bytes and checks the content digest: against `expected`
    /// when the caller asked by digest, and against `Docker-Content-Digest` when the registry sent
    /// one. Returns the body.
    fn get(
        &self,
        subject: &Subject<'_>,
        url: &str,
        accept: &str,
        limit: u64,
        expected: Option<&Digest>,
    ) -> Result<Vec<u8>, ResolveError> {
        let (response, with_token) = self.send(subject, Method::GET, url, accept)?;
        if !response.status().is_success() {
            return Err(fault(subject, &response, with_token));
        }
        let claimed = claimed_digest(subject, response.headers())?;
        let body = read_bounded(subject, response, limit)?;
        for want in [expected, claimed.as_ref()].into_iter().flatten() {
            let computed = hash(want.algorithm(), &body);
            if &computed != want {
                return Err(ResolveError::DigestMismatch {
                    registry: subject.image.registry.clone(),
                    subject: subject.text.clone(),
                    expected: want.to_string(),
                    actual: computed.to_string(),
                });
            }
        }
        Ok(body)
    }

    /// Sends a request, answering one bearer challenge with an anonymous token if the registry
    /// asks for it. The caller maps the final status; the flag says whether the request that
    /// got this response carried a bearer token.
    fn send(
        &self,
        subject: &Subject<'_>,
        method: Method,
        url: &str,
        accept: &str,
    ) -> Result<(Response, bool), ResolveError> {
        let registry = &subject.image.registry;
        let default_scope = format!("repository:{}:pull", subject.image.repository);
        let cached = self
            .tokens
            .lock()
            .expect("token cache lock")
            .get(&(registry.clone(), default_scope.clone()))
            .cloned();
        let response = self.request(method.clone(), url, accept, cached.as_deref())?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok((response, cached.is_some()));
        }
        // No token yet, or the cached one expired: answer the challenge once.
        let Some(challenge) = bearer_challenge(response.headers()) else {
            return Ok((response, cached.is_some()));
        };
        let scope = challenge.scope.clone().unwrap_or(default_scope.clone());
        let token = self.token(subject, &challenge, &scope)?;
        self.tokens
            .lock()
            .expect("token cache lock")
            .insert((registry.clone(), default_scope), token.clone());
        Ok((self.request(method, url, accept, Some(&token))?, true))
    }

    fn request(
        &self,
        method: Method,
        url: &str,
        accept: &str,
        token: Option<&str>,
    ) -> Result<Response, ResolveError> {
        let mut request = self.http.request(method, url).header(ACCEPT, accept);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        request.send().map_err(|e| ResolveError::Network {
            url: Url::new(url),
            source: Box::new(e.without_url()),
        })
    }

    /// Anonymous token from the challenge's realm.
    fn token(
        &self,
        subject: &Subject<'_>,
        challenge: &Challenge,
        scope: &str,
    ) -> Result<String, ResolveError> {
        #[derive(Deserialize)]
        struct TokenResponse {
            token: Option<String>,
            access_token: Option<String>,
        }
        let realm = reqwest::Url::parse(&challenge.realm).map_err(|e| {
            malformed(
                subject,
                &format!("bearer challenge realm `{}`: {e}", challenge.realm),
            )
        })?;
        let authority = match (realm.host_str(), realm.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => String::new(),
        };
        match realm.scheme() {
            "https" => {}
            // Plain HTTP only where the operator allowed it.
            "http" if self.insecure.contains(&authority) => {}
            "http" => {
                return Err(malformed(
                    subject,
                    &format!(
                        "bearer challenge realm {} is plain HTTP and {authority} is not an insecure registry",
                        redact_url(&realm)
                    ),
                ));
            }
            _ => {
                return Err(malformed(
                    subject,
                    "bearer challenge realm is not an http(s) URL",
                ));
            }
        }
        let mut url = realm.clone();
        {
            let mut query = url.query_pairs_mut();
            if let Some(service) = &challenge.service {
                query.append_pair("service", service);
            }
            query.append_pair("scope", scope);
        }
        let token_subject = Subject {
            image: subject.image,
            text: format!("token for {} from {}", subject.text, redact_url(&realm)),
        };
        let response = self
            .http
            .get(url.as_str())
            .send()
            .map_err(|e| ResolveError::Network {
                url: redact_url(&realm),
                source: Box::new(e.without_url()),
            })?;
        if !response.status().is_success() {
            return Err(fault(&token_subject, &response, false));
        }
        let body = read_bounded(&token_subject, response, MAX_SMALL)?;
        let parsed: TokenResponse = serde_json::from_slice(&body)
            .map_err(|e| malformed(&token_subject, &format!("token response is not JSON: {e}")))?;
        parsed
            .token
            .or(parsed.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                malformed(
                    &token_subject,
                    "token response has neither `token` nor `access_token`",
                )
            })
    }
}

/// The `Docker-Content-Digest` header, if the registry sent one; an error if it is not a digest.
fn claimed_digest(
    subject: &Subject<'_>,
    headers: &HeaderMap,
) -> Result<Option<Digest>, ResolveError> {
    headers
        .get(DIGEST_HEADER)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| Digest::from_str(v).ok())
                .ok_or_else(|| malformed(subject, "Docker-Content-Digest header is not a digest"))
        })
        .transpose()
}

/// `body` hashed with `algorithm`.
fn hash(algorithm: Algorithm, body: &[u8]) -> Digest {
    use sha2::Digest as _;
    let bytes = match algorithm {
        Algorithm::Sha256 => return Digest::sha256(body),
        Algorithm::Sha384 => sha2::Sha384::digest(body).to_vec(),
        Algorithm::Sha512 => sha2::Sha512::digest(body).to_vec(),
    };
    Digest::from_bytes(algorithm, bytes).expect("hash length matches its algorithm")
}

/// The URL for an error message: a [`Url`], which prints without credentials.
fn redact_url(url: &reqwest::Url) -> Url {
    Url::new(url.as_str())
}

/// Manifest or index, only the fields vouch reads.
#[derive(Deserialize)]
struct Manifest {
    config: Option<Descriptor>,
    manifests: Option<Vec<IndexEntry>>,
}

#[derive(Deserialize)]
struct Descriptor {
    digest: String,
}

#[derive(Deserialize)]
struct IndexEntry {
    digest: String,
    platform: Option<Platform>,
}

#[derive(Deserialize)]
struct Platform {
    architecture: String,
    os: String,
}

fn parse_manifest(subject: &Subject<'_>, body: &[u8]) -> Result<Manifest, ResolveError> {
    serde_json::from_slice(body).map_err(|e| {
        malformed(
            subject,
            &format!("manifest is not JSON of the expected shape: {e}"),
        )
    })
}

fn malformed(subject: &Subject<'_>, reason: &str) -> ResolveError {
    ResolveError::Malformed {
        registry: subject.image.registry.clone(),
        subject: subject.text.clone(),
        reason: reason.to_owned(),
    }
}

/// The error for a non-success status; `with_token` says whether the request carried our
/// bearer token.
fn fault(subject: &Subject<'_>, response: &Response, with_token: bool) -> ResolveError {
    let registry = subject.image.registry.clone();
    let text = subject.text.clone();
    let status = response.status();
    match status.as_u16() {
        401 | 403 => {
            let reason = if status == StatusCode::FORBIDDEN {
                "access denied".to_owned()
            } else if with_token {
                "the anonymous bearer token was refused".to_owned()
            } else {
                match response
                    .headers()
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                {
                    Some(c) => format!(
                        "the registry asks for {} credentials; vouch resolves anonymously",
                        c.split_whitespace().next().unwrap_or("unknown")
                    ),
                    None => "authentication required".to_owned(),
                }
            };
            ResolveError::Unauthorized {
                registry,
                subject: text,
                status: status.as_u16(),
                reason,
            }
        }
        404 => ResolveError::NotFound {
            registry,
            subject: text,
        },
        429 => ResolveError::Throttled {
            registry,
            subject: text,
            retry_after: response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        },
        500..=599 => ResolveError::Server {
            registry,
            subject: text,
            status: status.as_u16(),
        },
        other => ResolveError::UnexpectedStatus {
            registry,
            subject: text,
            status: other,
        },
    }
}

fn read_bounded(
    subject: &Subject<'_>,
    response: Response,
    limit: u64,
) -> Result<Vec<u8>, ResolveError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(malformed(
            subject,
            &format!("response larger than {limit} bytes"),
        ));
    }
    let url = Url::new(response.url().as_str());
    let mut body = Vec::new();
    response
        .take(limit + 1)
        .read_to_end(&mut body)
        .map_err(|e| ResolveError::Network {
            url,
            source: Box::new(e),
        })?;
    if body.len() as u64 > limit {
        return Err(malformed(
            subject,
            &format!("response larger than {limit} bytes"),
        ));
    }
    Ok(body)
}

/// `Link: </v2/x/tags/list?last=b&n=2>; rel="next"`.
fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(LINK) {
        let Ok(value) = value.to_str() else { continue };
        for part in value.split(',') {
            let mut pieces = part.split(';');
            let target = pieces.next()?.trim();
            let is_next = pieces.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            });
            if is_next {
                let t = target.strip_prefix('<')?.strip_suffix('>')?;
                return Some(t.to_owned());
            }
        }
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) realm: String,
    pub(crate) service: Option<String>,
    pub(crate) scope: Option<String>,
}

fn bearer_challenge(headers: &HeaderMap) -> Option<Challenge> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(parse_challenge)
}

/// Parses `Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params, quoted or not).
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        if key.is_empty() {
            break;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return None;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '\\' => value.push(chars.next()?),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.insert(key.to_ascii_lowercase(), value);
    }
    Some(Challenge {
        realm: params.remove("realm")?,
        service: params.remove("service"),
        scope: params.remove("scope"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull""#,
        )
        .unwrap();
        assert_eq!(c.realm, "https://auth.docker.io/token");
        assert_eq!(c.service.as_deref(), Some("registry.docker.io"));
        assert_eq!(c.scope.as_deref(), Some("repository:library/python:pull"));
        let c = parse_challenge(r#"bearer realm=https://t.example/token , service = "a \"b\"""#)
            .unwrap();
        assert_eq!(c.realm, "https://t.example/token");
        assert_eq!(c.service.as_deref(), Some("a \"b\""));
        assert_eq!(c.scope, None);
        assert_eq!(parse_challenge(r#"Basic realm="basic-realm""#), None);
        assert_eq!(parse_challenge(r#"Bearer service="x""#), None);
        assert_eq!(parse_challenge(r#"Bearer realm="unterminated"#), None);
    }

    #[test]
    fn endpoints() {
        let client = Client::new(&["127.0.0.1:5000".to_owned()]).unwrap();
        assert_eq!(client.base("docker.io"), "https://registry-1.docker.io");
        assert_eq!(client.base("ghcr.io"), "https://ghcr.io");
        assert_eq!(client.base("127.0.0.1:5000"), "http://127.0.0.1:5000");
        assert_eq!(client.base("127.0.0.1:5001"), "https://127.0.0.1:5001");
    }

    #[test]
    fn link() {
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            r#"</v2/a/tags/list?last=b&n=2>; rel="next""#.parse().unwrap(),
        );
        assert_eq!(next_link(&h).as_deref(), Some("/v2/a/tags/list?last=b&n=2"));
        h.insert(LINK, r#"<https://x/y>; rel="prev""#.parse().unwrap());
        assert_eq!(next_link(&h), None);
    }
}
