//! `vouch package`: the same tree copied with other mtimes, modes, creation order, parent path,
//! TZ, locale and umask gives a byte-identical layout and the same digest; the golden digest
//! of the fixture tree; `SOURCE_DATE_EPOCH` changes it; the layout is read by vouch's own
//! image reader, by skopeo and umoci, and pushed to a registry; every refusal with its message
//! and exit 2. Fixtures: tests/fixtures/package (SOURCES.md).

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use common::{assert_exit, vouch};

/// The manifest digest of the fixture tree (plus the test's script and link) packaged with
/// `SOURCE_DATE_EPOCH=1700000000 --entrypoint /usr/local/bin/hello --env LANG=C.UTF-8
/// --label org.opencontainers.image.title=demo --platform linux/amd64`. Any change of bytes
/// (tar headers, the compressor or its version, the JSON) changes it: that is the point.
const GOLDEN: &str = "sha256:1cd396fa212363a1ef22724b8e6fe98baece5699007ebd1343d99152691d1968";

/// The alpine base layout of vouch-oci's fixtures and its manifest digest.
const ALPINE: &str = "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0";

fn fixture_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/package/tree")
}

fn alpine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vouch-oci/tests/fixtures/alpine-layout")
}

/// How a copy of the fixture tree is made.
struct Variant {
    /// Mode of plain files and of directories (the script gets the x bits of `dir_mode`).
    file_mode: u32,
    dir_mode: u32,
    /// Create files in reverse order.
    reverse: bool,
    /// mtime of every file and directory.
    mtime: SystemTime,
    /// Store `srv/foo-copy.tar.gz` as a hard link to `srv/foo.tar.gz` instead of a copy.
    hard_link: bool,
}

const HELLO: &str = "#!/bin/sh\necho hello\n";

/// Copies the fixture tree into `dst` by `v`, adds an executable script and a symbolic link.
fn copy_tree(dst: &Path, v: &Variant) {
    let mut files = Vec::new();
    collect(&fixture_tree(), "", &mut files);
    files.push(("usr/local/bin/hello".to_owned(), HELLO.as_bytes().to_vec()));
    files.push((
        "srv/foo-copy.tar.gz".to_owned(),
        std::fs::read(fixture_tree().join("srv/foo.tar.gz")).unwrap(),
    ));
    if v.reverse {
        files.reverse();
    }
    for (rel, bytes) in &files {
        let path = dst.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if rel == "srv/foo-copy.tar.gz" && v.hard_link {
            let original = dst.join("srv/foo.tar.gz");
            if !original.exists() {
                std::fs::write(
                    &original,
                    &files.iter().find(|f| f.0 == "srv/foo.tar.gz").unwrap().1,
                )
                .unwrap();
            }
            std::fs::hard_link(&original, &path).unwrap();
            continue;
        }
        if path.exists() {
            continue;
        }
        std::fs::write(&path, bytes).unwrap();
    }
    // An empty directory is kept.
    std::fs::create_dir_all(dst.join("tmp")).unwrap();
    std::os::unix::fs::symlink(
        "../share/in-toto/demo.layout.template",
        dst.join("usr/local/layout"),
    )
    .unwrap();
    // Modes and times last, leaves first (a directory's mtime moves when it is written into).
    let mut all = Vec::new();
    walk_all(dst, &mut all);
    all.sort();
    all.reverse();
    for p in all {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.file_type().is_symlink() {
            continue;
        }
        let mode = if meta.is_dir() || p.ends_with("usr/local/bin/hello") {
            v.dir_mode
        } else {
            v.file_mode
        };
        let f = std::fs::File::open(&p).unwrap();
        f.set_modified(v.mtime).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    names.sort_by_key(|e| e.file_name());
    for e in names {
        let rel = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            collect(&e.path(), &format!("{rel}/"), out);
        } else {
            out.push((rel, std::fs::read(e.path()).unwrap()));
        }
    }
}

fn walk_all(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        out.push(e.path());
        if e.file_type().unwrap().is_dir() {
            walk_all(&e.path(), out);
        }
    }
}

/// Every file under `dir`, relative path → bytes.
fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut v = Vec::new();
    collect(dir, "", &mut v);
    v.into_iter().collect()
}

fn golden_args(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.args([
        "--entrypoint",
        "/usr/local/bin/hello",
        "--env",
        "LANG=C.UTF-8",
        "--label",
        "org.opencontainers.image.title=demo",
        "--platform",
        "linux/amd64",
    ])
}

/// `vouch package DIR -o OUTPUT` with the golden flags, under `umask`, with extra env.
fn package(dir: &Path, output: &str, umask: &str, env: &[(&str, &str)]) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("vouch");
    // The hermetic environment of `vouch()`, but through `sh` to set the umask.
    let mut sh = assert_cmd::Command::new("sh");
    sh.env_clear();
    for key in ["PATH", "HOME", "TMPDIR"] {
        if let Some(v) = std::env::var_os(key) {
            sh.env(key, v);
        }
    }
    sh.env("SOURCE_DATE_EPOCH", "1700000000");
    for (k, v) in env {
        sh.env(k, v);
    }
    sh.arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(bin)
        .arg("package")
        .arg(dir)
        .arg("-o")
        .arg(output);
    golden_args(&mut sh);
    sh.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn first() -> Variant {
    Variant {
        file_mode: 0o644,
        dir_mode: 0o755,
        reverse: false,
        mtime: SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000),
        hard_link: false,
    }
}

fn second() -> Variant {
    Variant {
        file_mode: 0o600,
        dir_mode: 0o700,
        reverse: true,
        // A time unlike the first copy's and the epoch's (2031).
        mtime: SystemTime::UNIX_EPOCH + Duration::from_secs(1_950_000_123),
        hard_link: true,
    }
}

#[test]
fn the_same_tree_copied_differently_gives_a_byte_identical_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("some/other/parent/b");
    copy_tree(&a, &first());
    copy_tree(&b, &second());

    let out_a = tmp.path().join("out-a");
    let out_b = tmp.path().join("deeper/out-b");
    let ra = package(
        &a,
        &format!("oci-dir:{}", out_a.display()),
        "022",
        &[("TZ", "UTC"), ("LC_ALL", "C"), ("LANG", "C")],
    );
    assert_exit(&ra, 0);
    std::fs::create_dir_all(tmp.path().join("deeper")).unwrap();
    let rb = package(
        &b,
        &format!("oci-dir:{}", out_b.display()),
        "077",
        &[
            ("TZ", "Pacific/Kiritimati"),
            ("LC_ALL", "tr_TR.UTF-8"),
            ("LANG", "de_DE.UTF-8"),
        ],
    );
    assert_exit(&rb, 0);
    assert_eq!(stdout(&ra), stdout(&rb));
    assert!(stdout(&ra).starts_with("sha256:"), "{}", stdout(&ra));
    let (fa, fb) = (files_of(&out_a), files_of(&out_b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(fb[k] == *v, "{k} differs");
    }
    // Five files: oci-layout, index.json, the layer, the config, the manifest.
    assert_eq!(fa.len(), 5, "{:?}", fa.keys());

    // The oci-archive form is as deterministic.
    let (ta, tb) = (tmp.path().join("a.tar"), tmp.path().join("b.tar"));
    let ra = package(&a, &format!("oci-archive:{}", ta.display()), "022", &[]);
    let rb = package(&b, &format!("oci-archive:{}", tb.display()), "077", &[]);
    assert_exit(&ra, 0);
    assert_exit(&rb, 0);
    assert_eq!(stdout(&ra), stdout(&rb));
    assert!(std::fs::read(&ta).unwrap() == std::fs::read(&tb).unwrap());
}

#[test]
fn golden_digest_of_the_fixture_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &first());
    let out = package(
        &dir,
        &format!("oci-dir:{}", tmp.path().join("out").display()),
        "022",
        &[],
    );
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), format!("{GOLDEN}\n"));
}

#[test]
fn source_date_epoch_changes_the_digest_and_unset_is_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &first());
    let run = |name: &str, epoch: Option<&str>| {
        let mut cmd = vouch();
        cmd.env_remove("SOURCE_DATE_EPOCH");
        if let Some(e) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", e);
        }
        cmd.arg("package")
            .arg(&dir)
            .arg("-o")
            .arg(format!("oci-dir:{}", tmp.path().join(name).display()));
        let out = cmd.output().unwrap();
        assert_exit(&out, 0);
        stdout(&out)
    };
    let unset = run("unset", None);
    let zero = run("zero", Some("0"));
    let later = run("later", Some("1700000001"));
    assert_eq!(unset, zero);
    assert_ne!(zero, later);
    let config = config_of(&tmp.path().join("later"));
    assert_eq!(config["created"], "2023-11-14T22:13:21Z");
    assert_eq!(config["config"]["User"], "65532:65532");
    assert_eq!(
        config["history"],
        serde_json::json!([{"created_by": "vouch package"}])
    );
}

/// The config document of the only image of a layout.
fn config_of(layout: &Path) -> serde_json::Value {
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let blob = |d: &str| {
        layout
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(blob(index["manifests"][0]["digest"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    serde_json::from_slice(
        &std::fs::read(blob(manifest["config"]["digest"].as_str().unwrap())).unwrap(),
    )
    .unwrap()
}

#[test]
fn vouch_reads_what_it_wrote_and_the_base_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &first());
    let out_dir = tmp.path().join("img");
    let out = vouch()
        .arg("package")
        .arg(&dir)
        .arg("-o")
        .arg(format!("oci-dir:{}:v1", out_dir.display()))
        .arg("--base")
        .arg(format!("oci-dir:{}@{ALPINE}", alpine().display()))
        .args([
            "--env",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "--user",
            "1000:1000",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("over 1 base layers"),
        "{}",
        stderr(&out)
    );
    let config = config_of(&out_dir);
    assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);
    assert_eq!(config["config"]["User"], "1000:1000");
    assert_eq!(
        config["config"]["Env"],
        serde_json::json!(["PATH=/usr/local/bin:/usr/bin:/bin"])
    );
    // alpine's own history entry stays, with its timestamp; vouch's has none.
    let history = config["history"].as_array().unwrap();
    assert!(history[0].get("created").is_some());
    assert_eq!(
        history.last().unwrap(),
        &serde_json::json!({"created_by": "vouch package"})
    );
    // vouch's image reader: alpine's packages from the base layer, by tag.
    let sbom = vouch()
        .args(["sbom", "--format", "cyclonedx-json"])
        .arg(format!("oci-dir:{}:v1", out_dir.display()))
        .output()
        .unwrap();
    assert_exit(&sbom, 0);
    let text = stdout(&sbom);
    assert!(text.contains("pkg:apk/alpine/musl@"), "{text}");
    // And through the archive form.
    let tar = tmp.path().join("img.tar");
    let out = vouch()
        .arg("package")
        .arg(&dir)
        .arg("-o")
        .arg(format!("oci-archive:{}", tar.display()))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let sbom = vouch()
        .args(["sbom", "--format", "cyclonedx-json"])
        .arg(format!("oci-archive:{}", tar.display()))
        .output()
        .unwrap();
    assert_exit(&sbom, 0);
}

/// skopeo (and umoci) read the layout: inspect, copy to another layout with the same digest,
/// unpack with the normalised modes and the link kept.
#[test]
fn skopeo_and_umoci_read_the_layout() {
    for tool in ["skopeo", "umoci"] {
        assert!(
            std::process::Command::new(tool)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success()),
            "{tool} is missing: run scripts/test-setup.d/package.sh"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &second());
    let layout = tmp.path().join("img");
    let out = package(
        &dir,
        &format!("oci-dir:{}:v1", layout.display()),
        "022",
        &[],
    );
    assert_exit(&out, 0);
    let digest = stdout(&out).trim().to_owned();
    let inspect = std::process::Command::new("skopeo")
        .arg("inspect")
        .arg(format!("oci:{}:v1", layout.display()))
        .output()
        .unwrap();
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    let v: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(v["Digest"], digest.as_str());
    assert_eq!(v["Created"], "2023-11-14T22:13:20Z");
    assert_eq!(v["Labels"]["org.opencontainers.image.title"], "demo");
    let other = tmp.path().join("other");
    let copy = std::process::Command::new("skopeo")
        .arg("copy")
        .arg(format!("oci:{}:v1", layout.display()))
        .arg(format!("oci:{}:v1", other.display()))
        .output()
        .unwrap();
    assert!(copy.status.success(), "{}", stderr(&copy));
    let again = vouch()
        .args(["sbom", "--format", "cyclonedx-json"])
        .arg(format!("oci-dir:{}:v1", other.display()))
        .output()
        .unwrap();
    assert_exit(&again, 0);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(other.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"][0]["digest"], digest.as_str());

    let bundle = tmp.path().join("bundle");
    let unpack = std::process::Command::new("umoci")
        .args(["unpack", "--rootless", "--image"])
        .arg(format!("{}:v1", layout.display()))
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(unpack.status.success(), "{}", stderr(&unpack));
    let rootfs = bundle.join("rootfs");
    let mode = |rel: &str| {
        std::fs::symlink_metadata(rootfs.join(rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    // The copy was made with 0600/0700: the layer says 0644/0755.
    assert_eq!(mode("etc/in-toto/alice.pub"), 0o644);
    assert_eq!(mode("usr/local/bin/hello"), 0o755);
    assert_eq!(mode("usr/share/in-toto"), 0o755);
    assert!(rootfs.join("tmp").is_dir());
    assert_eq!(
        std::fs::read_link(rootfs.join("usr/local/layout")).unwrap(),
        Path::new("../share/in-toto/demo.layout.template")
    );
    // The hard link was stored as a second file with the same bytes.
    assert_eq!(
        std::fs::read(rootfs.join("srv/foo-copy.tar.gz")).unwrap(),
        std::fs::read(rootfs.join("srv/foo.tar.gz")).unwrap()
    );
}

/// Pushed to Debian's docker-registry with skopeo, the registry serves the same digest.
#[test]
fn pushed_to_a_registry_the_digest_stays() {
    let registry = vouch_test::registry::Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &first());
    let layout = tmp.path().join("img");
    let out = package(
        &dir,
        &format!("oci-dir:{}:v1", layout.display()),
        "022",
        &[],
    );
    assert_exit(&out, 0);
    let digest = stdout(&out).trim().to_owned();
    let target = format!("docker://{}/vouch/package:v1", registry.host());
    let copy = std::process::Command::new("skopeo")
        .args(["copy", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:v1", layout.display()))
        .arg(&target)
        .output()
        .unwrap();
    assert!(copy.status.success(), "{}", stderr(&copy));
    let sbom = vouch()
        .args(["sbom", "--format", "cyclonedx-json", "--insecure-registry"])
        .arg(registry.host())
        .arg(format!(
            "registry:{}/vouch/package@{digest}",
            registry.host()
        ))
        .output()
        .unwrap();
    assert_exit(&sbom, 0);
}

#[test]
fn two_runs_into_one_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &first());
    let out_dir = tmp.path().join("img");
    let run = || {
        vouch()
            .arg("package")
            .arg(&dir)
            .arg("-o")
            .arg(format!("oci-dir:{}", out_dir.display()))
            .output()
            .unwrap()
    };
    assert_exit(&run(), 0);
    let again = run();
    assert_exit(&again, 2);
    assert_eq!(
        stderr(&again),
        format!(
            "error: {}: already exists and is not empty (vouch package writes a new layout)\n",
            out_dir.display()
        )
    );
}

/// Runs `vouch package` with `args` after DIR and `-o`, expecting exit 2 and `message` as the
/// whole stderr.
fn refused(dir: &Path, output: &str, args: &[&str], message: &str) {
    let out = vouch()
        .arg("package")
        .arg(dir)
        .arg("-o")
        .arg(output)
        .args(args)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(stderr(&out), message);
    assert!(out.stdout.is_empty());
}

#[test]
fn refusals_exit_2_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &first());
    let o = format!("oci-dir:{}", tmp.path().join("out").display());

    // Special files, each named.
    let special = tmp.path().join("special");
    std::fs::create_dir_all(special.join("run")).unwrap();
    std::fs::write(special.join("a"), "x").unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(special.join("run/sock")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(special.join("run/fifo"))
        .status()
        .unwrap();
    assert!(fifo.success());
    refused(
        &special,
        &o,
        &[],
        &format!(
            "error: {}: devices, FIFOs and sockets cannot be packaged: run/fifo (FIFO), run/sock (socket)\n",
            special.display()
        ),
    );

    refused(
        &dir,
        &o,
        &["--user", "nonroot"],
        "error: --user: `nonroot` is not UID:GID (two numbers from 0 to 2097151)\n",
    );
    refused(
        &dir,
        &o,
        &["--owner", "0:-1"],
        "error: --owner: `0:-1` is not UID:GID (two numbers from 0 to 2097151)\n",
    );
    let by_tag = format!("oci-dir:{}:v2", alpine().display());
    refused(
        &dir,
        &o,
        &["--base", &by_tag],
        &format!(
            "error: --base `{by_tag}`: name the base image by digest, oci-dir:PATH@sha256:…\n"
        ),
    );
    let missing = tmp.path().join("missing");
    refused(
        &missing,
        &o,
        &[],
        &format!(
            "error: cannot read {}\n  caused by: No such file or directory (os error 2)\n",
            missing.display()
        ),
    );
    refused(
        &dir,
        "registry:example.com/a:b",
        &[],
        "error: -o `registry:example.com/a:b`: expected oci-dir:OUT[:TAG] or oci-archive:FILE[:TAG], not registry\n",
    );
    refused(
        &dir,
        &o,
        &["--env", "=x"],
        "error: --env `=x`: expected K=V with a non-empty name\n",
    );
    refused(
        &dir,
        &o,
        &["--platform", "linux"],
        "error: --platform: `linux` is not os/arch[/variant]\n",
    );
    let out = vouch()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .arg("package")
        .arg(&dir)
        .arg("-o")
        .arg(&o)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        "error: SOURCE_DATE_EPOCH `yesterday` is not a whole number of seconds since 1970\n  caused by: invalid digit found in string\n"
    );
    // Nothing was written by any refusal.
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn base_digest_mismatches_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &first());
    let o = format!("oci-dir:{}", tmp.path().join("out").display());
    // A digest the layout does not hold.
    let absent = format!("sha256:{}", "0".repeat(64));
    let arg = format!("oci-dir:{}@{absent}", alpine().display());
    let out = vouch()
        .arg("package")
        .arg(&dir)
        .args(["-o", &o, "--base", &arg])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let blob = alpine().join("blobs/sha256").join("0".repeat(64));
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot read the base manifest {absent}\n  caused by: could not open {}\n  caused by: No such file or directory (os error 2)\n",
            blob.display()
        )
    );
    // A copy of the layout whose manifest blob was changed.
    let copy = tmp.path().join("alpine");
    common::copy_dir(&alpine(), &copy);
    let manifest = copy
        .join("blobs/sha256")
        .join(ALPINE.trim_start_matches("sha256:"));
    let mut bytes = std::fs::read(&manifest).unwrap();
    bytes.push(b'\n');
    std::fs::write(&manifest, &bytes).unwrap();
    let actual = vouch_test::registry::sha256(&bytes);
    let arg = format!("oci-dir:{}@{ALPINE}", copy.display());
    let out = vouch()
        .arg("package")
        .arg(&dir)
        .args(["-o", &o, "--base", &arg])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error: base image manifest: digest mismatch: expected {ALPINE}, the content hashes to {actual}\n"
        )
    );
    // A base asked for another platform.
    let arg = format!("oci-dir:{}@{ALPINE}", alpine().display());
    let out = vouch()
        .arg("package")
        .arg(&dir)
        .args(["-o", &o, "--base", &arg, "--platform", "linux/arm64"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error: could not package {}\n  caused by: the base image is linux/amd64, but the platform asked for is linux/arm64\n",
            dir.display()
        )
    );
    assert!(!tmp.path().join("out").exists());
}

/// `--owner`, `--cmd` and `--workdir` reach the layer and the config; a relative workdir is
/// refused.
#[test]
fn owner_cmd_and_workdir_reach_the_image() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tree");
    copy_tree(&dir, &first());
    let layout = tmp.path().join("img");
    let out = vouch()
        .arg("package")
        .arg(&dir)
        .arg("-o")
        .arg(format!("oci-dir:{}", layout.display()))
        .args(["--owner", "1000:2000", "--cmd", "--help", "--cmd", "-v"])
        .args(["--workdir", "/srv", "--user", "0:0"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let config = config_of(&layout);
    assert_eq!(config["config"]["Cmd"], serde_json::json!(["--help", "-v"]));
    assert_eq!(config["config"]["WorkingDir"], "/srv");
    assert_eq!(config["config"]["User"], "0:0");
    assert!(config["config"].get("Entrypoint").is_none());
    // Every entry of the layer is owned by 1000:2000, with the epoch as mtime.
    let diff_id = config["rootfs"]["diff_ids"][0].as_str().unwrap().to_owned();
    let mut owners = std::collections::BTreeSet::new();
    for blob in std::fs::read_dir(layout.join("blobs/sha256")).unwrap() {
        let bytes = std::fs::read(blob.unwrap().path()).unwrap();
        if !bytes.starts_with(&[0x1f, 0x8b]) {
            continue;
        }
        let mut tar_bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&bytes[..]),
            &mut tar_bytes,
        )
        .unwrap();
        assert_eq!(vouch_test::registry::sha256(&tar_bytes), diff_id);
        let mut archive = tar::Archive::new(&tar_bytes[..]);
        for e in archive.entries().unwrap() {
            let e = e.unwrap();
            let h = e.header();
            owners.insert((h.uid().unwrap(), h.gid().unwrap(), h.mtime().unwrap()));
            assert!(h.username().unwrap().unwrap_or("").is_empty());
        }
    }
    assert_eq!(owners, [(1000, 2000, 1_700_000_000)].into());
    refused(
        &dir,
        &format!("oci-dir:{}", tmp.path().join("other").display()),
        &["--workdir", "srv"],
        "error: --workdir `srv`: expected an absolute path\n",
    );
}
