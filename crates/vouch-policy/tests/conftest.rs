//! `vouch check --conftest` evaluates conftest's own example policies as conftest does; each
//! expectation is one that conftest's acceptance.bats asserts for the same files
//! (tests/fixtures/conftest/SOURCES.md).

use std::path::{Path, PathBuf};

use vouch_policy::conftest::{CheckResult, Conftest, ConftestError, Options, render};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conftest")
}

fn run(policy: &str, files: &[&str], namespaces: &[&str]) -> Vec<CheckResult> {
    let opts = Options {
        policy_dirs: vec![fixtures().join(policy)],
        namespaces: namespaces.iter().map(|s| (*s).to_owned()).collect(),
        all_namespaces: false,
        max_file_size: 8 << 20,
    };
    let c = Conftest::load(&opts).unwrap();
    let paths: Vec<PathBuf> = files.iter().map(|f| fixtures().join(f)).collect();
    let mut results = c.test(&paths).unwrap();
    let base = format!("{}/", fixtures().display());
    for r in &mut results {
        r.filename = r.filename.replace(&base, "");
    }
    results
}

#[test]
fn compose_policy_fails_the_latest_image_and_old_version() {
    let out = render(&run("compose/policy", &["compose/docker-compose.yml"], &[]));
    assert_eq!(
        out,
        "FAIL - compose/docker-compose.yml - main - Must be using at least version 3.5 of the Compose file format\n\
         FAIL - compose/docker-compose.yml - main - No images tagged latest\n\
         \n\
         2 tests, 0 passed, 0 warnings, 2 failures, 0 exceptions\n"
    );
}

#[test]
fn compose_policy_passes_the_valid_file() {
    let out = render(&run(
        "compose/policy",
        &["compose/docker-compose-valid.yml"],
        &[],
    ));
    assert_eq!(
        out,
        "2 tests, 2 passed, 0 warnings, 0 failures, 0 exceptions\n"
    );
}

#[test]
fn kubernetes_service_is_a_warning_and_deployment_failures() {
    let service = run("kubernetes/policy", &["kubernetes/service.yaml"], &[]);
    assert_eq!(service.len(), 1);
    assert_eq!(
        service[0].warnings,
        ["Found service hello-kubernetes but services are not allowed"]
    );
    assert!(service[0].failures.is_empty());
    let deployment = run("kubernetes/policy", &["kubernetes/deployment.yaml"], &[]);
    assert_eq!(
        deployment[0].failures,
        [
            "Containers must not run as root in Deployment hello-kubernetes",
            "Deployment hello-kubernetes must provide app/release labels for pod selectors",
            "hello-kubernetes must include Kubernetes recommended labels: https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/#labels",
            "Found deployment hello-kubernetes but deployments are not allowed",
        ]
    );
    // 5 rule definitions in package main (3 deny, 1 violation, 1 warn); only warn passed
    assert_eq!(deployment[0].successes, 1);
}

/// Each document of a multi-document YAML file is its own input; the results are gathered
/// under the file's name.
#[test]
fn multi_document_yaml_is_one_input_per_document() {
    let r = run(
        "kubernetes/policy",
        &["kubernetes/deployment+service.yaml"],
        &[],
    );
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].filename, "kubernetes/deployment+service.yaml");
    assert_eq!(
        r[0].warnings,
        ["Found service hello-kubernetes but services are not allowed"]
    );
    assert_eq!(r[0].failures.len(), 4, "{:?}", r[0].failures);
    // deployment: 1 of 5 passed (warn); service: 4 of 5 passed (all but warn)
    assert_eq!(r[0].successes, 5);
}

#[test]
fn namespace_that_is_not_present_checks_nothing() {
    let r = run(
        "kubernetes/policy",
        &["kubernetes/deployment.yaml"],
        &["notpresent"],
    );
    assert!(r.is_empty());
    assert_eq!(
        render(&r),
        "0 tests, 0 passed, 0 warnings, 0 failures, 0 exceptions\n"
    );
}

#[test]
fn toml_input_is_parsed() {
    let r = run("traefik/policy", &["traefik/traefik.toml"], &[]);
    assert_eq!(
        r[0].failures,
        ["Following ciphers are not allowed: [\"TLS_RSA_WITH_AES_256_GCM_SHA384\"]"]
    );
}

#[test]
fn a_file_of_another_format_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    let opts = Options {
        policy_dirs: vec![fixtures().join("kubernetes/policy")],
        namespaces: Vec::new(),
        all_namespaces: false,
        max_file_size: 8 << 20,
    };
    let err = Conftest::load(&opts)
        .unwrap()
        .test(&[dir.path().join("Dockerfile")])
        .unwrap_err();
    assert!(
        matches!(err, ConftestError::UnsupportedFile { .. }),
        "{err}"
    );
}

#[test]
fn all_namespaces_queries_every_package() {
    let opts = Options {
        policy_dirs: vec![fixtures().join("kubernetes/policy")],
        namespaces: Vec::new(),
        all_namespaces: true,
        max_file_size: 8 << 20,
    };
    let c = Conftest::load(&opts).unwrap();
    let mut ns = c.namespaces().to_vec();
    ns.sort();
    assert_eq!(ns, ["kubernetes", "main"]);
}
