//! `vouch gate ARTIFACT --policy gate.toml`: the edge of the promotion gate. Reads the policy,
//! the keys, the evidence folder, the advisory database and the clock; hands bytes to
//! `vouch_gate::evaluate`; renders the decision; on a pass signs and writes the verification
//! summary and prints the `sha256:` reference to promote.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use vouch_advisory::Database;
use vouch_advisory::suppress::{self, Date, Suppressions};
use vouch_gate::rego::{Module, Rules};
use vouch_gate::{Decision, EvidenceFile, Inputs, Policy, PolicySource};
use vouch_report::Finding;
use vouch_sign::key::PublicKey;
use vouch_sign::verify::{Policy as Signer, TlogPolicy};

use super::evidence;
use crate::cli::{GateArgs, GateFormat};
use crate::exit::ExitStatus;
use crate::files;

/// File name of the verification summary in the evidence folder.
pub const VSA_FILE: &str = "vsa.intoto.jsonl";
/// Read an evidence file (at most [`files::MAX_EVIDENCE`] bytes).
fn read_capped(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    files::read(path, what, files::MAX_EVIDENCE)
}

/// Read an evidence file that may be absent. Something at the path that is not a regular file
/// (a FIFO, a device, a dangling link) is an error, not an absent file.
fn read_optional(path: &Path, what: &str) -> anyhow::Result<Option<Vec<u8>>> {
    if !files::present(path) {
        return Ok(None);
    }
    read_capped(path, what).map(Some)
}

/// The paths in `dir`. An entry that cannot be read is an error, not a file left out: a
/// missing rego module or attestation could change the decision.
fn dir_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect()
}

/// `dir/*.rego`-style entries: wildcards in the file name only, sorted; plain paths as they
/// are. A pattern that matches nothing is an error (a policy that silently lost its rules
/// would pass more than it should).
fn rego_files(base: &Path, patterns: &[String]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in patterns {
        let path = base.join(p);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.contains(['*', '?', '[']) {
            if !files::present(&path) {
                bail!(
                    "rego module {} named in the policy does not exist",
                    path.display()
                );
            }
            out.push(path);
            continue;
        }
        let dir = path.parent().unwrap_or(base);
        let glob = vouch_gate::policy::Pattern::new(&name)
            .with_context(|| format!("bad rego pattern `{p}` in the policy"))?;
        let mut found: Vec<PathBuf> = dir_entries(dir)
            .with_context(|| format!("could not read {} for rego pattern `{p}`", dir.display()))?
            .into_iter()
            .filter(|f| {
                f.is_file()
                    && f.file_name()
                        .is_some_and(|n| glob.is_match(n.to_string_lossy().as_ref()))
            })
            .collect();
        if found.is_empty() {
            bail!(
                "rego pattern `{p}` in the policy matches no file in {}",
                dir.display()
            );
        }
        found.sort();
        out.extend(found);
    }
    // A module named twice (a path and a glob over its folder) is compiled once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

fn signers(policy: &Policy, base: &Path) -> anyhow::Result<Vec<Signer>> {
    let mut out = Vec::new();
    for k in &policy.trust.keys {
        let path = base.join(k);
        let bytes = files::read(&path, "public key", files::MAX_KEY)?;
        let key = PublicKey::from_pem(&bytes)
            .with_context(|| format!("could not load public key {}", path.display()))?;
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

fn suppressions(policy: &Policy, base: &Path) -> anyhow::Result<Suppressions> {
    let mut supp = Suppressions::default();
    let Some(v) = &policy.vulnerabilities else {
        return Ok(supp);
    };
    for (i, f) in v.vex.iter().enumerate() {
        let path = base.join(f);
        let bytes = files::read(&path, "VEX document", files::MAX_EVIDENCE)?;
        supp.vex.extend(suppress::parse_vex(
            &path.display().to_string(),
            &bytes,
            i * 100_000,
        )?);
    }
    if let Some(f) = &v.ignore {
        let path = base.join(f);
        let text = files::read_text(&path, "ignore file", files::MAX_CONFIG)?;
        supp.ignore = suppress::parse_ignore(&path.display().to_string(), &text)?;
    }
    Ok(supp)
}

fn check_findings(source: &Path, today: i64) -> anyhow::Result<Vec<Finding>> {
    let options = vouch_policy::Options::new(vouch_policy::Date::from_unix_seconds(today));
    let outcome = vouch_policy::check_dir(source, &options).with_context(|| {
        format!(
            "could not check the configuration files in {}",
            source.display()
        )
    })?;
    if let Some(e) = outcome.errors.first() {
        bail!(
            "vouch check could not evaluate {} file(s) in {} (first: {}: {}); the gate does not pass what it could not check",
            outcome.errors.len(),
            source.display(),
            e.path,
            e.message
        );
    }
    Ok(outcome.findings)
}

fn secret_findings(source: &Path) -> anyhow::Result<Vec<Finding>> {
    let allow =
        vouch_secrets::AllowList::load_repo(source).context("could not load the secrets config")?;
    let options = vouch_secrets::Options {
        allow,
        ..Default::default()
    };
    let outcome = vouch_secrets::scan_dir(source, &options)
        .with_context(|| format!("could not scan {} for secrets", source.display()))?;
    // A file the scan could not read was not checked: like `check = true`, refuse to decide.
    if let Some(w) = outcome.warnings.first() {
        bail!(
            "the secret scan could not read everything in {}: {} warning(s) (first: {w}); the gate does not pass what it could not check",
            source.display(),
            outcome.warnings.len()
        );
    }
    Ok(outcome.findings)
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub fn run(args: GateArgs) -> anyhow::Result<ExitStatus> {
    // The policy and everything it names.
    let policy_bytes = files::read(&args.policy, "policy", files::MAX_CONFIG)?;
    let policy_text = std::str::from_utf8(&policy_bytes)
        .with_context(|| format!("policy {} is not UTF-8", args.policy.display()))?;
    let policy = Policy::parse(policy_text, &args.policy.display().to_string())?;
    let base = args
        .policy
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let base = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    };
    let signers = signers(&policy, &base)?;
    let trusted_root = policy.trust.trusted_root.as_ref().map(|p| base.join(p));
    let trust_root = evidence::trust_root(trusted_root.as_deref())?;
    let supp = suppressions(&policy, &base)?;
    let rego_paths = rego_files(&base, &policy.rego)?;
    let mut modules = Vec::new();
    for p in &rego_paths {
        let text = files::read_text(p, "rego module", files::MAX_CONFIG)?;
        modules.push(Module {
            name: p.display().to_string(),
            text,
        });
    }
    let rules = if modules.is_empty() {
        None
    } else {
        Some(Rules::compile(&modules)?)
    };

    // The artifact and its evidence.
    let artifact = files::read(&args.artifact, "artifact", files::MAX_ARTIFACT)?;
    let artifact_name = file_name(&args.artifact);
    let evidence_dir = match &args.evidence {
        Some(d) => d.clone(),
        None => match args.artifact.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    if !evidence_dir.is_dir() {
        bail!("evidence folder {} does not exist", evidence_dir.display());
    }
    let vsa_path = args
        .vsa
        .clone()
        .unwrap_or_else(|| evidence_dir.join(VSA_FILE));
    let signature = read_optional(&evidence_dir.join(&policy.signature_file), "signature")?;
    let sbom = read_optional(&evidence_dir.join(&policy.sbom_file), "sbom")?;
    let mut attestations = Vec::new();
    let mut entries: Vec<PathBuf> = dir_entries(&evidence_dir)
        .with_context(|| format!("could not read evidence folder {}", evidence_dir.display()))?
        .into_iter()
        // By name only: a FIFO or device named `*.intoto.jsonl` is refused by the read (an
        // error), never skipped as if it were not there.
        .filter(|p| !p.is_dir() && file_name(p).ends_with(".intoto.jsonl"))
        .collect();
    entries.sort();
    for p in entries {
        // The summary this run writes is the gate's output, not its input.
        if same_file(&p, &vsa_path) {
            continue;
        }
        attestations.push(EvidenceFile {
            name: file_name(&p),
            bytes: read_capped(&p, "attestation file")?,
        });
    }

    // Time, database, source-tree checks.
    let now = crate::clock::now()?;
    let today = Date::from_unix_seconds(now.as_second());
    let db = match &policy.vulnerabilities {
        Some(_) => {
            let path = super::db::resolve(&args.db)?;
            if !path.is_file() {
                bail!(
                    "the policy has [vulnerabilities], but the advisory database {} does not exist (run `vouch db update` or `vouch db import`, or pass --db)",
                    path.display()
                );
            }
            // Any failure to open the database (corrupt, empty, unreadable) is exit 2.
            Some(Database::open(&path).with_context(|| {
                format!(
                    "the policy has [vulnerabilities], but the advisory database {} cannot be used",
                    path.display()
                )
            })?)
        }
        None => None,
    };
    let check = if policy.check {
        Some(check_findings(&args.source, now.as_second())?)
    } else {
        None
    };
    let secrets = if policy.secrets {
        Some(secret_findings(&args.source)?)
    } else {
        None
    };

    let inputs = Inputs {
        artifact_name: &artifact_name,
        artifact: &artifact,
        signature: signature.as_deref(),
        sbom: sbom.as_deref(),
        attestations: &attestations,
        signers: &signers,
        trust_root: &trust_root,
        advisories: db.as_ref(),
        suppressions: &supp,
        check_findings: check.as_deref(),
        secret_findings: secrets.as_deref(),
        rules: rules.as_ref(),
        today,
    };
    let decision = vouch_gate::evaluate(&policy, &inputs)?;

    // On a pass: the signed verification summary.
    let mut vsa_written = None;
    if decision.passed()
        && let Some(key_path) = &args.key
    {
        let key = evidence::signing_key(key_path)?;
        let source = PolicySource {
            uri: policy
                .vsa
                .policy_uri
                .clone()
                .unwrap_or_else(|| file_name(&args.policy)),
            sha256: vouch_digest::Digest::sha256(&policy_bytes).hex(),
            modules: modules
                .iter()
                .map(|m| {
                    let name = Path::new(&m.name)
                        .strip_prefix(&base)
                        .map_or_else(|_| m.name.clone(), |p| p.display().to_string());
                    (name, vouch_digest::Digest::sha256(m.text.as_bytes()).hex())
                })
                .collect(),
        };
        let statement =
            vouch_gate::summary(&decision, &policy, &source, now, env!("CARGO_PKG_VERSION"))
                .context("a passed decision has a summary")?;
        let bundle = vouch_sign::sign::sign_statement(&key, &statement)?;
        let mut line = serde_json::to_string(bundle.json())?;
        line.push('\n');
        crate::output::write_atomic(&vsa_path, line.as_bytes())?;
        vsa_written = Some(vsa_path.clone());
    }

    render(&args, &decision, vsa_written.as_deref())?;
    Ok(if decision.passed() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn render(args: &GateArgs, d: &Decision, vsa: Option<&Path>) -> anyhow::Result<()> {
    match args.format {
        GateFormat::Json => {
            let mut v = serde_json::to_value(d)?;
            v["promote"] = d.promote().map_or(serde_json::Value::Null, Into::into);
            v["vsa"] = vsa.map_or(serde_json::Value::Null, |p| p.display().to_string().into());
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        GateFormat::Table => {
            if d.passed() {
                eprintln!("gate: pass: {} ({})", d.artifact.name, d.artifact.digest);
            } else {
                eprintln!(
                    "gate: deny: {} ({}): {} reason(s)",
                    d.artifact.name,
                    d.artifact.digest,
                    d.reasons.len()
                );
            }
            for r in &d.reasons {
                let at = r
                    .evidence
                    .as_deref()
                    .map(|e| format!(" {e}:"))
                    .unwrap_or_default();
                let rule = r
                    .rule
                    .as_deref()
                    .map(|e| format!(" (rule {e})"))
                    .unwrap_or_default();
                eprintln!(
                    "  error[{}] {}:{at} {}{rule}",
                    r.code,
                    r.check.as_str(),
                    r.message
                );
            }
            for u in &d.verified {
                eprintln!(
                    "  verified: {} ({}) signed by {}",
                    u.evidence, u.kind, u.signer
                );
            }
            for i in &d.ignored {
                eprintln!("  not used: {}: {}", i.evidence, i.why);
            }
            if !d.reasons.is_empty() {
                eprintln!("\nhint: each code is explained in docs/rules/<code>.md");
            }
            match (d.passed(), vsa) {
                (true, Some(p)) => eprintln!("wrote verification summary to {}", p.display()),
                (true, None) => {
                    eprintln!("no --key given: no verification summary written");
                }
                _ => {}
            }
            if let Some(r) = d.promote() {
                println!("{r}");
            }
        }
    }
    Ok(())
}
