//! A gate policy file and everything it names, read and checked before any evidence: the
//! trusted keys and identities (the signer list), the trusted root, the VEX documents (in the
//! policy's order) and ignore file, the Rego modules (paths and file-name globs, expanded and
//! sorted), and the digests the verification summary records for the policy and each module.
//! Paths in the policy are relative to the policy file's folder.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use vouch_advisory::suppress::{self, SuppressError, Suppressions};
use vouch_digest::Digest;
use vouch_fs::read::{self as fsread, ReadError};
use vouch_sign::key::{KeyError, PublicKey};
use vouch_sign::trust::{TrustRoot, TrustRootError};
use vouch_sign::verify::{Policy as Signer, TlogPolicy};

use crate::evidence::{MAX_EVIDENCE, file_name, present};
use crate::policy::{Pattern, Policy, PolicyError};
use crate::rebuild::Rebuilder;
use crate::rego::{Module, RegoError, Rules};
use crate::summary::PolicySource;

/// Largest policy, ignore file or Rego module read (8 MiB).
pub const MAX_CONFIG: u64 = 8 * fsread::MIB;
/// Largest public key file read (as vouch-sign's own limit).
pub const MAX_KEY: u64 = vouch_sign::key::MAX_KEY_FILE_LEN as u64;
/// Largest trusted root read (as vouch-sign's own limit).
pub const MAX_TRUSTED_ROOT: u64 = vouch_sign::trust::MAX_TRUSTED_ROOT_LEN as u64;

/// Why a policy or a file it names could not be loaded (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// `what`: `policy`, `public key`, `trusted root`, `VEX document`, `ignore file`,
    /// `rego module`.
    #[error("could not read {what} {}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: ReadError,
    },
    #[error("policy {} is not UTF-8", path.display())]
    NotUtf8 {
        path: PathBuf,
        #[source]
        source: std::str::Utf8Error,
    },
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("could not load public key {}", path.display())]
    PublicKey {
        path: PathBuf,
        #[source]
        source: KeyError,
    },
    #[error("could not load trusted root {}", path.display())]
    TrustRoot {
        path: PathBuf,
        #[source]
        source: TrustRootError,
    },
    #[error(
        "rebuilder keys {first} and {second} in the policy are the same key (fingerprint {fingerprint}): each rebuilder counts once"
    )]
    SameRebuilderKey {
        first: String,
        second: String,
        fingerprint: Digest,
    },
    #[error("could not load the embedded trusted root")]
    EmbeddedTrustRoot(#[source] TrustRootError),
    #[error(transparent)]
    Suppression(#[from] SuppressError),
    #[error("rego module {} named in the policy does not exist", path.display())]
    MissingModule { path: PathBuf },
    #[error("bad rego pattern `{pattern}` in the policy")]
    BadPattern {
        pattern: String,
        #[source]
        source: globset::Error,
    },
    #[error("could not read {} for rego pattern `{pattern}`", dir.display())]
    PatternDir {
        pattern: String,
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("rego pattern `{pattern}` in the policy matches no file in {}", dir.display())]
    NoMatch { pattern: String, dir: PathBuf },
    #[error(transparent)]
    Rego(#[from] RegoError),
    /// `[sarif] ignore` names a file the shared ignore schema rejects.
    #[error(transparent)]
    SarifIgnore(#[from] vouch_policy::suppress::IgnoreFileError),
}

/// A policy with everything it names, ready to gate subjects.
#[derive(Debug)]
pub struct Loaded {
    pub policy: Policy,
    /// The policy's folder, against which its paths were resolved.
    pub base: PathBuf,
    /// One verification policy per trusted key (in the policy's order), then per identity.
    pub signers: Vec<Signer>,
    /// `[rebuilds]`: one entry per trusted rebuilder (keys in the policy's order, then
    /// identities); empty without `[rebuilds]`.
    pub rebuilders: Vec<Rebuilder>,
    pub trust_root: TrustRoot,
    /// VEX statements (documents in the policy's order) and ignore entries.
    pub suppressions: Suppressions,
    /// The Rego modules, in the order they were compiled.
    pub modules: Vec<Module>,
    pub rules: Option<Rules>,
    /// How the verification summary names the policy.
    pub source: PolicySource,
    /// `[sarif] ignore`: its rule entries, when the policy names one.
    pub sarif_ignore: Option<vouch_policy::suppress::IgnoreFile>,
}

fn read(path: &Path, what: &'static str, limit: u64) -> Result<Vec<u8>, LoadError> {
    fsread::read(path, limit).map_err(|source| LoadError::Read {
        what,
        path: path.to_owned(),
        source,
    })
}

fn read_text(path: &Path, what: &'static str, limit: u64) -> Result<String, LoadError> {
    fsread::read_to_string(path, limit).map_err(|source| LoadError::Read {
        what,
        path: path.to_owned(),
        source,
    })
}

/// The folder of `policy_path`, `.` for a bare file name.
fn base_of(policy_path: &Path) -> PathBuf {
    match policy_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Read `policy_path` and everything it names.
pub fn load(policy_path: &Path) -> Result<Loaded, LoadError> {
    let bytes = read(policy_path, "policy", MAX_CONFIG)?;
    let text = std::str::from_utf8(&bytes).map_err(|source| LoadError::NotUtf8 {
        path: policy_path.to_owned(),
        source,
    })?;
    let policy = Policy::parse(text, &policy_path.display().to_string())?;
    let base = base_of(policy_path);
    let signers = signers(&policy, &base)?;
    let rebuilders = rebuilders(&policy, &base)?;
    let trust_root = trust_root(policy.trust.trusted_root.as_ref().map(|p| base.join(p)))?;
    let suppressions = suppressions(&policy, &base)?;
    let sarif_ignore = match policy.sarif.as_ref().and_then(|s| s.ignore.as_ref()) {
        None => None,
        Some(f) => {
            let path = base.join(f);
            let text = read_text(&path, "ignore file", MAX_CONFIG)?;
            Some(vouch_policy::suppress::IgnoreFile::parse(
                &text,
                &path.display().to_string(),
            )?)
        }
    };
    let mut modules = Vec::new();
    for p in &rego_files(&base, &policy.rego)? {
        modules.push(Module {
            name: p.display().to_string(),
            text: read_text(p, "rego module", MAX_CONFIG)?,
        });
    }
    let rules = if modules.is_empty() {
        None
    } else {
        Some(Rules::compile(&modules)?)
    };
    let source = PolicySource {
        uri: policy
            .vsa
            .policy_uri
            .clone()
            .unwrap_or_else(|| file_name(policy_path)),
        sha256: Digest::sha256(&bytes),
        modules: modules
            .iter()
            .map(|m| {
                let name = Path::new(&m.name)
                    .strip_prefix(&base)
                    .map_or_else(|_| m.name.clone(), |p| p.display().to_string());
                (name, Digest::sha256(m.text.as_bytes()))
            })
            .collect(),
    };
    Ok(Loaded {
        policy,
        base,
        signers,
        rebuilders,
        trust_root,
        suppressions,
        modules,
        rules,
        source,
        sarif_ignore,
    })
}

/// The trusted root file, or the embedded Sigstore production root.
pub fn trust_root(path: Option<PathBuf>) -> Result<TrustRoot, LoadError> {
    match path {
        Some(p) => {
            let bytes = read(&p, "trusted root", MAX_TRUSTED_ROOT)?;
            TrustRoot::from_json(&bytes, p.display().to_string())
                .map_err(|source| LoadError::TrustRoot { path: p, source })
        }
        None => TrustRoot::production().map_err(LoadError::EmbeddedTrustRoot),
    }
}

/// Each trusted key (with the policy's transparency-log requirement), then each identity.
fn signers(policy: &Policy, base: &Path) -> Result<Vec<Signer>, LoadError> {
    let mut out = Vec::new();
    for k in &policy.trust.keys {
        let path = base.join(k);
        let bytes = read(&path, "public key", MAX_KEY)?;
        let key =
            PublicKey::from_pem(&bytes).map_err(|source| LoadError::PublicKey { path, source })?;
        out.push(Signer::Key {
            key,
            tlog: if policy.trust.require_tlog {
                TlogPolicy::Required
            } else {
                TlogPolicy::IfPresent
            },
        });
    }
    for id in &policy.trust.identities {
        out.push(Signer::Identity {
            identity: id.identity.clone(),
            issuer: id.issuer.clone(),
        });
    }
    Ok(out)
}

/// The `[rebuilds]` rebuilders: each key file (named as written in the policy), then each
/// identity. Two files holding the same key are an error: one rebuilder must not count twice.
fn rebuilders(policy: &Policy, base: &Path) -> Result<Vec<Rebuilder>, LoadError> {
    let Some(r) = &policy.rebuilds else {
        return Ok(Vec::new());
    };
    let tlog = if policy.trust.require_tlog {
        TlogPolicy::Required
    } else {
        TlogPolicy::IfPresent
    };
    let mut out: Vec<Rebuilder> = Vec::new();
    for k in &r.keys {
        let path = base.join(k);
        let bytes = read(&path, "rebuilder key", MAX_KEY)?;
        let key =
            PublicKey::from_pem(&bytes).map_err(|source| LoadError::PublicKey { path, source })?;
        if let Some(first) = out.iter().find(|o| match &o.signer {
            Signer::Key { key: other, .. } => other.fingerprint() == key.fingerprint(),
            Signer::Identity { .. } => false,
        }) {
            return Err(LoadError::SameRebuilderKey {
                first: first.name.clone(),
                second: k.clone(),
                fingerprint: key.fingerprint(),
            });
        }
        out.push(Rebuilder {
            name: k.clone(),
            signer: Signer::Key { key, tlog },
        });
    }
    for id in &r.identities {
        out.push(Rebuilder {
            name: id.identity.clone(),
            signer: Signer::Identity {
                identity: id.identity.clone(),
                issuer: id.issuer.clone(),
            },
        });
    }
    Ok(out)
}

/// VEX documents in the policy's order (each document's statements numbered from
/// `index * 100000`, so an earlier document wins a tie), then the ignore file.
fn suppressions(policy: &Policy, base: &Path) -> Result<Suppressions, LoadError> {
    let mut supp = Suppressions::default();
    let Some(v) = &policy.vulnerabilities else {
        return Ok(supp);
    };
    for (i, f) in v.vex.iter().enumerate() {
        let path = base.join(f);
        let bytes = read(&path, "VEX document", MAX_EVIDENCE)?;
        supp.vex.extend(suppress::parse_vex(
            &path.display().to_string(),
            &bytes,
            i * 100_000,
        )?);
    }
    if let Some(f) = &v.ignore {
        let path = base.join(f);
        let text = read_text(&path, "ignore file", MAX_CONFIG)?;
        supp.ignore = suppress::parse_ignore(&path.display().to_string(), &text)?;
    }
    Ok(supp)
}

/// `dir/*.rego`-style entries: wildcards in the file name only, sorted; plain paths as they
/// are. A pattern that matches nothing is an error (a policy that silently lost its rules
/// would pass more than it should). A module named twice is kept once.
pub fn rego_files(base: &Path, patterns: &[String]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in patterns {
        let path = base.join(p);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.contains(['*', '?', '[']) {
            if !present(&path) {
                return Err(LoadError::MissingModule { path });
            }
            out.push(path);
            continue;
        }
        let dir = path.parent().unwrap_or(base);
        let glob = Pattern::new(&name).map_err(|source| LoadError::BadPattern {
            pattern: p.clone(),
            source,
        })?;
        let dir_error = |source| LoadError::PatternDir {
            pattern: p.clone(),
            dir: dir.to_owned(),
            source,
        };
        // An entry that cannot be read is an error, not a module left out.
        let entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(dir_error)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(dir_error)?;
        let mut found: Vec<PathBuf> = entries
            .into_iter()
            .filter(|f| {
                f.is_file()
                    && f.file_name()
                        .is_some_and(|n| glob.is_match(n.to_string_lossy().as_ref()))
            })
            .collect();
        if found.is_empty() {
            return Err(LoadError::NoMatch {
                pattern: p.clone(),
                dir: dir.to_owned(),
            });
        }
        found.sort();
        out.extend(found);
    }
    let mut seen = HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DENY: &str = "package gate\ndeny contains \"no\" if false\n";

    #[test]
    fn globs_expand_sorted_and_a_module_named_twice_is_kept_once() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("rego")).unwrap();
        for n in ["b.rego", "a.rego", "notes.txt"] {
            std::fs::write(d.path().join("rego").join(n), DENY).unwrap();
        }
        let files = rego_files(
            d.path(),
            &["rego/b.rego".to_owned(), "rego/*.rego".to_owned()],
        )
        .unwrap();
        let names: Vec<String> = files.iter().map(|p| file_name(p)).collect();
        assert_eq!(names, ["b.rego", "a.rego"]);
    }

    #[test]
    fn a_pattern_matching_nothing_and_a_missing_module_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let err = rego_files(d.path(), &["*.rego".to_owned()]).unwrap_err();
        assert!(matches!(err, LoadError::NoMatch { .. }), "{err:?}");
        let err = rego_files(d.path(), &["x.rego".to_owned()]).unwrap_err();
        assert!(matches!(err, LoadError::MissingModule { .. }), "{err:?}");
        assert!(
            err.to_string()
                .ends_with("x.rego named in the policy does not exist"),
            "{err}"
        );
    }

    #[test]
    fn loads_keys_modules_and_digests() {
        let d = tempfile::tempdir().unwrap();
        let key =
            vouch_sign::key::SigningKey::generate(vouch_sign::key::Algorithm::EcdsaP256).unwrap();
        std::fs::write(d.path().join("release.pub"), key.public_key().to_pem()).unwrap();
        std::fs::write(d.path().join("gate.rego"), DENY).unwrap();
        let policy = "rego = [\"*.rego\"]\n[trust]\nkeys = [\"release.pub\"]\nrequire-tlog = true\n\
                      identities = [{ identity = \"i\", issuer = \"https://iss\" }]\n";
        let path = d.path().join("gate.toml");
        std::fs::write(&path, policy).unwrap();
        let loaded = match load(&path) {
            Ok(l) => l,
            Err(e) => panic!("{e}: {:?}", std::error::Error::source(&e)),
        };
        assert!(matches!(
            loaded.signers.as_slice(),
            [
                Signer::Key {
                    tlog: TlogPolicy::Required,
                    ..
                },
                Signer::Identity { .. }
            ]
        ));
        assert_eq!(loaded.source.uri, "gate.toml");
        assert_eq!(loaded.source.sha256, Digest::sha256(policy.as_bytes()));
        assert_eq!(
            loaded.source.modules,
            vec![("gate.rego".to_owned(), Digest::sha256(DENY.as_bytes()))]
        );
        assert_eq!(loaded.rules.unwrap().packages(), ["data.gate"]);
    }

    #[test]
    fn a_policy_that_is_not_utf8_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("gate.toml");
        std::fs::write(&path, b"\xff\xfe").unwrap();
        assert!(matches!(load(&path), Err(LoadError::NotUtf8 { .. })));
    }
}
