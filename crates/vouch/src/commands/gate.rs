//! `vouch gate ARTIFACT --policy gate.toml`: the edge of the promotion gate. Wires the
//! arguments to `vouch_gate` (policy and everything it names, the artifact as a hashed file
//! subject, the evidence folder, the advisory database, the clock, the source-tree checks),
//! renders the decision; on a pass signs and writes the verification summary and prints the
//! `sha256:` reference to promote.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use vouch_advisory::Database;
use vouch_advisory::suppress::Date;
use vouch_gate::{Evidence, Folder, Report, Subject};

use super::evidence;
use crate::cli::{GateArgs, GateFormat};
use crate::exit::ExitStatus;
use crate::files;

/// File name of the verification summary in the evidence folder.
pub const VSA_FILE: &str = vouch_gate::evidence::VSA_FILE;

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The advisory database, opened, when the policy has `[vulnerabilities]`. When there is none
/// it is fetched once from the configured source, for the ecosystems of the SBOM in the
/// evidence (read here only to choose which exports to fetch; the gate matches the verified
/// SBOM), unless offline; a database that cannot be had is exit 2.
fn database(
    args: &GateArgs,
    loaded: &vouch_gate::Loaded,
    sbom: Option<&[u8]>,
    now: jiff::Timestamp,
) -> anyhow::Result<Option<Database>> {
    if loaded.policy.vulnerabilities.is_none() {
        return Ok(None);
    }
    let path = super::db::resolve(&args.db)?;
    if !path.is_file() {
        let ecosystems = sbom
            .and_then(|b| vouch_sbom::read::parse(b).ok())
            .map(|s| super::db_fetch::ecosystems(&s.components, s.distro.as_ref()))
            .unwrap_or_default();
        if let Err(reason) = super::db_fetch::ensure(&path, &args.db_source, &ecosystems, now) {
            bail!("the policy has [vulnerabilities], but they were not checked: {reason}");
        }
    }
    // Any failure to open the database (corrupt, empty, unreadable) is exit 2.
    Database::open(&path).map(Some).with_context(|| {
        format!(
            "the policy has [vulnerabilities], but the advisory database {} cannot be used",
            path.display()
        )
    })
}

pub fn run(args: GateArgs) -> anyhow::Result<ExitStatus> {
    // The policy and everything it names, then the artifact and its evidence.
    let loaded = vouch_gate::load(&args.policy)?;
    let image = match args.artifact.to_str() {
        Some(text) => super::image_evidence::image_arg(text)?,
        None => None,
    };
    if image.is_some() && args.evidence.is_some() {
        bail!("--evidence: an image's evidence is what is attached to it in its registry");
    }
    let artifact;
    let target;
    let (subject, mut evidence, vsa_path) = match image {
        Some(reference) => {
            let t =
                super::image_evidence::Target::new(reference, &args.registry.insecure_registry)?;
            let digest = t.digest()?;
            let evidence = super::image_evidence::gate_evidence(&t, &digest)?;
            let subject = Subject::from_digest(t.pinned(&digest), digest)?;
            target = Some(t);
            (subject, evidence, args.vsa.clone())
        }
        None => {
            target = None;
            artifact = files::read(&args.artifact, "artifact", files::MAX_ARTIFACT)?;
            let subject = Subject::from_bytes(file_name(&args.artifact), &artifact);
            let evidence_dir = match &args.evidence {
                Some(d) => d.clone(),
                None => match args.artifact.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                },
            };
            let folder = Folder::open(&evidence_dir)?;
            let vsa_path = args
                .vsa
                .clone()
                .unwrap_or_else(|| evidence_dir.join(VSA_FILE));
            // The summary this run writes is the gate's output, not its input.
            let evidence = Evidence::collect(&folder.excluding(&vsa_path), &loaded.policy)?;
            (subject, evidence, Some(vsa_path))
        }
    };

    // Other tools' SARIF logs, named as given.
    for path in &args.sarif {
        evidence.sarif.push(vouch_gate::EvidenceFile {
            name: path.display().to_string(),
            bytes: files::read(path, "SARIF file", files::MAX_EVIDENCE)?,
        });
    }

    // Time, database, source-tree checks.
    let now = crate::clock::now()?;
    let cli_max_age = super::db_fetch::max_age(&args.db_source)?;
    let db = database(&args, &loaded, evidence.sbom.as_deref(), now)?;
    // The source folder is walked once for both checks.
    let source = if loaded.policy.check || loaded.policy.secrets {
        Some(vouch_gate::source::SourceTree::open(&args.source)?)
    } else {
        None
    };
    let check = match &source {
        Some(src) if loaded.policy.check => {
            Some(vouch_gate::source::check_findings(src, now.as_second())?)
        }
        _ => None,
    };
    let secrets = match &source {
        Some(src) if loaded.policy.secrets => Some(vouch_gate::source::secret_findings(src)?),
        _ => None,
    };
    let context = vouch_gate::Context {
        advisories: db.as_ref(),
        check_findings: check.as_deref(),
        secret_findings: secrets.as_deref(),
        today: Date::from_unix_seconds(now.as_second()),
        now,
    };
    let mut decision = vouch_gate::gate(&loaded, &subject, &evidence, &context)?;
    // An advisory database older than allowed: stale data is not "no vulnerabilities".
    if let (Some(vp), Some(db)) = (&loaded.policy.vulnerabilities, &db) {
        let max_age = vp.max_db_age.or(cli_max_age);
        if let Some(stale) = super::db_fetch::staleness(db, max_age, now)? {
            if vp.allow_stale_db {
                eprintln!(
                    "warning[advisory-db-stale]: {} (allowed by the policy's allow-stale-db)",
                    stale.message
                );
            } else {
                decision.deny(
                    vouch_gate::Check::Vulnerabilities,
                    "advisory-db-stale",
                    stale.message,
                );
            }
        }
    }

    // On a pass: the signed verification summary.
    let mut vsa_written = None;
    if decision.passed()
        && let Some(key_path) = &args.key
    {
        let key = evidence::signing_key(key_path)?;
        let statement = vouch_gate::summary(
            &decision,
            &loaded.policy,
            &loaded.source,
            now,
            env!("CARGO_PKG_VERSION"),
        )
        .context("a passed decision has a summary")?;
        let bundle = vouch_sign::sign::sign_statement(&key, &statement)?;
        if let Some(vsa_path) = &vsa_path {
            let mut line = serde_json::to_string(bundle.json())?;
            line.push('\n');
            crate::output::write_atomic(vsa_path, line.as_bytes())?;
            vsa_written = Some(vsa_path.display().to_string());
        }
        // An image's summary is attached to it too, as an attestation.
        if let Some(t) = &target {
            let descriptor = t.descriptor_at(&subject.digest().to_string())?;
            let attachment = super::image_evidence::push_bundle(
                t,
                &descriptor,
                &bundle,
                Some(vouch_attest::vsa::VSA_V1),
            )?;
            eprintln!(
                "attached the verification summary to {}: {} ({})",
                subject.name(),
                attachment.manifest,
                attachment.layout
            );
            vsa_written = Some(format!("{}@{}", t.name(), attachment.manifest));
        }
    }
    if let Some(t) = &target {
        t.finish();
    }

    let passed = decision.passed();
    render(args.format, &Report::new(decision, vsa_written))?;
    Ok(if passed {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn render(format: GateFormat, report: &Report) -> anyhow::Result<()> {
    match format {
        GateFormat::Json => {
            // Through a `Value`, as before: the same key order whatever serde_json's features.
            // Reasons quote evidence (a provenance source URI, a builder id): URL credentials
            // in them print as `***`, as in every other JSON output.
            let mut v = serde_json::to_value(report)?;
            vouch_report::redact_json(&mut v);
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        GateFormat::Table => {
            eprint!("{}", vouch_report::verdict::gate_text(&report.view()));
            if let Some(r) = &report.promote {
                println!("{r}");
            }
        }
    }
    Ok(())
}
