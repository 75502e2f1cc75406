//! Offline typosquat detection: a package whose name resembles a very popular package of the
//! same ecosystem, and that is not itself popular, is a suspected typosquat naming the package
//! it resembles (docs/rules/packages-typosquat.md).
//!
//! The popular lists ship inside this crate as data (`data/popular/*.txt`, their origin in
//! `data/popular/SOURCES.md`), so detection never needs the network; a newer copy of the same
//! format (`vouch db update`) wins ([`Popular::newer`]). An [`Index`] is built once per list and
//! answers [`Index::check`] for one name in microseconds (exact sets for the variant kinds, a
//! deletion-neighbourhood index for the edit distance), so a lockfile of thousands of packages
//! is checked in milliseconds.
//!
//! A list's first [`TARGETS`] names are the ones squats are looked for against; every name
//! on it is known and never flagged. The kinds of resemblance, in order: separators or an npm
//! scope's `@`/`/` ([`Kind::Separator`], [`Kind::Scope`]), homoglyphs
//! ([`Kind::Homoglyph`]), the same words reordered ([`Kind::Reordered`]), a language prefix or
//! suffix added or dropped ([`Kind::Affix`]), and a small Damerau–Levenshtein (optimal string
//! alignment) distance ([`Kind::Edit`], see [`max_distance`]). Names are compared after the
//! ecosystem's normalisation ([`Ecosystem::normalize`]). Never flagged: a popular name itself,
//! and an npm package in a scope that holds a listed package (a scope has one owner).
//!
//! ```
//! use vouch_typosquat::{Ecosystem, Index, Kind, Popular};
//! let index = Index::new(&Popular::embedded(Ecosystem::PyPi));
//! let s = index.check("reqeusts").unwrap();
//! assert_eq!((s.resembles.as_str(), s.kind), ("requests", Kind::Edit(1)));
//! assert!(index.check("requests").is_none());
//! assert!(index.check("Requests").is_none());
//! assert_eq!(index.check("python-requests").unwrap().kind, Kind::Affix("python-"));
//! ```

pub mod source;

use std::collections::{HashMap, HashSet};

/// The ecosystems that have a popular list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    Npm,
    PyPi,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 2] = [Ecosystem::Npm, Ecosystem::PyPi];

    /// The ecosystem's usual name (as in OSV).
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPi => "PyPI",
        }
    }

    /// The list's file name, in `data/popular/` and in the data directory's `popular/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm.txt",
            Ecosystem::PyPi => "pypi.txt",
        }
    }

    /// The name as the registry compares it: npm lower-cases (old packages such as
    /// `JSONStream` kept capitals, but no two names differ only in case); PyPI follows PEP 503
    /// (lower case, every run of `-`, `_` and `.` one `-`).
    pub fn normalize(self, name: &str) -> String {
        let name = name.trim();
        match self {
            Ecosystem::Npm => name.to_ascii_lowercase(),
            Ecosystem::PyPi => {
                let mut out = String::with_capacity(name.len());
                let mut in_run = false;
                for c in name.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_run {
                            out.push('-');
                        }
                        in_run = true;
                    } else {
                        out.push(c.to_ascii_lowercase());
                        in_run = false;
                    }
                }
                out
            }
        }
    }

    /// Language prefixes and suffixes that impersonation adds to (or drops from) a popular
    /// name: `python-requests`, `requests-py`, `node-lodash`, `lodash-js`.
    fn affixes(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Ecosystem::PyPi => (
                &["python3-", "python-", "py3-", "py-"],
                &["-python3", "-python", "-py3", "-py"],
            ),
            Ecosystem::Npm => (
                &["nodejs-", "node-", "js-"],
                &["-nodejs", "-node", "-js", ".js"],
            ),
        }
    }
}

/// Most names a popular list may hold.
pub const MAX_NAMES: usize = 100_000;
/// How many of a list's names (its most popular) a typosquat is looked for against. Every
/// name of the list is *known*: never flagged, whatever it resembles. The shipped lists hold
/// about 15,000 names each: a legitimate package of rank 5,001 to 15,000 (`babel-cli` beside
/// `@babel/cli`, `prompt` beside `prompts`) is thus never reported.
pub const TARGETS: usize = 5000;
/// Longest package name considered (npm's limit; PyPI has none, longer names are not checked).
pub const MAX_NAME_LEN: usize = 214;

/// A popular-package list: names in rank order, with where and when it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Popular {
    pub ecosystem: Ecosystem,
    /// Names as listed, most popular first.
    pub names: Vec<String>,
    /// The `# source:` header: repository, file and commit.
    pub source: String,
    /// The `# date:` header (`YYYY-MM-DD`): when the list was taken.
    pub date: String,
}

/// Why a popular list cannot be used. Messages name the list (`origin`) and the line, never
/// quote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("popular list {origin}: no `# {header}:` line")]
    MissingHeader {
        origin: String,
        header: &'static str,
    },
    #[error("popular list {origin}, line {line}: the date is not YYYY-MM-DD")]
    BadDate { origin: String, line: usize },
    #[error(
        "popular list {origin}, line {line}: not a package name (1 to 214 characters of a-z, A-Z, 0-9, `-`, `_`, `.`, and `@scope/` for npm)"
    )]
    BadName { origin: String, line: usize },
    #[error("popular list {origin}: more than {MAX_NAMES} names")]
    TooMany { origin: String },
    #[error("popular list {origin}: no names")]
    Empty { origin: String },
}

const EMBEDDED_NPM: &str = include_str!("../data/popular/npm.txt");
const EMBEDDED_PYPI: &str = include_str!("../data/popular/pypi.txt");

impl Popular {
    /// The list shipped with vouch (see `data/popular/SOURCES.md`).
    pub fn embedded(ecosystem: Ecosystem) -> Self {
        let text = match ecosystem {
            Ecosystem::Npm => EMBEDDED_NPM,
            Ecosystem::PyPi => EMBEDDED_PYPI,
        };
        // The shipped files are tested (`embedded_lists_parse`): a failure here is a build bug.
        Self::parse(ecosystem, text, "embedded").expect("the embedded popular list parses")
    }

    /// Reads a list: `#` header lines (`# source: …`, `# date: YYYY-MM-DD`), then one name a
    /// line in rank order; blank lines are skipped.
    pub fn parse(ecosystem: Ecosystem, text: &str, origin: &str) -> Result<Self, ParseError> {
        let (mut source, mut date, mut names) = (None, None, Vec::new());
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            let no = i + 1;
            if line.is_empty() {
                continue;
            }
            if let Some(header) = line.strip_prefix('#') {
                let header = header.trim();
                if let Some(s) = header.strip_prefix("source:") {
                    source = Some(s.trim().to_owned());
                } else if let Some(d) = header.strip_prefix("date:") {
                    let d = d.trim();
                    if !is_date(d) {
                        return Err(ParseError::BadDate {
                            origin: origin.to_owned(),
                            line: no,
                        });
                    }
                    date = Some(d.to_owned());
                }
                continue;
            }
            if !is_name(ecosystem, line) {
                return Err(ParseError::BadName {
                    origin: origin.to_owned(),
                    line: no,
                });
            }
            if names.len() == MAX_NAMES {
                return Err(ParseError::TooMany {
                    origin: origin.to_owned(),
                });
            }
            names.push(line.to_owned());
        }
        let missing = |header| ParseError::MissingHeader {
            origin: origin.to_owned(),
            header,
        };
        let source = source.ok_or_else(|| missing("source"))?;
        let date = date.ok_or_else(|| missing("date"))?;
        if names.is_empty() {
            return Err(ParseError::Empty {
                origin: origin.to_owned(),
            });
        }
        Ok(Self {
            ecosystem,
            names,
            source,
            date,
        })
    }

    /// The list in the format [`Popular::parse`] reads (the shipped files' format).
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "# vouch popular packages: {}, in rank order\n# source: {}\n# date: {}\n",
            self.ecosystem.as_str(),
            self.source,
            self.date
        );
        for n in &self.names {
            out.push_str(n);
            out.push('\n');
        }
        out
    }

    /// The newer of two lists of the same ecosystem (by `date`; `self` on a tie, so the shipped
    /// list stays unless a strictly newer copy was downloaded).
    pub fn newer(self, other: Popular) -> Popular {
        if other.ecosystem == self.ecosystem && other.date > self.date {
            other
        } else {
            self
        }
    }
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn is_name(ecosystem: Ecosystem, name: &str) -> bool {
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    };
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return false;
    }
    match (ecosystem, name.strip_prefix('@')) {
        (Ecosystem::Npm, Some(scoped)) => scoped
            .split_once('/')
            .is_some_and(|(scope, rest)| plain(scope) && plain(rest)),
        _ => plain(name),
    }
}

/// How a name resembles the popular one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The same name with other separators (`-`, `_`, `.`), or none: `python_dateutil` is the
    /// same PyPI name, `pythondateutil` is not.
    Separator,
    /// An npm scoped name written without its scope's `@` and `/` (`types-node` for
    /// `@types/node`), or the other way round.
    Scope,
    /// Letters that look alike: `rn`/`m`, `vv`/`w`, `1`/`l`, `0`/`o`.
    Homoglyph,
    /// The same words in another order (`aliyun-python-sdk-core` / `python-aliyun-sdk-core`).
    Reordered,
    /// A language prefix or suffix added or dropped (the affix).
    Affix(&'static str),
    /// Damerau–Levenshtein (optimal string alignment) distance 1 or 2.
    Edit(u8),
}

impl Kind {
    /// A stable short name, for JSON and SARIF properties.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Separator => "separator",
            Kind::Scope => "scope",
            Kind::Homoglyph => "homoglyph",
            Kind::Reordered => "reordered",
            Kind::Affix(_) => "affix",
            Kind::Edit(_) => "edit-distance",
        }
    }

    /// The resemblance in words, for the finding's message.
    pub fn describe(self) -> String {
        match self {
            Kind::Separator => "differs only in separators".to_owned(),
            Kind::Scope => "differs only in the npm scope's `@` and `/`".to_owned(),
            Kind::Homoglyph => "differs only in look-alike letters".to_owned(),
            Kind::Reordered => "has the same words in another order".to_owned(),
            Kind::Affix(a) => format!("adds or drops `{a}`"),
            Kind::Edit(d) => format!("edit distance {d}"),
        }
    }
}

/// A suspected typosquat: the popular package a name resembles, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// The popular package, as listed.
    pub resembles: String,
    /// Its rank in the list (1 = most popular).
    pub rank: usize,
    pub kind: Kind,
}

/// The largest edit distance at which a name is compared with a popular name, by the length of
/// the shorter of the two (normalised): names under 5 characters are too dense for any edit
/// (`six`/`sip`, `ws`/`wd` are all real packages), 5 to 9 characters allow 1, 10 and more
/// allow 2.
pub fn max_distance(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=9 => 1,
        _ => 2,
    }
}

/// A popular list indexed for [`Index::check`].
#[derive(Debug)]
pub struct Index {
    ecosystem: Ecosystem,
    listed: Vec<String>,
    normal: Vec<String>,
    exact: HashMap<String, u32>,
    /// npm scopes holding a popular package.
    scopes: HashSet<String>,
    skeleton: HashMap<String, u32>,
    glyph: HashMap<String, u32>,
    tokens: HashMap<String, u32>,
    /// Popular names with a language affix, by the name without it.
    stripped: HashMap<String, (u32, &'static str)>,
    /// (hash of a deletion variant, popular id), sorted.
    deletions: Vec<(u64, u32)>,
}

impl Index {
    pub fn new(popular: &Popular) -> Self {
        let eco = popular.ecosystem;
        let mut index = Index {
            ecosystem: eco,
            listed: popular.names.clone(),
            normal: Vec::with_capacity(popular.names.len()),
            exact: HashMap::new(),
            scopes: HashSet::new(),
            skeleton: HashMap::new(),
            glyph: HashMap::new(),
            tokens: HashMap::new(),
            stripped: HashMap::new(),
            deletions: Vec::new(),
        };
        let (prefixes, suffixes) = eco.affixes();
        let mut scratch = Vec::new();
        for (id, name) in popular.names.iter().enumerate() {
            let id = u32::try_from(id).expect("at most MAX_NAMES names");
            let n = eco.normalize(name);
            if let Some(scope) = scope(&n) {
                index.scopes.insert(scope.to_owned());
            }
            index.exact.entry(n.clone()).or_insert(id);
            if id as usize >= TARGETS {
                index.normal.push(n);
                continue;
            }
            let sk = skeleton(&n);
            index.glyph.entry(fold_glyphs(&sk)).or_insert(id);
            index.skeleton.entry(sk).or_insert(id);
            if let Some(t) = tokens(&n) {
                index.tokens.entry(t).or_insert(id);
            }
            for &p in prefixes {
                if let Some(rest) = n.strip_prefix(p).filter(|r| r.len() >= 3) {
                    index.stripped.entry(rest.to_owned()).or_insert((id, p));
                }
            }
            for &s in suffixes {
                if let Some(rest) = n.strip_suffix(s).filter(|r| r.len() >= 3) {
                    index.stripped.entry(rest.to_owned()).or_insert((id, s));
                }
            }
            let k = max_distance(n.len());
            if k > 0 && n.len() <= MAX_NAME_LEN {
                scratch.clear();
                deletions(n.as_bytes(), k, &mut scratch);
                scratch.sort_unstable();
                scratch.dedup();
                index.deletions.extend(scratch.iter().map(|h| (*h, id)));
            }
            index.normal.push(n);
        }
        index.deletions.sort_unstable();
        index
    }

    pub fn ecosystem(&self) -> Ecosystem {
        self.ecosystem
    }

    /// True when `name` is itself on the list (after normalisation): known, never flagged.
    pub fn is_popular(&self, name: &str) -> bool {
        self.exact.contains_key(&self.ecosystem.normalize(name))
    }

    /// The popular package `name` resembles, or `None` when it resembles none or is popular
    /// itself. Deterministic: of several popular names that match, the first kind in
    /// [`Kind`]'s order, then the smallest distance, then the most popular wins.
    pub fn check(&self, name: &str) -> Option<Suspect> {
        let eco = self.ecosystem;
        let n = eco.normalize(name);
        if n.is_empty() || n.len() > MAX_NAME_LEN || !n.is_ascii() || self.exact.contains_key(&n) {
            return None;
        }
        let own_scope = scope(&n);
        // A package in a scope that holds a popular package is published by that scope's
        // owner: not a squat, whatever it is called.
        if own_scope.is_some_and(|s| self.scopes.contains(s)) {
            return None;
        }
        let found = |id: u32, kind: Kind| {
            Some(Suspect {
                resembles: self.listed[id as usize].clone(),
                rank: id as usize + 1,
                kind,
            })
        };
        let sk = skeleton(&n);
        if sk.len() >= 3 {
            if let Some(&id) = self.skeleton.get(&sk) {
                let theirs = scope(&self.normal[id as usize]).is_some();
                let kind = if theirs == own_scope.is_some() {
                    Kind::Separator
                } else {
                    Kind::Scope
                };
                return found(id, kind);
            }
            if let Some(&id) = self.glyph.get(&fold_glyphs(&sk)) {
                return found(id, Kind::Homoglyph);
            }
        }
        if let Some(&id) = tokens(&n).and_then(|t| self.tokens.get(&t)) {
            return found(id, Kind::Reordered);
        }
        if let Some(hit) = self.affix(&n) {
            return found(hit.0, Kind::Affix(hit.1));
        }
        self.edit(&n).and_then(|(d, id)| found(id, Kind::Edit(d)))
    }

    /// `python-requests` (a popular name with an affix added) or `dateutil` (a popular
    /// `python-dateutil` with it dropped).
    fn affix(&self, n: &str) -> Option<(u32, &'static str)> {
        let (prefixes, suffixes) = self.ecosystem.affixes();
        let id_of = |rest: &str| {
            if rest.len() >= 3 {
                self.exact
                    .get(rest)
                    .map(|id| *id as usize)
                    .filter(|id| *id < TARGETS)
            } else {
                None
            }
        };
        let mut best: Option<(u32, &'static str)> = None;
        let mut keep = |id: usize, a: &'static str| {
            let id = id as u32;
            if best.is_none_or(|(b, _)| id < b) {
                best = Some((id, a));
            }
        };
        for &p in prefixes {
            if let Some(rest) = n.strip_prefix(p)
                && let Some(id) = id_of(rest)
            {
                keep(id, p);
            }
        }
        for &s in suffixes {
            if let Some(rest) = n.strip_suffix(s)
                && let Some(id) = id_of(rest)
            {
                keep(id, s);
            }
        }
        if let Some(&(id, a)) = self.stripped.get(n) {
            keep(id as usize, a);
        }
        best
    }

    /// The nearest popular name within [`max_distance`], as (distance, id).
    fn edit(&self, n: &str) -> Option<(u8, u32)> {
        if max_distance(n.len()) == 0 {
            // The shorter name decides: no edit is allowed against a short name.
            return None;
        }
        let mut hashes = Vec::new();
        deletions(n.as_bytes(), 2, &mut hashes);
        hashes.sort_unstable();
        hashes.dedup();
        let mut ids = Vec::new();
        for h in hashes {
            let start = self.deletions.partition_point(|(x, _)| *x < h);
            ids.extend(
                self.deletions[start..]
                    .iter()
                    .take_while(|(x, _)| *x == h)
                    .map(|(_, id)| *id),
            );
        }
        ids.sort_unstable();
        ids.dedup();
        let mut best: Option<(u8, u32)> = None;
        for id in ids {
            let p = &self.normal[id as usize];
            let k = max_distance(p.len().min(n.len()));
            if k == 0 {
                continue;
            }
            let d = strsim::osa_distance(n, p);
            if d == 0 || d > k {
                continue;
            }
            let d = d as u8;
            if best.is_none_or(|b| (d, id) < b) {
                best = Some((d, id));
            }
        }
        best
    }
}

/// The npm scope of `@scope/name`.
fn scope(n: &str) -> Option<&str> {
    n.strip_prefix('@')?.split_once('/').map(|(s, _)| s)
}

/// The name without separators (`-`, `_`, `.`) and scope marks (`@`, `/`).
fn skeleton(n: &str) -> String {
    n.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | '@' | '/'))
        .collect()
}

/// Look-alikes folded to one letter: `rn`→`m`, `vv`→`w`, `1`→`l`, `0`→`o`.
fn fold_glyphs(s: &str) -> String {
    s.replace("rn", "m")
        .replace("vv", "w")
        .replace('1', "l")
        .replace('0', "o")
}

/// The words of a name (split at separators and scope marks), sorted: `None` for one word.
fn tokens(n: &str) -> Option<String> {
    let mut words: Vec<&str> = n
        .split(['-', '_', '.', '@', '/'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < 2 {
        return None;
    }
    words.sort_unstable();
    Some(words.join("-"))
}

/// FNV-1a hashes of `s` with up to `k` (≤ 2) bytes deleted, into `out`.
fn deletions(s: &[u8], k: usize, out: &mut Vec<u64>) {
    let hash = |skip: [usize; 2]| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (i, b) in s.iter().enumerate() {
            if i != skip[0] && i != skip[1] {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        // The length kept, so "ab" minus nothing and "abc" minus "c" differ only by content.
        h ^ (s.len() - skip.iter().filter(|i| **i < s.len()).count()) as u64
    };
    let none = usize::MAX;
    out.push(hash([none, none]));
    if k >= 1 {
        for i in 0..s.len() {
            out.push(hash([i, none]));
        }
    }
    if k >= 2 {
        for i in 0..s.len() {
            for j in i + 1..s.len() {
                out.push(hash([i, j]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lists_parse() {
        for eco in Ecosystem::ALL {
            let p = Popular::embedded(eco);
            assert!(p.names.len() >= 15_000, "{eco:?}");
            assert!(p.source.starts_with("github.com/"));
        }
    }

    #[test]
    fn pep_503() {
        assert_eq!(Ecosystem::PyPi.normalize("Foo__Bar.-baz"), "foo-bar-baz");
        assert_eq!(Ecosystem::Npm.normalize("JSONStream"), "jsonstream");
    }

    fn pypi() -> Index {
        Index::new(&Popular::embedded(Ecosystem::PyPi))
    }

    fn npm() -> Index {
        Index::new(&Popular::embedded(Ecosystem::Npm))
    }

    fn kind(index: &Index, name: &str) -> Option<(String, Kind)> {
        index.check(name).map(|s| (s.resembles, s.kind))
    }

    #[test]
    fn each_kind_names_the_package() {
        let (p, n) = (pypi(), npm());
        let k = |r: &str, kind| Some((r.to_owned(), kind));
        assert_eq!(
            kind(&p, "pythondateutil"),
            k("python-dateutil", Kind::Separator)
        );
        assert_eq!(kind(&n, "types-node"), k("@types/node", Kind::Scope));
        assert_eq!(kind(&n, "typesnode"), k("@types/node", Kind::Scope));
        assert_eq!(kind(&n, "c0mmander"), k("commander", Kind::Homoglyph));
        assert_eq!(kind(&p, "rnatplotlib"), k("matplotlib", Kind::Homoglyph));
        assert_eq!(
            kind(&p, "dateutil-python"),
            k("python-dateutil", Kind::Reordered)
        );
        assert_eq!(
            kind(&p, "python-requests"),
            k("requests", Kind::Affix("python-"))
        );
        assert_eq!(kind(&p, "requests-py"), k("requests", Kind::Affix("-py")));
        assert_eq!(kind(&n, "lodash-js"), k("lodash", Kind::Affix("-js")));
        assert_eq!(kind(&n, "node-lodash"), k("lodash", Kind::Affix("node-")));
        assert_eq!(kind(&p, "reqeusts"), k("requests", Kind::Edit(1)));
        assert_eq!(kind(&p, "mstplotlib"), k("matplotlib", Kind::Edit(1)));
        // 10 characters and more: distance 2
        assert_eq!(kind(&p, "matpolltib"), k("matplotlib", Kind::Edit(2)));
        // 5 to 9: distance 1 only
        assert_eq!(kind(&p, "reqeustz"), None);
    }

    #[test]
    fn popular_names_and_their_spellings_are_never_flagged() {
        let (p, n) = (pypi(), npm());
        for name in [
            "requests",
            "Requests",
            "python_dateutil",
            "typing.extensions",
            "boto3",
        ] {
            assert_eq!(p.check(name), None, "{name}");
        }
        for name in ["lodash", "JSONStream", "@types/node", "@babel/core"] {
            assert_eq!(n.check(name), None, "{name}");
        }
    }

    #[test]
    fn a_popular_scope_is_its_owner_s() {
        // Any package of a scope that holds a popular package is published by that scope's
        // owner; a look-alike scope is not.
        let n = npm();
        assert_eq!(n.check("@babel/core-squat"), None);
        assert_eq!(
            kind(&n, "@babe1/core").map(|k| k.0),
            Some("@babel/core".to_owned())
        );
    }

    #[test]
    fn short_names_allow_no_edit() {
        let p = pypi();
        assert_eq!(max_distance(4), 0);
        assert_eq!(p.check("sixx"), None); // six
        assert_eq!(p.check(""), None);
        assert_eq!(p.check(&"a".repeat(MAX_NAME_LEN + 1)), None);
    }

    #[test]
    fn bad_lists_are_refused_with_the_line() {
        let parse = |t: &str| Popular::parse(Ecosystem::Npm, t, "l.txt");
        assert_eq!(
            parse("# date: 2026-01-01\nlodash\n")
                .unwrap_err()
                .to_string(),
            "popular list l.txt: no `# source:` line"
        );
        assert_eq!(
            parse("# source: s\n# date: 2026-1-1\n").unwrap_err(),
            ParseError::BadDate {
                origin: "l.txt".into(),
                line: 2
            }
        );
        assert_eq!(
            parse("# source: s\n# date: 2026-01-01\nlo dash\n").unwrap_err(),
            ParseError::BadName {
                origin: "l.txt".into(),
                line: 3
            }
        );
        assert_eq!(
            parse("# source: s\n# date: 2026-01-01\n@scope\n").unwrap_err(),
            ParseError::BadName {
                origin: "l.txt".into(),
                line: 3
            }
        );
        assert_eq!(
            parse("# source: s\n# date: 2026-01-01\n").unwrap_err(),
            ParseError::Empty {
                origin: "l.txt".into()
            }
        );
        let ok = parse("# source: s\n# date: 2027-01-01\nlodash\n\n@a/b\n").unwrap();
        assert_eq!(ok.names, ["lodash", "@a/b"]);
        let shipped = Popular::embedded(Ecosystem::Npm);
        assert_eq!(shipped.clone().newer(ok.clone()), ok);
        let old = parse("# source: s\n# date: 2020-01-01\nlodash\n").unwrap();
        assert_eq!(shipped.clone().newer(old), shipped);
    }

    #[test]
    fn deletion_hashes_meet_for_each_edit() {
        let meet = |a: &str, b: &str| {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            deletions(a.as_bytes(), 1, &mut x);
            deletions(b.as_bytes(), 1, &mut y);
            x.iter().any(|h| y.contains(h))
        };
        assert!(meet("requests", "reqeusts"));
        assert!(meet("requests", "requets"));
        assert!(meet("requests", "requestss"));
        assert!(meet("requests", "requezts"));
        assert!(!meet("requests", "rekwests"));
    }
}
