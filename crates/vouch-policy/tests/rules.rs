//! Every built-in rule has a failing and a passing fixture and a documentation page; the failing
//! fixture produces exactly the messages in `expected.txt`, the passing one none.

use std::path::{Path, PathBuf};

use vouch_policy::{Date, Options, builtin_rules, check_dir};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn opts() -> Options {
    Options::new("2026-11-22".parse::<Date>().unwrap())
}

/// `path:line: message` of every finding of `rule` under `dir`.
fn findings(dir: &Path, rule: &str) -> Vec<String> {
    let out = check_dir(dir, &opts()).unwrap();
    assert!(out.errors.is_empty(), "{}: {:?}", dir.display(), out.errors);
    let mut v: Vec<String> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == rule)
        .map(|f| {
            let loc = f.location.as_ref().unwrap();
            format!(
                "{}:{}: {}",
                loc.path,
                loc.line.map(|l| l.to_string()).unwrap_or_default(),
                f.message
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_rule_fires_on_its_failing_fixture_and_not_on_its_passing_one() {
    let mut problems = Vec::new();
    for rule in builtin_rules() {
        if rule.group == "image" {
            // An image is not a folder of files: tests/image_rules.rs runs these rules over
            // ImageInput fixtures (tests/fixtures/image/<id>/) with the same contract.
            continue;
        }
        let base = fixtures().join(&rule.id);
        let expected_path = base.join("expected.txt");
        if std::env::var_os("VOUCH_BLESS").is_some() {
            // Review the diff of expected.txt after blessing: it is the rule's contract.
            let got = findings(&base.join("fail"), &rule.id);
            std::fs::write(&expected_path, got.join("\n") + "\n").unwrap();
        }
        let Ok(expected) = std::fs::read_to_string(&expected_path) else {
            problems.push(format!("{}: missing {}", rule.id, expected_path.display()));
            continue;
        };
        let mut expected: Vec<String> = expected
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        expected.sort();
        let got = findings(&base.join("fail"), &rule.id);
        if got != expected {
            problems.push(format!(
                "{}: fail fixture\n  expected: {expected:#?}\n  got: {got:#?}",
                rule.id
            ));
        }
        let pass = findings(&base.join("pass"), &rule.id);
        if !pass.is_empty() {
            problems.push(format!("{}: pass fixture fired: {pass:#?}", rule.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_has_a_doc_page() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let mut ids: Vec<String> = builtin_rules().into_iter().map(|r| r.id).collect();
    ids.push(vouch_policy::IGNORE_EXPIRED.to_owned());
    let missing: Vec<String> = ids
        .into_iter()
        .filter(|id| !docs.join(format!("{id}.md")).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "rules without docs/rules/<id>.md: {missing:?}"
    );
}

#[test]
fn rule_metadata_is_complete_and_ids_unique() {
    let rules = builtin_rules();
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
    for r in &rules {
        assert!(
            r.id.starts_with(&format!(
                "{}-",
                if r.group == "gitlab" {
                    "gitlab"
                } else {
                    &r.group
                }
            )),
            "{} not in group {}",
            r.id,
            r.group
        );
        assert!(
            !r.title.is_empty() && !r.rationale.is_empty() && !r.remediation.is_empty(),
            "{}",
            r.id
        );
    }
    assert!(rules.len() >= 32, "only {} rules", rules.len());
}
