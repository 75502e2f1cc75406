//! The matching engine: keyword pass, regexes, filters. Works on one in-memory buffer.

use crate::filter::{NotASecret, judge};
use crate::rule::RuleSet;
use crate::secret::Secret;

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
    /// 1-based lines of the whole match (keyword and value), which may start before `line`
    pub match_line: u32,
    pub match_end_line: u32,
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

/// Whether a generic rule's match may start at `at`: the keyword begins a word. The byte
/// before is not a letter or digit (`db_password`, `"password"`, line start), or the keyword
/// starts a camel-case word (`dbPassword`: lower case or digit, then an upper-case letter
/// followed by a lower-case one). So `pwd` inside `…hpwdazH9Aw==` (a base64 integrity hash)
/// and `pass` inside `bypass` or `compass` are not keywords.
pub(crate) fn keyword_boundary(data: &[u8], at: usize) -> bool {
    let Some(&prev) = at.checked_sub(1).and_then(|i| data.get(i)) else {
        return true;
    };
    if !prev.is_ascii_alphanumeric() {
        return true;
    }
    let cur = data.get(at).copied().unwrap_or(0);
    let next = data.get(at + 1).copied().unwrap_or(0);
    (prev.is_ascii_lowercase() || prev.is_ascii_digit())
        && cur.is_ascii_uppercase()
        && next.is_ascii_lowercase()
}

/// A match a filter dropped, and why (see [`RuleSet::rejections`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// the rule's id
    pub rule: String,
    /// 1-based line of the value's start
    pub line: u32,
    pub reason: NotASecret,
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
        self.scan_recording(data, None)
    }

    /// The matches the filters dropped in `data`, with the reason of each, in rule order then
    /// position: what `scan` does not report and why. For tests, docs and triage.
    pub fn rejections(&self, data: &[u8]) -> Vec<Rejection> {
        let mut out = Vec::new();
        self.scan_recording(data, Some(&mut out));
        out
    }

    fn scan_recording(&self, data: &[u8], mut record: Option<&mut Vec<Rejection>>) -> Vec<Match> {
        let candidates = self.candidates(data);
        if candidates.is_empty() {
            return Vec::new();
        }
        let mut lines: Option<Lines> = None;
        let mut out: Vec<Match> = Vec::new();
        for ri in candidates {
            let rule = &self.rules[ri];
            let mut at = 0;
            while at <= data.len() {
                let Some(caps) = rule.regex.captures_at(data, at) else {
                    break;
                };
                let Some(whole) = caps.get(0) else { break };
                if rule.generic && !keyword_boundary(data, whole.start()) {
                    // the keyword is inside a word: look again one byte further
                    at = whole.start() + 1;
                    continue;
                }
                at = whole.end().max(whole.start() + 1);
                let m = rule
                    .secret_groups
                    .iter()
                    .find_map(|&g| caps.get(g))
                    .unwrap_or(whole);
                let secret = &data[m.start()..m.end()];
                let lines = lines.get_or_insert_with(|| Lines::new(data));
                let host = rule
                    .host_group
                    .and_then(|g| caps.get(g))
                    .map(|h| h.as_bytes());
                if let Some(reason) = judge(rule, secret, host) {
                    if let Some(record) = record.as_deref_mut() {
                        record.push(Rejection {
                            rule: rule.id.clone(),
                            line: to_u32(lines.locate(m.start()).0 + 1),
                            reason,
                        });
                    }
                    continue;
                }
                let (li, ls) = lines.locate(m.start());
                let end = m.end().saturating_sub(1).max(m.start());
                let (le, les) = lines.locate(end);
                let allowed = |idx: usize| {
                    memchr::memmem::find(lines.line_bytes(data, idx), ALLOW_MARKER).is_some()
                };
                let inline_allowed = allowed(li) || (le != li && allowed(le));
                let match_line = lines.locate(whole.start()).0;
                let match_end_line = lines
                    .locate(whole.end().saturating_sub(1).max(whole.start()))
                    .0;
                out.push(Match {
                    rule: ri,
                    start: m.start(),
                    end: m.end(),
                    line: to_u32(li + 1),
                    column: to_u32(m.start() - ls + 1),
                    end_line: to_u32(le + 1),
                    end_column: to_u32(end - les + 2),
                    secret: Secret::new(secret),
                    match_line: to_u32(match_line.min(li) + 1),
                    match_end_line: to_u32(match_end_line.max(le) + 1),
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
