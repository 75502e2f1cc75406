//! Inputs built from several files (a rendered Helm chart, a built kustomization): the built
//! documents, where each part of them was written, and the map from the input's `line` values
//! to a file and a line of it.
//!
//! The Kubernetes normaliser asks a [`Locate`] for the line of a path of a document. For a
//! built document the answer comes from its [`Layer`]s, newest first (a patch before the
//! resource it patches): the first layer that holds the path (list items matched by their
//! `name`, so a patched container is found in the patch) gives a file and a line, which is
//! interned in the [`SourceMap`]; the key is the input's `line`. Findings are then placed at
//! the file and line the key names.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use serde_json::{Value, json};
use vouch_yaml::{LineIndex, Seg};

use super::NotBuilt;
use super::kubernetes::Locate;

/// The files of a tree, `/`-separated paths relative to its root.
#[derive(Debug, Clone, Default)]
pub struct FileList(BTreeSet<String>);

impl FileList {
    /// The regular files of a walk.
    pub fn from_walk(walk: &vouch_fs::walk::Walk) -> Self {
        Self(walk.files().map(|e| e.rel.clone()).collect())
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `rel` is a file of the tree.
    pub fn contains(&self, rel: &str) -> bool {
        self.0.contains(rel)
    }

    /// The files below the folder `dir` (`""` for the root), sorted.
    pub fn under<'s>(&'s self, dir: &str) -> impl Iterator<Item = &'s str> + 's {
        let prefix = if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.0
            .range(prefix.clone()..)
            .take_while(move |p| p.starts_with(&prefix))
            .map(String::as_str)
    }
}

impl FromIterator<String> for FileList {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Keys (the input's `line` values, from 1) → a file and a line of it.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    places: Vec<(String, u32)>,
    keys: HashMap<(String, u32), u32>,
}

impl SourceMap {
    /// The key of `line` of `path`, interned.
    pub(crate) fn key(&mut self, path: &str, line: u32) -> u32 {
        if let Some(k) = self.keys.get(&(path.to_owned(), line)) {
            return *k;
        }
        self.places.push((path.to_owned(), line));
        let k = u32::try_from(self.places.len()).unwrap_or(u32::MAX);
        self.keys.insert((path.to_owned(), line), k);
        k
    }

    /// The file and line a key names.
    pub fn place(&self, key: u32) -> Option<(&str, u32)> {
        let i = usize::try_from(key).ok()?.checked_sub(1)?;
        self.places.get(i).map(|(p, l)| (p.as_str(), *l))
    }

    /// `input.sources`: `{"<key>": {"path": …, "line": …}}`.
    pub(crate) fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (i, (p, l)) in self.places.iter().enumerate() {
            m.insert((i + 1).to_string(), json!({"path": p, "line": l}));
        }
        Value::Object(m)
    }
}

/// One file's part in a built document: the document as that file wrote it, and where.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    /// The file, relative to the tree's root.
    pub path: String,
    /// The document of `index` this layer is.
    pub doc: usize,
    pub index: Rc<LineIndex>,
    pub value: Value,
    /// For rendered text: the line of the file (the template) each line of the indexed text
    /// (index = rendered line - 1) came from. `None`: the indexed text is the file.
    pub lines: Option<Rc<Vec<u32>>>,
}

/// Built documents, each with its layers (oldest first), and the map being filled.
#[derive(Debug, Default)]
pub(crate) struct Built {
    pub documents: Vec<Value>,
    pub layers: Vec<Vec<Layer>>,
    pub not_built: Vec<NotBuilt>,
    map: RefCell<SourceMap>,
}

impl Built {
    pub(crate) fn push(&mut self, document: Value, layers: Vec<Layer>) {
        self.documents.push(document);
        self.layers.push(layers);
    }

    pub(crate) fn finish(self) -> (SourceMap, Vec<NotBuilt>) {
        (self.map.into_inner(), self.not_built)
    }

    fn exact_in(&self, doc: usize, path: &[Seg]) -> Option<u32> {
        let built = self.documents.get(doc)?;
        let layers = self.layers.get(doc)?;
        // A value is placed where it was last written (a patch over the base); a mapping or a
        // list (a container, a pod spec) where it was defined.
        // `kind` and `apiVersion` say where the resource is defined, as its mappings do.
        let identity = matches!(path, [Seg::Key(k)] if k == "kind" || k == "apiVersion");
        let leaf = !identity
            && !matches!(
                value_at(built, path),
                Some(Value::Object(_) | Value::Array(_))
            );
        let order: Vec<&Layer> = if leaf {
            layers.iter().rev().collect()
        } else {
            layers.iter().collect()
        };
        for layer in order {
            let Some(p) = translate(built, &layer.value, path) else {
                continue;
            };
            let Some(line) = layer.index.exact(layer.doc, &p) else {
                continue;
            };
            let line = match &layer.lines {
                Some(map) => usize::try_from(line)
                    .ok()
                    .and_then(|l| map.get(l.checked_sub(1)?))
                    .copied()
                    .unwrap_or(line),
                None => line,
            };
            return Some(self.map.borrow_mut().key(&layer.path, line));
        }
        None
    }
}

impl Locate for Built {
    fn line(&self, doc: usize, path: &[Seg]) -> Option<u32> {
        for n in (1..=path.len()).rev() {
            if let Some(k) = self.exact_in(doc, &path[..n]) {
                return Some(k);
            }
        }
        // The document itself: where its `kind` (or its first key) is written.
        self.exact_in(doc, &[Seg::Key("kind".into())])
            .or_else(|| self.exact_in(doc, &[Seg::Key("apiVersion".into())]))
    }

    fn exact(&self, doc: usize, path: &[Seg]) -> Option<u32> {
        self.exact_in(doc, path)
    }
}

fn value_at<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            Seg::Key(k) => cur.get(k)?,
            Seg::Index(i) => cur.get(*i)?,
        };
    }
    Some(cur)
}

/// `path` of `built` as a path of `layer`: keys as they are; a list item by its `name` when
/// the built item has one (a strategic-merge patch lists containers in its own order), else by
/// position. `None` when the layer does not hold the path.
fn translate(built: &Value, layer: &Value, path: &[Seg]) -> Option<Vec<Seg>> {
    let mut out = Vec::with_capacity(path.len());
    let (mut b, mut l) = (built, layer);
    for seg in path {
        match seg {
            Seg::Key(key) => {
                b = b.get(key)?;
                l = l.get(key)?;
                out.push(seg.clone());
            }
            Seg::Index(i) => {
                let item = b.get(*i)?;
                let items = l.as_array()?;
                let j = match item.get("name").and_then(Value::as_str) {
                    Some(name) => items
                        .iter()
                        .position(|x| x.get("name").and_then(Value::as_str) == Some(name))?,
                    None => (*i < items.len()).then_some(*i)?,
                };
                b = item;
                l = &items[j];
                out.push(Seg::Index(j));
            }
        }
    }
    Some(out)
}

/// A path relative to the tree's root from `base` (a folder, `""` for the root) and `rel` as
/// a file wrote it: `.` and `..` resolved lexically. `None` when it climbs out of the root or
/// is absolute.
pub(crate) fn join(base: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The folder of a path (`""` at the root).
pub(crate) fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_inside() {
        assert_eq!(join("overlays/prod", "../../base").as_deref(), Some("base"));
        assert_eq!(join("overlays/prod", "../..").as_deref(), Some(""));
        assert_eq!(join("a", "./b/c.yaml").as_deref(), Some("a/b/c.yaml"));
        assert_eq!(join("a", "../../x"), None);
        assert_eq!(join("a", "/etc/passwd"), None);
    }

    #[test]
    fn list_items_are_matched_by_name() {
        let built = json!({"c": [{"name": "a"}, {"name": "b", "x": 1}]});
        let patch = json!({"c": [{"name": "b", "x": 1}]});
        let p = [Seg::Key("c".into()), Seg::Index(1), Seg::Key("x".into())];
        assert_eq!(
            translate(&built, &patch, &p),
            Some(vec![
                Seg::Key("c".into()),
                Seg::Index(0),
                Seg::Key("x".into())
            ])
        );
        assert_eq!(translate(&built, &patch, &p[..2]).map(|v| v.len()), Some(2));
        let p0 = [Seg::Key("c".into()), Seg::Index(0)];
        assert_eq!(translate(&built, &patch, &p0), None);
    }
}
