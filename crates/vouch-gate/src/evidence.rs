//! The evidence set: where the signature, the SBOM and the attestations about a subject come
//! from. [`Folder`] reads them from a directory (the evidence folder of `vouch gate`);
//! [`crate::registry::Attached`] takes them from what is attached to an image in its registry
//! (OCI referrers, the fallback tag, cosign's tags), found by `vouch_resolve::attached`.
//! [`Evidence::collect`] reads what the policy asks for into memory before anything is
//! evaluated, so every read error is reported before a decision is attempted.

use std::path::{Path, PathBuf};

use vouch_fs::read::{self as fsread, ReadError};

use crate::policy::Policy;

/// File name of the verification summary the gate writes into the evidence folder.
pub const VSA_FILE: &str = "vsa.intoto.jsonl";

/// Largest evidence file read: attestation JSONL, SBOM, VEX document (64 MiB).
pub const MAX_EVIDENCE: u64 = 64 * fsread::MIB;

/// An attestation file: its name in the evidence set and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Why evidence could not be read (exit 2: a missing attestation could change the decision).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    #[error("evidence folder {} does not exist", path.display())]
    MissingFolder { path: PathBuf },
    #[error("could not read evidence folder {}", path.display())]
    List {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `what` is `signature`, `sbom` or `attestation file`.
    #[error("could not read {what} {}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: ReadError,
    },
}

/// Where the evidence was found, for the gate's messages and its SBOM rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Place {
    /// An evidence folder: the SBOM is a file beside the attestation that binds it.
    #[default]
    Folder,
    /// Attached to an image in its registry: the SBOM is the document its verified SBOM
    /// attestation carries (there is no separate file to compare).
    Registry,
}

impl Place {
    /// `in the evidence folder` / `attached to the image`.
    pub fn phrase(self) -> &'static str {
        match self {
            Place::Folder => "in the evidence folder",
            Place::Registry => "attached to the image",
        }
    }
}

/// A signature over the subject as found: its name in the evidence set and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEvidence {
    pub name: String,
    pub content: SignatureContent,
}

/// The forms a signature over a subject takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureContent {
    /// A Sigstore bundle: a message signature over the artifact, or cosign v3's image
    /// signature (a DSSE envelope whose statement has predicate type
    /// `https://sigstore.dev/cosign/sign/v1` and the artifact as subject).
    Bundle(Vec<u8>),
    /// A cosign legacy signature (one layer of a `sha256-<hex>.sig` manifest): the simple
    /// signing payload and the annotations that came with it.
    CosignLegacy {
        payload: Vec<u8>,
        signature_b64: String,
        certificate_pem: Option<String>,
        chain_pem: Option<String>,
        rekor_bundle: Option<String>,
    },
}

/// A source of evidence about one subject.
pub trait EvidenceSet {
    /// The signatures over the subject; `name` is the policy's `[evidence] signature` (a file
    /// name in a folder). Empty when there is none.
    fn signatures(&self, name: &str) -> Result<Vec<SignatureEvidence>, EvidenceError>;
    /// The SBOM document; `name` is the policy's `[evidence] sbom`. `None` when there is none.
    fn sbom(&self, name: &str) -> Result<Option<Vec<u8>>, EvidenceError>;
    /// Every attestation file (JSONL of bundles), in any order: the gate sorts them by name.
    fn attestations(&self) -> Result<Vec<EvidenceFile>, EvidenceError>;
    /// Where this evidence lives.
    fn place(&self) -> Place;
}

/// The evidence the gate evaluates, read into memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    pub signatures: Vec<SignatureEvidence>,
    pub sbom: Option<Vec<u8>>,
    pub attestations: Vec<EvidenceFile>,
    pub place: Place,
    /// SARIF logs given beside the evidence set (`vouch gate --sarif`): unsigned input.
    pub sarif: Vec<EvidenceFile>,
}

impl Evidence {
    /// Read from `set` what `policy` asks for: signatures, SBOM, then the attestations.
    pub fn collect(set: &dyn EvidenceSet, policy: &Policy) -> Result<Self, EvidenceError> {
        Ok(Self {
            signatures: set.signatures(&policy.signature_file)?,
            sbom: set.sbom(&policy.sbom_file)?,
            attestations: set.attestations()?,
            place: set.place(),
            sarif: Vec::new(),
        })
    }
}

/// An evidence folder: the signature and SBOM by the policy's file names, and every
/// `*.intoto.jsonl` except the verification summary being written.
#[derive(Debug, Clone)]
pub struct Folder {
    dir: PathBuf,
    exclude: Option<PathBuf>,
}

/// True when something (a file, a link, a FIFO, ...) is at `path`: evidence or a module that
/// is present but not a regular file is an error, never treated as absent.
pub(crate) fn present(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// The last component of `p`, or all of it when there is none.
pub(crate) fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

impl Folder {
    /// The folder `dir`, which must be a directory.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, EvidenceError> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(EvidenceError::MissingFolder { path: dir });
        }
        Ok(Self { dir, exclude: None })
    }

    /// Leave out `path` (the verification summary this run writes: the gate's output, not
    /// its input).
    #[must_use]
    pub fn excluding(mut self, path: impl Into<PathBuf>) -> Self {
        self.exclude = Some(path.into());
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn read(&self, path: &Path, what: &'static str) -> Result<Vec<u8>, EvidenceError> {
        fsread::read(path, MAX_EVIDENCE).map_err(|source| EvidenceError::Read {
            what,
            path: path.to_owned(),
            source,
        })
    }

    fn optional(&self, name: &str, what: &'static str) -> Result<Option<Vec<u8>>, EvidenceError> {
        let path = self.dir.join(name);
        if !present(&path) {
            return Ok(None);
        }
        self.read(&path, what).map(Some)
    }
}

impl EvidenceSet for Folder {
    fn signatures(&self, name: &str) -> Result<Vec<SignatureEvidence>, EvidenceError> {
        Ok(self
            .optional(name, "signature")?
            .map(|bytes| SignatureEvidence {
                name: name.to_owned(),
                content: SignatureContent::Bundle(bytes),
            })
            .into_iter()
            .collect())
    }

    fn place(&self) -> Place {
        Place::Folder
    }

    fn sbom(&self, name: &str) -> Result<Option<Vec<u8>>, EvidenceError> {
        self.optional(name, "sbom")
    }

    fn attestations(&self) -> Result<Vec<EvidenceFile>, EvidenceError> {
        let list = |source| EvidenceError::List {
            path: self.dir.clone(),
            source,
        };
        // An entry that cannot be listed is an error, not a file left out.
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(list)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(list)?;
        // By name only: a FIFO or device named `*.intoto.jsonl` is refused by the read (an
        // error), never skipped as if it were not there.
        entries.retain(|p| !p.is_dir() && file_name(p).ends_with(".intoto.jsonl"));
        entries.sort();
        let mut out = Vec::new();
        for p in entries {
            if self.exclude.as_deref().is_some_and(|x| same_file(&p, x)) {
                continue;
            }
            out.push(EvidenceFile {
                name: file_name(&p),
                bytes: self.read(&p, "attestation file")?,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::parse("[trust]\nkeys = [\"k.pub\"]\n", "gate.toml").unwrap()
    }

    #[test]
    fn a_folder_yields_signature_sbom_and_sorted_attestations() {
        let d = tempfile::tempdir().unwrap();
        let p = policy();
        std::fs::write(d.path().join(&p.signature_file), b"sig").unwrap();
        std::fs::write(d.path().join("b.intoto.jsonl"), b"b").unwrap();
        std::fs::write(d.path().join("a.intoto.jsonl"), b"a").unwrap();
        std::fs::write(d.path().join(VSA_FILE), b"vsa").unwrap();
        std::fs::write(d.path().join("notes.txt"), b"x").unwrap();
        std::fs::create_dir(d.path().join("dir.intoto.jsonl")).unwrap();
        let folder = Folder::open(d.path())
            .unwrap()
            .excluding(d.path().join(VSA_FILE));
        let ev = Evidence::collect(&folder, &p).unwrap();
        assert_eq!(
            ev.signatures,
            [SignatureEvidence {
                name: p.signature_file.clone(),
                content: SignatureContent::Bundle(b"sig".to_vec()),
            }]
        );
        assert_eq!(ev.place, Place::Folder);
        assert_eq!(ev.sbom, None);
        let names: Vec<&str> = ev.attestations.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.intoto.jsonl", "b.intoto.jsonl"]);
    }

    #[test]
    fn the_summary_is_evidence_unless_excluded() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(VSA_FILE), b"vsa").unwrap();
        let folder = Folder::open(d.path()).unwrap();
        assert_eq!(folder.attestations().unwrap().len(), 1);
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let err = Folder::open(d.path().join("nope")).unwrap_err();
        assert!(matches!(err, EvidenceError::MissingFolder { .. }));
        assert!(err.to_string().ends_with("/nope does not exist"), "{err}");
    }

    #[test]
    fn something_that_is_not_a_file_is_an_error_not_absent() {
        let d = tempfile::tempdir().unwrap();
        let p = policy();
        std::fs::create_dir(d.path().join(&p.sbom_file)).unwrap();
        let folder = Folder::open(d.path()).unwrap();
        let err = Evidence::collect(&folder, &p).unwrap_err();
        assert!(
            matches!(err, EvidenceError::Read { what: "sbom", .. }),
            "{err:?}"
        );
    }
}
