//! End-to-end behaviour of `check_dir`: user policies, suppression, ignore file, bad input.

use std::path::Path;

use vouch_policy::{CheckError, Date, IgnoreFileError, Options, check_dir};

fn opts() -> Options {
    Options::new("2026-11-22".parse::<Date>().unwrap())
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const CI_POLICY: &str = r#"package ci

deny contains msg if {
  job := input.ci.jobs[_]
  image := object.get(job, "image", "")
  endswith(image, ":latest")
  msg := sprintf("job %q uses mutable latest image tag", [job.name])
}
"#;

const GITLAB_CI: &str = "default:
  image: alpine:latest

build:
  image: node:22@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  script: [make]

test:
  script:
    - make test

.template:
  image: ruby:latest
";

#[test]
fn platform_ci_policy_works_verbatim_and_reports_the_job() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "policy/ci.rego", CI_POLICY.as_bytes());
    write(dir.path(), ".gitlab-ci.yml", GITLAB_CI.as_bytes());
    let mut o = opts();
    o.builtin = false;
    o.policy_dirs.push(dir.path().join("policy"));
    let out = check_dir(dir.path(), &o).unwrap();
    let got: Vec<(String, String, Option<u32>)> = out
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.clone(),
                f.message.clone(),
                f.location.as_ref().and_then(|l| l.line),
            )
        })
        .collect();
    // `test` inherits `default: image: alpine:latest`; `build` is pinned; hidden jobs are templates.
    assert_eq!(
        got,
        vec![(
            "ci.deny".to_owned(),
            "job \"test\" uses mutable latest image tag".to_owned(),
            Some(8)
        )]
    );
    assert_eq!(out.findings[0].severity, vouch_report::Severity::High);
}

#[test]
fn policies_in_dot_vouch_are_loaded_and_v0_policies_work() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".vouch/policy/old.rego",
        b"package main\n\nwarn[msg] {\n  input.kind == \"dockerfile\"\n  msg := {\"msg\": \"old-style rule ran\", \"line\": 2}\n}\n",
    );
    write(dir.path(), "Dockerfile", b"FROM alpine:3.20\nUSER app\n");
    let out = check_dir(dir.path(), &opts()).unwrap();
    let f = out
        .findings
        .iter()
        .find(|f| f.rule_id == "main.warn")
        .expect("v0 policy ran");
    assert_eq!(f.message, "old-style rule ran");
    assert_eq!(f.location.as_ref().unwrap().line, Some(2));
    assert_eq!(f.severity, vouch_report::Severity::Low);
}

#[test]
fn inline_suppression_on_line_or_line_above() {
    let dir = tempfile::tempdir().unwrap();
    // Dockerfile comments only start lines, so the comment goes on the line above.
    write(
        dir.path(),
        "Dockerfile",
        b"# vouch:ignore dockerfile-latest-tag base is rebuilt nightly\nFROM alpine:latest\n# vouch:ignore dockerfile-user-root needs root for the socket\nUSER root\n",
    );
    // YAML: on the same line.
    write(
        dir.path(),
        "compose.yaml",
        b"services:\n  dind:\n    image: docker:27-dind\n    privileged: true  # vouch:ignore workload-privileged docker-in-docker runner\n",
    );
    let out = check_dir(dir.path(), &opts()).unwrap();
    let by = |id: &str| {
        out.findings
            .iter()
            .find(|f| f.rule_id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    let latest = by("dockerfile-latest-tag");
    assert_eq!(
        latest.suppressed.as_ref().unwrap().reason,
        "base is rebuilt nightly"
    );
    assert_eq!(latest.suppressed.as_ref().unwrap().kind, "inline");
    assert_eq!(
        by("dockerfile-user-root")
            .suppressed
            .as_ref()
            .unwrap()
            .reason,
        "needs root for the socket"
    );
    assert_eq!(
        by("workload-privileged")
            .suppressed
            .as_ref()
            .unwrap()
            .reason,
        "docker-in-docker runner"
    );
    // Not suppressed: a different rule on the same line.
    assert!(by("dockerfile-base-not-pinned").suppressed.is_none());
    assert!(by("workload-image-not-pinned").suppressed.is_none());
}

#[test]
fn ignore_file_suppresses_until_expiry_then_reports() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "svc/Dockerfile",
        b"FROM alpine:3.20\nUSER app\n",
    );
    write(
        dir.path(),
        "other/Dockerfile",
        b"FROM alpine:3.20\nUSER app\n",
    );
    write(
        dir.path(),
        ".vouch/ignore.toml",
        b"[[ignore]]\nrule = \"dockerfile-base-not-pinned\"\npath = \"svc/**\"\nreason = \"digest pinned by the build system\"\nexpires = \"2026-12-31\"\n\n[[ignore]]\nrule = \"dockerfile-base-not-pinned\"\npath = \"other/**\"\nreason = \"old exception\"\nexpires = \"2026-11-21\"\n",
    );
    let out = check_dir(dir.path(), &opts()).unwrap();
    let pins: Vec<_> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == "dockerfile-base-not-pinned")
        .collect();
    assert_eq!(pins.len(), 2);
    let svc = pins
        .iter()
        .find(|f| f.location.as_ref().unwrap().path == "svc/Dockerfile")
        .unwrap();
    assert_eq!(svc.suppressed.as_ref().unwrap().kind, "ignore-file");
    let other = pins
        .iter()
        .find(|f| f.location.as_ref().unwrap().path == "other/Dockerfile")
        .unwrap();
    assert!(
        other.suppressed.is_none(),
        "expired entry must not suppress"
    );
    let expired = out
        .findings
        .iter()
        .find(|f| f.rule_id == "ignore-expired")
        .unwrap();
    assert_eq!(
        expired.message,
        "ignore entry for `dockerfile-base-not-pinned` at `other/**` expired on 2026-11-21 and no longer suppresses anything"
    );
    assert_eq!(
        expired.location.as_ref().unwrap().path,
        ".vouch/ignore.toml"
    );
    assert_eq!(expired.location.as_ref().unwrap().line, Some(7));
    // The same entry on its last day still suppresses.
    let mut o = opts();
    o.today = "2026-11-21".parse().unwrap();
    let out = check_dir(dir.path(), &o).unwrap();
    assert!(out.findings.iter().all(|f| f.rule_id != "ignore-expired"));
}

#[test]
fn ignore_entries_need_reason_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".vouch/ignore.toml",
        b"[[ignore]]\nrule = \"x\"\nexpires = \"2027-01-01\"\n",
    );
    let err = check_dir(dir.path(), &opts()).unwrap_err();
    assert!(
        matches!(
            err,
            CheckError::IgnoreFile(IgnoreFileError::Invalid(
                vouch_report::ignore::IgnoreError::Entry { index: 1, .. }
            ))
        ),
        "{err}"
    );
    write(
        dir.path(),
        ".vouch/ignore.toml",
        b"[[ignore]]\nrule = \"x\"\nreason = \"y\"\n",
    );
    let err = check_dir(dir.path(), &opts()).unwrap_err();
    assert!(
        err.to_string()
            .contains("`expires` (YYYY-MM-DD) is required"),
        "{err}"
    );
}

#[test]
fn bad_files_are_errors_and_the_rest_is_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM alpine:latest\nUSER app\n");
    write(
        dir.path(),
        ".gitlab-ci.yml",
        b"build:\n  script: [a\n  image: x\n",
    );
    let bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    write(
        dir.path(),
        "k8s/bomb.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\n{bomb}").as_bytes(),
    );
    write(
        dir.path(),
        "compose.yaml",
        b"services:\n  web:\n    image: \xff\xfe\n",
    );
    let mut big = b"FROM alpine:3.20\n".to_vec();
    big.resize(3000, b'#');
    write(dir.path(), "big/Dockerfile", &big);
    let mut o = opts();
    o.max_file_size = 2048;
    let out = check_dir(dir.path(), &o).unwrap();
    let errs: Vec<(String, String)> = out
        .errors
        .iter()
        .map(|e| (e.path.clone(), e.message.clone()))
        .collect();
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(
        errs[0].0 == ".gitlab-ci.yml" && errs[0].1.starts_with("syntax error: invalid YAML"),
        "{errs:#?}"
    );
    assert!(
        errs[1].0 == "big/Dockerfile" && errs[1].1 == "file is over the 2048-byte limit",
        "{errs:#?}"
    );
    assert!(
        errs[2].0 == "compose.yaml" && errs[2].1.starts_with("file is not valid UTF-8"),
        "{errs:#?}"
    );
    assert!(
        errs[3].0 == "k8s/bomb.yaml" && errs[3].1.contains("invalid YAML"),
        "{errs:#?}"
    );
    assert!(
        out.findings
            .iter()
            .any(|f| f.rule_id == "dockerfile-latest-tag")
    );
    assert_eq!(out.files_checked, 1);
}

#[test]
fn print_input_shapes_are_stable() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitlab-ci.yml", GITLAB_CI.as_bytes());
    let v = vouch_policy::print_input(&dir.path().join(".gitlab-ci.yml"), &opts()).unwrap();
    assert_eq!(v["kind"], "gitlab-ci");
    let jobs = v["ci"]["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[1]["name"], "test");
    assert_eq!(jobs[1]["image"], "alpine:latest");
    assert_eq!(jobs[1]["image_source"], "default");
    assert_eq!(jobs[1]["script"][0]["line"], 10);
    assert_eq!(jobs[0]["image_line"], 5);
}
