//! The exit-code contract (0 passed, 1 findings, 2 could not evaluate) where it used to leak:
//! `scan` without a usable advisory database or with files it could not evaluate, walk errors
//! in `check`/`scan`, the one ignore-file schema shared by `check`, `vulns` and `scan`,
//! suppressed findings in the `scan` table, and `pin --check` with one unreachable reference.
//! Every case asserts the exit code and the exact reason (text, JSON field or SARIF field).

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

use common::{assert_exit, dir_with, json, vouch, write};

/// SOURCE_DATE_EPOCH 1795000000 = 2026-11-18, before the ignore entries' expiry.
const NOW: &str = "1795000000";

const PINNED_DOCKERFILE: &str = "FROM alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000\nUSER app\n";

/// `vouch scan DIR --db DB` followed by `extra`.
fn scan_with_db(dir: &Path, db: &Path, extra: &[&str]) -> std::process::Output {
    vouch()
        .arg("scan")
        .arg(dir)
        .arg("--db")
        .arg(db)
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// --- scan: a check that could not run ---------------------------------------------------------

#[test]
fn scan_without_a_database_is_not_checked_and_exit_2_in_every_format() {
    let d = dir_with(&[("Dockerfile", PINNED_DOCKERFILE)]);
    let db = d.path().join("no-such.sqlite");
    let reason = format!(
        "no advisory database at {} (run `vouch db update` or `vouch db import PATH`, pass --db, or --skip vulnerabilities)",
        db.display()
    );

    let out = scan_with_db(d.path(), &db, &[]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(&format!("error: not checked: vulnerabilities: {reason}\n")),
        "{}",
        stderr(&out)
    );
    let table = stdout(&out);
    assert!(
        table.contains("INCOMPLETE: 1 thing(s) not checked (exit 2):\n"),
        "{table}"
    );
    assert!(
        table.contains(&format!("  not checked: vulnerabilities: {reason}\n")),
        "{table}"
    );

    let out = scan_with_db(d.path(), &db, &["--format", "json"]);
    assert_exit(&out, 2);
    let v = json(&out.stdout);
    assert_eq!(v["complete"], false);
    assert_eq!(v["checks"][0]["check"], "vulnerabilities");
    assert_eq!(v["checks"][0]["status"], "not checked");
    assert_eq!(v["checks"][1]["status"], "complete");
    assert_eq!(v["not_checked"][0]["check"], "vulnerabilities");
    assert_eq!(v["not_checked"][0]["reason"], Value::String(reason.clone()));

    let out = scan_with_db(d.path(), &db, &["--format", "sarif"]);
    assert_exit(&out, 2);
    let v = json(&out.stdout);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"];
    assert_eq!(n.as_array().unwrap().len(), 1);
    assert_eq!(n[0]["level"], "error");
    assert_eq!(n[0]["descriptor"]["id"], "vulnerabilities");
    assert_eq!(
        n[0]["message"]["text"],
        Value::String(format!("vulnerabilities: {reason}"))
    );
}

#[test]
fn strict_does_not_make_a_missing_database_pass_and_skip_is_explicit() {
    let d = dir_with(&[("Dockerfile", PINNED_DOCKERFILE)]);
    let db = d.path().join("no-such.sqlite");
    // --strict (as the CI templates run it) is still exit 2.
    let out = scan_with_db(d.path(), &db, &["--strict"]);
    assert_exit(&out, 2);

    // Leaving the check out on purpose is a pass that says so.
    let out = scan_with_db(
        d.path(),
        &db,
        &["--skip", "vulnerabilities", "--format", "json"],
    );
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(v["complete"], true);
    assert_eq!(v["checks"][0]["status"], "skipped");
    assert_eq!(v["checks"][0]["note"], "skipped (--skip)");
    assert_eq!(v["not_checked"], Value::Array(vec![]));

    let out = scan_with_db(
        d.path(),
        &db,
        &["--skip", "vulnerabilities", "--format", "sarif"],
    );
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
    assert_eq!(
        v["runs"][0]["invocations"][0]["toolExecutionNotifications"],
        Value::Array(vec![])
    );
}

#[test]
fn a_skip_in_scan_toml_needs_a_reason_and_shows_it() {
    let toml = "[[skip]]\ncheck = \"vulnerabilities\"\nreason = \"no database here\"\n";
    let d = dir_with(&[
        ("Dockerfile", PINNED_DOCKERFILE),
        (".vouch/scan.toml", toml),
    ]);
    let db = d.path().join("no-such.sqlite");
    let out = scan_with_db(d.path(), &db, &["--format", "json"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out)
            .contains("note: .vouch/scan.toml skips the vulnerabilities check: no database here\n"),
        "{}",
        stderr(&out)
    );
    let v = json(&out.stdout);
    assert_eq!(v["checks"][0]["status"], "skipped");
    assert_eq!(
        v["checks"][0]["note"],
        "skipped (.vouch/scan.toml: no database here)"
    );

    // --no-scan-config runs the check anyway: without a database it was not checked.
    let out = scan_with_db(d.path(), &db, &["--no-scan-config"]);
    assert_exit(&out, 2);

    // A skip without a reason is refused, naming the file.
    let d = dir_with(&[
        ("Dockerfile", PINNED_DOCKERFILE),
        (
            ".vouch/scan.toml",
            "[[skip]]\ncheck = \"secrets\"\nreason = \" \"\n",
        ),
    ]);
    let out = scan_with_db(d.path(), &db, &[]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(&format!(
            "error: invalid scan configuration {}: every `skip` entry needs a `reason`",
            d.path().join(".vouch/scan.toml").display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn scan_with_an_unusable_database_is_not_checked() {
    let d = dir_with(&[("Dockerfile", PINNED_DOCKERFILE)]);
    let db = d.path().join("garbage.sqlite");
    std::fs::write(
        &db,
        "this is not a database, just text long enough to be read\n",
    )
    .unwrap();
    let out = scan_with_db(d.path(), &db, &["--format", "json"]);
    assert_exit(&out, 2);
    let v = json(&out.stdout);
    assert_eq!(v["checks"][0]["status"], "not checked");
    let reason = v["not_checked"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!(
            "cannot use the advisory database {}: ",
            db.display()
        )),
        "{reason}"
    );
}

#[test]
fn scan_files_a_check_could_not_evaluate_are_exit_2_with_or_without_strict() {
    let d = dir_with(&[
        ("Dockerfile", PINNED_DOCKERFILE),
        (".gitlab-ci.yml", "a: [\n"),
    ]);
    for strict in [false, true] {
        let mut cmd = vouch();
        cmd.arg("scan")
            .arg(d.path())
            .args(["--skip", "vulnerabilities", "--format", "json"]);
        if strict {
            cmd.arg("--strict");
        }
        let out = cmd.output().unwrap();
        assert_exit(&out, 2);
        let v = json(&out.stdout);
        assert_eq!(v["complete"], false);
        let config = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "configuration")
            .unwrap();
        assert_eq!(config["status"], "incomplete");
        assert_eq!(config["note"], "1 files checked, 1 could not be evaluated");
        let nc = v["not_checked"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["check"] == "configuration")
            .unwrap_or_else(|| panic!("{v}"));
        assert_eq!(nc["path"], ".gitlab-ci.yml");
    }
}

// --- walk errors ----------------------------------------------------------------------------

/// A folder whose deepest directory's path is longer than PATH_MAX (4096 bytes): no `open`
/// accepts it, whoever runs the test (root included, unlike a mode-000 folder). Two chains
/// of 15 folders with 200-byte names are made under short paths, then the second is moved
/// into the first's deepest folder; the tree holds a Dockerfile at the bottom that nobody
/// can check. Returns the name of the moved chain's top (`a/ddd…/b`), relative to `root`.
fn too_deep(root: &Path) {
    let name = "d".repeat(200);
    let chain = |top: &Path| {
        let mut p = top.to_path_buf();
        for _ in 0..15 {
            p.push(&name);
        }
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    let a_end = chain(&root.join("a"));
    let b_end = chain(&root.join("b"));
    std::fs::write(b_end.join("Dockerfile"), "FROM alpine:latest\n").unwrap();
    std::fs::rename(root.join("b"), a_end.join("b")).unwrap();
    assert!(
        a_end.join("b").as_os_str().len() + 15 * 201 > 4096,
        "the tree must reach past PATH_MAX"
    );
}

#[test]
fn check_counts_a_directory_it_cannot_open_and_exits_2() {
    let d = dir_with(&[("Dockerfile", PINNED_DOCKERFILE)]);
    too_deep(d.path());
    let out = vouch().arg("check").arg(d.path()).output().unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("  caused by: cannot walk: File name too long (os error 36)\n"),
        "{err}"
    );
    assert!(err.contains("error: could not check a/"), "{err}");
    assert!(
        !err.contains(", 0 could not be checked"),
        "a walk error must be counted: {err}"
    );

    let out = vouch()
        .arg("check")
        .arg(d.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let v = json(&out.stdout);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let text = inv["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(text.starts_with("configuration: a/"), "{text}");
    assert!(
        text.ends_with(": cannot walk: File name too long (os error 36)"),
        "{text}"
    );

    // The passing case: the same tree without the deep part.
    let ok = dir_with(&[("Dockerfile", PINNED_DOCKERFILE)]);
    let out = vouch().arg("check").arg(ok.path()).output().unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("checked 1 file(s), 0 could not be checked"));
}

#[test]
fn scan_counts_walk_errors_in_every_check() {
    let d = dir_with(&[("Dockerfile", PINNED_DOCKERFILE)]);
    too_deep(d.path());
    let out = vouch()
        .arg("scan")
        .arg(d.path())
        .args(["--skip", "vulnerabilities", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let v = json(&out.stdout);
    let checks: Vec<&str> = v["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["check"].as_str().unwrap())
        .collect();
    for c in ["inventory", "secrets", "configuration", "pinning"] {
        assert!(checks.contains(&c), "{c} missing from {checks:?}");
    }
    let inventory = v["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["check"] == "inventory")
        .unwrap();
    assert_eq!(
        inventory["reason"],
        "cannot walk: File name too long (os error 36)"
    );
}

#[test]
fn vulns_refuses_an_inventory_with_walk_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("osv.sqlite");
    let out = vouch()
        .env("VOUCH_DB", &db)
        .args(["db", "import"])
        .arg(common::advisory_fixtures().join("packagist"))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let d = dir_with(&[]);
    too_deep(d.path());
    let out = vouch()
        .env("VOUCH_DB", &db)
        .arg("vulns")
        .arg(d.path())
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "path(s) under {} could not be walked (first: a/",
            d.path().display()
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "cannot walk: File name too long (os error 36)); what is below them was not checked"
        ),
        "{err}"
    );
}

#[test]
fn sbom_writes_what_it_found_and_fails_on_walk_errors() {
    let d = dir_with(&[(
        "Cargo.lock",
        "version = 3\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.11\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )]);
    too_deep(d.path());
    let out_dir = tempfile::tempdir().unwrap();
    let sbom = out_dir.path().join("sbom.cdx.json");
    let out = vouch()
        .arg("sbom")
        .arg(d.path())
        .arg("-o")
        .arg(&sbom)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(
            "cannot walk: File name too long (os error 36)); what is below them was not checked"
        ),
        "{err}"
    );
    // Nothing found is lost: the document holds what could be read.
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    assert_eq!(doc["components"][0]["purl"], "pkg:cargo/itoa@1.0.11");
}

// --- one ignore file --------------------------------------------------------------------------

fn project_with_db() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db/osv.sqlite");
    // Imported at the time the tests scan, so the database is not stale (advisory-db-stale).
    let out = vouch()
        .env("VOUCH_DB", &db)
        .env("SOURCE_DATE_EPOCH", NOW)
        .args(["db", "import"])
        .arg(common::advisory_fixtures().join("packagist"))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let proj = d.path().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::copy(
        common::advisory_fixtures()
            .join("lockfiles/osv-scanner-fixture.locks-many-with-insecure.composer.lock"),
        proj.join("composer.lock"),
    )
    .unwrap();
    write(&proj, "Dockerfile", "FROM python:latest\nUSER app\n");
    (d, proj)
}

const BOTH_KINDS: &str = "[[ignore]]\nrule = \"*\"\npath = \"Dockerfile\"\nreason = \"development image\"\nexpires = \"2026-12-31\"\n\n[[ignore]]\nid = \"CVE-2021-32708\"\nreason = \"no user-controlled paths\"\nexpires = 2026-12-31\n";

#[test]
fn one_ignore_file_suppresses_rules_and_advisories_in_check_vulns_and_scan() {
    let (d, proj) = project_with_db();
    let db = d.path().join("db/osv.sqlite");
    let run = |args: &[&str]| {
        vouch()
            .env("VOUCH_DB", &db)
            .env("SOURCE_DATE_EPOCH", NOW)
            .args(args)
            .arg(&proj)
            .output()
            .unwrap()
    };
    // Without the ignore file: a finding in each (the failing case).
    assert_exit(&run(&["vulns"]), 1);
    let out = run(&["scan", "--format", "json"]);
    assert_exit(&out, 1);

    write(&proj, ".vouch/ignore.toml", BOTH_KINDS);
    // `vouch check` reads the `rule` entry and leaves the `id` entry alone.
    let out = run(&["check", "--format", "json"]);
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    let latest = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "dockerfile-latest-tag")
        .unwrap();
    assert_eq!(
        latest["suppressed"]["reason"],
        "development image (until 2026-12-31)"
    );
    // `vouch vulns` reads the `id` entry and leaves the `rule` entry alone.
    let out = run(&["vulns"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("suppressed by ignore-file"));
    // `vouch scan` applies both, the vulnerability exactly as `vulns` does.
    let out = run(&["scan", "--format", "json"]);
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    let vulns = &v["checks"][0];
    assert_eq!(vulns["check"], "vulnerabilities");
    assert_eq!(vulns["findings"], 0);
    assert_eq!(vulns["suppressed"], 1);
    let suppressed = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "GHSA-9f46-5r25-5wfm")
        .unwrap();
    assert_eq!(suppressed["suppressed"]["kind"], "ignore-file");
    assert_eq!(
        suppressed["suppressed"]["reason"],
        "no user-controlled paths (until 2026-12-31)"
    );
}

#[test]
fn scan_applies_vex_to_vulnerabilities() {
    let (d, proj) = project_with_db();
    let db = d.path().join("db/osv.sqlite");
    let vex = d.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"a","timestamp":"2026-01-01T00:00:00Z","version":1,
"statements":[{"vulnerability":{"name":"CVE-2021-32708"},"products":[{"@id":"pkg:composer/league/flysystem"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    // Without the VEX document: the finding counts (exit 1).
    let out = vouch()
        .env("VOUCH_DB", &db)
        .env("SOURCE_DATE_EPOCH", NOW)
        .arg("scan")
        .arg(&proj)
        .args(["--skip", "configuration"])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let out = vouch()
        .env("VOUCH_DB", &db)
        .env("SOURCE_DATE_EPOCH", NOW)
        .arg("scan")
        .arg(&proj)
        .arg("--vex")
        .arg(&vex)
        .args(["--skip", "configuration", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(v["checks"][0]["suppressed"], 1, "{v}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "GHSA-9f46-5r25-5wfm")
        .unwrap();
    assert_eq!(f["suppressed"]["kind"], "vex");
}

#[test]
fn an_entry_mixing_both_kinds_is_refused_naming_what_to_change() {
    let d = dir_with(&[
        ("Dockerfile", PINNED_DOCKERFILE),
        (
            ".vouch/ignore.toml",
            "[[ignore]]\nrule = \"dockerfile-latest-tag\"\nid = \"CVE-2021-32708\"\nreason = \"r\"\nexpires = 2026-12-31\n",
        ),
    ]);
    let out = vouch().arg("check").arg(d.path()).output().unwrap();
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(".vouch/ignore.toml: ignore entry 1 (line 1): has both `rule` and `id`; an entry suppresses either a rule (`rule`, `path`) or an advisory (`id`, `purl`): split it in two"),
        "{}",
        stderr(&out)
    );
}

// --- suppressed findings in the scan table --------------------------------------------------

#[test]
fn scan_counts_suppressed_findings_and_lists_them_only_when_asked() {
    let d = dir_with(&[
        ("Dockerfile", "FROM python:latest\nUSER app\n"),
        (".vouch/ignore.toml", BOTH_KINDS),
    ]);
    let run = |extra: &[&str]| {
        vouch()
            .env("SOURCE_DATE_EPOCH", NOW)
            .arg("scan")
            .arg(d.path())
            .args(["--skip", "vulnerabilities", "--skip", "pinning"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_exit(&out, 0);
    let table = stdout(&out);
    assert!(!table.contains("(suppressed)"), "{table}");
    assert!(
        table.contains("no findings, 2 suppressed (not listed)\n(list suppressed findings with --show-suppressed)\n"),
        "{table}"
    );
    assert!(
        table.contains("│ configuration   ┆ complete ┆ 0        ┆ 2          ┆"),
        "{table}"
    );

    let out = run(&["--show-suppressed"]);
    assert_exit(&out, 0);
    let table = stdout(&out);
    assert!(table.contains("high (suppressed)"), "{table}");
    assert!(table.contains("0 finding(s), 2 suppressed\n"), "{table}");
}

// --- pin --check ------------------------------------------------------------------------------

#[test]
fn pin_check_reports_every_checkable_finding_and_names_the_unreachable_reference() {
    let forge = vouch_test::forge::Forge::new();
    let commit = forge.release(
        "acme/tool",
        "v1.0.0",
        &[(
            "action.yml",
            "name: tool\nruns:\n  using: node20\n  main: x.js\n",
        )],
        "2024-01-01T00:00:00Z",
        false,
    );
    let gone = "0123456789abcdef0123456789abcdef01234567";
    let d = dir_with(&[(
        ".github/workflows/ci.yml",
        &format!(
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: acme/tool@{commit} # v9.9.9\n      - uses: acme/gone@{gone} # v1.0.0\n"
        ),
    )]);
    let out = vouch()
        .args(["pin", "--check"])
        .arg(d.path())
        .args(["--github-url", &forge.file_url()])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let found = stdout(&out);
    // Both checkable findings of the file are still there.
    assert!(
        found.contains(".github/workflows/ci.yml:6: actions/checkout@v4[unpinned-reference]"),
        "{found}"
    );
    assert!(
        found.contains(&format!(
            ".github/workflows/ci.yml:7: acme/tool[pin-comment-mismatch]: the comment says v9.9.9, but {}/acme/tool has no such tag or branch\n",
            forge.file_url()
        )),
        "{found}"
    );
    // The unreachable one is named, as not checked.
    let err = stderr(&out);
    assert!(
        err.contains(&format!(".github/workflows/ci.yml:8: acme/gone@{gone}: ")),
        "{err}"
    );
    assert!(err.contains("; not checked\n"), "{err}");
    assert!(
        err.contains(
            "2 finding(s) in 1 file(s); some references or files could not be checked (exit 2)"
        ),
        "{err}"
    );
}

// --- the gate with `check = true` -------------------------------------------------------------

/// A signed artifact, its SBOM and a policy with only `check = true`, in `d`.
fn gate_workspace(d: &Path) {
    // The `CI_*` variables GitLab sets for a job on a protected branch (provenance reads them).
    let ci = [
        ("GITLAB_CI", "true"),
        ("CI_SERVER_URL", "https://gitlab.example.com"),
        ("CI_PROJECT_URL", "https://gitlab.example.com/acme/api"),
        ("CI_COMMIT_SHA", "4f1c2a9e0b7d3c6f8e5a1b2c3d4e5f6a7b8c9d0e"),
        ("CI_COMMIT_REF_NAME", "main"),
        ("CI_COMMIT_REF_PROTECTED", "true"),
        ("CI_PIPELINE_ID", "4242"),
        ("CI_JOB_ID", "777"),
        ("CI_RUNNER_ID", "12"),
        ("CI_RUNNER_DESCRIPTION", "shared-runner-1"),
        ("CI_CONFIG_PATH", ".gitlab-ci.yml"),
        ("CI_JOB_NAME", "build"),
    ];
    let run = |args: &[&str]| {
        let out = vouch()
            .current_dir(d)
            .env("VOUCH_PASSWORD", "pipeline-password")
            .envs(ci)
            .args(args)
            .output()
            .unwrap();
        assert_exit(&out, 0);
    };
    write(d, "src/Dockerfile", PINNED_DOCKERFILE);
    write(d, "dist/app.bin", "a build output\n");
    run(&["key", "generate", "--output-prefix", "release"]);
    run(&["sbom", "src", "-o", "dist/sbom.cdx.json"]);
    run(&[
        "sign",
        "dist/app.bin",
        "--key",
        "release.key",
        "-o",
        "dist/signature.bundle",
    ]);
    run(&[
        "attest",
        "provenance",
        "--subject",
        "dist/app.bin",
        "--key",
        "release.key",
        "--sbom",
        "dist/sbom.cdx.json",
        "-o",
        "dist/provenance.intoto.jsonl",
    ]);
    run(&[
        "attest",
        "sbom",
        "--subject",
        "dist/app.bin",
        "--sbom",
        "dist/sbom.cdx.json",
        "--key",
        "release.key",
        "-o",
        "dist/sbom.intoto.jsonl",
    ]);
    write(
        d,
        "gate.toml",
        "check = true\n\n[trust]\nkeys = [\"release.pub\"]\n",
    );
}

#[test]
fn gate_with_check_does_not_pass_a_tree_the_walk_could_not_open() {
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    gate_workspace(d);
    let gate = || {
        vouch()
            .current_dir(d)
            .args([
                "gate",
                "dist/app.bin",
                "--policy",
                "gate.toml",
                "--source",
                "src",
            ])
            .output()
            .unwrap()
    };
    // The passing case first: the same tree, fully readable.
    let out = gate();
    assert_exit(&out, 0);

    too_deep(&d.join("src"));
    let out = gate();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("error: vouch check could not evaluate 1 file(s) in src (first: a/"),
        "{err}"
    );
    assert!(
        err.contains(": cannot walk: File name too long (os error 36)); the gate does not pass what it could not check"),
        "{err}"
    );
}

#[test]
fn secrets_counts_what_it_could_not_read_and_exits_2() {
    let d = dir_with(&[("README.md", "clean\n")]);
    let out = vouch()
        .arg("secrets")
        .arg(d.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let v = json(&out.stdout);
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);

    too_deep(d.path());
    let out = vouch()
        .arg("secrets")
        .arg(d.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let v = json(&out.stdout);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["descriptor"]["id"], "secrets");
    let text = n["message"]["text"].as_str().unwrap();
    assert!(text.contains(": walk error: "), "{text}");
    assert!(text.ends_with("File name too long (os error 36)"), "{text}");
}
