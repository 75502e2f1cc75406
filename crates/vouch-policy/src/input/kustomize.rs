//! Kustomize overlays, built before checking (docs/kustomize.md): `resources` (files, and
//! folders with their own kustomization, built recursively), `components`, `patches`,
//! `patchesStrategicMerge` (strategic merge: maps merged, list items with a `name` merged by
//! name) and `patchesJson6902` / JSON-patch `patches` (RFC 6902, the `json-patch` crate),
//! `images` (`newName`, `newTag`, `digest`), `namePrefix` / `nameSuffix`, `commonLabels`,
//! `labels`, `commonAnnotations`, `namespace`, `replicas`. Remote bases are not fetched: each is
//! recorded as not built. Every other file is read through [`Context::read`].
//!
//! Each built resource keeps its layers (the file that defines it, then each strategic-merge
//! patch applied to it), so a finding lands on the line that wrote the field: the base's line,
//! or the patch's when the patch set it (see `super::built`).

use std::rc::Rc;

use serde_json::{Map, Value};
use vouch_yaml::{LineIndex, Seg};

use super::built::{Built, Layer, join, parent};
use super::{Context, InputError, NotBuilt};

/// Nested kustomizations deeper than this are refused.
pub const MAX_DEPTH: usize = 16;
/// More resources than this in one build are refused.
pub const MAX_RESOURCES: usize = 10_000;

/// Names kustomize reads a folder's kustomization from, in its order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Why a kustomization could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    #[error(
        "kustomization {kustomization}: {field} entry `{entry}` is neither a file nor a folder with a kustomization"
    )]
    Missing {
        kustomization: String,
        field: &'static str,
        entry: String,
    },
    #[error("kustomization {kustomization}: {field} entry `{entry}` is outside the repository")]
    Outside {
        kustomization: String,
        field: &'static str,
        entry: String,
    },
    #[error("kustomization {kustomization} includes itself through {entry}")]
    Cycle {
        kustomization: String,
        entry: String,
    },
    #[error("kustomization {kustomization}: nested more than {limit} kustomizations deep")]
    TooDeep { kustomization: String, limit: usize },
    #[error("kustomization {kustomization}: more than {limit} resources")]
    TooMany { kustomization: String, limit: usize },
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error(
        "kustomization {kustomization}: {field} entry {entry}: expected {expected}, found {found}"
    )]
    Shape {
        kustomization: String,
        field: &'static str,
        entry: String,
        expected: &'static str,
        found: String,
    },
    #[error("kustomization {kustomization}: patch {patch} matches no resource ({target})")]
    NoTarget {
        kustomization: String,
        patch: String,
        target: String,
    },
    #[error(
        "kustomization {kustomization}: JSON patch {patch} cannot be applied to {target}: {message}"
    )]
    JsonPatch {
        kustomization: String,
        patch: String,
        target: String,
        message: String,
    },
}

/// One resource while building: the document, its layers and the names it had.
struct Res {
    value: Value,
    layers: Vec<Layer>,
    /// Every name the resource had (before prefixes and suffixes), for patch targets.
    names: Vec<String>,
}

impl Res {
    fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }
    fn name(&self) -> &str {
        self.value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// The patch files a kustomization names (`patches[].path`, `patchesStrategicMerge` paths,
/// `patchesJson6902[].path`), as paths of the tree. They are partial resources: checked through
/// the overlay, never on their own.
pub fn patch_files(rel: &str, text: &str) -> Vec<String> {
    let dir = parent(rel);
    let Ok(docs) = vouch_yaml::load_all(text) else {
        return Vec::new();
    };
    let Some(Value::Object(k)) = docs.into_iter().find(|d| !d.is_null()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in ["patches", "patchesStrategicMerge", "patchesJson6902"] {
        let Some(Value::Array(items)) = k.get(field) else {
            continue;
        };
        for item in items {
            let path = match item {
                Value::String(s) if !s.contains('\n') => Some(s.as_str()),
                Value::Object(o) => o.get("path").and_then(Value::as_str),
                _ => None,
            };
            if let Some(p) = path.and_then(|p| join(dir, p)) {
                out.push(p);
            }
        }
    }
    out
}

/// Build the kustomization `rel` (its text `text`).
pub(crate) fn build(rel: &str, text: &str, ctx: &Context) -> Result<Built, InputError> {
    let mut built = Built::default();
    let mut stack = vec![rel.to_owned()];
    let (docs, _) = load(rel, text)?;
    if docs
        .iter()
        .find(|d| !d.is_null())
        .and_then(|d| d.get("kind"))
        .and_then(Value::as_str)
        == Some("Component")
    {
        // A component patches the resources of the kustomizations that list it under
        // `components:` and is checked through them; alone it has nothing to build (kustomize
        // refuses it too).
        return Ok(built);
    }
    let resources = build_one(rel, text, ctx, &mut stack, &mut built.not_built, Vec::new())?;
    for r in resources {
        built.push(r.value, r.layers);
    }
    Ok(built)
}

fn syntax(path: &str, e: impl std::fmt::Display) -> BuildError {
    BuildError::Syntax {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

fn load(path: &str, text: &str) -> Result<(Vec<Value>, Rc<LineIndex>), InputError> {
    let docs = vouch_yaml::load_all(text).map_err(|e| match e {
        vouch_yaml::YamlError::TooDeep(d) => InputError::TooDeep(d),
        e => syntax(path, e).into(),
    })?;
    Ok((docs, Rc::new(LineIndex::build(text))))
}

fn read_text(ctx: &Context, path: &str) -> Result<String, InputError> {
    let bytes = ctx.read(path)?;
    String::from_utf8(bytes).map_err(|e| {
        syntax(
            path,
            format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        )
        .into()
    })
}

fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
        || entry.starts_with("git@")
        || entry.contains("?ref=")
        || entry.contains(".git//")
}

/// The string entries of a list field (absent: none).
fn list_of_strings(
    k: &Map<String, Value>,
    field: &'static str,
    kust: &str,
) -> Result<Vec<String>, BuildError> {
    match k.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(BuildError::Shape {
                    kustomization: kust.to_owned(),
                    field,
                    entry: other.to_string(),
                    expected: "a path",
                    found: type_name(other).to_owned(),
                }),
            })
            .collect(),
        Some(other) => Err(BuildError::Shape {
            kustomization: kust.to_owned(),
            field,
            entry: String::new(),
            expected: "a list",
            found: type_name(other).to_owned(),
        }),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn build_one(
    rel: &str,
    text: &str,
    ctx: &Context,
    stack: &mut Vec<String>,
    not_built: &mut Vec<NotBuilt>,
    inherited: Vec<Res>,
) -> Result<Vec<Res>, InputError> {
    if stack.len() > MAX_DEPTH {
        return Err(BuildError::TooDeep {
            kustomization: rel.to_owned(),
            limit: MAX_DEPTH,
        }
        .into());
    }
    let (docs, kidx) = load(rel, text)?;
    let k = match docs.into_iter().find(|d| !d.is_null()) {
        Some(Value::Object(m)) => m,
        None => Map::new(),
        Some(other) => {
            return Err(syntax(
                rel,
                format!("expected a mapping, found {}", type_name(&other)),
            )
            .into());
        }
    };
    let dir = parent(rel).to_owned();
    let files = ctx.files()?;
    // A component starts from the resources of the kustomization that lists it.
    let mut out: Vec<Res> = inherited;
    let mut entries = list_of_strings(&k, "resources", rel)?
        .into_iter()
        .map(|e| ("resources", e))
        .collect::<Vec<_>>();
    entries.extend(
        list_of_strings(&k, "bases", rel)?
            .into_iter()
            .map(|e| ("bases", e)),
    );
    let components: Vec<(&'static str, String)> = list_of_strings(&k, "components", rel)?
        .into_iter()
        .map(|e| ("components", e))
        .collect();
    for (field, entry) in entries {
        if is_remote(&entry) {
            not_built.push(NotBuilt {
                path: rel.to_owned(),
                reason: format!("remote {field} entry `{entry}` is not fetched"),
            });
            continue;
        }
        let Some(target) = join(&dir, &entry) else {
            return Err(BuildError::Outside {
                kustomization: rel.to_owned(),
                field,
                entry,
            }
            .into());
        };
        if files.contains(&target) {
            let text = read_text(ctx, &target)?;
            let (docs, idx) = load(&target, &text)?;
            for (d, doc) in docs.into_iter().enumerate() {
                if !doc.is_object() {
                    continue;
                }
                push_res(&mut out, rel, resource(&target, d, &idx, doc))?;
            }
            continue;
        }
        let Some(sub) = FILE_NAMES
            .iter()
            .map(|n| join(&target, n).unwrap_or_default())
            .find(|p| files.contains(p))
        else {
            return Err(BuildError::Missing {
                kustomization: rel.to_owned(),
                field,
                entry,
            }
            .into());
        };
        if stack.contains(&sub) {
            return Err(BuildError::Cycle {
                kustomization: rel.to_owned(),
                entry,
            }
            .into());
        }
        let text = read_text(ctx, &sub)?;
        stack.push(sub.clone());
        let built = build_one(&sub, &text, ctx, stack, not_built, Vec::new())?;
        stack.pop();
        for r in built {
            push_res(&mut out, rel, r)?;
        }
    }
    for (field, entry) in components {
        if is_remote(&entry) {
            not_built.push(NotBuilt {
                path: rel.to_owned(),
                reason: format!("remote {field} entry `{entry}` is not fetched"),
            });
            continue;
        }
        let sub = join(&dir, &entry).and_then(|target| {
            FILE_NAMES
                .iter()
                .map(|n| join(&target, n).unwrap_or_default())
                .find(|p| files.contains(p))
        });
        let Some(sub) = sub else {
            return Err(BuildError::Missing {
                kustomization: rel.to_owned(),
                field,
                entry,
            }
            .into());
        };
        if stack.contains(&sub) {
            return Err(BuildError::Cycle {
                kustomization: rel.to_owned(),
                entry,
            }
            .into());
        }
        let text = read_text(ctx, &sub)?;
        stack.push(sub.clone());
        out = build_one(&sub, &text, ctx, stack, not_built, out)?;
        stack.pop();
        if out.len() > MAX_RESOURCES {
            return Err(BuildError::TooMany {
                kustomization: rel.to_owned(),
                limit: MAX_RESOURCES,
            }
            .into());
        }
    }
    drop(files);
    patches(rel, &k, &kidx, ctx, &mut out)?;
    transforms(rel, &k, &mut out)?;
    Ok(out)
}

fn push_res(out: &mut Vec<Res>, kust: &str, r: Res) -> Result<(), BuildError> {
    if out.len() >= MAX_RESOURCES {
        return Err(BuildError::TooMany {
            kustomization: kust.to_owned(),
            limit: MAX_RESOURCES,
        });
    }
    out.push(r);
    Ok(())
}

fn resource(path: &str, doc: usize, idx: &Rc<LineIndex>, value: Value) -> Res {
    let name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    Res {
        layers: vec![Layer {
            path: path.to_owned(),
            doc,
            index: Rc::clone(idx),
            value: value.clone(),
            lines: None,
        }],
        value,
        names: vec![name],
    }
}

/// A patch's target: from a `target:` selector, or the patch's own kind and name.
#[derive(Debug, Default)]
struct Target {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
    labels: Vec<(String, String)>,
}

impl Target {
    fn from_selector(v: &Value) -> Self {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let labels = s("labelSelector")
            .map(|sel| {
                sel.split(',')
                    .filter_map(|p| p.split_once('='))
                    .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            name: s("name"),
            namespace: s("namespace"),
            labels,
        }
    }

    fn from_patch(p: &Value) -> Self {
        let api = p.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let (group, version) = match api.split_once('/') {
            Some((g, v)) => (Some(g.to_owned()), Some(v.to_owned())),
            None if api.is_empty() => (None, None),
            None => (Some(String::new()), Some(api.to_owned())),
        };
        Self {
            group,
            version,
            kind: p.get("kind").and_then(Value::as_str).map(str::to_owned),
            name: p
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            namespace: p
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .map(str::to_owned),
            labels: Vec::new(),
        }
    }

    fn matches(&self, r: &Res) -> bool {
        let api = r
            .value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (group, version) = api.split_once('/').unwrap_or(("", api));
        let name_ok = |want: &str| {
            r.names.iter().any(|n| n == want)
                || r.name() == want
                || regex::Regex::new(&format!("^(?:{want})$"))
                    .is_ok_and(|re| re.is_match(r.name()) || r.names.iter().any(|n| re.is_match(n)))
        };
        self.kind.as_deref().is_none_or(|k| k == r.kind())
            && self.group.as_deref().is_none_or(|g| g == group)
            && self.version.as_deref().is_none_or(|v| v == version)
            && self.name.as_deref().is_none_or(name_ok)
            && self.namespace.as_deref().is_none_or(|ns| {
                r.value
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    == Some(ns)
            })
            && self.labels.iter().all(|(k, v)| {
                r.value
                    .pointer("/metadata/labels")
                    .and_then(|l| l.get(k))
                    .and_then(Value::as_str)
                    == Some(v)
            })
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k} {v}"));
            }
        }
        if parts.is_empty() {
            "no target".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One patch to apply: its content and where it was written.
struct Patch {
    /// The patch file, or the kustomization for an inline patch.
    shown: String,
    docs: Vec<Value>,
    idx: Rc<LineIndex>,
    /// For an inline patch, the kustomization line each line of the patch text is on.
    lines: Option<Rc<Vec<u32>>>,
    target: Option<Target>,
}

fn patches(
    kust: &str,
    k: &Map<String, Value>,
    kidx: &LineIndex,
    ctx: &Context,
    out: &mut [Res],
) -> Result<(), InputError> {
    let dir = parent(kust);
    let mut list: Vec<Patch> = Vec::new();
    let from_file = |field: &'static str, entry: &str| -> Result<Patch, InputError> {
        let Some(path) = join(dir, entry) else {
            return Err(BuildError::Outside {
                kustomization: kust.to_owned(),
                field,
                entry: entry.to_owned(),
            }
            .into());
        };
        let text = read_text(ctx, &path)?;
        let (docs, idx) = load(&path, &text)?;
        Ok(Patch {
            shown: path,
            docs,
            idx,
            lines: None,
            target: None,
        })
    };
    let inline = |text: &str, at: &[Seg]| -> Result<Patch, InputError> {
        let (docs, idx) = load(kust, text)?;
        // A block scalar starts on the line after its key.
        let first = kidx.exact(0, at).unwrap_or(1);
        let n = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
        Ok(Patch {
            shown: kust.to_owned(),
            docs,
            idx,
            lines: Some(Rc::new((1..=n).map(|i| first + i).collect())),
            target: None,
        })
    };
    for (field, json6902) in [
        ("patchesStrategicMerge", false),
        ("patches", false),
        ("patchesJson6902", true),
    ] {
        let Some(v) = k.get(field) else { continue };
        let Value::Array(items) = v else {
            return Err(BuildError::Shape {
                kustomization: kust.to_owned(),
                field,
                entry: String::new(),
                expected: "a list",
                found: type_name(v).to_owned(),
            }
            .into());
        };
        for (i, item) in items.iter().enumerate() {
            let at = [Seg::Key(field.into()), Seg::Index(i)];
            let mut p = match item {
                Value::String(s) if field == "patchesStrategicMerge" && !s.contains('\n') => {
                    from_file(field, s)?
                }
                Value::String(s) if field == "patchesStrategicMerge" => inline(s, &at)?,
                Value::Object(o) => {
                    if let Some(path) = o.get("path").and_then(Value::as_str) {
                        from_file(field, path)?
                    } else if let Some(text) = o.get("patch").and_then(Value::as_str) {
                        let mut at = at.to_vec();
                        at.push(Seg::Key("patch".into()));
                        inline(text, &at)?
                    } else {
                        return Err(BuildError::Shape {
                            kustomization: kust.to_owned(),
                            field,
                            entry: i.to_string(),
                            expected: "`path` or `patch`",
                            found: "neither".into(),
                        }
                        .into());
                    }
                }
                other => {
                    return Err(BuildError::Shape {
                        kustomization: kust.to_owned(),
                        field,
                        entry: i.to_string(),
                        expected: "a path or a mapping",
                        found: type_name(other).to_owned(),
                    }
                    .into());
                }
            };
            p.target = item.get("target").map(Target::from_selector);
            if json6902 && p.target.is_none() {
                return Err(BuildError::Shape {
                    kustomization: kust.to_owned(),
                    field,
                    entry: i.to_string(),
                    expected: "a `target`",
                    found: "none".into(),
                }
                .into());
            }
            list.push(p);
        }
    }
    for p in list {
        for (d, doc) in p.docs.iter().enumerate() {
            if let Value::Array(ops) = doc {
                apply_json6902(kust, &p, ops, out)?;
                continue;
            }
            if !doc.is_object() {
                continue;
            }
            let target = match &p.target {
                Some(t) => t,
                None => &Target::from_patch(doc),
            };
            let mut hit = false;
            for r in out.iter_mut().filter(|r| target.matches(r)) {
                hit = true;
                let mut patch = doc.clone();
                if p.target.is_some() {
                    // The selector chose the resource; the patch's own name may be a placeholder.
                    if let Some(m) = patch.get_mut("metadata").and_then(Value::as_object_mut) {
                        m.remove("name");
                    }
                }
                merge(&mut r.value, &patch);
                r.layers.push(Layer {
                    path: p.shown.clone(),
                    doc: d,
                    index: Rc::clone(&p.idx),
                    value: doc.clone(),
                    lines: p.lines.clone(),
                });
            }
            if !hit {
                return Err(BuildError::NoTarget {
                    kustomization: kust.to_owned(),
                    patch: p.shown.clone(),
                    target: target.describe(),
                }
                .into());
            }
        }
    }
    Ok(())
}

fn apply_json6902(kust: &str, p: &Patch, ops: &[Value], out: &mut [Res]) -> Result<(), BuildError> {
    let Some(target) = &p.target else {
        return Ok(());
    };
    let ops: Vec<json_patch::PatchOperation> = serde_json::from_value(Value::Array(ops.to_vec()))
        .map_err(|e| BuildError::JsonPatch {
        kustomization: kust.to_owned(),
        patch: p.shown.clone(),
        target: target.describe(),
        message: e.to_string(),
    })?;
    let mut hit = false;
    for r in out.iter_mut().filter(|r| target.matches(r)) {
        hit = true;
        json_patch::patch(&mut r.value, &ops).map_err(|e| BuildError::JsonPatch {
            kustomization: kust.to_owned(),
            patch: p.shown.clone(),
            target: target.describe(),
            message: e.to_string(),
        })?;
    }
    if !hit {
        return Err(BuildError::NoTarget {
            kustomization: kust.to_owned(),
            patch: p.shown.clone(),
            target: target.describe(),
        });
    }
    Ok(())
}

/// The key list items of a strategic-merge list are merged by, when every item has it.
fn merge_key(items: &[Value]) -> Option<&'static str> {
    ["name", "containerPort", "mountPath", "devicePath", "ip"]
        .into_iter()
        .find(|key| !items.is_empty() && items.iter().all(|i| i.get(*key).is_some()))
}

/// Strategic merge for the common cases: mappings merged key by key (`null` deletes a key,
/// `$patch: delete` deletes the mapping or list item, `$patch: replace` replaces it), lists of
/// mappings merged by their merge key (containers, volumes, env by `name`; ports by
/// `containerPort`; mounts by `mountPath`), other lists replaced.
pub fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            if p.get("$patch").and_then(Value::as_str) == Some("replace") {
                let mut p = p.clone();
                p.remove("$patch");
                *b = p;
                return;
            }
            for (key, pv) in p {
                if key == "$patch" || key.starts_with("$setElementOrder") {
                    continue;
                }
                if pv.is_null() || pv.get("$patch").and_then(Value::as_str) == Some("delete") {
                    b.remove(key);
                    continue;
                }
                match b.get_mut(key) {
                    Some(bv) => merge(bv, pv),
                    None => {
                        b.insert(key.clone(), pv.clone());
                    }
                }
            }
        }
        (Value::Array(b), Value::Array(p)) => match merge_key(p) {
            Some(mk) if b.iter().all(|i| i.get(mk).is_some()) => {
                for item in p {
                    let id = item.get(mk).cloned();
                    let pos = b.iter().position(|x| x.get(mk).cloned() == id);
                    let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                    match (pos, delete) {
                        (Some(i), true) => {
                            b.remove(i);
                        }
                        (Some(i), false) => merge(&mut b[i], item),
                        (None, true) => {}
                        (None, false) => b.push(item.clone()),
                    }
                }
            }
            _ => *b = p.clone(),
        },
        (b, p) => *b = p.clone(),
    }
}

/// Kinds outside namespaces (no `namespace:` is set on them).
fn cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PersistentVolume"
            | "StorageClass"
            | "PriorityClass"
            | "IngressClass"
            | "RuntimeClass"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "APIService"
            | "Node"
            | "CSIDriver"
            | "PodSecurityPolicy"
    )
}

fn transforms(kust: &str, k: &Map<String, Value>, out: &mut [Res]) -> Result<(), BuildError> {
    let s = |key: &str| k.get(key).and_then(Value::as_str).unwrap_or("");
    let (prefix, suffix, namespace) = (s("namePrefix"), s("nameSuffix"), s("namespace"));
    let mut labels: Map<String, Value> = Map::new();
    if let Some(Value::Object(l)) = k.get("commonLabels") {
        labels.extend(l.clone());
    }
    let mut template_labels = labels.clone();
    if let Some(Value::Array(ls)) = k.get("labels") {
        for l in ls {
            if let Some(Value::Object(pairs)) = l.get("pairs") {
                labels.extend(pairs.clone());
                if l.get("includeTemplates").and_then(Value::as_bool) == Some(true)
                    || l.get("includeSelectors").and_then(Value::as_bool) == Some(true)
                {
                    template_labels.extend(pairs.clone());
                }
            }
        }
    }
    let annotations = match k.get("commonAnnotations") {
        Some(Value::Object(a)) => a.clone(),
        _ => Map::new(),
    };
    let images = match k.get("images") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => {
            return Err(BuildError::Shape {
                kustomization: kust.to_owned(),
                field: "images",
                entry: String::new(),
                expected: "a list",
                found: type_name(other).to_owned(),
            });
        }
    };
    let replicas = match k.get("replicas") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    for r in out.iter_mut() {
        let kind = r.kind().to_owned();
        let Some(obj) = r.value.as_object_mut() else {
            continue;
        };
        let meta = obj
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(m) = meta.as_object_mut() {
            if (!prefix.is_empty() || !suffix.is_empty()) && kind != "Namespace" {
                let name = m.get("name").and_then(Value::as_str).unwrap_or("");
                let new = format!("{prefix}{name}{suffix}");
                m.insert("name".into(), Value::String(new));
            }
            if !namespace.is_empty() && !cluster_scoped(&kind) {
                m.insert("namespace".into(), Value::String(namespace.to_owned()));
            }
            add_all(m, "labels", &labels);
            add_all(m, "annotations", &annotations);
        }
        if let Some(path) = super::kubernetes::pod_spec_path(&kind) {
            // The pod template's labels (commonLabels reach them, as in kustomize).
            if path.len() > 1 && !template_labels.is_empty() {
                let tpl = &path[..path.len() - 1];
                if let Some(Value::Object(t)) = pointer_mut(&mut r.value, tpl) {
                    let tm = t
                        .entry("metadata")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Some(tm) = tm.as_object_mut() {
                        add_all(tm, "labels", &template_labels);
                    }
                }
            }
            if let Some(spec) = pointer_mut(&mut r.value, path) {
                for field in ["initContainers", "containers", "ephemeralContainers"] {
                    if let Some(Value::Array(cs)) = spec.get_mut(field) {
                        for c in cs {
                            set_image(c, &images);
                        }
                    }
                }
            }
        }
        for rep in &replicas {
            let named = rep.get("name").and_then(Value::as_str);
            if (named == Some(r.names[0].as_str())
                || named == r.value.pointer("/metadata/name").and_then(Value::as_str))
                && let (Some(n), Some(spec)) = (
                    rep.get("count"),
                    r.value.get_mut("spec").and_then(Value::as_object_mut),
                )
            {
                spec.insert("replicas".into(), n.clone());
            }
        }
    }
    Ok(())
}

fn pointer_mut<'v>(v: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get_mut(*p)?;
    }
    Some(cur)
}

fn add_all(m: &mut Map<String, Value>, key: &str, add: &Map<String, Value>) {
    if add.is_empty() {
        return;
    }
    let entry = m
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(e) = entry.as_object_mut() {
        e.extend(add.clone());
    }
}

/// The name part of an image reference (no tag, no digest).
fn image_name(image: &str) -> &str {
    let no_digest = image.split_once('@').map_or(image, |(n, _)| n);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

/// The tag of an image reference, if any.
fn image_tag(image: &str) -> Option<&str> {
    let no_digest = image.split_once('@').map_or(image, |(n, _)| n);
    let i = no_digest.rfind(':')?;
    (!no_digest[i..].contains('/')).then(|| &no_digest[i + 1..])
}

/// kustomize's `images:` on one container: an entry whose `name` is the image's name sets a
/// new name, tag or digest (a digest wins over a tag).
fn set_image(c: &mut Value, images: &[Value]) {
    let Some(image) = c.get("image").and_then(Value::as_str).map(str::to_owned) else {
        return;
    };
    let name = image_name(&image);
    let Some(rule) = images
        .iter()
        .find(|i| i.get("name").and_then(Value::as_str) == Some(name))
    else {
        return;
    };
    let s = |k: &str| rule.get(k).and_then(Value::as_str);
    let new_name = s("newName").unwrap_or(name);
    let tag = rule
        .get("newTag")
        .map(|t| match t {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .or_else(|| image_tag(&image).map(str::to_owned));
    let new = match (s("digest"), tag) {
        (Some(d), _) => format!("{new_name}@{d}"),
        (None, Some(t)) => format!("{new_name}:{t}"),
        (None, None) => new_name.to_owned(),
    };
    c["image"] = Value::String(new);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_by_name() {
        let mut base = json!({"spec": {"containers": [
            {"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]}});
        merge(
            &mut base,
            &json!({"spec": {"containers": [
                {"name": "b", "securityContext": {"runAsNonRoot": true}},
                {"name": "c", "image": "z:1"},
                {"name": "a", "$patch": "delete"}]}}),
        );
        assert_eq!(
            base,
            json!({"spec": {"containers": [
                {"name": "b", "image": "y:1", "securityContext": {"runAsNonRoot": true}},
                {"name": "c", "image": "z:1"}]}})
        );
    }

    #[test]
    fn images_are_renamed_retagged_or_pinned() {
        let imgs = [
            json!({"name": "app", "newName": "ghcr.io/acme/app", "newTag": "2.0"}),
            json!({"name": "redis", "digest": "sha256:abc"}),
            json!({"name": "localhost:5000/x", "newTag": 3}),
        ];
        for (from, to) in [
            ("app:1.0", "ghcr.io/acme/app:2.0"),
            ("redis:alpine", "redis@sha256:abc"),
            ("localhost:5000/x", "localhost:5000/x:3"),
            ("other:1", "other:1"),
        ] {
            let mut c = json!({"image": from});
            set_image(&mut c, &imgs);
            assert_eq!(c["image"], to, "{from}");
        }
    }
}
