//! The real test images of `vouch_test::images`: they exist, skopeo and umoci read every copy,
//! the ground truth is non-empty per type and lacks what layer 3 whited out, and they push to
//! a real registry. The ground-truth readers refuse malformed input with an exact reason.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use vouch_test::images::{
    self, BASE_TAG, BuildError, DOCKER_ARCHIVE_NAME, MULTI_TAG, Package, REMOVED_DPKG,
    REMOVED_PYTHON, TruthError,
};
use vouch_test::registry::Registry;

fn names(set: &BTreeSet<Package>) -> BTreeSet<&str> {
    set.iter().map(|p| p.name.as_str()).collect()
}

fn layer_media_types(manifest: &Value) -> Vec<&str> {
    manifest["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["mediaType"].as_str().expect("mediaType"))
        .collect()
}

#[test]
fn every_copy_of_the_base_image_is_a_valid_three_layer_image() {
    let base = &images::images().base;
    let gzip = format!("oci:{}:{BASE_TAG}", base.layout.display());
    let zstd = format!("oci:{}:{BASE_TAG}", base.zstd_layout.display());
    let oci_archive = format!("oci-archive:{}:{BASE_TAG}", base.oci_archive.display());
    let docker_archive = format!("docker-archive:{}", base.docker_archive.display());

    let summary = images::inspect(&gzip);
    assert_eq!(summary["Digest"], base.manifest_digest.as_str());
    assert_eq!(summary["Os"], "linux");
    let layers: Vec<&str> = summary["Layers"]
        .as_array()
        .expect("Layers")
        .iter()
        .map(|l| l.as_str().expect("layer digest"))
        .collect();
    let expected: Vec<&str> = base.layers.iter().map(|l| l.digest.as_str()).collect();
    assert_eq!(layers, expected);

    let manifest = images::inspect_raw(&gzip);
    // umoci 0.4 leaves out the manifest's optional `mediaType` (readers must not require it);
    // the layout's index.json descriptor carries it.
    assert_eq!(manifest["schemaVersion"], 2);
    assert!(
        manifest["mediaType"].is_null()
            || manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json",
        "{}",
        manifest["mediaType"]
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.oci.image.config.v1+json"
    );
    assert_eq!(manifest["config"]["digest"], base.config_digest.as_str());
    assert_eq!(
        layer_media_types(&manifest),
        ["application/vnd.oci.image.layer.v1.tar+gzip"; 3]
    );
    let zstd_manifest = images::inspect_raw(&zstd);
    assert_eq!(
        layer_media_types(&zstd_manifest),
        ["application/vnd.oci.image.layer.v1.tar+zstd"; 3]
    );
    assert_eq!(
        images::inspect(&zstd)["Digest"],
        base.zstd_manifest_digest.as_str()
    );
    assert_ne!(base.zstd_manifest_digest, base.manifest_digest);

    // The archives hold the same image: same manifest in the OCI archive, same diff_ids in
    // Docker's format.
    assert_eq!(
        images::inspect(&oci_archive)["Digest"],
        base.manifest_digest.as_str()
    );
    let diff_ids: Vec<String> = base.layers.iter().map(|l| l.diff_id.clone()).collect();
    assert_eq!(
        images::docker_archive_diff_ids(&base.docker_archive),
        diff_ids
    );
    let docker = images::inspect_raw(&docker_archive);
    assert_eq!(
        docker["mediaType"],
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(docker["layers"].as_array().map(Vec::len), Some(3));
    let repo_tags = Command::new("tar")
        .arg("-xOf")
        .arg(&base.docker_archive)
        .arg("manifest.json")
        .output()
        .expect("tar");
    let repo_tags: Value = serde_json::from_slice(&repo_tags.stdout).expect("manifest.json");
    // skopeo 1.9 records the normalised name (`docker save` writes it as given).
    let recorded = repo_tags[0]["RepoTags"][0].as_str().expect("RepoTags");
    assert!(
        recorded == DOCKER_ARCHIVE_NAME || recorded == format!("docker.io/{DOCKER_ARCHIVE_NAME}"),
        "{recorded}"
    );

    // umoci reads the layout back, with one history entry per layer (and `umoci config`'s
    // entry marked `empty_layer`).
    let stat = Command::new("umoci")
        .args([
            "stat",
            "--json",
            "--image",
            &format!("{}:{BASE_TAG}", base.layout.display()),
        ])
        .output()
        .expect("umoci stat");
    assert!(
        stat.status.success(),
        "{}",
        String::from_utf8_lossy(&stat.stderr)
    );
    let stat: Value = serde_json::from_slice(&stat.stdout).expect("umoci stat --json");
    let created_by: Vec<&str> = stat["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|h| h["empty_layer"] != true)
        .filter_map(|h| h["created_by"].as_str())
        .collect();
    let expected: Vec<&str> = base.layers.iter().map(|l| l.created_by.as_str()).collect();
    assert_eq!(created_by, expected);
    assert!(
        base.os_release.contains("VERSION_CODENAME=bookworm"),
        "{}",
        base.os_release
    );
}

#[test]
fn ground_truth_per_type_lacks_what_layer_three_whited_out() {
    let base = &images::images().base;
    let truth = &base.truth;
    let dpkg = names(&truth.dpkg);
    let python = names(&truth.python);
    let npm = names(&truth.npm);
    for expected in ["libc6", "dpkg", "bash", "base-files"] {
        assert!(dpkg.contains(expected), "dpkg lacks {expected}: {dpkg:?}");
    }
    for expected in [
        "requests",
        "certifi",
        "idna",
        "urllib3",
        "charset-normalizer",
    ] {
        assert!(
            python.contains(expected),
            "python lacks {expected}: {python:?}"
        );
    }
    for expected in ["express", "lodash", "body-parser", "accepts"] {
        assert!(npm.contains(expected), "npm lacks {expected}: {npm:?}");
    }
    assert!(truth.dpkg.len() > 60, "{} dpkg packages", truth.dpkg.len());
    assert!(truth.npm.len() > 50, "{} npm packages", truth.npm.len());
    assert!(truth.python.contains(&Package {
        name: "requests".into(),
        version: "2.32.3".into()
    }));
    assert!(truth.npm.contains(&Package {
        name: "express".into(),
        version: "4.21.2".into()
    }));

    // The whited-out packages are gone, and were there before.
    assert!(
        !dpkg.contains(REMOVED_DPKG),
        "{REMOVED_DPKG} still installed"
    );
    assert!(
        !python.contains(REMOVED_PYTHON),
        "{REMOVED_PYTHON} still installed"
    );
    assert_eq!(base.removed_python.name, REMOVED_PYTHON);
    assert_eq!(base.removed_python.version, "1.16.0");
    assert_eq!(base.removed_dpkg.name, REMOVED_DPKG);

    // Per layer: what each introduced and removed.
    let [l1, l2, l3] = &base.layers[..] else {
        panic!("{} layers", base.layers.len());
    };
    assert_eq!(l1.introduced.dpkg, l1.present.dpkg);
    assert!(l1.present.python.is_empty() && l1.present.npm.is_empty());
    assert!(l1.removed.is_empty());
    assert!(l1.present.dpkg.contains(&base.removed_dpkg));
    assert!(l2.introduced.dpkg.is_empty());
    assert_eq!(l2.introduced.python, l2.present.python);
    assert_eq!(l2.introduced.npm, l2.present.npm);
    assert!(l2.present.python.contains(&base.removed_python));
    assert!(l2.removed.is_empty());
    assert!(l3.introduced.is_empty(), "{:?}", l3.introduced);
    assert_eq!(l3.removed.dpkg, BTreeSet::from([base.removed_dpkg.clone()]));
    assert_eq!(
        l3.removed.python,
        BTreeSet::from([base.removed_python.clone()])
    );
    assert!(l3.removed.npm.is_empty());
    assert_eq!(&l3.present, truth);
    let diff_ids: BTreeSet<&str> = base.layers.iter().map(|l| l.diff_id.as_str()).collect();
    assert_eq!(diff_ids.len(), 3, "three distinct layers");
}

/// `tar -t` of a gzip layer blob of the base layout.
fn layer_entries(layout: &Path, digest: &str) -> Vec<String> {
    let blob = layout
        .join("blobs/sha256")
        .join(digest.strip_prefix("sha256:").expect("sha256"));
    let out = Command::new("tar")
        .arg("-tzf")
        .arg(&blob)
        .output()
        .expect("tar");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_start_matches("./").trim_end_matches('/').to_owned())
        .collect()
}

#[test]
fn layer_three_holds_a_whiteout_for_every_removed_file() {
    let base = &images::images().base;
    let entries = layer_entries(&base.layout, &base.layers[2].digest);
    let whiteouts: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.rsplit('/').next().is_some_and(|n| n.starts_with(".wh.")))
        .map(|e| match e.rsplit_once('/') {
            Some((dir, name)) => format!("{dir}/{}", &name[4..]),
            None => e[4..].to_owned(),
        })
        .collect();
    assert!(!base.removed_files.is_empty());
    assert!(
        base.removed_files
            .iter()
            .any(|f| f.starts_with("usr/sbin/")),
        "{REMOVED_DPKG} ships programs in /usr/sbin: {:?}",
        base.removed_files
    );
    for file in &base.removed_files {
        // The file's own whiteout, or that of a removed folder holding it.
        let covered = Path::new(file)
            .ancestors()
            .any(|a| whiteouts.contains(&a.display().to_string()));
        assert!(covered, "no whiteout for {file} in layer 3: {whiteouts:?}");
    }
    let dist_info = format!(
        "usr/lib/python3/dist-packages/{REMOVED_PYTHON}-{}.dist-info",
        base.removed_python.version
    );
    assert!(whiteouts.contains(&dist_info), "{whiteouts:?}");
    assert!(
        entries.iter().any(|e| e == "var/lib/dpkg/status"),
        "layer 3 rewrites the dpkg status"
    );
    assert!(
        !entries
            .iter()
            .any(|e| e.starts_with("usr/lib/python3/dist-packages/requests")),
        "layer 3 does not touch what stays"
    );
}

#[test]
fn multi_platform_index_names_two_platforms_over_real_manifests() {
    let multi = &images::images().multi;
    let reference = format!("oci:{}:{MULTI_TAG}", multi.layout.display());
    let index = images::inspect_raw(&reference);
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    let listed: Vec<(String, String)> = index["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .map(|m| {
            (
                m["platform"]["architecture"]
                    .as_str()
                    .expect("arch")
                    .to_owned(),
                m["digest"].as_str().expect("digest").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = multi
        .platforms
        .iter()
        .map(|p| (p.architecture.clone(), p.manifest_digest.clone()))
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        images::inspect_raw(&format!(
            "oci-archive:{}:{MULTI_TAG}",
            multi.oci_archive.display()
        )),
        index
    );
    // skopeo picks each platform's image out of the index (its summary keeps the digest it
    // was asked for, the index's).
    for platform in &multi.platforms {
        let own = images::inspect_raw(&format!(
            "oci:{}:{}",
            multi.layout.display(),
            platform.architecture
        ));
        let own_layers: Vec<&Value> = own["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .map(|l| &l["digest"])
            .collect();
        assert_eq!(own_layers.len(), 1);
        let out = Command::new("skopeo")
            .args([
                "--override-os",
                "linux",
                "--override-arch",
                &platform.architecture,
            ])
            .args(["inspect", &reference])
            .output()
            .expect("skopeo");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(summary["Architecture"], platform.architecture.as_str());
        assert_eq!(summary["Digest"], multi.index_digest.as_str());
        let layers: Vec<&Value> = summary["Layers"]
            .as_array()
            .expect("Layers")
            .iter()
            .collect();
        assert_eq!(layers, own_layers);
        assert_eq!(
            platform.marker,
            format!("linux/{}\n", platform.architecture)
        );
    }
}

#[test]
fn images_push_to_the_test_registry_unchanged() {
    let all = images::images();
    let registry = Registry::start();
    let digest = all.base.push(&registry, "vouch/base", "v1");
    assert_eq!(digest, all.base.manifest_digest);
    let remote = format!("docker://{}/vouch/base:v1", registry.host());
    let out = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", &remote])
        .output()
        .expect("skopeo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(summary["Digest"], all.base.manifest_digest.as_str());

    let index_digest = all.multi.push(&registry, "vouch/multi", "v1");
    assert_eq!(index_digest, all.multi.index_digest);
}

// ---- the ground-truth readers: failing inputs with their exact reason, then passing ones.

#[test]
fn metadata_without_version_is_refused_naming_the_header() {
    let path = Path::new("x-1.0.dist-info/METADATA");
    let err = images::metadata_package(path, "Metadata-Version: 2.1\nName: x\n\nVersion: 9\n")
        .expect_err("no Version before the body");
    assert!(matches!(
        err,
        TruthError::MissingHeader {
            field: "Version",
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "x-1.0.dist-info/METADATA: no `Version:` header, expected one before the first blank line"
    );
    let ok = images::metadata_package(path, "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n")
        .expect("valid headers");
    assert_eq!(
        ok,
        Package {
            name: "x".into(),
            version: "1.0".into()
        }
    );
}

#[test]
fn lockfile_version_one_is_refused() {
    let path = Path::new("app/package-lock.json");
    let err = images::npm_lock_packages(path, br#"{"lockfileVersion": 1, "dependencies": {}}"#)
        .expect_err("v1 has no packages map");
    assert!(matches!(err, TruthError::LockfileVersion { .. }));
    assert_eq!(
        err.to_string(),
        "app/package-lock.json: lockfileVersion 1, expected 2 or 3 (a `packages` map)"
    );
    let err = images::npm_lock_packages(
        path,
        br#"{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"resolved": "x"}}}"#,
    )
    .expect_err("entry without version");
    assert_eq!(
        err.to_string(),
        "app/package-lock.json: packages[\"node_modules/a\"] has no string `version`"
    );
    let ok = images::npm_lock_packages(
        path,
        br#"{"lockfileVersion": 3, "packages": {"": {"name": "app"},
            "node_modules/a": {"version": "1.0.0"},
            "node_modules/a/node_modules/@s/b": {"version": "2.0.0"},
            "node_modules/c": {"link": true, "resolved": "../c"}}}"#,
    )
    .expect("valid lockfile");
    let expected = BTreeSet::from([
        Package {
            name: "a".into(),
            version: "1.0.0".into(),
        },
        Package {
            name: "@s/b".into(),
            version: "2.0.0".into(),
        },
    ]);
    assert_eq!(ok, expected);
}

#[test]
fn dpkg_query_failure_is_an_error_not_an_empty_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("status"),
        "Package: broken\nthis is not a field\n",
    )
    .expect("write status");
    let err = images::dpkg_packages(dir.path()).expect_err("dpkg-query rejects the status");
    let TruthError::DpkgQuery {
        admindir, status, ..
    } = &err
    else {
        panic!("expected DpkgQuery, got {err:?}");
    };
    assert_eq!(admindir, dir.path());
    assert!(!status.success());
    assert!(
        err.to_string().starts_with(&format!(
            "dpkg-query --admindir {} exited with",
            dir.path().display()
        )),
        "{err}"
    );

    std::fs::write(
        dir.path().join("status"),
        "Package: a\nStatus: install ok installed\nVersion: 1:2.0-1\nArchitecture: amd64\n\n\
         Package: b\nStatus: deinstall ok config-files\nVersion: 3\nArchitecture: amd64\n",
    )
    .expect("write status");
    let ok = images::dpkg_packages(dir.path()).expect("valid status");
    assert_eq!(
        ok,
        BTreeSet::from([Package {
            name: "a".into(),
            version: "1:2.0-1".into()
        }]),
        "only installed packages"
    );
}

#[test]
fn truth_diff_names_what_is_missing_and_extra_per_type() {
    let truth = &images::images().base.truth;
    assert_eq!(truth.diff(truth), "");
    let mut found = truth.clone();
    let removed = found.python.pop_first().expect("a Python package");
    found.npm.insert(Package {
        name: "left-pad".into(),
        version: "1.3.0".into(),
    });
    assert_eq!(
        truth.diff(&found),
        format!("python: missing [{removed}]; extra []\nnpm: missing []; extra [left-pad 1.3.0]")
    );
}

#[test]
fn build_without_the_setup_inputs_fails_naming_the_setup_script() {
    let inputs = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let err = images::build_in(inputs.path(), cache.path()).expect_err("no inputs");
    let BuildError::InputsMissing { path, .. } = &err else {
        panic!("expected InputsMissing, got {err:?}");
    };
    assert_eq!(path, &inputs.path().join("rootfs.spec"));
    assert_eq!(
        err.to_string(),
        format!(
            "{}: the image inputs are missing (run scripts/test-setup.d/images.sh)",
            path.display()
        )
    );
    assert_eq!(std::fs::read_dir(cache.path()).expect("cache").count(), 0);
}

#[test]
fn build_from_a_corrupt_root_filesystem_fails_with_the_tools_reason() {
    let inputs = tempfile::tempdir().expect("tempdir");
    for stamp in ["rootfs.spec", "wheels.spec", "npm.spec"] {
        std::fs::write(inputs.path().join(stamp), "test\n").expect("stamp");
    }
    std::fs::write(
        inputs.path().join("bookworm-minbase.tar"),
        b"not a tar archive",
    )
    .expect("tar");
    let cache = tempfile::tempdir().expect("tempdir");
    let err = images::build_in(inputs.path(), cache.path()).expect_err("corrupt rootfs");
    let BuildError::Command {
        command, status, ..
    } = &err
    else {
        panic!("expected Command, got {err:?}");
    };
    assert!(
        command.starts_with("tar --numeric-owner --exclude=./dev/* -xpf "),
        "{command}"
    );
    assert!(!status.success());
    // The failed build leaves nothing behind in the cache.
    assert_eq!(std::fs::read_dir(cache.path()).expect("cache").count(), 0);
}
