//! Installed Python distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, and a bare
//! `*.egg-info` file in site-packages. All three hold the same core-metadata format (RFC 822
//! headers, then a free-text body), so they are read the same way.
//!
//! - `Name` and `Version` are required; a record without either gives a warning and no package.
//! - Licences: `License-Expression` (PEP 639, SPDX) when present; otherwise the `License`
//!   field when it is one short line (not `UNKNOWN`; some projects paste their whole licence
//!   text there); otherwise each `Classifier: License :: …` as written, minus the prefix
//!   (`OSI Approved :: MIT License`). Classifiers are not mapped to SPDX ids: several of them
//!   name no version (`Apache Software License`), so any mapping would be a guess.
//! - `Requires-Dist` become edges by name only. Requirements that apply only with an extra
//!   (`; extra == "test"`) are left out: they are installed only when someone asked for that
//!   extra, and an edge to them would claim more than the record says.

use crate::{Ecosystem, Package, PackageRef, ParseError, ParseWarning, Parsed, Source};

/// Reads the header block (up to the first blank line) as (line, name, value) fields, with
/// continuation lines folded in.
pub(crate) fn headers(text: &str) -> Vec<(u32, String, String)> {
    let mut fields: Vec<(u32, String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = fields.last_mut() {
                last.2.push('\n');
                last.2.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            fields.push((line_no, name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    fields
}

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let fields = headers(text);
    let get = |key: &str| fields.iter().find(|(_, k, _)| k.eq_ignore_ascii_case(key));
    let mut parsed = Parsed::default();
    let (Some((line, _, name)), Some((_, _, version))) = (get("Name"), get("Version")) else {
        parsed.warnings.push(ParseWarning {
            line: None,
            column: None,
            message: match (get("Name"), get("Version")) {
                (None, None) => "no `Name` or `Version` header; not a package record".to_owned(),
                (None, Some(_)) => "no `Name` header; skipped".to_owned(),
                (Some((_, _, n)), _) => format!("`{n}` has no `Version` header; skipped"),
            },
        });
        return Ok(parsed);
    };
    if name.is_empty() || version.is_empty() || name.contains('\n') || version.contains('\n') {
        parsed.warnings.push(ParseWarning {
            line: Some(*line),
            column: None,
            message: "empty or multi-line `Name` or `Version` header; skipped".to_owned(),
        });
        return Ok(parsed);
    }
    let mut package = Package::new(Ecosystem::PyPi, name.clone(), version.clone());
    package.line = Some(*line);

    if let Some((_, _, expr)) = get("License-Expression").filter(|(_, _, v)| !v.is_empty()) {
        package.licenses.push(expr.clone());
    } else if let Some((_, _, lic)) = get("License").filter(|(_, _, v)| {
        !v.is_empty() && !v.contains('\n') && v.len() <= 100 && !v.eq_ignore_ascii_case("UNKNOWN")
    }) {
        package.licenses.push(lic.clone());
    } else {
        for (_, k, v) in &fields {
            if k.eq_ignore_ascii_case("Classifier")
                && let Some(rest) = v.strip_prefix("License ::")
            {
                let rest = rest.trim().to_owned();
                if !rest.is_empty() && !package.licenses.contains(&rest) {
                    package.licenses.push(rest);
                }
            }
        }
    }

    for (_, k, v) in &fields {
        if !k.eq_ignore_ascii_case("Requires-Dist") {
            continue;
        }
        let (req, marker) = match v.split_once(';') {
            Some((r, m)) => (r, m),
            None => (v.as_str(), ""),
        };
        if marker.contains("extra") {
            continue;
        }
        let dep: String = req
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
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
    parsed.packages.push(package);
    Ok(parsed)
}
