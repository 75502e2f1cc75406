//! `status::evaluate` over real webhook payloads (GitLab's pipeline and job hooks from
//! go-gitlab's test data, GitHub's workflow_run/workflow_job examples from octokit/webhooks),
//! with the ground truth computed here from the JSON itself.

use std::path::Path;

use serde_json::Value;
use vouch_slo::event::{self, Kind, Outcome, Provider};
use vouch_slo::status::{self, Verdict};

fn bytes(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(rel: &str) -> Value {
    serde_json::from_slice(&bytes(rel)).unwrap()
}

fn slos() -> Vec<vouch_slo::Slo> {
    vouch_slo::load(std::str::from_utf8(&bytes("seed/status.yaml")).unwrap()).unwrap()
}

fn gitlab_time(s: &str) -> jiff::Timestamp {
    // "2016-08-12 15:23:28 UTC", independently of the parser under test.
    let civil: jiff::civil::DateTime = s
        .trim_end_matches(" UTC")
        .replace(' ', "T")
        .parse()
        .unwrap();
    civil.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp()
}

#[test]
fn gitlab_pipeline_hook() {
    let events = event::parse(&bytes("gitlab/pipeline.json")).unwrap();
    let raw = json("gitlab/pipeline.json");
    let builds = raw["builds"].as_array().unwrap();
    // One pipeline and one job per build.
    assert_eq!(events.len(), 1 + builds.len());
    assert_eq!(events[0].kind, Kind::Pipeline);
    assert_eq!(events[0].outcome, Outcome::Success);
    assert_eq!(events[0].provider, Provider::GitLab);

    let now: jiff::Timestamp = "2016-08-20T00:00:00Z".parse().unwrap();
    // Ground truth: queue times (started - created) of the builds that started.
    let mut queues: Vec<i64> = builds
        .iter()
        .filter(|b| b["started_at"].is_string())
        .map(|b| {
            gitlab_time(b["started_at"].as_str().unwrap()).as_second()
                - gitlab_time(b["created_at"].as_str().unwrap()).as_second()
        })
        .collect();
    queues.sort_unstable();
    let rank = (0.95 * queues.len() as f64).ceil() as usize;
    let p95 = queues[rank - 1];
    let slow = queues.iter().filter(|q| **q > 120).count();
    // Scan jobs: `test-*` builds that finished, and how many failed.
    let scans: Vec<&Value> = builds
        .iter()
        .filter(|b| {
            b["name"].as_str().unwrap().starts_with("test-") && b["finished_at"].is_string()
        })
        .filter(|b| matches!(b["status"].as_str(), Some("success" | "failed")))
        .collect();
    let scan_failed = scans.iter().filter(|b| b["status"] == "failed").count();

    let report = status::evaluate(&slos(), events, now);
    let by = |n: &str| report.slos.iter().find(|s| s.name == n).unwrap().clone();
    let success = by("pipeline-success");
    assert_eq!(
        (success.total, success.bad, success.value),
        (1, 0, Some(1.0))
    );
    assert_eq!(success.verdict, Verdict::Met);
    assert_eq!(success.budget_left, Some(1.0));

    let queue = by("queue-time");
    assert_eq!(queue.total, queues.len());
    assert_eq!(queue.bad, slow);
    assert_eq!(queue.value, Some(p95 as f64));
    assert!(p95 > 120);
    assert_eq!(queue.verdict, Verdict::Breached);
    let allowed = 0.05 * queues.len() as f64;
    let left = 1.0 - slow as f64 / allowed;
    assert!((queue.budget_left.unwrap() - left).abs() < 1e-6);

    let scan = by("scan-failures");
    assert_eq!((scan.total, scan.bad), (scans.len(), scan_failed));
    assert_eq!(scan.verdict, Verdict::Met);
    assert_eq!(report.exit_code(), 1);

    // A year later the same events are outside every window: not evaluated, exit 2.
    let later: jiff::Timestamp = "2017-08-20T00:00:00Z".parse().unwrap();
    let report = status::evaluate(
        &slos(),
        event::parse(&bytes("gitlab/pipeline.json")).unwrap(),
        later,
    );
    assert!(
        report
            .slos
            .iter()
            .all(|s| s.verdict == Verdict::NotEvaluated)
    );
    assert_eq!(
        report.slos[0].reason.as_deref(),
        Some("no finished pipelines in the 30d window")
    );
    assert_eq!(report.exit_code(), 2);
}

#[test]
fn gitlab_job_hooks() {
    let job = event::parse(&bytes("gitlab/job.json")).unwrap();
    let raw = json("gitlab/job.json");
    assert_eq!(job.len(), 1);
    assert_eq!(job[0].id, raw["build_id"].as_u64().unwrap());
    assert_eq!(job[0].name, raw["build_name"].as_str().unwrap());
    assert_eq!(job[0].outcome, Outcome::Success);
    let q = gitlab_time(raw["build_started_at"].as_str().unwrap()).as_second()
        - gitlab_time(raw["build_created_at"].as_str().unwrap()).as_second();
    assert_eq!(job[0].queue_seconds(), Some(q as f64));
    // The legacy `build` payload: created, not started, RFC 3339 times.
    let build = event::parse(&bytes("gitlab/build.json")).unwrap();
    assert_eq!(build[0].outcome, Outcome::Queued);
    assert_eq!(
        build[0].queued_at,
        Some("2021-02-23T02:41:37.886Z".parse().unwrap())
    );
    assert_eq!(build[0].started_at, None);
}

#[test]
fn github_workflow_payloads() {
    let mut events = Vec::new();
    for f in [
        "github/requested.payload.json",
        "github/completed.payload.json",
        "github/completed.failure.with-organization.payload.json",
        "github/completed.success.with-organization.payload.json",
        "github/queued.payload.json",
        "github/in_progress.payload.json",
    ] {
        events.extend(event::parse(&bytes(f)).unwrap());
    }
    let run = json("github/completed.payload.json");
    assert_eq!(events[1].kind, Kind::Pipeline);
    assert_eq!(events[1].outcome, Outcome::Success);
    assert_eq!(
        events[1].finished_at,
        Some(
            run["workflow_run"]["updated_at"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        )
    );
    // octokit's examples reuse one job id: the failure and then the success of `linters` are
    // two deliveries of one job, and the later terminal one is kept.
    let folded = event::latest(events.clone());
    let jobs: Vec<_> = folded.iter().filter(|e| e.kind == Kind::Job).collect();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].outcome, Outcome::Success);

    // At 2021-08-20 the run (2020) is outside the 30d window; the linters job is inside; the
    // queued/in-progress deliveries (September 2021) are in the future and do not count.
    let now: jiff::Timestamp = "2021-08-20T00:00:00Z".parse().unwrap();
    let report = status::evaluate(&slos(), events.clone(), now);
    let success = &report.slos[0];
    assert_eq!(success.verdict, Verdict::NotEvaluated);
    let job = json("github/completed.success.with-organization.payload.json");
    let queue = job["workflow_job"]["started_at"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second()
        - job["workflow_job"]["created_at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
    assert_eq!(report.slos[1].value, Some(queue as f64));
    assert_eq!(report.slos[1].verdict, Verdict::Met);
    assert_eq!((report.slos[2].total, report.slos[2].bad), (1, 0));
    assert_eq!(report.exit_code(), 2);

    // Only the failure delivered: the scan-failure SLO (90 %) is breached by 1 failure of 1.
    let failure = event::parse(&bytes(
        "github/completed.failure.with-organization.payload.json",
    ))
    .unwrap();
    let report = status::evaluate(&slos(), failure, now);
    assert_eq!(report.slos[2].verdict, Verdict::Breached);
    assert_eq!(report.slos[2].value, Some(1.0));
    assert_eq!(report.slos[2].budget_left, Some(-9.0));
}

#[test]
fn other_payloads_are_refused() {
    let e = event::parse(&bytes("gitlab/push.json")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "payload 1 is not a pipeline or job event: expected a GitLab pipeline/build hook (object_kind) or a GitHub workflow_run/workflow_job payload, found GitLab object_kind `push`"
    );
    let e = event::parse(b"{\"ref\": \"main\"}").unwrap_err();
    assert!(e.to_string().ends_with("found keys ref"), "{e}");
    let e = event::parse(
        b"[{\"object_kind\": \"build\", \"build_id\": 1, \"build_status\": \"exploded\"}]",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "payload 1: status `exploded` is not a known GitLab status"
    );
    let e = event::parse(b"{\"object_kind\": \"build\", \"build_id\": 1, \"build_status\": \"success\", \"build_started_at\": \"yesterday\"}").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("payload 1: `build_started_at` value `yesterday` is not a time"),
        "{e}"
    );
}

#[test]
fn budget_exactly_spent_is_exhausted() {
    // 100 GitHub runs in the window, one failed: at 99 % the whole budget (1 run) is spent.
    let now: jiff::Timestamp = "2026-12-07T12:00:00Z".parse().unwrap();
    let at = |i: i64| Some(now - jiff::SignedDuration::from_mins(i + 1));
    let events: Vec<event::PipelineEvent> = (0..100)
        .map(|i| event::PipelineEvent {
            provider: Provider::GitHub,
            kind: Kind::Pipeline,
            project: "acme/api".into(),
            id: u64::try_from(i).unwrap(),
            pipeline_id: None,
            attempt: 1,
            name: "ci".into(),
            outcome: if i == 0 {
                Outcome::Failed
            } else {
                Outcome::Success
            },
            git_ref: Some("main".into()),
            queued_at: at(i),
            started_at: at(i),
            finished_at: at(i),
        })
        .collect();
    let report = status::evaluate(&slos(), events.clone(), now);
    assert_eq!(report.slos[0].verdict, Verdict::BudgetExhausted);
    assert_eq!(report.slos[0].budget_left, Some(0.0));
    assert_eq!(report.slos[0].value, Some(0.99));
    // Two failures: breached, a whole budget overspent.
    let mut two = events;
    two[1].outcome = Outcome::Failed;
    let report = status::evaluate(&slos(), two, now);
    assert_eq!(report.slos[0].verdict, Verdict::Breached);
    assert_eq!(report.slos[0].budget_left, Some(-1.0));
}
