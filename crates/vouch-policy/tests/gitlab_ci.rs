//! GitLab CI as GitLab resolves it (issue #14): `include: local`, `extends` across files and
//! levels, `default:`, anchors and `!reference`, hidden jobs; findings on inherited values point
//! at the file and line that write them. Real data: gitlab-runner's CI configuration
//! (tests/fixtures/gitlab-runner, SOURCES.md there).

use std::path::{Path, PathBuf};

use serde_json::Value;
use vouch_policy::{Date, Options, check_dir, print_input};

fn opts() -> Options {
    Options::new("2026-11-22".parse::<Date>().unwrap())
}

fn runner() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gitlab-runner")
}

fn input(dir: &Path) -> Value {
    print_input(&dir.join(".gitlab-ci.yml"), &opts()).unwrap()
}

fn job<'a>(input: &'a Value, name: &str) -> &'a Value {
    input["ci"]["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == name)
        .unwrap_or_else(|| panic!("no job {name}"))
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `path:line rule: message` of every unsuppressed finding.
fn findings(dir: &Path) -> Vec<String> {
    let out = check_dir(dir, &opts()).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.findings
        .iter()
        .filter(|f| f.suppressed.is_none())
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
        .collect()
}

/// Before: 60 of gitlab-runner's 79 jobs had an unknown image, because their `extends`
/// parents live in other files. Now every job has one, from the file and line that write it.
#[test]
fn gitlab_runner_jobs_get_their_images_through_cross_file_extends() {
    let dir = runner();
    let out = check_dir(&dir, &opts()).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let i = print_input(&dir.join(".gitlab-ci.yml"), &opts()).unwrap();
    let jobs = i["ci"]["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 79);
    let unknown: Vec<&Value> = jobs.iter().filter(|j| j["image"].is_null()).collect();
    assert!(unknown.is_empty(), "{unknown:#?}");
    // hidden jobs are templates, not jobs
    assert!(
        jobs.iter()
            .all(|j| !j["name"].as_str().unwrap().starts_with('.'))
    );
    let shown = |j: &Value| {
        let path = j["image_path"].as_str().unwrap();
        let rel = path.rsplit_once("gitlab-runner/").map_or(path, |(_, r)| r);
        format!(
            "{} | {} | {}:{}",
            j["image"].as_str().unwrap(),
            j["image_source"].as_str().unwrap(),
            rel,
            j["image_line"]
        )
    };
    // the job's own image, in an included file
    assert_eq!(
        shown(job(&i, "binaries")),
        "${RUNNER_IMAGES_REGISTRY}/ubi-go:${RUNNER_IMAGES_VERSION} | job | .gitlab/ci/build.gitlab-ci.yml:116"
    );
    // two levels of extends across files: build.gitlab-ci.yml → _common.gitlab-ci.yml
    assert_eq!(
        shown(job(&i, "prepare done")),
        "alpine:latest | extends:.stage_done | .gitlab/ci/_common.gitlab-ci.yml:159"
    );
    // `default:` of an included file
    assert_eq!(
        shown(job(&i, "unit test")),
        "$CI_IMAGE | default | .gitlab/ci/_common.gitlab-ci.yml:55"
    );
    assert_eq!(
        shown(job(&i, "review-docs-deploy")),
        "ruby:${RUBY_VERSION}-alpine | extends:.review-docs | .gitlab/ci/docs.gitlab-ci.yml:7"
    );
    assert_eq!(
        shown(job(&i, "prebuilt helper images windows 2019")),
        "${RUNNER_IMAGES_REGISTRY}/ci:${RUNNER_IMAGES_VERSION}-prebuilt-images | extends:prebuilt helper images | .gitlab/ci/build.gitlab-ci.yml:35"
    );
}

/// A finding on an inherited image points at the included file and line that write it, and
/// the included files are checked as part of the pipeline, not again on their own.
#[test]
fn gitlab_runner_findings_point_at_the_file_that_writes_the_value() {
    let got = findings(&runner());
    assert!(
        got.contains(
            &".gitlab/ci/_common.gitlab-ci.yml:159 gitlab-latest-tag: job \"prepare done\" image \"alpine:latest\" uses the mutable latest tag"
                .to_owned()
        ),
        "{got:#?}"
    );
    // what was not followed is said, at the include that names it
    assert!(
        got.contains(&".gitlab-ci.yml:39 gitlab-config-unresolved: component \"${CI_SERVER_FQDN}/gitlab-org/components/danger-review/danger-review@2.1.0\" is not fetched (vouch reads no network here)".to_owned()),
        "{got:#?}"
    );
    // each finding once: a standalone check of build.gitlab-ci.yml would repeat it
    let mut dedup = got.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), got.len());
    let out = check_dir(&runner(), &opts()).unwrap();
    assert_eq!(out.files_checked, 18);
}

const MAIN: &str = "\
include:
  - local: /ci/templates.yml

default:
  image: alpine:3.20
  before_script:
    - echo default

variables:
  GLOBAL: \"1\"

.anchors: &retry
  retry: 2

build:
  extends: .child
  <<: *retry
  variables:
    OWN: b
  script:
    - !reference [.setup, script]
    - make

no-default:
  inherit:
    default: false
  script: [true]

.hidden:
  image: should-not-be-a-job:1
";

const TEMPLATES: &str = "\
.base:
  image: golang:1.22
  variables:
    BASE: a
    OWN: base
  script:
    - base-only

.child:
  extends: .base
  variables:
    CHILD: c
  script:
    - child

.setup:
  script:
    - curl -fsSL https://get.example.com | sh
    - go mod download
";

/// GitLab's semantics: `extends` deep-merges hashes (variables from every level, the job's
/// own value winning) and replaces arrays (script); `default:` fills keys a job lacks unless
/// `inherit: default: false`; `!reference` splices the referenced lines into the script;
/// merge keys (`<<: *anchor`) apply; hidden jobs are templates.
#[test]
fn extends_default_reference_and_anchors_resolve_like_gitlab() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitlab-ci.yml", MAIN);
    write(dir.path(), "ci/templates.yml", TEMPLATES);
    let i = input(dir.path());
    let names: Vec<&str> = i["ci"]["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["build", "no-default"]);
    let build = job(&i, "build");
    assert_eq!(build["image"], "golang:1.22");
    assert_eq!(build["image_source"], "extends:.base");
    assert_eq!(
        build["variables"],
        serde_json::json!({"BASE": "a", "OWN": "b", "CHILD": "c"})
    );
    let script: Vec<&str> = build["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        script,
        [
            "curl -fsSL https://get.example.com | sh",
            "go mod download",
            "make"
        ]
    );
    // the referenced line keeps its own file and line
    let first = &build["script"][0];
    assert!(
        first["path"]
            .as_str()
            .unwrap()
            .ends_with("ci/templates.yml")
    );
    assert_eq!(first["line"], 18);
    assert_eq!(build["before_script"][0]["text"], "echo default");
    let nd = job(&i, "no-default");
    assert!(nd["image"].is_null());
    assert!(nd["before_script"].as_array().unwrap().is_empty());
    // the pipe to shell is reported where it is written, not at the job
    let got = findings(dir.path());
    assert!(
        got.contains(
            &"ci/templates.yml:18 gitlab-curl-pipe-shell: job \"build\" pipes a curl download into sh"
                .to_owned()
        ),
        "{got:#?}"
    );
}

/// An inline `vouch:ignore` in the included file, where the value is written, suppresses the
/// finding reported there.
#[test]
fn inline_suppression_in_the_included_file_applies() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitlab-ci.yml", MAIN);
    write(
        dir.path(),
        "ci/templates.yml",
        &TEMPLATES.replace(
            "    - curl -fsSL",
            "    # vouch:ignore gitlab-curl-pipe-shell vendor installer, reviewed\n    - curl -fsSL",
        ),
    );
    let out = check_dir(dir.path(), &opts()).unwrap();
    let f = out
        .findings
        .iter()
        .find(|f| f.rule_id == "gitlab-curl-pipe-shell")
        .unwrap();
    assert_eq!(f.location.as_ref().unwrap().path, "ci/templates.yml");
    assert_eq!(f.location.as_ref().unwrap().line, Some(19));
    let s = f.suppressed.as_ref().unwrap();
    assert_eq!(
        (s.kind.as_str(), s.reason.as_str()),
        ("inline", "vendor installer, reviewed")
    );
}

/// Bounds: an `extends` chain deeper than GitLab's 11 levels and a `!reference` loop are
/// reported, never followed forever.
#[test]
fn extends_depth_and_reference_loops_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for n in 0..15 {
        text.push_str(&format!(".t{n}:\n  extends: .t{}\n  script: [x]\n", n + 1));
    }
    text.push_str(".t15:\n  image: a:1\n");
    text.push_str("deep:\n  extends: .t0\n");
    text.push_str(".r:\n  script:\n    - !reference [.r, script]\nloop:\n  script:\n    - !reference [.r, script]\n");
    write(dir.path(), ".gitlab-ci.yml", &text);
    let got = findings(dir.path());
    assert!(
        got.iter().any(|f| f.contains("gitlab-config-unresolved: job \".t10\": extends nested deeper than 11 levels (GitLab's limit)")),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|f| f.contains(
            "gitlab-config-unresolved: !reference [\".r\", \"script\"] nested deeper than 10 levels"
        )),
        "{got:#?}"
    );
}
