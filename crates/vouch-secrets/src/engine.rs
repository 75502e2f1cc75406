//! The matching engine: keyword pass, regexes, filters. Works on one in-memory buffer.

use crate::rule::{Rule, RuleSet};
use crate::secret::{Secret, entropy};

/// Values that mark a match as documentation or a template, not a live secret (compared
/// case-insensitively as substrings of the secret).
const PLACEHOLDERS: &[&str] = &[
    "example",
    "xxxx",
    "****",
    "${",
    "{{",
    "<",
    ">",
    "%s",
    "$(",
    "dummy",
    "placeholder",
    "redacted",
    "your_",
    "your-",
    "yourkey",
    "changeme",
    "change_me",
    "sample",
    "...",
    "…",
    "fake",
    "insert",
];

/// The marker that suppresses a match on its line.
pub const ALLOW_MARKER: &[u8] = b"vouch:allow";

/// One rule match that passed every filter.
#[derive(Debug, Clone)]
pub struct Match {
    pub rule: usize,
    /// byte range of the secret in the scanned buffer
    pub start: usize,
    pub end: usize,
    /// 1-based
    pub line: u32,
    /// 1-based, in bytes
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub secret: Secret,
    /// the line carries `vouch:allow`
    pub inline_allowed: bool,
}

/// Line starts of a buffer, computed once per buffer on the first match.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(data: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
        Self { starts }
    }
    /// (0-based line index, line start)
    fn locate(&self, offset: usize) -> (usize, usize) {
        let idx = self.starts.partition_point(|&s| s <= offset) - 1;
        (idx, self.starts[idx])
    }
    fn line_bytes<'a>(&self, data: &'a [u8], idx: usize) -> &'a [u8] {
        let start = self.starts[idx];
        let end = self.starts.get(idx + 1).map_or(data.len(), |&e| e);
        &data[start..end]
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether `data` looks binary (a NUL byte in the first 8 KiB, as git decides).
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8192)]).is_some()
}

fn is_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDERS
        .iter()
        .any(|p| memchr::memmem::find(&lower, p.as_bytes()).is_some())
    {
        return true;
    }
    // a run of one repeated character over most of the value: `000000…`, `aaaa…`
    let first = lower.first().copied();
    first.is_some_and(|f| lower.iter().filter(|&&b| b == f).count() * 10 >= lower.len() * 8)
}

fn passes_filters(rule: &Rule, secret: &[u8]) -> bool {
    if secret.is_empty() || is_placeholder(secret) {
        return false;
    }
    if !rule.stopwords.is_empty() {
        let lower = secret.to_ascii_lowercase();
        if rule
            .stopwords
            .iter()
            .any(|s| memchr::memmem::find(&lower, s.as_bytes()).is_some())
        {
            return false;
        }
    }
    if let Some(min) = rule.entropy
        && entropy(secret) < min
    {
        return false;
    }
    true
}

impl RuleSet {
    /// The rules whose keywords occur in `data`.
    pub(crate) fn candidates(&self, data: &[u8]) -> Vec<usize> {
        let mut hit = vec![false; self.rules.len()];
        let mut remaining = self.rules.len();
        for m in self.keywords.find_overlapping_iter(data) {
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                if !hit[r] {
                    hit[r] = true;
                    remaining -= 1;
                }
            }
            if remaining == 0 {
                break;
            }
        }
        hit.iter()
            .enumerate()
            .filter(|(_, h)| **h)
            .map(|(i, _)| i)
            .collect()
    }

    /// Every match in `data` that passes the filters, generic rules yielding to specific ones,
    /// sorted by position.
    pub fn scan(&self, data: &[u8]) -> Vec<Match> {
        let candidates = self.candidates(data);
        if candidates.is_empty() {
            return Vec::new();
        }
        let mut lines: Option<Lines> = None;
        let mut out: Vec<Match> = Vec::new();
        for ri in candidates {
            let rule = &self.rules[ri];
            for caps in rule.regex.captures_iter(data) {
                let m = rule
                    .secret_groups
                    .iter()
                    .find_map(|&g| caps.get(g))
                    .or_else(|| caps.get(0));
                let Some(m) = m else { continue };
                let secret = &data[m.start()..m.end()];
                if !passes_filters(rule, secret) {
                    continue;
                }
                let lines = lines.get_or_insert_with(|| Lines::new(data));
                let (li, ls) = lines.locate(m.start());
                let end = m.end().saturating_sub(1).max(m.start());
                let (le, les) = lines.locate(end);
                let allowed = |idx: usize| {
                    memchr::memmem::find(lines.line_bytes(data, idx), ALLOW_MARKER).is_some()
                };
                let inline_allowed = allowed(li) || (le != li && allowed(le));
                out.push(Match {
                    rule: ri,
                    start: m.start(),
                    end: m.end(),
                    line: to_u32(li + 1),
                    column: to_u32(m.start() - ls + 1),
                    end_line: to_u32(le + 1),
                    end_column: to_u32(end - les + 2),
                    secret: Secret::new(secret),
                    inline_allowed,
                });
            }
        }
        // generic rules yield to specific rules on an overlapping span; identical spans once
        let specific: Vec<(usize, usize)> = out
            .iter()
            .filter(|m| !self.rules[m.rule].generic)
            .map(|m| (m.start, m.end))
            .collect();
        out.retain(|m| {
            !self.rules[m.rule].generic || !specific.iter().any(|&(s, e)| m.start < e && s < m.end)
        });
        out.sort_by_key(|m| (m.start, m.end, m.rule));
        out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.rule == b.rule);
        out
    }
}
