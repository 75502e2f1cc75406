//! Real workflows that use `workflow_run`, `actions/github-script` and `workflow_call` safely
//! (tests/fixtures/github-real/SOURCES.md): none of the injection, untrusted-checkout or
//! permission rules may fire on them.

use std::path::Path;

use vouch_policy::{Date, Options, check_dir};

#[test]
fn safe_real_workflows_raise_no_trigger_injection_or_permission_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github-real");
    let out = check_dir(&dir, &Options::new("2026-11-22".parse::<Date>().unwrap())).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.files_checked, 4);
    let wrong: Vec<String> = out
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.rule_id.as_str(),
                "github-script-injection"
                    | "github-pull-request-target-checkout"
                    | "github-excessive-permissions"
                    | "github-curl-pipe-shell"
            )
        })
        .map(|f| format!("{:?} {}: {}", f.location, f.rule_id, f.message))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
