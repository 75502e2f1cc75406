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

/// GitLab CI → `input.ci`: the configuration as GitLab resolves it ([`super::gitlab`]), with
/// the file and line where each checked value is written.
pub fn gitlab(
    text: &str,
    shown: &str,
    ctx: &super::Context,
) -> Result<(Value, Vec<Anchor>), InputError> {
    use super::gitlab::{Node, Origin, resolve};
    let r = resolve(text, shown, ctx)?;
    let at = |o: &Origin| json!({"line": r.line(o), "path": r.path(o)});
    let image_name = |v: Option<&Node>| -> Option<(String, Origin)> {
        let v = v?;
        match v {
            Node::Scalar(Value::String(s), o) => Some((s.clone(), o.clone())),
            Node::Map(..) => {
                let n = v.get("name")?;
                n.as_str().map(|s| (s.to_owned(), n.origin().clone()))
            }
            _ => None,
        }
    };
    let services_of = |v: Option<&Node>| -> Vec<Value> {
        let Some(Node::Seq(items, _)) = v else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|s| {
                let (name, o) = image_name(Some(s))?;
                Some(json!({
                    "name": name, "image": ImageInput::parse(&name),
                    "line": r.line(&o), "path": r.path(&o),
                }))
            })
            .collect()
    };
    let default = r.top.get("default");
    let global_image = image_name(r.top.get("image"));
    let default_image = image_name(default.and_then(|d| d.get("image")));
    let default_services = if default.and_then(|d| d.get("services")).is_some() {
        services_of(default.and_then(|d| d.get("services")))
    } else {
        services_of(r.top.get("services"))
    };
    let includes: Vec<Value> = r
        .includes
        .iter()
        .map(|inc| {
            let mut v = gitlab_include(&inc.item, r.line(&inc.origin));
            v["path"] = json!(r.path(&inc.origin));
            v["followed"] = json!(!inc.read.is_empty());
            v["files"] = json!(inc.read);
            v
        })
        .collect();
    let unresolved: Vec<Value> = r
        .unresolved
        .iter()
        .map(|u| {
            let mut v = at(&u.origin);
            v["what"] = json!(u.what);
            v["message"] = json!(u.message);
            v
        })
        .collect();
    let mut jobs = Vec::new();
    let mut anchors = Vec::new();
    for (name, job) in &r.jobs {
        let origin = job.origin();
        let job_line = r.line(origin);
        let job_path = r.path(origin).to_owned();
        if let Some(l) = job_line {
            anchors.push(Anchor {
                name: name.clone(),
                line: l,
                path: (job_path != shown).then(|| job_path.clone()),
            });
        }
        let image = image_name(job.get("image"));
        // Where the image comes from: the job itself, a job it extends, `default:` or the
        // top-level `image:`, by the key its value is written under.
        let image_source = image.as_ref().map(|(_, o)| {
            let written_under = match o.path.first() {
                Some(vouch_yaml::Seg::Key(k)) => k.as_str(),
                _ => "",
            };
            match written_under {
                k if k == name && o.file == origin.file => "job".to_owned(),
                "default" => "default".to_owned(),
                "image" => "global".to_owned(),
                k => format!("extends:{k}"),
            }
        });
        let script_of = |key: &str| -> Vec<Value> {
            let mut items = Vec::new();
            flatten_script(job.get(key), 0, &mut items);
            items
                .into_iter()
                .map(|(s, o)| {
                    json!({
                        "text": s, "line": r.line(&o), "path": r.path(&o),
                        "pipelines": shell::split(&s),
                        "pipe_to_shell": shell::pipe_to_shell(&s),
                    })
                })
                .collect()
        };
        let rules: Vec<Value> = match job.get("rules") {
            Some(Node::Seq(items, _)) => items
                .iter()
                .map(|n| {
                    let mut v = n.to_value();
                    if let Value::Object(o) = &mut v {
                        o.insert("line".into(), json!(r.line(n.origin())));
                    }
                    v
                })
                .collect(),
            _ => Vec::new(),
        };
        let value = |k: &str| job.get(k).map_or(Value::Null, Node::to_value);
        let artifacts_paths: Vec<Value> = value("artifacts")
            .get("paths")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rules_text =
            serde_json::to_string(&json!([value("rules"), value("only"), value("except")]))
                .unwrap_or_default();
        let env_name = match value("environment") {
            Value::String(s) => Some(s),
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
        let protected = rules_text.contains("CI_COMMIT_TAG")
            || rules_text.contains("CI_COMMIT_REF_PROTECTED")
            || rules_text.contains("\"tags\"")
            || env_name.as_deref().is_some_and(|e| e.starts_with("prod"));
        let stage = job
            .get("stage")
            .and_then(Node::as_str)
            .unwrap_or("test")
            .to_owned();
        let release = job.get("release").is_some()
            || name.to_ascii_lowercase().contains("release")
            || stage.to_ascii_lowercase().contains("release");
        let services = services_of(job.get("services"));
        jobs.push(json!({
            "name": name,
            "line": job_line,
            "path": job_path,
            "stage": stage,
            "image": image.as_ref().map(|(s, _)| s),
            "image_ref": image.as_ref().map(|(s, _)| ImageInput::parse(s)),
            "image_source": image_source,
            "image_line": image.as_ref().and_then(|(_, o)| r.line(o)),
            "image_path": image.as_ref().map(|(_, o)| r.path(o)),
            "services": services,
            "script": script_of("script"),
            "before_script": script_of("before_script"),
            "after_script": script_of("after_script"),
            "rules": rules,
            "only": value("only"),
            "except": value("except"),
            "when": value("when"),
            "extends": value("extends"),
            "environment": env_name,
            "artifacts": {"paths": artifacts_paths},
            "release": release,
            "protected": protected,
            "variables": value("variables"),
        }));
    }
    let body = json!({
        "stages": r.top.get("stages").map(Node::to_value),
        "variables": r.top.get("variables").map(Node::to_value),
        "image": global_image.map(|(s, _)| s),
        "default": {"image": default_image.map(|(s, _)| s), "services": default_services},
        "include": includes,
        "files": r.files.iter().map(|f| f.shown.clone()).collect::<Vec<_>>(),
        "unresolved": unresolved,
        "jobs": jobs,
    });
    Ok((body, anchors))
}

/// The lines of a script key: a string, or a sequence whose nested sequences (from
/// `!reference` or anchors) are flattened, as GitLab does up to 10 levels.
fn flatten_script(
    v: Option<&super::gitlab::Node>,
    depth: usize,
    out: &mut Vec<(String, super::gitlab::Origin)>,
) {
    use super::gitlab::Node;
    match v {
        Some(Node::Scalar(Value::String(s), o)) => out.push((s.clone(), o.clone())),
        Some(Node::Seq(items, _)) if depth < 10 => {
            for i in items {
                flatten_script(Some(i), depth + 1, out);
            }
        }
        _ => {}
    }
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
            // `actions/github-script`'s `script:` is JavaScript into which `${{ }}` is pasted,
            // as `run:` is shell.
            let github_script = s
                .get("uses")
                .and_then(Value::as_str)
                .is_some_and(|u| u.split('@').next() == Some("actions/github-script"));
            let script = github_script
                .then(|| s.get("with").and_then(|w| w.get("script")).cloned())
                .flatten()
                .unwrap_or(Value::Null);
            let script_line = {
                let mut q = p.clone();
                q.push(Seg::Key("with".into()));
                q.push(Seg::Key("script".into()));
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
                "script": script,
                "script_line": script_line,
                "pipelines": s.get("run").and_then(Value::as_str).map(shell::split),
                "pipe_to_shell": s.get("run").and_then(Value::as_str).map(shell::pipe_to_shell).unwrap_or_default(),
                "shell": get("shell"),
                "with": get("with"),
                "env": get("env"),
                "if": get("if"),
            })
        })
        .collect()
}

/// The images a workflow job runs in: `container:` (a string or `{image: …}`) and each of
/// `services:`, with the line of the image.
fn job_images(job: &Value, base: &[Seg], idx: &LineIndex) -> Vec<Value> {
    let mut out = Vec::new();
    let mut push = |what: String, v: &Value, path: Vec<Seg>| {
        let (raw, path) = match v {
            Value::String(s) => (s.as_str(), path),
            Value::Object(o) => match o.get("image").and_then(Value::as_str) {
                Some(s) => (s, [path, vec![k("image")]].concat()),
                None => return,
            },
            _ => return,
        };
        let raw = raw.strip_prefix("docker://").unwrap_or(raw);
        if raw.is_empty() {
            return;
        }
        out.push(json!({
            "what": what,
            "ref": ImageInput::parse(raw),
            "line": idx.exact(0, &path).or_else(|| idx.line(0, &path)),
        }));
    };
    if let Some(c) = job.get("container") {
        push("container".into(), c, [base, &[k("container")]].concat());
    }
    if let Some(Value::Object(svcs)) = job.get("services") {
        for (name, svc) in svcs {
            push(
                format!("service {name:?}"),
                svc,
                [base, &[k("services"), k(name)]].concat(),
            );
        }
    }
    out
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
                    path: None,
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
                "images": job_images(job, &base, &idx),
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
