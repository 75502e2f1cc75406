//! Real container images for tests, built daemonless with `umoci` and copied with `skopeo`,
//! with the ground truth of what they hold taken from each ecosystem's own tool.
//!
//! [`images`] builds them once per test process, or finds them already built by an earlier
//! process under the cargo target dir (`target/vouch-test-images/<key>/`, the key a hash of
//! the pinned inputs; `VOUCH_TEST_IMAGES_DIR` overrides the parent folder). Building needs the
//! inputs `scripts/test-setup.d/images.sh` prepares under `VOUCH_TEST_IMAGES_INPUTS` (default
//! `/opt/vouch-test/images`): a Debian bookworm `debootstrap --variant=minbase` root filesystem
//! as a tar archive, the pinned Python wheels with a pip, an npm cache with the pinned npm
//! packages. Nothing is fetched while the tests run: pip runs `--no-index`, npm `--offline`.
//! When an input or a tool is missing, [`images`] panics naming it: a test never passes on an
//! image it could not build.
//!
//! # The base image ([`Images::base`]), three layers
//!
//! 1. the debootstrap root filesystem (dpkg packages);
//! 2. real Python packages (`pip install --target /usr/lib/python3/dist-packages`, dist-info
//!    from PyPI wheels) and real npm packages (`npm install --prefix /app`: `node_modules` and
//!    `package-lock.json`);
//! 3. whiteouts: the Python package [`REMOVED_PYTHON`] (its dist-info and every file its
//!    `RECORD` lists) and the dpkg package [`REMOVED_DPKG`] (its `status` paragraph rewritten
//!    out, the files its `.list` names and its `info/` files removed), so the final image lacks
//!    both. `umoci repack` writes the `.wh.` entries from the difference.
//!
//! Each layer is made with `umoci unpack` once, then files changed in the bundle and
//! `umoci repack --refresh-bundle`. The image is then copied with `skopeo copy` to an
//! `oci-archive:`, a `docker-archive:` and a second OCI layout with zstd layers
//! (`--dest-compress-format zstd`). Ground truth: `dpkg-query --admindir ROOT/var/lib/dpkg`
//! (installed packages only), the `Name`/`Version` headers of each dist-info `METADATA`, the
//! `packages` of `/app/package-lock.json`, read from the bundle after each layer: the final
//! merged image ([`Image::truth`]) and per layer ([`Layer::present`], [`Layer::introduced`],
//! [`Layer::removed`]). A layer is named by its `diff_id` (the digest of the uncompressed tar,
//! the same in every copy) and by its blob digest in the gzip layout.
//!
//! # The multi-platform index ([`Images::multi`])
//!
//! Two tiny images (linux/amd64 and linux/arm64, one layer each with `/etc/vouch-platform`
//! naming the platform and Debian's `/etc/os-release`), made with `umoci new`, `umoci config
//! --os --architecture` and `umoci insert`; the image index over their two real manifests is
//! written by hand (umoci and skopeo do not make indexes) and tagged in the layout's
//! `index.json`, then checked by copying it with `skopeo copy --all` to an `oci-archive:`.
//!
//! [`Image::push`] and [`Index::push`] copy an image to a [`Registry`] with
//! `skopeo copy --dest-tls-verify=false … docker://127.0.0.1:PORT/…`.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::registry::{OCI_INDEX, OCI_MANIFEST, Registry, sha256};

/// The Python requirements installed in layer 2 (keep in step with
/// `scripts/test-setup.d/images.sh`).
pub const PYTHON_REQUIREMENTS: &[&str] = &[
    "requests==2.32.3",
    "certifi==2024.8.30",
    "charset-normalizer==3.4.0",
    "idna==3.10",
    "urllib3==2.2.3",
    "six==1.16.0",
];
/// The npm packages installed in layer 2 under `/app` (keep in step with the setup script).
pub const NPM_PACKAGES: &[&str] = &["express@4.21.2", "lodash@4.17.21"];
/// The Python distribution layer 3 removes (its dist-info `Name`).
pub const REMOVED_PYTHON: &str = "six";
/// The dpkg package layer 3 removes.
pub const REMOVED_DPKG: &str = "e2fsprogs";
/// Where layer 2 installs Python packages, inside the image.
pub const PYTHON_SITE: &str = "usr/lib/python3/dist-packages";
/// Where layer 2 installs npm packages, inside the image.
pub const NPM_APP: &str = "app";
/// The tag of the base image in its layouts and archives.
pub const BASE_TAG: &str = "base";
/// The tag of the multi-platform index in its layout and archive.
pub const MULTI_TAG: &str = "multi";
/// The name the base image is copied to `docker-archive:` under; skopeo records it normalised
/// in `manifest.json`'s `RepoTags` (`docker.io/vouch-test/base:latest`).
pub const DOCKER_ARCHIVE_NAME: &str = "vouch-test/base:latest";
/// The platforms of the multi-platform index.
pub const PLATFORMS: &[&str] = &["amd64", "arm64"];

/// Bumped whenever the build below changes what it makes (part of the cache key).
const BUILD_VERSION: &str = "images-v2";
const DEFAULT_INPUTS: &str = "/opt/vouch-test/images";
const ROOTFS_TAR: &str = "bookworm-minbase.tar";

/// One package as its ecosystem's own tool names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
}

impl fmt::Display for Package {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.version)
    }
}

/// Packages per type: dpkg, Python distributions, npm packages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    pub dpkg: BTreeSet<Package>,
    pub python: BTreeSet<Package>,
    pub npm: BTreeSet<Package>,
}

impl Truth {
    /// What `self` holds and `other` does not, per type.
    pub fn minus(&self, other: &Truth) -> Truth {
        Truth {
            dpkg: self.dpkg.difference(&other.dpkg).cloned().collect(),
            python: self.python.difference(&other.python).cloned().collect(),
            npm: self.npm.difference(&other.npm).cloned().collect(),
        }
    }

    /// What `found` lacks and what it has in excess of `self`, per type, as one line per type
    /// that differs (`dpkg: missing [a 1]; extra [b 2]`); empty when they are equal. For
    /// recall/precision assertions: `assert_eq!(truth.diff(&found), "")`.
    pub fn diff(&self, found: &Truth) -> String {
        let missing = self.minus(found);
        let extra = found.minus(self);
        let mut lines = Vec::new();
        for (kind, missing, extra) in [
            ("dpkg", &missing.dpkg, &extra.dpkg),
            ("python", &missing.python, &extra.python),
            ("npm", &missing.npm, &extra.npm),
        ] {
            if missing.is_empty() && extra.is_empty() {
                continue;
            }
            let list = |set: &BTreeSet<Package>| {
                set.iter()
                    .map(Package::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(format!(
                "{kind}: missing [{}]; extra [{}]",
                list(missing),
                list(extra)
            ));
        }
        lines.join("\n")
    }

    /// Number of packages of every type.
    pub fn len(&self) -> usize {
        self.dpkg.len() + self.python.len() + self.npm.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ground truth of a root filesystem: dpkg's database, the dist-info under
    /// [`PYTHON_SITE`], `/app/package-lock.json`. A part the root does not have (no
    /// `var/lib/dpkg/status`, no site folder, no lockfile) contributes nothing.
    pub fn of_root(root: &Path) -> Result<Truth, TruthError> {
        let admindir = root.join("var/lib/dpkg");
        let site = root.join(PYTHON_SITE);
        let lock = root.join(NPM_APP).join("package-lock.json");
        Ok(Truth {
            dpkg: if admindir.join("status").exists() {
                dpkg_packages(&admindir)?
            } else {
                BTreeSet::new()
            },
            python: if site.is_dir() {
                python_distributions(&site)?
            } else {
                BTreeSet::new()
            },
            npm: if lock.exists() {
                npm_packages(&lock)?
            } else {
                BTreeSet::new()
            },
        })
    }
}

/// Why the ground truth of a root could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TruthError {
    #[error("cannot read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot run dpkg-query")]
    DpkgQuerySpawn(#[source] std::io::Error),
    #[error("dpkg-query --admindir {admindir} exited with {status}: {stderr}")]
    DpkgQuery {
        admindir: PathBuf,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("{path}: dpkg-query line {line} is not `STATUS PACKAGE VERSION`: {text:?}")]
    DpkgQueryLine {
        path: PathBuf,
        line: usize,
        text: String,
    },
    #[error("{path}: no `{field}:` header, expected one before the first blank line")]
    MissingHeader { path: PathBuf, field: &'static str },
    #[error("{path}: not JSON")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: lockfileVersion {found}, expected 2 or 3 (a `packages` map)")]
    LockfileVersion { path: PathBuf, found: String },
    #[error("{path}: packages[{key:?}] has no string `version`")]
    LockfileVersionMissing { path: PathBuf, key: String },
}

/// Installed dpkg packages of the database in `admindir`, from
/// `dpkg-query --admindir ADMINDIR -W` (packages whose status is `installed`; removed packages
/// whose configuration files remain are not installed).
pub fn dpkg_packages(admindir: &Path) -> Result<BTreeSet<Package>, TruthError> {
    let output = Command::new("dpkg-query")
        .arg("--admindir")
        .arg(admindir)
        .args(["-W", "-f", "${db:Status-Status} ${Package} ${Version}\\n"])
        .output()
        .map_err(TruthError::DpkgQuerySpawn)?;
    if !output.status.success() {
        return Err(TruthError::DpkgQuery {
            admindir: admindir.to_owned(),
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut packages = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let mut fields = line.split(' ');
        let (Some(status), Some(name), Some(version), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(TruthError::DpkgQueryLine {
                path: admindir.join("status"),
                line: i + 1,
                text: line.to_owned(),
            });
        };
        if status == "installed" {
            packages.insert(Package {
                name: name.to_owned(),
                version: version.to_owned(),
            });
        }
    }
    Ok(packages)
}

/// The `Name` and `Version` headers of every `*.dist-info/METADATA` directly under `site`.
pub fn python_distributions(site: &Path) -> Result<BTreeSet<Package>, TruthError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| TruthError::Io { path, source }
    };
    let mut packages = BTreeSet::new();
    for entry in std::fs::read_dir(site).map_err(io(site))? {
        let entry = entry.map_err(io(site))?;
        let dir = entry.path();
        if dir.extension() != Some(OsStr::new("dist-info")) {
            continue;
        }
        let metadata = dir.join("METADATA");
        let bytes = std::fs::read(&metadata).map_err(io(&metadata))?;
        packages.insert(metadata_package(
            &metadata,
            &String::from_utf8_lossy(&bytes),
        )?);
    }
    Ok(packages)
}

/// `Name` and `Version` from the headers of a core-metadata file (`path` names it in errors).
pub fn metadata_package(path: &Path, text: &str) -> Result<Package, TruthError> {
    let mut name = None;
    let mut version = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Name:") {
            name.get_or_insert_with(|| v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version.get_or_insert_with(|| v.trim().to_owned());
        }
    }
    let missing = |field| TruthError::MissingHeader {
        path: path.to_owned(),
        field,
    };
    Ok(Package {
        name: name.ok_or_else(|| missing("Name"))?,
        version: version.ok_or_else(|| missing("Version"))?,
    })
}

/// The installed packages a `package-lock.json` (lockfile version 2 or 3) records: every key of
/// `packages` but the root `""` and links, named by the path after its last `node_modules/`.
pub fn npm_packages(lockfile: &Path) -> Result<BTreeSet<Package>, TruthError> {
    let bytes = std::fs::read(lockfile).map_err(|source| TruthError::Io {
        path: lockfile.to_owned(),
        source,
    })?;
    npm_lock_packages(lockfile, &bytes)
}

/// [`npm_packages`] over the bytes of a lockfile (`path` names it in errors).
pub fn npm_lock_packages(path: &Path, bytes: &[u8]) -> Result<BTreeSet<Package>, TruthError> {
    let lock: Value = serde_json::from_slice(bytes).map_err(|source| TruthError::Json {
        path: path.to_owned(),
        source,
    })?;
    let version = lock.get("lockfileVersion");
    let packages = match (version.and_then(Value::as_u64), lock.get("packages")) {
        (Some(2 | 3), Some(Value::Object(packages))) => packages,
        _ => {
            return Err(TruthError::LockfileVersion {
                path: path.to_owned(),
                found: version.map_or_else(|| "missing".to_owned(), Value::to_string),
            });
        }
    };
    let mut out = BTreeSet::new();
    for (key, entry) in packages {
        if key.is_empty() || entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let name = key.rsplit("node_modules/").next().unwrap_or(key);
        let Some(version) = entry.get("version").and_then(Value::as_str) else {
            return Err(TruthError::LockfileVersionMissing {
                path: path.to_owned(),
                key: key.clone(),
            });
        };
        out.insert(Package {
            name: name.to_owned(),
            version: version.to_owned(),
        });
    }
    Ok(out)
}

/// One layer of the base image and what it changed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Layer {
    /// The `history[].created_by` umoci recorded for it.
    pub created_by: String,
    /// Digest of the uncompressed layer (the config's `rootfs.diff_ids` entry): the same in
    /// every copy of the image.
    pub diff_id: String,
    /// Digest of the gzip blob in [`Image::layout`].
    pub digest: String,
    /// Everything installed once this layer is applied over the ones below.
    pub present: Truth,
    /// What this layer added (in `present`, not in the layer below's).
    pub introduced: Truth,
    /// What this layer took away (in the layer below's `present`, not in this one's).
    pub removed: Truth,
}

/// The base image in every form, and its ground truth.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Image {
    /// OCI image layout (gzip layers), the image tagged [`BASE_TAG`].
    pub layout: PathBuf,
    /// The same image as an OCI layout with zstd layers, tagged [`BASE_TAG`].
    pub zstd_layout: PathBuf,
    /// `skopeo copy … oci-archive:FILE:base`.
    pub oci_archive: PathBuf,
    /// `skopeo copy … docker-archive:FILE:vouch-test/base:latest` (uncompressed layers,
    /// Docker's manifest and config).
    pub docker_archive: PathBuf,
    /// Digest of the OCI manifest in [`Image::layout`] (and of the pushed image).
    pub manifest_digest: String,
    /// Digest of the zstd layout's manifest.
    pub zstd_manifest_digest: String,
    /// Digest of the image config.
    pub config_digest: String,
    /// Bottom layer first.
    pub layers: Vec<Layer>,
    /// The final merged image.
    pub truth: Truth,
    /// The Python distribution and the dpkg package layer 3 removed (as they were installed).
    pub removed_python: Package,
    pub removed_dpkg: Package,
    /// Files layer 3 deleted (paths inside the image, without a leading `/`).
    pub removed_files: Vec<String>,
    /// `/etc/os-release` of the image.
    pub os_release: String,
}

impl Image {
    /// `oci:LAYOUT:base`, for skopeo and umoci.
    pub fn oci_ref(&self) -> String {
        format!("oci:{}:{BASE_TAG}", self.layout.display())
    }

    /// Copies the image (gzip layout) to `registry` as `repository:tag` with skopeo; returns
    /// the manifest digest the registry holds (equal to [`Image::manifest_digest`]).
    pub fn push(&self, registry: &Registry, repository: &str, tag: &str) -> String {
        push(&self.oci_ref(), false, registry, repository, tag)
    }
}

/// One platform of the multi-platform index.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    /// Digest of this platform's manifest.
    pub manifest_digest: String,
    /// The text of its `/etc/vouch-platform` (`linux/amd64`…).
    pub marker: String,
}

/// The multi-platform index.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Index {
    /// OCI image layout whose `index.json` tags the image index [`MULTI_TAG`] (and each
    /// platform's manifest by its architecture).
    pub layout: PathBuf,
    /// `skopeo copy --all … oci-archive:FILE:multi`.
    pub oci_archive: PathBuf,
    /// Digest of the image index.
    pub index_digest: String,
    pub platforms: Vec<Platform>,
}

impl Index {
    /// `oci:LAYOUT:multi`.
    pub fn oci_ref(&self) -> String {
        format!("oci:{}:{MULTI_TAG}", self.layout.display())
    }

    /// Copies the index and both images (`skopeo copy --all`) to `registry` as
    /// `repository:tag`; returns the index digest the registry holds.
    pub fn push(&self, registry: &Registry, repository: &str, tag: &str) -> String {
        push(&self.oci_ref(), true, registry, repository, tag)
    }
}

/// Every test image, built once per process (see the module docs).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Images {
    /// The folder holding everything below.
    pub dir: PathBuf,
    pub base: Image,
    pub multi: Index,
}

/// The test images, built on first use (a few tens of seconds) or found in the cache. Panics,
/// naming what is missing, when they cannot be built.
pub fn images() -> &'static Images {
    static IMAGES: OnceLock<Images> = OnceLock::new();
    IMAGES.get_or_init(|| match build_in(&inputs_dir(), &cache_parent()) {
        Ok(images) => images,
        Err(e) => panic!("vouch_test::images: {}", chain(&e)),
    })
}

/// `skopeo copy` of `source` to `docker://HOST/repository:tag` (plain HTTP); returns the digest
/// skopeo wrote (`--digestfile`).
fn push(source: &str, all: bool, registry: &Registry, repository: &str, tag: &str) -> String {
    let dir = tempfile::tempdir().expect("temporary directory for the digest file");
    let digest_file = dir.path().join("digest");
    let mut cmd = skopeo();
    cmd.args(["copy", "--dest-tls-verify=false", "--digestfile"])
        .arg(&digest_file);
    if all {
        cmd.arg("--all");
    }
    cmd.arg(source)
        .arg(format!("docker://{}/{repository}:{tag}", registry.host()));
    if let Err(e) = run(&mut cmd) {
        panic!("push to {}: {e}", registry.host());
    }
    std::fs::read_to_string(&digest_file)
        .expect("skopeo --digestfile")
        .trim()
        .to_owned()
}

/// Why the test images could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    #[error("{path}: the image inputs are missing (run scripts/test-setup.d/images.sh)")]
    InputsMissing {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot run `{command}` (run scripts/test-setup.d/images.sh)")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` exited with {status}: {stderr}")]
    Command {
        command: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("ground truth")]
    Truth(#[from] TruthError),
    #[error("{0}")]
    Step(String),
}

type Result<T, E = BuildError> = std::result::Result<T, E>;

fn fail(message: impl Into<String>) -> BuildError {
    BuildError::Step(message.into())
}

/// `error` and its sources, joined by `: `.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

fn io<T>(what: impl fmt::Display, r: std::io::Result<T>) -> Result<T> {
    r.map_err(|e| fail(format!("{what}: {e}")))
}

/// Runs `cmd`; a spawn failure names the tool (and the setup script), a non-zero exit quotes
/// the command line and its stderr.
fn run(cmd: &mut Command) -> Result<Output> {
    let line = format!(
        "{} {}",
        cmd.get_program().to_string_lossy(),
        cmd.get_args()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = cmd.output().map_err(|source| BuildError::Spawn {
        command: line.clone(),
        source,
    })?;
    if !output.status.success() {
        return Err(BuildError::Command {
            command: line,
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(output)
}

fn skopeo() -> Command {
    let mut cmd = Command::new("skopeo");
    // No signature policy applies to images the tests made themselves.
    cmd.arg("--insecure-policy");
    cmd
}

fn umoci(args: &[&str]) -> Command {
    let mut cmd = Command::new("umoci");
    cmd.args(args);
    cmd
}

fn rootless() -> bool {
    // The effective user, as the setup script asks it (`id -u`): umoci needs `--rootless`
    // to unpack and insert as anyone but root.
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() != "0")
        .unwrap_or(true)
}

fn inputs_dir() -> PathBuf {
    std::env::var_os("VOUCH_TEST_IMAGES_INPUTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INPUTS))
}

/// The parent of the image caches: `VOUCH_TEST_IMAGES_DIR`, else `vouch-test-images` in the
/// cargo target dir this test binary runs from (the ancestor holding `CACHEDIR.TAG`, or the
/// folder above `PROFILE/deps/`), else in
/// the system's temporary folder.
fn cache_parent() -> PathBuf {
    if let Some(dir) = std::env::var_os("VOUCH_TEST_IMAGES_DIR") {
        return PathBuf::from(dir);
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(target) = exe
            .ancestors()
            .skip(1)
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        {
            return target.join("vouch-test-images");
        }
        // A target dir copied without its tag: test binaries live in `TARGET/PROFILE/deps/`.
        let deps = exe.parent();
        if deps.and_then(Path::file_name) == Some(OsStr::new("deps"))
            && let Some(target) = deps.and_then(Path::parent).and_then(Path::parent)
        {
            return target.join("vouch-test-images");
        }
    }
    std::env::temp_dir().join("vouch-test-images")
}

/// The cache key: this build's version, the pinned inputs and the stamps the setup script
/// wrote beside them.
fn cache_key(inputs: &Path) -> Result<String> {
    let mut text = format!("{BUILD_VERSION}\n{PYTHON_REQUIREMENTS:?}\n{NPM_PACKAGES:?}\n");
    for stamp in ["rootfs.spec", "wheels.spec", "npm.spec"] {
        let path = inputs.join(stamp);
        let stamp_text = std::fs::read_to_string(&path)
            .map_err(|source| BuildError::InputsMissing { path, source })?;
        text.push_str(&stamp_text);
    }
    let tar = inputs.join(ROOTFS_TAR);
    let meta = std::fs::metadata(&tar)
        .map_err(|source| BuildError::InputsMissing { path: tar, source })?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    text.push_str(&format!("{} {modified}\n", meta.len()));
    Ok(sha256(text.as_bytes())["sha256:".len().."sha256:".len() + 16].to_owned())
}

const MANIFEST_FILE: &str = "images.json";

/// The images built from the inputs in `inputs` (what `scripts/test-setup.d/images.sh` makes),
/// cached in `parent/<key>/`: found there, or built in `parent/.build-*/` and renamed into place
/// (a process that loses the race uses the winner's copy). [`images`] calls this once per
/// process with `VOUCH_TEST_IMAGES_INPUTS` and the target dir.
pub fn build_in(inputs: &Path, parent: &Path) -> Result<Images> {
    let key = cache_key(inputs)?;
    let dir = parent.join(&key);
    if let Some(images) = load(&dir)? {
        return Ok(images);
    }
    io(parent.display(), std::fs::create_dir_all(parent))?;
    let work = io(
        "temporary build folder",
        tempfile::Builder::new()
            .prefix(".build-")
            .tempdir_in(parent),
    )?;
    let built = build(inputs, work.path())?;
    let text = serde_json::to_string_pretty(&relative(&built, work.path()))
        .map_err(|e| fail(format!("images.json: {e}")))?;
    io(
        MANIFEST_FILE,
        std::fs::write(work.path().join(MANIFEST_FILE), text),
    )?;
    // The bundle (an unpacked root) served the ground truth; the images do not need it.
    let _ = std::fs::remove_dir_all(work.path().join("bundle"));
    let work = work.keep();
    if std::fs::rename(&work, &dir).is_err() {
        // Another test process finished first: use its copy.
        let _ = std::fs::remove_dir_all(&work);
    }
    // Images of older inputs or an older build are never read again.
    if let Ok(entries) = std::fs::read_dir(parent) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let stale = name != OsStr::new(&key)
                && !name.to_string_lossy().starts_with('.')
                && entry.path().join(MANIFEST_FILE).is_file();
            if stale {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    load(&dir)?.ok_or_else(|| fail(format!("{} vanished after the build", dir.display())))
}

/// The images recorded in `dir`, with absolute paths; `None` when nothing is there yet.
fn load(dir: &Path) -> Result<Option<Images>> {
    let path = dir.join(MANIFEST_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let images: Images = serde_json::from_str(&text)
        .map_err(|e| fail(format!("{}: {e} (delete the folder)", path.display())))?;
    Ok(Some(absolute(images, dir)))
}

fn relative(images: &Images, dir: &Path) -> Images {
    let strip = |p: &Path| p.strip_prefix(dir).unwrap_or(p).to_owned();
    let mut out = images.clone();
    out.dir = PathBuf::new();
    out.base.layout = strip(&images.base.layout);
    out.base.zstd_layout = strip(&images.base.zstd_layout);
    out.base.oci_archive = strip(&images.base.oci_archive);
    out.base.docker_archive = strip(&images.base.docker_archive);
    out.multi.layout = strip(&images.multi.layout);
    out.multi.oci_archive = strip(&images.multi.oci_archive);
    out
}

fn absolute(mut images: Images, dir: &Path) -> Images {
    images.dir = dir.to_owned();
    for p in [
        &mut images.base.layout,
        &mut images.base.zstd_layout,
        &mut images.base.oci_archive,
        &mut images.base.docker_archive,
        &mut images.multi.layout,
        &mut images.multi.oci_archive,
    ] {
        *p = dir.join(&*p);
    }
    images
}

fn build(inputs: &Path, work: &Path) -> Result<Images> {
    let base = build_base(inputs, work)?;
    let multi = build_multi(work, &base.os_release)?;
    Ok(Images {
        dir: work.to_owned(),
        base,
        multi,
    })
}

fn build_base(inputs: &Path, work: &Path) -> Result<Image> {
    let rootless = rootless();
    let layout = work.join("oci");
    let layout_s = layout.display().to_string();
    let image = format!("{layout_s}:{BASE_TAG}");
    let bundle = work.join("bundle");
    let root = bundle.join("rootfs");
    let maybe_rootless = |mut cmd: Command| {
        if rootless {
            cmd.arg("--rootless");
        }
        cmd
    };

    run(&mut umoci(&["init", "--layout", &layout_s]))?;
    run(&mut umoci(&["new", "--image", &image]))?;
    run(&mut umoci(&[
        "config",
        "--image",
        &image,
        "--config.cmd",
        "/bin/bash",
        "--config.workingdir",
        "/app",
    ]))?;
    let mut unpack = maybe_rootless(umoci(&["unpack", "--image", &image]));
    run(unpack.arg(&bundle))?;

    // Layer 1: the debootstrap root filesystem (device nodes left out, as image builders do).
    let tar = inputs.join(ROOTFS_TAR);
    run(Command::new("tar")
        .args(["--numeric-owner", "--exclude=./dev/*", "-xpf"])
        .arg(&tar)
        .arg("-C")
        .arg(&root))?;
    let mut truths = vec![Truth::of_root(&root)?];
    let os_release = io(
        "etc/os-release",
        std::fs::read_to_string(root.join("etc/os-release")),
    )?;
    let created_by = [
        "debootstrap --variant=minbase bookworm http://deb.debian.org/debian".to_owned(),
        format!(
            "pip install --target /{PYTHON_SITE} {} && npm install --prefix /{NPM_APP} {}",
            PYTHON_REQUIREMENTS.join(" "),
            NPM_PACKAGES.join(" ")
        ),
        format!("remove python {REMOVED_PYTHON} and dpkg {REMOVED_DPKG}"),
    ];
    repack(&image, &bundle, &created_by[0])?;

    // Layer 2: Python and npm packages from the pinned inputs, offline.
    let site = root.join(PYTHON_SITE);
    let pip = inputs.join("venv/bin/pip");
    run(Command::new(&pip)
        .env("PIP_CONFIG_FILE", "/dev/null")
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-cache-dir",
            "--no-index",
            "--no-compile",
            "--find-links",
        ])
        .arg(inputs.join("wheels"))
        .arg("--target")
        .arg(&site)
        .args(PYTHON_REQUIREMENTS))?;
    // npm writes into its cache even offline: give it a copy.
    let npm_cache = work.join("npm-cache");
    run(Command::new("cp")
        .arg("-a")
        .arg(inputs.join("npm-cache"))
        .arg(&npm_cache))?;
    let npmrc = work.join("npmrc");
    io("npmrc", std::fs::write(&npmrc, ""))?;
    let app = root.join(NPM_APP);
    io(app.display(), std::fs::create_dir_all(&app))?;
    run(Command::new("npm")
        .env("npm_config_userconfig", &npmrc)
        .env("npm_config_update_notifier", "false")
        .args([
            "install",
            "--silent",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--cache",
        ])
        .arg(&npm_cache)
        .arg("--prefix")
        .arg(&app)
        .args(NPM_PACKAGES))?;
    let _ = std::fs::remove_dir_all(&npm_cache);
    let _ = std::fs::remove_file(&npmrc);
    truths.push(Truth::of_root(&root)?);
    repack(&image, &bundle, &created_by[1])?;

    // Layer 3: whiteouts.
    let mut removed_files = remove_python(&root, REMOVED_PYTHON)?;
    let removed_python = truths[1]
        .python
        .iter()
        .find(|p| p.name == REMOVED_PYTHON)
        .cloned()
        .ok_or_else(|| fail(format!("layer 2 has no Python {REMOVED_PYTHON}")))?;
    removed_files.extend(remove_dpkg(&root, REMOVED_DPKG)?);
    let removed_dpkg = truths[0]
        .dpkg
        .iter()
        .find(|p| p.name == REMOVED_DPKG)
        .cloned()
        .ok_or_else(|| fail(format!("layer 1 has no dpkg {REMOVED_DPKG}")))?;
    truths.push(Truth::of_root(&root)?);
    repack(&image, &bundle, &created_by[2])?;

    // The layout as written: manifest, config, layers.
    let (manifest_digest, manifest) = tagged_manifest(&layout, BASE_TAG)?;
    let config_digest = manifest["config"]["digest"]
        .as_str()
        .ok_or_else(|| fail("manifest without config digest"))?
        .to_owned();
    let config: Value = read_blob_json(&layout, &config_digest)?;
    let diff_ids: Vec<String> = config["rootfs"]["diff_ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let digests: Vec<String> = manifest["layers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l["digest"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    // `umoci new` makes an image without layers: one layer per repack.
    if diff_ids.len() != 3 || digests.len() != 3 {
        return Err(fail(format!(
            "expected 3 layers, found {} diff_ids and {} blobs",
            diff_ids.len(),
            digests.len()
        )));
    }
    let empty = Truth::default();
    let layers = (0..3)
        .map(|i| {
            let below = if i == 0 { &empty } else { &truths[i - 1] };
            Layer {
                created_by: created_by[i].clone(),
                diff_id: diff_ids[i].clone(),
                digest: digests[i].clone(),
                present: truths[i].clone(),
                introduced: truths[i].minus(below),
                removed: below.minus(&truths[i]),
            }
        })
        .collect();

    // The copies.
    let oci_archive = work.join("base.oci.tar");
    let docker_archive = work.join("base.docker.tar");
    let zstd_layout = work.join("oci-zstd");
    run(skopeo().args([
        "copy",
        "--quiet",
        &format!("oci:{image}"),
        &format!("oci-archive:{}:{BASE_TAG}", oci_archive.display()),
    ]))?;
    run(skopeo().args([
        "copy",
        "--quiet",
        &format!("oci:{image}"),
        &format!(
            "docker-archive:{}:{DOCKER_ARCHIVE_NAME}",
            docker_archive.display()
        ),
    ]))?;
    run(skopeo().args([
        "copy",
        "--quiet",
        "--dest-compress-format",
        "zstd",
        &format!("oci:{image}"),
        &format!("oci:{}:{BASE_TAG}", zstd_layout.display()),
    ]))?;
    let (zstd_manifest_digest, _) = tagged_manifest(&zstd_layout, BASE_TAG)?;

    Ok(Image {
        layout,
        zstd_layout,
        oci_archive,
        docker_archive,
        manifest_digest,
        zstd_manifest_digest,
        config_digest,
        layers,
        truth: truths[2].clone(),
        removed_python,
        removed_dpkg,
        removed_files,
        os_release,
    })
}

fn repack(image: &str, bundle: &Path, created_by: &str) -> Result<()> {
    let mut cmd = umoci(&[
        "repack",
        "--refresh-bundle",
        "--image",
        image,
        "--history.created_by",
        created_by,
    ]);
    run(cmd.arg(bundle)).map(drop)
}

/// The descriptor digest and the manifest tagged `tag` in a layout's `index.json`.
fn tagged_manifest(layout: &Path, tag: &str) -> Result<(String, Value)> {
    let index: Value = read_json(&layout.join("index.json"))?;
    let digest = index["manifests"]
        .as_array()
        .and_then(|m| {
            m.iter()
                .find(|d| d["annotations"]["org.opencontainers.image.ref.name"] == tag)
        })
        .and_then(|d| d["digest"].as_str())
        .ok_or_else(|| fail(format!("{}: no manifest tagged {tag}", layout.display())))?
        .to_owned();
    let manifest = read_blob_json(layout, &digest)?;
    Ok((digest, manifest))
}

fn blob_path(layout: &Path, digest: &str) -> Result<PathBuf> {
    let hex = digest
        .strip_prefix("sha256:")
        .ok_or_else(|| fail(format!("digest {digest:?} is not sha256")))?;
    Ok(layout.join("blobs/sha256").join(hex))
}

fn read_blob_json(layout: &Path, digest: &str) -> Result<Value> {
    read_json(&blob_path(layout, digest)?)
}

fn read_json(path: &Path) -> Result<Value> {
    let bytes = io(path.display(), std::fs::read(path))?;
    serde_json::from_slice(&bytes).map_err(|e| fail(format!("{}: {e}", path.display())))
}

/// Removes the Python distribution `name` under [`PYTHON_SITE`]: every file its `RECORD`
/// lists (inside the site folder only) and its dist-info folder; returns the removed files.
fn remove_python(root: &Path, name: &str) -> Result<Vec<String>> {
    let site = root.join(PYTHON_SITE);
    let mut dist_info = None;
    for entry in io(site.display(), std::fs::read_dir(&site))? {
        let path = io(site.display(), entry)?.path();
        if path.extension() == Some(OsStr::new("dist-info")) {
            let metadata = path.join("METADATA");
            let text = io(metadata.display(), std::fs::read_to_string(&metadata))?;
            if metadata_package(&metadata, &text)?.name == name {
                dist_info = Some(path);
            }
        }
    }
    let dist_info = dist_info
        .ok_or_else(|| fail(format!("no dist-info named {name} in {}", site.display())))?;
    let record = dist_info.join("RECORD");
    let text = io(record.display(), std::fs::read_to_string(&record))?;
    let mut removed = Vec::new();
    for line in text.lines() {
        // `path,hash,size`; paths in RECORD have no commas in these wheels.
        let Some(rel) = line.split(',').next().filter(|p| !p.is_empty()) else {
            continue;
        };
        let path = site.join(rel);
        if !inside(root, &path) {
            continue;
        }
        if path.is_file() {
            io(path.display(), std::fs::remove_file(&path))?;
            removed.push(image_path(root, &path));
        }
    }
    io(dist_info.display(), std::fs::remove_dir_all(&dist_info))?;
    Ok(removed)
}

/// Removes the dpkg package `name` as `dpkg --purge` leaves the database: its paragraph out of
/// `status`, its files (those of `info/NAME.list` that are files or links, not folders) and its
/// `info/NAME.*` files; returns the removed files.
fn remove_dpkg(root: &Path, name: &str) -> Result<Vec<String>> {
    let admindir = root.join("var/lib/dpkg");
    let status_path = admindir.join("status");
    let status = io(status_path.display(), std::fs::read_to_string(&status_path))?;
    let mut kept = Vec::new();
    let mut found = false;
    for paragraph in status.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let is_it = paragraph
            .lines()
            .any(|l| l.strip_prefix("Package:").map(str::trim) == Some(name));
        if is_it {
            found = true;
        } else {
            kept.push(paragraph.trim_matches('\n'));
        }
    }
    if !found {
        return Err(fail(format!(
            "{}: no package {name}",
            status_path.display()
        )));
    }
    let mut new_status = kept.join("\n\n");
    new_status.push('\n');
    io(
        status_path.display(),
        std::fs::write(&status_path, new_status),
    )?;

    let info = admindir.join("info");
    let list = info.join(format!("{name}.list"));
    let text = io(list.display(), std::fs::read_to_string(&list))?;
    let mut removed = Vec::new();
    for line in text.lines() {
        let rel = line.trim_start_matches('/');
        if rel.is_empty() || rel == "." {
            continue;
        }
        let path = root.join(rel);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() || !inside(root, &path) {
            continue;
        }
        io(path.display(), std::fs::remove_file(&path))?;
        removed.push(image_path(root, &path));
    }
    for entry in io(info.display(), std::fs::read_dir(&info))? {
        let path = io(info.display(), entry)?.path();
        let file_name = path.file_name().and_then(OsStr::to_str).unwrap_or("");
        let stem = file_name.rsplit_once('.').map_or("", |(s, _)| s);
        if stem == name || stem == format!("{name}:amd64") || stem == format!("{name}:arm64") {
            io(path.display(), std::fs::remove_file(&path))?;
        }
    }
    Ok(removed)
}

/// Whether `path`'s parent folder, links resolved, is still inside `root` (the merged-/usr
/// links `bin -> usr/bin` are relative, so `/bin/x` resolves inside the root).
fn inside(root: &Path, path: &Path) -> bool {
    let (Ok(root), Some(Ok(parent))) = (root.canonicalize(), path.parent().map(Path::canonicalize))
    else {
        return false;
    };
    parent.starts_with(root)
}

/// `path` as the image sees it: resolved parent, relative to the root.
fn image_path(root: &Path, path: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let parent = path
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .unwrap_or_default();
    let name = path.file_name().unwrap_or_default();
    parent
        .join(name)
        .strip_prefix(&root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}

fn build_multi(work: &Path, os_release: &str) -> Result<Index> {
    let rootless = rootless();
    let layout = work.join("multi");
    let layout_s = layout.display().to_string();
    run(&mut umoci(&["init", "--layout", &layout_s]))?;
    let mut platforms = Vec::new();
    let mut entries = Vec::new();
    for architecture in PLATFORMS {
        let image = format!("{layout_s}:{architecture}");
        run(&mut umoci(&["new", "--image", &image]))?;
        run(&mut umoci(&[
            "config",
            "--image",
            &image,
            "--os",
            "linux",
            "--architecture",
            architecture,
        ]))?;
        let src = work.join(format!("multi-src-{architecture}"));
        let marker = format!("linux/{architecture}\n");
        io(src.display(), std::fs::create_dir_all(src.join("etc")))?;
        io(
            "vouch-platform",
            std::fs::write(src.join("etc/vouch-platform"), &marker),
        )?;
        io(
            "os-release",
            std::fs::write(src.join("etc/os-release"), os_release),
        )?;
        let mut insert = umoci(&["insert", "--image", &image]);
        if rootless {
            insert.arg("--rootless");
        }
        insert.arg(src.join("etc")).arg("/etc");
        run(&mut insert)?;
        let _ = std::fs::remove_dir_all(&src);
        let (digest, manifest) = tagged_manifest(&layout, architecture)?;
        let size = io("manifest", std::fs::metadata(blob_path(&layout, &digest)?))?.len();
        let config: Value = read_blob_json(
            &layout,
            manifest["config"]["digest"].as_str().unwrap_or_default(),
        )?;
        if config["architecture"] != *architecture {
            return Err(fail(format!(
                "umoci config --architecture {architecture} wrote {}",
                config["architecture"]
            )));
        }
        entries.push(json!({
            "mediaType": OCI_MANIFEST,
            "digest": digest,
            "size": size,
            "platform": {"architecture": architecture, "os": "linux"},
        }));
        platforms.push(Platform {
            os: "linux".to_owned(),
            architecture: (*architecture).to_owned(),
            manifest_digest: digest,
            marker,
        });
    }
    // The image index, by hand, over the two manifests umoci wrote.
    let index_bytes = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": entries,
    }))
    .map_err(|e| fail(format!("index JSON: {e}")))?;
    let index_digest = sha256(&index_bytes);
    io(
        "index blob",
        std::fs::write(blob_path(&layout, &index_digest)?, &index_bytes),
    )?;
    let index_json = layout.join("index.json");
    let mut top = read_json(&index_json)?;
    let manifests = top["manifests"]
        .as_array_mut()
        .ok_or_else(|| fail("index.json without manifests"))?;
    manifests.push(json!({
        "mediaType": OCI_INDEX,
        "digest": index_digest,
        "size": index_bytes.len(),
        "annotations": {"org.opencontainers.image.ref.name": MULTI_TAG},
    }));
    io(
        index_json.display(),
        std::fs::write(
            &index_json,
            serde_json::to_vec(&top).map_err(|e| fail(e.to_string()))?,
        ),
    )?;
    let oci_archive = work.join("multi.oci.tar");
    run(skopeo().args([
        "copy",
        "--quiet",
        "--all",
        &format!("oci:{layout_s}:{MULTI_TAG}"),
        &format!("oci-archive:{}:{MULTI_TAG}", oci_archive.display()),
    ]))?;
    Ok(Index {
        layout,
        oci_archive,
        index_digest,
        platforms,
    })
}

/// `skopeo inspect --raw` of `reference` (any transport skopeo reads), parsed.
pub fn inspect_raw(reference: &str) -> Value {
    let output = run(skopeo().args(["inspect", "--raw", reference]))
        .unwrap_or_else(|e| panic!("skopeo inspect --raw {reference}: {e}"));
    serde_json::from_slice(&output.stdout).expect("skopeo inspect --raw prints JSON")
}

/// `skopeo inspect` of `reference` (its summary: `Digest`, `Layers`, `Architecture`…), parsed.
pub fn inspect(reference: &str) -> Value {
    let output = run(skopeo().args(["inspect", reference]))
        .unwrap_or_else(|e| panic!("skopeo inspect {reference}: {e}"));
    serde_json::from_slice(&output.stdout).expect("skopeo inspect prints JSON")
}

/// The layers of a `docker-archive:` file in order, from its `manifest.json` (`Layers` paths),
/// as `sha256:` digests of their uncompressed bytes: the image's diff_ids.
pub fn docker_archive_diff_ids(archive: &Path) -> Vec<String> {
    let output = run(Command::new("tar")
        .arg("-xOf")
        .arg(archive)
        .arg("manifest.json"))
    .unwrap_or_else(|e| panic!("read manifest.json of {}: {e}", archive.display()));
    let manifest: Value = serde_json::from_slice(&output.stdout).expect("manifest.json");
    let config = manifest[0]["Config"].as_str().expect("Config").to_owned();
    let output = run(Command::new("tar").arg("-xOf").arg(archive).arg(&config))
        .unwrap_or_else(|e| panic!("read {config} of {}: {e}", archive.display()));
    let config: Value = serde_json::from_slice(&output.stdout).expect("config JSON");
    config["rootfs"]["diff_ids"]
        .as_array()
        .expect("diff_ids")
        .iter()
        .map(|v| v.as_str().expect("diff_id").to_owned())
        .collect()
}
