//! Helm charts are rendered and Kustomize overlays built before `vouch check` / `vouch scan`
//! check them; `vouch pin` reads charts' values and kustomizations' `images:` and never parses a
//! template as YAML. Real charts and overlays: tests/fixtures/helm_kustomize/SOURCES.md.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm_kustomize")
}

fn check() -> Command {
    let mut c = common::vouch();
    c.arg("check").arg("--today").arg("2026-11-22");
    c
}

/// Copies a fixture folder into `to` (tests never write next to the fixtures).
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// `rule path:line message` of every finding.
fn findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f["rule_id"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap_or(""),
                f["location"]["line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---- Helm -----------------------------------------------------------------------------------

/// microservices-demo's chart renders; findings are placed at the template and its line (the
/// container `- name: server` of templates/frontend.yaml is line 65, its image line 73).
#[test]
fn chart_renders_and_findings_point_at_template_lines() {
    let out = check()
        .arg(fixtures().join("md-helm-chart"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let report = common::json(&out.stdout);
    let f = findings(&report);
    for want in [
        "workload-seccomp-profile templates/frontend.yaml:65 Deployment/frontend container \"server\" sets no seccomp profile (RuntimeDefault or Localhost)",
        "workload-image-not-pinned templates/frontend.yaml:73 Deployment/frontend container \"server\" image \"us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend:v0.10.6\" is not pinned by digest",
        "workload-missing-probes templates/loadgenerator.yaml:101 Deployment/loadgenerator container \"main\" has no livenessProbe",
    ] {
        assert!(f.iter().any(|x| x == want), "missing {want}\n{f:#?}");
    }
    // Rendered resources are in the release namespace: the namespace rule is not for charts.
    assert!(
        !f.iter()
            .any(|x| x.starts_with("workload-default-namespace"))
    );
    // Every finding is at a template of the chart, none at Chart.yaml; nothing is "invalid YAML".
    assert!(
        f.iter()
            .all(|x| x.split(' ').nth(1).unwrap().starts_with("templates/")),
        "{f:#?}"
    );
    assert!(report["not_checked"].as_array().is_none_or(Vec::is_empty));
    assert!(!stderr(&out).contains("YAML"));
}

/// `--values` files are merged over values.yaml in order (later ones win).
#[test]
fn values_files_override_chart_defaults_in_order() {
    let d = tempfile::tempdir().unwrap();
    common::write(d.path(), "on.yaml", "seccompProfile:\n  enable: true\n");
    common::write(d.path(), "off.yaml", "seccompProfile:\n  enable: false\n");
    let seccomp = |values: &[&str]| {
        let mut c = check();
        c.arg(fixtures().join("md-helm-chart"))
            .args(["--format", "json"]);
        for v in values {
            c.arg("--values").arg(d.path().join(v));
        }
        let out = c.output().unwrap();
        common::assert_exit(&out, 1);
        findings(&common::json(&out.stdout))
            .into_iter()
            .filter(|f| f.starts_with("workload-seccomp-profile"))
            .count()
    };
    assert!(seccomp(&[]) > 0);
    assert_eq!(seccomp(&["on.yaml"]), 0);
    assert!(seccomp(&["on.yaml", "off.yaml"]) > 0);
}

/// A values file that cannot be read is exit 2 naming it.
#[test]
fn missing_values_file_is_exit_2() {
    let out = check()
        .arg(fixtures().join("md-helm-chart"))
        .args(["--values", "/nonexistent/values.yaml"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("helm values file /nonexistent/values.yaml"),
        "{}",
        stderr(&out)
    );
}

/// prometheus-community's kube-state-metrics chart re-assigns variables (`$exclude = …`, Go
/// 1.11) inside blocks: rendered with the assignment seen after the block.
#[test]
fn chart_with_variable_assignment_renders() {
    let out = check()
        .arg(fixtures().join("prom-kube-state-metrics"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let f = findings(&common::json(&out.stdout));
    assert!(
        f.iter()
            .any(|x| x.starts_with("workload-image-not-pinned templates/deployment.yaml:")),
        "{f:#?}"
    );
}

/// An action left open is exit 2 naming the template, the construct and its line.
#[test]
fn unclosed_action_is_exit_2_with_template_construct_and_line() {
    let d = chart_with("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name\n");
    let out = check().arg(d.path()).output().unwrap();
    common::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("helm template c/templates/deploy.yaml:4: cannot parse `{{`"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("invalid YAML"));
}

/// prometheus-community's alertmanager chart renders (`omit`, `tpl`, `toYaml`, ranges).
#[test]
fn alertmanager_chart_renders() {
    let out = check()
        .arg(fixtures().join("prom-alertmanager"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let f = findings(&common::json(&out.stdout));
    assert!(
        f.iter()
            .any(|x| x.starts_with("workload-image-not-pinned templates/statefulset.yaml:")),
        "{f:#?}"
    );
}

fn chart_with(template: &str) -> tempfile::TempDir {
    common::dir_with(&[
        ("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        ("c/values.yaml", "image:\n  repository: nginx\n"),
        ("c/templates/deploy.yaml", template),
    ])
}

#[test]
fn unknown_function_is_exit_2_with_its_line() {
    let d = chart_with("apiVersion: v1\nkind: Secret\ndata:\n  ip: {{ getHostByName \"u\" }}\n");
    let out = check().arg(d.path()).output().unwrap();
    common::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(
            "helm template c/templates/deploy.yaml:4: cannot parse `getHostByName`: function getHostByName not defined"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn required_value_missing_is_exit_2_naming_required() {
    let d = chart_with(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: {{ required \"image.tag is required\" .Values.image.tag }}\n",
    );
    let out = check().arg(d.path()).output().unwrap();
    common::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("helm template c/templates/deploy.yaml:8: cannot render `required`"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("image.tag is required"));
}

/// A template (actions, under `templates/`) without a chart is not parsed as YAML: exit 2.
#[test]
fn template_outside_a_chart_is_an_error_not_invalid_yaml() {
    let d = common::dir_with(&[(
        "templates/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n",
    )]);
    let out = check().arg(d.path()).output().unwrap();
    common::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("a Helm template is checked through its chart"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("invalid YAML"));
}

// ---- Kustomize ------------------------------------------------------------------------------

const OVERLAY: &str = "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources:
- ../../base
patches:
- path: root-frontend.yaml
images:
- name: us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend
  newTag: v0.10.7
";

const ROOT_PATCH: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  template:
    spec:
      containers:
        - name: server
          securityContext:
            runAsUser: 0
";

/// microservices-demo's base under an overlay: the patch's `runAsUser: 0` is reported at the
/// patch's line 11 (the value it writes), the image with its new tag at the base's image
/// line, and `namespace:` silences the namespace rule for the built resources.
#[test]
fn overlay_builds_base_patches_images_and_namespace() {
    let d = tempfile::tempdir().unwrap();
    copy(
        &fixtures().join("md-kustomize/base"),
        &d.path().join("base"),
    );
    common::write(d.path(), "overlays/prod/kustomization.yaml", OVERLAY);
    common::write(d.path(), "overlays/prod/root-frontend.yaml", ROOT_PATCH);
    let out = check()
        .arg(d.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let report = common::json(&out.stdout);
    let f = findings(&report);
    for want in [
        "workload-run-as-root overlays/prod/root-frontend.yaml:11 Deployment/frontend container \"server\" runs as root (runAsUser: 0)",
        "workload-image-not-pinned base/frontend.yaml:47 Deployment/frontend container \"server\" image \"us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend:v0.10.7\" is not pinned by digest",
        // The base checked on its own still has no namespace.
        "workload-default-namespace base/frontend.yaml:16 Deployment/frontend has no metadata.namespace (it lands in the current namespace, usually default)",
    ] {
        assert!(f.iter().any(|x| x == want), "missing {want}\n{f:#?}");
    }
    // The patch file is a partial resource: only what the build places there is reported.
    let at_patch: Vec<&String> = f
        .iter()
        .filter(|x| x.contains("root-frontend.yaml"))
        .collect();
    assert_eq!(at_patch.len(), 1, "{at_patch:#?}");
    let built: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["properties"]["built_from"] == "overlays/prod/kustomization.yaml")
        .collect();
    assert!(!built.is_empty());
    assert!(
        !built
            .iter()
            .any(|x| x["rule_id"] == "workload-default-namespace")
    );
}

/// Real components: microservices-demo's `container-images-tag` component retags the base's
/// images when an overlay lists it.
#[test]
fn components_apply_to_the_including_kustomization() {
    let d = tempfile::tempdir().unwrap();
    copy(&fixtures().join("md-kustomize"), d.path());
    common::write(
        d.path(),
        "kustomization.yaml",
        "resources:\n- base\ncomponents:\n- components/container-images-tag\n",
    );
    let out = check()
        .arg(d.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let f = findings(&common::json(&out.stdout));
    assert!(
        f.iter().any(|x| x == "workload-image-not-pinned base/adservice.yaml:46 Deployment/adservice container \"server\" image \"us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/adservice:CONTAINER_IMAGES_TAG\" is not pinned by digest"),
        "{f:#?}"
    );
}

#[test]
fn json6902_patch_and_name_prefix() {
    let d = common::dir_with(&[
        (
            "base/pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  automountServiceAccountToken: false\n  containers:\n  - name: web\n    image: nginx:1.27\n",
        ),
        ("base/kustomization.yaml", "resources:\n- pod.yaml\n"),
        (
            "prod/kustomization.yaml",
            "resources:\n- ../base\nnamePrefix: prod-\npatchesJson6902:\n- target:\n    kind: Pod\n    name: web\n  patch: |-\n    - op: replace\n      path: /spec/automountServiceAccountToken\n      value: true\n",
        ),
    ]);
    let out = check()
        .arg(d.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let f = findings(&common::json(&out.stdout));
    let sa: Vec<&String> = f
        .iter()
        .filter(|x| x.starts_with("workload-service-account-token"))
        .collect();
    // The value came from a JSON patch (no layer of its own): placed at the pod spec's field in
    // the base, the line that the patch replaced.
    assert_eq!(
        sa,
        [
            "workload-service-account-token base/pod.yaml:7 Pod/prod-web mounts a service-account token (automountServiceAccountToken is not false)"
        ]
    );
}

/// A remote base is not fetched: listed as not checked, exit 2, the local part still checked.
#[test]
fn remote_base_is_not_checked_and_exit_2() {
    let d = common::dir_with(&[
        (
            "kustomization.yaml",
            "resources:\n- github.com/acme/deploy//base?ref=v1.2.0\n- pod.yaml\n",
        ),
        (
            "pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:latest\n",
        ),
    ]);
    let out = check()
        .arg(d.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let report = common::json(&out.stdout);
    let nc = report["not_checked"].as_array().unwrap();
    assert!(
        nc.iter().any(|n| n["path"] == "kustomization.yaml"
            && n["reason"]
                == "remote resources entry `github.com/acme/deploy//base?ref=v1.2.0` is not fetched"),
        "{nc:#?}"
    );
    assert!(
        findings(&report)
            .iter()
            .any(|x| x.starts_with("workload-latest-tag pod.yaml:"))
    );
}

#[test]
fn broken_overlays_name_the_cause() {
    for (files, want) in [
        (
            vec![("kustomization.yaml", "resources:\n- missing\n")],
            "kustomization kustomization.yaml: resources entry `missing` is neither a file nor a folder with a kustomization",
        ),
        (
            vec![("k/kustomization.yaml", "resources:\n- ../../outside\n")],
            "kustomization k/kustomization.yaml: resources entry `../../outside` is outside the repository",
        ),
        (
            vec![
                ("a/kustomization.yaml", "resources:\n- ../b\n"),
                ("b/kustomization.yaml", "resources:\n- ../a\n"),
            ],
            "includes itself through ../",
        ),
        (
            vec![
                (
                    "kustomization.yaml",
                    "resources:\n- pod.yaml\npatches:\n- path: p.yaml\n",
                ),
                (
                    "pod.yaml",
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: x\n",
                ),
                (
                    "p.yaml",
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n",
                ),
            ],
            "kustomization kustomization.yaml: patch p.yaml matches no resource (kind Pod, name other)",
        ),
    ] {
        let d = common::dir_with(&files);
        let out = check().arg(d.path()).output().unwrap();
        common::assert_exit(&out, 2);
        assert!(stderr(&out).contains(want), "{want}\n{}", stderr(&out));
    }
}

// ---- pin ------------------------------------------------------------------------------------

/// `vouch pin` on a chart and an overlay: templates are not parsed (no "malformed YAML", no
/// exit 2); images in values.yaml and kustomization `images:` are reported with their reason.
#[test]
fn pin_reads_values_and_kustomization_images_not_templates() {
    let d = tempfile::tempdir().unwrap();
    copy(&fixtures().join("md-helm-chart"), &d.path().join("chart"));
    common::write(
        d.path(),
        "chart/values.yaml",
        "web:\n  image: nginx:1.27\nredis:\n  image:\n    registry: docker.io\n    repository: bitnami/redis\n    tag: 7.4.1\ncache:\n  image:\n    repository: memcached\n    tag: \"1.6\"\n    digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
    );
    common::write(
        d.path(),
        "overlay/kustomization.yaml",
        "resources: []\nimages:\n- name: nginx\n  newTag: 1.27.3\n- name: redis\n  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
    );
    let out = common::vouch()
        .args(["pin", "--check", "--offline"])
        .arg(d.path())
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(!text.contains("malformed"), "{text}");
    for want in [
        "chart/values.yaml:2: nginx:1.27[unpinned-reference]",
        "chart/values.yaml:6: docker.io/bitnami/redis:7.4.1[unpinned-reference]: `docker.io/bitnami/redis:7.4.1` is mutable: the image is split into `repository` and `tag`",
        "overlay/kustomization.yaml:3: nginx:1.27.3[unpinned-reference]: `nginx:1.27.3` is mutable: a kustomization `images:` entry is pinned by its `digest:` field",
    ] {
        assert!(text.contains(want), "missing {want}\n{text}");
    }
    // The pinned ones are not reported.
    assert!(!text.contains("memcached"), "{text}");
    assert!(!text.contains("redis@"), "{text}");
}

// ---- scan -----------------------------------------------------------------------------------

/// `vouch scan --values` renders charts with the values files, as `vouch check` does.
#[test]
fn scan_passes_values_to_the_configuration_check() {
    let d = tempfile::tempdir().unwrap();
    copy(&fixtures().join("md-helm-chart"), &d.path().join("chart"));
    common::write(d.path(), "on.yaml", "seccompProfile:\n  enable: true\n");
    let rules = |values: bool| {
        let mut c = common::vouch();
        c.args(["scan", "--skip", "vulnerabilities", "--skip", "secrets"])
            .args(["--skip", "pinning", "--format", "json"])
            .arg(d.path().join("chart"));
        if values {
            c.arg("--values").arg(d.path().join("on.yaml"));
        }
        let out = c.output().unwrap();
        common::assert_exit(&out, 1);
        common::json(&out.stdout)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "workload-seccomp-profile")
            .count()
    };
    assert!(rules(false) > 0);
    assert_eq!(rules(true), 0);
}
