//! `go.mod`, with `go.sum` read beside it.
//!
//! Packages are the `require`d modules (blocks and single lines; `// indirect` ones too: since
//! Go 1.17 go.mod lists every module the build uses). Names are module paths and versions keep
//! their `v`, as the Go ecosystem and OSV write them.
//!
//! - `replace`: a module replaced by another module takes the replacement's path and version
//!   (`replace a => b v1.2.3`, or `a v1.0.0 => b v1.2.3` for that version only). A module
//!   replaced by a local directory (`=> ../fork`) is the user's own code: it is left out and a
//!   warning says so, since what is built is no longer the required version.
//! - `exclude`: a requirement on an excluded version is dropped with a warning (Go then picks
//!   the next version, which cannot be known offline).
//! - The main module (`module` line) is not a package: go.mod gives it no version.
//! - `// indirect` requirements (a module only other modules need) get the `dependency`
//!   property `indirect`, the others `direct` ([`crate::property`]).
//! - The standard library is a package, `pkg:golang/stdlib@1.x.y`, as OSV's Go advisories name
//!   it (package `stdlib`, SEMVER ranges): its version is the `toolchain` directive's
//!   (`toolchain go1.22.3` → `1.22.3`), else the `go` directive's with Go 1.21's meaning, where
//!   `go 1.22` is release 1.22.0 and `go 1.23rc1` is `1.23.0-rc.1`. That version is the
//!   *oldest* toolchain the module accepts: a build with a newer one has fewer advisories, so a
//!   match means "this module allows a vulnerable standard library". Before Go 1.21 the `go`
//!   line named only the language version, not a toolchain, so no stdlib is listed for
//!   `go 1.20` and older without a `toolchain` line.
//! - `go.sum`: Go's `h1:` value is a SHA-256 over a listing of the module's files, not a hash
//!   of any downloadable artifact, so recording it as the package's SHA-256 would mislead
//!   anyone who checks it against a file. No hashes are recorded for Go. go.sum is used only to
//!   warn about a required module that has no `h1:` line there (the build would fail or fetch
//!   an unchecked module); when there is no go.sum at all, nothing is said.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Ecosystem, Package, ParseError, ParseWarning, Parsed, Source, property};

/// The name OSV gives the Go standard library.
pub const STDLIB: &str = "stdlib";

/// `replace` directives: (old path, old version or `None` for every version) -> the replacement
/// module and version, or `None` for a local directory.
type Replaces = BTreeMap<(String, Option<String>), Option<(String, String)>>;

struct Require {
    path: String,
    version: String,
    line: u32,
    indirect: bool,
}

/// `// indirect` on a requirement's line (the comment may carry more after `;`).
fn is_indirect(line: &str) -> bool {
    line.split_once("//")
        .is_some_and(|(_, comment)| comment.trim().split(';').any(|w| w.trim() == "indirect"))
}

/// The stdlib version a `go` or `toolchain` directive names (`go1.22.3`, `1.22`, `1.23rc1`),
/// as OSV writes Go releases; `None` for what is not a Go release (`default`).
pub(crate) fn stdlib_version(directive: &str, toolchain: bool) -> Option<String> {
    let v = directive.strip_prefix("go").unwrap_or(directive);
    // A custom toolchain `go1.22.3-custom` is still release 1.22.3.
    let v = if toolchain { v.split('-').next()? } else { v };
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (numbers, pre) = v.split_at(split);
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts.iter().any(|p| p.is_empty() || p.len() > 9) || parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let major: u32 = parts[0].parse().ok()?;
    let minor: u32 = parts[1].parse().ok()?;
    if !toolchain && (major, minor) < (1, 21) {
        return None;
    }
    let patch = parts.get(2).copied().unwrap_or("0");
    let pre = match pre {
        "" => String::new(),
        p => {
            let (word, n) = p.split_at(p.find(|c: char| c.is_ascii_digit()).unwrap_or(p.len()));
            if !matches!(word, "rc" | "beta") || n.is_empty() || parts.len() == 3 {
                return None;
            }
            format!("-{word}.{n}")
        }
    };
    Some(format!("{major}.{minor}.{patch}{pre}"))
}

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let text = source.text()?;
    let mut requires: Vec<Require> = Vec::new();
    let mut replaces = Replaces::new();
    let mut excludes: BTreeSet<(String, String)> = BTreeSet::new();
    let mut warnings = Vec::new();

    let mut go_directive: Option<(String, u32)> = None;
    let mut toolchain: Option<(String, u32)> = None;
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let tokens = tokenize(raw).map_err(|(col, msg)| ParseError::new(msg).at(line_no, col))?;
        if tokens.is_empty() {
            continue;
        }
        let (verb, args): (String, &[String]) = match &block {
            Some(b) => {
                if tokens.len() == 1 && tokens.first().is_some_and(|t| t == ")") {
                    block = None;
                    continue;
                }
                (b.clone(), &tokens[..])
            }
            None => {
                let Some((first, rest)) = tokens.split_first() else {
                    continue;
                };
                if rest.len() == 1 && rest.first().is_some_and(|t| t == "(") {
                    block = Some(first.clone());
                    continue;
                }
                if rest.first().is_some_and(|t| t == "(") {
                    // `require ()`, or entries on the `(` line: go.mod allows neither except
                    // an empty block.
                    if rest.len() == 2 && rest.get(1).is_some_and(|t| t == ")") {
                        continue;
                    }
                    return Err(ParseError::new(format!(
                        "unexpected `{}` after `{first} (`",
                        rest.get(1).map_or("", String::as_str)
                    ))
                    .at(line_no, 1));
                }
                (first.clone(), rest)
            }
        };
        match verb.as_str() {
            "require" => match args {
                [path, version] => requires.push(Require {
                    path: path.clone(),
                    version: version.clone(),
                    line: line_no,
                    indirect: is_indirect(raw),
                }),
                _ => {
                    return Err(ParseError::new(format!(
                        "`require` expects a module path and a version, found {} word(s)",
                        args.len()
                    ))
                    .at(line_no, 1));
                }
            },
            "exclude" => match args {
                [path, version] => {
                    excludes.insert((path.clone(), version.clone()));
                }
                _ => {
                    return Err(
                        ParseError::new("`exclude` expects a module path and a version")
                            .at(line_no, 1),
                    );
                }
            },
            "replace" => {
                let Some(arrow) = args.iter().position(|t| t == "=>") else {
                    return Err(ParseError::new("`replace` without `=>`").at(line_no, 1));
                };
                let (old, new) = args.split_at(arrow);
                let new = new.get(1..).unwrap_or(&[]);
                let old_key = match old {
                    [p] => (p.clone(), None),
                    [p, v] => (p.clone(), Some(v.clone())),
                    _ => {
                        return Err(ParseError::new("`replace` expects `module [version] =>`")
                            .at(line_no, 1));
                    }
                };
                let target = match new {
                    [dir] if is_local(dir) => None,
                    [p, v] => Some((p.clone(), v.clone())),
                    _ => {
                        return Err(ParseError::new(
                            "`replace` expects `=> module version` or `=> ./local/dir`",
                        )
                        .at(line_no, 1));
                    }
                };
                replaces.insert(old_key, target);
            }
            "go" => {
                if let [v] = args {
                    go_directive = Some((v.clone(), line_no));
                }
            }
            "toolchain" => {
                if let [v] = args {
                    toolchain = Some((v.clone(), line_no));
                }
            }
            // module, godebug, retract, tool, ignore: nothing to list
            _ => {}
        }
    }
    if block.is_some() {
        let last = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
        return Err(ParseError::new("a `(` block is never closed with `)`").at(last.max(1), 1));
    }

    let sums = source
        .siblings
        .read(go_sum_path(source.path).as_str())
        .map(|b| go_sum_entries(&b));

    let mut packages = Vec::with_capacity(requires.len());
    for r in requires {
        if excludes.contains(&(r.path.clone(), r.version.clone())) {
            warnings.push(ParseWarning {
                line: Some(r.line),
                column: None,
                message: format!(
                    "{} {} is required but excluded; left out",
                    r.path, r.version
                ),
            });
            continue;
        }
        let replacement = replaces
            .get(&(r.path.clone(), Some(r.version.clone())))
            .or_else(|| replaces.get(&(r.path.clone(), None)));
        let (path, version) = match replacement {
            Some(None) => {
                warnings.push(ParseWarning {
                    line: Some(r.line),
                    column: None,
                    message: format!(
                        "{} {} is replaced by a local directory; left out",
                        r.path, r.version
                    ),
                });
                continue;
            }
            Some(Some((p, v))) => (p.clone(), v.clone()),
            None => (r.path, r.version),
        };
        if let Some(sums) = &sums
            && !sums.contains(&(path.clone(), version.clone()))
        {
            warnings.push(ParseWarning {
                line: Some(r.line),
                column: None,
                message: format!("{path} {version} has no `h1:` checksum in go.sum"),
            });
        }
        let direct = if r.indirect {
            property::INDIRECT
        } else {
            property::DIRECT
        };
        let mut package =
            Package::new(Ecosystem::Go, path, version).with_property(property::DEPENDENCY, direct);
        package.line = Some(r.line);
        packages.push(package);
    }
    let stdlib = toolchain
        .as_ref()
        .and_then(|(v, line)| Some((stdlib_version(v, true)?, *line)))
        .or_else(|| {
            let (v, line) = go_directive.as_ref()?;
            Some((stdlib_version(v, false)?, *line))
        });
    if let Some((version, line)) = stdlib {
        let mut package = Package::new(Ecosystem::Go, STDLIB, version);
        package.line = Some(line);
        packages.push(package);
    }
    Ok(Parsed { packages, warnings })
}

fn is_local(path: &str) -> bool {
    path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with('/')
        || path == "."
        || path == ".."
}

/// `go.sum` next to the parsed go.mod, relative to its folder.
fn go_sum_path(_go_mod: &str) -> String {
    "go.sum".to_owned()
}

/// The (module, version) pairs go.sum holds a module-content (`h1:`, not `/go.mod`) hash for.
fn go_sum_entries(bytes: &[u8]) -> BTreeSet<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let (m, v, h) = (words.next()?, words.next()?, words.next()?);
            (!v.ends_with("/go.mod") && h.starts_with("h1:")).then(|| (m.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Splits a go.mod line into words: `//` starts a comment, `"…"` and `` `…` `` are quoted
/// strings, and `(`, `)`, `=>` are words of their own. Errors give a 1-based column.
fn tokenize(line: &str) -> Result<Vec<String>, (u32, String)> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    let col = |i: usize| u32::try_from(line[..i].chars().count() + 1).unwrap_or(u32::MAX);
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if line[i..].starts_with("//") {
            break;
        } else if c == '"' || c == '`' {
            chars.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && c == '"' {
                    match chars.next() {
                        Some((_, e)) => s.push(e),
                        None => break,
                    }
                    continue;
                }
                s.push(d);
            }
            if !closed {
                return Err((col(i), "quoted string is never closed".to_owned()));
            }
            out.push(s);
        } else if c == '(' || c == ')' {
            chars.next();
            out.push(c.to_string());
        } else {
            let mut s = String::new();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_whitespace()
                    || d == '('
                    || d == ')'
                    || d == '"'
                    || d == '`'
                    || line[j..].starts_with("//")
                {
                    break;
                }
                s.push(d);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{is_indirect, stdlib_version, tokenize};

    #[test]
    fn stdlib_versions() {
        assert_eq!(stdlib_version("1.22", false).as_deref(), Some("1.22.0"));
        assert_eq!(stdlib_version("1.21.5", false).as_deref(), Some("1.21.5"));
        assert_eq!(
            stdlib_version("1.23rc1", false).as_deref(),
            Some("1.23.0-rc.1")
        );
        assert_eq!(stdlib_version("go1.22.3", true).as_deref(), Some("1.22.3"));
        assert_eq!(
            stdlib_version("go1.22.3-custom", true).as_deref(),
            Some("1.22.3")
        );
        assert_eq!(stdlib_version("1.20", false), None);
        assert_eq!(stdlib_version("default", true), None);
        assert_eq!(stdlib_version("1.22.0rc1", false), None);
    }

    #[test]
    fn indirect_comments() {
        assert!(is_indirect("\tgolang.org/x/sys v0.1.0 // indirect"));
        assert!(is_indirect("require a v1 // indirect; for tests"));
        assert!(!is_indirect("\tgolang.org/x/sys v0.1.0"));
        assert!(!is_indirect(
            "\tgolang.org/x/sys v0.1.0 // direct, not indirectly"
        ));
    }

    #[test]
    fn words() {
        assert_eq!(
            tokenize("require a v1 // indirect").unwrap(),
            ["require", "a", "v1"]
        );
        assert_eq!(
            tokenize("replace a => ../b").unwrap(),
            ["replace", "a", "=>", "../b"]
        );
        assert_eq!(tokenize("require (").unwrap(), ["require", "("]);
        assert_eq!(tokenize(r#""x/y" v1"#).unwrap(), ["x/y", "v1"]);
        assert!(tokenize("\"open").is_err());
    }
}
