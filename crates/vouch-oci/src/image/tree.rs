//! The merged filesystem of an image's layers, as a [`Tree`] the capabilities read like a
//! directory. Whiteouts are applied in layer order (a `.wh.NAME` deletes `NAME` and what is below
//! it from the layers beneath; `.wh..wh..opq` empties its folder of what the layers beneath put
//! there; a non-directory replacing a directory removes the directory's content), links resolve
//! inside the image's root only (`..` at the root stays at the root, as in a chroot), and only
//! the files asked for have their content in memory.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use vouch_digest::Digest;
use vouch_fs::read::ReadError;
use vouch_fs::walk::{Entry, EntryKind, IssueKind, LinkError, Tree, Walk, WalkIssue};

use super::layer::{Content, Kind, LayerEntries};

/// One path of the merged filesystem.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub link: Option<String>,
    /// The layer that wrote this version (0 = the base).
    pub layer: usize,
    pub content: Content,
}

/// Every layer's version of one kept file: (layer index, content), base first.
pub type Versions = Vec<(usize, Arc<[u8]>)>;

/// A layer's identity, for reports.
#[derive(Debug, Clone)]
pub struct LayerId {
    /// The blob digest (the diff_id for a legacy docker archive).
    pub digest: Digest,
    pub diff_id: Digest,
}

/// An image's merged filesystem.
#[derive(Debug, Default)]
pub struct ImageTree {
    nodes: BTreeMap<String, Node>,
    issues: Vec<WalkIssue>,
    layers: Vec<LayerId>,
    /// Every layer's version of each kept file, in layer order (for the layer of origin).
    versions: BTreeMap<String, Versions>,
}

/// Most links followed to resolve one path (the kernel's own limit is 40).
const MAX_HOPS: usize = 40;

impl ImageTree {
    /// Merges the layers, base first.
    pub(crate) fn merge(layers: Vec<LayerId>, all: Vec<LayerEntries>) -> Self {
        let mut tree = Self {
            layers,
            ..Self::default()
        };
        for (index, layer) in all.into_iter().enumerate() {
            for dir in &layer.opaque {
                tree.remove_below(dir);
            }
            for path in &layer.whiteouts {
                tree.nodes.remove(path);
                tree.remove_below(path);
            }
            for (rel, cause) in layer.issues {
                tree.issues.push(WalkIssue {
                    rel,
                    kind: IssueKind::Other,
                    cause: format!("layer {index}: {cause}"),
                });
            }
            for e in layer.entries {
                if let Content::Kept(bytes) = &e.content {
                    tree.versions
                        .entry(e.path.clone())
                        .or_default()
                        .push((index, bytes.clone()));
                }
                if e.kind != Kind::Dir {
                    tree.remove_below(&e.path);
                }
                tree.nodes.insert(
                    e.path,
                    Node {
                        kind: e.kind,
                        mode: e.mode,
                        uid: e.uid,
                        gid: e.gid,
                        size: e.size,
                        link: e.link,
                        layer: index,
                        content: e.content,
                    },
                );
            }
        }
        tree
    }

    fn remove_below(&mut self, dir: &str) {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.nodes.remove(&k);
        }
    }

    /// Every path of the merged filesystem, directories included, in path order.
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The node at `rel`, without following links.
    pub fn node(&self, rel: &str) -> Option<&Node> {
        self.nodes.get(rel)
    }

    /// The image's layers, base first.
    pub fn layers(&self) -> &[LayerId] {
        &self.layers
    }

    /// Whether the version of `rel` written by `layer` is the one in the final image (false
    /// when a later layer deleted or replaced it).
    pub fn is_final(&self, layer: usize, rel: &str) -> bool {
        self.nodes.get(rel).is_some_and(|n| n.layer == layer)
    }

    /// Every layer's version of the kept file `rel`, base first (a package database rewritten
    /// by later layers has several).
    pub fn versions(&self, rel: &str) -> &[(usize, Arc<[u8]>)] {
        self.versions.get(rel).map_or(&[], Vec::as_slice)
    }

    /// Entries that could not be taken, with why.
    pub fn issues(&self) -> &[WalkIssue] {
        &self.issues
    }

    /// `rel` with every link in it resolved inside the image's root.
    pub fn resolve(&self, rel: &str) -> Result<String, LinkError> {
        let mut hops = 0;
        self.resolve_from(Vec::new(), rel, &mut hops)
    }

    fn resolve_from(
        &self,
        mut done: Vec<String>,
        rest: &str,
        hops: &mut usize,
    ) -> Result<String, LinkError> {
        for part in rest.split('/') {
            match part {
                "" | "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                p => done.push(p.to_owned()),
            }
            let here = done.join("/");
            if let Some(node) = self.nodes.get(&here)
                && node.kind == Kind::Symlink
            {
                *hops += 1;
                if *hops > MAX_HOPS {
                    return Err(LinkError::Resolve(std::io::Error::other(
                        "too many levels of symbolic links",
                    )));
                }
                let target = node.link.clone().unwrap_or_default();
                done.pop();
                let base = if target.starts_with('/') {
                    Vec::new()
                } else {
                    done.clone()
                };
                let resolved = self.resolve_from(base, &target, hops)?;
                done = if resolved.is_empty() {
                    Vec::new()
                } else {
                    resolved.split('/').map(str::to_owned).collect()
                };
            }
        }
        Ok(done.join("/"))
    }

    /// The regular file `rel` stands for (a hard link's target), with its content state.
    fn file(&self, rel: &str) -> Result<&Node, ReadError> {
        let path = || PathBuf::from(format!("/{rel}"));
        let mut current = rel;
        for _ in 0..8 {
            let node = self.nodes.get(current).ok_or_else(|| ReadError::Open {
                path: path(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not in the image"),
            })?;
            match node.kind {
                Kind::File => return Ok(node),
                Kind::Hardlink => current = node.link.as_deref().unwrap_or_default(),
                kind => {
                    return Err(ReadError::NotRegular {
                        path: path(),
                        found: match kind {
                            Kind::Dir => vouch_fs::read::FileType::Directory,
                            Kind::Symlink => vouch_fs::read::FileType::Symlink,
                            _ => vouch_fs::read::FileType::Unknown,
                        },
                    });
                }
            }
        }
        Err(ReadError::Open {
            path: path(),
            source: std::io::Error::other("too many hard links"),
        })
    }

    fn content(&self, rel: &str) -> Result<&[u8], ReadError> {
        let node = self.file(rel)?;
        match &node.content {
            Content::Kept(bytes) => Ok(bytes),
            Content::Refused(reason) => Err(ReadError::Open {
                path: PathBuf::from(format!("/{rel}")),
                source: std::io::Error::other(reason.clone()),
            }),
            _ => Err(ReadError::Open {
                path: PathBuf::from(format!("/{rel}")),
                source: std::io::Error::other(
                    "content not kept while the image streamed (only files vouch reads are)",
                ),
            }),
        }
    }
}

impl Tree for ImageTree {
    fn walk_with(&self, on_entry: &(dyn Fn() + Sync)) -> Walk {
        let mut walk = Walk {
            entries: Vec::new(),
            issues: self.issues.clone(),
        };
        for (rel, node) in &self.nodes {
            on_entry();
            let kind = match node.kind {
                Kind::Dir => continue,
                Kind::File | Kind::Hardlink => EntryKind::File,
                Kind::Symlink => EntryKind::Symlink,
                Kind::Other => EntryKind::Other,
            };
            walk.entries.push(Entry {
                rel: rel.clone(),
                kind,
                size: node.size,
            });
        }
        walk
    }

    fn read_into(&self, rel: &str, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
        let bytes = self.content(rel)?;
        if bytes.len() as u64 > limit {
            return Err(ReadError::TooLarge {
                path: PathBuf::from(format!("/{rel}")),
                limit,
            });
        }
        buf.clear();
        buf.extend_from_slice(bytes);
        Ok(())
    }

    fn read_head(&self, rel: &str, n: u64) -> Result<Vec<u8>, ReadError> {
        let bytes = self.content(rel)?;
        Ok(bytes[..bytes.len().min(n as usize)].to_vec())
    }

    fn read_link(&self, rel: &str) -> Result<String, LinkError> {
        let resolved = self.resolve(rel)?;
        if self.nodes.contains_key(&resolved) {
            Ok(resolved)
        } else {
            Err(LinkError::Resolve(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "symbolic link target is not in the image",
            )))
        }
    }
}
