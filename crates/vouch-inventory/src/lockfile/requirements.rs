//! pip requirements files (`requirements*.txt`), as pip-compile, `pip freeze` and people write
//! them.
//!
//! What becomes a package: a requirement pinned to exactly one version with `==` or `===`
//! (`name==1.2`, `name[extra]==1.2 ; python_version < "3.12"`, with `--hash` options on the
//! same logical line). Environment markers are kept out of the decision: the package is listed
//! whatever the marker says, as pip-compile output lists what one platform resolved.
//!
//! What is skipped without a warning, because it names no exact version: ranges (`>=1`,
//! `~=1.2`, `==1.*`), bare names, `name @ url` and URL/path requirements, editables (`-e`), and
//! pip options (`--index-url`, `--find-links`, …). Those are normal in hand-written files, so a
//! warning per line would only be noise. A warning is given only for a line that is not a
//! requirement at all (no valid project name, an unterminated `[extras]`, an empty pin).
//!
//! Includes: `-r`/`--requirement` files are read through [`crate::Siblings`] relative to the
//! including file's folder and their packages are listed as this file's, at the line of the
//! `-r` that brought them in. A file included twice is read once. `-c`/`--constraint` files install nothing by themselves: their
//! pins only fix the version of a requirement that the requirement files name without one
//! (`requests` here + `requests==2.31.0` in the constraints gives requests 2.31.0). Includes
//! nest at most [`MAX_DEPTH`] deep; a file already being read is not read again (cycles), and
//! an include that cannot be read is a warning naming it.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Ecosystem, Hash, HashAlgorithm, Package, ParseError, ParseWarning, Parsed, Source};

/// How deep `-r`/`-c` includes may nest.
pub const MAX_DEPTH: usize = 8;

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let dir = match source.path.rsplit_once('/') {
        Some((d, _)) => d.to_owned(),
        None => String::new(),
    };
    let mut state = State {
        source,
        packages: Vec::new(),
        warnings: Vec::new(),
        unpinned: Vec::new(),
        constraints: BTreeMap::new(),
        visiting: BTreeSet::new(),
        read: BTreeSet::new(),
    };
    state.visiting.insert(normalize_path(source.path));
    state.read_file(text, &dir, None, 0, false);

    // Unpinned requirements that a constraints file pins.
    let unpinned = std::mem::take(&mut state.unpinned);
    let mut listed: BTreeSet<String> = state
        .packages
        .iter()
        .map(|p| vouch_purl::normalize_pypi(&p.name))
        .collect();
    for (name, line) in unpinned {
        let key = vouch_purl::normalize_pypi(&name);
        if !listed.insert(key.clone()) {
            continue;
        }
        if let Some(version) = state.constraints.get(&key) {
            let mut package = Package::new(Ecosystem::PyPi, name, version.clone());
            package.line = Some(line);
            state.packages.push(package);
        }
    }
    Ok(Parsed {
        packages: state.packages,
        warnings: state.warnings,
    })
}

struct State<'s, 'a> {
    source: &'s Source<'a>,
    packages: Vec<Package>,
    warnings: Vec<ParseWarning>,
    /// Requirements without an exact pin: (name as written, line in the top file).
    unpinned: Vec<(String, u32)>,
    /// Normalised name -> version pinned by a constraints file.
    constraints: BTreeMap<String, String>,
    /// Files on the current include chain (normalised paths), for cycle detection.
    visiting: BTreeSet<String>,
    /// Files already read, and whether as constraints: one that is included again adds
    /// nothing new, and reading it again would let includes fan out exponentially.
    read: BTreeSet<(String, bool)>,
}

impl State<'_, '_> {
    /// Reads one requirements (or constraints) file. `at` is the line in the top file of the
    /// include that led here (`None` for the top file itself).
    fn read_file(
        &mut self,
        text: &str,
        dir: &str,
        at: Option<u32>,
        depth: usize,
        constraints: bool,
    ) {
        for (line_no, logical) in logical_lines(text) {
            let top_line = at.unwrap_or(line_no);
            let line = strip_comment(&logical).trim();
            if line.is_empty() {
                continue;
            }
            if line.starts_with('-') {
                self.option(
                    line,
                    dir,
                    top_line,
                    line_no,
                    at.is_none(),
                    depth,
                    constraints,
                );
                continue;
            }
            match requirement(line) {
                Ok(Requirement::Pinned {
                    name,
                    version,
                    hashes,
                }) => {
                    if constraints {
                        self.constraints
                            .insert(vouch_purl::normalize_pypi(name), version.to_owned());
                    } else {
                        let mut package = Package::new(Ecosystem::PyPi, name, version);
                        package.hashes = hashes;
                        package.line = Some(top_line);
                        self.packages.push(package);
                    }
                }
                Ok(Requirement::Unpinned { name }) => {
                    if !constraints {
                        self.unpinned.push((name.to_owned(), top_line));
                    }
                }
                Ok(Requirement::Other) => {}
                Err(message) => {
                    if at.is_none() {
                        self.warnings.push(ParseWarning {
                            line: Some(line_no),
                            column: None,
                            message,
                        });
                    } else {
                        self.warnings.push(ParseWarning {
                            line: Some(top_line),
                            column: None,
                            message: format!("in included file, line {line_no}: {message}"),
                        });
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn option(
        &mut self,
        line: &str,
        dir: &str,
        top_line: u32,
        line_no: u32,
        in_top: bool,
        depth: usize,
        constraints: bool,
    ) {
        let (flag, value) = split_option(line);
        let is_constraint = match flag {
            "-r" | "--requirement" => constraints,
            "-c" | "--constraint" => true,
            _ => return, // -e, --index-url, --hash on its own, … : nothing to list
        };
        let position = if in_top {
            String::new()
        } else {
            format!("in included file, line {line_no}: ")
        };
        let target = value.trim();
        if target.is_empty() {
            self.warnings.push(ParseWarning {
                line: Some(top_line),
                column: None,
                message: format!("{position}`{flag}` without a file name"),
            });
            return;
        }
        if target.contains("://") {
            self.warnings.push(ParseWarning {
                line: Some(top_line),
                column: None,
                message: format!("{position}remote include `{target}` was not fetched"),
            });
            return;
        }
        if depth + 1 > MAX_DEPTH {
            self.warnings.push(ParseWarning {
                line: Some(top_line),
                column: None,
                message: format!(
                    "{position}include `{target}` nests deeper than {MAX_DEPTH} files; not read"
                ),
            });
            return;
        }
        let joined = if target.starts_with('/') || dir.is_empty() {
            target.to_owned()
        } else {
            format!("{dir}/{target}")
        };
        let full = normalize_path(&joined);
        if self.visiting.contains(&full) {
            self.warnings.push(ParseWarning {
                line: Some(top_line),
                column: None,
                message: format!(
                    "{position}include `{target}` is already being read (a cycle); not read again"
                ),
            });
            return;
        }
        if !self.read.insert((full.clone(), is_constraint)) {
            return;
        }
        // Siblings take paths relative to the top file's folder.
        let top_dir = match self.source.path.rsplit_once('/') {
            Some((d, _)) => normalize_path(d),
            None => String::new(),
        };
        let relative = relative_to(&top_dir, &full);
        let Some(bytes) = self.source.siblings.read(&relative) else {
            self.warnings.push(ParseWarning {
                line: Some(top_line),
                column: None,
                message: format!("{position}included file `{target}` could not be read"),
            });
            return;
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.warnings.push(ParseWarning {
                line: Some(top_line),
                column: None,
                message: format!("{position}included file `{target}` is not valid UTF-8"),
            });
            return;
        };
        let text = text.to_owned();
        let sub_dir = match full.rsplit_once('/') {
            Some((d, _)) => d.to_owned(),
            None => String::new(),
        };
        self.visiting.insert(full.clone());
        self.read_file(&text, &sub_dir, Some(top_line), depth + 1, is_constraint);
        self.visiting.remove(&full);
    }
}

/// Splits `-r file`, `-rfile`, `--requirement=file`, `--requirement file`.
fn split_option(line: &str) -> (&str, &str) {
    if let Some(rest) = line.strip_prefix("--") {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let flag = &line[..end + 2];
        let value = line[end + 2..].trim_start();
        let value = value.strip_prefix('=').unwrap_or(value);
        (flag, value)
    } else {
        let mut chars = line.char_indices();
        chars.next(); // '-'
        match chars.next() {
            Some((i, c)) => {
                let end = i + c.len_utf8();
                (&line[..end], line[end..].trim_start())
            }
            None => (line, ""),
        }
    }
}

enum Requirement<'a> {
    Pinned {
        name: &'a str,
        version: &'a str,
        hashes: Vec<Hash>,
    },
    Unpinned {
        name: &'a str,
    },
    /// A URL, a path, `name @ url`, a wildcard pin: valid, but no exact version.
    Other,
}

/// Parses one logical requirement line (comment already removed, trimmed, not an option).
fn requirement(line: &str) -> Result<Requirement<'_>, String> {
    // Per-requirement options (`--hash=…`, `--config-settings …`) follow the requirement.
    let (spec, options) = match line.find(" --").or_else(|| line.find("\t--")) {
        Some(i) => (&line[..i], &line[i..]),
        None => (line, ""),
    };
    // Environment marker.
    let spec = match spec.split_once(';') {
        Some((s, _)) => s,
        None => spec,
    }
    .trim();
    if looks_like_url_or_path(spec) {
        return Ok(Requirement::Other);
    }
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-'))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        // Warnings name the line, never quote it: a requirements file can hold a token
        // (`--index-url https://user:TOKEN@…`) or be a link to anything.
        return Err("not a requirement: no valid project name".to_owned());
    }
    let mut rest = spec[name_end..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let Some(close) = after.find(']') else {
            return Err(format!("`{name}`: `[` of the extras is never closed"));
        };
        rest = after[close + 1..].trim_start();
    }
    if rest.starts_with('@') {
        return Ok(Requirement::Other);
    }
    let rest = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest)
        .trim();
    if rest.is_empty() {
        return Ok(Requirement::Unpinned { name });
    }
    let clauses: Vec<&str> = rest.split(',').map(str::trim).collect();
    let pinned = match clauses.as_slice() {
        [one] => one
            .strip_prefix("===")
            .or_else(|| one.strip_prefix("=="))
            .map(str::trim),
        _ => None,
    };
    let Some(version) = pinned else {
        if !rest.starts_with(['<', '>', '=', '!', '~']) {
            return Err(format!("`{name}`: unexpected text after the project name"));
        }
        return Ok(Requirement::Unpinned { name });
    };
    if version.is_empty() {
        return Err(format!("`{name}`: `==` with no version"));
    }
    if version.contains('*') {
        return Ok(Requirement::Unpinned { name });
    }
    if version.contains(char::is_whitespace) {
        return Err(format!("`{name}`: the version contains a space"));
    }
    Ok(Requirement::Pinned {
        name,
        version,
        hashes: hashes(options),
    })
}

fn looks_like_url_or_path(spec: &str) -> bool {
    spec.contains("://")
        || spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with("git+")
        || spec.starts_with("file:")
        || spec.ends_with(".whl")
        || spec.ends_with(".tar.gz")
        || spec.ends_with(".zip")
}

/// `--hash=sha256:<hex>` / `--hash sha256:<hex>` options; malformed ones are ignored.
fn hashes(options: &str) -> Vec<Hash> {
    let mut out = Vec::new();
    let mut words = options.split_whitespace();
    while let Some(word) = words.next() {
        let value = if let Some(v) = word.strip_prefix("--hash=") {
            Some(v)
        } else if word == "--hash" {
            words.next()
        } else {
            None
        };
        let Some((alg, hex)) = value.and_then(|v| v.split_once(':')) else {
            continue;
        };
        let algorithm = match alg {
            "sha256" => HashAlgorithm::Sha256,
            "sha384" => HashAlgorithm::Sha384,
            "sha512" => HashAlgorithm::Sha512,
            "sha1" => HashAlgorithm::Sha1,
            "md5" => HashAlgorithm::Md5,
            _ => continue,
        };
        if let Some(hash) = Hash::from_hex(algorithm, hex)
            && !out.contains(&hash)
        {
            out.push(hash);
        }
    }
    out
}

/// pip's line joining: a line ending in `\` continues on the next one, unless it is a comment.
/// Yields (first physical line number, joined text).
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let is_comment = raw.trim_start().starts_with('#');
        if raw.ends_with('\\') && !is_comment {
            let part = raw.trim_end_matches('\\');
            match &mut pending {
                Some((_, s)) => s.push_str(part),
                None => pending = Some((line_no, part.to_owned())),
            }
            continue;
        }
        let part = if is_comment {
            format!(" {raw}")
        } else {
            raw.to_owned()
        };
        match pending.take() {
            Some((start, mut s)) => {
                s.push_str(&part);
                out.push((start, s));
            }
            None => out.push((line_no, part)),
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// Removes a `#` comment that starts the line or follows whitespace (pip's rule: `#` inside a
/// URL fragment such as `#egg=` stays).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes.get(i - 1).is_some_and(|p| p.is_ascii_whitespace())) {
            return &line[..i];
        }
    }
    line
}

/// Resolves `.` and `..` in a `/`-separated path (a `..` above the start is kept).
fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `full` relative to the folder `dir` (both normalised).
fn relative_to(dir: &str, full: &str) -> String {
    if full.starts_with('/') {
        return full.to_owned();
    }
    let d: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let f: Vec<&str> = full.split('/').filter(|p| !p.is_empty()).collect();
    let common = d.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; d.len().saturating_sub(common)];
    parts.extend(f.iter().skip(common));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(normalize_path("a/./b/../c.txt"), "a/c.txt");
        assert_eq!(normalize_path("../x"), "../x");
        assert_eq!(relative_to("a/b", "a/c/d.txt"), "../c/d.txt");
        assert_eq!(relative_to("", "x/y.txt"), "x/y.txt");
    }

    #[test]
    fn options() {
        assert_eq!(split_option("-r base.txt"), ("-r", "base.txt"));
        assert_eq!(split_option("-rbase.txt"), ("-r", "base.txt"));
        assert_eq!(
            split_option("--requirement=base.txt"),
            ("--requirement", "base.txt")
        );
        assert_eq!(
            split_option("--constraint c.txt"),
            ("--constraint", "c.txt")
        );
    }

    #[test]
    fn comments() {
        assert_eq!(strip_comment("a==1 # x"), "a==1 ");
        assert_eq!(strip_comment("https://x/y#egg=z"), "https://x/y#egg=z");
    }
}
