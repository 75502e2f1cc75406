//! `vouch explain CODE` prints the rule or diagnostic page built into the binary; every code
//! vouch can report has one.

mod common;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = common::vouch().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_code_prints_its_page_from_the_binary() {
    let (code, out, _) = run(&["explain", "key-mismatch"]);
    assert_eq!(code, Some(0));
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules/key-mismatch.md"),
    )
    .unwrap();
    assert_eq!(out, page);
    // Secret rules live in a folder of their own; upper case is accepted.
    let (code, out, _) = run(&["explain", "GENERIC-PASSWORD"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("# `generic-password`"), "{out}");
}

#[test]
fn an_unknown_code_is_exit_2_naming_it() {
    let (code, out, err) = run(&["explain", "no-such-rule"]);
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.contains(
            "no rule or diagnostic is named `no-such-rule` (`vouch explain --list` lists the"
        ),
        "{err}"
    );
    let (code, _, _) = run(&["explain"]);
    assert_eq!(code, Some(2));
}

#[test]
fn every_built_in_rule_has_a_page() {
    let (_, listed, _) = run(&["explain", "--list"]);
    let codes: std::collections::BTreeSet<&str> = listed.lines().collect();
    let (code, rules, _) = run(&["check", "--list-rules"]);
    assert_eq!(code, Some(0));
    for rule in rules.lines().filter_map(|l| l.split_whitespace().next()) {
        assert!(codes.contains(rule), "`vouch explain {rule}` has no page");
    }
    for code in [
        "invalid-signature",
        "pin-comment-mismatch",
        "unpinned-reference",
        "ignore-expired",
    ] {
        assert!(codes.contains(code), "{code}");
    }
}
