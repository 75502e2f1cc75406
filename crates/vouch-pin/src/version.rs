//! Semver-ish release tags as images and actions use them: `v4.1.1`, `4.1`, `3.12.4-slim`,
//! `1.27.0-alpine3.20`. A tag is an optional `v`, one to four numbers, and an optional variant
//! suffix (`-slim`). An update keeps the prefix, the number of components and the suffix, so
//! `3.12.1-slim` moves to `3.12.4-slim`, never to `3.13-slim` or `3.12.4-alpine`.

use std::cmp::Ordering;
use std::fmt;

/// A parsed release tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagVersion {
    raw: String,
    prefix: String,
    numbers: Vec<u64>,
    suffix: String,
}

const PRERELEASE_WORDS: &[&str] = &[
    "alpha", "beta", "rc", "pre", "preview", "dev", "snapshot", "canary", "nightly", "next",
];

impl TagVersion {
    /// Parse `s`, or `None` when it is not a release-like tag (`main`, `latest`, `3.13.0rc1`).
    pub fn parse(s: &str) -> Option<Self> {
        let (prefix, rest) = match s.strip_prefix(['v', 'V']) {
            Some(r) => (&s[..1], r),
            None => ("", s),
        };
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (nums, suffix) = rest.split_at(end);
        if nums.is_empty() || nums.ends_with('.') {
            return None;
        }
        let numbers: Vec<u64> = nums
            .split('.')
            .map(|n| {
                if n.is_empty() || n.len() > 18 {
                    None
                } else {
                    n.parse().ok()
                }
            })
            .collect::<Option<_>>()?;
        if numbers.len() > 4 {
            return None;
        }
        if !(suffix.is_empty() || suffix.starts_with(['-', '_', '+'])) {
            return None;
        }
        Some(Self {
            raw: s.to_owned(),
            prefix: prefix.to_owned(),
            numbers,
            suffix: suffix.to_owned(),
        })
    }

    pub fn major(&self) -> u64 {
        self.numbers[0]
    }

    pub fn numbers(&self) -> &[u64] {
        &self.numbers
    }

    pub fn suffix(&self) -> &str {
        &self.suffix
    }

    /// A pre-release: its suffix holds `rc`, `beta`, `alpha`, `dev`, … as a word.
    pub fn is_prerelease(&self) -> bool {
        self.suffix
            .to_ascii_lowercase()
            .split(['-', '.', '_', '+'])
            .any(|w| {
                PRERELEASE_WORDS.iter().any(|p| {
                    w.strip_prefix(p)
                        .is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit()))
                })
            })
    }

    /// Same prefix, same number of components, same suffix.
    pub fn same_shape(&self, other: &Self) -> bool {
        self.prefix.eq_ignore_ascii_case(&other.prefix)
            && self.numbers.len() == other.numbers.len()
            && self.suffix == other.suffix
    }

    /// Order by the numbers only (the caller compares tags of one shape).
    pub fn cmp_numbers(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers)
    }
}

impl fmt::Display for TagVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Tags newer than `current` that an update may move to, newest first: same shape, no
/// pre-releases, and within `current`'s major unless `allow_major`. Empty when `current` is
/// not a release-like tag.
pub fn candidates<'t>(current: &str, tags: &'t [String], allow_major: bool) -> Vec<&'t str> {
    let Some(cur) = TagVersion::parse(current) else {
        return Vec::new();
    };
    let mut out: Vec<(TagVersion, &str)> = tags
        .iter()
        .filter_map(|t| TagVersion::parse(t).map(|v| (v, t.as_str())))
        .filter(|(v, _)| {
            v.same_shape(&cur)
                && !v.is_prerelease()
                && v.cmp_numbers(&cur) == Ordering::Greater
                && (allow_major || v.major() == cur.major())
        })
        .collect();
    out.sort_by(|a, b| b.0.cmp_numbers(&a.0).then_with(|| a.1.cmp(b.1)));
    out.dedup_by(|a, b| a.0.cmp_numbers(&b.0) == Ordering::Equal);
    out.into_iter().map(|(_, t)| t).collect()
}

/// The most specific release tag among `same_commit` (tags pointing at the same commit as
/// `written`) that refines `written`: `v4` → `v4.1.1`. Falls back to `written`.
pub fn most_specific(written: &str, same_commit: &[String]) -> String {
    let Some(w) = TagVersion::parse(written) else {
        return written.to_owned();
    };
    same_commit
        .iter()
        .filter_map(|t| TagVersion::parse(t))
        .filter(|v| {
            v.prefix.eq_ignore_ascii_case(&w.prefix)
                && v.suffix == w.suffix
                && v.numbers.len() >= w.numbers.len()
                && v.numbers[..w.numbers.len()] == w.numbers[..]
                && !v.is_prerelease()
        })
        .max_by(|a, b| {
            a.numbers
                .len()
                .cmp(&b.numbers.len())
                .then_with(|| a.cmp_numbers(b))
                .then_with(|| b.raw.cmp(&a.raw))
        })
        .map_or_else(|| written.to_owned(), |v| v.raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parse_shapes() {
        let v = TagVersion::parse("3.12.4-slim").unwrap();
        assert_eq!((v.numbers(), v.suffix()), (&[3, 12, 4][..], "-slim"));
        assert!(TagVersion::parse("main").is_none());
        assert!(TagVersion::parse("latest").is_none());
        assert!(TagVersion::parse("3.13.0rc1").is_none());
        assert!(TagVersion::parse("1..2").is_none());
        assert!(TagVersion::parse("1.2.").is_none());
        assert!(TagVersion::parse("1.2.3.4.5").is_none());
        assert!(TagVersion::parse("v1.0.0-rc.1").unwrap().is_prerelease());
        assert!(TagVersion::parse("2.0.0-beta").unwrap().is_prerelease());
        assert!(
            !TagVersion::parse("1.27-alpine3.20")
                .unwrap()
                .is_prerelease()
        );
        assert!(
            !TagVersion::parse("3.12-slim-bookworm")
                .unwrap()
                .is_prerelease()
        );
    }

    #[test]
    fn candidates_keep_shape_major_and_skip_prereleases() {
        let t = tags(&[
            "v4.1.1",
            "v4.2.0",
            "v4.10.0",
            "v5.0.0",
            "v4.11.0-rc.1",
            "v4.3",
            "4.12.0",
            "v4",
        ]);
        assert_eq!(candidates("v4.1.1", &t, false), vec!["v4.10.0", "v4.2.0"]);
        assert_eq!(
            candidates("v4.1.1", &t, true),
            vec!["v5.0.0", "v4.10.0", "v4.2.0"]
        );
        let t = tags(&[
            "3.12.1-slim",
            "3.12.4-slim",
            "3.12.4",
            "3.13.0-slim",
            "3.12-slim",
            "3.12.5-alpine",
        ]);
        // Same major (3): 3.13.0-slim is a candidate; other shapes and variants are not.
        assert_eq!(
            candidates("3.12.1-slim", &t, false),
            vec!["3.13.0-slim", "3.12.4-slim"]
        );
        let t = tags(&["1.26.3", "1.27.0", "2.0.0"]);
        assert_eq!(candidates("1.26.0", &t, false), vec!["1.27.0", "1.26.3"]);
        assert_eq!(
            candidates("1.26.0", &t, true),
            vec!["2.0.0", "1.27.0", "1.26.3"]
        );
        assert!(candidates("main", &t, true).is_empty());
    }

    #[test]
    fn most_specific_tag() {
        let t = tags(&["v4", "v4.1", "v4.1.1", "v4.1.1-rc.1", "latest"]);
        assert_eq!(most_specific("v4", &t), "v4.1.1");
        assert_eq!(most_specific("main", &t), "main");
        assert_eq!(most_specific("v5", &t), "v5");
    }
}
