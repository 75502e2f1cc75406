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
use crate::cli::{
    AttestCommand, AttestProvenanceArgs, AttestRebuildArgs, AttestSarifArgs, AttestSbomArgs,
};
use crate::exit::ExitStatus;

pub fn run(cmd: AttestCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        AttestCommand::Provenance(args) => provenance(args),
        AttestCommand::Sbom(args) => sbom(args),
        AttestCommand::Rebuild(args) => rebuild(args),
        AttestCommand::Sarif(args) => sarif(args),
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

/// `vouch attest sarif`: the log is read with the gate's own reader first (a log the gate
/// could not read is refused here, exit 2), then signed as it was written.
fn sarif(args: AttestSarifArgs) -> anyhow::Result<ExitStatus> {
    let key = evidence::signing_key(&args.key)?;
    let image = image_subject(&args.subject)?;
    let shown = args.sarif.display().to_string();
    let bytes = crate::files::read(&args.sarif, "SARIF file", crate::files::MAX_EVIDENCE)?;
    let log = vouch_report::sarif::read::parse(&bytes, &shown)?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("SARIF file {shown} is not json"))?;
    let predicate_type = vouch_attest::sarif::PREDICATE_SARIF;
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
        .unwrap_or_else(|| PathBuf::from("sarif.intoto.jsonl"));
    let statement = Statement::new(subject, predicate_type, doc);
    let bundle = vouch_sign::sign::sign_statement(&key, &statement)?;
    write_jsonl(&output, &bundle)?;
    let tools: Vec<String> = log.runs.iter().map(|r| r.tool.clone()).collect();
    eprintln!(
        "wrote SARIF attestation ({predicate_type}; {}) to {}",
        tools.join(", "),
        output.display()
    );
    Ok(ExitStatus::Success)
}

/// Longest validity a rebuild claim may have: a rebuild is re-done, not trusted forever.
const MAX_VALID_FOR_DAYS: i64 = 366;

/// `--valid-for`: a positive span of at most [`MAX_VALID_FOR_DAYS`] days (a day is 24 hours).
fn valid_for(text: &str) -> anyhow::Result<jiff::SignedDuration> {
    let span: jiff::Span = text
        .parse()
        .with_context(|| format!("--valid-for `{text}` is not a duration (e.g. 30d, 12h, 90m)"))?;
    let d = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .with_context(|| format!("--valid-for `{text}` is not a fixed length of time"))?;
    let max = jiff::SignedDuration::from_hours(24 * MAX_VALID_FOR_DAYS);
    if d <= jiff::SignedDuration::ZERO || d > max {
        anyhow::bail!(
            "--valid-for `{text}` must be longer than 0 and at most {MAX_VALID_FOR_DAYS} days"
        );
    }
    Ok(d)
}

/// `--source-commit` and `--source-digest`, at least one.
fn rebuild_sources(args: &AttestRebuildArgs) -> anyhow::Result<Vec<vouch_attest::rebuild::Source>> {
    use vouch_attest::rebuild::Source;
    let mut out = Vec::new();
    for c in &args.source_commit {
        if !matches!(c.len(), 40 | 64) || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
            anyhow::bail!("--source-commit `{c}` is not a full commit id (40 or 64 hex digits)");
        }
        out.push(Source::commit(&c.to_ascii_lowercase()));
    }
    for s in &args.source_digest {
        let (name, digest) = s
            .split_once('=')
            .with_context(|| format!("--source-digest `{s}` is not NAME=sha256:HEX"))?;
        if name.trim().is_empty() {
            anyhow::bail!("--source-digest `{s}` has an empty name");
        }
        let digest: vouch_digest::Digest = digest
            .parse()
            .with_context(|| format!("--source-digest `{s}`: bad digest"))?;
        out.push(Source::file(name, &digest));
    }
    if out.is_empty() {
        anyhow::bail!(
            "name the source the rebuild started from: at least one --source-commit or --source-digest"
        );
    }
    Ok(out)
}

/// `--rebuilt`: a digest as written, or a file hashed.
fn rebuilt_digest(arg: &str) -> anyhow::Result<vouch_digest::Digest> {
    if arg.starts_with("sha256:") {
        return arg
            .parse()
            .with_context(|| format!("--rebuilt `{arg}` is not a sha256 digest"));
    }
    let bytes = crate::files::read(
        Path::new(arg),
        "rebuilt artifact",
        crate::files::MAX_ARTIFACT,
    )?;
    Ok(vouch_digest::Digest::sha256(&bytes))
}

fn rebuild(args: AttestRebuildArgs) -> anyhow::Result<ExitStatus> {
    use vouch_attest::rebuild::{REBUILD_V1, Rebuild};
    let image = image_subject(std::slice::from_ref(&args.subject))?;
    if image.is_some()
        && let Some(r) = &args.rebuilt
        && !r.starts_with("sha256:")
    {
        anyhow::bail!(
            "--rebuilt `{r}`: for an image, give the manifest digest the rebuild produced (sha256:HEX), not a file"
        );
    }
    let key = evidence::signing_key(&args.key)?;
    let sources = rebuild_sources(&args)?;
    let validity = valid_for(&args.valid_for)?;
    let rebuilt = args.rebuilt.as_deref().map(rebuilt_digest).transpose()?;
    let rebuilder = args
        .rebuilder_id
        .clone()
        .unwrap_or_else(|| format!("key:{}", key.public_key().fingerprint()));
    if rebuilder.trim().is_empty() {
        anyhow::bail!("--rebuilder-id is empty");
    }
    let now = crate::clock::now()?;
    let until = now
        .checked_add(validity)
        .context("--valid-for reaches past the end of time")?;
    let predicate = |subject: &vouch_digest::Digest| -> anyhow::Result<serde_json::Value> {
        let got = rebuilt.clone().unwrap_or_else(|| subject.clone());
        let p = Rebuild::new(rebuilder.clone(), sources.clone(), got, now, until)?;
        Ok(serde_json::to_value(p)?)
    };
    let report = |subject: &vouch_digest::Digest| -> ExitStatus {
        match &rebuilt {
            Some(got) if got != subject => {
                eprintln!(
                    "error[rebuild-digest-mismatch]: the rebuild produced {got}, not {subject}: the statement records the mismatch"
                );
                ExitStatus::Failure
            }
            _ => ExitStatus::Success,
        }
    };
    if let Some(reference) = image {
        if args.output.is_some() {
            anyhow::bail!(
                "-o: an image's attestation is attached to it in its registry, not written to a file"
            );
        }
        let mut status = ExitStatus::Success;
        super::image_evidence::attest(
            reference,
            &key,
            &args.registry.insecure_registry,
            |subject| {
                let digest = subject
                    .first()
                    .and_then(|s| s.digest.get(vouch_digest::Algorithm::Sha256))
                    .cloned()
                    .context("the image has no sha256 digest")?;
                status = report(&digest);
                Ok(Statement::new(subject, REBUILD_V1, predicate(&digest)?))
            },
        )?;
        return Ok(status);
    }
    let subject = subjects(std::slice::from_ref(&args.subject))?;
    let digest = subject
        .first()
        .and_then(|s| s.digest.get(vouch_digest::Algorithm::Sha256))
        .cloned()
        .context("the subject has no sha256 digest")?;
    let output = args
        .output
        .unwrap_or_else(|| PathBuf::from("rebuild.intoto.jsonl"));
    let statement = Statement::new(subject, REBUILD_V1, predicate(&digest)?);
    let bundle = vouch_sign::sign::sign_statement(&key, &statement)?;
    write_jsonl(&output, &bundle)?;
    eprintln!(
        "wrote rebuild attestation ({REBUILD_V1}) for {digest} by {rebuilder}, valid until {until}, to {}",
        output.display()
    );
    Ok(report(&digest))
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
