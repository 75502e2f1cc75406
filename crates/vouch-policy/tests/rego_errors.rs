//! A builtin called with a value of the wrong type makes that expression undefined (OPA with
//! strict builtin errors off), not the whole file unreadable: the docs' own example policy
//! calls `endswith(image, ":latest")`, and `image` is null for a job with no image.

use std::path::Path;

use vouch_policy::{Date, Options, check_dir};

const POLICY: &str = r#"package ci

deny contains msg if {
  job := input.ci.jobs[_]
  image := object.get(job, "image", "")
  endswith(image, ":latest")
  msg := sprintf("job %q uses mutable latest image tag", [job.name])
}

warn contains msg if {
  job := input.ci.jobs[_]
  job.stage == "deploy"
  msg := sprintf("job %q deploys", [job.name])
}
"#;

const CI: &str = "\
lint:
  image: node:latest
  script: [npm run lint]

shell-only:
  script: [make]

ship:
  stage: deploy
  image: alpine:3.20
  script: [./deploy]
";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn a_type_error_in_one_rule_leaves_the_other_rules_and_jobs_reporting() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitlab-ci.yml", CI);
    write(dir.path(), "policy/ci.rego", POLICY);
    let mut opts = Options::new("2026-11-22".parse::<Date>().unwrap());
    opts.builtin = false;
    opts.policy_dirs = vec![dir.path().join("policy")];
    let out = check_dir(dir.path(), &opts).unwrap();
    // before: `.gitlab-ci.yml: policy data.ci: … endswith … expects string` and no findings
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let got: Vec<String> = out
        .findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            format!(
                "{}:{} {}: {}",
                l.path,
                l.line.unwrap_or(0),
                f.rule_id,
                f.message
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ".gitlab-ci.yml:1 ci.deny: job \"lint\" uses mutable latest image tag",
            ".gitlab-ci.yml:8 ci.warn: job \"ship\" deploys",
        ]
    );
}

/// A user policy whose rule calls a rule of another package it imports (conftest's
/// kubernetes example does) reports: each rule is queried on its own.
#[test]
fn rules_calling_an_imported_package_report() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitlab-ci.yml", CI);
    write(
        dir.path(),
        "policy/helpers.rego",
        "package helpers\n\nis_gitlab if input.kind = \"gitlab-ci\"\n",
    );
    write(
        dir.path(),
        "policy/ci.rego",
        "package ci\n\nimport data.helpers\n\nname := input.path\n\nwarn contains msg if {\n  helpers.is_gitlab\n  msg := sprintf(\"%s is a GitLab pipeline\", [name])\n}\n",
    );
    let mut opts = Options::new("2026-11-22".parse::<Date>().unwrap());
    opts.builtin = false;
    opts.policy_dirs = vec![dir.path().join("policy")];
    let out = check_dir(dir.path(), &opts).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let got: Vec<(&str, &str)> = out
        .findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(got, [("ci.warn", ".gitlab-ci.yml is a GitLab pipeline")]);
}
