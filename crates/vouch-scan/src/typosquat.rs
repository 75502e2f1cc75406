//! The typosquat check of `vouch scan`: every npm and PyPI component of the inventory (from
//! lockfiles and manifests) whose name resembles a popular package of its ecosystem, and that
//! is not popular itself, is a `packages-typosquat` finding (high) naming the package it
//! resembles and how ([`vouch_typosquat`]). Offline: the popular lists ship with vouch; a newer
//! copy in the data directory wins (the caller chooses, see [`Lists::new`]). Rule entries of the
//! ignore file (`rule = "packages-typosquat"`, `path` over the lockfile's path) suppress.

use std::collections::BTreeSet;

use vouch_inventory::{Ecosystem, Inventory};
use vouch_policy::suppress::{Date, IgnoreFile};
use vouch_report::{Finding, Location, Report, RuleMeta, Severity, Suppression};
use vouch_typosquat::{Index, Popular};

use crate::CheckSummary;

/// The rule id (docs/rules/packages-typosquat.md).
pub const RULE: &str = "packages-typosquat";

/// The rule's metadata, for SARIF.
pub fn rule() -> RuleMeta {
    let mut m = RuleMeta::new(
        RULE,
        "Package name resembles a popular package of the same ecosystem (suspected typosquat)",
        Severity::High,
    );
    m.help_uri = Some(format!("docs/rules/{RULE}.md"));
    m
}

/// The popular lists to check against, one per ecosystem, indexed.
#[derive(Debug)]
pub struct Lists {
    lists: Vec<(Popular, Index)>,
}

impl Lists {
    /// Indexes `lists` (at most one per ecosystem: the first given wins).
    pub fn new(lists: Vec<Popular>) -> Self {
        let mut seen = BTreeSet::new();
        let lists = lists
            .into_iter()
            .filter(|p| seen.insert(p.ecosystem))
            .map(|p| {
                let index = Index::new(&p);
                (p, index)
            })
            .collect();
        Self { lists }
    }

    /// The lists shipped with vouch, for the ecosystems in `wanted`.
    pub fn embedded(wanted: &[vouch_typosquat::Ecosystem]) -> Self {
        Self::new(wanted.iter().map(|e| Popular::embedded(*e)).collect())
    }

    fn get(&self, eco: vouch_typosquat::Ecosystem) -> Option<&(Popular, Index)> {
        self.lists.iter().find(|(p, _)| p.ecosystem == eco)
    }

    /// `npm 2025-12-04 (15113), PyPI 2026-06-16 (15000)`.
    pub fn describe(&self) -> String {
        self.lists
            .iter()
            .map(|(p, _)| format!("{} {} ({})", p.ecosystem.as_str(), p.date, p.names.len()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The ecosystem of a component that has a popular list.
pub fn ecosystem(e: Ecosystem) -> Option<vouch_typosquat::Ecosystem> {
    match e {
        Ecosystem::Npm => Some(vouch_typosquat::Ecosystem::Npm),
        Ecosystem::PyPi => Some(vouch_typosquat::Ecosystem::PyPi),
        _ => None,
    }
}

/// The ecosystems of `inventory` that have a popular list (to index only those).
pub fn ecosystems(inventory: &Inventory) -> Vec<vouch_typosquat::Ecosystem> {
    let set: BTreeSet<_> = inventory
        .components
        .iter()
        .filter_map(|c| ecosystem(c.ecosystem))
        .collect();
    set.into_iter().collect()
}

/// The findings, one per (ecosystem, name, file it was found in), sorted; first-party
/// components (the project's own packages) are not checked.
pub fn findings(inventory: &Inventory, lists: &Lists) -> Vec<Finding> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for c in inventory.components.iter().filter(|c| !c.first_party) {
        let Some(eco) = ecosystem(c.ecosystem) else {
            continue;
        };
        let Some((popular, index)) = lists.get(eco) else {
            continue;
        };
        let Some(suspect) = index.check(&c.name) else {
            continue;
        };
        for ev in &c.evidence {
            if !seen.insert((eco, c.name.clone(), ev.path.clone())) {
                continue;
            }
            let mut location = Location::new(ev.path.clone());
            if let Some(line) = ev.line {
                location = location.line(line);
            }
            let message = format!(
                "{} package `{}` resembles the popular package `{}` ({}): a suspected typosquat",
                eco.as_str(),
                c.name,
                suspect.resembles,
                suspect.kind.describe()
            );
            out.push(
                Finding::new(RULE, Severity::High, message)
                    .at(location)
                    .remediation(format!(
                        "if you meant `{}`, correct the name in the manifest and lockfile; if `{}` is intended, add an ignore entry for {RULE} with the reason",
                        suspect.resembles, c.name
                    ))
                    .fingerprint(fingerprint(eco.as_str(), &c.name, &ev.path))
                    .property("ecosystem", eco.as_str())
                    .property("package", c.name.clone())
                    .property("resembles", suspect.resembles.clone())
                    .property("kind", suspect.kind.as_str())
                    .property("rank", suspect.rank)
                    .property("popular_list", format!("{} ({})", popular.source, popular.date)),
            );
        }
    }
    out
}

/// The check: findings into `report`, with the ignore file's rule entries applied as of
/// `today`.
pub fn check(
    inventory: &Inventory,
    lists: &Lists,
    ignore: Option<&IgnoreFile>,
    today: Date,
    report: &mut Report,
) -> CheckSummary {
    let mut found = findings(inventory, lists);
    if let Some(ignore) = ignore {
        for f in &mut found {
            let path = f.location.as_ref().map_or("", |l| l.path.as_str());
            if let Some(e) = ignore.matching(RULE, path, today) {
                f.suppressed = Some(Suppression {
                    kind: "ignore-file".into(),
                    reason: format!(
                        "{}:{} until {}: {}",
                        ignore.path, e.line, e.expires, e.reason
                    ),
                });
            }
        }
    }
    let checked = inventory
        .components
        .iter()
        .filter(|c| !c.first_party && ecosystem(c.ecosystem).is_some())
        .count();
    let note = if lists.lists.is_empty() {
        "no npm or PyPI packages".to_owned()
    } else {
        format!(
            "{checked} npm/PyPI packages against the popular lists {}",
            lists.describe()
        )
    };
    let summary = CheckSummary::new(crate::Check::Typosquats.as_str(), note, &found, 0);
    if !found.is_empty() {
        report.rules.push(rule());
    }
    report.findings.extend(found);
    summary
}

fn fingerprint(eco: &str, name: &str, file: &str) -> String {
    // FNV-1a, 64 bit, over rule, ecosystem, name and file (not the line: survives moves).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in RULE
        .bytes()
        .chain([0])
        .chain(eco.bytes())
        .chain([0])
        .chain(name.bytes())
        .chain([0])
        .chain(file.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
