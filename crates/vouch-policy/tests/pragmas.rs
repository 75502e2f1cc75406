//! Peers' ignore pragmas are honoured where a peer rule means a vouch rule (the tables in
//! `vouch_policy::suppress`, docs/check.md#peer-pragmas): the finding stays in the output,
//! suppressed, with the pragma named. A pragma for an unmapped peer rule suppresses nothing.

use std::path::Path;

use vouch_policy::{Date, Options, check_dir};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `path:line rule [kind: reason]` of every finding, suppressed ones marked.
fn findings(dir: &Path, today: &str) -> Vec<String> {
    let out = check_dir(dir, &Options::new(today.parse::<Date>().unwrap())).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.findings
        .iter()
        .map(|f| {
            let l = f.location.as_ref().unwrap();
            let s = f
                .suppressed
                .as_ref()
                .map(|s| format!(" [{}: {}]", s.kind, s.reason))
                .unwrap_or_default();
            format!("{}:{} {}{s}", l.path, l.line.unwrap_or(0), f.rule_id)
        })
        .collect()
}

const DOCKERFILE: &str = "\
# hadolint ignore=DL3006,DL3008
FROM python
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y curl
# hadolint ignore=DL4006
RUN curl -fsSL https://x/i.sh | sh
USER app
";

#[test]
fn hadolint_ignore_maps_to_the_vouch_rule_and_names_the_pragma() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", DOCKERFILE);
    let got = findings(dir.path(), "2026-11-22");
    assert!(
        got.contains(&"Dockerfile:2 dockerfile-latest-tag [hadolint: `# hadolint ignore=DL3006,DL3008` (DL3006 is dockerfile-latest-tag)]".to_owned()),
        "{got:#?}"
    );
    assert!(
        got.contains(&"Dockerfile:4 dockerfile-unpinned-packages [hadolint: `# hadolint ignore=DL3008` (DL3008 is dockerfile-unpinned-packages)]".to_owned()),
        "{got:#?}"
    );
    // DL4006 (pipefail) is not curl-pipe-shell: unmapped, so it suppresses nothing
    assert!(
        got.contains(&"Dockerfile:6 dockerfile-curl-pipe-shell".to_owned()),
        "{got:#?}"
    );
}

#[test]
fn checkov_skip_and_trivy_ignore_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "#checkov:skip=CKV_DOCKER_7:base image tracked by renovate\nFROM python:latest\n# trivy:ignore:DS002\nUSER root\n",
    );
    let got = findings(dir.path(), "2026-11-22");
    assert!(
        got.contains(&"Dockerfile:2 dockerfile-latest-tag [checkov: `#checkov:skip=CKV_DOCKER_7` (CKV_DOCKER_7 is dockerfile-latest-tag): base image tracked by renovate]".to_owned()),
        "{got:#?}"
    );
    assert!(
        got.contains(&"Dockerfile:4 dockerfile-user-root [trivy: `# trivy:ignore:DS002` (AVD-DS-0002 is dockerfile-user-root)]".to_owned()),
        "{got:#?}"
    );
}

#[test]
fn trivy_ignore_expiry_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM debian:12\n# trivy:ignore:AVD-DS-0002:exp:2026-01-31\nUSER root\n",
    );
    let before = findings(dir.path(), "2026-01-31");
    assert!(
        before
            .iter()
            .any(|f| f.starts_with("Dockerfile:3 dockerfile-user-root [trivy:")),
        "{before:#?}"
    );
    let after = findings(dir.path(), "2026-02-01");
    assert!(
        after.contains(&"Dockerfile:3 dockerfile-user-root".to_owned()),
        "{after:#?}"
    );
}

const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:latest
      securityContext:
        privileged: true
";

#[test]
fn trivyignore_file_suppresses_mapped_ids_everywhere_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/pod.yaml", POD);
    write(
        dir.path(),
        ".trivyignore",
        "# accepted for the demo cluster\nKSV017\nAVD-KSV-0013 exp:2026-12-31\nCVE-2024-0001\n",
    );
    let got = findings(dir.path(), "2026-11-22");
    let privileged: Vec<&String> = got
        .iter()
        .filter(|f| f.contains("workload-privileged"))
        .collect();
    assert_eq!(
        privileged,
        [&"k8s/pod.yaml:7 workload-privileged [trivyignore: .trivyignore:2 `KSV017` (AVD-KSV-0017 is workload-privileged)]".to_owned()],
    );
    assert!(
        got.iter()
            .any(|f| f
                .starts_with("k8s/pod.yaml:8 workload-latest-tag [trivyignore: .trivyignore:3")),
        "{got:#?}"
    );
    // not mapped by anything in the file: still reported
    assert!(
        got.iter()
            .any(|f| f.starts_with("k8s/pod.yaml:") && f.ends_with("workload-image-not-pinned")),
        "{got:#?}"
    );
}

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pragmas")
}

/// Real file (gitlab-runner): `# hadolint ignore=DL3018` above `apk add` without versions.
#[test]
fn gitlab_runner_hadolint_pragma_suppresses_the_unpinned_apk_packages() {
    let got = findings(&fixtures().join("gitlab-runner-helper"), "2026-11-22");
    assert!(
        got.contains(&"Dockerfile:7 dockerfile-unpinned-packages [hadolint: `# hadolint ignore=DL3018` (DL3018 is dockerfile-unpinned-packages)]".to_owned()),
        "{got:#?}"
    );
    // the base image is not covered by that pragma
    assert!(
        got.contains(&"Dockerfile:1 dockerfile-base-not-pinned".to_owned()),
        "{got:#?}"
    );
}

/// Trivy's own `.trivyignore` test file: read without error, and since none of its ids maps to
/// a vouch rule, it suppresses nothing.
#[test]
fn trivy_testdata_trivyignore_suppresses_nothing_unmapped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("trivy/.trivyignore"),
        dir.path().join(".trivyignore"),
    )
    .unwrap();
    write(dir.path(), "Dockerfile", "FROM debian:12\nUSER root\n");
    let got = findings(dir.path(), "2026-11-22");
    assert!(
        got.contains(&"Dockerfile:2 dockerfile-user-root".to_owned()),
        "{got:#?}"
    );
    assert!(got.iter().all(|f| !f.contains('[')), "{got:#?}");
}

/// Several Trivy ignores on one comment, and the `*` wildcard.
#[test]
fn trivy_ignore_lists_and_wildcard() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "#trivy:ignore:AVD-DS-0005 trivy:ignore:AVD-DS-0001\nFROM python:latest\n#trivy:ignore:*\nUSER root\n",
    );
    let got = findings(dir.path(), "2026-11-22");
    assert!(
        got.contains(&"Dockerfile:2 dockerfile-latest-tag [trivy: `# trivy:ignore:AVD-DS-0001` (AVD-DS-0001 is dockerfile-latest-tag)]".to_owned()),
        "{got:#?}"
    );
    assert!(
        got.contains(&"Dockerfile:4 dockerfile-user-root [trivy: `# trivy:ignore:*` (every Trivy check, dockerfile-user-root among them)]".to_owned()),
        "{got:#?}"
    );
}
