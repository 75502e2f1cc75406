//! `vouch slo rules` and `vouch slo status` as a user runs them: files in, rules or a status
//! table/JSON out, exit codes 0/1/2 and the errors on stderr. The fixtures are vouch-slo's
//! (`crates/vouch-slo/tests/fixtures`, real webhook payloads with a SOURCES.md).

mod common;

use std::path::{Path, PathBuf};

use common::{assert_exit, dir_with, json, vouch};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vouch-slo/tests/fixtures")
        .join(rel)
}

#[test]
fn rules_to_a_file_and_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("rules.yml");
    let out = vouch()
        .args(["slo", "rules"])
        .arg(fixture("seed/delivery.yaml"))
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&out_path).unwrap();
    let stdout = vouch()
        .args(["slo", "rules"])
        .arg(fixture("seed/delivery.yaml"))
        .output()
        .unwrap();
    assert_exit(&stdout, 0);
    assert_eq!(String::from_utf8(stdout.stdout).unwrap(), written);
    assert!(written.contains("le=\"120\""));
    // promtool accepts what the binary wrote.
    let check = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(&out_path)
        .output()
        .expect("promtool (scripts/test-setup.d/prometheus.sh)");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn a_bad_spec_is_exit_2_with_the_reason() {
    let dir = dir_with(&[(
        "slos.yaml",
        "slos:\n  - name: s\n    target: 150%\n    window: 30d\n    indicator:\n      kind: pipeline-success\n      errors: e[{{.window}}]\n      total: t[{{.window}}]\n",
    )]);
    let out = vouch()
        .args(["slo", "rules", "slos.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error[slo-spec-invalid]: SLO file slos.yaml: slo `s`: target `150%` is out of range: expected a ratio between 0 and 1 exclusive (`0.995`) or a percentage between 0 and 100 exclusive (`99.5%`)"),
        "{stderr}"
    );
    let out = vouch()
        .args(["slo", "rules", "missing.yaml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read SLO file missing.yaml"));
}

fn status(now: &str, events: &[&str], format: &str) -> std::process::Output {
    let mut c = vouch();
    c.args(["slo", "status", "--spec"])
        .arg(fixture("seed/status.yaml"))
        .args(["--now", now, "--format", format, "--events"]);
    for e in events {
        c.arg(fixture(e));
    }
    c.output().unwrap()
}

#[test]
fn status_breached_is_exit_1() {
    // GitLab's pipeline hook of 2016-08-12: the pipeline succeeded, but the p95 queue time of
    // its jobs is 164 s, over the 120 s objective.
    let out = status("2016-08-20T00:00:00Z", &["gitlab/pipeline.json"], "json");
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    let slos = v["slos"].as_array().unwrap();
    assert_eq!(slos[0]["name"], "pipeline-success");
    assert_eq!(slos[0]["verdict"], "met");
    assert_eq!(slos[1]["name"], "queue-time");
    assert_eq!(slos[1]["verdict"], "breached");
    assert_eq!(slos[1]["value"], 164.0);
    assert_eq!(slos[1]["objective"], "p95 <= 120s");
    assert_eq!(slos[2]["verdict"], "met");
    assert_eq!(v["now"], "2016-08-20T00:00:00Z");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error[slo-breached]: slo `queue-time` (queue-time) is 164 over 30d, objective p95 <= 120s; 2 of 3 events bad\n"
    );
}

#[test]
fn status_all_met_is_exit_0_and_the_table_says_so() {
    // GitLab's job hook (queued 3 s) and pipeline hook, with only a queue-time and success
    // SLO in the window: everything met.
    let dir = dir_with(&[(
        "slos.yaml",
        "slos:\n  - name: queue\n    target: 95%\n    window: 30d\n    objective: p95 <= 5s\n    indicator:\n      kind: queue-time\n      histogram: h\n",
    )]);
    let out = vouch()
        .args([
            "slo",
            "status",
            "--spec",
            "slos.yaml",
            "--now",
            "2023-01-11T00:00:00Z",
            "--events",
        ])
        .arg(fixture("gitlab/job.json"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("SLO "), "{table}");
    assert!(
        lines[1].starts_with("queue ")
            && lines[1].contains("queue-time")
            && lines[1].ends_with("  met"),
        "{table}"
    );
    assert!(
        lines[1].contains("p95 <= 5s") && lines[1].contains("0/1") && lines[1].contains("100.0%"),
        "{table}"
    );
}

#[test]
fn status_without_events_in_the_window_is_exit_2() {
    let out = status("2030-01-01T00:00:00Z", &["gitlab/pipeline.json"], "table");
    assert_exit(&out, 2);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("not evaluated: no finished pipelines in the 30d window"),
        "{table}"
    );
    assert!(!table.contains(" met"), "{table}");
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(
        "error[slo-not-evaluated]: slo `pipeline-success` was not evaluated: no finished pipelines in the 30d window\n"
    ));
}

#[test]
fn status_refuses_other_payloads_and_bad_times() {
    let out = status("2016-08-20T00:00:00Z", &["gitlab/push.json"], "table");
    assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error[slo-event-invalid]: events file ")
            && stderr.contains("push.json: payload 1 is not a pipeline or job event"),
        "{stderr}"
    );
    let out = status("yesterday", &["gitlab/pipeline.json"], "table");
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--now `yesterday` is not an RFC 3339 time")
    );
}

#[test]
fn every_slo_code_has_a_page() {
    for code in [
        "slo-spec-invalid",
        "slo-event-invalid",
        "slo-breached",
        "slo-budget-exhausted",
        "slo-not-evaluated",
    ] {
        let out = vouch().args(["explain", code]).output().unwrap();
        assert_exit(&out, 0);
        let page = String::from_utf8(out.stdout).unwrap();
        assert!(page.starts_with(&format!("# {code}: ")), "{page}");
    }
}

/// `vouch fleet events add FILES --store STORE`, exit 0.
fn store_events(store: &str, files: &[&str]) {
    let mut c = vouch();
    c.args(["fleet", "events", "add"]);
    for f in files {
        c.arg(fixture(f));
    }
    let out = c.args(["--store", store]).output().unwrap();
    assert_exit(&out, 0);
}

/// `slo status` over the stored events equals `slo status` over the files: stdout, exit code
/// and diagnostics (after the line saying where the events came from).
fn status_from_store_matches_files(store: &str) {
    let payloads = [
        "gitlab/pipeline.json",
        "gitlab/job.json",
        "github/completed.payload.json",
        "github/queued.payload.json",
        "github/completed.failure.with-organization.payload.json",
        "github/completed.success.with-organization.payload.json",
    ];
    store_events(store, &payloads);
    for now in [
        "2016-08-20T00:00:00Z",
        "2021-08-20T00:00:00Z",
        "2023-01-11T00:00:00Z",
    ] {
        let files = status(now, &payloads, "json");
        let from_store = vouch()
            .args(["slo", "status", "--spec"])
            .arg(fixture("seed/status.yaml"))
            .args(["--now", now, "--format", "json", "--store", store])
            .output()
            .unwrap();
        assert_eq!(from_store.status.code(), files.status.code(), "at {now}");
        let mut a = json(&from_store.stdout);
        let mut b = json(&files.stdout);
        // `events` counts what was read: the store holds what a window can count.
        a["events"] = serde_json::Value::Null;
        b["events"] = serde_json::Value::Null;
        assert_eq!(a, b, "at {now}");
        let stderr = String::from_utf8(from_store.stderr).unwrap();
        let (first, rest) = stderr.split_once('\n').unwrap();
        assert!(
            first.starts_with("read ") && first.contains(" pipeline event(s) from "),
            "{first}"
        );
        assert_eq!(rest, String::from_utf8(files.stderr).unwrap(), "at {now}");
    }
    // 2016-08-20: the GitLab pipeline's p95 queue time, 164 s, breaches 120 s.
    let out = vouch()
        .args(["slo", "status", "--spec"])
        .arg(fixture("seed/status.yaml"))
        .args(["--now", "2016-08-20T00:00:00Z", "--store", store])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "error[slo-breached]: slo `queue-time` (queue-time) is 164 over 30d, objective p95 <= 120s; 2 of 3 events bad"
        )
    );
}

#[test]
fn status_from_an_sqlite_store_is_the_status_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("fleet.sqlite");
    status_from_store_matches_files(store.to_str().unwrap());
}

#[test]
fn status_from_a_postgres_store_is_the_status_from_files() {
    let cluster = vouch_test::postgres::Cluster::start();
    status_from_store_matches_files(&cluster.url());
}

#[test]
fn status_store_from_vouch_store_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("fleet.sqlite");
    store_events(store.to_str().unwrap(), &["gitlab/pipeline.json"]);
    let spec = fixture("seed/status.yaml");
    // VOUCH_STORE without --events, and behind a bare --store.
    for bare in [false, true] {
        let mut c = vouch();
        c.args(["slo", "status", "--spec"])
            .arg(&spec)
            .args(["--now", "2016-08-20T00:00:00Z", "--format", "json"])
            .env("VOUCH_STORE", &store);
        if bare {
            c.arg("--store");
        }
        let out = c.output().unwrap();
        assert_exit(&out, 1);
        assert_eq!(json(&out.stdout)["slos"][1]["value"], 164.0);
    }
    // --events wins over VOUCH_STORE: the files are read, the store is not.
    let out = vouch()
        .args(["slo", "status", "--spec"])
        .arg(&spec)
        .args([
            "--now",
            "2016-08-20T00:00:00Z",
            "--format",
            "json",
            "--events",
        ])
        .arg(fixture("gitlab/job.json"))
        .env("VOUCH_STORE", &store)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(json(&out.stdout)["events"], 1);
    // Both sources named: refused by clap, exit 2.
    let out = vouch()
        .args(["slo", "status", "--spec"])
        .arg(&spec)
        .arg("--events")
        .arg(fixture("gitlab/job.json"))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    // Neither.
    let out = vouch()
        .args(["slo", "status", "--spec"])
        .arg(&spec)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no pipeline events: give --events FILE… or --store [PATH|URL]"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A store that cannot be opened is exit 2, its password masked.
    let out = vouch()
        .args(["slo", "status", "--spec"])
        .arg(&spec)
        .args(["--store", "postgres://slo:hunter2@127.0.0.1:1/fleet"]) // vouch:allow (a fake password, to see it masked)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot open the fleet store postgres://")
            && stderr.contains("@127.0.0.1:1/fleet")
            && !stderr.contains("hunter2"),
        "{stderr}"
    );
}
