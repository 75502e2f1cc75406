//! `vouch attest provenance|sbom`: the edge that reads the CI environment, the git checkout
//! and the clock and hands them to `vouch_attest::ci::context`, which maps them to a typed
//! `BuildContext`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_attest::Statement;
use vouch_attest::ci::{self, LocalGit};
use vouch_attest::slsa;
use vouch_attest::statement::Subject;

use super::evidence;
use crate::cli::{AttestCommand, AttestProvenanceArgs, AttestSbomArgs};
use crate::exit::ExitStatus;

pub fn run(cmd: AttestCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        AttestCommand::Provenance(args) => provenance(args),
        AttestCommand::Sbom(args) => sbom(args),
    }
}

fn subjects(paths: &[PathBuf]) -> anyhow::Result<Vec<Subject>> {
    paths
        .iter()
        .map(|p| {
            let bytes = crate::files::read(p, "subject", crate::files::MAX_ARTIFACT)?;
            let name = p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            Ok(Subject::new(name, vouch_digest::Digest::sha256(&bytes)))
        })
        .collect()
}

/// The one image among the subjects, if the subjects name one (`registry:…`): an image is
/// attested alone, and the attestation is attached to it.
fn image_subject(paths: &[PathBuf]) -> anyhow::Result<Option<vouch_oci::reference::Reference>> {
    let mut images = Vec::new();
    for p in paths {
        if let Some(text) = p.to_str()
            && let Some(r) = super::image_evidence::image_arg(text)?
        {
            images.push(r);
        }
    }
    match (images.len(), paths.len()) {
        (0, _) => Ok(None),
        (1, 1) => Ok(images.pop()),
        _ => anyhow::bail!(
            "--subject: an image is attested alone (its attestation is attached to it); give one registry:IMAGE, or files only"
        ),
    }
}

fn write_jsonl(path: &Path, bundle: &vouch_sign::Bundle) -> anyhow::Result<()> {
    let mut line = serde_json::to_string(bundle.json())?;
    line.push('\n');
    crate::output::write_atomic(path, line.as_bytes())
}

fn provenance(args: AttestProvenanceArgs) -> anyhow::Result<ExitStatus> {
    let key = evidence::signing_key(&args.key)?;
    let image = image_subject(&args.subject)?;
    let subject = match &image {
        Some(_) => Vec::new(),
        None => subjects(&args.subject)?,
    };
    let deps = match &args.sbom {
        Some(p) => {
            let bytes = crate::files::read(p, "sbom", crate::files::MAX_EVIDENCE)?;
            vouch_attest::sbom::locked_dependencies(&bytes)
                .with_context(|| format!("could not read sbom {}", p.display()))?
                .1
        }
        None => Vec::new(),
    };
    let now = crate::clock::now()?;
    let git = std::env::current_dir().ok().and_then(|d| local_git(&d));
    // Only the named, non-secret variables (one that is not UTF-8 counts as unset).
    let env: BTreeMap<String, String> = ci::VARIABLES
        .iter()
        .filter_map(|k| Some(((*k).to_owned(), std::env::var(k).ok()?)))
        .collect();
    let platform = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH);
    let ctx = ci::context(&env, now, git, &platform);
    let predicate = slsa::build(&ctx, deps);
    let value = serde_json::to_value(&predicate)?;
    if let Some(reference) = image {
        if args.output.is_some() {
            anyhow::bail!(
                "-o: an image's attestation is attached to it in its registry, not written to a file"
            );
        }
        return super::image_evidence::attest(
            reference,
            &key,
            &args.registry.insecure_registry,
            |subject| Ok(Statement::new(subject, slsa::PROVENANCE_V1, value)),
        );
    }
    let output = args
        .output
        .unwrap_or_else(|| PathBuf::from("provenance.intoto.jsonl"));
    let statement = Statement::new(subject, slsa::PROVENANCE_V1, value);
    let bundle = vouch_sign::sign::sign_statement(&key, &statement)?;
    write_jsonl(&output, &bundle)?;
    eprintln!(
        "wrote SLSA provenance ({:?} build, {} subject(s), {} resolved dependencies) to {}",
        ctx.system,
        statement.subject.len(),
        predicate.build_definition.resolved_dependencies.len(),
        output.display()
    );
    Ok(ExitStatus::Success)
}

fn sbom(args: AttestSbomArgs) -> anyhow::Result<ExitStatus> {
    let key = evidence::signing_key(&args.key)?;
    let image = image_subject(&args.subject)?;
    let bytes = crate::files::read(&args.sbom, "sbom", crate::files::MAX_EVIDENCE)?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("sbom {} is not json", args.sbom.display()))?;
    let format = vouch_attest::sbom::detect(&doc)
        .with_context(|| format!("could not read sbom {}", args.sbom.display()))?;
    let predicate_type = vouch_attest::sbom::predicate_type(&format);
    if let Some(reference) = image {
        if args.output.is_some() {
            anyhow::bail!(
                "-o: an image's attestation is attached to it in its registry, not written to a file"
            );
        }
        return super::image_evidence::attest(
            reference,
            &key,
            &args.registry.insecure_registry,
            |subject| Ok(Statement::new(subject, predicate_type, doc)),
        );
    }
    let subject = subjects(&args.subject)?;
    let output = args
        .output
        .unwrap_or_else(|| PathBuf::from("sbom.intoto.jsonl"));
    let statement = Statement::new(subject, predicate_type, doc);
    let bundle = vouch_sign::sign::sign_statement(&key, &statement)?;
    write_jsonl(&output, &bundle)?;
    eprintln!(
        "wrote SBOM attestation ({}) to {}",
        predicate_type,
        output.display()
    );
    Ok(ExitStatus::Success)
}

/// Read HEAD (commit and branch) and the `origin` fetch URL of the git checkout containing
/// `start`, through gix (no `git` process). `None` outside a repository.
pub fn local_git(start: &Path) -> Option<LocalGit> {
    let repo = gix::discover(start).ok()?;
    let head = repo.head().ok()?;
    Some(LocalGit {
        commit: head.id().map(|id| id.to_string()),
        git_ref: head.referent_name().map(|n| n.as_bstr().to_string()),
        remote: repo
            .find_remote("origin")
            .ok()
            .and_then(|r| {
                r.url(gix::remote::Direction::Fetch)
                    .map(|u| u.to_bstring().to_string())
            })
            .map(|u| vouch_url::strip_credentials(&u).into_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_local_checkout() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["remote", "add", "origin", "https://u:p@example.com/x.git"]);
        git(&["commit", "-q", "--allow-empty", "-m", "one"]);
        let head = git(&["rev-parse", "HEAD"]).trim().to_owned();
        let git = local_git(dir.path()).unwrap();
        assert_eq!(git.commit, Some(head));
        assert_eq!(git.git_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(git.remote.as_deref(), Some("https://example.com/x.git"));
    }
}
