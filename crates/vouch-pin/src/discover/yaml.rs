//! References in YAML files: GitLab CI, GitHub workflows and actions, Kubernetes, compose,
//! pre-commit. Values come from the YAML parser; spans from [`crate::locate`].

use serde_json::{Map, Value};
use vouch_yaml::{self as yaml, LineIndex, Seg};

use super::{DiscoverError, image_target};
use crate::locate::{self, Lines};
use crate::reference::{
    DownloadTarget, Downloader, GitKind, GitTarget, Reference, Repo, Span, Target, Unpinnable,
    is_commit,
};

struct Ctx<'a> {
    text: &'a str,
    lines: Lines,
    index: LineIndex,
    out: Vec<Reference>,
}

fn k(s: &str) -> Seg {
    Seg::Key(s.to_owned())
}

fn with(path: &[Seg], seg: Seg) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(seg);
    p
}

impl<'a> Ctx<'a> {
    fn load(text: &'a str) -> Result<(Self, Vec<Value>), DiscoverError> {
        let docs = yaml::load_all(text).map_err(|e| DiscoverError::Yaml {
            message: e
                .to_string()
                .trim_start_matches("invalid YAML: ")
                .to_owned(),
        })?;
        Ok((
            Self {
                text,
                lines: Lines::new(text),
                index: LineIndex::build(text),
                out: Vec::new(),
            },
            docs,
        ))
    }

    /// Line and exact span of the scalar `value` at `path`.
    fn at(&self, doc: usize, path: &[Seg], value: &str) -> (u32, Option<Span>) {
        let key = match path.last() {
            Some(Seg::Key(key)) => Some(key.as_str()),
            _ => None,
        };
        match self.index.exact(doc, path) {
            Some(line) => (
                line,
                locate::yaml_value(self.text, &self.lines, line, key, value),
            ),
            None => (self.index.line(doc, path).unwrap_or(1), None),
        }
    }

    fn push(&mut self, doc: usize, path: &[Seg], value: &str, target: Target) {
        let (line, span) = self.at(doc, path, value);
        self.out.push(Reference { line, span, target });
    }

    fn image(&mut self, doc: usize, path: &[Seg], value: &str) {
        if let Some(target) = image_target(value, None, false) {
            self.push(doc, path, value, target);
        }
    }

    /// `curl`/`wget` downloads in a CI script (GitLab `script:` as a string or a list, GitHub
    /// `run:`), through `vouch_policy::shell::downloads`; a check later in the same script
    /// verifies them. Each is placed at the line where its URL is written (searched from the
    /// script's first line), with the URL's exact span.
    fn script(&mut self, doc: usize, path: &[Seg], v: &Value) {
        let script = match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
            _ => return,
        };
        let first = self.index.line(doc, path).unwrap_or(1);
        let mut from = self.lines.range(self.text, first).map_or(0, |r| r.start);
        for d in vouch_policy::shell::downloads(&script) {
            let found = self
                .text
                .get(from..)
                .and_then(|rest| rest.find(d.url.as_str()))
                .map(|at| from + at);
            let (line, span) = match found {
                Some(start) => {
                    from = start + d.url.len();
                    (
                        self.lines.line_of(start),
                        Some(Span {
                            value: start..start + d.url.len(),
                            insert_at: start + d.url.len(),
                            comment: None,
                        }),
                    )
                }
                None => (first, None),
            };
            self.out.push(Reference {
                line,
                span,
                target: Target::Download(DownloadTarget {
                    downloader: if d.downloader == "wget" {
                        Downloader::Wget
                    } else {
                        Downloader::Curl
                    },
                    url: d.url,
                    checksum: None,
                    verified: d.verified,
                    checksum_at: None,
                }),
            });
        }
    }

    /// `image: x` or `image: {name: x}` (GitLab).
    fn image_or_name(&mut self, doc: usize, path: &[Seg], v: &Value) {
        match v {
            Value::String(s) => self.image(doc, path, s),
            Value::Object(o) => {
                if let Some(Value::String(s)) = o.get("name") {
                    self.image(doc, &with(path, k("name")), s);
                }
            }
            _ => {}
        }
    }

    fn services(&mut self, doc: usize, path: &[Seg], v: &Value) {
        if let Value::Array(items) = v {
            for (i, item) in items.iter().enumerate() {
                self.image_or_name(doc, &with(path, Seg::Index(i)), item);
            }
        }
    }

    /// GitHub `uses:` value.
    fn uses(&mut self, doc: usize, path: &[Seg], raw: &str) {
        if raw.starts_with("./") || raw.starts_with(".\\") || raw.contains("${{") {
            return;
        }
        if let Some(img) = raw.strip_prefix("docker://") {
            let Some(target) = image_target(img, None, false) else {
                return;
            };
            let (line, span) = self.at(doc, path, raw);
            let span = span.map(|s| Span {
                value: s.value.start + "docker://".len()..s.value.end,
                ..s
            });
            self.out.push(Reference { line, span, target });
            return;
        }
        let target = match raw.split_once('@') {
            Some((repo_path, r)) if !r.is_empty() => {
                let mut parts = repo_path.splitn(3, '/');
                let owner = parts.next().unwrap_or("");
                let repo = parts.next().unwrap_or("");
                if owner.is_empty() || repo.is_empty() {
                    return;
                }
                Target::Git(GitTarget {
                    kind: GitKind::Action,
                    repo: Repo::GitHub(format!("{owner}/{repo}")),
                    path: parts.next().filter(|p| !p.is_empty()).map(str::to_owned),
                    reference: r.to_owned(),
                    prefix: format!("{repo_path}@"),
                })
            }
            _ => Target::Unpinnable(Unpinnable {
                text: raw.to_owned(),
                reason: "no `@ref`: the action follows whatever its default branch holds".into(),
            }),
        };
        self.push(doc, path, raw, target);
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

use vouch_policy::input::GITLAB_KEYWORDS;

/// GitLab CI: `image`, `services` (top level, `default`, jobs), `include`.
pub fn gitlab(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let (mut cx, docs) = Ctx::load(text)?;
    for (d, doc) in docs.iter().enumerate() {
        let Value::Object(top) = doc else { continue };
        for (key, v) in top {
            let base = vec![k(key)];
            match key.as_str() {
                "image" => cx.image_or_name(d, &base, v),
                "services" => cx.services(d, &base, v),
                "include" => gitlab_include(&mut cx, d, v),
                "default" => {
                    if let Value::Object(o) = v {
                        job(&mut cx, d, &base, o);
                    }
                }
                _ if GITLAB_KEYWORDS.contains(&key.as_str()) => {}
                _ => {
                    if let Value::Object(o) = v {
                        job(&mut cx, d, &base, o);
                    }
                }
            }
        }
    }
    Ok(cx.out)
}

fn job(cx: &mut Ctx<'_>, d: usize, base: &[Seg], o: &Map<String, Value>) {
    if let Some(v) = o.get("image") {
        cx.image_or_name(d, &with(base, k("image")), v);
    }
    if let Some(v) = o.get("services") {
        cx.services(d, &with(base, k("services")), v);
    }
    for key in ["before_script", "script", "after_script"] {
        if let Some(v) = o.get(key) {
            cx.script(d, &with(base, k(key)), v);
        }
    }
}

fn gitlab_include(cx: &mut Ctx<'_>, d: usize, v: &Value) {
    let base = vec![k("include")];
    let items: Vec<(Vec<Seg>, &Value)> = match v {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| (with(&base, Seg::Index(i)), x))
            .collect(),
        other => vec![(base.clone(), other)],
    };
    for (path, item) in items {
        match item {
            Value::String(s) => remote(cx, d, &path, s),
            Value::Object(o) => {
                if let Some(Value::String(url)) = o.get("remote") {
                    remote(cx, d, &with(&path, k("remote")), url);
                } else if let Some(Value::String(c)) = o.get("component") {
                    component(cx, d, &with(&path, k("component")), c);
                } else if let Some(Value::String(project)) = o.get("project") {
                    match o.get("ref").and_then(scalar) {
                        Some(r) => cx.push(
                            d,
                            &with(&path, k("ref")),
                            &r,
                            Target::Git(GitTarget {
                                kind: GitKind::Include,
                                repo: Repo::GitLab(project.trim_matches('/').to_owned()),
                                path: None,
                                reference: r.clone(),
                                prefix: String::new(),
                            }),
                        ),
                        None => cx.push(
                            d,
                            &with(&path, k("project")),
                            project,
                            Target::Unpinnable(Unpinnable {
                                text: project.clone(),
                                reason:
                                    "no `ref:`: the include follows the project's default branch"
                                        .into(),
                            }),
                        ),
                    }
                }
            }
            _ => {}
        }
    }
}

fn remote(cx: &mut Ctx<'_>, d: usize, path: &[Seg], url: &str) {
    let is_url = url.starts_with("https://") || url.starts_with("http://");
    if !is_url || url.split(['/', '@', '?', '=']).any(is_commit) {
        return; // a local file, or a URL that names a commit
    }
    cx.push(
        d,
        path,
        url,
        Target::Unpinnable(Unpinnable {
            text: url.to_owned(),
            reason: "a remote include is a URL whose content can change; include it by `project:` \
                     and `ref:`, or use a URL that names a commit"
                .into(),
        }),
    );
}

/// `host/group/project/name@version`.
fn component(cx: &mut Ctx<'_>, d: usize, path: &[Seg], raw: &str) {
    if raw.contains('$')
        && !raw.starts_with("$CI_SERVER_FQDN/")
        && !raw.starts_with("$CI_SERVER_HOST/")
    {
        return;
    }
    let Some((loc, version)) = raw.rsplit_once('@') else {
        cx.push(
            d,
            path,
            raw,
            Target::Unpinnable(Unpinnable {
                text: raw.to_owned(),
                reason: "no `@version`".into(),
            }),
        );
        return;
    };
    let segs: Vec<&str> = loc.split('/').collect();
    if segs.len() < 3 || version.is_empty() || segs.iter().any(|s| s.is_empty()) {
        return;
    }
    let project = segs[1..segs.len() - 1].join("/");
    cx.push(
        d,
        path,
        raw,
        Target::Git(GitTarget {
            kind: GitKind::Component,
            repo: Repo::GitLab(project),
            path: Some(segs[segs.len() - 1].to_owned()),
            reference: version.to_owned(),
            prefix: format!("{loc}@"),
        }),
    );
}

/// GitHub workflow: `jobs.*.uses`, `jobs.*.steps[*].uses`, job containers and services.
pub fn workflow(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let (mut cx, docs) = Ctx::load(text)?;
    for (d, doc) in docs.iter().enumerate() {
        let Some(Value::Object(jobs)) = doc.get("jobs") else {
            continue;
        };
        for (id, job) in jobs {
            let base = vec![k("jobs"), k(id)];
            let Value::Object(job) = job else { continue };
            if let Some(Value::String(u)) = job.get("uses") {
                cx.uses(d, &with(&base, k("uses")), u);
            }
            steps(&mut cx, d, &with(&base, k("steps")), job.get("steps"));
            match job.get("container") {
                Some(Value::String(s)) => cx.image(d, &with(&base, k("container")), s),
                Some(Value::Object(o)) => {
                    if let Some(Value::String(s)) = o.get("image") {
                        cx.image(
                            d,
                            &[base.clone(), vec![k("container"), k("image")]].concat(),
                            s,
                        );
                    }
                }
                _ => {}
            }
            if let Some(Value::Object(services)) = job.get("services") {
                for (name, svc) in services {
                    if let Some(Value::String(s)) = svc.get("image") {
                        let p = [base.clone(), vec![k("services"), k(name), k("image")]].concat();
                        cx.image(d, &p, s);
                    }
                }
            }
        }
    }
    Ok(cx.out)
}

fn steps(cx: &mut Ctx<'_>, d: usize, path: &[Seg], v: Option<&Value>) {
    let Some(Value::Array(steps)) = v else { return };
    for (i, step) in steps.iter().enumerate() {
        if let Some(Value::String(u)) = step.get("uses") {
            cx.uses(
                d,
                &[path.to_vec(), vec![Seg::Index(i), k("uses")]].concat(),
                u,
            );
        }
        if let Some(run) = step.get("run") {
            cx.script(
                d,
                &[path.to_vec(), vec![Seg::Index(i), k("run")]].concat(),
                run,
            );
        }
    }
}

/// GitHub composite action (`runs.steps[*].uses`) or Docker action (`runs.image: docker://…`).
pub fn action(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let (mut cx, docs) = Ctx::load(text)?;
    for (d, doc) in docs.iter().enumerate() {
        let Some(runs) = doc.get("runs") else {
            continue;
        };
        steps(&mut cx, d, &[k("runs"), k("steps")], runs.get("steps"));
        if let Some(Value::String(img)) = runs.get("image")
            && img.starts_with("docker://")
        {
            cx.uses(d, &[k("runs"), k("image")], img);
        }
    }
    Ok(cx.out)
}

const CONTAINER_KEYS: &[&str] = &["containers", "initContainers", "ephemeralContainers"];

/// Kubernetes manifests: every container's `image`, at any depth (pods, templates, CRDs).
pub fn kubernetes(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let (mut cx, docs) = Ctx::load(text)?;
    for (d, doc) in docs.iter().enumerate() {
        containers(&mut cx, d, &mut Vec::new(), doc, 0);
    }
    Ok(cx.out)
}

fn containers(cx: &mut Ctx<'_>, d: usize, path: &mut Vec<Seg>, v: &Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(o) => {
            for (key, child) in o {
                path.push(k(key));
                if CONTAINER_KEYS.contains(&key.as_str())
                    && let Value::Array(items) = child
                {
                    for (i, c) in items.iter().enumerate() {
                        if let Some(Value::String(img)) = c.get("image") {
                            let p = [path.clone(), vec![Seg::Index(i), k("image")]].concat();
                            cx.image(d, &p, img);
                        }
                    }
                } else {
                    containers(cx, d, path, child, depth + 1);
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, c) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                containers(cx, d, path, c, depth + 1);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A Helm chart's values: every `image:` holding a reference (`image: nginx:1.27`), and every
/// `image:` mapping with a `repository` (Bitnami's and most charts' split form, with optional
/// `registry`, `tag` and `digest`). A split reference with a digest is pinned; without one it is
/// reported unpinnable (pinning it means adding a `digest:` the chart's template must read).
pub fn helm_values(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let (mut cx, docs) = Ctx::load(text)?;
    for (d, doc) in docs.iter().enumerate() {
        values_images(&mut cx, d, &mut Vec::new(), doc, 0);
    }
    Ok(cx.out)
}

fn values_images(cx: &mut Ctx<'_>, d: usize, path: &mut Vec<Seg>, v: &Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(o) => {
            for (key, child) in o {
                path.push(k(key));
                let is_image = key == "image" || key.ends_with("Image") || key.ends_with("_image");
                match child {
                    Value::String(img) if is_image => cx.image(d, path, img),
                    Value::Object(parts) if is_image && parts.contains_key("repository") => {
                        split_image(cx, d, path, parts);
                    }
                    _ => values_images(cx, d, path, child, depth + 1),
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, c) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                values_images(cx, d, path, c, depth + 1);
                path.pop();
            }
        }
        _ => {}
    }
}

fn split_image(cx: &mut Ctx<'_>, d: usize, path: &[Seg], parts: &Map<String, Value>) {
    let get = |f: &str| parts.get(f).and_then(scalar).filter(|s| !s.is_empty());
    let Some(repository) = get("repository") else {
        return;
    };
    let name = match get("registry") {
        Some(r) => format!("{r}/{repository}"),
        None => repository,
    };
    let tag = get("tag");
    let shown = match &tag {
        Some(t) => format!("{name}:{t}"),
        None => name.clone(),
    };
    let line = cx
        .index
        .exact(d, &with(path, k("repository")))
        .or_else(|| cx.index.line(d, path))
        .unwrap_or(1);
    if let Some(digest) = get("digest") {
        if let Some(target) = image_target(&format!("{shown}@{digest}"), None, false) {
            // Pinned; the parts are not one scalar, so it is reported, never rewritten.
            cx.out.push(Reference {
                line,
                span: None,
                target,
            });
        }
        return;
    }
    if image_target(&shown, None, false).is_none() {
        return;
    }
    cx.out.push(Reference {
        line,
        span: None,
        target: Target::Unpinnable(Unpinnable {
            text: shown,
            reason:
                "the image is split into `repository` and `tag` in the chart's values: set its \
                     `digest:` (when the chart's template reads one) or the full reference with \
                     `@sha256:…`; vouch does not add fields"
                    .into(),
        }),
    });
}

/// A kustomization's `images:` entries: the image each entry makes (`newName` or `name`, with
/// `newTag`), pinned when the entry has a `digest`, else reported unpinnable (pinning it means
/// adding `digest:`, which vouch does not insert).
pub fn kustomization(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let (mut cx, docs) = Ctx::load(text)?;
    for (d, doc) in docs.iter().enumerate() {
        let Some(Value::Array(images)) = doc.get("images") else {
            continue;
        };
        for (i, entry) in images.iter().enumerate() {
            let get = |f: &str| entry.get(f).and_then(scalar).filter(|s| !s.is_empty());
            let Some(name) = get("newName").or_else(|| get("name")) else {
                continue;
            };
            let path = [k("images"), Seg::Index(i)];
            let line = cx.index.line(d, &path).unwrap_or(1);
            let shown = match get("newTag") {
                Some(t) => format!("{name}:{t}"),
                None => name.clone(),
            };
            if let Some(digest) = get("digest") {
                if let Some(target) = image_target(&format!("{name}@{digest}"), None, false) {
                    cx.out.push(Reference {
                        line,
                        span: None,
                        target,
                    });
                }
                continue;
            }
            if image_target(&shown, None, false).is_none() {
                continue;
            }
            cx.out.push(Reference {
                line,
                span: None,
                target: Target::Unpinnable(Unpinnable {
                    text: shown,
                    reason: "a kustomization `images:` entry is pinned by its `digest:` field; \
                             add `digest: sha256:…` (vouch does not add fields)"
                        .into(),
                }),
            });
        }
    }
    Ok(cx.out)
}

/// docker-compose: `services.*.image`.
pub fn compose(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let (mut cx, docs) = Ctx::load(text)?;
    for (d, doc) in docs.iter().enumerate() {
        let Some(Value::Object(services)) = doc.get("services") else {
            continue;
        };
        for (name, svc) in services {
            if let Some(Value::String(img)) = svc.get("image") {
                cx.image(d, &[k("services"), k(name), k("image")], img);
            }
        }
    }
    Ok(cx.out)
}

/// `.pre-commit-config.yaml`: `repos[*].rev`.
pub fn pre_commit(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let (mut cx, docs) = Ctx::load(text)?;
    for (d, doc) in docs.iter().enumerate() {
        let Some(Value::Array(repos)) = doc.get("repos") else {
            continue;
        };
        for (i, r) in repos.iter().enumerate() {
            let Some(Value::String(url)) = r.get("repo") else {
                continue;
            };
            if url == "local" || url == "meta" {
                continue;
            }
            let Some(rev) = r.get("rev").and_then(scalar) else {
                continue;
            };
            let repo = match url.strip_prefix("https://github.com/") {
                Some(rest) => Repo::GitHub(
                    rest.trim_end_matches('/')
                        .trim_end_matches(".git")
                        .to_owned(),
                ),
                None => Repo::Url(url.clone()),
            };
            cx.push(
                d,
                &[k("repos"), Seg::Index(i), k("rev")],
                &rev,
                Target::Git(GitTarget {
                    kind: GitKind::PreCommit,
                    repo,
                    path: None,
                    reference: rev.clone(),
                    prefix: String::new(),
                }),
            );
        }
    }
    Ok(cx.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str, refs: &[Reference]) -> Vec<String> {
        refs.iter()
            .map(|r| {
                let written = r
                    .span
                    .as_ref()
                    .map_or("?".to_owned(), |s| text[s.value.clone()].to_owned());
                format!(
                    "{} {} [{}] pinned={}",
                    r.line,
                    r.display(),
                    written,
                    r.is_pinned()
                )
            })
            .collect()
    }

    #[test]
    fn gitlab_forms() {
        let t = "\
include:
  - project: 'group/ci'
    ref: v1.2.0
    file: /t.yml
  - remote: https://example.com/x.yml
  - component: gitlab.com/components/sast/sast@2.0.1 # c
  - project: other/ci
  - local: /x.yml
image: python:3.12
services:
  - postgres:15
  - name: redis:7
    alias: cache
build:
  image:
    name: \"node:20\"
    entrypoint: [\"\"]
  script: [echo]
.hidden:
  image: $CI_REGISTRY_IMAGE:latest
";
        let refs = crate::discover::discover(crate::FileKind::GitlabCi, t.as_bytes()).unwrap();
        assert_eq!(
            summary(t, &refs),
            vec![
                "3 group/ci@v1.2.0 [v1.2.0] pinned=false",
                "5 https://example.com/x.yml [https://example.com/x.yml] pinned=false",
                "6 components/sast/sast@2.0.1 [gitlab.com/components/sast/sast@2.0.1] pinned=false",
                "7 other/ci [other/ci] pinned=false",
                "9 python:3.12 [python:3.12] pinned=false",
                "11 postgres:15 [postgres:15] pinned=false",
                "12 redis:7 [redis:7] pinned=false",
                "16 node:20 [node:20] pinned=false",
            ]
        );
    }

    #[test]
    fn workflow_forms() {
        let t = "\
on: push
jobs:
  a:
    uses: org/wf/.github/workflows/x.yml@main
  b:
    runs-on: ubuntu-latest
    container: node:20
    services:
      db:
        image: postgres:16
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: ./local
      - uses: docker://alpine:3.20
      - uses: github/codeql-action/init@v3
      - run: echo
";
        let refs =
            crate::discover::discover(crate::FileKind::GithubWorkflow, t.as_bytes()).unwrap();
        assert_eq!(
            summary(t, &refs),
            vec![
                "4 org/wf/.github/workflows/x.yml@main [org/wf/.github/workflows/x.yml@main] pinned=false",
                "7 node:20 [node:20] pinned=false",
                "10 postgres:16 [postgres:16] pinned=false",
                "12 actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 [actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683] pinned=true",
                "14 alpine:3.20 [alpine:3.20] pinned=false",
                "15 github/codeql-action/init@v3 [github/codeql-action/init@v3] pinned=false",
            ]
        );
        assert_eq!(refs[3].version(t).as_deref(), Some("v4.2.2"));
    }

    #[test]
    fn k8s_compose_precommit() {
        let t = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx:1.27\n---\napiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n    - image: 'busybox:1.36'\n";
        let refs = kubernetes(t).unwrap();
        assert_eq!(
            summary(t, &refs),
            vec![
                "8 nginx:1.27 [nginx:1.27] pinned=false",
                "14 busybox:1.36 [busybox:1.36] pinned=false",
            ]
        );
        let t = "services:\n  web:\n    image: \"ghcr.io/a/web:2\"\n  b:\n    build: .\n";
        assert_eq!(
            summary(t, &compose(t).unwrap()),
            vec!["3 ghcr.io/a/web:2 [ghcr.io/a/web:2] pinned=false"]
        );
        let t = "repos:\n- repo: https://github.com/psf/black\n  rev: 24.3.0\n  hooks: [{id: black}]\n- repo: local\n  hooks: []\n";
        assert_eq!(
            summary(t, &pre_commit(t).unwrap()),
            vec!["3 psf/black@24.3.0 [24.3.0] pinned=false"]
        );
    }

    #[test]
    fn malformed_yaml_is_an_error() {
        let e = gitlab("a: [\n").unwrap_err();
        assert!(matches!(e, DiscoverError::Yaml { .. }), "{e}");
        assert_eq!(e.code(), "pin-malformed-file");
    }
}
