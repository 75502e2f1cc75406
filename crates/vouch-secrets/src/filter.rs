//! The one filter stage every match passes before it becomes a finding, and the reason a match
//! was dropped ([`NotASecret`]).
//!
//! Every rule gets the common checks (known placeholder words, template markers, one repeated
//! character, the rule's stop words, the rule's entropy threshold). Generic rules (a keyword
//! and an assignment, no fixed format of the value: `generic-password`, `env-password`,
//! `generic-secret`) also get the value checks Gitleaks and detect-secrets apply to such
//! rules: a variable or environment reference, a file path, a value made of common words, a
//! sequence (`12345678`, `abcdefgh`). Specific-format rules (AWS key ids, GitHub tokens, PEM
//! blocks…) never get the generic checks: their format already says "secret", and a real key
//! may well contain a `/` or a word. docs/secrets.md gives each reason with its example.

use crate::rule::Rule;
use crate::secret::entropy;

/// Why a match is not reported. Each variant is one documented filter (docs/secrets.md,
/// "Why a match is not reported").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotASecret {
    /// The value holds a known placeholder word (`example`, `changeme`, `dummy`, `redacted`…).
    Placeholder,
    /// The value is a template or markup slot (`{{ .Values.x }}`, `<your-token>`, `%s`).
    Template,
    /// Most of the value is one character (`xxxxxxxx`, `********`, `00000000`).
    RepeatedCharacters,
    /// The value is a run of consecutive characters (`12345678`, `abcdefgh`, `qwertyuiop`).
    Sequence,
    /// The value holds one of the rule's stop words.
    StopWord,
    /// The value's Shannon entropy is below the rule's threshold.
    LowEntropy,
    /// Generic rules: the value names a variable or an environment variable instead of holding
    /// a secret (`$DB_PASSWORD`, `${TOKEN}`, `os.Getenv("X")`, `process.env.X`, `ENV['X']`,
    /// `AMAZON_S3_SECRET_KEY`).
    VariableReference,
    /// Generic rules: the value is a file path (`/run/secrets/db`, `./token.txt`,
    /// `relative/path/to/secret_1_file`, `server.key`).
    Path,
    /// URL rules: the credentials are for a host name reserved for documentation (RFC 2606:
    /// `example.com`, `example.net`, `example.org` and their subdomains, `*.example`,
    /// `*.invalid`), which no real service answers.
    ReservedHost,
    /// Generic rules: the value is made of common words and small numbers
    /// (`production-server-password`, `test_password_1`, `dockerhub-pass`, `IAmSensitive`).
    WordLike,
}

impl NotASecret {
    /// A stable lower-case name (`word-like`), as the docs name the filter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Placeholder => "placeholder",
            Self::Template => "template",
            Self::RepeatedCharacters => "repeated-characters",
            Self::Sequence => "sequence",
            Self::StopWord => "stop-word",
            Self::LowEntropy => "low-entropy",
            Self::VariableReference => "variable-reference",
            Self::Path => "path",
            Self::ReservedHost => "reserved-host",
            Self::WordLike => "word-like",
        }
    }
}

impl std::fmt::Display for NotASecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Substrings (compared case-insensitively) that mark documentation or a sample value.
const PLACEHOLDERS: &[&str] = &[
    "example",
    "xxxx",
    "dummy",
    "placeholder",
    "redacted",
    "your_",
    "your-",
    "yourkey",
    "yourpass",
    "yoursecret",
    "yourtoken",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "sample",
    "fake",
    "insert",
    "replace_me",
    "replace-me",
    "replaceme",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
    "todo",
    "fixme",
    "lorem",
    "ipsum",
];

/// Substrings that mark a template or markup slot, or an elision, rather than a value.
const TEMPLATE_MARKERS: &[&str] = &[
    "{{", "}}", "{%", "<", ">", "%s", "%d", "%v", "%(", "...", "…", "[[", "]]",
];

/// Substrings that read an environment variable or a secret store in code.
const ENV_READERS: &[&str] = &[
    "getenv(",
    "process.env",
    "os.environ",
    "env[",
    "env.fetch",
    "environ[",
    "environment.getenvironmentvariable",
    "secrets.",
    "vault(",
    "lookup(",
];

/// Common words that placeholder values are made of, one per line (lower case, two letters or
/// more), plus short forms seen in configuration (`cred`, `pwd`, `db`).
const WORDS: &str = include_str!("words.txt");

fn words() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        WORDS
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && !w.starts_with('#'))
            .collect()
    })
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    memchr::memmem::find(haystack, needle.as_bytes()).is_some()
}

/// The first reason `secret` (matched by `rule`; `host` is the rule's `host` group, the host of
/// a URL with credentials) is not a secret, or `None` when it is reported. The common checks
/// run first, then, for generic rules, the value checks.
pub fn judge(rule: &Rule, secret: &[u8], host: Option<&[u8]>) -> Option<NotASecret> {
    let lower = secret.to_ascii_lowercase();
    if host.is_some_and(is_reserved_host) {
        return Some(NotASecret::ReservedHost);
    }
    if PLACEHOLDERS.iter().any(|p| contains(&lower, p)) {
        return Some(NotASecret::Placeholder);
    }
    if rule.generic && is_variable_reference(secret) {
        // before the template markers: `${TOKEN}` and `$(cat f)` are references
        return Some(NotASecret::VariableReference);
    }
    if TEMPLATE_MARKERS.iter().any(|p| contains(&lower, p)) || contains(&lower, "${") {
        return Some(NotASecret::Template);
    }
    if is_repeated(&lower) {
        return Some(NotASecret::RepeatedCharacters);
    }
    if rule.stopwords.iter().any(|s| contains(&lower, s)) {
        return Some(NotASecret::StopWord);
    }
    if rule.generic {
        if is_sequence(&lower) {
            return Some(NotASecret::Sequence);
        }
        if is_path(secret) {
            return Some(NotASecret::Path);
        }
        if is_word_like(secret) {
            return Some(NotASecret::WordLike);
        }
    }
    if let Some(min) = rule.entropy
        && entropy(secret) < min
    {
        return Some(NotASecret::LowEntropy);
    }
    None
}

/// A documentation host (RFC 2606): `example.com|net|org` or a subdomain, `*.example`,
/// `*.invalid`. `host` may carry a port or a `,`-separated list; the first host decides.
fn is_reserved_host(host: &[u8]) -> bool {
    let end = host
        .iter()
        .position(|&b| matches!(b, b':' | b',' | b'?' | b'#'))
        .unwrap_or(host.len());
    let name = host[..end].to_ascii_lowercase();
    let name = name.strip_suffix(b".").unwrap_or(&name);
    [
        "example.com",
        "example.net",
        "example.org",
        "example",
        "invalid",
    ]
    .iter()
    .any(|d| {
        name == d.as_bytes()
            || (name.len() > d.len()
                && name.ends_with(d.as_bytes())
                && name[name.len() - d.len() - 1] == b'.')
    })
}

/// A run of one character over most of the value: `000000…`, `aaaa…`, `********`.
fn is_repeated(lower: &[u8]) -> bool {
    let Some(&first) = lower.first() else {
        return true;
    };
    lower.iter().filter(|&&b| b == first).count() * 10 >= lower.len() * 8
}

/// Consecutive characters: every step +1 or every step -1 in byte value (`12345678`,
/// `abcdefgh`, `87654321`), or a keyboard row (`qwertyuiop`, `asdfghjkl`).
fn is_sequence(lower: &[u8]) -> bool {
    if lower.len() < 4 {
        return false;
    }
    let up = lower.windows(2).all(|w| w[1] == w[0].wrapping_add(1));
    let down = lower.windows(2).all(|w| w[0] == w[1].wrapping_add(1));
    let rows: [&[u8]; 4] = [b"1234567890", b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    up || down
        || rows
            .iter()
            .any(|r| r.starts_with(lower) || r.ends_with(lower))
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `$NAME`, `${…}`, `$(…)`, `%NAME%`, `#{…}`, code that reads the environment or a secret
/// store, and a bare environment-variable name (`AMAZON_S3_SECRET_KEY`).
fn is_variable_reference(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    if let Some(rest) = secret.strip_prefix(b"$") {
        match rest.first() {
            Some(b'{' | b'(') => return true,
            Some(&b) if b.is_ascii_alphabetic() || b == b'_' => {
                return rest.iter().all(|&b| is_ident_byte(b) || b == b'.');
            }
            _ => {}
        }
    }
    if contains(&lower, "${") || contains(&lower, "#{") || contains(&lower, "$(") {
        return true;
    }
    if secret.len() > 2
        && secret.starts_with(b"%")
        && secret.ends_with(b"%")
        && secret[1..secret.len() - 1]
            .iter()
            .all(|&b| is_ident_byte(b))
    {
        return true;
    }
    if ENV_READERS.iter().any(|r| contains(&lower, r)) {
        return true;
    }
    // an environment variable's name: upper-case words joined by `_`
    let parts: Vec<&[u8]> = secret.split(|&b| b == b'_').collect();
    parts.len() >= 2
        && secret.first().is_some_and(u8::is_ascii_uppercase)
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.iter()
                    .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        && parts
            .iter()
            .filter(|p| p.iter().all(u8::is_ascii_uppercase))
            .count()
            >= 2
}

/// File extensions that, ending a value with no `/`, make it a file name.
const FILE_EXTENSIONS: &[&str] = &[
    "pem",
    "key",
    "crt",
    "cer",
    "der",
    "p12",
    "pfx",
    "jks",
    "keystore",
    "gpg",
    "asc",
    "pub",
    "txt",
    "json",
    "yaml",
    "yml",
    "toml",
    "xml",
    "ini",
    "cfg",
    "conf",
    "env",
    "properties",
    "secret",
    "token",
];

/// A file path: absolute (`/…` with at least two parts), home- or dot-relative (`~/`, `./`,
/// `../`), a Windows path (`C:\…`, `\\host\…`), a relative path whose parts are all words, or
/// a file name with a known extension (`server.key`). Values holding `+` or `=` are base64,
/// never a path.
fn is_path(secret: &[u8]) -> bool {
    if secret.iter().any(|&b| b == b'+' || b == b'=') {
        return false;
    }
    let name_part = |p: &[u8]| {
        !p.is_empty()
            && p.iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
    };
    if secret.len() > 3
        && secret[0].is_ascii_alphabetic()
        && secret[1] == b':'
        && matches!(secret[2], b'\\' | b'/')
        || secret.starts_with(b"\\\\")
    {
        return true;
    }
    for prefix in [&b"~/"[..], b"./", b"../"] {
        if let Some(rest) = secret.strip_prefix(prefix) {
            return rest
                .split(|&b| b == b'/')
                .filter(|p| !p.is_empty())
                .all(name_part);
        }
    }
    if let Some(rest) = secret.strip_prefix(b"/") {
        let parts: Vec<&[u8]> = rest.split(|&b| b == b'/').collect();
        return parts.len() >= 2
            && parts
                .iter()
                .enumerate()
                .all(|(i, p)| name_part(p) || (p.is_empty() && i == parts.len() - 1));
    }
    if secret.contains(&b'/') {
        let parts: Vec<&[u8]> = secret.split(|&b| b == b'/').collect();
        return parts.len() >= 2
            && parts.iter().all(|p| {
                name_part(p) && (words_only(p, false) || has_file_extension(p) || is_dotted_name(p))
            });
    }
    has_file_extension(secret)
}

fn has_file_extension(name: &[u8]) -> bool {
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let (stem, ext) = (&name[..dot], &name[dot + 1..]);
    let ext = ext.to_ascii_lowercase();
    !stem.is_empty()
        && stem
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && FILE_EXTENSIONS.iter().any(|e| e.as_bytes() == ext)
        && (is_word_like(stem) || stem.len() <= 12)
}

/// `.docker`, `.ssh`: a hidden folder name in a path.
fn is_dotted_name(p: &[u8]) -> bool {
    p.strip_prefix(b".")
        .is_some_and(|rest| !rest.is_empty() && is_word_like(rest))
}

/// Made of common words and small numbers: split at `-`, `_`, `.`, `/`, spaces and camel-case
/// steps, every letter run must be one word of the list or break into words of the list
/// (`dockerhub` = `docker` + `hub`), every digit run at most four digits, and at least one
/// part must be a word of three letters or more. A lone `a` or `i` is allowed between words
/// (`IAmSensitive`).
pub(crate) fn is_word_like(secret: &[u8]) -> bool {
    words_only(secret, true)
}

/// `is_word_like` without the three-letter word: a path part such as `to` or `db`.
fn words_only(secret: &[u8], need_long_word: bool) -> bool {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let flush = |cur: &mut Vec<u8>, parts: &mut Vec<Vec<u8>>| {
        if !cur.is_empty() {
            parts.push(std::mem::take(cur));
        }
    };
    for (i, &b) in secret.iter().enumerate() {
        match b {
            b'-' | b'_' | b'.' | b'/' | b' ' => flush(&mut cur, &mut parts),
            b'a'..=b'z' => {
                if cur.last().is_some_and(u8::is_ascii_digit) {
                    flush(&mut cur, &mut parts);
                }
                cur.push(b);
            }
            b'A'..=b'Z' => {
                let prev = i.checked_sub(1).map(|j| secret[j]);
                let next = secret.get(i + 1).copied();
                let camel_step = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                    || (prev.is_some_and(|p| p.is_ascii_uppercase())
                        && next.is_some_and(|n| n.is_ascii_lowercase()));
                if camel_step {
                    flush(&mut cur, &mut parts);
                }
                cur.push(b.to_ascii_lowercase());
            }
            b'0'..=b'9' => {
                if cur.last().is_some_and(u8::is_ascii_alphabetic) {
                    flush(&mut cur, &mut parts);
                }
                cur.push(b);
            }
            _ => return false,
        }
    }
    flush(&mut cur, &mut parts);
    if parts.is_empty() {
        return false;
    }
    let dict = words();
    let mut long_word = false;
    for p in &parts {
        if p[0].is_ascii_digit() {
            if p.len() > 4 {
                return false;
            }
            continue;
        }
        if p.len() == 1 {
            // `I` in `IAmSensitive`, `a` in `a-secret-value`; any other lone letter is random
            if matches!(p[0], b'a' | b'i') {
                continue;
            }
            return false;
        }
        let Ok(text) = std::str::from_utf8(p) else {
            return false;
        };
        if dict.contains(text) {
            long_word |= text.len() >= 3;
            continue;
        }
        if !segments_into_words(text, dict) {
            return false;
        }
        long_word = true;
    }
    long_word || !need_long_word
}

/// Whether `text` (lower-case letters, at most 64) is a concatenation of list words of three
/// letters or more, the first of which may have two (`mysecret`, `dockerhub`). Two-letter
/// pieces elsewhere would let random strings through (`jspggo` = `js` `pg` `go`).
fn segments_into_words(text: &str, dict: &std::collections::HashSet<&str>) -> bool {
    let n = text.len();
    if n > 64 {
        return false;
    }
    let mut ok = vec![false; n + 1];
    ok[0] = true;
    for end in 2..=n {
        for start in (0..=end - 2).rev() {
            let piece = end - start;
            if ok[start] && (piece >= 3 || start == 0) && dict.contains(&text[start..end]) {
                ok[end] = true;
                break;
            }
        }
    }
    ok[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_like_values() {
        for v in [
            "production-server-password",
            "test_password_1",
            "dockerhub-pass",
            "my-scale-set-static-password",
            "job-cred-pass",
            "IAmSensitive",
            "mysecretpassword",
        ] {
            assert!(is_word_like(v.as_bytes()), "{v}");
        }
        for v in [
            "uKcgxafXC1lnNiQh",
            "Zq8vN3kLp0Rt6Yw2",
            "qzvk-xwpt",
            "p@ss/word?#__",
        ] {
            assert!(!is_word_like(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn paths_and_references() {
        for v in [
            "/run/secrets/db",
            "./token.txt",
            "~/.docker/config.json",
            "relative/path/to/secret_1_file",
            "C:\\secrets\\db.txt",
            "server.key",
        ] {
            assert!(is_path(v.as_bytes()), "{v}");
        }
        for v in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz",
            "/AbC8dEfGhIj9kLmN",
        ] {
            assert!(!is_path(v.as_bytes()), "{v}");
        }
        for v in [
            "$DB_PASSWORD",
            "${TOKEN}",
            "$(cat /run/secrets/x)",
            "%API_KEY%",
            "os.Getenv(\"X\")",
            "process.env.TOKEN",
            "ENV['X']",
            "AMAZON_S3_SECRET_KEY",
        ] {
            assert!(is_variable_reference(v.as_bytes()), "{v}");
        }
        // Built at run time so the repository holds no literal that looks like a key.
        let key_id = format!("AKIA{}", "Z7Q3LNV5R2XKD4PW");
        for v in [key_id.as_str(), "Secret_Key_1234567", "A_1"] {
            assert!(!is_variable_reference(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn reserved_hosts() {
        for h in [
            "gitlab.example.com",
            "example.com:5432",
            "db.example",
            "x.invalid,y:1",
        ] {
            assert!(is_reserved_host(h.as_bytes()), "{h}");
        }
        for h in [
            "gitlab.com",
            "notexample.com",
            "localhost",
            "example.com.evil.io",
        ] {
            assert!(!is_reserved_host(h.as_bytes()), "{h}");
        }
    }

    /// Random values keep their recall: a deterministic generator draws 20 000 values of each
    /// shape; the share the generic value checks drop is printed and bounded.
    #[test]
    fn random_values_are_rarely_word_like() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let lower: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mixed: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (alphabet, len, max_dropped) in [(lower, 10, 4), (lower, 16, 0), (mixed, 16, 0)] {
            let mut dropped = 0;
            for _ in 0..20_000 {
                let v: Vec<u8> = (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect();
                if is_word_like(&v) || is_path(&v) || is_variable_reference(&v) || is_sequence(&v) {
                    dropped += 1;
                    println!("dropped {}", String::from_utf8_lossy(&v));
                }
            }
            println!("{len} of {:?}: {dropped} of 20000", alphabet.len());
            assert!(dropped <= max_dropped, "{len} chars: {dropped} dropped");
        }
    }

    #[test]
    fn sequences() {
        assert!(is_sequence(b"12345678"));
        assert!(is_sequence(b"abcdefghij"));
        assert!(is_sequence(b"qwertyuiop"));
        assert!(!is_sequence(b"12345679"));
    }
}
