//! Updating pins: each pinned reference moves to the newest release within its major (or any
//! major with [`UpdateOptions::major`]), skipping releases younger than the cooldown, and
//! refusing non-major updates that break the action's or component's interface. Candidates are
//! tried newest first: a refused release does not stop the search, so the pin moves to the newest
//! release that is still compatible, and the refused newer ones are reported with their breaks.

use vouch_digest::Digest;
use vouch_oci::reference::Name;

use crate::cache::CachedResolver as Resolver;

use crate::interface::{self, Break, Interface};
use crate::pin::{PinError, RefError, find_ref, image_name, repo_url, tag_names};
use crate::reference::{GitKind, GitTarget, Reference, Target, is_commit};
use crate::rewrite::{self, Change, Edit};
use crate::version::{self, TagVersion};
use crate::walk::SourceFile;

/// How to update.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Allow moving to a newer major version.
    pub major: bool,
    /// Skip releases younger than this.
    pub min_age: Option<jiff::SignedDuration>,
    /// Apply non-major updates even when their interface breaks.
    pub allow_breaking: bool,
    /// The time the cooldown is measured from (the caller reads the clock).
    pub now: jiff::Timestamp,
}

/// A newer release that the interface check refused (a breaking change within the major).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The release's version (tag).
    pub version: String,
    /// Why: every interface break from the pinned version to this one.
    pub breaks: Vec<Break>,
}

/// What happened to one pinned reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Moved from one version to another.
    Updated {
        name: String,
        from: String,
        to: String,
        /// Breaking changes accepted (with `--major` across majors, or `--allow-breaking`).
        breaks: Vec<Break>,
        /// Newer releases than `to` that were refused, newest first: `to` is the newest
        /// compatible one. Empty when `to` is the newest candidate.
        refused: Vec<Refusal>,
    },
    /// Newer releases exist, but each one old enough for the cooldown breaks the interface
    /// within the same major. Newest first; never empty.
    Refused {
        name: String,
        from: String,
        refused: Vec<Refusal>,
    },
    /// Newer releases exist but all are younger than the cooldown.
    Cooldown {
        name: String,
        from: String,
        newest: String,
    },
}

/// The result for one file.
#[derive(Debug, Default)]
pub struct FileUpdate {
    pub text: String,
    /// (line, outcome) in file order.
    pub outcomes: Vec<(u32, Outcome)>,
}

/// Plan and apply updates to `file`. Any resolution failure fails the whole file.
pub fn update_file(
    resolver: &Resolver,
    file: &SourceFile,
    options: &UpdateOptions,
) -> Result<FileUpdate, RefError> {
    let mut edits: Vec<Edit> = Vec::new();
    let mut out = FileUpdate::default();
    for r in &file.references {
        if !r.is_pinned() {
            continue;
        }
        let planned = match &r.target {
            Target::Image(_) => plan_image(resolver, r, options),
            Target::Git(git) => plan_git(resolver, file, r, git, options),
            Target::Unpinnable(_) | Target::Download(_) => Ok(None),
        }
        .map_err(|e| RefError::new(file, r, e))?;
        let Some((outcome, change)) = planned else {
            continue;
        };
        if let Some(change) = change {
            edits.extend(
                rewrite::edits(&file.text, r, &change).map_err(|e| RefError::new(file, r, e))?,
            );
        }
        out.outcomes.push((r.line, outcome));
    }
    out.text = rewrite::apply(&file.text, &edits).map_err(|e| RefError::whole_file(file, e))?;
    Ok(out)
}

type ParseFn = fn(&[u8]) -> Result<Interface, interface::InterfaceError>;

type Planned = Option<(Outcome, Option<Change>)>;

fn old_enough(options: &UpdateOptions, released: Option<jiff::Timestamp>) -> bool {
    match (options.min_age, released) {
        (None, _) => true,
        // Unknown release time: the cooldown cannot be shown to have passed.
        (Some(_), None) => false,
        (Some(min), Some(t)) => options.now.duration_since(t) >= min,
    }
}

/// The image's `created` time, asked for only when a cooldown needs it.
fn image_released(
    resolver: &Resolver,
    name: &Name,
    digest: &Digest,
    options: &UpdateOptions,
) -> Result<Option<jiff::Timestamp>, PinError> {
    if options.min_age.is_none() {
        return Ok(None);
    }
    Ok(resolver.image_created(name, &digest.to_string())?)
}

fn plan_image(
    resolver: &Resolver,
    r: &Reference,
    options: &UpdateOptions,
) -> Result<Planned, PinError> {
    let Target::Image(image) = &r.target else {
        return Ok(None);
    };
    let Some(current) = image.tag() else {
        return Ok(None);
    };
    if image.uses_arguments {
        return Ok(None);
    }
    let name = image_name(image.name())?;
    if TagVersion::parse(current).is_some() {
        let tags = resolver.image_tags(&name)?;
        let candidates = version::candidates(current, &tags, options.major);
        if let Some(newest) = candidates.first() {
            for cand in &candidates {
                let digest = resolver.image_digest(&name, cand)?;
                let released = image_released(resolver, &name, &digest, options)?;
                if !old_enough(options, released) {
                    continue;
                }
                return Ok(Some((
                    Outcome::Updated {
                        name: r.name(),
                        from: current.to_owned(),
                        to: (*cand).to_owned(),
                        breaks: Vec::new(),
                        refused: Vec::new(),
                    },
                    Some(Change::Image {
                        tag: Some((*cand).to_owned()),
                        digest,
                    }),
                )));
            }
            return Ok(Some((
                Outcome::Cooldown {
                    name: r.name(),
                    from: current.to_owned(),
                    newest: (*newest).to_owned(),
                },
                None,
            )));
        }
    }
    refresh_digest(resolver, r, image, &name, current, options)
}

/// No newer release (or a tag that is not a version, like `bookworm-slim`): the pin follows its
/// own tag when the tag now names another image (a rebuild with security fixes), as Renovate's
/// digest updates do. The new digest is the tag's as resolved now, so a pin to one platform's
/// manifest becomes the index digest. The cooldown applies to the new image's `created` time.
fn refresh_digest(
    resolver: &Resolver,
    r: &Reference,
    image: &crate::reference::ImageTarget,
    name: &Name,
    tag: &str,
    options: &UpdateOptions,
) -> Result<Planned, PinError> {
    let Some(pinned) = image.digest_text() else {
        return Ok(None);
    };
    let digest = resolver.image_digest(name, tag)?;
    if image.digest().as_ref() == Some(&digest) {
        return Ok(None);
    }
    let short = |d: &str| {
        let (algorithm, hex) = d.split_once(':').unwrap_or(("sha256", d));
        format!("{tag}@{algorithm}:{}", hex.get(..12).unwrap_or(hex))
    };
    let released = image_released(resolver, name, &digest, options)?;
    if !old_enough(options, released) {
        return Ok(Some((
            Outcome::Cooldown {
                name: r.name(),
                from: short(pinned),
                newest: short(&digest.to_string()),
            },
            None,
        )));
    }
    Ok(Some((
        Outcome::Updated {
            name: r.name(),
            from: short(pinned),
            to: short(&digest.to_string()),
            breaks: Vec::new(),
            refused: Vec::new(),
        },
        Some(Change::Image {
            tag: Some(tag.to_owned()),
            digest,
        }),
    )))
}

fn plan_git(
    resolver: &Resolver,
    file: &SourceFile,
    r: &Reference,
    git: &GitTarget,
    options: &UpdateOptions,
) -> Result<Planned, PinError> {
    if !is_commit(&git.reference) {
        return Ok(None);
    }
    let Some(current) = r.version(&file.text) else {
        return Ok(None);
    };
    let Some(cur) = TagVersion::parse(&current) else {
        return Ok(None);
    };
    let url = repo_url(resolver, &git.repo);
    let refs = resolver.git_refs(&url)?;
    let tags = tag_names(&refs);
    let candidates = version::candidates(&current, &tags, options.major);
    let Some(newest) = candidates.first() else {
        return Ok(None);
    };
    let mut refused: Vec<Refusal> = Vec::new();
    for cand in &candidates {
        let Some(found) = find_ref(&refs, cand) else {
            continue;
        };
        let released = if options.min_age.is_some() {
            Some(resolver.git_commit_time(&url, &found.commit)?)
        } else {
            None
        };
        if !old_enough(options, released) {
            continue;
        }
        let breaks = breaking_changes(resolver, &url, git, &git.reference, &found.commit)?;
        let crosses_major = TagVersion::parse(cand).is_some_and(|v| v.major() != cur.major());
        let name = r.name();
        if !breaks.is_empty() && !crosses_major && !options.allow_breaking {
            // Refused; an older release of the same major may still be compatible.
            refused.push(Refusal {
                version: (*cand).to_owned(),
                breaks,
            });
            continue;
        }
        return Ok(Some((
            Outcome::Updated {
                name,
                from: current,
                to: (*cand).to_owned(),
                breaks,
                refused,
            },
            Some(Change::Git {
                commit: found.commit.clone(),
                version: (*cand).to_owned(),
            }),
        )));
    }
    if !refused.is_empty() {
        return Ok(Some((
            Outcome::Refused {
                name: r.name(),
                from: current,
                refused,
            },
            None,
        )));
    }
    Ok(Some((
        Outcome::Cooldown {
            name: r.name(),
            from: current,
            newest: (*newest).to_owned(),
        },
        None,
    )))
}

/// Interface breaks between two commits of an action or component; empty for kinds without an
/// interface (includes, pre-commit hooks).
fn breaking_changes(
    resolver: &Resolver,
    url: &str,
    git: &GitTarget,
    old: &str,
    new: &str,
) -> Result<Vec<Break>, PinError> {
    let (candidates, parse): (Vec<String>, ParseFn) = match git.kind {
        GitKind::Action => {
            if let Some(p) = git
                .path
                .as_deref()
                .filter(|p| p.contains(".github/workflows/"))
            {
                // A reusable workflow: its `on.workflow_call` interface.
                (vec![p.to_owned()], interface::workflow as ParseFn)
            } else {
                let dir = git
                    .path
                    .as_deref()
                    .map_or(String::new(), |p| format!("{p}/"));
                (
                    vec![format!("{dir}action.yml"), format!("{dir}action.yaml")],
                    interface::action as ParseFn,
                )
            }
        }
        GitKind::Component => {
            let name = git.path.clone().unwrap_or_default();
            (
                vec![
                    format!("templates/{name}.yml"),
                    format!("templates/{name}/template.yml"),
                ],
                interface::component,
            )
        }
        GitKind::Include | GitKind::PreCommit => return Ok(Vec::new()),
    };
    let read = |commit: &str| -> Result<Option<Interface>, PinError> {
        for path in &candidates {
            if let Some(bytes) = resolver.git_file(url, commit, path)? {
                return parse(&bytes).map(Some).map_err(|e| PinError::Interface {
                    what: format!("{url} {path}"),
                    commit: commit.to_owned(),
                    reason: e.to_string(),
                });
            }
        }
        Ok(None)
    };
    match (read(old)?, read(new)?) {
        (Some(a), Some(b)) => Ok(interface::breaking(&a, &b)),
        (Some(_), None) => Err(PinError::Interface {
            what: format!("{url} ({})", candidates.join(" or ")),
            commit: new.to_owned(),
            reason: "the file is missing in the new version".into(),
        }),
        _ => Ok(Vec::new()),
    }
}

/// Parse a `--min-age` duration: friendly (`7d`, `36h`, `2w`, `1d 12h`) or ISO 8601 (`P7D`).
/// Days are 24 hours and weeks 7 days.
pub fn parse_min_age(s: &str) -> Result<jiff::SignedDuration, String> {
    let span: jiff::Span = s
        .trim()
        .parse()
        .map_err(|e| format!("`{s}` is not a duration (try `7d` or `36h`): {e}"))?;
    if span.get_years() != 0 || span.get_months() != 0 {
        return Err(format!(
            "`{s}`: years and months have no fixed length; use days or weeks"
        ));
    }
    let d = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|e| format!("`{s}` is not a usable duration: {e}"))?;
    if d.is_negative() {
        return Err(format!("`{s}` is negative"));
    }
    Ok(d)
}

/// The `vouch update` summary: `Updated the following pins:` and one tab-indented
/// `name old → new` line per update, in the order given, without repeats. Empty when nothing
/// moved.
pub fn summary(outcomes: &[Outcome]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for o in outcomes {
        if let Outcome::Updated { name, from, to, .. } = o {
            // The same pin in several places is one line.
            let line = format!("\t{name} {from} → {to}\n");
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    format!("Updated the following pins:\n{}", lines.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_format() {
        let o = vec![
            Outcome::Updated {
                name: "actions/checkout".into(),
                from: "v4.1.1".into(),
                to: "v4.2.0".into(),
                breaks: vec![],
                refused: vec![],
            },
            Outcome::Refused {
                name: "a/b".into(),
                from: "v1.0.0".into(),
                refused: vec![Refusal {
                    version: "v1.1.0".into(),
                    breaks: vec![Break::RemovedInput("x".into())],
                }],
            },
            Outcome::Updated {
                name: "python".into(),
                from: "3.12.1-slim".into(),
                to: "3.12.4-slim".into(),
                breaks: vec![],
                refused: vec![],
            },
        ];
        assert_eq!(
            summary(&o),
            "Updated the following pins:\n\tactions/checkout v4.1.1 → v4.2.0\n\tpython 3.12.1-slim → 3.12.4-slim\n"
        );
        assert_eq!(summary(&o[1..2]), "");
    }

    #[test]
    fn min_age_durations() {
        assert_eq!(
            parse_min_age("7d").unwrap(),
            jiff::SignedDuration::from_hours(168)
        );
        assert_eq!(
            parse_min_age("2w").unwrap(),
            jiff::SignedDuration::from_hours(336)
        );
        assert_eq!(
            parse_min_age("36h").unwrap(),
            jiff::SignedDuration::from_hours(36)
        );
        assert_eq!(
            parse_min_age("P1D").unwrap(),
            jiff::SignedDuration::from_hours(24)
        );
        assert!(
            parse_min_age("1 month")
                .unwrap_err()
                .contains("no fixed length")
        );
        assert!(
            parse_min_age("soon")
                .unwrap_err()
                .contains("not a duration")
        );
    }

    #[test]
    fn cooldown() {
        let now: jiff::Timestamp = "2026-11-22T00:00:00Z".parse().unwrap();
        let o = UpdateOptions {
            major: false,
            min_age: Some(jiff::SignedDuration::from_hours(24 * 7)),
            allow_breaking: false,
            now,
        };
        assert!(old_enough(
            &o,
            Some("2026-11-01T00:00:00Z".parse().unwrap())
        ));
        assert!(!old_enough(
            &o,
            Some("2026-11-20T00:00:00Z".parse().unwrap())
        ));
        assert!(!old_enough(&o, None));
        let o = UpdateOptions { min_age: None, ..o };
        assert!(old_enough(&o, None));
    }
}
