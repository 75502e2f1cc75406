//! The dpkg database: `var/lib/dpkg/status`, and the one-stanza-per-file
//! `var/lib/dpkg/status.d/<pkg>` that distroless images write.
//!
//! Stanzas are separated by blank lines; a field is `Name: value`, continued on lines that
//! start with a space or tab. What counts as installed matches `dpkg-query -W`'s
//! `${db:Status-Status}`: the `Status:` field's third word is `installed` (so `install ok
//! installed`, and also `hold ok installed`; not `deinstall ok config-files`). Files in
//! `status.d/` usually carry no `Status:` at all and are installed by being there.
//!
//! Per package: `Package`, `Version` (epoch kept: `1:2.3-4`), `Architecture` as the `arch`
//! purl qualifier, `Source:` (`name` or `name (version)`) as the source package, defaulting to
//! the binary's own name and version (Debian policy: no `Source:` means the source package has
//! the binary's name), and `Depends`/`Pre-Depends` as edges by name (version constraints and
//! architecture qualifiers removed; of alternatives `a | b`, only the first). The status file
//! records no licence, so none is given (`/usr/share/doc/<pkg>/copyright` is free text).
//!
//! Damage is local: an unreadable line, a stanza without `Package`, an installed one without a
//! valid `Version`, a `Package:` that starts a new stanza without a blank line: each gives a
//! warning with its line and the other stanzas are kept. So does a byte that is not UTF-8 (it
//! is replaced; the rest of the file is read).

use super::lossy_text;
use crate::{
    Ecosystem, FileKind, Package, PackageRef, ParseError, ParseWarning, Parsed, Source,
    SourcePackage,
};

struct Stanza<'a> {
    start: u32,
    /// (line, name, value) with continuation lines folded in.
    fields: Vec<(u32, &'a str, String)>,
}

impl Stanza<'_> {
    fn get(&self, name: &str) -> Option<(u32, &str)> {
        self.fields
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
            .map(|(l, _, v)| (*l, v.as_str()))
    }
}

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let status_d = crate::detect(source.path) == Some(FileKind::DpkgStatusD)
        || source.path.contains("status.d/");
    let mut parsed = Parsed::default();
    let text = lossy_text(source, &mut parsed.warnings);
    let text = text.as_ref();
    for stanza in stanzas(text, &mut parsed.warnings) {
        if let Some(package) = package(&stanza, status_d, &mut parsed.warnings) {
            parsed.packages.push(package);
        }
    }
    Ok(parsed)
}

fn stanzas<'a>(text: &'a str, warnings: &mut Vec<ParseWarning>) -> Vec<Stanza<'a>> {
    let mut out = Vec::new();
    let mut current: Option<Stanza<'a>> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            out.extend(current.take());
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match current.as_mut().and_then(|s| s.fields.last_mut()) {
                Some(last) => {
                    last.2.push('\n');
                    last.2.push_str(line.trim());
                }
                None => warnings.push(ParseWarning {
                    line: Some(line_no),
                    column: None,
                    message: "continuation line with no field before it".to_owned(),
                }),
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':').filter(|(n, _)| is_field_name(n)) else {
            warnings.push(ParseWarning {
                line: Some(line_no),
                column: None,
                message: "line is not a `Field: value` pair".to_owned(),
            });
            continue;
        };
        let stanza = current.get_or_insert_with(|| Stanza {
            start: line_no,
            fields: Vec::new(),
        });
        if name.eq_ignore_ascii_case("Package") && stanza.get("Package").is_some() {
            warnings.push(ParseWarning {
                line: Some(line_no),
                column: None,
                message: "`Package:` starts a new stanza without a blank line before it".to_owned(),
            });
            out.extend(current.take());
            current = Some(Stanza {
                start: line_no,
                fields: Vec::new(),
            });
        }
        if let Some(s) = current.as_mut() {
            s.fields.push((line_no, name, value.trim().to_owned()));
        }
    }
    out.extend(current);
    out
}

fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
        && !name.starts_with(['#', '-'])
}

fn package(
    stanza: &Stanza<'_>,
    status_d: bool,
    warnings: &mut Vec<ParseWarning>,
) -> Option<Package> {
    let mut warn = |line: u32, message: String| {
        warnings.push(ParseWarning {
            line: Some(line),
            column: None,
            message,
        })
    };
    let Some((line, name)) = stanza.get("Package").filter(|(_, n)| !n.is_empty()) else {
        warn(
            stanza.start,
            "stanza has no `Package` field; skipped".to_owned(),
        );
        return None;
    };
    match stanza.get("Status") {
        Some((_, status)) => {
            if status.split_whitespace().nth(2) != Some("installed") {
                return None;
            }
        }
        None if status_d => {}
        None => {
            warn(line, format!("`{name}` has no `Status` field; skipped"));
            return None;
        }
    }
    let Some((vline, version)) = stanza.get("Version").filter(|(_, v)| !v.is_empty()) else {
        warn(line, format!("`{name}` has no `Version` field; skipped"));
        return None;
    };
    if !valid_version(version) {
        warn(vline, format!("`{name}` has an invalid version; skipped"));
        return None;
    }
    let mut package = Package::new(Ecosystem::Debian, name, version);
    package.line = Some(line);
    if let Some((_, arch)) = stanza.get("Architecture").filter(|(_, a)| !a.is_empty()) {
        package
            .qualifiers
            .insert("arch".to_owned(), arch.to_owned());
    }
    package.source_package = Some(
        match stanza
            .get("Source")
            .map(|(_, s)| s.trim())
            .filter(|s| !s.is_empty())
        {
            Some(src) => match src.split_once('(') {
                Some((n, v)) => SourcePackage {
                    name: n.trim().to_owned(),
                    version: v.trim().trim_end_matches(')').trim().to_owned(),
                },
                None => SourcePackage {
                    name: src.to_owned(),
                    version: version.to_owned(),
                },
            },
            None => SourcePackage {
                name: name.to_owned(),
                version: version.to_owned(),
            },
        },
    );
    for field in ["Pre-Depends", "Depends"] {
        let Some((_, deps)) = stanza.get(field) else {
            continue;
        };
        for group in deps.split(',') {
            let first = group.split('|').next().unwrap_or("").trim();
            let dep: String = first
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '(' | '[' | '<' | ':'))
                .collect();
            if dep.is_empty() {
                continue;
            }
            let dep = PackageRef {
                name: dep,
                version: None,
            };
            if !package.dependencies.contains(&dep) {
                package.dependencies.push(dep);
            }
        }
    }
    Some(package)
}

/// Debian policy 5.6.12: `[epoch:]upstream_version[-debian_revision]`, the upstream part
/// starting with a digit and using only `A-Za-z0-9.+~-` (and `:` when there is an epoch).
fn valid_version(v: &str) -> bool {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) => (Some(e), r),
        None => (None, v),
    };
    if epoch.is_some_and(|e| e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    rest.starts_with(|c: char| c.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'~' | b'-' | b':'))
}
