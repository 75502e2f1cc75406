//! Content-derived identifiers and small string helpers shared by the writers.

/// Lower-case hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    vouch_digest::Digest::sha256(data).hex()
}

/// Keeps `[A-Za-z0-9.-]`, turns every other run of characters into one `-`, trims `-` at the
/// ends and cuts to `max` characters. SPDX identifiers allow only these characters.
pub(crate) fn sanitize(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    let mut dash = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
        if out.len() >= max {
            break;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Whether a recorded download location is a plain `http(s)` URL, usable as a CycloneDX
/// external reference and an SPDX download location. Cargo's `registry+https://…` index
/// source and yarn's `name@npm:1.0.0` are not.
pub(crate) fn is_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && s.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        })
}

/// A name-based (version 5) UUID in the URL namespace for `name`, written as `urn:uuid:…`.
pub(crate) fn urn_uuid(name: &str) -> String {
    format!(
        "urn:uuid:{}",
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_spdx_id_characters() {
        assert_eq!(sanitize("@babel/core", 64), "babel-core");
        assert_eq!(sanitize("libc6:amd64", 64), "libc6-amd64");
        assert_eq!(sanitize("a//b", 3), "a-b");
        assert_eq!(sanitize("ab/", 3), "ab");
        assert_eq!(sanitize("///", 8), "");
        assert_eq!(sanitize("ünïcode", 8), "n-code");
    }

    #[test]
    fn only_http_urls_are_urls() {
        assert!(is_url("https://registry.npmjs.org/a/-/a-1.0.0.tgz"));
        assert!(!is_url(
            "registry+https://github.com/rust-lang/crates.io-index"
        ));
        assert!(!is_url("https://"));
        assert!(!is_url("https://a b"));
        assert!(!is_url("file:///tmp/x"));
    }

    #[test]
    fn urn_uuid_is_version_5() {
        let u = urn_uuid("x");
        assert_eq!(u.len(), "urn:uuid:".len() + 36);
        assert_eq!(u.as_bytes()["urn:uuid:".len() + 14], b'5');
    }
}
