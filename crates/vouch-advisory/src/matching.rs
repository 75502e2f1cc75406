//! Matching components against the database.
//!
//! First-party components ([`Component::first_party`]: workspace members, path dependencies)
//! are skipped: an advisory for a registry package of the same name is not about them. For each
//! other component:
//!
//! 1. the lookup key is the OSV ecosystem (`Debian` becomes `Ubuntu` on an Ubuntu root, `Red Hat`
//!    becomes `Rocky Linux` etc.) and the ecosystem-normalised name; OS packages are looked up by
//!    their **source package** (name and version) when the component has one, as OSV keys distro
//!    advisories by it;
//! 2. every stored, not withdrawn record naming that package is evaluated per `affected` entry:
//!    entries for another distro release (`Debian:11` on a Debian 12 root) are skipped; the
//!    version is placed against the ranges and `versions` with `vouch_version::osv::evaluate`
//!    under the ecosystem's ordering. A version or range vouch cannot order gives a finding that
//!    says "could not evaluate", never a silent "not affected";
//! 3. the records that affect (or may affect) one component are merged when their ids, aliases
//!    or related ids meet (union-find), so a GHSA and a PYSEC record for the same CVE give one
//!    finding listing every id. The **primary id** is the first of the merged ids in byte order
//!    that is not a CVE (CVE only when nothing else exists);
//! 4. fixed versions: the `fixed` events of the affecting entries that are above the installed
//!    version;
//! 5. severity: the CVSS vector of the newest CVSS version present (v4 over v3.1 over v3.0 over
//!    v2, scored with `vouch-cvss`), else `database_specific.severity` (GHSA's `MODERATE`…),
//!    else `medium` with `severity_source: "unrated"`; a merged finding takes its highest.
//!
//! A group with a **malicious** record ([`Advisory::is_malicious`]: `MAL-` ids, CWE-506) among
//! its affecting records is a malicious-package match ([`MatchKind::Malicious`]): rule
//! `malicious-package`, severity critical whatever the record rates, the message naming the id
//! and the record's summary, and no "upgrade" remediation (there is nothing to upgrade to).
//!
//! Other findings use `rule_id` = the primary advisory id (so SARIF shows one rule per advisory), and
//! carry in `properties`: `advisory_ids`, `aliases`, `package`, `version`, `ecosystem`, `purl`,
//! `fixed_versions`, `status` (`affected` or `could-not-evaluate`), `severity_source`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use serde_json::{Value, json};
use vouch_inventory::{Component, Distro, Ecosystem};
use vouch_report::{Finding, Location, NotChecked, Severity};
use vouch_version::{Scheme, osv as vosv};

use crate::db::{Database, DbError, index_name, split_ecosystem};
use crate::osv::{Advisory, Affected, SeverityEntry};

/// What to match.
#[derive(Debug, Clone, Default)]
pub struct MatchOptions {
    /// Also report RustSec informational advisories (unmaintained, unsound, notice) at severity
    /// `info`. Off by default: they are not vulnerabilities.
    pub informational: bool,
}

/// Why matching stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    #[error(transparent)]
    Db(#[from] DbError),
}

pub use vouch_report::vulns::{
    MALICIOUS_RULE, MatchKind, MatchOutcome, MatchStatus, MatchedComponent, Rating, VulnMatch,
};

/// The ecosystem as vouch's JSON names it (the serialized [`Ecosystem`], `Npm`).
fn json_name(eco: Ecosystem) -> String {
    match serde_json::to_value(eco) {
        Ok(Value::String(s)) => s,
        _ => eco.as_str().to_owned(),
    }
}

/// The OSV ecosystem for a component, given the root's distro.
pub fn osv_ecosystem(eco: Ecosystem, distro: Option<&Distro>) -> &'static str {
    let id = distro
        .map(|d| d.id.to_ascii_lowercase())
        .unwrap_or_default();
    match eco {
        Ecosystem::Debian if id == "ubuntu" => "Ubuntu",
        Ecosystem::Alpine if id == "wolfi" => "Wolfi",
        Ecosystem::Alpine if id == "chainguard" => "Chainguard",
        Ecosystem::Rpm => match id.as_str() {
            "rocky" => "Rocky Linux",
            "almalinux" => "AlmaLinux",
            "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" => "openSUSE",
            "sles" | "sled" | "suse" => "SUSE",
            "mageia" => "Mageia",
            "openeuler" => "openEuler",
            _ => "Red Hat",
        },
        other => other.osv_name(),
    }
}

/// The OSV release of a distro: `Debian:12` ← `12`; `Alpine:v3.18` ← `3.18.4`. A Debian root
/// without `VERSION_ID` (testing, unstable) is placed by its `VERSION_CODENAME`
/// ([`crate::distro::DEBIAN_RELEASES`]).
pub fn distro_release(distro: &Distro) -> Option<String> {
    let id = distro.id.to_ascii_lowercase();
    if distro.version_id.is_none() && id == "debian" {
        return crate::distro::debian_release(distro.codename.as_deref()?).map(str::to_owned);
    }
    let v = distro.version_id.as_deref()?;
    Some(match distro.id.to_ascii_lowercase().as_str() {
        "alpine" => {
            let mut parts = v.split('.');
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) => format!("v{a}.{b}"),
                _ => format!("v{v}"),
            }
        }
        "rhel" | "rocky" | "almalinux" => v.split('.').next().unwrap_or(v).to_owned(),
        _ => v.to_owned(),
    })
}

/// Whether vouch matches the ecosystem with a distro's advisories, release by release.
fn is_os(eco: Ecosystem) -> bool {
    matches!(eco, Ecosystem::Debian | Ecosystem::Alpine | Ecosystem::Rpm)
}

/// A release as the coverage check compares it: `v3.19` and `3.19` are one release.
fn norm_release(r: &str) -> String {
    r.trim().trim_start_matches('v').to_ascii_lowercase()
}

/// OS packages the database cannot answer for: the root's release is unknown, or the database
/// holds no advisory for that ecosystem and release (`Debian:12`). One [`NotChecked`] per
/// ecosystem, never a silent "not affected".
fn not_covered(
    components: &[Component],
    distro: Option<&Distro>,
    release: Option<&str>,
    covered: &BTreeSet<(String, String)>,
) -> Vec<NotChecked> {
    // ecosystem → (count, first evidence path)
    let mut missing: BTreeMap<&'static str, (usize, Option<String>)> = BTreeMap::new();
    for c in components
        .iter()
        .filter(|c| !c.first_party && is_os(c.ecosystem))
    {
        let eco = osv_ecosystem(c.ecosystem, distro);
        let covered = release.is_some_and(|r| covered.contains(&(eco.to_owned(), norm_release(r))));
        if !covered {
            let slot = missing.entry(eco).or_default();
            slot.0 += 1;
            if slot.1.is_none() {
                slot.1 = c.evidence.first().map(|e| e.path.clone());
            }
        }
    }
    missing
        .into_iter()
        .map(|(eco, (n, path))| {
            let packages = format!("{n} {eco} package{}", if n == 1 { "" } else { "s" });
            let reason = match release {
                None => format!(
                    "{packages} not checked: the distribution release is unknown (no os-release \
                     VERSION_ID, or a VERSION_CODENAME vouch does not know), so no release's \
                     advisories apply"
                ),
                Some(r) => {
                    let held: Vec<String> = covered
                        .iter()
                        .filter(|(e, _)| e == eco)
                        .map(|(e, r)| match (r.as_str(), e.as_str()) {
                            ("", _) => e.clone(),
                            // Alpine writes its releases `v3.19`.
                            (r, "Alpine" | "Wolfi" | "Chainguard") if r != "edge" => {
                                format!("{e}:v{r}")
                            }
                            (r, _) => format!("{e}:{r}"),
                        })
                        .collect();
                    let held = if held.is_empty() {
                        format!("none for {eco}")
                    } else if held.len() > 8 {
                        format!("{} and {} more", held[..8].join(", "), held.len() - 8)
                    } else {
                        held.join(", ")
                    };
                    format!(
                        "{packages} not checked: the advisory database holds no {eco}:{r} \
                         advisories (it holds {held}); import that release's advisories"
                    )
                }
            };
            NotChecked::new("vulnerabilities", path, reason)
        })
        .collect()
}

fn release_matches(entry_release: &str, ours: Option<&str>) -> bool {
    if entry_release.is_empty() {
        return true;
    }
    let Some(ours) = ours else {
        // The root's release is unknown: every release's entry is considered.
        return true;
    };
    let norm = |s: &str| s.trim_start_matches('v').to_ascii_lowercase();
    let first = entry_release.split(':').next().unwrap_or(entry_release);
    norm(first) == norm(ours) || norm(entry_release) == norm(ours)
}

fn to_ranges(aff: &Affected) -> Vec<vosv::Range> {
    aff.ranges
        .iter()
        .filter_map(|r| {
            let kind = vosv::RangeType::from_osv(&r.kind)?;
            let events = r
                .events
                .iter()
                .filter_map(|e| {
                    Some(if let Some(v) = &e.introduced {
                        vosv::Event::Introduced(v.clone())
                    } else if let Some(v) = &e.fixed {
                        vosv::Event::Fixed(v.clone())
                    } else if let Some(v) = &e.last_affected {
                        vosv::Event::LastAffected(v.clone())
                    } else {
                        vosv::Event::Limit(e.limit.clone()?)
                    })
                })
                .collect();
            Some(vosv::Range { kind, events })
        })
        .collect()
}

fn cvss_rank(kind: &str) -> u8 {
    match kind {
        "CVSS_V4" => 4,
        "CVSS_V3" => 3,
        "CVSS_V2" => 2,
        _ => 0,
    }
}

fn severity_of_rating(r: vouch_cvss::Rating) -> Severity {
    match r {
        vouch_cvss::Rating::None => Severity::Info,
        vouch_cvss::Rating::Low => Severity::Low,
        vouch_cvss::Rating::Medium => Severity::Medium,
        vouch_cvss::Rating::High => Severity::High,
        vouch_cvss::Rating::Critical => Severity::Critical,
    }
}

/// Severity of one record (and the affected entry that matched): see the module docs.
fn advisory_severity(a: &Advisory, entry: &Affected) -> (Severity, String, Vec<Rating>) {
    let mut ratings = Vec::new();
    let mut best: Option<(u8, f64, Severity, String)> = None;
    let entries: Vec<&SeverityEntry> = a.severity.iter().chain(entry.severity.iter()).collect();
    for s in entries {
        let rank = cvss_rank(&s.kind);
        if rank == 0 {
            continue;
        }
        match vouch_cvss::score(&s.score) {
            Ok(score) => {
                let sev = severity_of_rating(score.rating);
                ratings.push(Rating {
                    advisory: a.id.clone(),
                    kind: s.kind.clone(),
                    vector: s.score.clone(),
                    score: Some(score.base),
                    severity: sev,
                });
                let key = (rank, score.base);
                if best.as_ref().is_none_or(|(r, b, _, _)| key > (*r, *b)) {
                    best = Some((
                        rank,
                        score.base,
                        sev,
                        format!("{} {} ({})", s.kind, score.base, s.score),
                    ));
                }
            }
            Err(_) => continue,
        }
    }
    if let Some((_, _, sev, source)) = best {
        return (sev, source, ratings);
    }
    let text = a
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(Value::as_str)
        .or_else(|| {
            entry
                .ecosystem_specific
                .as_ref()
                .and_then(|d| d.get("severity"))
                .and_then(Value::as_str)
        });
    if let Some(text) = text
        && let Ok(sev) = text.parse::<Severity>()
    {
        ratings.push(Rating {
            advisory: a.id.clone(),
            kind: "database_specific".into(),
            vector: text.to_owned(),
            score: None,
            severity: sev,
        });
        return (sev, format!("database_specific.severity {text}"), ratings);
    }
    (Severity::Medium, "unrated".into(), ratings)
}

struct Hit {
    advisory: Arc<Advisory>,
    status: MatchStatus,
    fixed: Vec<String>,
    severity: Severity,
    severity_source: String,
    ratings: Vec<Rating>,
    informational: Option<String>,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// One `affected` entry of a candidate record that names the looked-up package in the scanned
/// root's ecosystem and release, prepared once per package key (ranges converted, scheme chosen,
/// severity scored) and then evaluated for every version of that package.
struct Entry {
    scheme: Option<Scheme>,
    ecosystem: String,
    ranges: Vec<vosv::Range>,
    versions: Vec<String>,
    fixed_events: Vec<String>,
    severity: (Severity, String, Vec<Rating>),
}

/// A stored record naming a package, parsed once per run.
struct Candidate {
    advisory: Arc<Advisory>,
    informational: Option<String>,
    entries: Vec<Entry>,
}

/// The lookup key of a component: OSV ecosystem, index name, and the name and version to
/// evaluate (the source package's for OS packages).
fn lookup_key<'c>(c: &'c Component, distro: Option<&Distro>) -> (&'static str, String, &'c str) {
    let ecosystem = osv_ecosystem(c.ecosystem, distro);
    let is_os = matches!(
        c.ecosystem,
        Ecosystem::Debian | Ecosystem::Alpine | Ecosystem::Rpm
    );
    let (name, version) = match (&c.source_package, is_os) {
        (Some(sp), true) => (sp.name.as_str(), sp.version.as_str()),
        _ => (c.name.as_str(), c.version.as_str()),
    };
    (ecosystem, index_name(ecosystem, name), version)
}

impl Database {
    /// Matches components against the database. `distro` is the scanned root's distribution
    /// (from the inventory), used for OS packages.
    ///
    /// Each distinct package is looked up and its records parsed once; the components are then
    /// evaluated in parallel (the evaluation is pure), and the result sorted, so the outcome does
    /// not depend on thread scheduling.
    pub fn match_components(
        &self,
        components: &[Component],
        distro: Option<&Distro>,
        options: &MatchOptions,
    ) -> Result<MatchOutcome, MatchError> {
        // The digest is computed from (and checks) every stored record before any is used, and a
        // database without advisories cannot say that nothing is vulnerable.
        let db_digest = self.digest()?;
        if self.advisory_count()? == 0 {
            return Err(DbError::Empty {
                path: self.path().to_owned(),
            }
            .into());
        }
        let release = distro.and_then(distro_release);
        let covered = self.releases()?;
        let uncovered = |c: &Component| -> bool {
            is_os(c.ecosystem)
                && release.as_deref().is_none_or(|r| {
                    !covered.contains(&(
                        osv_ecosystem(c.ecosystem, distro).to_owned(),
                        norm_release(r),
                    ))
                })
        };
        let not_checked = not_covered(components, distro, release.as_deref(), &covered);
        let keys: Vec<_> = components.iter().map(|c| lookup_key(c, distro)).collect();
        let mut prepared: HashMap<(&'static str, &str), Vec<Candidate>> = HashMap::new();
        for ((ecosystem, key, _), _) in keys
            .iter()
            .zip(components)
            .filter(|(_, c)| !c.first_party && !uncovered(c))
        {
            if prepared.contains_key(&(*ecosystem, key.as_str())) {
                continue;
            }
            let candidates = self.prepare(ecosystem, key, release.as_deref(), options)?;
            prepared.insert((ecosystem, key), candidates);
        }
        // Sorted by ecosystem in vouch's order (the enum's), then name, version, id and purl.
        let mut matches: Vec<(Ecosystem, VulnMatch)> = components
            .par_iter()
            .zip(&keys)
            // First-party components (workspace members, path dependencies) are the project's
            // own code: an advisory for a registry package of the same name is not about them.
            .filter(|(c, _)| !c.first_party && !uncovered(c))
            .flat_map_iter(|(c, (ecosystem, key, version))| {
                let candidates = prepared
                    .get(&(*ecosystem, key.as_str()))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                merge(c, evaluate(candidates, version))
                    .into_iter()
                    .map(|m| (c.ecosystem, m))
            })
            .collect();
        matches.sort_by(|(ea, a), (eb, b)| {
            (
                ea,
                &a.component.name,
                &a.component.version,
                &a.id,
                &a.component.purl,
            )
                .cmp(&(
                    eb,
                    &b.component.name,
                    &b.component.version,
                    &b.id,
                    &b.component.purl,
                ))
        });
        let matches = matches.into_iter().map(|(_, m)| m).collect();
        let skipped = components
            .iter()
            .filter(|c| !c.first_party && uncovered(c))
            .count();
        Ok(MatchOutcome {
            matches,
            db_digest,
            components: components.len() - skipped,
            not_checked,
        })
    }

    /// The records naming one package, parsed, with their applicable entries prepared.
    fn prepare(
        &self,
        ecosystem: &str,
        key: &str,
        release: Option<&str>,
        options: &MatchOptions,
    ) -> Result<Vec<Candidate>, MatchError> {
        let mut out = Vec::new();
        for (advisory, informational) in self.candidates(ecosystem, key)? {
            if informational.is_some() && !options.informational {
                continue;
            }
            let entries: Vec<Entry> = advisory
                .affected
                .iter()
                .filter_map(|entry| {
                    let p = entry.package.as_ref()?;
                    let (base, entry_release) = split_ecosystem(&p.ecosystem);
                    if base != ecosystem
                        || index_name(base, &p.name) != key
                        || !release_matches(entry_release, release)
                    {
                        return None;
                    }
                    let ranges = to_ranges(entry);
                    Some(Entry {
                        scheme: Scheme::for_osv_ecosystem(&p.ecosystem),
                        ecosystem: p.ecosystem.clone(),
                        fixed_events: vosv::fixed_versions(&ranges),
                        ranges,
                        versions: entry.versions.clone(),
                        severity: advisory_severity(&advisory, entry),
                    })
                })
                .collect();
            if entries.is_empty() {
                continue;
            }
            out.push(Candidate {
                advisory: Arc::new(advisory),
                informational,
                entries,
            });
        }
        Ok(out)
    }
}

/// Places one version against the prepared records of its package.
fn evaluate(candidates: &[Candidate], version: &str) -> Vec<Hit> {
    let mut hits: Vec<Hit> = Vec::new();
    for candidate in candidates {
        let mut status: Option<MatchStatus> = None;
        let mut fixed = Vec::new();
        let mut matched_entry: Option<&Entry> = None;
        for entry in &candidate.entries {
            let verdict = match entry.scheme {
                Some(scheme) => vosv::evaluate(scheme, version, &entry.ranges, &entry.versions),
                None => vosv::Verdict::Unknown(format!(
                    "vouch has no version ordering for ecosystem {}",
                    entry.ecosystem
                )),
            };
            match verdict {
                vosv::Verdict::Affected => {
                    status = Some(MatchStatus::Affected);
                    for f in &entry.fixed_events {
                        // Only fixes above the installed version help; keep any we cannot order.
                        let below = entry
                            .scheme
                            .and_then(|s| vouch_version::compare(s, f, version).ok())
                            .is_some_and(|o| o != std::cmp::Ordering::Greater);
                        if !below && !fixed.contains(f) {
                            fixed.push(f.clone());
                        }
                    }
                    matched_entry = Some(entry);
                }
                vosv::Verdict::Unknown(why) => {
                    if status.is_none() {
                        status = Some(MatchStatus::CouldNotEvaluate(why));
                        matched_entry = Some(entry);
                    }
                }
                vosv::Verdict::NotAffected => {}
            }
        }
        let (Some(status), Some(entry)) = (status, matched_entry) else {
            continue;
        };
        let (mut severity, mut severity_source, ratings) = entry.severity.clone();
        if candidate.informational.is_some() {
            severity = Severity::Info;
            severity_source = "informational advisory".into();
        }
        hits.push(Hit {
            advisory: Arc::clone(&candidate.advisory),
            status,
            fixed,
            severity,
            severity_source,
            ratings,
            informational: candidate.informational.clone(),
        });
    }
    hits
}

fn merge(c: &Component, hits: Vec<Hit>) -> Vec<VulnMatch> {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, h) in hits.iter().enumerate() {
        let a = &h.advisory;
        for key in std::iter::once(&a.id).chain(&a.aliases).chain(&a.related) {
            match owner.get(key.as_str()) {
                Some(&j) => {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    if ri != rj {
                        parent[ri.max(rj)] = ri.min(rj);
                    }
                }
                None => {
                    owner.insert(key.as_str(), i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let evidence = c.evidence.first();
    let component = MatchedComponent {
        ecosystem: json_name(c.ecosystem),
        name: c.name.clone(),
        version: c.version.clone(),
        purl: c.purl.clone(),
        path: evidence.map(|e| e.path.clone()),
        line: evidence.and_then(|e| e.line),
    };
    let mut out = Vec::new();
    for members in groups.into_values() {
        let group: Vec<&Hit> = members.iter().filter_map(|&i| hits.get(i)).collect();
        let ids: BTreeSet<String> = group.iter().map(|h| h.advisory.id.clone()).collect();
        let aliases: BTreeSet<String> = group
            .iter()
            .flat_map(|h| h.advisory.aliases.iter().cloned())
            .filter(|a| !ids.contains(a))
            .collect();
        let primary = ids
            .iter()
            .find(|id| !id.starts_with("CVE-"))
            .or_else(|| ids.iter().next())
            .cloned()
            .unwrap_or_default();
        let Some(lead) = group
            .iter()
            .find(|h| h.advisory.id == primary)
            .or(group.first())
        else {
            continue;
        };
        let affected: Vec<&&Hit> = group
            .iter()
            .filter(|h| h.status == MatchStatus::Affected)
            .collect();
        let status = if affected.is_empty() {
            lead.status.clone()
        } else {
            MatchStatus::Affected
        };
        let counted: Vec<&Hit> = if affected.is_empty() {
            group.clone()
        } else {
            affected.into_iter().copied().collect()
        };
        let top = counted
            .iter()
            .max_by_key(|h| h.severity)
            .copied()
            .unwrap_or(lead);
        let malicious = counted.iter().find(|h| h.advisory.is_malicious());
        let kind = if malicious.is_some() {
            MatchKind::Malicious
        } else {
            MatchKind::Vulnerability
        };
        let (severity, severity_source) = match malicious {
            Some(h) => (
                Severity::Critical,
                format!("malicious-package record {}", h.advisory.id),
            ),
            None => (top.severity, top.severity_source.clone()),
        };
        let mut fixed: Vec<String> = Vec::new();
        for h in &counted {
            for f in &h.fixed {
                if !fixed.contains(f) {
                    fixed.push(f.clone());
                }
            }
        }
        let ratings: Vec<Rating> = group
            .iter()
            .flat_map(|h| h.ratings.iter().cloned())
            .collect();
        let mut references: Vec<String> = Vec::new();
        for h in &group {
            for r in &h.advisory.references {
                if matches!(r.kind.as_str(), "ADVISORY" | "WEB") && !references.contains(&r.url) {
                    references.push(r.url.clone());
                }
            }
        }
        let summary = lead
            .advisory
            .summary
            .clone()
            .or_else(|| group.iter().find_map(|h| h.advisory.summary.clone()));
        let others: Vec<&String> = ids
            .iter()
            .filter(|i| **i != primary)
            .chain(aliases.iter())
            .collect();
        let also = if others.is_empty() {
            String::new()
        } else {
            format!(
                " (also {})",
                others
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let message = match (&status, kind) {
            (MatchStatus::Affected, MatchKind::Malicious) => format!(
                "{} {} is a malicious package: {}{}{}",
                c.name,
                c.version,
                primary,
                also,
                summary
                    .as_deref()
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default()
            ),
            (MatchStatus::Affected, MatchKind::Vulnerability) => format!(
                "{} {} is affected by {}{}{}",
                c.name,
                c.version,
                primary,
                also,
                summary
                    .as_deref()
                    .map(|s| format!(": {s}"))
                    .unwrap_or_default()
            ),
            (MatchStatus::CouldNotEvaluate(why), _) => {
                format!(
                    "could not evaluate {} {} against {}{}{}: {}",
                    c.name,
                    c.version,
                    if kind == MatchKind::Malicious {
                        "malicious-package record "
                    } else {
                        ""
                    },
                    primary,
                    also,
                    why
                )
            }
        };
        let rule_id = match kind {
            MatchKind::Malicious => MALICIOUS_RULE.to_owned(),
            MatchKind::Vulnerability => primary.clone(),
        };
        let mut finding = Finding::new(rule_id, severity, message);
        if let Some(e) = evidence {
            let mut loc = Location::new(&e.path);
            if let Some(l) = e.line {
                loc = loc.line(l);
            }
            finding = finding.at(loc);
        }
        if kind == MatchKind::Malicious {
            // A hijacked release (`introduced 1.95.6, fixed 1.95.8`) has a clean version to move
            // to; a package published to do harm has none.
            let action = if fixed.is_empty() {
                format!("remove {} {}", c.name, c.version)
            } else {
                format!("upgrade {} to {}", c.name, fixed.join(" or "))
            };
            finding = finding.remediation(format!(
                "{action}; treat machines that installed {} {} as compromised and rotate the credentials they held",
                c.name, c.version
            ));
        } else if !fixed.is_empty() {
            finding = finding.remediation(format!("upgrade {} to {}", c.name, fixed.join(" or ")));
        }
        let fp = vouch_digest::Digest::sha256(format!("{}\0{}", primary, c.purl).as_bytes()).hex();
        finding = finding
            .fingerprint(fp.get(..32).unwrap_or(&fp))
            .property("advisory_ids", json!(ids))
            .property("aliases", json!(aliases))
            .property("package", json!(c.name))
            .property("version", json!(c.version))
            .property("ecosystem", json!(c.ecosystem.as_str()))
            .property("purl", json!(c.purl))
            .property("fixed_versions", json!(fixed))
            .property(
                "status",
                json!(match &status {
                    MatchStatus::Affected => "affected",
                    MatchStatus::CouldNotEvaluate(_) => "could-not-evaluate",
                }),
            )
            .property("severity_source", json!(severity_source));
        if kind == MatchKind::Malicious {
            finding = finding
                .property("kind", json!(kind.as_str()))
                .property("advisory_id", json!(primary));
        }
        if let Some(kind) = &lead.informational {
            finding = finding.property("informational", json!(kind));
        }
        out.push(VulnMatch {
            component: component.clone(),
            kind,
            id: primary,
            ids: ids.into_iter().collect(),
            aliases: aliases.into_iter().collect(),
            summary,
            details: lead.advisory.details.clone(),
            severity,
            severity_source,
            ratings,
            fixed,
            status,
            informational: lead.informational.clone(),
            published: lead.advisory.published.clone(),
            modified: lead.advisory.modified.clone(),
            references,
            finding,
        });
    }
    out
}
