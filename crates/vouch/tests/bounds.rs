//! Parsing is bounded: nesting deeper than 128 levels in YAML or JSON is refused with the file,
//! line, column and limit (exit 2 where a file could not be evaluated), input at the limit is
//! read, and `db import` streams records into the database. Inputs are generated here; timing
//! and memory are measured by bench/parse-bounds.sh, never asserted.

mod common;

use common::{assert_exit, dir_with};

fn deep_ci_flow(depth: usize) -> String {
    format!(
        "build:\n  script: [echo]\n  tags: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// Runs `vouch ARGS DIR`, asserts exit 2 (could not evaluate) and returns its stderr.
fn stderr_of_exit_2(args: &[&str], dir: &std::path::Path) -> String {
    let out = common::vouch().args(args).arg(dir).output().unwrap();
    assert_exit(&out, 2);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn check_refuses_deep_kubernetes_json_naming_file_line_and_limit() {
    let d = dir_with(&[("k8s/deep.json", &vouch_test::deep_k8s_json(5000))]);
    let stderr = stderr_of_exit_2(&["check", "--today", "2026-11-22"], d.path());
    assert!(
        stderr.contains(
            "error: could not check k8s/deep.json\n  caused by: nesting deeper than the limit of 128 levels at line 2, column 631"
        ),
        "{stderr}"
    );
}

#[test]
fn check_refuses_deep_yaml_flow_and_reads_it_at_the_limit() {
    // `tags:` is level 2's key: the n-th `[` opens level n + 2 at column 8 + n.
    let d = dir_with(&[(".gitlab-ci.yml", &deep_ci_flow(5000))]);
    let stderr = stderr_of_exit_2(&["check", "--today", "2026-11-22"], d.path());
    assert!(
        stderr.contains(
            "error: could not check .gitlab-ci.yml\n  caused by: nesting deeper than the limit of 128 levels at line 3, column 135"
        ),
        "{stderr}"
    );
    let ok = dir_with(&[(".gitlab-ci.yml", &deep_ci_flow(126))]);
    let out = common::vouch()
        .args(["check", "--today", "2026-11-22", "--format", "json"])
        .arg(ok.path())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "evaluated: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("could not check"));
}

#[test]
fn sbom_warns_about_a_deep_pnpm_lockfile_and_strict_exits_2() {
    let lock = format!(
        "lockfileVersion: '9.0'\nsettings: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let d = dir_with(&[("app/pnpm-lock.yaml", &lock)]);
    let stderr = stderr_of_exit_2(&["sbom", "--strict"], d.path());
    assert!(
        stderr.contains(
            "warning: app/pnpm-lock.yaml:2:138: cannot parse pnpm-lock.yaml: nesting deeper than the limit of 128 levels"
        ),
        "{stderr}"
    );
}

#[test]
fn pin_reports_deep_yaml_as_a_malformed_file() {
    let d = dir_with(&[(".gitlab-ci.yml", &deep_ci_flow(5000))]);
    let stderr = stderr_of_exit_2(&["pin", "--check", "--offline"], d.path());
    assert!(
        stderr.contains("nesting deeper than the limit of 128 levels at line 3, column 135"),
        "{stderr}"
    );
}

fn osv(id: &str) -> String {
    format!(
        "{{\"id\": \"{id}\", \"modified\": \"2024-01-02T03:04:05Z\", \"affected\": [{{\"package\": {{\"ecosystem\": \"PyPI\", \"name\": \"pkg-{id}\"}}, \"versions\": [\"1.0\"]}}]}}\n"
    )
}

#[test]
fn db_import_streams_records_and_reports_a_deep_yaml_advisory() {
    let d = tempfile::tempdir().unwrap();
    let adv = d.path().join("advisories");
    std::fs::create_dir(&adv).unwrap();
    for i in 0..50 {
        let id = format!("PYSEC-2024-{i}");
        std::fs::write(adv.join(format!("{id}.json")), osv(&id)).unwrap();
    }
    let deep = format!(
        "id: PYSEC-DEEP\nx: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    std::fs::write(adv.join("PYSEC-DEEP.yaml"), deep).unwrap();
    let db = d.path().join("osv.sqlite");
    let out = common::vouch()
        .args(["db", "import", "--db"])
        .arg(&db)
        .arg(&adv)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "PYSEC-DEEP.yaml: invalid YAML at line 2 column 131: nesting deeper than the limit of 128 levels"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("imported 50 advisories into")
            && stderr.contains("(50 new or updated, 0 unchanged, 1 skipped as malformed)"),
        "{stderr}"
    );
    let status = common::vouch()
        .args(["db", "status", "--format", "json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_exit(&status, 0);
    assert_eq!(common::json(&status.stdout)["advisories"], 50);
}
