//! Alpine's installed database, `lib/apk/db/installed`.
//!
//! Entries are blocks of `X:value` lines separated by blank lines. Read: `P` name, `V`
//! version, `A` architecture (the `arch` purl qualifier), `o` origin (the source package,
//! at the same version: aports builds every subpackage at its origin's version), `L` licence
//! as written, `D` dependencies and `C` checksum. In `D`, only plain package names become
//! edges: provider names (`so:libc.musl-x86_64.so.1`, `cmd:…`, `pc:…`) and conflicts (`!x`)
//! name no package, and version constraints (`musl>=1.2`) are removed. `C:Q1<base64>` is the
//! SHA-1 of the package's control segment and becomes a SHA-1 hash (`Q2`, SHA-256, likewise).
//!
//! An entry without `P` or `V`, or a line that is not `X:value`, gives a warning with its line;
//! the other entries are kept. Bytes that are not UTF-8 are replaced, with one warning.

use base64::Engine as _;

use super::{lossy_text, shorten};

use crate::{
    Ecosystem, Hash, HashAlgorithm, Package, PackageRef, ParseError, ParseWarning, Parsed, Source,
    SourcePackage,
};

#[derive(Default)]
struct Entry {
    start: u32,
    name: Option<(u32, String)>,
    version: Option<String>,
    arch: Option<String>,
    origin: Option<String>,
    license: Option<String>,
    depends: Vec<String>,
    checksum: Option<String>,
}

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed::default();
    let text = lossy_text(source, &mut parsed.warnings);
    let text = text.as_ref();
    let mut current: Option<Entry> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if let Some(e) = current.take() {
                finish(e, &mut parsed);
            }
            continue;
        }
        let mut chars = line.chars();
        let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
            parsed.warnings.push(ParseWarning {
                line: Some(line_no),
                column: None,
                message: "line is not an `X:value` field".to_owned(),
            });
            continue;
        };
        let value = chars.as_str().trim();
        let e = current.get_or_insert_with(|| Entry {
            start: line_no,
            ..Entry::default()
        });
        match key {
            'P' => e.name = Some((line_no, value.to_owned())),
            'V' => e.version = Some(value.to_owned()),
            'A' => e.arch = Some(value.to_owned()),
            'o' => e.origin = Some(value.to_owned()),
            'L' => e.license = Some(value.to_owned()),
            'D' => e
                .depends
                .extend(value.split_whitespace().map(str::to_owned)),
            'C' => e.checksum = Some(value.to_owned()),
            _ => {}
        }
    }
    if let Some(e) = current.take() {
        finish(e, &mut parsed);
    }
    Ok(parsed)
}

fn finish(e: Entry, parsed: &mut Parsed) {
    let (line, name, version) = match (e.name, e.version) {
        (Some((l, n)), Some(v)) if !n.is_empty() && !v.is_empty() => (l, n, v),
        (Some((l, n)), _) => {
            parsed.warnings.push(ParseWarning {
                line: Some(l),
                column: None,
                message: format!("entry `{}` has no version (`V:`); skipped", shorten(&n)),
            });
            return;
        }
        (None, _) => {
            parsed.warnings.push(ParseWarning {
                line: Some(e.start),
                column: None,
                message: "entry has no package name (`P:`); skipped".to_owned(),
            });
            return;
        }
    };
    let mut package = Package::new(Ecosystem::Alpine, name, version.clone());
    package.line = Some(line);
    if let Some(arch) = e.arch.filter(|a| !a.is_empty()) {
        package.qualifiers.insert("arch".to_owned(), arch);
    }
    if let Some(origin) = e.origin.filter(|o| !o.is_empty()) {
        package.source_package = Some(SourcePackage {
            name: origin,
            version,
        });
    }
    if let Some(l) = e.license.filter(|l| !l.is_empty()) {
        package.licenses.push(l);
    }
    for dep in &e.depends {
        if dep.starts_with('!') || dep.contains(':') {
            continue;
        }
        let name: String = dep
            .chars()
            .take_while(|c| !matches!(c, '<' | '>' | '=' | '~' | '@'))
            .collect();
        if name.is_empty() {
            continue;
        }
        let r = PackageRef {
            name,
            version: None,
        };
        if !package.dependencies.contains(&r) {
            package.dependencies.push(r);
        }
    }
    if let Some(c) = e.checksum.as_deref()
        && let Some(hash) = checksum(c)
    {
        package.hashes.push(hash);
    }
    parsed.packages.push(package);
}

fn checksum(c: &str) -> Option<Hash> {
    let (algorithm, b64) = if let Some(b) = c.strip_prefix("Q1") {
        (HashAlgorithm::Sha1, b)
    } else if let Some(b) = c.strip_prefix("Q2") {
        (HashAlgorithm::Sha256, b)
    } else {
        return None;
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Hash::from_hex(algorithm, &vouch_digest::encode_hex(&bytes))
}
