//! CI definitions: GitLab CI → `input.ci`, GitHub workflows → `input.workflow`, composite and
//! Docker actions → `input.action`.

use serde_json::{Map, Value, json};

use super::{Anchor, InputError};
use crate::image::ImageInput;
use crate::shell;
use vouch_yaml::{self as yaml, LineIndex, Seg};

fn k(s: &str) -> Seg {
    Seg::Key(s.to_owned())
}

fn load_one(text: &str) -> Result<(Map<String, Value>, LineIndex), InputError> {
    let docs = yaml::load_all(text)?;
    let first = docs
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or(Value::Object(Map::new()));
    match first {
        Value::Object(m) => Ok((m, LineIndex::build(text))),
        _ => Err(InputError::Shape("top level is not a mapping".into())),
    }
}

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Top-level keys of a GitLab CI file that are keywords, not jobs.
pub const GITLAB_KEYWORDS: &[&str] = &[
    "image",
    "services",
    "stages",
    "variables",
    "include",
    "default",
    "workflow",
    "before_script",
    "after_script",
    "cache",
    "types",
    "spec",
];

/// GitLab CI → `input.ci`.
pub fn gitlab(text: &str) -> Result<(Value, Vec<Anchor>), InputError> {
    let (top, idx) = load_one(text)?;
    let line = |path: &[Seg]| idx.line(0, path);
    let default = top.get("default").and_then(Value::as_object);
    let image_name = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }
    };
    let global_image = image_name(top.get("image"));
    let default_image = image_name(default.and_then(|d| d.get("image")));
    let mut includes = Vec::new();
    if let Some(inc) = top.get("include") {
        let items: Vec<(usize, &Value)> = match inc {
            Value::Array(a) => a.iter().enumerate().collect(),
            other => vec![(usize::MAX, other)],
        };
        for (i, item) in items {
            let path = if i == usize::MAX {
                vec![k("include")]
            } else {
                vec![k("include"), Seg::Index(i)]
            };
            includes.push(gitlab_include(item, line(&path)));
        }
    }
    let services_of = |v: Option<&Value>, base: &[Seg]| -> Vec<Value> {
        let Some(Value::Array(a)) = v else {
            return Vec::new();
        };
        a.iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let name = match s {
                    Value::String(s) => s.clone(),
                    Value::Object(o) => o.get("name").and_then(Value::as_str)?.to_owned(),
                    _ => return None,
                };
                let mut p = base.to_vec();
                p.push(Seg::Index(i));
                Some(json!({"name": name, "image": ImageInput::parse(&name), "line": line(&p)}))
            })
            .collect()
    };
    let default_services = if default.is_some_and(|d| d.contains_key("services")) {
        services_of(
            default.and_then(|d| d.get("services")),
            &[k("default"), k("services")],
        )
    } else {
        services_of(top.get("services"), &[k("services")])
    };
    // image via `extends`, one name or a list, followed up to 10 levels.
    let extends_image = |job: &Map<String, Value>| -> Option<(String, String)> {
        let mut cur = job.clone();
        for _ in 0..10 {
            let parent = match cur.get("extends") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(a)) => a.last().and_then(Value::as_str)?.to_owned(),
                _ => return None,
            };
            let p = top.get(&parent)?.as_object()?;
            if let Some(img) = image_name(p.get("image")) {
                return Some((img, parent));
            }
            cur = p.clone();
        }
        None
    };
    let mut jobs = Vec::new();
    let mut anchors = Vec::new();
    for (name, v) in &top {
        if GITLAB_KEYWORDS.contains(&name.as_str()) || name.starts_with('.') {
            continue;
        }
        let Some(job) = v.as_object() else { continue };
        let base = vec![k(name)];
        let job_line = line(&base);
        if let Some(l) = job_line {
            anchors.push(Anchor {
                name: name.clone(),
                line: l,
            });
        }
        let (image, image_source, image_line) = if let Some(img) = image_name(job.get("image")) {
            (
                Some(img),
                Some("job".to_owned()),
                line(&[k(name), k("image")]),
            )
        } else if let Some((img, parent)) = extends_image(job) {
            (Some(img), Some(format!("extends:{parent}")), job_line)
        } else if let Some(img) = &default_image {
            (
                Some(img.clone()),
                Some("default".to_owned()),
                line(&[k("default"), k("image")]),
            )
        } else if let Some(img) = &global_image {
            (
                Some(img.clone()),
                Some("global".to_owned()),
                line(&[k("image")]),
            )
        } else {
            (None, None, None)
        };
        let services = if job.contains_key("services") {
            services_of(job.get("services"), &[k(name), k("services")])
        } else {
            default_services.clone()
        };
        let script_of = |key: &str| -> Vec<Value> {
            let mut p = base.clone();
            p.push(k(key));
            let items: Vec<(Option<usize>, String)> = match job.get(key) {
                Some(Value::String(s)) => vec![(None, s.clone())],
                Some(Value::Array(a)) => a
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.as_str().map(|s| (Some(i), s.to_owned())))
                    .collect(),
                _ => Vec::new(),
            };
            items
                .into_iter()
                .map(|(i, s)| {
                    let mut pp = p.clone();
                    if let Some(i) = i {
                        pp.push(Seg::Index(i));
                    }
                    json!({"text": s, "line": line(&pp), "pipelines": shell::split(&s)})
                })
                .collect()
        };
        let rules: Vec<Value> = match job.get("rules") {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut r = r.clone();
                    if let Value::Object(o) = &mut r {
                        o.insert(
                            "line".into(),
                            json!(line(&[k(name), k("rules"), Seg::Index(i)])),
                        );
                    }
                    r
                })
                .collect(),
            _ => Vec::new(),
        };
        let artifacts_paths: Vec<Value> = job
            .get("artifacts")
            .and_then(|a| a.get("paths"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rules_text = serde_json::to_string(&json!([
            job.get("rules"),
            job.get("only"),
            job.get("except")
        ]))
        .unwrap_or_default();
        let env_name = match job.get("environment") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(o)) => o.get("name").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
        let protected = rules_text.contains("CI_COMMIT_TAG")
            || rules_text.contains("CI_COMMIT_REF_PROTECTED")
            || rules_text.contains("\"tags\"")
            || env_name.as_deref().is_some_and(|e| e.starts_with("prod"));
        let stage = job.get("stage").and_then(Value::as_str).unwrap_or("test");
        let release = job.contains_key("release")
            || name.to_ascii_lowercase().contains("release")
            || stage.to_ascii_lowercase().contains("release");
        jobs.push(json!({
            "name": name,
            "line": job_line,
            "stage": stage,
            "image": image,
            "image_ref": image.as_deref().map(ImageInput::parse),
            "image_source": image_source,
            "image_line": image_line,
            "services": services,
            "script": script_of("script"),
            "before_script": script_of("before_script"),
            "after_script": script_of("after_script"),
            "rules": rules,
            "only": job.get("only"),
            "except": job.get("except"),
            "when": job.get("when"),
            "extends": job.get("extends"),
            "environment": env_name,
            "artifacts": {"paths": artifacts_paths},
            "release": release,
            "protected": protected,
            "variables": job.get("variables"),
        }));
    }
    let body = json!({
        "stages": top.get("stages"),
        "variables": top.get("variables"),
        "image": global_image,
        "default": {"image": default_image, "services": default_services},
        "include": includes,
        "jobs": jobs,
    });
    Ok((body, anchors))
}

fn gitlab_include(item: &Value, line: Option<u32>) -> Value {
    let mut out = json!({"line": line, "ref": null, "pinned": false});
    match item {
        Value::String(s) => {
            let remote = s.starts_with("http://") || s.starts_with("https://");
            out["type"] = json!(if remote { "remote" } else { "local" });
            out["value"] = json!(s);
            out["pinned"] = json!(!remote || s.split(['/', '?', '=']).any(is_sha));
        }
        Value::Object(o) => {
            let get = |k: &str| o.get(k).and_then(Value::as_str);
            if let Some(p) = get("project") {
                let r = get("ref");
                out["type"] = json!("project");
                out["value"] = json!(p);
                out["file"] = o.get("file").cloned().unwrap_or(Value::Null);
                out["ref"] = json!(r);
                out["pinned"] = json!(r.is_some_and(is_sha));
            } else if let Some(u) = get("remote") {
                out["type"] = json!("remote");
                out["value"] = json!(u);
                out["integrity"] = o.get("integrity").cloned().unwrap_or(Value::Null);
                out["pinned"] =
                    json!(o.contains_key("integrity") || u.split(['/', '?', '=']).any(is_sha));
            } else if let Some(c) = get("component") {
                let r = c.rsplit_once('@').map(|(_, r)| r);
                out["type"] = json!("component");
                out["value"] = json!(c);
                out["ref"] = json!(r);
                out["pinned"] = json!(r.is_some_and(is_sha));
            } else if let Some(t) = get("template") {
                out["type"] = json!("template");
                out["value"] = json!(t);
                out["pinned"] = json!(true);
            } else {
                out["type"] = json!("local");
                out["value"] = o.get("local").cloned().unwrap_or(Value::Null);
                out["pinned"] = json!(true);
            }
            if let Some(r) = o.get("rules") {
                out["rules"] = r.clone();
            }
        }
        _ => {
            out["type"] = json!("unknown");
        }
    }
    out
}

/// Parse a `uses:` reference of a step or a reusable-workflow job.
pub fn parse_uses(raw: &str) -> Value {
    if raw.starts_with("./") || raw.starts_with(".\\") {
        return json!({"raw": raw, "kind": "local", "pinned": true, "ref": null});
    }
    if let Some(img) = raw.strip_prefix("docker://") {
        let r = ImageInput::parse(img);
        return json!({"raw": raw, "kind": "docker", "pinned": r.pinned, "ref": r.digest.clone().or(r.tag.clone()), "image": r});
    }
    let (path, r) = match raw.split_once('@') {
        Some((p, r)) => (p, Some(r)),
        None => (raw, None),
    };
    let mut parts = path.splitn(3, '/');
    let owner = parts.next().unwrap_or("");
    let repo = parts.next().unwrap_or("");
    let sub = parts.next();
    let kind = if sub.is_some_and(|s| s.contains(".github/workflows/")) {
        "reusable"
    } else {
        "action"
    };
    json!({
        "raw": raw,
        "kind": kind,
        "owner": owner,
        "repo": repo,
        "path": sub,
        "ref": r,
        "pinned": r.is_some_and(is_sha),
    })
}

fn steps(v: Option<&Value>, base: &[Seg], idx: &LineIndex) -> Vec<Value> {
    let Some(Value::Array(a)) = v else {
        return Vec::new();
    };
    a.iter()
        .enumerate()
        .map(|(i, s)| {
            let mut p = base.to_vec();
            p.push(Seg::Index(i));
            let get = |k: &str| s.get(k).cloned().unwrap_or(Value::Null);
            let line = idx.line(0, &p);
            let run_line = {
                let mut q = p.clone();
                q.push(Seg::Key("run".into()));
                idx.exact(0, &q).or(line)
            };
            let uses_line = {
                let mut q = p.clone();
                q.push(Seg::Key("uses".into()));
                idx.exact(0, &q).or(line)
            };
            json!({
                "index": i,
                "id": get("id"),
                "name": get("name"),
                "line": line,
                "uses": s.get("uses").and_then(Value::as_str).map(parse_uses),
                "uses_line": uses_line,
                "run": get("run"),
                "run_line": run_line,
                "pipelines": s.get("run").and_then(Value::as_str).map(shell::split),
                "shell": get("shell"),
                "with": get("with"),
                "env": get("env"),
                "if": get("if"),
            })
        })
        .collect()
}

/// GitHub Actions workflow → `input.workflow`.
pub fn github_workflow(text: &str) -> Result<(Value, Vec<Anchor>), InputError> {
    let (top, idx) = load_one(text)?;
    // YAML 1.1 parsers read `on` as `true`; yaml_serde keeps it a string, accept both.
    let on = top
        .get("on")
        .or_else(|| top.get("true"))
        .cloned()
        .unwrap_or(Value::Null);
    let triggers: Vec<String> = match &on {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Value::Object(o) => o.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let mut jobs = Vec::new();
    let mut anchors = Vec::new();
    if let Some(Value::Object(js)) = top.get("jobs") {
        for (id, job) in js {
            let base = vec![k("jobs"), k(id)];
            let line = idx.line(0, &base);
            if let Some(l) = line {
                anchors.push(Anchor {
                    name: id.clone(),
                    line: l,
                });
            }
            let get = |k: &str| job.get(k).cloned().unwrap_or(Value::Null);
            let mut sp = base.clone();
            sp.push(k("steps"));
            jobs.push(json!({
                "id": id,
                "name": get("name"),
                "line": line,
                "runs_on": get("runs-on"),
                "permissions": get("permissions"),
                "has_permissions": job.get("permissions").is_some(),
                "permissions_line": idx.exact(0, &[k("jobs"), k(id), k("permissions")]),
                "if": get("if"),
                "uses": job.get("uses").and_then(Value::as_str).map(parse_uses),
                "uses_line": idx.exact(0, &[k("jobs"), k(id), k("uses")]).or(line),
                "container": get("container"),
                "services": get("services"),
                "env": get("env"),
                "steps": steps(job.get("steps"), &sp, &idx),
            }));
        }
    }
    let body = json!({
        "name": top.get("name"),
        "on": triggers,
        "on_config": on,
        "on_line": idx.exact(0, &[k("on")]),
        "permissions": top.get("permissions"),
        "has_permissions": top.contains_key("permissions"),
        "permissions_line": idx.exact(0, &[k("permissions")]),
        "env": top.get("env"),
        "jobs": jobs,
    });
    Ok((body, anchors))
}

/// GitHub composite/Docker/JavaScript action (`action.yml`) → `input.action`.
pub fn github_action(text: &str) -> Result<(Value, Vec<Anchor>), InputError> {
    let (top, idx) = load_one(text)?;
    let runs = top.get("runs").cloned().unwrap_or(Value::Null);
    let using = runs.get("using").cloned().unwrap_or(Value::Null);
    let image = runs.get("image").and_then(Value::as_str).map(|s| {
        let s = s.strip_prefix("docker://").unwrap_or(s);
        ImageInput::parse(s)
    });
    let body = json!({
        "name": top.get("name"),
        "runs": {
            "using": using,
            "image": image,
            "line": idx.exact(0, &[k("runs")]),
            "steps": steps(runs.get("steps"), &[k("runs"), k("steps")], &idx),
        },
    });
    Ok((body, Vec::new()))
}
