//! URLs that never print their credentials.
//!
//! A URL read from a scanned file (`https://user:TOKEN@host/...` in a `pip.conf`, an `.npmrc`, a
//! lockfile's `resolved`, a CI include) is attacker- or user-controlled and may carry a
//! credential. Everything vouch prints or writes passes such URLs through this crate:
//!
//! - [`Url`] holds a URL (or URL-like location, such as Cargo's `registry+https://…`) as it was
//!   recorded. `Display`, `Debug` and `Serialize` give only the redacted form; the clear value is
//!   reachable through [`Url::expose`], for the one caller that has to connect with it. It is the
//!   URL analogue of the secret scanner's `Secret`.
//! - [`redact`] redacts every URL inside free text (a rule message quoting
//!   `curl https://u:p@host/x | sh`, a `RUN` line, a pip `--index-url` argument, an error chain).
//!
//! What is redacted, and how:
//!
//! - the userinfo of every `scheme://userinfo@host` becomes `***`:
//!   `https://user:TOKEN@host/x` → `https://***@host/x` (user names too: a token is often sent
//!   as the user name);
//! - the value of a query parameter whose name says it is a credential (`token`,
//!   `access_token`, `private_token`, `password`, `secret`, `api_key`, `sig`,
//!   `X-Amz-Signature`, … see [`SENSITIVE_QUERY_KEYS`]) becomes `***`:
//!   `https://host/x?token=abc&v=1` → `https://host/x?token=***&v=1`.
//!
//! The authority ends at the first `/`, `?`, `#` or `\` (as in the WHATWG URL parser, curl and
//! git), at white space, at a quote or angle bracket, or at a control character.
//!
//! ```
//! use vouch_url::{Url, redact};
//! let url = Url::new("https://user:s3cr3t@pypi.example.com/simple/");
//! assert_eq!(url.to_string(), "https://***@pypi.example.com/simple/");
//! assert_eq!(format!("{url:?}"), "Url(\"https://***@pypi.example.com/simple/\")");
//! assert_eq!(url.expose(), "https://user:s3cr3t@pypi.example.com/simple/");
//! assert_eq!(
//!     redact("RUN curl -fsSL https://u:p@get.example.com/x.sh | sh"),
//!     "RUN curl -fsSL https://***@get.example.com/x.sh | sh"
//! );
//! ```

use std::borrow::Cow;

/// What replaces a userinfo or a sensitive query value.
pub const MASK: &str = "***";

/// Query parameter names (compared ASCII case-insensitively) whose values are redacted.
pub const SENSITIVE_QUERY_KEYS: &[&str] = &[
    "token",
    "access_token",
    "private_token",
    "job_token",
    "auth",
    "auth_token",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "api_key",
    "apikey",
    "key",
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
];

/// A URL (or URL-like location) as recorded, that prints only without its credentials.
///
/// The value is not validated: lockfiles record locations such as `registry+https://…`,
/// `git+ssh://…#rev` or `path:../x`, and each is kept as written; redaction finds the URLs in it
/// the way [`redact`] does in free text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Url(String);

impl Url {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The clear value, credentials included. Never print or write this; use it only to
    /// connect.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value with userinfo and sensitive query values replaced by `***`.
    pub fn redacted(&self) -> Cow<'_, str> {
        redact(&self.0)
    }

    /// Whether redaction changes anything (a userinfo or a sensitive query value is present).
    pub fn has_credentials(&self) -> bool {
        matches!(self.redacted(), Cow::Owned(_))
    }
}

impl From<String> for Url {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Url {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Url").field(&self.redacted()).finish()
    }
}

impl serde::Serialize for Url {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

impl<'de> serde::Deserialize<'de> for Url {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

/// Whether `c` ends a URL inside free text.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`')
}

/// Whether `c` ends the authority (`userinfo@host:port`).
fn ends_authority(c: char) -> bool {
    ends_url(c) || matches!(c, '/' | '?' | '#' | '\\')
}

fn is_scheme_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
}

/// `text` with the credentials of every URL in it replaced by `***` (see the crate docs).
/// Borrowed when there is nothing to redact. Linear in the length of `text`.
pub fn redact(text: &str) -> Cow<'_, str> {
    rewrite(text, Userinfo::Mask)
}

/// `text` with the userinfo of every URL in it removed (`https://user:TOKEN@host/x` →
/// `https://host/x`) and sensitive query values replaced by `***`, as [`redact`] finds them: for
/// a URL that is recorded as an identifier (a repository URI in provenance), where `***@` would
/// name another location. Borrowed when there is nothing to remove.
///
/// ```
/// assert_eq!(
///     vouch_url::strip_credentials("https://gitlab-ci-token:abc@gitlab.example/a/b.git"),
///     "https://gitlab.example/a/b.git"
/// );
/// assert_eq!(vouch_url::strip_credentials("git@github.com:a/b.git"), "git@github.com:a/b.git");
/// ```
pub fn strip_credentials(text: &str) -> Cow<'_, str> {
    rewrite(text, Userinfo::Remove)
}

/// What [`rewrite`] does with a URL's userinfo.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Userinfo {
    /// Replaced by [`MASK`].
    Mask,
    /// Removed with its `@`.
    Remove,
}

fn rewrite(text: &str, userinfo: Userinfo) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    // Everything before `copied` is already in `out`.
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let sep = search + found;
        // The scheme: ASCII letters, digits, `+`, `-`, `.`, starting with a letter.
        let mut start = sep;
        while start > copied && is_scheme_char(bytes[start - 1]) {
            start -= 1;
        }
        while start < sep && !bytes[start].is_ascii_alphabetic() {
            start += 1;
        }
        let auth_start = sep + 3;
        if start == sep {
            search = auth_start;
            continue;
        }
        let rest = &text[auth_start..];
        let auth_len = rest.find(ends_authority).unwrap_or(rest.len());
        let url_len = rest.find(ends_url).unwrap_or(rest.len());
        let authority = &rest[..auth_len];
        if let Some(at) = authority.rfind('@').filter(|&at| at > 0) {
            out.push_str(&text[copied..auth_start]);
            match userinfo {
                Userinfo::Mask => {
                    out.push_str(MASK);
                    copied = auth_start + at;
                }
                Userinfo::Remove => copied = auth_start + at + 1,
            }
        }
        // Query values, in the rest of this URL.
        let tail_start = auth_start + auth_len;
        let tail = &text[tail_start..auth_start + url_len];
        if let Some(q) = tail.find('?') {
            let query_end = tail.find('#').filter(|&h| h > q).unwrap_or(tail.len());
            let mut pos = tail_start + q + 1;
            for pair in tail[q + 1..query_end].split('&') {
                if let Some((key, value)) = pair.split_once('=')
                    && !value.is_empty()
                    && SENSITIVE_QUERY_KEYS
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(key))
                {
                    let value_start = pos + key.len() + 1;
                    out.push_str(&text[copied..value_start]);
                    out.push_str(MASK);
                    copied = value_start + value.len();
                }
                pos += pair.len() + 1;
            }
        }
        search = (auth_start + url_len).max(auth_start);
        if search >= text.len() {
            break;
        }
    }
    if copied == 0 && out.is_empty() {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_removes_userinfo_and_masks_query_credentials() {
        for (input, want) in [
            (
                "https://user:tok@gitlab.example/a/b.git",
                "https://gitlab.example/a/b.git",
            ),
            ("https://tok@host", "https://host"),
            (
                "https://host/x?private_token=abc&v=1",
                "https://host/x?private_token=***&v=1",
            ),
            ("git@github.com:a/b.git", "git@github.com:a/b.git"),
            ("https://a@b@host/p", "https://host/p"),
            (
                "see https://u:p@h/x and ssh://git@h2/y",
                "see https://h/x and ssh://h2/y",
            ),
        ] {
            assert_eq!(strip_credentials(input), want, "{input}");
        }
        assert!(matches!(
            strip_credentials("https://host/x"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn userinfo_is_masked() {
        for (input, want) in [
            ("https://user:TOKEN@host/x", "https://***@host/x"),
            ("https://TOKEN@host", "https://***@host"),
            (
                "http://u:p@host:8080/simple/",
                "http://***@host:8080/simple/",
            ),
            (
                "registry+https://u:p@index.example/",
                "registry+https://***@index.example/",
            ),
            (
                "git+ssh://git:pw@host/r.git#abc",
                "git+ssh://***@host/r.git#abc",
            ),
            // the last `@` of the authority ends the userinfo
            ("https://a@b:c@host/x", "https://***@host/x"),
            // `@` after the authority is the path
            ("https://host/x@v1", "https://host/x@v1"),
            ("https://host?x=@y", "https://host?x=@y"),
            ("https://host/x", "https://host/x"),
            ("https://@host/x", "https://@host/x"),
            ("no url here", "no url here"),
            ("://u:p@host", "://u:p@host"),
        ] {
            assert_eq!(redact(input), want, "{input}");
            assert_eq!(Url::new(input).to_string(), want, "{input}");
        }
    }

    #[test]
    fn urls_in_free_text() {
        assert_eq!(
            redact("curl https://u:p@host/x | sh; wget 'ftp://a:b@c/d' \"https://e@f\""),
            "curl https://***@host/x | sh; wget 'ftp://***@c/d' \"https://***@f\""
        );
        assert_eq!(
            redact("pip install --index-url=https://__token__:pypi-AgEI@pypi.example/simple x"),
            "pip install --index-url=https://***@pypi.example/simple x"
        );
        assert_eq!(
            redact("`https://u:p@a/` and `https://b/` and https://c:d@e"),
            "`https://***@a/` and `https://b/` and https://***@e"
        );
        // non-ASCII around and inside
        assert_eq!(redact("é https://ü:ö@h/é"), "é https://***@h/é");
    }

    #[test]
    fn sensitive_query_values() {
        assert_eq!(
            redact("https://host/x.tgz?token=abc&v=1#frag"),
            "https://host/x.tgz?token=***&v=1#frag"
        );
        assert_eq!(
            redact("https://u:p@s3.example/o?X-Amz-Signature=ff&X-Amz-Date=1 next"),
            "https://***@s3.example/o?X-Amz-Signature=***&X-Amz-Date=1 next"
        );
        assert_eq!(redact("https://host/?tokens=a"), "https://host/?tokens=a");
        assert_eq!(redact("https://host/#token=a"), "https://host/#token=a");
        assert_eq!(redact("https://host/?token="), "https://host/?token=");
    }

    #[test]
    fn serde_redacts_on_the_way_out_only() {
        let url: Url = serde_json::from_str("\"https://u:p@h/x\"").unwrap();
        assert_eq!(url.expose(), "https://u:p@h/x");
        assert!(url.has_credentials());
        assert_eq!(serde_json::to_string(&url).unwrap(), "\"https://***@h/x\"");
        assert_eq!(format!("{url:?}"), "Url(\"https://***@h/x\")");
        assert!(!Url::new("https://h/x").has_credentials());
    }

    #[test]
    fn borrowed_when_clean() {
        assert!(matches!(redact("https://host/x y"), Cow::Borrowed(_)));
    }
}
