//! Workloads: Kubernetes manifests → `input.k8s`, docker-compose → `input.compose`.
//!
//! A plain manifest is located by its own [`LineIndex`]; a built set of resources (a rendered
//! chart, a kustomization) by a [`Locate`] that answers with keys of a [`super::SourceMap`]
//! (see `super::built`), so the same normaliser and rules serve all three.

use serde_json::{Map, Value, json};

use super::{Anchor, InputError};
use crate::image::ImageInput;
use vouch_yaml::{self as yaml, LineIndex, Seg};

fn k(s: &str) -> Seg {
    Seg::Key(s.to_owned())
}

/// Where a path of a document is written: the line of the path (or of its nearest located
/// ancestor), or only of the exact path.
pub(crate) trait Locate {
    fn line(&self, doc: usize, path: &[Seg]) -> Option<u32>;
    fn exact(&self, doc: usize, path: &[Seg]) -> Option<u32>;
}

impl Locate for LineIndex {
    fn line(&self, doc: usize, path: &[Seg]) -> Option<u32> {
        LineIndex::line(self, doc, path)
    }
    fn exact(&self, doc: usize, path: &[Seg]) -> Option<u32> {
        LineIndex::exact(self, doc, path)
    }
}

/// Where the pod spec of each workload kind lives.
pub(crate) fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &["spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController"
        | "DeploymentConfig" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "PodTemplate" => &["template", "spec"],
        _ => return None,
    })
}

/// Kubernetes manifests (multi-document, `kind: List` expanded) → `input.k8s`.
pub fn kubernetes(text: &str) -> Result<(Value, Vec<Anchor>), InputError> {
    let docs = yaml::load_all(text)?;
    let idx = LineIndex::build(text);
    Ok(workloads(&docs, &idx))
}

/// `input.k8s` of parsed documents (document `d` of `docs` is document `d` for `loc`).
pub(crate) fn workloads(docs: &[Value], loc: &dyn Locate) -> (Value, Vec<Anchor>) {
    let mut resources = Vec::new();
    let mut anchors = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let Value::Object(obj) = doc else { continue };
        if obj.get("kind").and_then(Value::as_str) == Some("List") {
            if let Some(Value::Array(items)) = obj.get("items") {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(o) = item {
                        let base = vec![k("items"), Seg::Index(i)];
                        resources.push(resource(o, d, &base, loc, &mut anchors));
                    }
                }
            }
            continue;
        }
        resources.push(resource(obj, d, &[], loc, &mut anchors));
    }
    (json!({"resources": resources}), anchors)
}

/// A capability as the rules compare it: upper case, without a `CAP_` prefix.
fn capability(v: &Value) -> Value {
    match v.as_str() {
        Some(s) => {
            let u = s.trim().to_ascii_uppercase();
            Value::String(u.strip_prefix("CAP_").unwrap_or(&u).to_owned())
        }
        None => v.clone(),
    }
}

fn resource(
    obj: &Map<String, Value>,
    doc: usize,
    base: &[Seg],
    idx: &dyn Locate,
    anchors: &mut Vec<Anchor>,
) -> Value {
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let meta = obj.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut kp = base.to_vec();
    kp.push(k("kind"));
    let line = idx.line(doc, &kp).or_else(|| idx.line(doc, base));
    if let (Some(n), Some(l)) = (&name, line) {
        anchors.push(Anchor {
            name: n.clone(),
            line: l,
            path: None,
        });
    }
    let mut np = base.to_vec();
    np.extend([k("metadata"), k("namespace")]);
    let mut out = json!({
        "kind": kind,
        "api_version": obj.get("apiVersion"),
        "name": name,
        "namespace": meta.and_then(|m| m.get("namespace")),
        "namespace_line": idx.exact(doc, &np).or(line),
        "automount_service_account_token": obj.get("automountServiceAccountToken"),
        "doc": doc,
        "line": line,
        "pod_spec": null,
        "containers": [],
    });
    let Some(path) = pod_spec_path(&kind) else {
        return out;
    };
    let mut spec = Some(&Value::Object(obj.clone())).cloned();
    let mut sp = base.to_vec();
    for p in path {
        spec = spec.and_then(|s| s.get(*p).cloned());
        sp.push(k(p));
    }
    let Some(spec) = spec else { return out };
    let pod_sc = spec.get("securityContext").cloned().unwrap_or(Value::Null);
    let seccomp_of = |sc: &Value| {
        sc.get("seccompProfile")
            .and_then(|p| p.get("type"))
            .cloned()
    };
    let mut pod_scp = sp.clone();
    pod_scp.push(k("securityContext"));
    let pod_seccomp_line = {
        let mut p = pod_scp.clone();
        p.push(k("seccompProfile"));
        idx.exact(doc, &p)
    };
    let mut containers = Vec::new();
    for (field, ctype) in [
        ("initContainers", "init"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeral"),
    ] {
        let Some(Value::Array(cs)) = spec.get(field) else {
            continue;
        };
        for (i, c) in cs.iter().enumerate() {
            let mut cp = sp.clone();
            cp.push(k(field));
            cp.push(Seg::Index(i));
            let cline = idx.line(doc, &cp);
            let sub = |keys: &[&str]| {
                let mut p = cp.clone();
                p.extend(keys.iter().map(|s| k(s)));
                idx.exact(doc, &p)
            };
            let image = c.get("image").and_then(Value::as_str);
            let sc = c.get("securityContext").cloned().unwrap_or(Value::Null);
            let eff = |key: &str| -> Value {
                sc.get(key)
                    .or_else(|| pod_sc.get(key))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            let limits = c.get("resources").and_then(|r| r.get("limits"));
            let caps = sc.get("capabilities");
            let cap_list = |which: &str| -> Value {
                match caps.and_then(|c| c.get(which)) {
                    Some(Value::Array(a)) => Value::Array(a.iter().map(capability).collect()),
                    _ => Value::Array(Vec::new()),
                }
            };
            let seccomp = seccomp_of(&sc).or_else(|| seccomp_of(&pod_sc));
            let run_as_user_line = if sc.get("runAsUser").is_some() {
                sub(&["securityContext", "runAsUser"])
            } else {
                let mut p = pod_scp.clone();
                p.push(k("runAsUser"));
                idx.exact(doc, &p)
            }
            .or(cline);
            let seccomp_line = sub(&["securityContext", "seccompProfile"])
                .or(if seccomp_of(&sc).is_none() {
                    pod_seccomp_line
                } else {
                    None
                })
                .or(cline);
            containers.push(json!({
                "name": c.get("name"),
                "type": ctype,
                "line": cline,
                "image": image.map(ImageInput::parse),
                "image_line": sub(&["image"]).or(cline),
                "security_context": sc,
                "security_context_line": sub(&["securityContext"]).or(cline),
                "resources": c.get("resources"),
                "has_limits": limits.is_some_and(|l| l.get("memory").is_some() && l.get("cpu").is_some()),
                "restart_policy": c.get("restartPolicy"),
                "liveness_probe": c.get("livenessProbe").is_some_and(|p| !p.is_null()),
                "readiness_probe": c.get("readinessProbe").is_some_and(|p| !p.is_null()),
                "capabilities": {"add": cap_list("add"), "drop": cap_list("drop")},
                "capabilities_add_line": sub(&["securityContext", "capabilities", "add"]).or(cline),
                "capabilities_line": sub(&["securityContext", "capabilities"]).or(cline),
                "seccomp_line": seccomp_line,
                "run_as_user_line": run_as_user_line,
                "effective": {
                    "privileged": sc.get("privileged").cloned().unwrap_or(Value::Null),
                    "allow_privilege_escalation": sc.get("allowPrivilegeEscalation").cloned().unwrap_or(Value::Null),
                    "read_only_root_filesystem": sc.get("readOnlyRootFilesystem").cloned().unwrap_or(Value::Null),
                    "run_as_non_root": eff("runAsNonRoot"),
                    "run_as_user": eff("runAsUser"),
                    "seccomp_profile": seccomp.unwrap_or(Value::Null),
                },
            }));
        }
    }
    let volumes: Vec<Value> = spec
        .get("volumes")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .enumerate()
                .map(|(i, v)| {
                    let mut vp = sp.clone();
                    vp.push(k("volumes"));
                    vp.push(Seg::Index(i));
                    json!({
                        "name": v.get("name"),
                        "host_path": v.get("hostPath").and_then(|h| h.get("path")),
                        "line": idx.line(doc, &vp),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let field_line = |f: &str| {
        let mut p = sp.clone();
        p.push(k(f));
        idx.exact(doc, &p).or(line)
    };
    out["pod_spec"] = json!({
        "line": idx.line(doc, &sp),
        "host_network": spec.get("hostNetwork").cloned().unwrap_or(Value::Bool(false)),
        "host_network_line": field_line("hostNetwork"),
        "host_pid": spec.get("hostPID").cloned().unwrap_or(Value::Bool(false)),
        "host_pid_line": field_line("hostPID"),
        "host_ipc": spec.get("hostIPC").cloned().unwrap_or(Value::Bool(false)),
        "security_context": pod_sc,
        "automount_service_account_token": spec.get("automountServiceAccountToken").cloned().unwrap_or(Value::Null),
        "automount_service_account_token_line": field_line("automountServiceAccountToken"),
        "service_account_name": spec.get("serviceAccountName").cloned().unwrap_or(Value::Null),
        "volumes": volumes,
    });
    out["containers"] = Value::Array(containers);
    out
}

/// docker-compose → `input.compose`.
pub fn compose(text: &str) -> Result<(Value, Vec<Anchor>), InputError> {
    let docs = yaml::load_all(text)?;
    let idx = LineIndex::build(text);
    let top = docs
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or(Value::Null);
    let mut services = Vec::new();
    let mut anchors = Vec::new();
    if let Some(Value::Object(svcs)) = top.get("services") {
        for (name, s) in svcs {
            let base = [k("services"), k(name)];
            let line = idx.line(0, &base);
            if let Some(l) = line {
                anchors.push(Anchor {
                    name: name.clone(),
                    line: l,
                    path: None,
                });
            }
            let get = |f: &str| s.get(f).cloned().unwrap_or(Value::Null);
            let fl = |f: &str| idx.exact(0, &[k("services"), k(name), k(f)]).or(line);
            let limits = s
                .get("deploy")
                .and_then(|d| d.get("resources"))
                .and_then(|r| r.get("limits"));
            let has_limits =
                limits.is_some_and(|l| l.get("memory").is_some()) || s.get("mem_limit").is_some();
            let volumes: Vec<Value> = s
                .get("volumes")
                .and_then(Value::as_array)
                .map(|vs| {
                    vs.iter()
                        .map(|v| match v {
                            Value::String(st) => {
                                let src = st.split(':').next().unwrap_or("");
                                let host = src.starts_with('/')
                                    || src.starts_with('.')
                                    || src.starts_with('~');
                                json!({"raw": st, "source": src, "bind": host && st.contains(':')})
                            }
                            Value::Object(o) => json!({
                                "raw": v,
                                "source": o.get("source"),
                                "bind": o.get("type").and_then(Value::as_str) == Some("bind"),
                            }),
                            _ => json!({"raw": v, "source": null, "bind": false}),
                        })
                        .collect()
                })
                .unwrap_or_default();
            services.push(json!({
                "name": name,
                "line": line,
                "image": s.get("image").and_then(Value::as_str).map(ImageInput::parse),
                "image_line": fl("image"),
                "build": get("build"),
                "privileged": get("privileged"),
                "privileged_line": fl("privileged"),
                "user": get("user"),
                "network_mode": get("network_mode"),
                "network_mode_line": fl("network_mode"),
                "pid": get("pid"),
                "pid_line": fl("pid"),
                "volumes": volumes,
                "volumes_line": fl("volumes"),
                "security_opt": get("security_opt"),
                "cap_add": get("cap_add"),
                "has_limits": has_limits,
            }));
        }
    }
    Ok((json!({"services": services}), anchors))
}
