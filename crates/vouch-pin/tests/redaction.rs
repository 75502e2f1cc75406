//! References and messages that `pin --check` and `scan` print carry no URL credentials.

use vouch_pin::pin;
use vouch_pin::report::unpinned_findings;
use vouch_pin::walk::walk;

const CI: &str = "include:\n  - remote: https://ci:glTOKEN@gitlab.example/tpl.yml\n";

#[test]
fn unpinned_remote_include_is_redacted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitlab-ci.yml"), CI).unwrap();
    let tree = walk(dir.path());
    let found = pin::unpinned(&tree.files[0]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].reference, "https://***@gitlab.example/tpl.yml");
    assert!(
        found[0]
            .message
            .starts_with("`https://***@gitlab.example/tpl.yml` is mutable: a remote include"),
        "{}",
        found[0].message
    );

    let findings = unpinned_findings(&tree);
    assert_eq!(
        findings[0].properties["reference"],
        "https://***@gitlab.example/tpl.yml"
    );
    assert!(!format!("{found:?} {findings:?}").contains("glTOKEN"));
}

#[test]
fn clean_reference_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".gitlab-ci.yml"),
        "include:\n  - remote: https://gitlab.example/tpl.yml\n",
    )
    .unwrap();
    let tree = walk(dir.path());
    assert_eq!(
        pin::unpinned(&tree.files[0])[0].reference,
        "https://gitlab.example/tpl.yml"
    );
}
