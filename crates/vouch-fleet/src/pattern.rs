//! Query patterns: a package URL with an optional version or version range.
//!
//! - `pkg:npm/lodash`: any version;
//! - `pkg:npm/lodash@4.17.20`: that version (equal under the ecosystem's ordering, so
//!   Maven's `1.0` finds `1.0.0`);
//! - `pkg:npm/lodash@<4.17.21`, `pkg:pypi/django@>=4.0,<4.2.5`: every comparison must hold
//!   (`,` is "and"), in the ecosystem's own order ([`vouch_version`]).
//!
//! The name is normalised the way components are stored (the purl type's rules, then the
//! ecosystem's name comparison: PyPI names PEP 503-normalised, Composer/NuGet lower-cased).

use std::cmp::Ordering;

use vouch_inventory::Ecosystem;
use vouch_version::Scheme;

use crate::StoreError;

/// One comparison of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Op {
    fn holds(self, o: Ordering) -> bool {
        match self {
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Eq => o == Ordering::Equal,
        }
    }
}

/// Which versions a pattern selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSelector {
    Any,
    /// Every comparison holds.
    Range(Vec<(Op, String)>),
}

/// A parsed `PURL-OR-PATTERN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// What the user wrote.
    pub text: String,
    pub ecosystem: Ecosystem,
    /// The package name as components carry it (`@babel/core`, `org.apache:commons`).
    pub name: String,
    /// [`Ecosystem::normalize_name`] of `name`: what the index is keyed on.
    pub normalized: String,
    pub versions: VersionSelector,
}

/// The answer of [`Pattern::selects`] for one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Yes,
    No,
    /// The version (or the pattern's bound) does not parse under the ecosystem's ordering.
    Unordered(String),
}

/// Longest pattern accepted.
pub const MAX_PATTERN: usize = 4096;

impl Pattern {
    /// Parses `pkg:TYPE/[NAMESPACE/]NAME[@VERSION-OR-RANGE]`.
    pub fn parse(text: &str) -> Result<Pattern, StoreError> {
        let bad = |reason: String| StoreError::Pattern {
            pattern: text.chars().take(200).collect(),
            reason,
        };
        if text.len() > MAX_PATTERN {
            return Err(bad(format!(
                "{} bytes long, more than the {MAX_PATTERN} allowed",
                text.len()
            )));
        }
        let trimmed = text.trim();
        if !trimmed.starts_with("pkg:") {
            return Err(bad(
                "expected a package URL starting with `pkg:` (pkg:npm/lodash@4.17.20)".into(),
            ));
        }
        // The version part starts at the first `@` after the last `/` of the name (an npm
        // scope's `@` comes before it); qualifiers and subpath are dropped.
        let base = trimmed.split(['?', '#']).next().unwrap_or(trimmed);
        let slash = base
            .rfind('/')
            .ok_or_else(|| bad("expected pkg:TYPE/NAME, found no `/` after the type".into()))?;
        let (name_part, version_part) = match base[slash..].find('@') {
            Some(at) => (&base[..slash + at], Some(&base[slash + at + 1..])),
            None => (base, None),
        };
        let (ecosystem, name) =
            vouch_sbom::read::package_of(name_part).map_err(|reason| bad(reason.to_string()))?;
        let versions = match version_part.map(str::trim) {
            None => VersionSelector::Any,
            Some("") => return Err(bad("empty version after `@`".into())),
            Some(v) => VersionSelector::Range(parse_range(v).map_err(bad)?),
        };
        Ok(Pattern {
            text: trimmed.to_owned(),
            normalized: ecosystem.normalize_name(&name),
            ecosystem,
            name,
            versions,
        })
    }

    /// Whether `version` (of a component in this pattern's ecosystem, compared under `scheme`)
    /// is selected.
    pub fn selects(&self, scheme: Option<Scheme>, version: &str) -> Selection {
        let VersionSelector::Range(bounds) = &self.versions else {
            return Selection::Yes;
        };
        for (op, bound) in bounds {
            let bound = &pad(scheme, bound);
            let ordering = match scheme {
                Some(s) => match vouch_version::compare(s, version, bound) {
                    Ok(o) => o,
                    // An exact version still matches as written.
                    Err(_) if *op == Op::Eq && version == bound => Ordering::Equal,
                    Err(e) => return Selection::Unordered(e.to_string()),
                },
                None if *op == Op::Eq => {
                    if version == bound {
                        Ordering::Equal
                    } else {
                        return Selection::No;
                    }
                }
                None => {
                    return Selection::Unordered(format!(
                        "vouch has no version ordering for {}",
                        self.ecosystem
                    ));
                }
            };
            if !op.holds(ordering) {
                return Selection::No;
            }
        }
        Selection::Yes
    }
}

/// A partial SemVer bound (`10`, `1.0`, Go `v1.2`) completed with zeros, as range syntaxes
/// (npm's `<10`) read it: `<10` is `<10.0.0`.
fn pad(scheme: Option<Scheme>, bound: &str) -> String {
    let (prefix, digits) = match scheme {
        Some(Scheme::SemVer) => ("", bound),
        Some(Scheme::Go) => ("v", bound.strip_prefix('v').unwrap_or(bound)),
        _ => return bound.to_owned(),
    };
    let parts: Vec<&str> = digits.split('.').collect();
    if parts.len() < 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut padded = parts.join(".");
        for _ in parts.len()..3 {
            padded.push_str(".0");
        }
        return format!("{prefix}{padded}");
    }
    bound.to_owned()
}

fn parse_range(text: &str) -> Result<Vec<(Op, String)>, String> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let (op, rest) = if let Some(r) = part.strip_prefix("<=") {
            (Op::Le, r)
        } else if let Some(r) = part.strip_prefix(">=") {
            (Op::Ge, r)
        } else if let Some(r) = part.strip_prefix('<') {
            (Op::Lt, r)
        } else if let Some(r) = part.strip_prefix('>') {
            (Op::Gt, r)
        } else if let Some(r) = part.strip_prefix("==") {
            (Op::Eq, r)
        } else if let Some(r) = part.strip_prefix('=') {
            (Op::Eq, r)
        } else {
            (Op::Eq, part)
        };
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(format!("comparison `{part}` has no version"));
        }
        if rest.contains(['<', '>', '=']) {
            return Err(format!(
                "comparison `{part}`: expected one operator (<, <=, >, >=, =) and a version"
            ));
        }
        out.push((op, rest.to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_scope_and_range() {
        let p = Pattern::parse("pkg:npm/%40babel/core@>=7.0.0,<7.23.2").unwrap();
        assert_eq!(p.ecosystem, Ecosystem::Npm);
        assert_eq!(p.name, "@babel/core");
        assert_eq!(
            p.versions,
            VersionSelector::Range(vec![(Op::Ge, "7.0.0".into()), (Op::Lt, "7.23.2".into())])
        );
        assert_eq!(p.selects(Some(Scheme::SemVer), "7.22.0"), Selection::Yes);
        assert_eq!(p.selects(Some(Scheme::SemVer), "7.23.2"), Selection::No);
        assert_eq!(p.selects(Some(Scheme::SemVer), "6.26.0"), Selection::No);
        // Partial bounds, as the issue writes them: `>=1.0,<2`.
        let p = Pattern::parse("pkg:npm/x@>=1.0,<2").unwrap();
        assert_eq!(p.selects(Some(Scheme::SemVer), "1.9.3"), Selection::Yes);
        assert_eq!(p.selects(Some(Scheme::SemVer), "2.0.0"), Selection::No);
        assert!(matches!(
            p.selects(Some(Scheme::SemVer), "not-a-version"),
            Selection::Unordered(_)
        ));
    }

    #[test]
    fn pypi_names_are_normalised() {
        let p = Pattern::parse("pkg:pypi/Django_Rest@3.0").unwrap();
        assert_eq!(p.normalized, "django-rest");
    }

    #[test]
    fn ordering_is_the_ecosystems() {
        // SemVer orders 4.17.9 below 4.17.21; a string compare would not.
        let p = Pattern::parse("pkg:npm/lodash@<4.17.21").unwrap();
        assert_eq!(p.selects(Some(Scheme::SemVer), "4.17.9"), Selection::Yes);
        let deb = Pattern::parse("pkg:deb/debian/openssl@<3.0.11-1~deb12u2").unwrap();
        assert_eq!(
            deb.selects(Some(Scheme::Dpkg), "3.0.11-1~deb12u1"),
            Selection::Yes
        );
        assert_eq!(deb.selects(Some(Scheme::Dpkg), "3.0.11-1"), Selection::No);
    }

    #[test]
    fn refusals_name_the_pattern_and_the_reason() {
        let e = Pattern::parse("lodash").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid query `lodash`: expected a package URL starting with `pkg:` (pkg:npm/lodash@4.17.20)"
        );
        let e = Pattern::parse("pkg:npm/lodash@<").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid query `pkg:npm/lodash@<`: comparison `<` has no version"
        );
        let e = Pattern::parse("pkg:npm/lodash@<1,>=<2").unwrap_err();
        assert!(e.to_string().contains("expected one operator"), "{e}");
        let e = Pattern::parse("pkg:unknowntype/x").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid query `pkg:unknowntype/x`: "),
            "{e}"
        );
    }
}
