//! Every rule's positive examples are found by that rule through the whole engine (keywords,
//! regex, filters); every negative example is not.

use vouch_secrets::{Options, RuleSet, scan_bytes};

#[test]
fn builtin_rules_parse_and_are_many() {
    let rules = RuleSet::builtin();
    assert!(
        rules.rules().len() >= 60,
        "only {} rules",
        rules.rules().len()
    );
}

#[test]
fn every_rule_examples() {
    let mut failures = Vec::new();
    for rule in RuleSet::builtin().rules() {
        assert!(
            !rule.positive_examples.is_empty(),
            "{} has no positive example",
            rule.id
        );
        assert!(
            !rule.negative_examples.is_empty(),
            "{} has no negative example",
            rule.id
        );
        for (i, ex) in rule.positive_examples.iter().enumerate() {
            let out = scan_bytes(ex.as_bytes(), "example.txt", &Options::default()).unwrap();
            if !out.findings.iter().any(|f| f.rule_id == rule.id) {
                failures.push(format!(
                    "{}: positive example {i} not found (got {:?})",
                    rule.id,
                    out.findings.iter().map(|f| &f.rule_id).collect::<Vec<_>>()
                ));
            }
        }
        for (i, ex) in rule.negative_examples.iter().enumerate() {
            let out = scan_bytes(ex.as_bytes(), "example.txt", &Options::default()).unwrap();
            if out.findings.iter().any(|f| f.rule_id == rule.id) {
                failures.push(format!("{}: negative example {i} matched", rule.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn bad_regex_names_the_rule() {
    let text = r#"
version = 1
[[rule]]
id = "broken-rule"
description = "x"
severity = "high"
keywords = ["x"]
regex = '(unclosed'
"#;
    let err = RuleSet::parse(text).unwrap_err();
    assert!(matches!(err, vouch_secrets::RuleError::Regex { ref id, .. } if id == "broken-rule"));
    assert!(err.to_string().contains("broken-rule"));
}

#[test]
fn rule_file_rejections() {
    let base = |extra: &str| {
        format!(
            "version = 1\n[[rule]]\nid = \"a\"\ndescription = \"x\"\nseverity = \"high\"\nregex = 'x'\n{extra}"
        )
    };
    assert!(matches!(
        RuleSet::parse(&base("keywords = []")),
        Err(vouch_secrets::RuleError::NoKeywords { .. })
    ));
    assert!(matches!(
        RuleSet::parse(&base("keywords = [\"x\"]\nentropy = 9.0")),
        Err(vouch_secrets::RuleError::Entropy { .. })
    ));
    assert!(matches!(
        RuleSet::parse("version = 2"),
        Err(vouch_secrets::RuleError::Version { found: 2 })
    ));
    assert!(matches!(
        RuleSet::parse("version = ["),
        Err(vouch_secrets::RuleError::Toml(_))
    ));
    let dup = format!(
        "{}\n[[rule]]\nid = \"a\"\ndescription = \"x\"\nseverity = \"high\"\nregex = 'x'\nkeywords = [\"x\"]\n",
        base("keywords = [\"x\"]")
    );
    assert!(matches!(
        RuleSet::parse(&dup),
        Err(vouch_secrets::RuleError::Duplicate { .. })
    ));
    assert!(matches!(
        RuleSet::parse(
            &base("keywords = [\"x\"]").replace("severity = \"high\"", "severity = \"huge\"")
        ),
        Err(vouch_secrets::RuleError::Severity { .. })
    ));
}
