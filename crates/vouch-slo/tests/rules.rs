//! Generated rules: exact snapshots for the seed format and OpenSLO, `promtool check rules` on
//! every generated file, and `promtool test rules` unit tests (input series → the alerts that
//! fire at each burn rate). promtool comes from Debian's `prometheus`
//! (scripts/test-setup.d/prometheus.sh); the tests fail, never skip, without it.

use std::path::Path;
use std::process::Command;

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn rules(rel: &str) -> String {
    vouch_slo::rules::render(&vouch_slo::load(&fixture(rel)).unwrap())
}

fn promtool(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("promtool runs (scripts/test-setup.d/prometheus.sh installs it)")
}

fn check(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yml"), text).unwrap();
    let out = promtool(&["check", "rules", "rules.yml"], dir.path());
    assert!(
        out.status.success(),
        "promtool check rules: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

const FILES: [&str; 4] = [
    "seed/delivery.yaml",
    "seed/sloth-getting-started.yaml",
    "seed/sloth-home-wifi.yaml",
    "openslo/sloth-getting-started-v1.yaml",
];

#[test]
fn seed_rules_snapshot() {
    insta::assert_snapshot!("delivery", rules("seed/delivery.yaml"));
}

#[test]
fn openslo_rules_snapshot() {
    insta::assert_snapshot!("openslo", rules("openslo/sloth-getting-started-v1.yaml"));
}

#[test]
fn output_is_deterministic_and_sorted() {
    let text = fixture("seed/delivery.yaml");
    // The same SLOs in another order give the same bytes.
    let (head, tail) = text.split_at(text.find("  - name: queue-time").unwrap());
    let first = head.find("  - name: pipeline-success").unwrap();
    let reordered = format!("{}{}{}", &head[..first], tail, &head[first..]);
    assert_ne!(reordered, text);
    let a = vouch_slo::rules::render(&vouch_slo::load(&text).unwrap());
    let b = vouch_slo::rules::render(&vouch_slo::load(&reordered).unwrap());
    assert_eq!(a, b);
}

#[test]
fn latency_rules_name_their_bucket() {
    let text = rules("seed/delivery.yaml");
    assert!(text.contains(
        "  # Latency objective `p95 <= 120s`: these rules read the histogram bucket le=\"120\" of\n  # ci_job_queue_duration_seconds_bucket."
    ));
    assert!(text.contains(
        "sum(rate(ci_job_queue_duration_seconds_bucket{project=\"acme/api\", le=\"120\"}[1h]))"
    ));
}

#[test]
fn factors_scale_with_the_window() {
    // 30 days: the workbook's 14.4 / 6 / 3 / 1; 7 days: the same budget shares, so 3.36 / 1.4
    // / 0.7 / 0.2333….
    let text = rules("seed/delivery.yaml");
    for f in ["(14.4 * 0.01)", "(6 * 0.01)", "(3 * 0.01)", "(1 * 0.01)"] {
        assert!(text.contains(f), "{f}");
    }
    for f in [
        "(3.36 * 0.05)",
        "(1.4 * 0.05)",
        "(0.7 * 0.05)",
        "(0.23333333333333334 * 0.05)",
    ] {
        assert!(text.contains(f), "{f}");
    }
}

#[test]
fn promtool_checks_every_generated_file() {
    for f in FILES {
        check(&rules(f));
    }
    // OpenSLO thresholdMetric under Timeslices (go-sdk's example, its window made rolling).
    let text =
        fixture("openslo/go-sdk-inline-v1_slo.yaml").replace("isRolling: false", "isRolling: true");
    check(&vouch_slo::rules::render(&vouch_slo::load(&text).unwrap()));
}

#[test]
fn promtool_refuses_a_broken_file() {
    // The failing case of the check above: promtool does judge the file.
    let broken = rules("seed/delivery.yaml").replace("sum(rate(", "sum(rate((");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yml"), broken).unwrap();
    let out = promtool(&["check", "rules", "rules.yml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
}

/// The alert labels and annotations vouch writes for an SLO of the delivery fixture.
fn alert(slo: &str, severity: &str, extra: &str, description: &str) -> String {
    format!(
        "          - exp_labels: {{severity: {severity}, team: platform, vouch_service: delivery, vouch_slo: {slo}{extra}}}\n            exp_annotations:\n              summary: \"SLO {slo} of delivery is burning its error budget too fast ({severity})\"\n              description: \"{description}\"\n"
    )
}

const SUCCESS_PAGE: &str = "error ratio above 14.4x over 1h/5m or 6x over 6h/30m the budget of 0.01 (target 0.99 over 30d): Pipelines on the default branch succeed";
const SUCCESS_TICKET: &str = "error ratio above 3x over 1d/2h or 1x over 3d/6h the budget of 0.01 (target 0.99 over 30d): Pipelines on the default branch succeed";
const QUEUE_PAGE: &str = "error ratio above 3.36x over 1h/5m or 1.4x over 6h/30m the budget of 0.05 (target 0.95 over 7d)";
const QUEUE_TICKET: &str = "error ratio above 0.7x over 1d/2h or 0.23333333333333334x over 3d/6h the budget of 0.05 (target 0.95 over 7d)";

/// A promtool test case: pipelines failing at `failed` of every 100 per minute for 3 hours,
/// evaluated at 2h.
fn success_case(failed: u32, expected: &str) -> String {
    format!(
        "  - interval: 1m\n    input_series:\n      - series: 'ci_pipelines_total{{status=\"failed\"}}'\n        values: '0+{failed}x180'\n      - series: 'ci_pipelines_total{{status=\"success\"}}'\n        values: '0+{}x180'\n    alert_rule_test:\n      - eval_time: 2h\n        alertname: SLOErrorBudgetBurn\n        exp_alerts:\n{expected}",
        100 - failed
    )
}

#[test]
fn promtool_unit_tests_fire_at_the_right_burn_rates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yml"), rules("seed/delivery.yaml")).unwrap();
    let mut tests = String::from("rule_files:\n  - rules.yml\nevaluation_interval: 1m\ntests:\n");
    // 20 % failing = 20× the 1 % budget: both page pairs (14.4×, 6×) and both ticket pairs.
    tests.push_str(&success_case(
        20,
        &format!(
            "{}{}",
            alert("pipeline-success", "page", "", SUCCESS_PAGE),
            alert("pipeline-success", "ticket", "", SUCCESS_TICKET)
        ),
    ));
    // 5 % = 5×: under 6×, so no page; above 3×, a ticket.
    tests.push_str(&success_case(
        5,
        &alert("pipeline-success", "ticket", "", SUCCESS_TICKET),
    ));
    // 2 % = 2×: only the slow ticket pair (1×) fires.
    tests.push_str(&success_case(
        2,
        &alert("pipeline-success", "ticket", "", SUCCESS_TICKET),
    ));
    // Within budget: nothing.
    tests.push_str(
        &success_case(0, "          []\n").replace("exp_alerts:\n          []", "exp_alerts: []"),
    );
    // Queue time: 40 % of jobs slower than 120 s = 8× the 5 % budget, above 3.36×: page and
    // ticket, through the le="120" bucket.
    tests.push_str(&format!(
        "  - interval: 1m\n    input_series:\n      - series: 'ci_job_queue_duration_seconds_bucket{{project=\"acme/api\", le=\"120\"}}'\n        values: '0+6x180'\n      - series: 'ci_job_queue_duration_seconds_bucket{{project=\"acme/api\", le=\"+Inf\"}}'\n        values: '0+10x180'\n      - series: 'ci_job_queue_duration_seconds_count{{project=\"acme/api\"}}'\n        values: '0+10x180'\n    alert_rule_test:\n      - eval_time: 2h\n        alertname: SLOErrorBudgetBurn\n        exp_alerts:\n{}{}",
        alert("queue-time", "page", "", QUEUE_PAGE),
        alert("queue-time", "ticket", "", QUEUE_TICKET)
    ));
    std::fs::write(dir.path().join("tests.yml"), &tests).unwrap();
    let out = promtool(&["test", "rules", "tests.yml"], dir.path());
    assert!(
        out.status.success(),
        "promtool test rules:\n{}{}\n{tests}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The failing case: expecting a page at 5× is reported by promtool.
    let wrong = format!(
        "rule_files:\n  - rules.yml\nevaluation_interval: 1m\ntests:\n{}",
        success_case(
            5,
            &format!(
                "{}{}",
                alert("pipeline-success", "page", "", SUCCESS_PAGE),
                alert("pipeline-success", "ticket", "", SUCCESS_TICKET)
            )
        )
    );
    std::fs::write(dir.path().join("wrong.yml"), wrong).unwrap();
    let out = promtool(&["test", "rules", "wrong.yml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn promtool_unit_test_for_openslo() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.yml"),
        rules("openslo/sloth-getting-started-v1.yaml"),
    )
    .unwrap();
    // 2 % of requests 5xx = 20× the 0.1 % budget: page and ticket.
    let desc = |pairs: &str| {
        format!(
            "error ratio above {pairs} the budget of 0.001 (target 0.999 over 30d): Common SLO based on availability for HTTP request responses."
        )
    };
    let exp = |severity: &str, pairs: &str| {
        format!(
            "          - exp_labels: {{severity: {severity}, vouch_service: my-service, vouch_slo: sloth-slo-my-service}}\n            exp_annotations:\n              summary: \"SLO sloth-slo-my-service of my-service is burning its error budget too fast ({severity})\"\n              description: \"{}\"\n",
            desc(pairs)
        )
    };
    let tests = format!(
        "rule_files:\n  - rules.yml\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'http_request_duration_seconds_count{{job=\"myservice\",code=\"500\"}}'\n        values: '0+2x180'\n      - series: 'http_request_duration_seconds_count{{job=\"myservice\",code=\"200\"}}'\n        values: '0+98x180'\n    alert_rule_test:\n      - eval_time: 2h\n        alertname: SLOErrorBudgetBurn\n        exp_alerts:\n{}{}",
        exp("page", "14.4x over 1h/5m or 6x over 6h/30m"),
        exp("ticket", "3x over 1d/2h or 1x over 3d/6h")
    );
    std::fs::write(dir.path().join("tests.yml"), &tests).unwrap();
    let out = promtool(&["test", "rules", "tests.yml"], dir.path());
    assert!(
        out.status.success(),
        "promtool test rules:\n{}{}\n{tests}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn promtool_unit_test_for_an_openslo_threshold_metric() {
    // go-sdk's thresholdMetric SLOs (good slice: lag sum > 1, target 0.995 over a rolling 7d).
    let text =
        fixture("openslo/go-sdk-inline-v1_slo.yaml").replace("isRolling: false", "isRolling: true");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.yml"),
        vouch_slo::rules::render(&vouch_slo::load(&text).unwrap()),
    )
    .unwrap();
    let exp = |slo: &str, severity: &str, pairs: &str| {
        format!(
            "          - exp_labels: {{severity: {severity}, vouch_service: web, vouch_slo: {slo}}}\n            exp_annotations:\n              summary: \"SLO {slo} of web is burning its error budget too fast ({severity})\"\n              description: \"error ratio above {pairs} the budget of 0.005 (target 0.995 over 7d)\"\n"
        )
    };
    let case = |lag: u32, expected: &str| {
        format!(
            "  - interval: 1m\n    input_series:\n      - series: 'kafka_consumergroup_lag{{k8s_cluster=\"prod\", consumergroup=\"annotator\", topic=\"annotator-in\"}}'\n        values: '{lag}x180'\n    alert_rule_test:\n      - eval_time: 2h\n        alertname: SLOErrorBudgetBurn\n        exp_alerts:{expected}"
        )
    };
    let mut firing = String::from("\n");
    for slo in ["my-slo-1", "my-slo-2"] {
        firing.push_str(&exp(slo, "page", "3.36x over 1h/5m or 1.4x over 6h/30m"));
        firing.push_str(&exp(
            slo,
            "ticket",
            "0.7x over 1d/2h or 0.23333333333333334x over 3d/6h",
        ));
    }
    // A lag of 0 fails `> 1` in every slice: all four alerts; a lag of 5 meets it: none.
    let tests = format!(
        "rule_files:\n  - rules.yml\nevaluation_interval: 1m\ntests:\n{}{}",
        case(0, &firing),
        case(5, " []\n")
    );
    std::fs::write(dir.path().join("tests.yml"), &tests).unwrap();
    let out = promtool(&["test", "rules", "tests.yml"], dir.path());
    assert!(
        out.status.success(),
        "promtool test rules:\n{}{}\n{tests}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
