//! `admission.toml`: every way it can be wrong is an error naming the file and the key (the
//! server then exits 2 and never starts open), and the defaults.

mod common;

use std::time::Duration;

use common::*;
use vouch_admission::{Config, ConfigError, Mode, OnError, Unmatched};

fn load(admission: &str) -> Result<Config, ConfigError> {
    let (dir, path, _) = folder(admission);
    let r = Config::load(&path, None);
    drop(dir);
    r
}

fn message(admission: &str) -> String {
    let (dir, path, _) = folder(admission);
    let err = Config::load(&path, None).unwrap_err();
    err.to_string()
        .replace(&dir.path().display().to_string(), "DIR")
}

#[test]
fn defaults() {
    let c = load("[[rules]]\nimages = [\"**\"]\npolicy = \"gate.toml\"\n").unwrap();
    assert_eq!(c.unmatched, Unmatched::Deny);
    assert_eq!(c.deadline, Duration::from_secs(5));
    assert_eq!(c.ttl, Duration::from_secs(300));
    assert_eq!(c.negative_ttl, Duration::from_secs(10));
    assert_eq!(c.rules[0].mode, Mode::Enforce);
    assert_eq!(c.rules[0].on_error, OnError::Deny);
    assert!(c.rules[0].covers(&["ghcr.io/a/b"], "any-namespace"));
}

#[test]
fn every_key() {
    let c = load(
        r#"
unmatched = "allow"
deadline = "2500ms"
[cache]
ttl = "5m"
negative-ttl = "10s"
[[rules]]
images = ["registry.example.com/team/**"]
namespaces = ["prod-*"]
policy = "gate.toml"
mode = "warn"
on-error = "allow"
[[rules]]
images = ["registry.example.com/*"]
policy = "gate.toml"
"#,
    )
    .unwrap();
    assert_eq!(c.unmatched, Unmatched::Allow);
    assert_eq!(c.deadline, Duration::from_millis(2500));
    assert_eq!(c.ttl, Duration::from_secs(300));
    let r = &c.rules[0];
    assert_eq!((r.mode, r.on_error), (Mode::Warn, OnError::Allow));
    assert!(r.covers(&["registry.example.com/team/a/b"], "prod-eu"));
    assert!(!r.covers(&["registry.example.com/team/a/b"], "dev"));
    // `*` does not cross `/`; one policy file loaded once for both rules.
    assert!(!c.rules[1].covers(&["registry.example.com/team/a"], "x"));
    assert!(std::sync::Arc::ptr_eq(
        &c.rules[0].policy,
        &c.rules[1].policy
    ));
}

#[test]
fn errors_name_the_file_and_key() {
    let rule = "[[rules]]\nimages = [\"**\"]\npolicy = \"gate.toml\"\n";
    assert!(
        message(&format!("unmatch = \"deny\"\n{rule}"))
            .starts_with("admission config DIR/admission.toml is not valid")
    );
    assert!(matches!(
        load(&format!("unmatch = \"deny\"\n{rule}")),
        Err(ConfigError::Toml { .. })
    ));
    assert!(matches!(
        load(&format!("{rule}colour = \"red\"\n")),
        Err(ConfigError::Toml { .. })
    ));
    assert_eq!(
        message(&format!("deadline = \"31s\"\n{rule}")),
        "admission config DIR/admission.toml: `deadline` = \"31s\" is longer than the API server's 30 s limit"
    );
    assert_eq!(
        message(&format!("deadline = \"soon\"\n{rule}")),
        "admission config DIR/admission.toml: `deadline` = \"soon\" is not a duration (expected e.g. \"5s\", \"500ms\", \"5m\")"
    );
    assert_eq!(
        message(&format!("[cache]\nnegative-ttl = \"-1s\"\n{rule}")),
        "admission config DIR/admission.toml: `cache.negative-ttl` = \"-1s\" is not a duration (expected e.g. \"5s\", \"500ms\", \"5m\")"
    );
    assert_eq!(
        message("unmatched = \"deny\"\n"),
        "admission config DIR/admission.toml has no [[rules]]"
    );
    assert_eq!(
        message("[[rules]]\nimages = [\"a/[\"]\npolicy = \"gate.toml\"\n"),
        "admission config DIR/admission.toml: rules[0].images: bad glob `a/[`"
    );
    assert_eq!(
        message("[[rules]]\nimages = []\npolicy = \"gate.toml\"\n"),
        "admission config DIR/admission.toml: rules[0].images is empty (expected at least one glob)"
    );
    assert!(matches!(
        load("[[rules]]\nimages = [\"**\"]\npolicy = \"gate.toml\"\nmode = \"audit\"\n"),
        Err(ConfigError::Toml { .. })
    ));
    assert_eq!(
        message("[[rules]]\nimages = [\"**\"]\npolicy = \"missing.toml\"\n"),
        "admission config DIR/admission.toml: rules[0].policy DIR/missing.toml could not be loaded"
    );
}

#[test]
fn a_policy_that_does_not_load_or_needs_what_admission_lacks_is_refused() {
    let admission = "[[rules]]\nimages = [\"**\"]\npolicy = \"gate.toml\"\n";
    for (policy, expected) in [
        (
            "[trust]\nkeys = [\"nope.pub\"]\n",
            "admission config DIR/admission.toml: rules[0].policy DIR/gate.toml could not be loaded",
        ),
        (
            "check = true\n[trust]\nkeys = [\"release.pub\"]\n",
            "admission config DIR/admission.toml: rules[0].policy DIR/gate.toml has `check = true`, but an admission request has no source tree to check (expected a policy without `check`)",
        ),
        (
            "secrets = true\n[trust]\nkeys = [\"release.pub\"]\n",
            "admission config DIR/admission.toml: rules[0].policy DIR/gate.toml has `secrets = true`, but an admission request has no source tree to check (expected a policy without `secrets`)",
        ),
        (
            "[trust]\nkeys = [\"release.pub\"]\n[vulnerabilities]\nfail-on = \"high\"\n",
            "admission config DIR/admission.toml: rules[0].policy DIR/gate.toml has [vulnerabilities], but no advisory database was given",
        ),
    ] {
        let (dir, path, _) = folder(admission);
        std::fs::write(dir.path().join("gate.toml"), policy).unwrap();
        let err = Config::load(&path, None).unwrap_err();
        assert_eq!(
            err.to_string()
                .replace(&dir.path().display().to_string(), "DIR"),
            expected
        );
    }
}
