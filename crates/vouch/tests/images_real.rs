//! `vouch sbom IMAGE` against real images built here with debootstrap, pip, npm, umoci and
//! skopeo (`vouch_test::images`): recall and precision per package type against each
//! ecosystem's own tool, in every form (OCI layout gzip and zstd, OCI archive, docker
//! archive), with layer 3's whiteouts applied, and the layer that introduced each package.

mod common;

use std::collections::BTreeSet;

use common::{assert_exit, json, vouch};
use vouch_test::images::{Package, Truth, images};

/// The packages of an SBOM per type, as the ground truth names them.
fn found(sbom: &serde_json::Value) -> (Truth, Vec<(String, String, String)>) {
    let mut truth = Truth::default();
    let mut layers = Vec::new();
    for c in sbom["components"].as_array().unwrap() {
        let Some(purl) = c["purl"].as_str() else {
            continue;
        };
        let name = c["name"].as_str().unwrap().to_owned();
        let name = match c["group"].as_str() {
            Some(g) if purl.starts_with("pkg:npm/") => format!("{g}/{name}"),
            _ => name,
        };
        let version = c["version"].as_str().unwrap().to_owned();
        let set = if purl.starts_with("pkg:deb/") {
            &mut truth.dpkg
        } else if purl.starts_with("pkg:pypi/") {
            &mut truth.python
        } else if purl.starts_with("pkg:npm/") {
            &mut truth.npm
        } else {
            continue;
        };
        set.insert(Package {
            name: name.clone(),
            version: version.clone(),
        });
        let layer = c["properties"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == "vouch:image:layer")
            .map(|p| p["value"].as_str().unwrap().to_owned())
            .unwrap_or_default();
        layers.push((name, version, layer));
    }
    (truth, layers)
}

/// Python distribution names compared case-insensitively with `-`/`_` folded (PEP 503), as
/// the METADATA `Name:` and vouch's component name may spell them differently.
fn fold(truth: &Truth) -> Truth {
    let norm = |p: &Package| Package {
        name: p.name.to_ascii_lowercase().replace(['_', '.'], "-"),
        version: p.version.clone(),
    };
    Truth {
        dpkg: truth.dpkg.clone(),
        python: truth.python.iter().map(norm).collect(),
        npm: truth.npm.clone(),
    }
}

#[test]
fn every_form_of_the_real_image_inventories_exactly_what_its_tools_list() {
    let images = images();
    let base = &images.base;
    let forms = [
        format!("oci-dir:{}:base", base.layout.display()),
        format!("oci-dir:{}:base", base.zstd_layout.display()),
        format!("oci-archive:{}", base.oci_archive.display()),
        format!("docker-archive:{}", base.docker_archive.display()),
    ];
    let expected = fold(&base.truth);
    assert!(
        expected.dpkg.len() > 60 && expected.npm.len() > 50,
        "a real image"
    );
    for form in &forms {
        let out = vouch().args(["sbom", form.as_str()]).output().unwrap();
        assert_exit(&out, 0);
        let sbom = json(&out.stdout);
        let (truth, layers) = found(&sbom);
        assert_eq!(
            expected.diff(&fold(&truth)),
            "",
            "{form}: recall and precision"
        );
        // The whiteouts of layer 3 removed these; they must not be reported.
        let removed_py = base.removed_python.name.to_ascii_lowercase();
        assert!(
            !truth
                .python
                .iter()
                .any(|p| p.name.to_ascii_lowercase() == removed_py),
            "{form}: whited-out Python package reported"
        );
        assert!(
            !truth.dpkg.contains(&base.removed_dpkg),
            "{form}: whited-out dpkg package reported"
        );
        // Each package carries the layer that introduced it.
        for (name, version, layer) in &layers {
            let introduced_by: BTreeSet<&str> = base
                .layers
                .iter()
                .filter(|l| {
                    let p = Package {
                        name: name.clone(),
                        version: version.clone(),
                    };
                    let i = fold(&l.introduced);
                    i.dpkg.contains(&p)
                        || i.npm.contains(&p)
                        || i.python.contains(&Package {
                            name: name.to_ascii_lowercase().replace(['_', '.'], "-"),
                            version: version.clone(),
                        })
                })
                .map(|l| l.diff_id.as_str())
                .collect();
            assert_eq!(
                introduced_by,
                BTreeSet::from([layer.as_str()]),
                "{form}: layer of {name} {version}"
            );
        }
        let subject = &sbom["metadata"]["component"];
        assert_eq!(subject["type"], "container", "{form}");
        let props: Vec<(String, String)> = subject["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_owned(),
                    p["value"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(
            props.contains(&(
                "vouch:image:config-digest".to_owned(),
                base.config_digest.clone()
            )) || form.starts_with("docker-archive"),
            "{form}: {props:?}"
        );
    }
    let out = vouch().args(["sbom", &forms[0]]).output().unwrap();
    let sbom = json(&out.stdout);
    assert_eq!(
        sbom["metadata"]["component"]["version"],
        base.manifest_digest
    );
}

#[test]
fn each_platform_of_the_real_index_is_read_and_a_missing_one_is_named() {
    let multi = &images().multi;
    for p in &multi.platforms {
        let platform = format!("{}/{}", p.os, p.architecture);
        let out = vouch()
            .args(["sbom", "--platform", &platform])
            .arg(format!("oci-dir:{}:multi", multi.layout.display()))
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let sbom = json(&out.stdout);
        assert_eq!(
            sbom["metadata"]["component"]["version"], p.manifest_digest,
            "{platform}"
        );
    }
    let out = vouch()
        .args(["sbom", "--platform", "linux/s390x"])
        .arg(format!("oci-archive:{}:multi", multi.oci_archive.display()))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no image for platform linux/s390x; the index has "),
        "{err}"
    );
}

#[test]
fn a_registry_image_inventories_like_its_layout_and_the_index_platform_is_chosen() {
    let images = images();
    let registry = vouch_test::registry::Registry::start();
    let host = registry.host();
    let digest = images.base.push(&registry, "team/base", "1.0");
    assert_eq!(digest, images.base.manifest_digest);
    let by_tag = format!("registry:{host}/team/base:1.0");
    let out = vouch()
        .args(["sbom", "--insecure-registry", &host, &by_tag])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let sbom = json(&out.stdout);
    let (truth, _) = found(&sbom);
    assert_eq!(
        fold(&images.base.truth).diff(&fold(&truth)),
        "",
        "recall and precision"
    );
    let subject = &sbom["metadata"]["component"];
    assert_eq!(subject["version"], images.base.manifest_digest);
    assert_eq!(subject["name"], format!("{host}/team/base"));
    let purl = subject["purl"].as_str().unwrap().replace("%2F", "/");
    assert!(
        purl.contains(&format!("repository_url={host}/team/base")),
        "{purl}"
    );
    // By digest, the same image.
    let by_digest = format!("registry:{host}/team/base@{digest}");
    let out = vouch()
        .args(["sbom", "--insecure-registry", &host, &by_digest])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    // A multi-platform index: the platform asked for.
    let multi = &images.multi;
    multi.push(&registry, "team/multi", "1");
    for p in &multi.platforms {
        let out = vouch()
            .args(["sbom", "--insecure-registry", &host])
            .args(["--platform", &format!("{}/{}", p.os, p.architecture)])
            .arg(format!("registry:{host}/team/multi:1"))
            .output()
            .unwrap();
        assert_exit(&out, 0);
        assert_eq!(
            json(&out.stdout)["metadata"]["component"]["version"],
            p.manifest_digest
        );
    }
}

#[test]
fn registry_credentials_come_from_the_docker_config_and_refusals_are_exit_2_never_empty() {
    let registry = vouch_test::registry::Registry::start_with_htpasswd();
    let host = registry.host();
    registry.push_image("team/app", "1", "");
    let image = format!("registry:{host}/team/app:1");
    // No credentials: 401 is "could not evaluate", with nothing on stdout.
    let home = tempfile::tempdir().unwrap();
    let out = vouch()
        .env("HOME", home.path())
        .args(["sbom", "--insecure-registry", &host, &image])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("401"), "{err}");
    // Credentials for this registry in $DOCKER_CONFIG/config.json.
    let config = tempfile::tempdir().unwrap();
    let auth = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            vouch_test::registry::Registry::USER,
            vouch_test::registry::Registry::PASSWORD
        ))
    };
    std::fs::write(
        config.path().join("config.json"),
        serde_json::json!({"auths": {host.clone(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let out = vouch()
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", config.path())
        .args(["sbom", "--insecure-registry", &host, &image])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains(vouch_test::registry::Registry::PASSWORD));
    // A registry that is down: exit 2, nothing reported.
    let port = vouch_test::registry::free_port();
    let down = format!("127.0.0.1:{port}");
    let out = vouch()
        .env("HOME", home.path())
        .args(["sbom", "--insecure-registry", &down])
        .arg(format!("registry:{down}/team/app:1"))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(out.stdout.is_empty());
}
