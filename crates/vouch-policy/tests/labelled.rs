//! Accuracy against labelled third-party fixtures (tests/fixtures/labelled/SOURCES.md).
//!
//! Every row of `verdicts.tsv` must agree with vouch's verdict, except rows listed in
//! `known-differences.tsv` (with the reason), which must still disagree, so the list stays true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use vouch_policy::{Checker, Date, Options};

fn base() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/labelled")
}

fn rows(name: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(base().join(name))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn labelled_fixtures_agree() {
    let opts = Options::new("2026-11-22".parse::<Date>().unwrap());
    let checker = Checker::new(&base(), &opts).unwrap();
    let known: BTreeSet<(String, String)> = rows("known-differences.tsv")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let mut per_rule: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut problems = Vec::new();
    for r in rows("verdicts.tsv") {
        let (path, rule, expected) = (&r[0], &r[1], &r[2]);
        let out = checker.check(&[base().join(path)]).unwrap();
        assert!(out.errors.is_empty(), "{path}: {:?}", out.errors);
        let fired = out
            .findings
            .iter()
            .any(|f| &f.rule_id == rule && f.suppressed.is_none());
        let got = if fired { "FAIL" } else { "PASS" };
        let agree = got == expected;
        let e = per_rule.entry(rule.clone()).or_default();
        e.0 += usize::from(agree);
        e.1 += 1;
        let is_known = known.contains(&(path.clone(), rule.clone()));
        if !agree && !is_known {
            problems.push(format!(
                "{path} [{rule}]: expected {expected}, vouch says {got}"
            ));
        }
        if agree && is_known {
            problems.push(format!(
                "{path} [{rule}]: listed in known-differences.tsv but now agrees"
            ));
        }
    }
    let (a, n) = per_rule
        .values()
        .fold((0, 0), |acc, v| (acc.0 + v.0, acc.1 + v.1));
    for (rule, (ok, total)) in &per_rule {
        eprintln!("{rule:<34} {ok}/{total}");
    }
    eprintln!("{:<34} {a}/{n}", "total");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
