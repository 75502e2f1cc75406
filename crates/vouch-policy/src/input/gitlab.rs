//! GitLab CI as GitLab reads it: `include` (local files, and `project`/`template` files present
//! in the tree), then `!reference` tags, then `extends` (multi-level, across files, deep merge:
//! hashes merged, everything else replaced), then `default:` (and the old top-level globals)
//! for the keys a job does not set. Every value keeps the file and YAML path where it is written
//! ([`Origin`]), so a finding on an inherited key points at the line that wrote it.
//!
//! What could not be followed (a remote include, a missing file, an unknown `extends` parent,
//! a cycle, a `!reference` to nothing) is recorded in [`Resolved::unresolved`], never dropped.
//! See docs/policy-inputs.md#gitlab-ci.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};
use vouch_yaml::{self as yaml, LineIndex, Seg};

use super::{Context, InputError};

/// GitLab's own limit on included files per pipeline.
pub const MAX_INCLUDES: usize = 150;
/// GitLab's own limit on `extends` nesting.
pub const MAX_EXTENDS_DEPTH: usize = 11;
/// GitLab's own limit on `!reference` nesting.
pub const MAX_REFERENCE_DEPTH: usize = 10;
/// Nodes a resolution may create (references and extends copy values): bounds the memory an
/// adversarial file can make vouch use.
pub const MAX_NODES: usize = 2_000_000;

/// Where a value is written: a file of [`Resolved::files`] and the YAML path in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub path: Vec<Seg>,
}

/// A YAML value with the place each part is written.
#[derive(Debug, Clone)]
pub enum Node {
    Scalar(Value, Origin),
    Seq(Vec<Node>, Origin),
    Map(Vec<(String, Node)>, Origin),
    /// `!reference [.job, key, …]`, not yet resolved.
    Ref(Vec<String>, Origin),
}

impl Node {
    pub fn origin(&self) -> &Origin {
        match self {
            Self::Scalar(_, o) | Self::Seq(_, o) | Self::Map(_, o) | Self::Ref(_, o) => o,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Self::Map(m, _) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Scalar(Value::String(s), _) => Some(s),
            _ => None,
        }
    }

    /// The plain JSON value (references that remain become `null`).
    pub fn to_value(&self) -> Value {
        match self {
            Self::Scalar(v, _) => v.clone(),
            Self::Seq(items, _) => Value::Array(items.iter().map(Node::to_value).collect()),
            Self::Map(m, _) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
            Self::Ref(..) => Value::Null,
        }
    }

    fn from_value(v: Value, file: usize, path: Vec<Seg>) -> Self {
        let origin = Origin {
            file,
            path: path.clone(),
        };
        match v {
            Value::Array(a) => Self::Seq(
                a.into_iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let mut p = path.clone();
                        p.push(Seg::Index(i));
                        Self::from_value(x, file, p)
                    })
                    .collect(),
                origin,
            ),
            Value::Object(mut m) if m.len() == 1 && m.contains_key("!reference") => {
                let target = m.remove("!reference").unwrap_or(Value::Null);
                let parts = match target {
                    Value::Array(a) => a
                        .into_iter()
                        .map(|x| match x {
                            Value::String(s) => s,
                            other => other.to_string(),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                Self::Ref(parts, origin)
            }
            Value::Object(m) => Self::Map(
                m.into_iter()
                    .map(|(k, x)| {
                        let mut p = path.clone();
                        p.push(Seg::Key(k.clone()));
                        let n = Self::from_value(x, file, p);
                        (k, n)
                    })
                    .collect(),
                origin,
            ),
            other => Self::Scalar(other, origin),
        }
    }

    fn count(&self) -> usize {
        match self {
            Self::Scalar(..) | Self::Ref(..) => 1,
            Self::Seq(items, _) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Self::Map(m, _) => 1 + m.iter().map(|(_, v)| v.count()).sum::<usize>(),
        }
    }
}

/// GitLab's deep merge: `over` wins; two hashes are merged key by key, anything else replaced.
pub fn deep_merge(base: Node, over: Node) -> Node {
    match (base, over) {
        (Node::Map(mut b, _), Node::Map(o, origin)) => {
            for (k, v) in o {
                if let Some(pos) = b.iter().position(|(bk, _)| *bk == k) {
                    let (_, old) = b.remove(pos);
                    b.insert(pos, (k, deep_merge(old, v)));
                } else {
                    b.push((k, v));
                }
            }
            Node::Map(b, origin)
        }
        (_, over) => over,
    }
}

/// One file read for the pipeline.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as findings show it (relative to the checked root, like the main file's).
    pub shown: String,
    pub index: LineIndex,
}

/// Something of the configuration that could not be followed or resolved.
#[derive(Debug, Clone)]
pub struct Unresolved {
    /// `include`, `extends`, `reference`.
    pub what: &'static str,
    pub message: String,
    pub origin: Origin,
}

/// An `include` entry and whether it was read.
#[derive(Debug, Clone)]
pub struct Include {
    pub item: Value,
    pub origin: Origin,
    /// The files it read (tree paths); empty when not followed.
    pub read: Vec<String>,
}

/// A GitLab CI configuration with its includes merged.
#[derive(Debug)]
pub struct Resolved {
    pub files: Vec<SourceFile>,
    /// The merged top level, `!reference` tags resolved (before `extends`).
    pub top: Node,
    /// Jobs (not hidden, not keywords) in order, `extends` and `default:` applied.
    pub jobs: Vec<(String, Node)>,
    pub includes: Vec<Include>,
    pub unresolved: Vec<Unresolved>,
}

impl Resolved {
    /// The 1-based line of `origin` (its nearest indexed ancestor).
    pub fn line(&self, origin: &Origin) -> Option<u32> {
        self.files.get(origin.file)?.index.line(0, &origin.path)
    }

    /// The shown path of `origin`'s file.
    pub fn path(&self, origin: &Origin) -> &str {
        self.files.get(origin.file).map_or("", |f| f.shown.as_str())
    }
}

struct Loader<'a> {
    ctx: &'a Context<'a>,
    /// Prefix that turns a tree path into a shown path.
    shown_prefix: String,
    files: Vec<SourceFile>,
    /// Tree paths read, for cycles and repeats (GitLab reads a file included twice once).
    seen: BTreeSet<String>,
    includes: Vec<Include>,
    unresolved: Vec<Unresolved>,
    listing: Option<Vec<String>>,
}

fn load_top(text: &str) -> Result<(Value, LineIndex), InputError> {
    let docs = yaml::load_all(text)?;
    let first = docs
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or(Value::Object(Map::new()));
    match first {
        Value::Object(_) => Ok((first, LineIndex::build(text))),
        _ => Err(InputError::Shape("top level is not a mapping".into())),
    }
}

/// `$CI_PROJECT_PATH` and `${CI_PROJECT_PATH}`: the project including itself.
fn is_own_project(p: &str) -> bool {
    matches!(p, "$CI_PROJECT_PATH" | "${CI_PROJECT_PATH}")
}

impl Loader<'_> {
    fn add_file(&mut self, tree_path: &str, index: LineIndex) -> usize {
        self.files.push(SourceFile {
            shown: format!("{}{tree_path}", self.shown_prefix),
            index,
        });
        self.files.len() - 1
    }

    /// The top level of file `file` (value `top`) with its includes merged underneath it.
    fn with_includes(&mut self, file: usize, top: Value) -> Node {
        let node = Node::from_value(top, file, Vec::new());
        let Some(inc) = node.get("include").cloned() else {
            return node;
        };
        let items: Vec<Node> = match inc {
            Node::Seq(items, _) => items,
            other => vec![other],
        };
        let mut merged: Option<Node> = None;
        for item in items {
            for included in self.follow(&item) {
                merged = Some(match merged {
                    Some(m) => deep_merge(m, included),
                    None => included,
                });
            }
        }
        match merged {
            Some(m) => deep_merge(m, node),
            None => node,
        }
    }

    fn unresolved(&mut self, what: &'static str, message: String, origin: Origin) {
        self.unresolved.push(Unresolved {
            what,
            message,
            origin,
        });
    }

    /// Tree paths an `include` item names, or why it is not followed.
    fn targets(&mut self, item: &Value) -> Result<Vec<String>, String> {
        let local = |s: &str| s.trim_start_matches('/').to_owned();
        let obj = item.as_object();
        let get = |k: &str| obj.and_then(|o| o.get(k)).and_then(Value::as_str);
        let files_of = |v: Option<&Value>| -> Vec<String> {
            match v {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            }
        };
        let pattern = if let Some(s) = item.as_str() {
            if s.starts_with("http://") || s.starts_with("https://") {
                return Err(format!(
                    "remote include {s:?} is not fetched (vouch reads no network here)"
                ));
            }
            local(s)
        } else if let Some(s) = get("local") {
            local(s)
        } else if let Some(p) = get("project") {
            let files = files_of(obj.and_then(|o| o.get("file")));
            if is_own_project(p) {
                return Ok(files.iter().map(|f| local(f)).collect());
            }
            let r = get("ref").unwrap_or("HEAD");
            let copies: Vec<String> = files
                .iter()
                .map(|f| format!(".gitlab-ci-local/includes/gitlab.com/{p}/{r}/{}", local(f)))
                .collect();
            if copies.is_empty() || copies.iter().any(|c| !self.exists(c)) {
                return Err(format!(
                    "project include {p:?} (ref {r}) is not present in the tree (looked for .gitlab-ci-local/includes/gitlab.com/{p}/{r}/<file>)"
                ));
            }
            return Ok(copies);
        } else if let Some(t) = get("template") {
            let copy = format!(
                ".gitlab-ci-local/includes/gitlab.com/gitlab-org/gitlab/HEAD/lib/gitlab/ci/templates/{t}"
            );
            if !self.exists(&copy) {
                return Err(format!(
                    "template include {t:?} is not present in the tree (looked for {copy})"
                ));
            }
            return Ok(vec![copy]);
        } else if let Some(r) = get("remote") {
            return Err(format!(
                "remote include {r:?} is not fetched (vouch reads no network here)"
            ));
        } else if let Some(c) = get("component") {
            return Err(format!(
                "component {c:?} is not fetched (vouch reads no network here)"
            ));
        } else {
            return Err(format!("include entry {item} names no file"));
        };
        if pattern.contains('*') {
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("include pattern {pattern:?}: {e}"))?
                .compile_matcher();
            let listing = self.listing();
            let mut found: Vec<String> = listing
                .iter()
                .filter(|p| glob.is_match(p))
                .cloned()
                .collect();
            found.sort();
            return Ok(found);
        }
        Ok(vec![pattern])
    }

    /// Whether `rel` can be read through the context (so it is inside the tree, too).
    fn exists(&self, rel: &str) -> bool {
        self.ctx.read(rel).is_ok()
    }

    fn listing(&mut self) -> &[String] {
        if self.listing.is_none() {
            let files = self.ctx.tree.map_or_else(Vec::new, |(t, _)| {
                t.walk().files().map(|e| e.rel.clone()).collect()
            });
            self.listing = Some(files);
        }
        self.listing.as_deref().unwrap_or(&[])
    }

    /// Read the files an include item names; each one's own includes are merged into it.
    fn follow(&mut self, item: &Node) -> Vec<Node> {
        let origin = item.origin().clone();
        let value = item.to_value();
        let targets = match self.targets(&value) {
            Ok(t) => t,
            Err(message) => {
                self.unresolved("include", message, origin.clone());
                self.includes.push(Include {
                    item: value,
                    origin,
                    read: Vec::new(),
                });
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        let mut read = Vec::new();
        for t in targets {
            if self.seen.contains(&t) {
                continue;
            }
            if self.seen.len() >= MAX_INCLUDES {
                self.unresolved(
                    "include",
                    format!(
                        "{t}: more than {MAX_INCLUDES} included files (GitLab's limit); not read"
                    ),
                    origin.clone(),
                );
                continue;
            }
            self.seen.insert(t.clone());
            let loaded = self
                .ctx
                .read(&t)
                .and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
                        offset: e.utf8_error().valid_up_to(),
                    })
                })
                .and_then(|text| load_top(text.strip_prefix('\u{feff}').unwrap_or(&text)));
            match loaded {
                Ok((top, index)) => {
                    let file = self.add_file(&t, index);
                    read.push(t);
                    out.push(self.with_includes(file, top));
                }
                Err(e) => {
                    let message = match e {
                        InputError::Unreadable { reason } => reason,
                        e => format!("{t}: {e}"),
                    };
                    self.unresolved("include", message, origin.clone());
                }
            }
        }
        self.includes.push(Include {
            item: value,
            origin,
            read,
        });
        out
    }
}

/// Keys `default:` (and the deprecated top-level globals) give to jobs that do not set them.
const DEFAULT_KEYS: &[&str] = &[
    "after_script",
    "artifacts",
    "before_script",
    "cache",
    "hooks",
    "id_tokens",
    "image",
    "interruptible",
    "retry",
    "services",
    "tags",
    "timeout",
];
const GLOBAL_KEYS: &[&str] = &[
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
];

/// Resolve the GitLab CI file `text` (tree path from `ctx`, shown as `shown`).
pub fn resolve(text: &str, shown: &str, ctx: &Context) -> Result<Resolved, InputError> {
    let (top, index) = load_top(text)?;
    let in_tree = ctx.tree.map_or(shown, |(_, rel)| rel);
    let shown_prefix = shown.strip_suffix(in_tree).unwrap_or_default().to_owned();
    let mut loader = Loader {
        ctx,
        shown_prefix,
        files: Vec::new(),
        seen: BTreeSet::new(),
        includes: Vec::new(),
        unresolved: Vec::new(),
        listing: None,
    };
    loader.files.push(SourceFile {
        shown: shown.to_owned(),
        index,
    });
    loader.seen.insert(in_tree.to_owned());
    let merged = loader.with_includes(0, top);
    let mut unresolved = std::mem::take(&mut loader.unresolved);
    let mut budget = MAX_NODES.saturating_sub(merged.count());
    let top = resolve_refs(&merged, &merged, 0, &mut budget, &mut unresolved);
    let mut cache: HashMap<String, Option<Node>> = HashMap::new();
    let mut jobs = Vec::new();
    let default = top.get("default").cloned();
    if let Node::Map(entries, _) = &top {
        for (name, value) in entries {
            if super::ci::GITLAB_KEYWORDS.contains(&name.as_str()) || name.starts_with('.') {
                continue;
            }
            if !matches!(value, Node::Map(..)) {
                continue;
            }
            let mut stack = Vec::new();
            let Some(job) = extend(
                &top,
                name,
                &mut cache,
                &mut stack,
                &mut budget,
                &mut unresolved,
            ) else {
                continue;
            };
            jobs.push((name.clone(), apply_default(job, default.as_ref(), &top)));
        }
    }
    Ok(Resolved {
        files: loader.files,
        top,
        jobs,
        includes: loader.includes,
        unresolved,
    })
}

/// `job` with `extends` applied (memoised in `cache`; `None` for a name that is not a job
/// mapping).
fn extend(
    top: &Node,
    name: &str,
    cache: &mut HashMap<String, Option<Node>>,
    stack: &mut Vec<String>,
    budget: &mut usize,
    unresolved: &mut Vec<Unresolved>,
) -> Option<Node> {
    if let Some(done) = cache.get(name) {
        return done.clone();
    }
    let own = top.get(name)?.clone();
    if !matches!(own, Node::Map(..)) {
        return None;
    }
    let parents: Vec<(String, Origin)> = match own.get("extends") {
        Some(Node::Scalar(Value::String(s), o)) => vec![(s.clone(), o.clone())],
        Some(Node::Seq(items, _)) => items
            .iter()
            .filter_map(|n| n.as_str().map(|s| (s.to_owned(), n.origin().clone())))
            .collect(),
        _ => Vec::new(),
    };
    stack.push(name.to_owned());
    let mut acc: Option<Node> = None;
    for (parent, origin) in parents {
        if stack.contains(&parent) {
            unresolved.push(Unresolved {
                what: "extends",
                message: format!(
                    "job {name:?} extends {parent:?} in a cycle ({})",
                    stack.join(" → ")
                ),
                origin,
            });
            continue;
        }
        if stack.len() > MAX_EXTENDS_DEPTH {
            unresolved.push(Unresolved {
                what: "extends",
                message: format!(
                    "job {name:?}: extends nested deeper than {MAX_EXTENDS_DEPTH} levels (GitLab's limit)"
                ),
                origin,
            });
            continue;
        }
        let Some(p) = extend(top, &parent, cache, stack, budget, unresolved) else {
            unresolved.push(Unresolved {
                what: "extends",
                message: format!("job {name:?} extends {parent:?}, which is not defined"),
                origin,
            });
            continue;
        };
        let cost = p.count();
        if cost > *budget {
            unresolved.push(Unresolved {
                what: "extends",
                message: format!("job {name:?}: configuration too large to resolve"),
                origin,
            });
            continue;
        }
        *budget -= cost;
        acc = Some(match acc {
            Some(a) => deep_merge(a, p),
            None => p,
        });
    }
    stack.pop();
    let job = match acc {
        Some(a) => deep_merge(a, own),
        None => own,
    };
    cache.insert(name.to_owned(), Some(job.clone()));
    Some(job)
}

/// The `default:` keys (else the top-level globals) a job does not set, unless its
/// `inherit: default` says otherwise.
fn apply_default(job: Node, default: Option<&Node>, top: &Node) -> Node {
    let inherit = job
        .get("inherit")
        .and_then(|i| i.get("default"))
        .map(Node::to_value);
    let allowed = |key: &str| match &inherit {
        Some(Value::Bool(false)) => false,
        Some(Value::Array(keys)) => keys.iter().any(|k| k.as_str() == Some(key)),
        _ => true,
    };
    let Node::Map(mut entries, origin) = job else {
        return job;
    };
    for key in DEFAULT_KEYS {
        if entries.iter().any(|(k, _)| k == key) || !allowed(key) {
            continue;
        }
        let from_default = default.and_then(|d| d.get(key));
        let from_global = GLOBAL_KEYS.contains(key).then(|| top.get(key)).flatten();
        if let Some(v) = from_default.or(from_global) {
            entries.push(((*key).to_owned(), v.clone()));
        }
    }
    Node::Map(entries, origin)
}

/// `node` with every `!reference` replaced by the value it names in `top` (a sequence spliced
/// into the sequence that holds it, as GitLab does for scripts).
fn resolve_refs(
    node: &Node,
    top: &Node,
    depth: usize,
    budget: &mut usize,
    unresolved: &mut Vec<Unresolved>,
) -> Node {
    match node {
        Node::Scalar(..) => node.clone(),
        Node::Map(m, o) => Node::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), resolve_refs(v, top, depth, budget, unresolved)))
                .collect(),
            o.clone(),
        ),
        Node::Seq(items, o) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match resolve_refs(item, top, depth, budget, unresolved) {
                    Node::Seq(inner, _) if matches!(item, Node::Ref(..)) => out.extend(inner),
                    other => out.push(other),
                }
            }
            Node::Seq(out, o.clone())
        }
        Node::Ref(path, o) => {
            let fail = |unresolved: &mut Vec<Unresolved>, message: String| {
                unresolved.push(Unresolved {
                    what: "reference",
                    message,
                    origin: o.clone(),
                });
                Node::Scalar(Value::Null, o.clone())
            };
            if depth >= MAX_REFERENCE_DEPTH {
                return fail(
                    unresolved,
                    format!("!reference {path:?} nested deeper than {MAX_REFERENCE_DEPTH} levels"),
                );
            }
            let mut target = Some(top);
            for part in path {
                target = target.and_then(|t| t.get(part));
            }
            let Some(target) = target.filter(|_| !path.is_empty()) else {
                return fail(unresolved, format!("!reference {path:?} names nothing"));
            };
            let cost = target.count();
            if cost > *budget {
                return fail(
                    unresolved,
                    format!("!reference {path:?}: configuration too large to resolve"),
                );
            }
            *budget -= cost;
            resolve_refs(target, top, depth + 1, budget, unresolved)
        }
    }
}
