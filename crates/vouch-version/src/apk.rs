//! Alpine package versions, compared as apk-tools compares them (port of apk-tools
//! `src/version.c`, the token-state implementation of apk-tools 2.14 / 3.x).
//!
//! `digit{.digit}…{letter}{_suffix{number}}…{~hash}{-rN}`. Tokens compare pairwise while both
//! versions have the same kind of token: numbers numerically, except that a dotted number with a
//! leading zero on either side compares as a string (`1.01` < `1.1`, Gentoo rule); the letter
//! by its character; suffixes `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` < `_svn` <
//! `_git` < `_hg` < `_p`; the commit hash as a string; `-rN` numerically. When one version has
//! a different kind of token next, it is older if that token is a pre-release suffix; otherwise
//! the one whose next token kind comes earlier in the grammar is newer (`1.0_rc1` < `1.0` <
//! `1.0-r1` < `1.0_p1` < `1.0a` < `1.0.1`).
//!
//! Numbers larger than `u64::MAX` saturate (apk-tools wraps).

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix values; `None` is the pivot between pre- and post-release suffixes.
const SUFFIXES: [&str; 10] = [
    "alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p",
];
const SUFFIX_NONE: usize = 4;

#[derive(Debug, Clone, Copy)]
struct State<'a> {
    token: Token,
    suffix: usize,
    number: u64,
    value: &'a [u8],
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    /// Takes the longest run of bytes matching `f`.
    fn span(&mut self, f: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
        self.s.get(start..self.pos).unwrap_or(&[])
    }
}

fn parse_digits<'a>(t: &mut State<'a>, c: &mut Cursor<'a>) {
    let digits = c.span(|b| b.is_ascii_digit());
    t.value = digits;
    t.number = digits.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    if digits.is_empty() {
        t.token = Token::Invalid;
    }
}

fn first<'a>(c: &mut Cursor<'a>) -> State<'a> {
    let mut t = State {
        token: Token::InitialDigit,
        suffix: 0,
        number: 0,
        value: &[],
    };
    parse_digits(&mut t, c);
    t
}

fn next<'a>(t: &mut State<'a>, c: &mut Cursor<'a>) {
    let Some(ch) = c.peek() else {
        t.token = Token::End;
        return;
    };
    match ch {
        b'a'..=b'z' if t.token <= Token::Digit => {
            t.value = c.s.get(c.pos..c.pos + 1).unwrap_or(&[]);
            t.token = Token::Letter;
            c.pos += 1;
        }
        b'.' | b'0'..=b'9' => {
            if ch == b'.' {
                if t.token > Token::Digit {
                    t.token = Token::Invalid;
                    return;
                }
                c.pos += 1;
            }
            t.token = match t.token {
                Token::InitialDigit | Token::Digit => Token::Digit,
                Token::Suffix => Token::SuffixNo,
                _ => Token::Invalid,
            };
            if t.token != Token::Invalid {
                parse_digits(t, c);
            }
        }
        b'_' if t.token <= Token::SuffixNo => {
            c.pos += 1;
            t.value = c.span(|b| b.is_ascii_lowercase());
            match SUFFIXES
                .iter()
                .position(|s| !s.is_empty() && s.as_bytes() == t.value)
            {
                Some(k) => {
                    t.suffix = k;
                    t.token = Token::Suffix;
                }
                None => t.token = Token::Invalid,
            }
        }
        b'~' if t.token < Token::CommitHash => {
            c.pos += 1;
            t.value = c.span(|b| b.is_ascii_hexdigit());
            t.token = if t.value.is_empty() {
                Token::Invalid
            } else {
                Token::CommitHash
            };
        }
        b'-' if t.token < Token::RevisionNo => {
            if c.s.get(c.pos + 1) == Some(&b'r') {
                c.pos += 2;
                t.token = Token::RevisionNo;
                parse_digits(t, c);
            } else {
                t.token = Token::Invalid;
            }
        }
        _ => t.token = Token::Invalid,
    }
}

fn token_cmp(a: &State<'_>, b: &State<'_>) -> Ordering {
    match a.token {
        Token::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => {
            a.value.cmp(b.value)
        }
        Token::Digit | Token::InitialDigit | Token::SuffixNo | Token::RevisionNo => {
            a.number.cmp(&b.number)
        }
        Token::Letter => a.value.first().cmp(&b.value.first()),
        Token::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.value.cmp(b.value),
    }
}

/// apk-tools' `apk_version_compare`.
fn compare(a: &[u8], b: &[u8]) -> Ordering {
    let mut ca = Cursor { s: a, pos: 0 };
    let mut cb = Cursor { s: b, pos: 0 };
    let mut ta = first(&mut ca);
    let mut tb = first(&mut cb);
    while ta.token == tb.token && ta.token < Token::End {
        match token_cmp(&ta, &tb) {
            Ordering::Equal => {}
            o => return o,
        }
        next(&mut ta, &mut ca);
        next(&mut tb, &mut cb);
    }
    if ta.token == tb.token {
        return Ordering::Equal;
    }
    if ta.token == Token::Suffix && ta.suffix < SUFFIX_NONE {
        return Ordering::Less;
    }
    if tb.token == Token::Suffix && tb.suffix < SUFFIX_NONE {
        return Ordering::Greater;
    }
    tb.token.cmp(&ta.token)
}

/// An Alpine package version.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    raw: String,
}

impl ApkVersion {
    /// Parses and validates an apk version (`apk_version_validate`).
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let mut c = Cursor {
            s: s.as_bytes(),
            pos: 0,
        };
        let mut t = first(&mut c);
        let mut at = 0;
        while t.token < Token::End {
            at = c.pos;
            next(&mut t, &mut c);
        }
        if t.token == Token::Invalid {
            return Err(VersionError::invalid(
                Scheme::Apk,
                s,
                at,
                "not an apk version: expected digit{.digit}…{letter}{_suffix{number}}…{~hash}{-rN}",
            ));
        }
        Ok(ApkVersion { raw: s.to_owned() })
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare(self.raw.as_bytes(), other.raw.as_bytes())
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}
