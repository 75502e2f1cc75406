//! What a CI file runs, as components: GitHub Actions `uses:` and GitLab CI/CD `include:`.
//!
//! Syft and cdxgen list these in an SBOM; so does vouch, so that the actions, images and
//! pipeline components a build trusts are inventoried like its libraries.
//!
//! ## GitHub workflows and `action.yml`
//!
//! Every `uses:` of a step (`jobs.<id>.steps[].uses`, a composite action's `runs.steps[].uses`),
//! of a reusable-workflow job (`jobs.<id>.uses`) and a Docker action's `runs.image`:
//!
//! - `owner/repo@ref` → `pkg:githubactions/owner/repo@ref`; `owner/repo/path@ref` (an action
//!   in a folder, a reusable workflow) → the same with the path as the purl subpath
//!   (`pkg:githubactions/github/codeql-action@v3#init`). The `pinned` property is `true` when
//!   the ref is a full 40-character commit SHA and `false` otherwise (a tag or a branch: which
//!   of the two cannot be known offline).
//! - `docker://image[:tag][@digest]` → `pkg:docker/namespace/name@version`, the version being
//!   the digest when there is one, else the tag (`latest` when neither is written, as Docker
//!   does); `repository_url` names a registry other than Docker Hub; `pinned` is `true` with a
//!   digest.
//! - Local actions (`./path`) are the repository's own code and are not components. A `uses:`
//!   with an expression (`${{ … }}`) or without `@ref` cannot be named: a warning says so.
//!
//! ## GitLab CI
//!
//! The top-level `include:` of `.gitlab-ci.yml` (and `*.gitlab-ci.yml`):
//!
//! - `component: host/group/project/name@version` → `pkg:gitlab/group/project@version#name`
//!   (a purl of type `gitlab`, with `repository_url=host` when the host is not
//!   `gitlab.com`; a host written as a variable, `$CI_SERVER_FQDN`, is the instance running the
//!   pipeline and is kept as the `gitlab-host` property instead). `pinned` is `true` for a
//!   40-character commit SHA.
//! - `project: group/project` with `ref:` and `file:` → one `pkg:gitlab/group/project@ref`
//!   per file, the file as the subpath. Without `ref:` the include follows the default branch:
//!   no version can be named, and a warning says so.
//! - `local:`, `remote:` and `template:` includes are not packages (a file of this repository,
//!   a URL, a template shipped with GitLab).
//!
//! None of these ecosystems has version ordering in the advisory matcher yet except what OSV's
//! `GitHub Actions` ecosystem names; see docs/sbom.md.

use serde_json::Value;
use vouch_yaml::{LineIndex, Seg};

use crate::{Ecosystem, Package, ParseError, ParseWarning, Parsed, Source, property};

/// The `gitlab-host` property: a component's host written as a CI variable.
pub const GITLAB_HOST: &str = "gitlab-host";
/// The `tag` property of an image pinned by digest that also names a tag.
pub const TAG: &str = "tag";

fn load(source: &Source<'_>) -> Result<(Vec<Value>, LineIndex), ParseError> {
    let text = source.text()?;
    let docs = vouch_yaml::load_all(text).map_err(|e| ParseError::new(e.to_string()))?;
    Ok((docs, LineIndex::build(text)))
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_owned())
}

fn is_commit(reference: &str) -> bool {
    reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

struct Out {
    parsed: Parsed,
}

impl Out {
    fn warn(&mut self, line: Option<u32>, message: String) {
        self.parsed.warnings.push(ParseWarning {
            line,
            column: None,
            message,
        });
    }
}

/// Parses a GitHub workflow or `action.yml`.
pub fn parse_github(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let (docs, index) = load(source)?;
    let mut out = Out {
        parsed: Parsed::default(),
    };
    for (d, doc) in docs.iter().enumerate() {
        let line = |path: &[Seg]| index.line(d, path);
        if let Some(jobs) = doc.get("jobs").and_then(Value::as_object) {
            for (job_id, job) in jobs {
                let job_path = [key("jobs"), key(job_id)];
                if let Some(uses) = job.get("uses").and_then(Value::as_str) {
                    let mut path = job_path.to_vec();
                    path.push(key("uses"));
                    uses_component(&mut out, uses, line(&path));
                }
                steps(&mut out, job.get("steps"), &job_path, &line);
            }
        }
        if let Some(runs) = doc.get("runs") {
            steps(&mut out, runs.get("steps"), &[key("runs")], &line);
            if let Some(image) = runs.get("image").and_then(Value::as_str)
                && let Some(image) = image.strip_prefix("docker://")
            {
                docker_component(&mut out, image, line(&[key("runs"), key("image")]));
            }
        }
    }
    Ok(out.parsed)
}

fn steps(out: &mut Out, steps: Option<&Value>, at: &[Seg], line: &dyn Fn(&[Seg]) -> Option<u32>) {
    let Some(steps) = steps.and_then(Value::as_array) else {
        return;
    };
    for (i, step) in steps.iter().enumerate() {
        if let Some(uses) = step.get("uses").and_then(Value::as_str) {
            let mut path = at.to_vec();
            path.extend([key("steps"), Seg::Index(i), key("uses")]);
            uses_component(out, uses, line(&path));
        }
    }
}

fn uses_component(out: &mut Out, uses: &str, line: Option<u32>) {
    let uses = uses.trim();
    if uses.starts_with("./") || uses.starts_with("../") {
        return;
    }
    if uses.contains("${{") {
        out.warn(
            line,
            format!("`uses: {uses}` holds an expression; the action cannot be named"),
        );
        return;
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        docker_component(out, image, line);
        return;
    }
    let Some((path, reference)) = uses
        .rsplit_once('@')
        .filter(|(p, r)| !p.is_empty() && !r.is_empty())
    else {
        out.warn(
            line,
            format!("`uses: {uses}` has no `@ref`; the action cannot be named"),
        );
        return;
    };
    let mut parts = path.splitn(3, '/');
    let (Some(owner), Some(repo)) = (parts.next(), parts.next()) else {
        out.warn(
            line,
            format!("`uses: {uses}` is not `owner/repo[/path]@ref`; the action cannot be named"),
        );
        return;
    };
    if owner.is_empty() || repo.is_empty() {
        out.warn(
            line,
            format!("`uses: {uses}` is not `owner/repo[/path]@ref`; the action cannot be named"),
        );
        return;
    }
    let mut package = Package::new(
        Ecosystem::GitHubActions,
        format!("{owner}/{repo}"),
        reference,
    )
    .with_property(property::PINNED, is_commit(reference).to_string());
    package.subpath = parts.next().filter(|p| !p.is_empty()).map(str::to_owned);
    package.line = line;
    out.parsed.packages.push(package);
}

fn docker_component(out: &mut Out, image: &str, line: Option<u32>) {
    let written = vouch_oci::reference::Written::parse(image);
    if written.has_variable() {
        out.warn(
            line,
            format!("image `docker://{image}` holds a variable; it cannot be named"),
        );
        return;
    }
    let reference = match written.to_reference() {
        Ok(r) => r,
        Err(e) => {
            out.warn(
                line,
                format!("image `docker://{image}` cannot be read: {e}"),
            );
            return;
        }
    };
    let (version, pinned) = match (&reference.digest, &reference.tag) {
        (Some(digest), _) => (digest.to_string(), true),
        (None, Some(tag)) => (tag.clone(), false),
        (None, None) => ("latest".to_owned(), false),
    };
    let mut package = Package::new(
        Ecosystem::Docker,
        reference.name.repository.as_str(),
        version,
    )
    .with_property(property::PINNED, pinned.to_string());
    if reference.digest.is_some()
        && let Some(tag) = &reference.tag
    {
        package.properties.insert(TAG.into(), tag.clone());
    }
    if reference.name.registry != "docker.io" {
        package
            .qualifiers
            .insert("repository_url".into(), reference.name.registry.clone());
    }
    package.line = line;
    out.parsed.packages.push(package);
}

/// Parses a `.gitlab-ci.yml`.
pub fn parse_gitlab(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let (docs, index) = load(source)?;
    let mut out = Out {
        parsed: Parsed::default(),
    };
    for (d, doc) in docs.iter().enumerate() {
        let Some(include) = doc.get("include") else {
            continue;
        };
        let items: Vec<(Vec<Seg>, &Value)> = match include {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (vec![key("include"), Seg::Index(i)], v))
                .collect(),
            other => vec![(vec![key("include")], other)],
        };
        for (path, item) in items {
            let line = index.line(d, &path);
            let Some(map) = item.as_object() else {
                // A bare string is a local file or a URL.
                continue;
            };
            if let Some(component) = map.get("component").and_then(Value::as_str) {
                let mut at = path.clone();
                at.push(key("component"));
                gitlab_component(&mut out, component, index.line(d, &at).or(line));
            } else if let Some(project) = map.get("project").and_then(Value::as_str) {
                let mut at = path.clone();
                at.push(key("project"));
                let line = index.line(d, &at).or(line);
                let Some(reference) = map.get("ref").and_then(Value::as_str) else {
                    out.warn(
                        line,
                        format!(
                            "include of project `{project}` has no `ref:`; it follows the default branch, so no version can be named"
                        ),
                    );
                    continue;
                };
                let files: Vec<&str> = match map.get("file") {
                    Some(Value::String(f)) => vec![f.as_str()],
                    Some(Value::Array(fs)) => fs.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                if project.contains('$') || reference.contains('$') {
                    out.warn(
                        line,
                        format!(
                            "include of project `{project}` at `{reference}` holds a variable; it cannot be named"
                        ),
                    );
                    continue;
                }
                let files = if files.is_empty() { vec![""] } else { files };
                for file in files {
                    let mut package = Package::new(Ecosystem::GitLab, project, reference)
                        .with_property(property::PINNED, is_commit(reference).to_string());
                    let file = file.trim_start_matches('/');
                    package.subpath = (!file.is_empty()).then(|| file.to_owned());
                    package.line = line;
                    out.parsed.packages.push(package);
                }
            }
        }
    }
    Ok(out.parsed)
}

fn gitlab_component(out: &mut Out, component: &str, line: Option<u32>) {
    let component = component.trim();
    let Some((path, version)) = component
        .rsplit_once('@')
        .filter(|(p, v)| !p.is_empty() && !v.is_empty())
    else {
        out.warn(
            line,
            format!("component `{component}` has no `@version`; it cannot be named"),
        );
        return;
    };
    let segments: Vec<&str> = path.split('/').collect();
    let [host, project @ .., name] = segments.as_slice() else {
        out.warn(
            line,
            format!("component `{component}` is not `host/project/name@version`"),
        );
        return;
    };
    if project.is_empty() || host.is_empty() || name.is_empty() || version.contains('$') {
        out.warn(
            line,
            format!("component `{component}` is not `host/project/name@version`"),
        );
        return;
    }
    let mut package = Package::new(Ecosystem::GitLab, project.join("/"), version)
        .with_property(property::PINNED, is_commit(version).to_string());
    package.subpath = Some((*name).to_owned());
    if host.starts_with('$') {
        package
            .properties
            .insert(GITLAB_HOST.into(), (*host).to_owned());
    } else if *host != "gitlab.com" {
        package
            .qualifiers
            .insert("repository_url".into(), (*host).to_owned());
    }
    package.line = line;
    out.parsed.packages.push(package);
}
