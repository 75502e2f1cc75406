//! `Gemfile.lock` (and `gems.locked`), as Bundler writes it.
//!
//! - Gems come from the `specs:` lists of the `GEM`, `GIT` and `PATH` sections (and `PLUGIN
//!   SOURCE`): four-space lines `name (version)`. A platform-specific gem
//!   (`nokogiri (1.16.0-x86_64-linux)`) gets version `1.16.0` and the purl qualifier
//!   `platform=x86_64-linux`; one gem locked for several platforms is one package per platform.
//! - Six-space lines under a spec are its dependencies, resolved to the version locked in the
//!   same file.
//! - `GIT` gems: `resolved` is `<remote>@<revision>`; `PATH` gems (often the project itself or a
//!   vendored gem: first-party) are kept with `resolved` = `path:<remote>`; `GEM` gems from a
//!   registry other than rubygems.org keep that remote as `resolved`.
//! - `CHECKSUMS` (Bundler 2.5+): `name (version) sha256=<hex>` → SHA-256 [`Hash`](struct@crate::Hash).
//! - The lockfile does not record Bundler groups, so every gem is [`Scope::Required`](crate::Scope::Required).
//! - A line that does not parse is skipped with a [`ParseWarning`]; the rest is kept.

use std::collections::BTreeMap;

use crate::{
    Ecosystem, Hash, HashAlgorithm, Package, PackageRef, ParseError, ParseWarning, Parsed, Source,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Gem,
    Git,
    Path,
    Checksums,
    Other,
}

/// Parses a `Gemfile.lock`.
pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let mut warnings = Vec::new();
    let mut packages: Vec<Package> = Vec::new();
    // (package index, dependency name)
    let mut pending: Vec<(usize, String)> = Vec::new();
    // "name (version-platform)" -> hash
    let mut checksums: BTreeMap<String, Hash> = BTreeMap::new();
    let mut section = Section::Other;
    let mut saw_section = false;
    let mut remote: Option<String> = None;
    let mut revision: Option<String> = None;
    let mut in_specs = false;
    let mut first_content = None;

    for (index, raw_line) in text.lines().enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw_line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        first_content.get_or_insert(line_no);
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let warn = |warnings: &mut Vec<ParseWarning>, message: String| {
            warnings.push(ParseWarning {
                line: Some(line_no),
                column: Some(u32::try_from(indent + 1).unwrap_or(u32::MAX)),
                message,
            });
        };
        if indent == 0 {
            section = match body {
                "GEM" => Section::Gem,
                "GIT" => Section::Git,
                "PATH" | "PLUGIN SOURCE" => Section::Path,
                "CHECKSUMS" => Section::Checksums,
                _ => Section::Other,
            };
            saw_section |= body.chars().all(|c| c.is_ascii_uppercase() || c == ' ');
            remote = None;
            revision = None;
            in_specs = false;
            continue;
        }
        match section {
            Section::Other => {}
            Section::Checksums => {
                if indent != 2 {
                    continue;
                }
                let Some((id, sums)) = body.split_once(") ") else {
                    // A gem without a checksum (`name (version)`) is allowed.
                    continue;
                };
                for sum in sums.split(',') {
                    if let Some(hex) = sum.trim().strip_prefix("sha256=") {
                        match Hash::from_hex(HashAlgorithm::Sha256, hex) {
                            Some(hash) => {
                                checksums.insert(format!("{id})"), hash);
                            }
                            None => warn(
                                &mut warnings,
                                format!("checksum of `{id})` is not 64 hex digits; ignored"),
                            ),
                        }
                    }
                }
            }
            Section::Gem | Section::Git | Section::Path => match indent {
                2 => {
                    in_specs = body == "specs:";
                    if let Some(v) = body.strip_prefix("remote: ") {
                        remote = Some(v.trim().to_owned());
                    } else if let Some(v) = body.strip_prefix("revision: ") {
                        revision = Some(v.trim().to_owned());
                    }
                }
                4 if in_specs => {
                    let Some((name, version)) = name_and_paren(body) else {
                        warn(
                            &mut warnings,
                            format!("spec `{body}` is not `name (version)`; skipped"),
                        );
                        continue;
                    };
                    let (version, platform) = match version.split_once('-') {
                        Some((v, p)) => (v, Some(p)),
                        None => (version, None),
                    };
                    if version.is_empty() {
                        warn(
                            &mut warnings,
                            format!("spec `{body}` has an empty version; skipped"),
                        );
                        continue;
                    }
                    let mut package = Package::new(Ecosystem::RubyGems, name, version);
                    package.line = Some(line_no);
                    if let Some(p) = platform {
                        package
                            .qualifiers
                            .insert("platform".to_owned(), p.to_owned());
                    }
                    package.resolved = match (section, &remote) {
                        (Section::Git, Some(r)) => Some(
                            revision
                                .as_ref()
                                .map_or_else(|| r.clone(), |rev| format!("{r}@{rev}")),
                        ),
                        (Section::Path, Some(r)) => Some(format!("path:{r}")),
                        (Section::Gem, Some(r)) if !is_rubygems(r) => Some(r.clone()),
                        _ => None,
                    }
                    .map(vouch_url::Url::from);
                    packages.push(package);
                }
                6 if in_specs => {
                    let name = body.split(' ').next().unwrap_or(body);
                    match packages.len().checked_sub(1) {
                        Some(last) if !name.is_empty() => pending.push((last, name.to_owned())),
                        _ => warn(
                            &mut warnings,
                            format!("dependency `{body}` outside a spec; ignored"),
                        ),
                    }
                }
                _ => {}
            },
        }
    }

    if !saw_section && let Some(line) = first_content {
        return Err(ParseError::new("no GEM, GIT or PATH section: not a Gemfile.lock").at(line, 1));
    }

    let versions: BTreeMap<String, String> = packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    for (index, name) in pending {
        let Some(version) = versions.get(&name) else {
            continue;
        };
        if let Some(package) = packages.get_mut(index) {
            let r = PackageRef {
                name,
                version: Some(version.clone()),
            };
            if !package.dependencies.contains(&r) {
                package.dependencies.push(r);
            }
        }
    }
    for package in &mut packages {
        let full = match package.qualifiers.get("platform") {
            Some(p) => format!("{} ({}-{p})", package.name, package.version),
            None => format!("{} ({})", package.name, package.version),
        };
        if let Some(hash) = checksums.get(&full) {
            package.hashes.push(hash.clone());
        }
    }
    Ok(Parsed { packages, warnings })
}

/// `name (inside)` → (`name`, `inside`).
fn name_and_paren(body: &str) -> Option<(&str, &str)> {
    let (name, rest) = body.split_once(" (")?;
    let inside = rest.strip_suffix(')')?;
    (!name.is_empty() && !name.contains(' ') && !inside.contains(' ')).then_some((name, inside))
}

fn is_rubygems(remote: &str) -> bool {
    let r = remote.trim_end_matches('/');
    r == "https://rubygems.org" || r == "http://rubygems.org"
}
