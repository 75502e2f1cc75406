//! Issue #14, CI semantics end to end: GitLab CI resolved across files, the conftest mode on
//! conftest's own examples (exit codes and output as conftest's acceptance.bats asserts them),
//! a builtin type error in a user rule, peers' pragmas. Fixtures are vouch-policy's
//! (crates/vouch-policy/tests/fixtures/{gitlab-runner,conftest}, SOURCES.md there).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;

fn vouch() -> Command {
    let mut c = common::vouch();
    c.env_remove("SOURCE_DATE_EPOCH")
        .arg("check")
        .arg("--today")
        .arg("2026-11-22");
    c
}

fn policy_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vouch-policy/tests/fixtures")
}

fn conftest(args: &[&str]) -> std::process::Output {
    vouch()
        .current_dir(policy_fixtures().join("conftest"))
        .arg("--conftest")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn conftest_deployment_with_root_containers_fails_with_exit_1() {
    let out = conftest(&["-p", "kubernetes/policy", "kubernetes/deployment.yaml"]);
    common::assert_exit(&out, 1);
    assert!(stdout(&out).contains(
        "FAIL - kubernetes/deployment.yaml - main - Containers must not run as root in Deployment hello-kubernetes\n"
    ));
    assert!(
        stdout(&out).ends_with("5 tests, 1 passed, 0 warnings, 4 failures, 0 exceptions\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn conftest_warnings_exit_0_unless_fail_on_warn() {
    let out = conftest(&["--policy", "kubernetes/policy", "kubernetes/service.yaml"]);
    common::assert_exit(&out, 0);
    assert!(stdout(&out).contains(
        "WARN - kubernetes/service.yaml - main - Found service hello-kubernetes but services are not allowed"
    ));
    let out = conftest(&[
        "--policy",
        "kubernetes/policy",
        "--fail-on-warn",
        "kubernetes/service.yaml",
    ]);
    common::assert_exit(&out, 1);
}

#[test]
fn conftest_namespace_not_present_passes() {
    let out = conftest(&[
        "--policy",
        "kubernetes/policy",
        "--namespace",
        "notpresent",
        "kubernetes/deployment.yaml",
    ]);
    common::assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "0 tests, 0 passed, 0 warnings, 0 failures, 0 exceptions\n"
    );
}

#[test]
fn conftest_compose_counts_as_conftest_does() {
    let out = conftest(&["--policy", "compose/policy", "compose/docker-compose.yml"]);
    common::assert_exit(&out, 1);
    assert!(stdout(&out).ends_with("2 tests, 0 passed, 0 warnings, 2 failures, 0 exceptions\n"));
    let out = conftest(&[
        "--policy",
        "compose/policy",
        "compose/docker-compose-valid.yml",
    ]);
    common::assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "2 tests, 2 passed, 0 warnings, 0 failures, 0 exceptions\n"
    );
}

#[test]
fn conftest_multiple_input_types_in_one_run() {
    let out = conftest(&[
        "--policy",
        "kubernetes/policy",
        "traefik/traefik.toml",
        "kubernetes/service.yaml",
    ]);
    common::assert_exit(&out, 0);
    assert!(stdout(&out).contains("Found service hello-kubernetes but services are not allowed"));
}

#[test]
fn conftest_unsupported_file_is_exit_2_not_a_pass() {
    let d = common::dir_with(&[("Dockerfile", "FROM alpine\n")]);
    let out = vouch()
        .arg("--conftest")
        .arg("--policy")
        .arg(policy_fixtures().join("conftest/kubernetes/policy"))
        .arg(d.path().join("Dockerfile"))
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "conftest mode reads YAML, JSON and TOML files (by extension); this is none of them"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The docs' own example (docs/check.md) on a pipeline with a job that has no image: before,
/// `endswith(null, …)` made the whole file unreadable (exit 2); now that rule is undefined for
/// that job, the other job is reported, and the run exits 1.
#[test]
fn docs_example_policy_on_a_job_without_image_reports_and_exits_1() {
    let policy = "package ci\n\ndeny contains msg if {\n  job := input.ci.jobs[_]\n  image := object.get(job, \"image\", \"\")\n  endswith(image, \":latest\")\n  msg := sprintf(\"job %q uses mutable latest image tag\", [job.name])\n}\n";
    let d = common::dir_with(&[
        (
            ".gitlab-ci.yml",
            "build:\n  script: [make]\n\nlint:\n  image: node:latest\n  script: [npm run lint]\n",
        ),
        ("policy/ci.rego", policy),
    ]);
    let out = vouch()
        .arg(d.path())
        .arg("--no-builtin")
        .arg("--policy")
        .arg(d.path().join("policy"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let report = common::json(&out.stdout);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        findings[0]["message"],
        "job \"lint\" uses mutable latest image tag"
    );
    assert_eq!(findings[0]["location"]["line"], 4);
}

/// On gitlab-runner's real CI configuration, a finding on an image a job inherits from an
/// included file names that file and line.
#[test]
fn gitlab_runner_inherited_image_finding_names_the_included_file() {
    let out = vouch()
        .arg(policy_fixtures().join("gitlab-runner"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let report = common::json(&out.stdout);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == "gitlab-latest-tag"
                && f["message"]
                    == "job \"prepare done\" image \"alpine:latest\" uses the mutable latest tag"
        })
        .expect("the finding on prepare done");
    assert_eq!(f["location"]["path"], ".gitlab/ci/_common.gitlab-ci.yml");
    assert_eq!(f["location"]["line"], 159);
}

/// A hadolint pragma suppresses the mapped vouch rule: exit 0, the finding listed as
/// suppressed with the pragma named.
#[test]
fn hadolint_pragma_is_listed_as_the_suppression() {
    let d = common::dir_with(&[(
        "Dockerfile",
        "# hadolint ignore=DL3007\nFROM alpine:latest\nUSER app\n",
    )]);
    let out = vouch()
        .arg(d.path())
        .args(["--format", "json", "--fail-on", "high"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let report = common::json(&out.stdout);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "dockerfile-latest-tag")
        .expect("still listed");
    assert_eq!(f["suppressed"]["kind"], "hadolint");
    assert_eq!(
        f["suppressed"]["reason"],
        "`# hadolint ignore=DL3007` (DL3007 is dockerfile-latest-tag)"
    );
}

/// `vouch scan` reports an unpinned action once: the configuration rule's finding stays and
/// carries the pinning check's reference; `unpinned-reference` is not repeated for it.
#[test]
fn scan_reports_an_unpinned_action_once() {
    let d = common::dir_with(&[(
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n",
    )]);
    let out = common::vouch()
        .arg("scan")
        .arg(d.path())
        .args(["--skip", "vulnerabilities", "--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    let at_line_8: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["line"] == 8)
        .collect();
    assert_eq!(at_line_8.len(), 1, "{at_line_8:#?}");
    assert_eq!(at_line_8[0]["rule_id"], "github-action-not-pinned");
    assert_eq!(
        at_line_8[0]["properties"]["pinning"]["reference"],
        "actions/checkout@v4"
    );
}
