//! Go build info (what `go version -m` prints), found in a stream and read into components.
//!
//! - Every module of the build is a `pkg:golang/MODULE@VERSION` component: the main module
//!   (`mod` line) and each dependency (`dep` lines). A `=>` line replaces the module above it:
//!   the replacement's path and version are what was built. A module replaced by a local
//!   directory (`=> ./internal/x (devel)`: the project's own code) is listed under the module
//!   path the build required, as first-party (never matched against advisories).
//! - The main module of a `go build` from a checkout has the version `(devel)` (before Go 1.24,
//!   and after it for untagged or modified trees). As Syft does, a version is then taken from
//!   the linker flags (`-X …version=1.2.3`, `-X …Version=`, `…gitVersion`, `…buildVersion`,
//!   `…tag=`: the first that holds `[v]N.N.N[-suffix]`, with a `v` added), else a pseudo-version
//!   `v0.0.0-YYYYMMDDHHMMSS-<12 hex>` from `vcs.time` and `vcs.revision`, else it stays
//!   `(devel)`.
//! - The standard library is `pkg:golang/stdlib@1.x.y`, the toolchain's release that built the
//!   binary (`go1.22.3` → `1.22.3`, `go1.23rc1` → `1.23.0-rc.1`), as the inventory lists it
//!   for go.mod's `toolchain`. A `devel …` toolchain is not a release: a warning says the
//!   standard library is not listed.
//! - `h1:` sums are not recorded as hashes (they hash a module's file listing, not a file; see
//!   the go.mod parser).
//! - A binary built outside module mode (`GO111MODULE=off`, vendored GOPATH builds) has no
//!   `mod` line: only the standard library is listed, with a warning.

use super::{BinaryError, MAX_GO_BUILD_INFO, Scan};
use crate::{Ecosystem, Package, lockfile::gomod};

const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const HEADER: usize = 32;
/// Go's inline-string flag (Go 1.18+).
const FLAG_INLINE: u8 = 0x2;
/// Candidate problems kept (the rest are dropped: one is enough to say why).
const MAX_PROBLEMS: usize = 4;
/// Per-line problems kept for one module list.
const MAX_LINE_PROBLEMS: usize = 8;

/// Finds the first valid build info blob in a stream.
#[derive(Default)]
pub(crate) struct Finder {
    /// The last up to 13 bytes before the next chunk (a magic split across chunks).
    tail: Vec<u8>,
    collecting: Option<Collect>,
    /// Offsets below this are not candidates (inside a candidate already read).
    resume_at: u64,
    found: Option<(Vec<Package>, Vec<BinaryError>)>,
    problems: Vec<BinaryError>,
}

struct Collect {
    offset: u64,
    buf: Vec<u8>,
}

/// What a partial blob says about its length.
enum Plan {
    /// The blob is this long.
    Total(usize),
    /// At least this many bytes are needed to know.
    Need(usize),
}

impl Collect {
    fn plan(&self) -> Result<Plan, Option<BinaryError>> {
        let b = &self.buf;
        if b.len() < HEADER {
            return Ok(Plan::Need(HEADER));
        }
        if b[15] & FLAG_INLINE == 0 {
            // Go 1.13–1.17: pointers into the data segment. A pointer size other than 4 or 8
            // is not build info at all (Go's own reader says "not a Go executable").
            return Err(
                matches!(b[14], 4 | 8).then_some(BinaryError::GoPointerFormat {
                    offset: self.offset,
                }),
            );
        }
        // Go's linker writes the pointer size and zero padding up to the strings; anything
        // else is the magic as a string constant (the go tool's own reader), not build info.
        if !matches!(b[14], 4 | 8) || b[16..HEADER].iter().any(|&x| x != 0) {
            return Err(None);
        }
        let mut at = HEADER;
        for field in ["version", "module list"] {
            let (len, n) = match varint(&b[at..]) {
                Varint::Value(len, n) => (len, n),
                Varint::Short => return Ok(Plan::Need(at + 10.min(b.len() - at + 1))),
                Varint::Bad => {
                    return Err(Some(BinaryError::GoBadLength {
                        offset: self.offset,
                        field,
                    }));
                }
            };
            if len > MAX_GO_BUILD_INFO as u64 {
                return Err(Some(BinaryError::GoTooLong {
                    offset: self.offset,
                    field,
                    length: len,
                    cap: MAX_GO_BUILD_INFO,
                }));
            }
            at += n + len as usize;
            if at > MAX_GO_BUILD_INFO + HEADER + 20 {
                return Err(Some(BinaryError::GoTooLong {
                    offset: self.offset,
                    field,
                    length: len,
                    cap: MAX_GO_BUILD_INFO,
                }));
            }
            if field == "version" && b.len() <= at {
                return Ok(Plan::Need(at + 1));
            }
        }
        Ok(Plan::Total(at))
    }

    /// Takes what it needs from `data`: (bytes used, finished with this outcome).
    fn push(&mut self, data: &[u8]) -> (usize, Option<Result<(), Option<BinaryError>>>) {
        let mut used = 0;
        loop {
            let target = match self.plan() {
                Err(e) => return (used, Some(Err(e))),
                Ok(Plan::Total(n)) if self.buf.len() >= n => return (used, Some(Ok(()))),
                Ok(Plan::Total(n) | Plan::Need(n)) => n,
            };
            if used == data.len() {
                return (used, None);
            }
            let take = (target - self.buf.len()).min(data.len() - used);
            self.buf.extend_from_slice(&data[used..used + take]);
            used += take;
        }
    }

    /// The length the blob is known to need so far (for the truncation message).
    fn needed(&self) -> usize {
        match self.plan() {
            Ok(Plan::Total(n) | Plan::Need(n)) => n,
            Err(_) => self.buf.len(),
        }
    }
}

enum Varint {
    Value(u64, usize),
    Short,
    Bad,
}

/// An unsigned LEB128 varint (Go's `binary.Uvarint`).
fn varint(b: &[u8]) -> Varint {
    let mut x: u64 = 0;
    for (i, &byte) in b.iter().enumerate() {
        if i == 10 {
            return Varint::Bad;
        }
        if i == 9 && byte > 1 {
            return Varint::Bad;
        }
        x |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Varint::Value(x, i + 1);
        }
    }
    if b.len() >= 10 {
        Varint::Bad
    } else {
        Varint::Short
    }
}

impl Finder {
    pub(crate) fn feed(&mut self, pos: u64, chunk: &[u8]) {
        if self.found.is_some() {
            return;
        }
        // A magic that began in the bytes before this chunk.
        if self.collecting.is_none() && !self.tail.is_empty() {
            let base = pos - self.tail.len() as u64;
            let mut joined = self.tail.clone();
            joined.extend_from_slice(&chunk[..chunk.len().min(MAGIC.len())]);
            for rel in 0..self.tail.len() {
                let at = base + rel as u64;
                if at.is_multiple_of(16) && at >= self.resume_at && joined[rel..].starts_with(MAGIC)
                {
                    self.collecting = Some(Collect {
                        offset: at,
                        buf: self.tail[rel..].to_vec(),
                    });
                    break;
                }
            }
        }
        let mut from = 0usize;
        loop {
            if let Some(mut c) = self.collecting.take() {
                let (used, outcome) = c.push(&chunk[from..]);
                from += used;
                let Some(outcome) = outcome else {
                    self.collecting = Some(c);
                    break;
                };
                self.resume_at = c.offset + c.buf.len().max(1) as u64;
                match outcome {
                    Ok(()) => match read_blob(c.offset, &c.buf) {
                        Ok(found) => {
                            self.found = Some(found);
                            return;
                        }
                        Err(e) => self.problem(e),
                    },
                    Err(Some(e)) => self.problem(e),
                    Err(None) => {}
                }
                continue;
            }
            match find_aligned(
                pos,
                chunk,
                from.max(self.resume_at.saturating_sub(pos) as usize),
            ) {
                Some(i) => {
                    self.collecting = Some(Collect {
                        offset: pos + i as u64,
                        buf: Vec::new(),
                    });
                    from = i;
                }
                None => break,
            }
        }
        // Keep the last bytes for a magic split across chunks.
        let keep = MAGIC.len() - 1;
        if chunk.len() >= keep {
            self.tail.clear();
            self.tail.extend_from_slice(&chunk[chunk.len() - keep..]);
        } else {
            self.tail.extend_from_slice(chunk);
            let extra = self.tail.len().saturating_sub(keep);
            self.tail.drain(..extra);
        }
    }

    fn problem(&mut self, e: BinaryError) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(e);
        }
    }

    pub(crate) fn finish(mut self, file_len: u64, scan: &mut Scan) {
        if let Some((packages, problems)) = self.found {
            scan.packages.extend(packages);
            scan.problems.extend(problems);
            return;
        }
        if let Some(c) = self.collecting.take() {
            // A header too short to say which format it is: not a build info blob.
            if c.buf.len() >= HEADER {
                let e = BinaryError::GoTruncated {
                    offset: c.offset,
                    needed: c.needed() as u64,
                    found: file_len - c.offset,
                };
                self.problem(e);
            }
        }
        scan.problems.extend(self.problems);
    }
}

/// The first index `i >= from` of `chunk` at a 16-byte aligned file offset where the whole
/// magic lies.
fn find_aligned(pos: u64, chunk: &[u8], from: usize) -> Option<usize> {
    let misalign = ((16 - (pos + from as u64) % 16) % 16) as usize;
    let mut i = from + misalign;
    while i + MAGIC.len() <= chunk.len() {
        if chunk[i] == MAGIC[0] && chunk[i..].starts_with(MAGIC) {
            return Some(i);
        }
        i += 16;
    }
    None
}

/// Reads a whole inline-format blob: the toolchain version and the module list.
fn read_blob(offset: u64, b: &[u8]) -> Result<(Vec<Package>, Vec<BinaryError>), BinaryError> {
    let mut at = HEADER;
    let mut strings = Vec::with_capacity(2);
    for field in ["version", "module list"] {
        let Varint::Value(len, n) = varint(&b[at..]) else {
            return Err(BinaryError::GoBadLength { offset, field });
        };
        let start = at + n;
        let end = start + len as usize;
        strings.push(&b[start..end]);
        at = end;
    }
    let version = std::str::from_utf8(strings[0]).map_err(|_| BinaryError::GoNotUtf8 {
        offset,
        field: "version",
    })?;
    Ok(packages(offset, version, strings[1]))
}

/// The components of one build info: `version` is the toolchain (`go1.22.3`), `mod_info` the
/// module list as the binary holds it (with Go's 16-byte sentinels).
pub fn packages(offset: u64, version: &str, mod_info: &[u8]) -> (Vec<Package>, Vec<BinaryError>) {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    // Go's rule (debug/buildinfo): the list is framed by 16-byte sentinels, the text ending
    // in a newline just before the closing one; anything else is no list.
    let n = mod_info.len();
    let text = if n >= 33 && mod_info[n - 17] == b'\n' {
        &mod_info[16..n - 16]
    } else {
        &[][..]
    };
    match std::str::from_utf8(text) {
        Ok(text) => read_mod_info(offset, text, &mut out, &mut problems),
        Err(_) => problems.push(BinaryError::GoNotUtf8 {
            offset,
            field: "module list",
        }),
    }
    let toolchain = version.split_whitespace().next().unwrap_or("");
    match gomod::stdlib_version(toolchain, true).filter(|_| toolchain.starts_with("go")) {
        Some(v) => out.push(Package::new(Ecosystem::Go, gomod::STDLIB, v)),
        None => problems.push(BinaryError::GoToolchainNotRelease {
            version: version.chars().take(100).collect(),
        }),
    }
    (out, problems)
}

struct Module {
    path: String,
    version: String,
}

fn read_mod_info(offset: u64, text: &str, out: &mut Vec<Package>, problems: &mut Vec<BinaryError>) {
    let mut main: Option<Module> = None;
    // Each module, with its replacement (`None` inside: a local directory).
    let mut deps: Vec<(Module, Option<Option<Module>>)> = Vec::new();
    let mut main_replace: Option<Option<Module>> = None;
    let mut build: Vec<(String, String)> = Vec::new();
    let mut last_was_main = false;
    let mut line_problems = 0usize;
    let mut bad = |line: u32, reason: String, problems: &mut Vec<BinaryError>| {
        line_problems += 1;
        if line_problems <= MAX_LINE_PROBLEMS {
            problems.push(BinaryError::GoLine {
                offset,
                line,
                reason,
            });
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if raw.is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        let module = |f: &[&str]| -> Option<Module> {
            let path = f.get(1).filter(|p| !p.is_empty())?;
            let version = f.get(2).copied().unwrap_or("");
            Some(Module {
                path: (*path).to_owned(),
                version: version.to_owned(),
            })
        };
        match fields[0] {
            "path" | "go" => {}
            "mod" => match module(&fields) {
                Some(m) if !m.version.is_empty() => {
                    main = Some(m);
                    last_was_main = true;
                }
                _ => bad(
                    line,
                    format!("malformed `mod` line `{}`", clip(raw)),
                    problems,
                ),
            },
            "dep" => match module(&fields) {
                Some(m) if !m.version.is_empty() => {
                    deps.push((m, None));
                    last_was_main = false;
                }
                _ => bad(
                    line,
                    format!("malformed `dep` line `{}`", clip(raw)),
                    problems,
                ),
            },
            "=>" => {
                let Some(m) = module(&fields) else {
                    bad(
                        line,
                        format!("malformed `=>` line `{}`", clip(raw)),
                        problems,
                    );
                    continue;
                };
                // Go writes a local directory as a path with the version `(devel)` (or none).
                let local = m.version.is_empty()
                    || m.version == DEVEL
                    || [".", "/"].iter().any(|p| m.path.starts_with(p));
                let replacement = (!local).then_some(m);
                if last_was_main && main.is_some() {
                    main_replace = Some(replacement);
                } else if let Some(last) = deps.last_mut().filter(|d| d.1.is_none()) {
                    last.1 = Some(replacement);
                } else {
                    bad(line, "`=>` with no module above it".to_owned(), problems);
                }
            }
            "build" => {
                let setting = fields.get(1..).map(|f| f.join("\t")).unwrap_or_default();
                match setting.split_once('=') {
                    Some((k, v)) => build.push((k.to_owned(), unquote(v))),
                    None => bad(
                        line,
                        format!("malformed `build` line `{}`", clip(raw)),
                        problems,
                    ),
                }
            }
            other => bad(
                line,
                format!("unknown line kind `{}`", clip(other)),
                problems,
            ),
        }
    }
    if line_problems > MAX_LINE_PROBLEMS {
        problems.push(BinaryError::GoLine {
            offset,
            line: 0,
            reason: format!(
                "{} more malformed lines not listed",
                line_problems - MAX_LINE_PROBLEMS
            ),
        });
    }
    let Some(main) = main else {
        problems.push(BinaryError::GoNoModules { offset });
        return;
    };
    let setting = |key: &str| {
        build
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let main = match main_replace {
        Some(Some(r)) => r,
        _ => main,
    };
    let version = if main.version == DEVEL {
        main_version(
            setting("-ldflags"),
            setting("vcs.revision"),
            setting("vcs.time"),
        )
    } else {
        main.version
    };
    out.push(Package::new(Ecosystem::Go, main.path, version));
    for (m, replacement) in deps {
        let m = match replacement {
            None => m,
            Some(Some(r)) => r,
            Some(None) => {
                // Built from a directory of the project itself: first-party code, under the
                // module path the build required.
                let mut p = Package::new(Ecosystem::Go, m.path, m.version);
                p.first_party = true;
                out.push(p);
                continue;
            }
        };
        out.push(Package::new(Ecosystem::Go, m.path, m.version));
    }
}

/// The version Go gives a main module built from a checkout.
pub const DEVEL: &str = "(devel)";

/// A `(devel)` main module's version: from the linker flags, else a pseudo-version from the
/// VCS settings, else `(devel)` (Syft's order).
pub fn main_version(ldflags: Option<&str>, revision: Option<&str>, time: Option<&str>) -> String {
    if let Some(v) = ldflags.and_then(version_from_ldflags) {
        return v;
    }
    if let (Some(rev), Some(time)) = (revision, time)
        && !rev.is_empty()
        && rev.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        let rev: String = rev.chars().take(12).collect();
        return format!("v0.0.0-{}-{rev}", pseudo_time(time));
    }
    DEVEL.to_owned()
}

/// `YYYYMMDDHHMMSS` of an RFC 3339 UTC time as Go writes `vcs.time`; Go's zero time otherwise.
fn pseudo_time(time: &str) -> String {
    let b = time.as_bytes();
    let shape_ok = b.len() >= 20
        && b.ends_with(b"Z")
        && [4, 7].iter().all(|&i| b[i] == b'-')
        && b[10] == b'T'
        && [13, 16].iter().all(|&i| b[i] == b':')
        && [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
            .into_iter()
            .all(|r| b[r].iter().all(u8::is_ascii_digit));
    if !shape_ok {
        return "00010101000000".to_owned();
    }
    time[..19].chars().filter(char::is_ascii_digit).collect()
}

/// A version set with `-X` in the linker flags, as Syft reads it: a variable whose name ends
/// in `version`/`Version` (optionally `git`/`build` before it) or else `tag`/`Tag`, holding
/// `[v]N.N.N[-suffix]` (after any `…/` prefix). Returned with a `v`.
pub fn version_from_ldflags(ldflags: &str) -> Option<String> {
    let assignments: Vec<(&str, &str)> = ldflags
        .split(|c: char| c.is_whitespace())
        .filter_map(|word| {
            let word = word.trim_matches(|c| c == '"' || c == '\'');
            let (key, value) = word.split_once('=')?;
            let (_, name) = key.rsplit_once('.')?;
            Some((name, value))
        })
        .collect();
    let is_version = |n: &str| {
        let n = n
            .strip_prefix("git")
            .or_else(|| n.strip_prefix("Git"))
            .unwrap_or(n);
        let n = n
            .strip_prefix("build")
            .or_else(|| n.strip_prefix("Build"))
            .unwrap_or(n);
        n == "version" || n == "Version"
    };
    let is_tag = |n: &str| n == "tag" || n == "Tag";
    for wanted in [&is_version as &dyn Fn(&str) -> bool, &is_tag] {
        for (name, value) in &assignments {
            if !wanted(name) {
                continue;
            }
            let value = value.rsplit('/').next().unwrap_or(value);
            if let Some(v) = semver_prefix(value) {
                return Some(if v.starts_with('v') {
                    v.to_owned()
                } else {
                    format!("v{v}")
                });
            }
        }
    }
    None
}

/// The leading `[v]N.N.N[-\w]*` of `s`.
fn semver_prefix(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'v'));
    for part in 0..3 {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        if part < 2 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    while i < b.len() && (b[i] == b'-' || b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
        i += 1;
    }
    Some(&s[..i])
}

/// A `build` value as Go writes it: quoted (`strconv.Quote`) when it holds spaces or quotes.
fn unquote(v: &str) -> String {
    let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return v.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn clip(s: &str) -> String {
    let mut c: String = s.chars().take(80).collect();
    if c.len() < s.len() {
        c.push('…');
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldflags_versions() {
        assert_eq!(
            version_from_ldflags("-w -s -X main.version=1.18.1 -X main.gitCommit=5e16e50")
                .as_deref(),
            Some("v1.18.1")
        );
        assert_eq!(
            version_from_ldflags(r#"-X "github.com/docker/cli/cli/version.Version=28.2.2""#)
                .as_deref(),
            Some("v28.2.2")
        );
        assert_eq!(
            version_from_ldflags("-X main.Tag=v2.0.1-rc1 -X a.b=c").as_deref(),
            Some("v2.0.1-rc1")
        );
        assert_eq!(version_from_ldflags("-X main.version=dev"), None);
        assert_eq!(version_from_ldflags("-X version=1.2.3"), None);
    }

    #[test]
    fn pseudo_versions() {
        assert_eq!(
            main_version(
                None,
                Some("5e16e5031a13f8a11057feb8544decebfc43b4ed"),
                Some("2024-12-13T18:30:11Z")
            ),
            "v0.0.0-20241213183011-5e16e5031a13"
        );
        assert_eq!(
            main_version(None, Some("abc"), Some("yesterday")),
            "v0.0.0-00010101000000-abc"
        );
        assert_eq!(main_version(None, None, None), DEVEL);
    }

    #[test]
    fn varints() {
        assert!(matches!(varint(&[0x05]), Varint::Value(5, 1)));
        assert!(matches!(varint(&[0x80, 0x01]), Varint::Value(128, 2)));
        assert!(matches!(varint(&[0x80]), Varint::Short));
        assert!(matches!(varint(&[0xff; 11]), Varint::Bad));
    }
}
