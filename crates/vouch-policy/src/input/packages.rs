//! Package-manager settings → `input.registry`, manifests → `input.manifest`, lockfiles →
//! `input.lockfile`.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Anchor, Context, InputError, find_line};

type Out = (Value, Vec<Anchor>);

fn source(url: &str, scope: Option<&str>, role: &str, explicit: bool, line: Option<u32>) -> Value {
    json!({"url": url, "scope": scope, "role": role, "explicit": explicit, "line": line})
}

fn strip_comment(l: &str) -> &str {
    l.trim()
}

/// `.npmrc` → `input.registry` (`ecosystem: npm`).
pub fn npmrc(text: &str) -> Out {
    let mut sources = Vec::new();
    let mut entries = Vec::new();
    for (n, l) in text.lines().enumerate() {
        let line = u32::try_from(n + 1).ok();
        let t = strip_comment(l);
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let Some((key, value)) = t.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim().trim_matches('"'));
        // Never put auth values into the input: they would end up in messages.
        let shown = if key.contains("_auth") || key.contains("password") || key.contains("token") {
            "<redacted>"
        } else {
            value
        };
        entries.push(json!({"key": key, "value": shown, "line": line}));
        if key == "registry" {
            sources.push(source(value, None, "index", false, line));
        } else if let Some(scope) = key.strip_suffix(":registry") {
            sources.push(source(value, Some(scope), "scoped", true, line));
        }
    }
    (
        json!({"ecosystem": "npm", "sources": sources, "entries": entries}),
        Vec::new(),
    )
}

/// `pip.conf` / `pip.ini` → `input.registry` (`ecosystem: pypi`).
pub fn pip_conf(text: &str) -> Out {
    let mut sources = Vec::new();
    let mut current: Option<(&str, Option<u32>)> = None;
    let mut flush = |cur: &mut Option<(&str, Option<u32>)>, urls: &str| {
        if let Some((key, line)) = cur.take() {
            let role = match key {
                "index-url" | "index_url" => "index",
                "extra-index-url" | "extra_index_url" => "extra-index",
                _ => "find-links",
            };
            for u in urls.split_whitespace() {
                sources.push(source(u, None, role, false, line));
            }
        }
    };
    let mut pending = String::new();
    for (n, l) in text.lines().enumerate() {
        let line = u32::try_from(n + 1).ok();
        let t = l.trim();
        if t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let continuation = l.starts_with(' ') || l.starts_with('\t');
        if continuation && current.is_some() {
            pending.push(' ');
            pending.push_str(t);
            continue;
        }
        flush(&mut current, &pending);
        pending.clear();
        if let Some((key, value)) = t.split_once('=') {
            let key = key.trim();
            if matches!(
                key,
                "index-url"
                    | "index_url"
                    | "extra-index-url"
                    | "extra_index_url"
                    | "find-links"
                    | "find_links"
            ) {
                current = Some((key, line));
                pending.push_str(value.trim());
            }
        }
    }
    flush(&mut current, &pending);
    (json!({"ecosystem": "pypi", "sources": sources}), Vec::new())
}

/// `pyproject.toml` → `input.registry` (`ecosystem: pypi`) with uv, Poetry and PDM indexes, and
/// `input.manifest` facts.
pub fn pyproject(text: &str, ctx: &Context) -> Result<Out, InputError> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| InputError::Syntax {
        line: e
            .span()
            .map(|s| u32::try_from(text[..s.start].matches('\n').count() + 1).unwrap_or(0)),
        message: e.message().to_owned(),
    })?;
    let mut sources = Vec::new();
    let tool = doc.get("tool");
    let tables = |path: &[&str]| -> Vec<toml::Table> {
        let mut v = tool;
        for p in path {
            v = v.and_then(|x| x.get(*p));
        }
        v.and_then(toml::Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_table().cloned()).collect())
            .unwrap_or_default()
    };
    for t in tables(&["uv", "index"]) {
        let url = t.get("url").and_then(toml::Value::as_str).unwrap_or("");
        let explicit = t
            .get("explicit")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        let default = t
            .get("default")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        let role = if default { "index" } else { "extra-index" };
        sources.push(source(
            url,
            None,
            if explicit { "scoped" } else { role },
            explicit,
            find_line(text, url),
        ));
    }
    if let Some(urls) = tool
        .and_then(|t| t.get("uv"))
        .and_then(|u| u.get("extra-index-url"))
        .and_then(toml::Value::as_array)
    {
        for u in urls.iter().filter_map(toml::Value::as_str) {
            sources.push(source(u, None, "extra-index", false, find_line(text, u)));
        }
    }
    for path in [["poetry", "source"], ["pdm", "source"]] {
        for t in tables(&path) {
            let url = t.get("url").and_then(toml::Value::as_str).unwrap_or("");
            let priority = t
                .get("priority")
                .and_then(toml::Value::as_str)
                .unwrap_or("primary");
            let explicit = priority == "explicit";
            let role = match priority {
                "explicit" => "scoped",
                "primary" | "default" => "index",
                _ => "extra-index",
            };
            sources.push(source(url, None, role, explicit, find_line(text, url)));
        }
    }
    let project_deps = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(toml::Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let poetry_deps = tool
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(toml::Value::as_table)
        .is_some_and(|t| t.keys().any(|k| k != "python"));
    Ok((
        json!({
            "ecosystem": "pypi",
            "sources": sources,
            "has_dependencies": project_deps || poetry_deps,
            "lockfile_present": ctx.lockfile_present,
            "line": find_line(text, "dependencies").unwrap_or(1),
        }),
        Vec::new(),
    ))
}

/// `requirements*.txt` → `input.registry` (`ecosystem: pypi`) with one entry per requirement.
pub fn requirements(text: &str) -> Out {
    let mut sources = Vec::new();
    let mut reqs = Vec::new();
    let mut logical = String::new();
    let mut start_line = 0u32;
    let lines: Vec<&str> = text.lines().collect();
    for (n, raw) in lines.iter().enumerate() {
        if logical.is_empty() {
            start_line = u32::try_from(n + 1).unwrap_or(u32::MAX);
        }
        let l = raw.trim_end();
        if let Some(body) = l.strip_suffix('\\') {
            logical.push_str(body);
            logical.push(' ');
            if n + 1 < lines.len() {
                continue;
            }
        } else {
            logical.push_str(l);
        }
        let full = std::mem::take(&mut logical);
        let t = match full.find(" #") {
            Some(i) => &full[..i],
            None => full.as_str(),
        }
        .trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        let opt_value = |names: &[&str]| -> Option<String> {
            for (i, w) in words.iter().enumerate() {
                for name in names {
                    if w == name {
                        return words.get(i + 1).map(|s| (*s).to_owned());
                    }
                    if let Some(v) = w.strip_prefix(&format!("{name}=")) {
                        return Some(v.to_owned());
                    }
                }
            }
            None
        };
        if t.starts_with('-') && !t.starts_with("-e") && !t.starts_with("--editable") {
            let line = Some(start_line);
            if let Some(u) = opt_value(&["--index-url", "-i"]) {
                sources.push(source(&u, None, "index", false, line));
            } else if let Some(u) = opt_value(&["--extra-index-url"]) {
                sources.push(source(&u, None, "extra-index", false, line));
            } else if let Some(u) = opt_value(&["--find-links", "-f"]) {
                sources.push(source(&u, None, "find-links", false, line));
            }
            continue;
        }
        let hashes = words.iter().filter(|w| w.starts_with("--hash")).count();
        let spec = words.first().copied().unwrap_or("");
        let name: String = spec
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        reqs.push(json!({
            "text": t,
            "name": name,
            "line": start_line,
            "hashes": hashes,
            "pinned": spec.contains("=="),
            "direct_url": spec.contains("://") || t.contains(" @ "),
            "editable": t.starts_with("-e") || t.starts_with("--editable"),
        }));
    }
    (
        json!({"ecosystem": "pypi", "sources": sources, "requirements": reqs}),
        Vec::new(),
    )
}

/// `package.json` → `input.manifest`.
pub fn package_json(text: &str, ctx: &Context) -> Result<Out, InputError> {
    let v: Value = serde_json::from_str(text).map_err(|e| InputError::Syntax {
        line: u32::try_from(e.line()).ok(),
        message: e.to_string(),
    })?;
    let has = |k: &str| {
        v.get(k)
            .and_then(Value::as_object)
            .is_some_and(|o| !o.is_empty())
    };
    let scripts = v.get("scripts").cloned().unwrap_or(Value::Null);
    Ok((
        json!({
            "ecosystem": "npm",
            "name": v.get("name"),
            "private": v.get("private"),
            "has_dependencies": has("dependencies") || has("devDependencies") || has("optionalDependencies"),
            "lockfile_present": ctx.lockfile_present,
            "workspaces": v.get("workspaces"),
            "scripts": scripts,
            "line": find_line(text, "\"dependencies\"").or_else(|| find_line(text, "\"devDependencies\"")).unwrap_or(1),
        }),
        Vec::new(),
    ))
}

/// `package-lock.json` / `npm-shrinkwrap.json` (v1, v2, v3) → `input.lockfile`.
pub fn package_lock(text: &str) -> Result<Out, InputError> {
    let v: Value = serde_json::from_str(text).map_err(|e| InputError::Syntax {
        line: u32::try_from(e.line()).ok(),
        message: e.to_string(),
    })?;
    // One pass over the text: `"node_modules/x": {` → line.
    let mut lines: HashMap<&str, u32> = HashMap::new();
    for (n, l) in text.lines().enumerate() {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix('"')
            && let Some(end) = rest.find("\": {")
        {
            lines
                .entry(&rest[..end])
                .or_insert(u32::try_from(n + 1).unwrap_or(u32::MAX));
        }
    }
    let mut packages = Vec::new();
    if let Some(Value::Object(pkgs)) = v.get("packages") {
        for (key, p) in pkgs {
            if key.is_empty() {
                continue;
            }
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| key.rsplit("node_modules/").next().unwrap_or(key).to_owned());
            packages.push(json!({
                "name": name,
                "key": key,
                "version": p.get("version"),
                "resolved": p.get("resolved"),
                "integrity": p.get("integrity"),
                "has_install_script": p.get("hasInstallScript").and_then(Value::as_bool).unwrap_or(false),
                "link": p.get("link").and_then(Value::as_bool).unwrap_or(false),
                "dev": p.get("dev").and_then(Value::as_bool).unwrap_or(false),
                "line": lines.get(key.as_str()),
            }));
        }
    } else if let Some(Value::Object(deps)) = v.get("dependencies") {
        // lockfileVersion 1: nested `dependencies`.
        let mut stack: Vec<(String, &serde_json::Map<String, Value>)> = vec![(String::new(), deps)];
        while let Some((prefix, deps)) = stack.pop() {
            for (name, p) in deps {
                let key = format!("{prefix}node_modules/{name}");
                packages.push(json!({
                    "name": name,
                    "key": key,
                    "version": p.get("version"),
                    "resolved": p.get("resolved"),
                    "integrity": p.get("integrity"),
                    "has_install_script": false,
                    "link": false,
                    "dev": p.get("dev").and_then(Value::as_bool).unwrap_or(false),
                    "line": lines.get(name.as_str()),
                }));
                if let Some(Value::Object(nested)) = p.get("dependencies") {
                    stack.push((format!("{key}/"), nested));
                }
            }
        }
    }
    Ok((
        json!({
            "ecosystem": "npm",
            "format": "package-lock",
            "lockfile_version": v.get("lockfileVersion"),
            "packages": packages,
        }),
        Vec::new(),
    ))
}

/// name, line, version, resolved, integrity
type YarnEntry = (String, u32, Option<String>, Option<String>, Option<String>);

/// `yarn.lock` (classic v1 and Berry) → `input.lockfile`.
pub fn yarn_lock(text: &str) -> Out {
    let mut packages = Vec::new();
    let mut cur: Option<YarnEntry> = None;
    let mut push = |c: Option<YarnEntry>| {
        if let Some((name, line, version, resolved, integrity)) = c {
            packages.push(json!({
                "name": name, "line": line, "version": version, "resolved": resolved,
                "integrity": integrity, "has_install_script": false,
            }));
        }
    };
    for (n, l) in text.lines().enumerate() {
        let line = u32::try_from(n + 1).unwrap_or(u32::MAX);
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if !l.starts_with(' ') {
            push(cur.take());
            if l.starts_with("__metadata") {
                continue;
            }
            let first = l
                .trim_end_matches(':')
                .split(',')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            let name = match first.char_indices().skip(1).find(|(_, c)| *c == '@') {
                Some((i, _)) => first[..i].to_owned(),
                None => first.to_owned(),
            };
            cur = Some((name, line, None, None, None));
            continue;
        }
        let t = l.trim();
        let (key, value) = match t.split_once(':') {
            Some((k, v)) if !k.contains(' ') && !k.contains('"') => (k, v.trim()),
            _ => match t.split_once(' ') {
                Some((k, v)) => (k, v.trim()),
                None => continue,
            },
        };
        let value = value.trim_matches('"').to_owned();
        if let Some(c) = cur.as_mut() {
            match key {
                "version" => c.2 = Some(value),
                "resolved" => c.3 = Some(value),
                "integrity" | "checksum" => c.4 = Some(value),
                _ => {}
            }
        }
    }
    push(cur.take());
    (
        json!({"ecosystem": "npm", "format": "yarn-lock", "packages": packages}),
        Vec::new(),
    )
}
