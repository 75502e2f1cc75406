//! `vouch vulns`: match an inventory or an SBOM against the advisory database.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_advisory::Database;
use vouch_advisory::matching::{MatchOptions, VulnMatch};
use vouch_advisory::suppress::{self, Date, Expired, Suppressions};
use vouch_report::Severity;
use vouch_report::vulns::render;

use crate::cli::{Format, VulnsArgs};
use crate::exit::ExitStatus;

pub fn run(args: VulnsArgs) -> anyhow::Result<ExitStatus> {
    let fail_on: Option<Severity> = args.fail_on.as_deref().map(str::parse).transpose()?;
    let db_path = super::db::resolve(&args.location)?;
    let max_age = super::db_fetch::max_age(&args.source)?;

    let (components, distro) = match &args.sbom {
        Some(file) => {
            let bytes = crate::files::read(file, "SBOM", crate::files::MAX_EVIDENCE)?;
            let sbom = vouch_sbom::read::parse(&bytes)
                .with_context(|| format!("cannot read the SBOM {}", file.display()))?;
            // First-party components (the project's own code) are not matched, on purpose.
            for u in sbom
                .unmapped
                .iter()
                .filter(|u| u.reason != vouch_sbom::read::UnmappedReason::FirstParty)
            {
                eprintln!("warning: {}: component not matched: {u}", file.display());
            }
            let name = file.display().to_string();
            let mut components = sbom.components;
            for c in &mut components {
                if c.evidence.is_empty() {
                    c.evidence.push(vouch_inventory::Evidence {
                        path: name.clone(),
                        kind: vouch_inventory::SourceKind::Lockfile,
                        line: None,
                    });
                }
            }
            (components, sbom.distro)
        }
        None => {
            let inventory = crate::inventory::collect(&args.path, &args.walk)?;
            crate::inventory::refuse_walk_errors(&inventory, &args.path)?;
            (inventory.components, inventory.distro)
        }
    };

    let supp = match &args.ignore_file {
        Some(p) => suppressions(&args.vex, IgnoreSource::File(p))?,
        None if args.sbom.is_none() => {
            suppressions(&args.vex, IgnoreSource::Repository(&args.path))?
        }
        None => suppressions(&args.vex, IgnoreSource::None)?,
    };

    let now = crate::clock::now()?;
    let today = Date::from_unix_seconds(now.as_second());

    // No database: fetched once from the configured source, unless offline.
    let ecosystems = super::db_fetch::ecosystems(&components, distro.as_ref());
    if let Err(reason) = super::db_fetch::ensure(&db_path, &args.source, &ecosystems, now) {
        anyhow::bail!("vulnerabilities not checked: {reason}");
    }
    let db = Database::open(&db_path).with_context(|| {
        format!(
            "vulnerabilities not checked: cannot use the advisory database {}",
            db_path.display()
        )
    })?;
    let stale = super::db_fetch::staleness(&db, max_age, now)?;

    let options = MatchOptions {
        informational: args.informational,
    };
    let mut outcome = db
        .match_components(&components, distro.as_ref(), &options)
        .with_context(|| {
            format!(
                "vulnerabilities not checked: cannot match against the advisory database {}",
                db_path.display()
            )
        })?;
    let expired = apply(&supp, &mut outcome.matches, today);
    let version = env!("CARGO_PKG_VERSION");
    let text = match args.format {
        Format::Table => render::table(&outcome, &expired),
        Format::Json => render::json(&outcome, &expired, version),
        Format::Sarif => render::sarif(&outcome, version),
        Format::Cyclonedx => render::cyclonedx(&outcome, version),
        Format::Gitlab => {
            let stamp = now.strftime("%Y-%m-%dT%H:%M:%S").to_string();
            render::gitlab(&outcome, version, &stamp)
        }
        other => return Err(other.unavailable("vulns")),
    };
    crate::output::write(args.output.as_deref(), text.as_bytes())?;
    // Packages the database cannot answer for (a distro release it does not cover): the run is
    // incomplete, so exit 2 whatever was found (as `vouch scan` does).
    for n in &outcome.not_checked {
        eprintln!("error: not checked: {n}");
    }
    if !outcome.not_checked.is_empty() {
        return Ok(ExitStatus::Error);
    }
    let threshold = fail_on.unwrap_or(Severity::Info);
    // A database older than allowed: stale data is not "no vulnerabilities".
    if let Some(stale) = &stale {
        eprintln!("error[advisory-db-stale]: {}", stale.message);
        eprintln!(
            "\nhint: run `vouch db update` (or delete the database so the next run fetches it), or raise --db-max-age"
        );
    }
    let counts = outcome
        .matches
        .iter()
        .any(|m| m.finding.counts_at(threshold))
        || (stale.is_some() && Severity::High >= threshold);
    Ok(if counts {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The VEX documents and the ignore file that suppress vulnerabilities; shared by `vouch vulns`
/// and `vouch scan` so both suppress exactly the same matches. The ignore file is
/// `(path, required)`: a default path that does not exist means no ignore entries, a path given
/// with `--ignore-file` must exist.
pub fn suppressions(
    vex: &[PathBuf],
    ignore_file: IgnoreSource<'_>,
) -> anyhow::Result<Suppressions> {
    let mut supp = Suppressions::default();
    for file in vex {
        let bytes = crate::files::read(file, "VEX document", crate::files::MAX_EVIDENCE)?;
        // Statements are numbered on from the previous documents', so later documents win ties.
        let first_order = supp.vex.len();
        supp.vex.extend(suppress::parse_vex(
            &file.display().to_string(),
            &bytes,
            first_order,
        )?);
    }
    let ignore = match ignore_file {
        IgnoreSource::None => None,
        IgnoreSource::File(p) => Some((
            p.to_path_buf(),
            crate::files::read_text(p, "ignore file", crate::files::MAX_CONFIG)?,
        )),
        // The scanned repository's own ignore file: a regular file inside the repository.
        IgnoreSource::Repository(root) => {
            crate::files::read_config(root, "ignore.toml", "ignore file")?
        }
    };
    if let Some((p, text)) = &ignore {
        supp.ignore = suppress::parse_ignore(&p.display().to_string(), text)?;
    }
    Ok(supp)
}

/// Where the ignore file of `vulns` and `scan` comes from.
#[derive(Clone, Copy)]
pub enum IgnoreSource<'a> {
    /// None (`vulns --sbom` without `--ignore-file`).
    None,
    /// `--ignore-file FILE`: must exist.
    File(&'a Path),
    /// The scanned repository's `.vouch/ignore.toml`, when there is one.
    Repository(&'a Path),
}

/// Applies `supp` to `matches`, warning on stderr about each expired ignore entry that would
/// have applied.
pub fn apply(supp: &Suppressions, matches: &mut [VulnMatch], today: Date) -> Vec<Expired> {
    let expired = supp.apply(matches, today);
    for e in &expired {
        eprintln!(
            "warning: ignore entry for {} expired on {} and no longer suppresses it",
            e.id, e.expires
        );
    }
    expired
}
