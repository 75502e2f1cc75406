//! Which lockfile `resolved` URLs are outside the allowed registries: the one definition that
//! the `packages-registry-not-allowed` rule (in Rego, `rules/packages/registry_not_allowed.rego`)
//! and `vouch scan`'s listing of such packages share. A test holds the two to the same answers.
//!
//! A `resolved` value is **fetched from somewhere** when it starts with `http` (`http://`,
//! `https://`), `git+`, `git:`, `ssh:` or `github:`; relative paths, `file:` and `link:` are
//! the project's own folders. It is **outside** when no allowed prefix starts it: plain
//! `http://registry.npmjs.org/…` is outside `https://registry.npmjs.org/`, and so is a URL with
//! credentials in it (`https://user:…@registry.npmjs.org/…`), which is not the public registry
//! as configured.

/// Registries lockfile packages may resolve from when none are configured.
pub const DEFAULT_ALLOWED_REGISTRIES: &[&str] = &[
    "https://registry.npmjs.org/",
    "https://registry.yarnpkg.com/",
    "https://files.pythonhosted.org/",
    "https://pypi.org/",
];

/// Whether a lockfile's `resolved` value names a place the package is fetched from.
pub fn is_fetched(resolved: &str) -> bool {
    ["http", "git+", "git:", "ssh:", "github:"]
        .iter()
        .any(|p| resolved.starts_with(p))
}

/// Whether `resolved` is fetched from outside every prefix of `allowed` (empty:
/// [`DEFAULT_ALLOWED_REGISTRIES`]).
pub fn outside(resolved: &str, allowed: &[String]) -> bool {
    if !is_fetched(resolved) {
        return false;
    }
    if allowed.is_empty() {
        !DEFAULT_ALLOWED_REGISTRIES
            .iter()
            .any(|p| resolved.starts_with(p))
    } else {
        !allowed.iter().any(|p| resolved.starts_with(p.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetched_and_outside() {
        assert!(!outside("https://registry.npmjs.org/a/-/a-1.0.0.tgz", &[]));
        assert!(outside("http://registry.npmjs.org/a/-/a-1.0.0.tgz", &[]));
        assert!(outside("git+ssh://git@github.com/a/b.git#0123", &[]));
        assert!(outside("github:a/b#0123", &[]));
        assert!(!outside("file:../local", &[]));
        assert!(!outside("packages/app", &[]));
        let own = ["https://npm.acme.example/".to_owned()];
        assert!(outside("https://registry.npmjs.org/a/-/a-1.0.0.tgz", &own));
        assert!(!outside("https://npm.acme.example/a/-/a-1.0.0.tgz", &own));
    }
}
