//! A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution) on
//! 127.0.0.1, storing into a temporary directory, with images pushed through the distribution
//! API. `scripts/test-setup.d/registry.sh` installs it. A second, independent implementation,
//! crates.io's `ferro-oci-server` (Rust, axum; anonymous only), is started by
//! [`Registry::start_ferro`]; `scripts/test-setup.d/ferro.sh` installs it.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const BINARY: &str = "/usr/bin/docker-registry";

/// bcrypt hash of the password [`Registry::PASSWORD`] (cost 5, made with libcrypt's
/// `crypt("vouch-test", "$2b$05$...")`), for the htpasswd-protected variant.
const HTPASSWD: &str = "vouch:$2b$05$72FFrGCGFgXzVcgcgT042uqiNat/afZ2nenhKx8xq/liemrSjkvBe\n";

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

/// A running `docker-registry serve` on `127.0.0.1:<free port>`; killed on drop.
pub struct Registry {
    child: Child,
    port: u16,
    http: reqwest::blocking::Client,
    auth: Auth,
    _dir: tempfile::TempDir,
}

/// How the helper's own pushes authenticate.
enum Auth {
    Anonymous,
    Basic(String, String),
    Bearer(String),
}

/// The registry's `auth: token` settings (distribution's token authentication): the registry
/// answers 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…` and accepts JWTs issued
/// by `issuer` for `service`, signed by a key whose certificate chains to `root_certs_pem`.
pub struct TokenAuth<'a> {
    /// The token endpoint URL sent in the challenge.
    pub realm: &'a str,
    pub service: &'a str,
    pub issuer: &'a str,
    /// PEM certificates (the `rootcertbundle`).
    pub root_certs_pem: &'a str,
    /// A token with push access, used by this helper's pushes.
    pub push_token: &'a str,
}

impl Registry {
    /// The user of [`Registry::start_with_htpasswd`].
    pub const USER: &str = "vouch";
    /// The password of [`Registry::start_with_htpasswd`].
    pub const PASSWORD: &str = "vouch-test";

    /// Starts an anonymous registry. Panics with a clear message if `/usr/bin/docker-registry` is
    /// missing (run `scripts/test-setup.d/registry.sh`).
    pub fn start() -> Registry {
        Self::launch(Config::Anonymous)
    }

    /// Starts a registry that requires HTTP Basic credentials (`auth: htpasswd`) for every
    /// request: [`Registry::USER`] / [`Registry::PASSWORD`]. Pushes made through this helper use
    /// them; anonymous clients get 401 with a `Basic` challenge.
    pub fn start_with_htpasswd() -> Registry {
        Self::launch(Config::Htpasswd)
    }

    /// Starts a registry with token authentication (see [`TokenAuth`]). Pushes made through
    /// this helper send `auth.push_token`.
    pub fn start_with_token_auth(auth: &TokenAuth<'_>) -> Registry {
        Self::launch(Config::Token(auth))
    }

    /// Starts crates.io's `ferro-oci-server` (an OCI Distribution Spec v1.1 registry that
    /// passes the conformance suite; no authentication) on 127.0.0.1, storing into a temporary
    /// directory. Panics with a clear message if the binary is missing (run
    /// `scripts/test-setup.d/ferro.sh`).
    pub fn start_ferro() -> Registry {
        let binary = ferro_binary().unwrap_or_else(|| {
            panic!(
                "ferro-oci-server is missing from PATH and $CARGO_HOME/bin: run scripts/test-setup.d/ferro.sh (cargo install --locked ferro-oci-server)"
            )
        });
        let dir = tempfile::tempdir().expect("temporary directory for the registry");
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("registry log");
        let child = Command::new(&binary)
            .env("FERRO_OCI_LISTEN", format!("127.0.0.1:{port}"))
            .env("FERRO_OCI_STORAGE_DIR", dir.path().join("data"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("registry log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut registry = Registry {
            child,
            port,
            http: test_client(),
            auth: Auth::Anonymous,
            _dir: dir,
        };
        registry.wait_ready();
        registry
    }

    fn launch(config: Config<'_>) -> Registry {
        assert!(
            Path::new(BINARY).exists(),
            "{BINARY} is missing: run scripts/test-setup.d/registry.sh (installs Debian's docker-registry)"
        );
        let dir = tempfile::tempdir().expect("temporary directory for the registry");
        let port = free_port();
        let (auth_config, auth) = match config {
            Config::Anonymous => (String::new(), Auth::Anonymous),
            Config::Htpasswd => {
                let path = dir.path().join("htpasswd");
                std::fs::write(&path, HTPASSWD).expect("write htpasswd");
                (
                    format!(
                        "auth:\n  htpasswd:\n    realm: vouch-test\n    path: {}\n",
                        path.display()
                    ),
                    Auth::Basic(Self::USER.to_owned(), Self::PASSWORD.to_owned()),
                )
            }
            Config::Token(token) => {
                let path = dir.path().join("root.pem");
                std::fs::write(&path, token.root_certs_pem).expect("write rootcertbundle");
                (
                    format!(
                        "auth:\n  token:\n    realm: \"{}\"\n    service: \"{}\"\n    issuer: \"{}\"\n    rootcertbundle: {}\n",
                        token.realm,
                        token.service,
                        token.issuer,
                        path.display()
                    ),
                    Auth::Bearer(token.push_token.to_owned()),
                )
            }
        };
        let config = format!(
            "version: 0.1\n\
             log:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {root}\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: vouch-test-secret\n\
             {auth_config}",
            root = dir.path().join("data").display(),
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write registry config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("registry log");
        let child = Command::new(BINARY)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("registry log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BINARY}: {e}"));
        let mut registry = Registry {
            child,
            port,
            http: test_client(),
            auth,
            _dir: dir,
        };
        registry.wait_ready();
        registry
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("registry status") {
                let log = std::fs::read_to_string(self._dir.path().join("registry.log"))
                    .unwrap_or_default();
                panic!("the registry exited with {status} before answering:\n{log}");
            }
            if let Ok(response) = self.http.get(format!("{}/v2/", self.url())).send() {
                // 200 anonymous, 401 with htpasswd: either way the API is up.
                if matches!(response.status().as_u16(), 200 | 401) {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the registry did not answer /v2/ within 20 s on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `127.0.0.1:PORT`: the registry part of image references (and the value for
    /// `--insecure-registry`).
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.host())
    }

    fn authed(
        &self,
        request: reqwest::blocking::RequestBuilder,
    ) -> reqwest::blocking::RequestBuilder {
        match &self.auth {
            Auth::Basic(user, password) => request.basic_auth(user, Some(password)),
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Anonymous => request,
        }
    }

    /// Uploads a blob (monolithic POST then PUT); returns its digest.
    pub fn push_blob(&self, repository: &str, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        let response = self
            .authed(
                self.http
                    .post(format!("{}/v2/{repository}/blobs/uploads/", self.url())),
            )
            .send()
            .expect("start blob upload");
        assert_eq!(
            response.status().as_u16(),
            202,
            "start blob upload: {response:?}"
        );
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .expect("upload Location header")
            .to_owned();
        let location = if location.starts_with('/') {
            format!("{}{location}", self.url())
        } else {
            location
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let response = self
            .authed(
                self.http
                    .put(format!("{location}{separator}digest={digest}"))
                    .header("content-type", "application/octet-stream")
                    .body(bytes.to_vec()),
            )
            .send()
            .expect("finish blob upload");
        assert_eq!(
            response.status().as_u16(),
            201,
            "finish blob upload: {response:?}"
        );
        digest
    }

    /// PUTs a manifest or index under `reference` (a tag or its digest); returns its digest.
    pub fn push_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> String {
        let response = self
            .authed(
                self.http
                    .put(format!(
                        "{}/v2/{repository}/manifests/{reference}",
                        self.url()
                    ))
                    .header("content-type", media_type)
                    .body(bytes.to_vec()),
            )
            .send()
            .expect("push manifest");
        assert_eq!(
            response.status().as_u16(),
            201,
            "push manifest {repository}:{reference}: {}",
            response.text().unwrap_or_default()
        );
        sha256(bytes)
    }

    /// Pushes a one-layer image for `os`/`architecture` without tagging it; returns the
    /// manifest bytes.
    fn platform_manifest(
        &self,
        repository: &str,
        tag: &str,
        created: &str,
        architecture: &str,
    ) -> Vec<u8> {
        // An empty tar archive: two 512-byte zero blocks.
        let layer = vec![0u8; 1024];
        let layer_digest = self.push_blob(repository, &layer);
        let mut config = json!({
            "architecture": architecture,
            "os": "linux",
            "config": {"Labels": {"org.opencontainers.image.version": tag}},
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        });
        if !created.is_empty() {
            config["created"] = Value::String(created.to_owned());
        }
        let config = serde_json::to_vec(&config).expect("config JSON");
        let config_digest = self.push_blob(repository, &config);
        serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": layer.len()}],
        }))
        .expect("manifest JSON")
    }

    /// Pushes a small single-platform OCI image (linux/amd64; a config with the given `created`
    /// RFC 3339 time, or none if `created` is empty, and one layer) as `repository:tag`; returns
    /// the manifest digest.
    pub fn push_image(&self, repository: &str, tag: &str, created: &str) -> String {
        let manifest = self.platform_manifest(repository, tag, created, "amd64");
        self.push_manifest(repository, tag, OCI_MANIFEST, &manifest)
    }

    /// Pushes a multi-arch OCI index over two such manifests (linux/amd64, linux/arm64) as
    /// `repository:tag`; returns the index digest.
    pub fn push_index(&self, repository: &str, tag: &str, created: &str) -> String {
        let mut entries = Vec::new();
        for architecture in ["amd64", "arm64"] {
            let manifest = self.platform_manifest(repository, tag, created, architecture);
            let digest = sha256(&manifest);
            self.push_manifest(repository, &digest, OCI_MANIFEST, &manifest);
            entries.push(json!({
                "mediaType": OCI_MANIFEST,
                "digest": digest,
                "size": manifest.len(),
                "platform": {"architecture": architecture, "os": "linux"},
            }));
        }
        let index = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": entries,
        }))
        .expect("index JSON");
        self.push_manifest(repository, tag, OCI_INDEX, &index)
    }

    /// Points `new_tag` at the manifest `existing` (a tag or digest) refers to; returns its digest.
    pub fn tag(&self, repository: &str, existing: &str, new_tag: &str) -> String {
        let response = self
            .authed(
                self.http
                    .get(format!(
                        "{}/v2/{repository}/manifests/{existing}",
                        self.url()
                    ))
                    .header("accept", format!("{OCI_MANIFEST}, {OCI_INDEX}")),
            )
            .send()
            .expect("get manifest");
        assert!(
            response.status().is_success(),
            "get manifest {repository}:{existing}: {response:?}"
        );
        let media_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(OCI_MANIFEST)
            .to_owned();
        let bytes = response.bytes().expect("manifest body");
        self.push_manifest(repository, new_tag, &media_type, &bytes)
    }
}

fn test_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("test HTTP client")
}

/// `ferro-oci-server` on `PATH`, or in `$CARGO_HOME/bin` (default `~/.cargo/bin`), where
/// `cargo install` puts it.
fn ferro_binary() -> Option<std::path::PathBuf> {
    const NAME: &str = "ferro-oci-server";
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(NAME));
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|home| home.join("bin").join(NAME));
    on_path.chain(cargo_home).find(|p| p.is_file())
}

enum Config<'a> {
    Anonymous,
    Htpasswd,
    Token(&'a TokenAuth<'a>),
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in hash {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`.
pub(crate) fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on 127.0.0.1:{port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
