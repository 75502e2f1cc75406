//! Alpine package versions, compared as apk-tools compares them (`src/version.c`,
//! `apk_version_compare`, apk-tools 2.x).
//!
//! `number(.number)*[letter](_suffix[number])*[-rN]`. Numbers compare numerically (after a dot,
//! a number with leading zeros compares as a fraction: `1.01` < `1.1`); a letter compares by its
//! character; suffixes `_alpha` < `_beta` < `_pre` < `_rc` < (no suffix) < `_cvs` < `_svn` <
//! `_git` < `_hg` < `_p`; `-rN` is the package revision. When one version is a prefix of the
//! other, the longer one is greater unless it continues with a pre-release suffix.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

/// An Alpine package version.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    raw: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    Invalid = -1,
    DigitOrZero = 0,
    Digit = 1,
    Letter = 2,
    Suffix = 3,
    SuffixNo = 4,
    RevisionNo = 5,
    End = 6,
}

const PRE_SUFFIXES: [&[u8]; 4] = [b"alpha", b"beta", b"pre", b"rc"];
const POST_SUFFIXES: [&[u8]; 5] = [b"cvs", b"svn", b"git", b"hg", b"p"];

/// A cursor over a version string, as apk-tools' `apk_blob_t`.
struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &[u8] {
        self.s.get(self.pos..).unwrap_or(&[])
    }

    fn peek(&self, k: usize) -> Option<u8> {
        self.s.get(self.pos + k).copied()
    }
}

/// apk-tools' `next_token`: classifies the separator at the cursor and steps over it.
fn next_token(ty: &mut Token, c: &mut Cursor<'_>) {
    let mut n = Token::Invalid;
    match c.peek(0) {
        None | Some(0) => n = Token::End,
        Some(ch) if matches!(*ty, Token::Digit | Token::DigitOrZero) && ch.is_ascii_lowercase() => {
            n = Token::Letter;
        }
        Some(ch) if *ty == Token::Letter && ch.is_ascii_digit() => n = Token::Digit,
        Some(ch) if *ty == Token::Suffix && ch.is_ascii_digit() => n = Token::SuffixNo,
        Some(ch) => {
            match ch {
                b'.' => n = Token::DigitOrZero,
                b'_' => n = Token::Suffix,
                b'-' => {
                    if c.peek(1) == Some(b'r') {
                        n = Token::RevisionNo;
                        c.pos += 1;
                    }
                }
                _ => {}
            }
            c.pos += 1;
        }
    }
    if n < *ty
        && !((n == Token::DigitOrZero && *ty == Token::Digit)
            || (n == Token::Suffix && *ty == Token::SuffixNo)
            || (n == Token::Digit && *ty == Token::Letter))
    {
        n = Token::Invalid;
    }
    *ty = n;
}

/// apk-tools' `get_token`: reads the value of the token of type `ty` and advances `ty` to the
/// next token's type. Numbers saturate at `i64::MAX` (apk-tools overflows an `int`).
fn get_token(ty: &mut Token, c: &mut Cursor<'_>) -> i64 {
    let rest = c.rest();
    if rest.is_empty() {
        *ty = Token::End;
        return 0;
    }
    let mut v: i64 = 0;
    let mut i = 0usize;
    let mut nt = Token::Invalid;
    let digits = |rest: &[u8], i: &mut usize, v: &mut i64| {
        while let Some(d) = rest.get(*i).filter(|d| d.is_ascii_digit()) {
            *v = v.saturating_mul(10).saturating_add(i64::from(d - b'0'));
            *i += 1;
        }
    };
    match *ty {
        Token::DigitOrZero if rest.first() == Some(&b'0') => {
            // Leading zeros after a dot: the more zeros, the smaller.
            while rest.get(i) == Some(&b'0') {
                i += 1;
            }
            nt = Token::Digit;
            v = -(i64::try_from(i).unwrap_or(i64::MAX));
        }
        Token::DigitOrZero | Token::Digit | Token::SuffixNo | Token::RevisionNo => {
            digits(rest, &mut i, &mut v);
        }
        Token::Letter => {
            v = i64::from(rest.first().copied().unwrap_or(0));
            i = 1;
        }
        Token::Suffix => {
            if let Some(k) = PRE_SUFFIXES.iter().position(|p| rest.starts_with(p)) {
                i = PRE_SUFFIXES.get(k).map_or(0, |p| p.len());
                nt = Token::SuffixNo;
                v = i64::try_from(k).unwrap_or(0) - 4;
            } else if let Some(k) = POST_SUFFIXES.iter().position(|p| rest.starts_with(p)) {
                i = POST_SUFFIXES.get(k).map_or(0, |p| p.len());
                nt = Token::SuffixNo;
                v = i64::try_from(k).unwrap_or(0);
            } else {
                *ty = Token::Invalid;
                return -1;
            }
        }
        Token::Invalid | Token::End => {
            *ty = Token::Invalid;
            return -1;
        }
    }
    c.pos += i;
    if c.rest().is_empty() {
        *ty = Token::End;
    } else if nt != Token::Invalid {
        *ty = nt;
    } else {
        next_token(ty, c);
    }
    v
}

/// apk-tools' `apk_version_compare_blob`.
fn compare(a: &[u8], b: &[u8]) -> Ordering {
    let (mut at, mut bt) = (Token::Digit, Token::Digit);
    let (mut av, mut bv) = (0i64, 0i64);
    let mut ca = Cursor { s: a, pos: 0 };
    let mut cb = Cursor { s: b, pos: 0 };
    while at == bt && at != Token::End && at != Token::Invalid && av == bv {
        av = get_token(&mut at, &mut ca);
        bv = get_token(&mut bt, &mut cb);
    }
    match av.cmp(&bv) {
        Ordering::Equal => {}
        other => return other,
    }
    if at == bt {
        return Ordering::Equal;
    }
    // Equal so far: the longer one is greater unless it goes on with a pre-release suffix.
    let mut tt = at;
    if at == Token::Suffix && get_token(&mut tt, &mut ca) < 0 {
        return Ordering::Less;
    }
    let mut tt = bt;
    if bt == Token::Suffix && get_token(&mut tt, &mut cb) < 0 {
        return Ordering::Greater;
    }
    match at.cmp(&bt) {
        Ordering::Greater => Ordering::Less,
        Ordering::Less => Ordering::Greater,
        Ordering::Equal => Ordering::Equal,
    }
}

impl ApkVersion {
    /// Parses and validates an apk version (`apk_version_validate`).
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        if !s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return Err(VersionError::invalid(
                Scheme::Apk,
                s,
                0,
                "version does not start with a digit",
            ));
        }
        let mut ty = Token::Digit;
        let mut c = Cursor {
            s: s.as_bytes(),
            pos: 0,
        };
        while ty != Token::End && ty != Token::Invalid {
            get_token(&mut ty, &mut c);
        }
        if ty == Token::Invalid {
            return Err(VersionError::invalid(
                Scheme::Apk,
                s,
                c.pos.saturating_sub(1).min(s.len()),
                "unexpected character: expected number(.number)*[letter](_suffix[number])*[-rN]",
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
