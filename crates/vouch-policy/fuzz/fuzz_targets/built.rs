//! Inputs built from several files — Helm charts (rendered), Kustomize overlays (built), GitLab
//! CI with local includes, Terraform module folders — over arbitrary file sets held in memory.
//! The first byte picks the kind; the rest is split at `\0` into files, each `NAME\nCONTENT`
//! (the first file is the checked one, under the kind's name).
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use vouch_fs::read::ReadError;
use vouch_fs::walk::{Entry, EntryKind, LinkError, Tree, Walk};
use vouch_policy::input::{Context, FileKind, normalise};

const KINDS: &[(FileKind, &str)] = &[
    (FileKind::HelmChart, "Chart.yaml"),
    (FileKind::Kustomization, "kustomization.yaml"),
    (FileKind::GitlabCi, ".gitlab-ci.yml"),
    (FileKind::Terraform, "main.tf"),
];

struct MemTree(BTreeMap<String, Vec<u8>>);

impl Tree for MemTree {
    fn walk_with(&self, _: &(dyn Fn() + Sync)) -> Walk {
        Walk {
            entries: self
                .0
                .iter()
                .map(|(rel, b)| Entry {
                    rel: rel.clone(),
                    kind: EntryKind::File,
                    size: b.len() as u64,
                })
                .collect(),
            issues: Vec::new(),
        }
    }

    fn read_into(&self, rel: &str, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
        match self.0.get(rel) {
            Some(b) if b.len() as u64 <= limit => {
                buf.clear();
                buf.extend_from_slice(b);
                Ok(())
            }
            Some(_) => Err(ReadError::TooLarge {
                path: rel.into(),
                limit,
            }),
            None => Err(ReadError::Open {
                path: rel.into(),
                source: std::io::ErrorKind::NotFound.into(),
            }),
        }
    }

    fn read_head(&self, rel: &str, n: u64) -> Result<Vec<u8>, ReadError> {
        let mut buf = Vec::new();
        self.read_into(rel, u64::MAX, &mut buf)?;
        buf.truncate(usize::try_from(n).unwrap_or(usize::MAX));
        Ok(buf)
    }

    fn read_link(&self, rel: &str) -> Result<String, LinkError> {
        Ok(rel.to_owned())
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let (kind, name) = KINDS[usize::from(first) % KINDS.len()];
    let mut files = BTreeMap::new();
    let mut parts = rest.split(|b| *b == 0);
    let main = parts.next().unwrap_or_default().to_vec();
    for part in parts {
        let (n, content) = match part.iter().position(|b| *b == b'\n') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &[][..]),
        };
        if let Ok(n) = std::str::from_utf8(n)
            && !n.is_empty()
        {
            files.insert(n.to_owned(), content.to_vec());
        }
    }
    files.insert(name.to_owned(), main.clone());
    let tree = MemTree(files);
    let ctx = Context {
        tree: Some((&tree, name)),
        max_file_size: 1 << 20,
        ..Context::default()
    };
    let _ = normalise(kind, name, &main, &ctx);
});
