//! The OCI distribution API over `reqwest` (blocking, rustls): manifests, tags, blobs, bearer
//! tokens from `WWW-Authenticate` challenges (anonymous, or with credentials from a Docker
//! config file), HTTP Basic for registries that ask for it, redirects followed by hand so that
//! the registry's `Authorization` never leaves it.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::str::FromStr as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::Method;
use reqwest::StatusCode;
use reqwest::blocking::{Client as Http, RequestBuilder, Response};
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LINK, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE,
};
use serde::Deserialize;
use vouch_digest::{Algorithm, Digest};

use vouch_oci::reference::{DOCKER_HUB, Name};

use crate::credentials::{Credentials, Found, Lookup, Secrets};
use crate::{ResolveError, Url};

/// Manifests and indexes: the distribution spec lets registries refuse larger ones (4 MiB).
pub(crate) const MAX_MANIFEST: u64 = 4 << 20;
const MANIFEST_LIMIT: Limit = (MAX_MANIFEST, "a manifest");
/// Image config blobs.
const MAX_CONFIG: u64 = 16 << 20;
/// One page of the tag list, and a token response.
const MAX_SMALL: u64 = 8 << 20;
/// Redirects followed for one request (blob storage, registry mirrors).
const MAX_REDIRECTS: usize = 10;
/// The `client_id` vouch sends when it exchanges an identity token.
const CLIENT_ID: &str = "vouch";
/// Tag-list pages followed before giving up (a registry could loop us forever).
const MAX_PAGES: usize = 10_000;
/// Referrers index pages followed (`Link`), and the bytes of all pages together.
const MAX_REFERRER_PAGES: usize = 100;
const MAX_REFERRERS: u64 = 16 << 20;
/// The body of an answer to a write (or of an error vouch reads for its code).
const WRITE_ANSWER: Limit = (1 << 20, "a registry answer");
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// A size limit and what it is for (`a manifest`), for [`ResolveError::TooLarge`].
type Limit = (u64, &'static str);
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
    pub(crate) credentials: Credentials,
    /// Bearer tokens by (registry, the scope the operation asked for: `repository:R:pull` or
    /// `repository:R:pull,push`), so pull and push tokens do not evict each other.
    tokens: Mutex<HashMap<(String, String), String>>,
    /// HTTP requests sent (token requests and redirects included).
    requests: AtomicU64,
    /// Registries that asked for HTTP Basic: later requests send the credentials at once.
    basic: Mutex<BTreeSet<String>>,
    /// Registries already told about (a credential helper that is not run).
    noticed: Mutex<BTreeSet<String>>,
    notices: Mutex<Vec<Notice>>,
}

/// Something the caller should tell the user once; the resolver never prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Notice {
    /// The entry for a registry only names a credential helper (`credHelpers`, or `credsStore`
    /// beside an empty entry); vouch never runs one, so it asks that registry anonymously.
    #[error(
        "credentials for {registry} are kept by the credential helper `{helper}` ({origin}), which vouch does not run; asking {registry} anonymously"
    )]
    CredentialHelperNotRun {
        registry: String,
        origin: String,
        helper: String,
    },
}

impl Notice {
    /// The stable diagnostic code (`docs/rules/<code>.md`).
    pub fn code(&self) -> &'static str {
        match self {
            Notice::CredentialHelperNotRun { .. } => "registry-credential-helper-not-run",
        }
    }
}

/// What a request carried, for the reason of a 401/403.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sent {
    Nothing,
    AnonymousToken,
    /// Credentials from this file, directly (Basic) or through a token they obtained.
    Credentials {
        origin: String,
    },
}

/// The `Authorization` a request carries to the registry (never to a redirect target on
/// another origin).
#[derive(Clone)]
enum Authz {
    Bearer(String),
    Basic { username: String, password: String },
}

impl Authz {
    fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Authz::Bearer(token) => request.header(AUTHORIZATION, format!("Bearer {token}")),
            Authz::Basic { username, password } => request.basic_auth(username, Some(password)),
        }
    }
}

/// A manifest or index as the registry served it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The bytes, exactly as served (at most 4 MiB).
    pub bytes: Vec<u8>,
    /// The document's `mediaType`, or else the `Content-Type` the registry sent (parameters
    /// removed).
    pub media_type: String,
    /// The digest of `bytes` (the algorithm of the digest asked for; SHA-256 for a tag).
    pub digest: Digest,
}

/// What the referrers API answered ([`crate::Resolver::referrers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Referrers {
    /// The registry implements the API: the image index listing the referrers (every `Link`
    /// page merged into one `manifests` array; the bytes as served when there was one page).
    Index(Manifest),
    /// The registry does not implement the API (404, 405, 400 `UNSUPPORTED`, or a 200 that is
    /// not an image index): look for the referrers fallback tag instead.
    Unsupported,
}

/// What a request is about, for error messages: `127.0.0.1:5000/team/app:1.0`.
struct Subject<'a> {
    image: &'a Name,
    text: String,
}

impl Client {
    pub(crate) fn new(insecure: &[String]) -> Result<Self, ResolveError> {
        let http = crate::http::client_without_redirects(crate::http::Timeouts {
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
            credentials: Credentials::default(),
            tokens: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            basic: Mutex::new(BTreeSet::new()),
            noticed: Mutex::new(BTreeSet::new()),
            notices: Mutex::new(Vec::new()),
        })
    }

    /// The notices gathered since the last call.
    pub(crate) fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut *lock(&self.notices))
    }

    /// Whether `authority` (`HOST:PORT`) may be spoken to over plain HTTP.
    fn is_insecure(&self, authority: &str) -> bool {
        self.insecure.iter().any(|r| r == authority)
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
        let (head, sent) = self.send(&subject, Method::HEAD, &url, MANIFEST_TYPES)?;
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
            return Err(self.fault(&subject, &head, &sent));
        }
        let (body, _) = self.get(&subject, &url, MANIFEST_TYPES, MANIFEST_LIMIT, None)?;
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
            let (response, sent) = self.send(&subject, Method::GET, &url, "application/json")?;
            if !response.status().is_success() {
                return Err(self.fault(&subject, &response, &sent));
            }
            let next = next_link(response.headers());
            let body = read_bounded(&subject, response, (MAX_SMALL, "a tag-list page"))?;
            let page: TagList = serde_json::from_slice(&body)
                .map_err(|e| malformed(&subject, &format!("tag list is not JSON: {e}")))?;
            tags.extend(page.tags.unwrap_or_default());
            match next {
                None => return Ok(tags),
                Some(link) => url = resolve_link(&subject, &base, link)?,
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
        let (body, _) = self.get(
            &subject,
            &manifest_url(&wanted),
            MANIFEST_TYPES,
            MANIFEST_LIMIT,
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
            let (body, _) = self.get(
                &child_subject,
                &manifest_url(&child),
                MANIFEST_TYPES,
                MANIFEST_LIMIT,
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
        let (body, _) = self.get(
            &config_subject,
            &url,
            "*/*",
            (MAX_CONFIG, "an image config"),
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

    /// GET a manifest or index by tag or digest, at most `limit` bytes (see
    /// [`crate::Resolver::fetch_manifest`]).
    pub(crate) fn manifest(
        &self,
        image: &Name,
        reference: &str,
        limit: u64,
    ) -> Result<Manifest, ResolveError> {
        let subject = Subject {
            image,
            text: if reference.contains(':') {
                format!("{image}@{reference}")
            } else {
                format!("{image}:{reference}")
            },
        };
        let wanted = if reference.contains(':') {
            Some(
                Digest::from_str(reference).map_err(|e| ResolveError::InvalidImage {
                    name: subject.text.clone(),
                    reason: format!("bad digest: {e}"),
                })?,
            )
        } else {
            vouch_oci::reference::check_tag(reference).map_err(|reason| {
                ResolveError::InvalidImage {
                    name: subject.text.clone(),
                    reason: reason.to_string(),
                }
            })?;
            None
        };
        let url = format!(
            "{}/v2/{}/manifests/{reference}",
            self.base(&image.registry),
            image.repository
        );
        let (bytes, content_type) = self.get(
            &subject,
            &url,
            MANIFEST_TYPES,
            (limit, MANIFEST_LIMIT.1),
            wanted.as_ref(),
        )?;
        #[derive(Deserialize)]
        struct Typed {
            #[serde(rename = "mediaType")]
            media_type: Option<String>,
        }
        let declared = serde_json::from_slice::<Typed>(&bytes)
            .map_err(|e| malformed(&subject, &format!("manifest is not a JSON object: {e}")))?
            .media_type
            .filter(|t| !t.is_empty());
        let media_type = declared
            .or(content_type)
            .ok_or_else(|| malformed(&subject, "neither `mediaType` nor Content-Type"))?;
        let digest = match wanted {
            Some(d) => d,
            None => Digest::sha256(&bytes),
        };
        Ok(Manifest {
            bytes,
            media_type,
            digest,
        })
    }

    /// GET a blob as a stream (see [`crate::Resolver::open_blob`]).
    pub(crate) fn blob(
        &self,
        image: &Name,
        digest: &Digest,
        limit: u64,
    ) -> Result<Blob, ResolveError> {
        let subject = Subject {
            image,
            text: format!("blob {digest} of {image}"),
        };
        let url = format!(
            "{}/v2/{}/blobs/{digest}",
            self.base(&image.registry),
            image.repository
        );
        let (response, sent) = self.send(&subject, Method::GET, &url, "*/*")?;
        if !response.status().is_success() {
            return Err(self.fault(&subject, &response, &sent));
        }
        // Blob storage does not send the header; a registry that does must agree.
        if let Some(claimed) = claimed_digest(&subject, response.headers())?
            && &claimed != digest
        {
            return Err(ResolveError::DigestMismatch {
                registry: image.registry.clone(),
                subject: subject.text,
                expected: digest.to_string(),
                actual: claimed.to_string(),
            });
        }
        Blob::new(&subject, response, (limit, "a blob"))
    }

    /// HTTP requests sent so far.
    pub(crate) fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Uploads a blob unless the registry has it (see [`crate::Resolver::push_blob`]).
    pub(crate) fn push_blob(&self, image: &Name, bytes: &[u8]) -> Result<Digest, ResolveError> {
        let digest = Digest::sha256(bytes);
        let subject = Subject {
            image,
            text: format!("pushing blob {digest} to {image}"),
        };
        let base = self.base(&image.registry);
        let blob_url = format!("{base}/v2/{}/blobs/{digest}", image.repository);
        let (head, sent) =
            self.send_with(&subject, Method::HEAD, &blob_url, "*/*", Access::Push, None)?;
        match head.status() {
            s if s.is_success() => {
                check_claimed(&subject, head.headers(), &digest)?;
                return Ok(digest);
            }
            StatusCode::NOT_FOUND => {}
            _ => return Err(self.write_fault(&subject, head, &sent)),
        }
        drop(head);
        let uploads = format!("{base}/v2/{}/blobs/uploads/", image.repository);
        let empty = Body {
            bytes: &[],
            content_type: "application/octet-stream",
        };
        let (start, sent) = self.send_with(
            &subject,
            Method::POST,
            &uploads,
            "*/*",
            Access::Push,
            Some(empty),
        )?;
        if start.status() != StatusCode::ACCEPTED {
            return Err(self.write_fault(&subject, start, &sent));
        }
        let location = start
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| malformed(&subject, "202 Accepted without a Location header"))?;
        let start_url = start.url().clone();
        read_bounded(&subject, start, WRITE_ANSWER)?;
        let mut put_url = start_url.join(&location).map_err(|e| {
            malformed(
                &subject,
                &format!("upload location `{}`: {e}", vouch_url::redact(&location)),
            )
        })?;
        self.check_scheme(&subject, &put_url, "upload location")?;
        put_url
            .query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let body = Body {
            bytes,
            content_type: "application/octet-stream",
        };
        let (done, sent) = self.send_with(
            &subject,
            Method::PUT,
            put_url.as_str(),
            "*/*",
            Access::Push,
            Some(body),
        )?;
        if done.status() != StatusCode::CREATED {
            return Err(self.write_fault(&subject, done, &sent));
        }
        check_claimed(&subject, done.headers(), &digest)?;
        read_bounded(&subject, done, WRITE_ANSWER)?;
        Ok(digest)
    }

    /// PUTs a manifest (see [`crate::Resolver::push_manifest`]).
    pub(crate) fn push_manifest(
        &self,
        image: &Name,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest, ResolveError> {
        let subject = Subject {
            image,
            text: if reference.contains(':') {
                format!("pushing {image}@{reference}")
            } else {
                format!("pushing {image}:{reference}")
            },
        };
        let digest = if reference.contains(':') {
            let wanted = Digest::from_str(reference).map_err(|e| ResolveError::InvalidImage {
                name: format!("{image}@{reference}"),
                reason: format!("bad digest: {e}"),
            })?;
            let actual = hash(wanted.algorithm(), bytes);
            if actual != wanted {
                return Err(ResolveError::InvalidImage {
                    name: format!("{image}@{reference}"),
                    reason: format!("the manifest pushed under it has digest {actual}"),
                });
            }
            wanted
        } else {
            vouch_oci::reference::check_tag(reference).map_err(|reason| {
                ResolveError::InvalidImage {
                    name: format!("{image}:{reference}"),
                    reason: reason.to_string(),
                }
            })?;
            Digest::sha256(bytes)
        };
        if bytes.len() as u64 > MAX_MANIFEST {
            return Err(ResolveError::PushTooLarge {
                registry: image.registry.clone(),
                subject: subject.text,
                what: "a manifest",
                size: bytes.len() as u64,
                limit: MAX_MANIFEST,
            });
        }
        let url = format!(
            "{}/v2/{}/manifests/{reference}",
            self.base(&image.registry),
            image.repository
        );
        let body = Body {
            bytes,
            content_type: media_type,
        };
        let (response, sent) =
            self.send_with(&subject, Method::PUT, &url, "*/*", Access::Push, Some(body))?;
        if !response.status().is_success() {
            return Err(self.write_fault(&subject, response, &sent));
        }
        check_claimed(&subject, response.headers(), &digest)?;
        read_bounded(&subject, response, WRITE_ANSWER)?;
        Ok(digest)
    }

    /// The referrers of `digest` (see [`crate::Resolver::referrers`]).
    pub(crate) fn referrers(
        &self,
        image: &Name,
        digest: &Digest,
    ) -> Result<Referrers, ResolveError> {
        let subject = Subject {
            image,
            text: format!("referrers of {image}@{digest}"),
        };
        let base = self.base(&image.registry);
        let mut url = format!("{base}/v2/{}/referrers/{digest}", image.repository);
        let mut first: Option<(Vec<u8>, serde_json::Map<String, serde_json::Value>)> = None;
        let mut merged: Vec<serde_json::Value> = Vec::new();
        let mut total: u64 = 0;
        for page in 0..MAX_REFERRER_PAGES {
            let (response, sent) = self.send(&subject, Method::GET, &url, OCI_INDEX)?;
            let status = response.status();
            if page == 0 && !status.is_success() {
                return self.referrers_unsupported(&subject, response, &sent);
            }
            if !status.is_success() {
                return Err(self.fault(&subject, &response, &sent));
            }
            let content_type = media_type_of(response.headers());
            if page == 0 && content_type.as_deref() != Some(OCI_INDEX) {
                // Not the API (a front answering every path, say): as oras-go, look elsewhere.
                return Ok(Referrers::Unsupported);
            }
            let next = next_link(response.headers());
            let body = read_bounded(&subject, response, MANIFEST_LIMIT)?;
            total += body.len() as u64;
            if total > MAX_REFERRERS {
                return Err(too_large(&subject, (MAX_REFERRERS, "a referrers index")));
            }
            let mut object = match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(serde_json::Value::Object(o)) => o,
                Ok(_) => return Err(malformed(&subject, "referrers index is not a JSON object")),
                Err(e) => {
                    return Err(malformed(
                        &subject,
                        &format!("referrers index is not JSON: {e}"),
                    ));
                }
            };
            match object.remove("manifests") {
                Some(serde_json::Value::Array(entries)) => merged.extend(entries),
                None | Some(serde_json::Value::Null) => {}
                Some(_) => {
                    return Err(malformed(
                        &subject,
                        "`manifests` of the referrers index is not an array",
                    ));
                }
            }
            if first.is_none() {
                first = Some((body, object));
            }
            match next {
                None => {
                    let (bytes, mut object) = first.expect("the first page was read");
                    let bytes = if page == 0 {
                        bytes
                    } else {
                        object.insert("manifests".to_owned(), serde_json::Value::Array(merged));
                        serde_json::to_vec(&object).map_err(|e| {
                            malformed(&subject, &format!("merged referrers index: {e}"))
                        })?
                    };
                    return Ok(Referrers::Index(Manifest {
                        digest: Digest::sha256(&bytes),
                        bytes,
                        media_type: OCI_INDEX.to_owned(),
                    }));
                }
                Some(link) => url = resolve_link(&subject, &base, link)?,
            }
        }
        Err(malformed(
            &subject,
            &format!("referrers index did not end after {MAX_REFERRER_PAGES} pages"),
        ))
    }

    /// A non-success answer to the first referrers request: `Unsupported` for 404 (the
    /// distribution spec's answer of a registry without the API, and Debian's docker-registry
    /// 2.8's `404 page not found`) unless its error body says the repository is unknown
    /// (`NAME_UNKNOWN`, as oras-go), 405, and 400 whose error body says `UNSUPPORTED`;
    /// any other status is its fault.
    fn referrers_unsupported(
        &self,
        subject: &Subject<'_>,
        response: Response,
        sent: &Sent,
    ) -> Result<Referrers, ResolveError> {
        let status = response.status();
        if !matches!(
            status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED | StatusCode::BAD_REQUEST
        ) {
            return Err(self.fault(subject, &response, sent));
        }
        let fault = self.fault(subject, &response, sent);
        let body = read_bounded(subject, response, WRITE_ANSWER)?;
        let codes = error_codes(&body);
        match status {
            StatusCode::NOT_FOUND if codes.iter().any(|c| c == "NAME_UNKNOWN") => Err(fault),
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => Ok(Referrers::Unsupported),
            _ if codes.iter().any(|c| c == "UNSUPPORTED") => Ok(Referrers::Unsupported),
            _ => Err(fault),
        }
    }

    /// The error for an answer to a write that is not the one expected: [`Client::fault`],
    /// except that a success status where another was expected (a 200 where an upload must
    /// answer 202) is [`ResolveError::UnexpectedStatus`], and a 4xx that [`Client::fault`]
    /// has no variant for is [`ResolveError::Rejected`] with the registry's error codes.
    fn write_fault(&self, subject: &Subject<'_>, response: Response, sent: &Sent) -> ResolveError {
        let status = response.status();
        if status.is_success() {
            return ResolveError::UnexpectedStatus {
                registry: subject.image.registry.clone(),
                subject: subject.text.clone(),
                status: status.as_u16(),
            };
        }
        let fault = self.fault(subject, &response, sent);
        if !(status.is_client_error() && matches!(fault, ResolveError::UnexpectedStatus { .. })) {
            return fault;
        }
        let body = match read_bounded(subject, response, WRITE_ANSWER) {
            Ok(body) => body,
            Err(e) => return e,
        };
        ResolveError::Rejected {
            registry: subject.image.registry.clone(),
            subject: subject.text.clone(),
            status: status.as_u16(),
            errors: error_summary(&body),
        }
    }

    /// GETs `url`, reads at most `limit` bytes and checks the content digest: against `expected`
    /// when the caller asked by digest, and against `Docker-Content-Digest` when the registry sent
    /// one. Returns the body and its Content-Type (without parameters).
    fn get(
        &self,
        subject: &Subject<'_>,
        url: &str,
        accept: &str,
        limit: Limit,
        expected: Option<&Digest>,
    ) -> Result<(Vec<u8>, Option<String>), ResolveError> {
        let (response, sent) = self.send(subject, Method::GET, url, accept)?;
        if !response.status().is_success() {
            return Err(self.fault(subject, &response, &sent));
        }
        let claimed = claimed_digest(subject, response.headers())?;
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
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
        Ok((body, content_type))
    }

    /// The credentials for `registry`; records a notice the first time a registry's entry only
    /// names a credential helper.
    fn credentials_for(&self, registry: &str) -> Option<Found<'_>> {
        match self.credentials.lookup(registry) {
            Lookup::Found(found) => Some(found),
            Lookup::HelperOnly { origin, helper } => {
                if lock(&self.noticed).insert(registry.to_owned()) {
                    lock(&self.notices).push(Notice::CredentialHelperNotRun {
                        registry: registry.to_owned(),
                        origin: origin.to_owned(),
                        helper: helper.to_owned(),
                    });
                }
                None
            }
            Lookup::None => None,
        }
    }

    /// Sends a request, answering one challenge if the registry asks for it: a bearer challenge
    /// with a token from its realm (with the registry's credentials when there are some,
    /// anonymous otherwise), a Basic challenge with the registry's user name and password. The
    /// caller maps the final status; [`Sent`] says what the request that got this response
    /// carried.
    fn send(
        &self,
        subject: &Subject<'_>,
        method: Method,
        url: &str,
        accept: &str,
    ) -> Result<(Response, Sent), ResolveError> {
        self.send_with(subject, method, url, accept, Access::Pull, None)
    }

    /// [`Client::send`] for an operation that needs `access` (the token scope asked for, and
    /// the key its token is cached under), with an optional body. A 429 whose `Retry-After` is
    /// at most [`MAX_RETRY_AFTER`] seconds is retried once after that wait; any other 429, or a
    /// second one, is the caller's to map ([`ResolveError::Throttled`]).
    fn send_with(
        &self,
        subject: &Subject<'_>,
        method: Method,
        url: &str,
        accept: &str,
        access: Access,
        body: Option<Body<'_>>,
    ) -> Result<(Response, Sent), ResolveError> {
        let (response, sent) =
            self.send_once(subject, method.clone(), url, accept, access, body)?;
        if response.status() != StatusCode::TOO_MANY_REQUESTS {
            return Ok((response, sent));
        }
        let Some(wait) = short_retry_after(response.headers()) else {
            return Ok((response, sent));
        };
        drop(response);
        std::thread::sleep(wait);
        self.send_once(subject, method, url, accept, access, body)
    }

    fn send_once(
        &self,
        subject: &Subject<'_>,
        method: Method,
        url: &str,
        accept: &str,
        access: Access,
        body: Option<Body<'_>>,
    ) -> Result<(Response, Sent), ResolveError> {
        let registry = &subject.image.registry;
        let default_scope = access.scope(&subject.image.repository);
        let found = self.credentials_for(registry);
        let with_credentials = || match &found {
            Some(f) => Sent::Credentials {
                origin: f.origin.to_owned(),
            },
            None => Sent::AnonymousToken,
        };
        let basic = found.as_ref().and_then(|f| match f.secrets {
            Secrets::Basic { username, password } => Some(Authz::Basic {
                username: username.clone(),
                password: password.expose().to_owned(),
            }),
            Secrets::IdentityToken(_) => None,
        });
        let cached = lock(&self.tokens)
            .get(&(registry.clone(), default_scope.clone()))
            .cloned();
        let (first, sent) = match (cached, &basic) {
            (Some(token), _) => (Some(Authz::Bearer(token)), with_credentials()),
            (None, Some(b)) if lock(&self.basic).contains(registry) => {
                (Some(b.clone()), with_credentials())
            }
            (None, _) => (None, Sent::Nothing),
        };
        let response = self.request(subject, method.clone(), url, accept, first.as_ref(), body)?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok((response, sent));
        }
        // No token yet, or the cached one expired: answer the challenge once.
        if let Some(challenge) = bearer_challenge(response.headers()) {
            let scope = token_scope(challenge.scope.as_deref(), &default_scope);
            let token = self.token(subject, &challenge, &scope, found.as_ref())?;
            lock(&self.tokens).insert((registry.clone(), default_scope), token.clone());
            let response = self.request(
                subject,
                method,
                url,
                accept,
                Some(&Authz::Bearer(token)),
                body,
            )?;
            return Ok((response, with_credentials()));
        }
        if has_basic_challenge(response.headers())
            && sent == Sent::Nothing
            && let Some(basic) = basic
        {
            lock(&self.basic).insert(registry.clone());
            let response = self.request(subject, method, url, accept, Some(&basic), body)?;
            return Ok((response, with_credentials()));
        }
        Ok((response, sent))
    }

    /// Sends one request and follows redirects by hand (at most [`MAX_REDIRECTS`]): `auth` goes
    /// only to the registry's own origin (scheme, host and port), never to blob storage or an
    /// upload service elsewhere; a redirect to plain HTTP is followed only to a host listed as
    /// insecure. A body is sent again after a redirect (307, 308, and 301/302 as well, as for a
    /// `PUT`); a 303 turns the request into a `GET` without it.
    fn request(
        &self,
        subject: &Subject<'_>,
        method: Method,
        url: &str,
        accept: &str,
        auth: Option<&Authz>,
        body: Option<Body<'_>>,
    ) -> Result<Response, ResolveError> {
        let registry_origin = reqwest::Url::parse(&self.base(&subject.image.registry))
            .map_err(|e| malformed(subject, &format!("registry URL: {e}")))?;
        let mut current = reqwest::Url::parse(url)
            .map_err(|e| malformed(subject, &format!("request URL {}: {e}", Url::new(url))))?;
        let mut method = method;
        let mut body = body;
        for _ in 0..=MAX_REDIRECTS {
            let mut request = self
                .http
                .request(method.clone(), current.as_str())
                .header(ACCEPT, accept);
            if let Some(auth) = auth.filter(|_| same_origin(&current, &registry_origin)) {
                request = auth.apply(request);
            }
            if let Some(body) = body {
                request = request
                    .header(CONTENT_TYPE, body.content_type)
                    .body(body.bytes.to_vec());
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let response = request.send().map_err(|e| ResolveError::Network {
                url: redact_url(&current),
                source: Box::new(e.without_url()),
            })?;
            let status = response.status();
            if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
                return Ok(response);
            }
            if status == StatusCode::SEE_OTHER && method != Method::HEAD {
                method = Method::GET;
                body = None;
            }
            let Some(location) = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
            else {
                return Ok(response);
            };
            let next = current.join(location).map_err(|e| {
                malformed(
                    subject,
                    &format!("redirect to `{}`: {e}", vouch_url::redact(location)),
                )
            })?;
            self.check_scheme(subject, &next, "redirect")?;
            current = next;
        }
        Err(malformed(
            subject,
            &format!("more than {MAX_REDIRECTS} redirects"),
        ))
    }

    /// Refuses a URL the registry sent (a redirect, an upload location) that is neither HTTPS
    /// nor on a host listed as insecure.
    fn check_scheme(
        &self,
        subject: &Subject<'_>,
        url: &reqwest::Url,
        what: &str,
    ) -> Result<(), ResolveError> {
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.is_insecure(&authority(url)) => Ok(()),
            _ => Err(malformed(
                subject,
                &format!(
                    "{what} to {}, which is not HTTPS and not an insecure registry",
                    redact_url(url)
                ),
            )),
        }
    }

    /// A token from the challenge's realm: anonymous, with Basic credentials (GET, as Docker),
    /// or by exchanging an identity token (OAuth2 `refresh_token` grant, POST).
    fn token(
        &self,
        subject: &Subject<'_>,
        challenge: &Challenge,
        scope: &str,
        found: Option<&Found<'_>>,
    ) -> Result<String, ResolveError> {
        #[derive(Deserialize)]
        struct TokenResponse {
            token: Option<String>,
            access_token: Option<String>,
        }
        let realm = reqwest::Url::parse(&challenge.realm).map_err(|e| {
            malformed(
                subject,
                &format!(
                    "bearer challenge realm `{}`: {e}",
                    vouch_url::redact(&challenge.realm)
                ),
            )
        })?;
        let authority = authority(&realm);
        match realm.scheme() {
            "https" => {}
            // Plain HTTP only where the operator allowed it.
            "http" if self.is_insecure(&authority) => {}
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
        let token_subject = Subject {
            image: subject.image,
            text: format!("token for {} from {}", subject.text, redact_url(&realm)),
        };
        let request = match found.map(|f| f.secrets) {
            Some(Secrets::IdentityToken(refresh)) => {
                let mut form = form_urlencoded::Serializer::new(String::new());
                form.append_pair("grant_type", "refresh_token")
                    .append_pair("refresh_token", refresh.expose())
                    .append_pair("client_id", CLIENT_ID)
                    .append_pair("scope", scope);
                if let Some(service) = &challenge.service {
                    form.append_pair("service", service);
                }
                self.http
                    .post(realm.as_str())
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(form.finish())
            }
            basic => {
                let mut url = realm.clone();
                {
                    let mut query = url.query_pairs_mut();
                    if let Some(service) = &challenge.service {
                        query.append_pair("service", service);
                    }
                    query.append_pair("scope", scope);
                }
                let request = self.http.get(url.as_str());
                match basic {
                    Some(Secrets::Basic { username, password }) => {
                        request.basic_auth(username, Some(password.expose()))
                    }
                    _ => request,
                }
            }
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().map_err(|e| ResolveError::Network {
            url: redact_url(&realm),
            source: Box::new(e.without_url()),
        })?;
        if !response.status().is_success() {
            let sent = match found {
                Some(f) => Sent::Credentials {
                    origin: f.origin.to_owned(),
                },
                None => Sent::Nothing,
            };
            return Err(self.fault(&token_subject, &response, &sent));
        }
        let body = read_bounded(&token_subject, response, (MAX_SMALL, "a token response"))?;
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            malformed(
                &token_subject,
                &format!(
                    "token response is not JSON of the expected shape ({:?} at line {} column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            )
        })?;
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

    /// The error for a non-success status; `sent` says what the request carried.
    fn fault(&self, subject: &Subject<'_>, response: &Response, sent: &Sent) -> ResolveError {
        let registry = subject.image.registry.clone();
        let text = subject.text.clone();
        let status = response.status();
        match status.as_u16() {
            401 | 403 => {
                let reason = match (status == StatusCode::FORBIDDEN, sent) {
                    (true, Sent::Credentials { origin }) => {
                        format!("access denied to the credentials for {registry} from {origin}")
                    }
                    (true, _) => "access denied".to_owned(),
                    (false, Sent::AnonymousToken) => {
                        "the anonymous bearer token was refused".to_owned()
                    }
                    (false, Sent::Credentials { origin }) => {
                        format!("the credentials for {registry} from {origin} were refused")
                    }
                    (false, Sent::Nothing) => self.unauthenticated(&registry, response.headers()),
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

    /// Why a request that carried nothing was refused, and what vouch had for the registry.
    fn unauthenticated(&self, registry: &str, headers: &HeaderMap) -> String {
        let scheme = headers
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split_whitespace().next())
            .map(str::to_owned);
        let Some(scheme) = scheme else {
            return "authentication required".to_owned();
        };
        match self.credentials.lookup(registry) {
            Lookup::None => format!(
                "the registry asks for {scheme} credentials and none are configured for {registry}"
            ),
            Lookup::HelperOnly { origin, helper } => format!(
                "the registry asks for {scheme} credentials; the entry for {registry} in {origin} only names the credential helper `{helper}`, which vouch does not run"
            ),
            Lookup::Found(found) => format!(
                "the registry asks for {scheme} credentials, which the entry `{}` in {} cannot answer",
                found.key, found.origin
            ),
        }
    }
}

/// `HOST:PORT` (or `HOST`) of a URL, as insecure registries are listed.
fn authority(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    }
}

fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind: keep using it.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What an operation needs from a repository: the token scope it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Pull,
    Push,
}

impl Access {
    fn scope(self, repository: &str) -> String {
        match self {
            Access::Pull => format!("repository:{repository}:pull"),
            Access::Push => format!("repository:{repository}:pull,push"),
        }
    }
}

/// A request body and its `Content-Type`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Body<'a> {
    bytes: &'a [u8],
    content_type: &'a str,
}

/// The scope to ask the token realm for: the challenge's (the registry knows what the request
/// needs), except that a challenge for fewer actions on the same repository than the operation
/// needs asks for the operation's (a push's first request, a `HEAD`, is challenged for `pull`
/// only; asking `pull,push` then saves a second token at the upload, as Docker does).
fn token_scope(challenge: Option<&str>, wanted: &str) -> String {
    let Some(challenge) = challenge else {
        return wanted.to_owned();
    };
    let split = |s: &str| {
        s.rsplit_once(':')
            .map(|(r, a)| (r.to_owned(), a.to_owned()))
    };
    if let (Some((c_repo, c_actions)), Some((w_repo, w_actions))) =
        (split(challenge), split(wanted))
        && c_repo == w_repo
    {
        let wanted: BTreeSet<&str> = w_actions.split(',').collect();
        if c_actions.split(',').all(|a| wanted.contains(a)) {
            return format!("{w_repo}:{w_actions}");
        }
    }
    challenge.to_owned()
}

/// Retries wait at most this long (`Retry-After` in seconds); a longer wait is the user's call.
pub(crate) const MAX_RETRY_AFTER: u64 = 5;

/// The `Retry-After` of a 429 as a wait to honour: delta-seconds of at most
/// [`MAX_RETRY_AFTER`]. An HTTP date is never waited for (it would need the clock).
fn short_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (seconds <= MAX_RETRY_AFTER).then(|| Duration::from_secs(seconds))
}

fn has_basic_challenge(headers: &HeaderMap) -> bool {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split_whitespace()
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case("basic"))
        })
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

/// A `Docker-Content-Digest` the registry sent must be `expected`.
fn check_claimed(
    subject: &Subject<'_>,
    headers: &HeaderMap,
    expected: &Digest,
) -> Result<(), ResolveError> {
    match claimed_digest(subject, headers)? {
        Some(claimed) if &claimed != expected => Err(ResolveError::DigestMismatch {
            registry: subject.image.registry.clone(),
            subject: subject.text.clone(),
            expected: expected.to_string(),
            actual: claimed.to_string(),
        }),
        _ => Ok(()),
    }
}

/// The `Content-Type` without parameters.
fn media_type_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
}

/// The `code`s of a distribution error body (`{"errors": [{"code": …}]}`); none when it is not one.
fn error_codes(body: &[u8]) -> Vec<String> {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<Code>,
    }
    #[derive(Deserialize)]
    struct Code {
        code: String,
    }
    serde_json::from_slice::<Errors>(body)
        .map(|e| e.errors.into_iter().map(|c| c.code).collect())
        .unwrap_or_default()
}

/// `CODE: message; …` of a distribution error body, for [`ResolveError::Rejected`]: the
/// registry's words, so control characters are dropped and each message cut at 200
/// characters, at most 5 distinct errors.
fn error_summary(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        code: Option<String>,
        message: Option<String>,
    }
    let clean = |s: &str, max: usize| -> String {
        let mut out: String = s.chars().filter(|c| !c.is_control()).take(max).collect();
        if s.chars().filter(|c| !c.is_control()).count() > max {
            out.push('…');
        }
        out
    };
    let Ok(parsed) = serde_json::from_slice::<Errors>(body) else {
        return "no error body".to_owned();
    };
    let mut parts: Vec<String> = Vec::new();
    // One entry per missing blob repeats itself: each distinct error once.
    for e in &parsed.errors {
        let code = clean(e.code.as_deref().unwrap_or("UNKNOWN"), 64);
        let part = match e.message.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => format!("{code}: {}", clean(m, 200)),
            None => code,
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
        if parts.len() == 5 {
            break;
        }
    }
    if parts.is_empty() {
        "no error body".to_owned()
    } else {
        parts.join("; ")
    }
}

/// The URL a `Link: <…>; rel="next"` target names: absolute, or a path on the registry.
fn resolve_link(subject: &Subject<'_>, base: &str, link: String) -> Result<String, ResolveError> {
    if link.starts_with("http://") || link.starts_with("https://") {
        Ok(link)
    } else if link.starts_with('/') {
        Ok(format!("{base}{link}"))
    } else {
        Err(malformed(
            subject,
            "Link header is not an absolute path or URL",
        ))
    }
}

/// `body` hashed with `algorithm`.
pub(crate) fn hash(algorithm: Algorithm, body: &[u8]) -> Digest {
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
struct Document {
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

fn parse_manifest(subject: &Subject<'_>, body: &[u8]) -> Result<Document, ResolveError> {
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

/// A blob's body as a stream: at most its limit, and an error (never a short success) when it
/// ends before its `Content-Length`. Errors come as [`std::io::Error`]s holding a
/// [`ResolveError`] ([`ResolveError::in_io`]): [`ResolveError::Truncated`],
/// [`ResolveError::TooLarge`], [`ResolveError::Network`]. The caller hashes what it reads.
pub struct Blob {
    response: Response,
    registry: String,
    subject: String,
    url: String,
    announced: Option<u64>,
    limit: Limit,
    received: u64,
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blob")
            .field("subject", &self.subject)
            .field("announced", &self.announced)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

impl Blob {
    fn new(subject: &Subject<'_>, response: Response, limit: Limit) -> Result<Blob, ResolveError> {
        let announced = response.content_length();
        if announced.is_some_and(|n| n > limit.0) {
            return Err(too_large(subject, limit));
        }
        Ok(Blob {
            url: response.url().as_str().to_owned(),
            response,
            registry: subject.image.registry.clone(),
            subject: subject.text.clone(),
            announced,
            limit,
            received: 0,
        })
    }

    /// The length the registry (or blob storage) announced, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.announced
    }

    fn error(&self, error: ResolveError) -> std::io::Error {
        let kind = match error {
            ResolveError::Truncated { .. } => std::io::ErrorKind::UnexpectedEof,
            ResolveError::TooLarge { .. } => std::io::ErrorKind::FileTooLarge,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, error)
    }

    fn truncated(&self) -> Option<ResolveError> {
        let announced = self.announced?;
        (self.received < announced).then(|| ResolveError::Truncated {
            registry: self.registry.clone(),
            subject: self.subject.clone(),
            received: self.received,
            announced,
        })
    }
}

impl Read for Blob {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Never more than one byte past the limit, so an endless body stops there.
        let room = self.limit.0.saturating_add(1).saturating_sub(self.received);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let Some(window) = buf.get_mut(..want) else {
            return Ok(0);
        };
        match self.response.read(window) {
            Ok(0) => match self.truncated() {
                Some(e) => Err(self.error(e)),
                None => Ok(0),
            },
            Ok(n) => {
                self.received += n as u64;
                if self.received > self.limit.0 {
                    let e = ResolveError::TooLarge {
                        registry: self.registry.clone(),
                        subject: self.subject.clone(),
                        what: self.limit.1,
                        limit: self.limit.0,
                    };
                    return Err(self.error(e));
                }
                Ok(n)
            }
            Err(e) => {
                let timed_out = e
                    .get_ref()
                    .and_then(|i| i.downcast_ref::<reqwest::Error>())
                    .is_some_and(reqwest::Error::is_timeout);
                match self.truncated().filter(|_| !timed_out) {
                    Some(t) => Err(self.error(t)),
                    None => Err(self.error(ResolveError::Network {
                        url: Url::new(self.url.clone()),
                        source: Box::new(e),
                    })),
                }
            }
        }
    }
}

fn too_large(subject: &Subject<'_>, limit: Limit) -> ResolveError {
    ResolveError::TooLarge {
        registry: subject.image.registry.clone(),
        subject: subject.text.clone(),
        what: limit.1,
        limit: limit.0,
    }
}

/// The whole body, at most `limit` bytes, refused when shorter than announced.
fn read_bounded(
    subject: &Subject<'_>,
    response: Response,
    limit: Limit,
) -> Result<Vec<u8>, ResolveError> {
    let mut blob = Blob::new(subject, response, limit)?;
    let mut body = Vec::new();
    blob.read_to_end(&mut body)
        .map_err(|e| ResolveError::from_io(e, &blob.url))?;
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
    fn scope_asked_for_a_token() {
        let push = "repository:team/app:pull,push";
        // The challenge names fewer actions on the same repository: the operation's scope.
        assert_eq!(token_scope(Some("repository:team/app:pull"), push), push);
        assert_eq!(
            token_scope(Some("repository:team/app:push,pull"), push),
            push
        );
        assert_eq!(token_scope(None, push), push);
        // Anything else the registry asks for wins.
        assert_eq!(
            token_scope(Some("repository:other/app:pull"), push),
            "repository:other/app:pull"
        );
        assert_eq!(
            token_scope(Some("repository:team/app:pull,push,delete"), push),
            "repository:team/app:pull,push,delete"
        );
        assert_eq!(
            token_scope(
                Some("repository:team/app:pull,push"),
                "repository:team/app:pull"
            ),
            "repository:team/app:pull,push"
        );
    }

    #[test]
    fn retry_after_waited_for() {
        let wait = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, v.parse().unwrap());
            short_retry_after(&h)
        };
        assert_eq!(wait("0"), Some(Duration::ZERO));
        assert_eq!(wait(" 5 "), Some(Duration::from_secs(5)));
        assert_eq!(wait("6"), None);
        assert_eq!(wait("-1"), None);
        assert_eq!(wait("1.5"), None);
        assert_eq!(wait("Wed, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(short_retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn error_bodies() {
        assert_eq!(error_summary(b""), "no error body");
        assert_eq!(error_summary(br#"{"errors":[]}"#), "no error body");
        assert_eq!(
            error_summary(br#"{"errors":[{"code":"A","message":"m"},{"code":"A","message":"m"},{"message":"n"}]}"#),
            "A: m; UNKNOWN: n"
        );
        assert_eq!(
            error_codes(br#"{"errors":[{"code":"NAME_UNKNOWN","message":"x"}]}"#),
            ["NAME_UNKNOWN"]
        );
        assert!(error_codes(b"404 page not found\n").is_empty());
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
