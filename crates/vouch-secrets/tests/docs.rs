//! Every rule has a page under docs/rules/secrets/<id>.md, generated from the rule table, plus an
//! index at docs/rules/secrets.md. Run with `VOUCH_BLESS_DOCS=1` to (re)write them; without it the
//! test fails when a page is missing or stale.

use std::path::PathBuf;

use vouch_secrets::{Rule, RuleSet};

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

fn page(rule: &Rule) -> String {
    let mut s = format!("# `{}`\n\n{}.\n\n", rule.id, rule.description);
    s.push_str(&format!("- Severity: {}\n", rule.severity));
    s.push_str(&format!(
        "- Keywords (any one, case-insensitive, selects the rule for a file): {}\n",
        rule.keywords
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    match rule.entropy {
        Some(e) => s.push_str(&format!(
            "- Entropy filter: the secret needs at least {e} bits per character\n"
        )),
        None => s.push_str("- Entropy filter: none\n"),
    }
    if rule.generic {
        s.push_str("- Generic: yes; a specific rule matching the same text wins\n");
        s.push_str(
            "- Keyword boundary: the keyword must begin a word (`db_password`, `dbPassword`; \
             not `bypass`, not inside a base64 hash)\n",
        );
        s.push_str(
            "- Value filters for generic rules: variable references, paths, word-like values, \
             sequences ([docs/secrets.md](../../secrets.md#why-a-match-is-not-reported))\n",
        );
    }
    if !rule.stopwords.is_empty() {
        s.push_str(&format!(
            "- Stop words (a secret containing one is ignored): {}\n",
            rule.stopwords
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if rule.regex.capture_names().any(|n| n == Some("host")) {
        s.push_str(
            "- Reserved hosts: credentials for a documentation host (`example.com`, `example.net`, \
             `example.org` and their subdomains, `*.example`, `*.invalid`) are not reported\n",
        );
    }
    s.push_str(&format!(
        "\n## Pattern\n\n```text\n{}\n```\n\nThe named group `secret` is what is redacted, hashed into the fingerprint and filtered.\n",
        rule.regex.as_str()
    ));
    s.push_str(
        "\n## What to do\n\nRevoke and rotate the credential at its issuer first: removing it from the file (or\n\
         rewriting history) does not un-leak it. Then load it from the environment or a secret\n\
         manager. If the match is a test fixture or a documentation value, mark the line with\n\
         `vouch:allow`, or list the path or fingerprint in `.vouch/secrets.toml` (see\n\
         [docs/secrets.md](../../secrets.md)).\n\n\
         Examples of what this rule must and must not match live in\n\
         `crates/vouch-secrets/src/rules.toml` and are checked by `tests/rules.rs`.\n",
    );
    s
}

fn index(rules: &RuleSet) -> String {
    let mut s = String::from(
        "# Secret rules\n\nGenerated from `crates/vouch-secrets/src/rules.toml` by \
         `VOUCH_BLESS_DOCS=1 cargo test -p vouch-secrets --test docs`. One page per rule.\n\n\
         | id | severity | description |\n| --- | --- | --- |\n",
    );
    for r in rules.rules() {
        s.push_str(&format!(
            "| [`{0}`](secrets/{0}.md) | {1} | {2} |\n",
            r.id, r.severity, r.description
        ));
    }
    s
}

#[test]
fn every_rule_has_a_current_page() {
    let rules = RuleSet::builtin();
    let bless = std::env::var_os("VOUCH_BLESS_DOCS").is_some();
    let mut expected: Vec<(PathBuf, String)> = rules
        .rules()
        .iter()
        .map(|r| {
            (
                docs_dir().join("secrets").join(format!("{}.md", r.id)),
                page(r),
            )
        })
        .collect();
    expected.push((docs_dir().join("secrets.md"), index(rules)));
    let mut stale = Vec::new();
    for (path, text) in expected {
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "missing or stale rule pages (run VOUCH_BLESS_DOCS=1 cargo test -p vouch-secrets --test docs):\n{}",
        stale.join("\n")
    );
}
