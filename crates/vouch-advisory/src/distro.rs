//! Distribution (OS) advisory feeds, converted to OSV records at import:
//!
//! - the Debian Security Tracker JSON (`https://security-tracker.debian.org/tracker/data/json`:
//!   source package → CVE → `releases` → codename → `status`, `fixed_version`, `urgency`), one
//!   record `DEBIAN-<CVE>` per CVE with one `affected` entry per source package and release;
//! - Alpine's secdb (`https://secdb.alpinelinux.org/v3.19/main.json`, and the YAML of the older
//!   alpine-secdb repository): `distroversion` and `packages[].pkg.{name, secfixes}`, one record
//!   `ALPINE-<ID>` per advisory id of the file.
//!
//! OSV distro records (`Debian:12`, `Alpine:v3.19`; DSA-, DLA-, DEBIAN-CVE-, ALPINE-CVE- ids) need
//! no conversion and go through [`crate::osv`].
//!
//! The feeds carry no dates: converted records have `modified` = [`FEED_MODIFIED`], and carry
//! `database_specific.vouch_feed` (the feed and the (ecosystem, package) pairs the document is
//! authoritative for). The database merges such a record into a stored converted record of the
//! same id instead of replacing it ([`merge`]): the entries for the pairs the new document covers
//! are replaced, the others kept. So `v3.18/main.json` and `v3.19/main.json` both add to
//! `ALPINE-CVE-2022-37434`, and importing a newer tracker file replaces what an older one said
//! about the same packages. A dated OSV record of the same id always wins over a converted one.
//!
//! Which version means what:
//!
//! | feed | entry | OSV range |
//! | --- | --- | --- |
//! | tracker | `resolved`, `fixed_version: "0"` | none: never affected |
//! | tracker | `resolved`, `fixed_version: V` | `introduced 0`, `fixed V` |
//! | tracker | `open` or `undetermined` | `introduced 0`: affected at every version, no fix |
//! | secdb | `"V": [ids]` | `introduced 0`, `fixed V` for each id |
//! | secdb | `"0": [ids]` | none: never affected |
//!
//! Severity: the tracker's `urgency` (`**` stripped) becomes `ecosystem_specific.severity`:
//! `unimportant` → `info`, `low` → `low`, `medium` → `medium`, `high` → `high`; anything else
//! (`not yet assigned`, `end-of-life`) leaves the record unrated (`medium`, severity source
//! `unrated`). secdb has no severity.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::osv::{Record, RecordError};

/// `modified` of a record converted from a feed that carries no dates.
pub const FEED_MODIFIED: &str = "1970-01-01T00:00:00Z";

/// The key under `database_specific` that marks a converted record.
pub const FEED_KEY: &str = "vouch_feed";

/// Debian's release codenames and the OSV release (`Debian:<n>`) each one is. `sid` (unstable)
/// has no number and stays `sid`. The tracker's other names (`experimental`) are not releases.
pub const DEBIAN_RELEASES: &[(&str, &str)] = &[
    ("hamm", "2.0"),
    ("slink", "2.1"),
    ("potato", "2.2"),
    ("woody", "3.0"),
    ("sarge", "3.1"),
    ("etch", "4"),
    ("lenny", "5"),
    ("squeeze", "6"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
    ("sid", "sid"),
    ("unstable", "sid"),
];

/// The OSV release of a Debian codename: `bookworm` → `12`, `sid`/`unstable` → `sid`.
pub fn debian_release(codename: &str) -> Option<&'static str> {
    let c = codename.trim().to_ascii_lowercase();
    DEBIAN_RELEASES
        .iter()
        .find(|(name, _)| *name == c)
        .map(|(_, n)| *n)
}

/// What one feed document became: the records, and the parts that could not be converted
/// (each names where in the document and why; the rest still imports).
#[derive(Debug, Default)]
pub struct Converted {
    pub records: Vec<Record>,
    pub problems: Vec<RecordError>,
}

/// Which advisory document a JSON or YAML file holds, told by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Osv,
    AlpineSecdb,
    DebianTracker,
}

/// The keys that tell the documents apart; everything else is skipped unread.
#[derive(Deserialize)]
struct Probe {
    id: Option<serde::de::IgnoredAny>,
    modified: Option<serde::de::IgnoredAny>,
    affected: Option<serde::de::IgnoredAny>,
    schema_version: Option<serde::de::IgnoredAny>,
    distroversion: Option<serde::de::IgnoredAny>,
}

/// Tells an OSV record, an Alpine secdb document and a Debian Security Tracker document apart
/// by their top-level keys (an object without OSV's or secdb's keys is read as the tracker's
/// package map). `Err` for bytes that are not a JSON object.
pub fn sniff_json(bytes: &[u8]) -> Result<Kind, RecordError> {
    let probe: Probe = serde_json::from_slice(bytes).map_err(json_error)?;
    Ok(
        if probe.id.is_some()
            || probe.modified.is_some()
            || probe.affected.is_some()
            || probe.schema_version.is_some()
        {
            Kind::Osv
        } else if probe.distroversion.is_some() {
            Kind::AlpineSecdb
        } else {
            Kind::DebianTracker
        },
    )
}

pub(crate) fn json_error(e: serde_json::Error) -> RecordError {
    let msg = e.to_string();
    if e.classify() == serde_json::error::Category::Data && msg.contains("expected struct Probe") {
        return RecordError::Shape("the document is not a JSON object".into());
    }
    RecordError::Json {
        line: e.line(),
        column: e.column(),
        message: msg.split(" at line ").next().unwrap_or(&msg).to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Debian Security Tracker

#[derive(Deserialize)]
struct TrackerCve {
    #[serde(default)]
    description: Option<String>,
    #[serde(deserialize_with = "map_or_empty_list")]
    releases: BTreeMap<String, TrackerRelease>,
}

/// The tracker writes an empty `releases` as `[]` (seen in the real data: `chromium-browser`).
fn map_or_empty_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, TrackerRelease>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Map(BTreeMap<String, TrackerRelease>),
        List(Vec<serde::de::IgnoredAny>),
    }
    match Either::deserialize(d)? {
        Either::Map(m) => Ok(m),
        Either::List(l) if l.is_empty() => Ok(BTreeMap::new()),
        Either::List(_) => Err(serde::de::Error::custom(
            "`releases` is a non-empty list; expected a map of release codenames",
        )),
    }
}

#[derive(Deserialize)]
struct TrackerRelease {
    status: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
}

/// A CVE entry that did not have the tracker's shape, kept as the reason so the rest of the
/// document still imports.
enum Lenient<T> {
    Ok(T),
    Bad(String),
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(match serde_json::from_value(v) {
            Ok(t) => Lenient::Ok(t),
            Err(e) => Lenient::Bad(
                e.to_string()
                    .replace("struct TrackerCve", "an object with `releases`")
                    .replace("struct TrackerRelease", "an object with `status`"),
            ),
        })
    }
}

/// The tracker's urgency as a vouch severity name, when it is one.
fn urgency_severity(urgency: &str) -> Option<&'static str> {
    match urgency.trim_end_matches('*').trim() {
        "unimportant" => Some("info"),
        "low" => Some("low"),
        "medium" => Some("medium"),
        "high" => Some("high"),
        _ => None,
    }
}

/// Converts a Debian Security Tracker JSON document (see the module docs): its records, made as
/// they are taken, then the problems found.
pub fn debian_tracker(bytes: &[u8]) -> Result<Tracker, RecordError> {
    let doc: BTreeMap<String, BTreeMap<String, Lenient<TrackerCve>>> =
        serde_json::from_slice(bytes).map_err(|e| {
            let mut err = json_error(e);
            if let RecordError::Json { message, .. } = &mut err {
                *message = format!("not a Debian Security Tracker document ({message})");
            }
            err
        })?;
    if doc.is_empty() {
        return Err(RecordError::Shape(
            "the document is empty: neither an OSV record (no `id`), an Alpine secdb document \
             (no `distroversion`) nor a Debian Security Tracker package map"
                .into(),
        ));
    }
    let mut out = Converted::default();
    let mut cves: BTreeMap<String, (Option<String>, Vec<Entry>)> = BTreeMap::new();
    let mut unknown_codenames: BTreeSet<String> = BTreeSet::new();
    for (package, entries) in doc {
        for (cve, entry) in entries {
            let at = format!("{package} {cve}");
            let entry = match entry {
                Lenient::Ok(e) => e,
                Lenient::Bad(why) => {
                    out.problems.push(RecordError::Invalid { at, what: why });
                    continue;
                }
            };
            let slot = cves
                .entry(cve.clone())
                .or_insert_with(|| (entry.description.clone(), Vec::new()));
            for (codename, r) in entry.releases {
                let Some(release) = debian_release(&codename) else {
                    unknown_codenames.insert(codename);
                    continue;
                };
                let fixed = r.fixed_version.filter(|v| !v.trim().is_empty());
                match r.status.as_str() {
                    "resolved" if fixed.is_none() => {
                        out.problems.push(RecordError::Invalid {
                            at: format!("{at} {codename}"),
                            what: "status `resolved` without a `fixed_version`".into(),
                        });
                        continue;
                    }
                    "resolved" | "open" | "undetermined" => {}
                    other => {
                        out.problems.push(RecordError::Invalid {
                            at: format!("{at} {codename}"),
                            what: format!(
                                "unknown status `{other}`; expected resolved, open or undetermined"
                            ),
                        });
                        continue;
                    }
                }
                slot.1.push(Entry {
                    package: package.clone(),
                    release,
                    status: r.status,
                    fixed,
                    urgency: r.urgency,
                });
            }
        }
    }
    if !unknown_codenames.is_empty() {
        out.problems.push(RecordError::Invalid {
            at: "releases".into(),
            what: format!(
                "unknown Debian codename(s) {}; their lines were not imported",
                unknown_codenames
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(Tracker {
        cves: cves.into_iter(),
        problems: out.problems.into_iter(),
    })
}

/// One release line of a CVE, as the tracker gave it.
struct Entry {
    package: String,
    release: &'static str,
    status: String,
    fixed: Option<String>,
    urgency: Option<String>,
}

/// The records of a tracker document, built one at a time as they are taken (a whole tracker
/// file is some 50,000 CVEs: only its compact per-CVE lines are held, never every record), then
/// the problems found while reading it.
pub struct Tracker {
    cves: std::collections::btree_map::IntoIter<String, (Option<String>, Vec<Entry>)>,
    problems: std::vec::IntoIter<RecordError>,
}

impl Iterator for Tracker {
    type Item = Result<Record, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.cves.next() {
            Some((cve, (description, entries))) => Some(tracker_record(cve, description, entries)),
            None => self.problems.next().map(Err),
        }
    }
}

fn tracker_record(
    cve: String,
    description: Option<String>,
    entries: Vec<Entry>,
) -> Result<Record, RecordError> {
    let mut affected = Vec::new();
    let mut covers = BTreeSet::new();
    for e in entries {
        let ecosystem = format!("Debian:{}", e.release);
        covers.insert((ecosystem.clone(), e.package.clone()));
        let events = match (e.status.as_str(), e.fixed.as_deref()) {
            // Never affected in this release.
            ("resolved", Some("0")) => continue,
            ("resolved", Some(v)) => json!([{"introduced": "0"}, {"fixed": v}]),
            _ => json!([{"introduced": "0"}]),
        };
        let mut specific = serde_json::Map::new();
        specific.insert("status".into(), json!(e.status));
        if let Some(u) = &e.urgency {
            specific.insert("urgency".into(), json!(u));
            if let Some(s) = urgency_severity(u) {
                specific.insert("severity".into(), json!(s));
            }
        }
        affected.push(json!({
            "package": {"ecosystem": ecosystem, "name": e.package},
            "ranges": [{"type": "ECOSYSTEM", "events": events}],
            "ecosystem_specific": specific,
        }));
    }
    let aliases: Vec<&str> = if cve.starts_with("CVE-") {
        vec![cve.as_str()]
    } else {
        vec![]
    };
    let mut record = json!({
        "id": format!("DEBIAN-{cve}"),
        "modified": FEED_MODIFIED,
        "aliases": aliases,
        "affected": affected,
        "references": [{"type": "ADVISORY",
            "url": format!("https://security-tracker.debian.org/tracker/{cve}")}],
        "database_specific": {FEED_KEY: feed_marker("debian-security-tracker", &covers)},
    });
    if let (Some(d), Some(o)) = (description, record.as_object_mut()) {
        o.insert("details".into(), json!(d));
    }
    Record::from_value(record).map_err(|e| RecordError::Invalid {
        at: cve,
        what: e.to_string(),
    })
}

fn feed_marker(feed: &str, covers: &BTreeSet<(String, String)>) -> Value {
    json!({
        "feed": feed,
        "covers": covers.iter().map(|(e, n)| json!([e, n])).collect::<Vec<_>>(),
    })
}

// ---------------------------------------------------------------------------------------------
// Alpine secdb

#[derive(Deserialize)]
struct Secdb {
    distroversion: Value,
    #[serde(default)]
    packages: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct SecdbPackage {
    pkg: SecdbPkg,
}

#[derive(Deserialize)]
struct SecdbPkg {
    name: String,
    #[serde(default)]
    secfixes: Option<BTreeMap<String, Option<Vec<Value>>>>,
}

/// Converts an Alpine secdb document, JSON or YAML already read as a value (see the module docs).
pub fn alpine_secdb(doc: Value) -> Result<Converted, RecordError> {
    let secdb: Secdb = serde_json::from_value(doc)
        .map_err(|e| RecordError::Shape(format!("not an Alpine secdb document: {e}")))?;
    let release = match &secdb.distroversion {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        other => {
            return Err(RecordError::Invalid {
                at: "distroversion".into(),
                what: format!("expected a release such as `v3.19`, found {other}"),
            });
        }
    };
    let valid_release = release
        .strip_prefix('v')
        .unwrap_or(&release)
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        || release == "edge";
    if !valid_release {
        return Err(RecordError::Invalid {
            at: "distroversion".into(),
            what: format!("`{release}` is not an Alpine release such as `v3.19` or `edge`"),
        });
    }
    let release = if release.starts_with('v') || release == "edge" {
        release
    } else {
        format!("v{release}")
    };
    let ecosystem = format!("Alpine:{release}");
    let mut out = Converted::default();
    // id → its affected entries, and the packages of the document that name it (what the
    // document is authoritative for about that id).
    type Pairs = BTreeSet<(String, String)>;
    let mut ids: BTreeMap<String, (Vec<Value>, Pairs)> = BTreeMap::new();
    for (i, p) in secdb.packages.unwrap_or_default().into_iter().enumerate() {
        let at = format!("packages[{i}]");
        let p: SecdbPackage = match serde_json::from_value(p) {
            Ok(p) => p,
            Err(e) => {
                out.problems.push(RecordError::Invalid {
                    at,
                    what: format!("expected `pkg: {{name, secfixes}}`: {e}"),
                });
                continue;
            }
        };
        let name = p.pkg.name.trim().to_owned();
        if name.is_empty() {
            out.problems.push(RecordError::Invalid {
                at,
                what: "empty package name".into(),
            });
            continue;
        }
        for (fixed, list) in p.pkg.secfixes.unwrap_or_default() {
            let fixed = fixed.trim().to_owned();
            for v in list.unwrap_or_default() {
                let text = match v {
                    Value::String(s) => s,
                    other => {
                        out.problems.push(RecordError::Invalid {
                            at: format!("{at} ({name}) secfixes `{fixed}`"),
                            what: format!("expected an advisory id, found {other}"),
                        });
                        continue;
                    }
                };
                // Some lines carry two ids in one string (`CVE-2017-2887 TALOS-2017-0394`).
                for id in text.split_whitespace() {
                    let slot = ids.entry(id.to_owned()).or_default();
                    slot.1.insert((ecosystem.clone(), name.clone()));
                    if fixed == "0" {
                        // Never affected; still recorded so a newer file can say so.
                        continue;
                    }
                    slot.0.push(json!({
                        "package": {"ecosystem": ecosystem, "name": name},
                        "ranges": [{"type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": fixed}]}],
                    }));
                }
            }
        }
    }
    for (id, (affected, covers)) in ids {
        let aliases: Vec<&str> = if id.starts_with("CVE-") {
            vec![id.as_str()]
        } else {
            vec![]
        };
        let record = json!({
            "id": format!("ALPINE-{id}"),
            "modified": FEED_MODIFIED,
            "aliases": aliases,
            "affected": affected,
            "database_specific": {FEED_KEY: feed_marker("alpine-secdb", &covers)},
        });
        match Record::from_value(record) {
            Ok(r) => out.records.push(r),
            Err(e) => out.problems.push(RecordError::Invalid {
                at: format!("advisory `{}`", id.chars().take(80).collect::<String>()),
                what: e.to_string(),
            }),
        }
    }
    Ok(out)
}

/// Whether a parsed YAML or JSON value is an Alpine secdb document.
pub fn is_alpine_secdb(doc: &Value) -> bool {
    doc.get("distroversion").is_some() && doc.get("id").is_none()
}

// ---------------------------------------------------------------------------------------------
// Merging converted records

/// The (ecosystem, package) pairs a converted record's document was authoritative for, or
/// `None` for a record that was not converted from a feed.
pub fn covers(json: &Value) -> Option<BTreeSet<(String, String)>> {
    let list = json
        .get("database_specific")?
        .get(FEED_KEY)?
        .get("covers")?
        .as_array()?;
    Some(
        list.iter()
            .filter_map(|p| {
                Some((
                    p.get(0)?.as_str()?.to_owned(),
                    p.get(1)?.as_str()?.to_owned(),
                ))
            })
            .collect(),
    )
}

/// Merges a newly converted record into the stored converted record of the same id: the stored
/// `affected` entries for the pairs the new document covers are replaced by the new ones, the
/// others kept; aliases and covered pairs are unioned. `None` when either record was not
/// converted from a feed (the ordinary replace rules apply then).
pub fn merge(stored: &Value, new: &Value) -> Option<Value> {
    let old_covers = covers(stored)?;
    let new_covers = covers(new)?;
    let key = |a: &Value| -> Option<(String, String)> {
        let p = a.get("package")?;
        Some((
            p.get("ecosystem")?.as_str()?.to_owned(),
            p.get("name")?.as_str()?.to_owned(),
        ))
    };
    let mut merged = new.clone();
    let mut affected: Vec<Value> = stored
        .get("affected")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|a| key(a).is_none_or(|k| !new_covers.contains(&k)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    affected.extend(
        new.get("affected")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    );
    let mut aliases: BTreeSet<String> = BTreeSet::new();
    for doc in [stored, new] {
        for a in doc
            .get("aliases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(s) = a.as_str() {
                aliases.insert(s.to_owned());
            }
        }
    }
    let all: BTreeSet<(String, String)> = old_covers.union(&new_covers).cloned().collect();
    let feed = new
        .get("database_specific")
        .and_then(|d| d.get(FEED_KEY))
        .and_then(|f| f.get("feed"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if merged.get("details").is_none()
        && let (Some(d), Some(o)) = (stored.get("details").cloned(), merged.as_object_mut())
    {
        o.insert("details".into(), d);
    }
    if let Some(o) = merged.as_object_mut() {
        o.insert("affected".into(), Value::Array(affected));
        o.insert("aliases".into(), json!(aliases));
        o.insert(
            "database_specific".into(),
            json!({FEED_KEY: feed_marker(&feed, &all)}),
        );
    }
    Some(merged)
}
