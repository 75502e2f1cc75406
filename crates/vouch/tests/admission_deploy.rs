//! The admission webhook's deployment (`deploy/`, docs/admission.md): the webhook
//! configurations hold only fields of `admissionregistration.k8s.io/v1` (the field list of
//! kubernetes/api's `generated.proto`, copied into the fixtures) with the values that keep the
//! cluster fail-closed and the webhook out of its own way; the Deployment is hardened; and
//! vouch's own rules (`vouch check`, `vouch pin --check`) find nothing in the plain manifests
//! nor in the rendered Helm chart. Each property has a failing case built by changing a copy.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::assert_exit;
use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn deploy() -> PathBuf {
    repo().join("deploy")
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/admission")
        .join(rel)
}

/// Every YAML document of `deploy/kubernetes/*.yaml`, by `kind/name`.
fn objects(dir: &Path) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for doc in vouch_yaml::load_all(&text).unwrap_or_else(|e| panic!("{path:?}: {e}")) {
            if doc.is_null() {
                continue;
            }
            let key = format!(
                "{}/{}",
                doc["kind"].as_str().unwrap(),
                doc["metadata"]["name"].as_str().unwrap()
            );
            assert!(out.insert(key.clone(), doc).is_none(), "{key} twice");
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The field list of admissionregistration.k8s.io/v1, read from generated.proto.

/// One field of a proto message: its JSON name, its type and whether it is a list.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    ty: String,
    repeated: bool,
}

/// `message Name { optional|repeated TYPE name = N; … }` of a generated.proto (no nesting:
/// Kubernetes' generated protos declare every message at the top level).
fn proto_messages(text: &str) -> BTreeMap<String, Vec<Field>> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, Vec<Field>)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("message ") {
            let name = rest.trim_end_matches(" {").trim().to_owned();
            current = Some((name, Vec::new()));
        } else if line == "}" {
            if let Some((name, fields)) = current.take() {
                out.insert(name, fields);
            }
        } else if let Some((_, fields)) = current.as_mut() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [label @ ("optional" | "repeated"), ty, name, "=", _] = words.as_slice() {
                // Go's JSON names: the proto names with a lower-case first letter
                // (`Webhooks` is `webhooks` on the wire).
                let mut json_name = name.to_string();
                json_name[..1].make_ascii_lowercase();
                fields.push(Field {
                    name: json_name,
                    ty: ty.rsplit('.').next().unwrap().to_owned(),
                    repeated: *label == "repeated",
                });
            }
        }
    }
    out
}

fn api() -> BTreeMap<String, Vec<Field>> {
    let text = std::fs::read_to_string(fixture(
        "k8s-api-proto/admissionregistration-v1.generated.proto",
    ))
    .unwrap();
    proto_messages(&text)
}

/// Fields a message accepts in JSON: its own, plus those of an inlined member
/// (`RuleWithOperations` embeds `Rule` with `json:",inline"`).
fn fields_of(api: &BTreeMap<String, Vec<Field>>, message: &str) -> Vec<Field> {
    let mut fields = api
        .get(message)
        .unwrap_or_else(|| panic!("no message {message}"))
        .clone();
    if message == "RuleWithOperations" {
        fields.retain(|f| f.name != "rule");
        fields.extend(api["Rule"].iter().cloned());
    }
    fields
}

/// Every key of `value` that `message` does not declare, and every value of the wrong JSON
/// type, as `path: problem` lines.
fn schema_problems(
    api: &BTreeMap<String, Vec<Field>>,
    message: &str,
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
) {
    let Some(map) = value.as_object() else {
        out.push(format!(
            "{path}: expected an object ({message}), found {value}"
        ));
        return;
    };
    let fields = fields_of(api, message);
    for (key, v) in map {
        let here = format!("{path}.{key}");
        let Some(field) = fields.iter().find(|f| &f.name == key) else {
            out.push(format!("{here}: no field `{key}` in {message}"));
            continue;
        };
        let items: Vec<&Value> = if field.repeated {
            match v.as_array() {
                Some(a) => a.iter().collect(),
                None => {
                    out.push(format!("{here}: expected a list, found {v}"));
                    continue;
                }
            }
        } else {
            vec![v]
        };
        for item in items {
            let ok = match field.ty.as_str() {
                "string" | "bytes" => item.is_string(),
                "int32" | "int64" => item.is_i64(),
                "bool" => item.is_boolean(),
                // metav1 types (LabelSelector, ObjectMeta) live in another proto: objects.
                "LabelSelector" | "ObjectMeta" => item.is_object(),
                ty if api.contains_key(ty) => {
                    schema_problems(api, ty, item, &here, out);
                    true
                }
                ty => panic!("{here}: type {ty} not handled"),
            };
            if !ok {
                out.push(format!("{here}: expected {}, found {item}", field.ty));
            }
        }
    }
}

/// The schema problems of a whole webhook configuration object (`webhooks` only: metadata is
/// ObjectMeta, apiVersion/kind are TypeMeta).
fn configuration_problems(api: &BTreeMap<String, Vec<Field>>, object: &Value) -> Vec<String> {
    let kind = object["kind"].as_str().unwrap();
    let mut out = Vec::new();
    for key in object.as_object().unwrap().keys() {
        if !["apiVersion", "kind", "metadata", "webhooks"].contains(&key.as_str()) {
            out.push(format!("{kind}.{key}: no field `{key}` in {kind}"));
        }
    }
    if object["apiVersion"] != "admissionregistration.k8s.io/v1" {
        out.push(format!("{kind}.apiVersion: {}", object["apiVersion"]));
    }
    let hook = kind.trim_end_matches("Configuration");
    for (i, w) in object["webhooks"].as_array().unwrap().iter().enumerate() {
        schema_problems(api, hook, w, &format!("{kind}.webhooks[{i}]"), &mut out);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The settings the issue requires of both webhook configurations.

const WORKLOADS: [(&str, &str); 8] = [
    ("", "pods"),
    ("", "pods/ephemeralcontainers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

/// What is wrong with a webhook configuration, one line each; empty when it is as required.
fn required_settings(object: &Value, namespace: &str, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let kind = object["kind"].as_str().unwrap();
    let mut want = |ok: bool, what: String| {
        if !ok {
            out.push(what);
        }
    };
    want(
        object["metadata"]["annotations"]["cert-manager.io/inject-ca-from"]
            == format!("{namespace}/vouch-admission").as_str(),
        format!("{kind}: cert-manager.io/inject-ca-from is not {namespace}/vouch-admission"),
    );
    let hooks = object["webhooks"].as_array().unwrap();
    want(
        hooks.len() == 1,
        format!("{kind}: {} webhooks", hooks.len()),
    );
    for w in hooks {
        let name = w["name"].as_str().unwrap_or("?");
        want(
            w["failurePolicy"] == "Fail",
            format!("{name}: failurePolicy is {}", w["failurePolicy"]),
        );
        want(
            w["sideEffects"] == "None",
            format!("{name}: sideEffects is {}", w["sideEffects"]),
        );
        want(
            w["admissionReviewVersions"] == json!(["v1"]),
            format!(
                "{name}: admissionReviewVersions is {}",
                w["admissionReviewVersions"]
            ),
        );
        want(
            w["timeoutSeconds"] == 10,
            format!("{name}: timeoutSeconds is {}", w["timeoutSeconds"]),
        );
        let service = &w["clientConfig"]["service"];
        want(
            service
                == &json!({"name": "vouch-admission", "namespace": namespace, "path": path, "port": 443}),
            format!("{name}: clientConfig.service is {service}"),
        );
        // Every pod-carrying kind, CREATE and UPDATE, nothing else.
        let mut covered = BTreeSet::new();
        for rule in w["rules"].as_array().into_iter().flatten() {
            want(
                rule["operations"] == json!(["CREATE", "UPDATE"]),
                format!("{name}: operations {}", rule["operations"]),
            );
            want(
                rule["apiVersions"] == json!(["v1"]),
                format!("{name}: apiVersions {}", rule["apiVersions"]),
            );
            for g in rule["apiGroups"].as_array().into_iter().flatten() {
                for r in rule["resources"].as_array().into_iter().flatten() {
                    covered.insert((
                        g.as_str().unwrap().to_owned(),
                        r.as_str().unwrap().to_owned(),
                    ));
                }
            }
        }
        for (g, r) in WORKLOADS {
            want(
                covered.contains(&(g.to_owned(), r.to_owned())),
                format!("{name}: {g}/{r} is not sent to the webhook"),
            );
        }
        // kube-system and the webhook's own namespace are never sent.
        let excluded: Vec<&Value> = w["namespaceSelector"]["matchExpressions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["key"] == "kubernetes.io/metadata.name" && e["operator"] == "NotIn")
            .flat_map(|e| e["values"].as_array().into_iter().flatten())
            .collect();
        for ns in ["kube-system", namespace] {
            want(
                excluded.iter().any(|v| *v == ns),
                format!("{name}: namespace {ns} is not excluded"),
            );
        }
    }
    out
}

#[test]
fn the_webhook_configurations_hold_only_fields_of_the_api() {
    let api = api();
    assert!(api.contains_key("ValidatingWebhook") && api.contains_key("ServiceReference"));
    let objects = objects(&deploy().join("kubernetes"));
    for key in [
        "ValidatingWebhookConfiguration/vouch-admission",
        "MutatingWebhookConfiguration/vouch-admission",
    ] {
        assert_eq!(
            configuration_problems(&api, &objects[key]),
            Vec::<String>::new(),
            "{key}"
        );
    }
    // Failing case: a misspelt key, a number written as text and a field of the other kind
    // (reinvocationPolicy exists only for mutating webhooks).
    let mut bad = objects["ValidatingWebhookConfiguration/vouch-admission"].clone();
    let w = &mut bad["webhooks"][0];
    w["failurPolicy"] = json!("Fail");
    w["timeoutSeconds"] = json!("10");
    w["reinvocationPolicy"] = json!("IfNeeded");
    w["clientConfig"]["service"]["port"] = json!(443.5);
    assert_eq!(
        configuration_problems(&api, &bad),
        [
            "ValidatingWebhookConfiguration.webhooks[0].clientConfig.service.port: expected int32, found 443.5",
            "ValidatingWebhookConfiguration.webhooks[0].failurPolicy: no field `failurPolicy` in ValidatingWebhook",
            "ValidatingWebhookConfiguration.webhooks[0].reinvocationPolicy: no field `reinvocationPolicy` in ValidatingWebhook",
            "ValidatingWebhookConfiguration.webhooks[0].timeoutSeconds: expected int32, found \"10\"",
        ]
    );
}

#[test]
fn the_webhook_configurations_fail_closed_and_skip_their_own_namespace() {
    let objects = objects(&deploy().join("kubernetes"));
    let validating = &objects["ValidatingWebhookConfiguration/vouch-admission"];
    let mutating = &objects["MutatingWebhookConfiguration/vouch-admission"];
    assert_eq!(
        required_settings(validating, "vouch-system", "/validate"),
        Vec::<String>::new()
    );
    assert_eq!(
        required_settings(mutating, "vouch-system", "/mutate"),
        Vec::<String>::new()
    );
    assert_eq!(mutating["webhooks"][0]["reinvocationPolicy"], "IfNeeded");

    // The Service and the certificate the configurations point at exist and agree.
    let service = &objects["Service/vouch-admission"];
    assert_eq!(service["metadata"]["namespace"], "vouch-system");
    assert_eq!(
        service["spec"]["ports"],
        json!([{"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}])
    );
    let cert = &objects["Certificate/vouch-admission"];
    assert_eq!(cert["metadata"]["namespace"], "vouch-system");
    assert!(
        cert["spec"]["dnsNames"]
            .as_array()
            .unwrap()
            .contains(&json!("vouch-admission.vouch-system.svc")),
        "{cert}"
    );
    assert_eq!(cert["spec"]["issuerRef"]["name"], "vouch-admission-ca");
    assert_eq!(
        objects["Certificate/vouch-admission-ca"]["spec"]["isCA"],
        true
    );
    let deployment = &objects["Deployment/vouch-admission"];
    let tls = deployment["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "tls")
        .unwrap();
    assert_eq!(tls["secret"]["secretName"], cert["spec"]["secretName"]);

    // Failing case: fail-open, a longer wait than the API server allows for, kube-system sent.
    let mut bad = validating.clone();
    let w = &mut bad["webhooks"][0];
    w["failurePolicy"] = json!("Ignore");
    w["timeoutSeconds"] = json!(30);
    w["rules"][0]["operations"] = json!(["*"]);
    w["namespaceSelector"]["matchExpressions"][0]["values"] = json!(["vouch-system"]);
    bad["metadata"]["annotations"] = json!({});
    assert_eq!(
        required_settings(&bad, "vouch-system", "/validate"),
        [
            "ValidatingWebhookConfiguration: cert-manager.io/inject-ca-from is not vouch-system/vouch-admission",
            "validate.admission.vouch.dev: failurePolicy is \"Ignore\"",
            "validate.admission.vouch.dev: timeoutSeconds is 30",
            "validate.admission.vouch.dev: operations [\"*\"]",
            "validate.admission.vouch.dev: namespace kube-system is not excluded",
        ]
    );
    // A webhook that leaves out ephemeral containers or CronJobs.
    let mut bad = mutating.clone();
    bad["webhooks"][0]["rules"][0]["resources"] = json!(["pods"]);
    bad["webhooks"][0]["rules"][2]["resources"] = json!(["jobs"]);
    assert_eq!(
        required_settings(&bad, "vouch-system", "/mutate"),
        [
            "mutate.admission.vouch.dev: /pods/ephemeralcontainers is not sent to the webhook",
            "mutate.admission.vouch.dev: batch/cronjobs is not sent to the webhook",
        ]
    );
}

#[test]
fn the_deployment_is_hardened_and_survives_disruptions() {
    let objects = objects(&deploy().join("kubernetes"));
    for (key, obj) in &objects {
        let cluster_scoped = ["Namespace/", "ValidatingWebhook", "MutatingWebhook"];
        if !cluster_scoped.iter().any(|p| key.starts_with(p)) {
            assert_eq!(obj["metadata"]["namespace"], "vouch-system", "{key}");
        }
    }
    let d = &objects["Deployment/vouch-admission"];
    assert_eq!(d["spec"]["replicas"], 2);
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["automountServiceAccountToken"], false);
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    let c = &pod["containers"][0];
    let sc = &c["securityContext"];
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault");
    for part in ["requests", "limits"] {
        for res in ["cpu", "memory"] {
            assert!(c["resources"][part][res].is_string(), "{part}.{res}");
        }
    }
    for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
        assert_eq!(
            c[probe]["httpGet"],
            json!({"path": path, "port": "https", "scheme": "HTTPS"}),
            "{probe}"
        );
    }
    assert_eq!(c["ports"][0]["containerPort"], 8443);
    // The image by digest: `sha256:` and 64 hex digits, a tag kept for the reader.
    let image = c["image"].as_str().unwrap();
    let (name, digest) = image.split_once("@sha256:").unwrap();
    assert!(name.contains(':'), "{image}");
    assert!(
        digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "{image}"
    );
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "admission",
            "serve",
            "--config",
            "/etc/vouch/policy/admission.toml",
            "--tls-cert",
            "/etc/vouch/tls/tls.crt",
            "--tls-key",
            "/etc/vouch/tls/tls.key",
            "--listen",
            "0.0.0.0:8443"
        ]
    );

    let pdb = &objects["PodDisruptionBudget/vouch-admission"];
    assert_eq!(pdb["spec"]["minAvailable"], 1);
    assert_eq!(
        pdb["spec"]["selector"]["matchLabels"],
        d["spec"]["selector"]["matchLabels"]
    );

    // Ingress: 8443 only. Egress: DNS (53) and HTTPS to registries (443) only.
    let np = &objects["NetworkPolicy/vouch-admission"];
    assert_eq!(np["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
    let ports = |rules: &Value| -> Vec<(String, i64)> {
        rules
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["ports"].as_array().unwrap().iter())
            .map(|p| {
                (
                    p["protocol"].as_str().unwrap().to_owned(),
                    p["port"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(ports(&np["spec"]["ingress"]), [("TCP".to_owned(), 8443)]);
    assert_eq!(
        ports(&np["spec"]["egress"]),
        [
            ("UDP".to_owned(), 53),
            ("TCP".to_owned(), 53),
            ("TCP".to_owned(), 443)
        ]
    );

    // The ConfigMap holds what `--config` names, and the policy the rule names.
    let cm = &objects["ConfigMap/vouch-admission-policy"];
    let admission = cm["data"]["admission.toml"].as_str().unwrap();
    let parsed: toml::Table = admission.parse().unwrap();
    assert_eq!(parsed["unmatched"].as_str(), Some("deny"));
    assert_eq!(parsed["deadline"].as_str(), Some("5s"));
    let rule = &parsed["rules"].as_array().unwrap()[0];
    assert_eq!(rule["mode"].as_str(), Some("enforce"));
    assert_eq!(rule["on-error"].as_str(), Some("deny"));
    let policy = rule["policy"].as_str().unwrap();
    let gate: toml::Table = cm["data"][policy].as_str().unwrap().parse().unwrap();
    for key in gate["trust"]["keys"].as_array().unwrap() {
        assert!(cm["data"][key.as_str().unwrap()].is_string(), "{key}");
    }
}

/// A copy of `deploy/` in a temporary folder, to change and check.
fn copy_of_deploy() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), &target).unwrap();
            }
        }
    }
    let d = tempfile::tempdir().unwrap();
    copy(&deploy(), &d.path().join("deploy"));
    d
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    common::vouch()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn vouch_check_finds_nothing_in_deploy_nor_in_the_rendered_chart() {
    let out = run(&repo(), &["check", "deploy/"]);
    assert_exit(&out, 0);
    assert_eq!(text(&out.stdout), "no findings\n");
    assert!(
        text(&out.stderr).contains("checked 11 file(s), 0 could not be checked"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&repo(), &["check", "deploy/helm/vouch-admission"]);
    assert_exit(&out, 0);
    let out = run(&repo(), &["pin", "--check", "--offline", "deploy/"]);
    assert_exit(&out, 0);
    assert_eq!(text(&out.stdout), "");

    // The chart renders the plain manifests' objects (the release's namespace is chosen at
    // install, so no Namespace), with the same settings where the checks look.
    let out = run(
        &repo(),
        &[
            "check",
            "deploy/helm/vouch-admission",
            "--print-input",
            "deploy/helm/vouch-admission/Chart.yaml",
        ],
    );
    assert_exit(&out, 0);
    let input = common::json(&out.stdout);
    let rendered: BTreeSet<String> = input["k8s"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect();
    let plain: BTreeSet<String> = objects(&deploy().join("kubernetes"))
        .keys()
        .map(|k| k.split('/').next().unwrap().to_owned())
        .filter(|k| k != "Namespace")
        .collect();
    assert_eq!(rendered, plain);
    // The chart's webhook settings: literal in the template, or values whose defaults are the
    // plain manifests' settings.
    let chart = deploy().join("helm/vouch-admission");
    let values: Value =
        vouch_yaml::load_all(&std::fs::read_to_string(chart.join("values.yaml")).unwrap())
            .unwrap()
            .remove(0);
    assert_eq!(values["replicaCount"], 2);
    assert_eq!(values["webhook"]["failurePolicy"], "Fail");
    assert_eq!(values["webhook"]["timeoutSeconds"], 10);
    assert_eq!(
        values["webhook"]["excludedNamespaces"],
        json!(["kube-system"])
    );
    assert_eq!(values["certManager"]["enabled"], true);
    let template = std::fs::read_to_string(chart.join("templates/webhooks.yaml")).unwrap();
    for line in [
        "    failurePolicy: {{ $.Values.webhook.failurePolicy }}",
        "    sideEffects: None",
        "    admissionReviewVersions: [\"v1\"]",
        "    timeoutSeconds: {{ $.Values.webhook.timeoutSeconds }}",
        "            - {{ $.Release.Namespace }}",
        "    cert-manager.io/inject-ca-from: {{ $.Release.Namespace }}/{{ $name }}",
        "        resources: [\"pods\", \"pods/ephemeralcontainers\"]",
        "        resources: [\"deployments\", \"replicasets\", \"statefulsets\", \"daemonsets\"]",
        "        resources: [\"jobs\", \"cronjobs\"]",
    ] {
        assert!(template.lines().any(|l| l == line), "{line}");
    }
    let deployment = input["k8s"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "Deployment")
        .unwrap();
    let c = &deployment["containers"][0];
    assert_eq!(c["image"]["pinned"], true, "{c}");
    assert_eq!(c["effective"]["read_only_root_filesystem"], true);
    assert_eq!(c["liveness_probe"], true);
    assert_eq!(c["readiness_probe"], true);
}

#[test]
fn vouch_check_reports_a_deployment_by_tag_and_a_writable_root() {
    // Failing case: the same manifests with the digest removed and the root writable.
    let d = copy_of_deploy();
    let path = d.path().join("deploy/kubernetes/deployment.yaml");
    let original = std::fs::read_to_string(&path).unwrap();
    let changed = original
        .replace(
            "@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "",
        )
        .replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
        );
    assert_ne!(changed, original);
    std::fs::write(&path, changed).unwrap();
    let line = |needle: &str| original.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let out = run(
        d.path(),
        &["check", "deploy/kubernetes", "--format", "json"],
    );
    assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    let found: BTreeSet<(String, u64, String)> = v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, u64, String)> = [
        (
            "workload-image-not-pinned".to_owned(),
            line("image: registry.example.com/vouch/vouch") as u64,
            "Deployment/vouch-admission container \"vouch\" image \"registry.example.com/vouch/vouch:0.1.0\" is not pinned by digest".to_owned(),
        ),
        (
            "workload-read-only-root-fs".to_owned(),
            line("- name: vouch") as u64,
            "Deployment/vouch-admission container \"vouch\" does not set readOnlyRootFilesystem: true".to_owned(),
        ),
    ]
    .into();
    assert_eq!(found, expected, "{v}");

    // The chart with the digest emptied by a values file: the template's image line.
    let values = d.path().join("tag-only.yaml");
    std::fs::write(&values, "image:\n  digest: \"\"\n").unwrap();
    let out = run(
        d.path(),
        &[
            "check",
            "deploy/helm/vouch-admission",
            "--values",
            values.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_exit(&out, 1);
    let template =
        std::fs::read_to_string(deploy().join("helm/vouch-admission/templates/deployment.yaml"))
            .unwrap();
    let image_line = template
        .lines()
        .position(|l| l.trim_start().starts_with("image: "))
        .unwrap()
        + 1;
    let v = common::json(&out.stdout);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v}");
    assert_eq!(findings[0]["rule_id"], "workload-image-not-pinned");
    assert_eq!(
        findings[0]["location"],
        json!({"path": "templates/deployment.yaml", "line": image_line})
    );
}
