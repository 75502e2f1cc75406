//! SLO files in, validated SLOs or the exact error out: every fault of the seed format and of
//! OpenSLO v1 that vouch refuses, with its message, beside the passing fixtures.

use std::path::Path;

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn error(text: &str) -> String {
    match vouch_slo::load(text) {
        Ok(slos) => panic!("loaded {} SLOs from a bad file", slos.len()),
        Err(e) => e.to_string(),
    }
}

/// One seed SLO with the given lines replacing its body.
fn seed(body: &str) -> String {
    format!("slos:\n  - name: s\n{body}")
}

const RATIO: &str = "    indicator:\n      kind: pipeline-success\n      errors: sum(rate(e[{{.window}}]))\n      total: sum(rate(t[{{.window}}]))\n";

#[test]
fn seed_fixture_loads_sorted() {
    let slos = vouch_slo::load(&fixture("seed/delivery.yaml")).unwrap();
    let names: Vec<&str> = slos.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["pipeline-success", "queue-time", "scan-failures"]);
    assert_eq!(slos[0].target.to_string(), "0.99");
    assert_eq!(slos[2].target.to_string(), "0.98");
    assert_eq!(slos[1].window.to_string(), "7d");
}

#[test]
fn unknown_key_is_refused_with_its_name() {
    let e = error(&seed(&format!(
        "    target: 99%\n    window: 30d\n    burn: fast\n{RATIO}"
    )));
    assert!(
        e.starts_with("not an SLO file: slos[0]: unknown field `burn`, expected one of `name`, `description`, `target`, `window`, `indicator`, `objective`, `labels`"),
        "{e}"
    );
    let e = error("slos: []\nversion: 1\n");
    assert!(
        e.starts_with("not an SLO file: unknown field `version`"),
        "{e}"
    );
}

#[test]
fn target_out_of_range() {
    for bad in ["150%", "1", "0", "100%", "-0.5", "ninety", "99.5"] {
        let e = error(&seed(&format!(
            "    target: {bad}\n    window: 30d\n{RATIO}"
        )));
        assert_eq!(
            e,
            format!(
                "slo `s`: target `{bad}` is out of range: expected a ratio between 0 and 1 exclusive (`0.995`) or a percentage between 0 and 100 exclusive (`99.5%`)"
            )
        );
    }
}

#[test]
fn window_unparsable_or_too_short() {
    let e = error(&seed(&format!(
        "    target: 99%\n    window: 30 days\n{RATIO}"
    )));
    assert_eq!(
        e,
        "slo `s`: window `30 days` is not a duration: expected a whole number and one unit of s, m, h, d, w, at most 366 days (`30d`)"
    );
    let e = error(&seed(&format!("    target: 99%\n    window: 1M\n{RATIO}")));
    assert!(e.contains("window `1M` is not a duration"), "{e}");
    let e = error(&seed(&format!("    target: 99%\n    window: 1d\n{RATIO}")));
    assert_eq!(
        e,
        "slo `s`: window `1d` is shorter than the longest alert window (3d), so the ticket alert could not judge it"
    );
}

fn latency(objective: &str) -> String {
    seed(&format!(
        "    target: 95%\n    window: 7d\n    objective: {objective}\n    indicator:\n      kind: queue-time\n      histogram: h\n"
    ))
}

#[test]
fn latency_threshold_must_be_a_bucket() {
    assert_eq!(
        error(&latency("p95 <= 1.00000000000000000001s")),
        "slo `s`: latency threshold `1.00000000000000000001s` is not a histogram bucket boundary: a bucket bound is a double, and this one would be written le=\"1\""
    );
    assert_eq!(
        error(&latency("p95 <= 2 minutes")),
        "slo `s`: latency threshold `2 minutes` is not a histogram bucket boundary: expected a number and one unit of ms, s, m, h"
    );
    assert_eq!(
        error(&latency("p95 <= 0s")),
        "slo `s`: latency threshold `0s` is not a histogram bucket boundary: expected more than 0.0001s and less than 1000000s, where bucket bounds print without an exponent"
    );
    assert_eq!(
        error(&latency("p95 < 120s")),
        "slo `s`: objective `p95 < 120s` uses `<`; a histogram bucket counts events at or below its bound, so only `<=` can be measured"
    );
    assert_eq!(
        error(&latency("p99 <= 120s")),
        "slo `s`: objective `p99 <= 120s` says 0.99 of events but the target is 0.95: give the same ratio"
    );
    // The passing case: 2m and 120s are the same bucket.
    let slos = vouch_slo::load(&latency("p95 <= 2m")).unwrap();
    let rules = vouch_slo::rules::render(&slos);
    assert!(rules.contains("h_bucket{le=\"120\"}[5m]"), "{rules}");
}

#[test]
fn indicator_faults() {
    let base = "    target: 99%\n    window: 30d\n";
    assert_eq!(
        error(&seed(&format!(
            "{base}    indicator:\n      kind: deploys\n"
        ))),
        "slo `s`: indicator kind `deploys` is unknown: expected pipeline-success, queue-time or scan-failure"
    );
    assert_eq!(
        error(&seed(&format!(
            "{base}    indicator:\n      kind: pipeline-success\n      errors: sum(rate(e[{{{{.window}}}}]))\n"
        ))),
        "slo `s`: indicator kind `pipeline-success` needs `total`"
    );
    assert_eq!(
        error(&seed(&format!(
            "{base}    indicator:\n      kind: pipeline-success\n      errors: sum(rate(e[5m]))\n      total: sum(rate(t[{{{{.window}}}}]))\n"
        ))),
        "slo `s`: query `sum(rate(e[5m]))` has no `{{.window}}` placeholder where the rate window goes"
    );
    assert_eq!(
        error(&seed(&format!("{base}    objective: p99 <= 1s\n{RATIO}"))),
        "slo `s`: `objective` does not apply to indicator kind `pipeline-success`"
    );
    assert_eq!(
        error(&seed(&format!(
            "{base}    indicator:\n      kind: scan-failure\n      errors: sum(rate(e[{{{{.window}}}}]))\n      total: sum(rate(t[{{{{.window}}}}]))\n"
        ))),
        "slo `s`: indicator kind `scan-failure` needs `jobs`"
    );
    assert_eq!(
        error(&format!(
            "slos:\n  - name: s\n{base}{RATIO}  - name: s\n{base}{RATIO}"
        )),
        "slo `s` is defined twice"
    );
    assert_eq!(error("slos: []\n"), "the file defines no SLO");
    assert_eq!(
        error(&format!(
            "labels: {{severity: high}}\nslos:\n  - name: s\n{base}{RATIO}"
        )),
        "label `severity` is reserved: the generated rules set `severity` and the `vouch_` labels themselves"
    );
    assert_eq!(
        error(&seed(&format!(
            "{base}    labels: {{vouch_slo: x}}\n{RATIO}"
        ))),
        "label `vouch_slo` is reserved: the generated rules set `severity` and the `vouch_` labels themselves"
    );
    assert_eq!(
        error(&seed(&format!("{base}    labels: {{2fa: x}}\n{RATIO}"))),
        "label `2fa` is not a Prometheus label name: expected letters, digits and `_`, not starting with a digit or `__`"
    );
}

#[test]
fn openslo_v1_loads_inline_and_referenced_slis() {
    let slos = vouch_slo::load(&fixture("openslo/sloth-getting-started-v1.yaml")).unwrap();
    let names: Vec<(&str, &str)> = slos
        .iter()
        .map(|s| (s.service.as_str(), s.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("home-wifi", "wifi-satisfaction"),
            ("my-service", "sloth-slo-my-service")
        ]
    );
    assert_eq!(slos[0].window.to_string(), "28d");
    assert_eq!(slos[0].target.to_string(), "0.95");
    assert!(slos[0].events.is_none());
}

#[test]
fn openslo_real_files_are_refused_by_name() {
    // go-sdk's v1 examples: a Timeslices ratio SLO with a calendar window, first in the file.
    assert_eq!(
        error(&fixture("openslo/go-sdk-v1-slos.yaml")),
        "slo `web-availability`: calendar windows (isRolling: false) are not supported: the rules measure a rolling window"
    );
    assert_eq!(
        error(&fixture("openslo/go-sdk-inline-v1_slo.yaml")),
        "slo `my-slo-1`: calendar windows (isRolling: false) are not supported: the rules measure a rolling window"
    );
    let rolling =
        fixture("openslo/go-sdk-v1-slos.yaml").replace("isRolling: false", "isRolling: true");
    assert_eq!(
        error(&rolling),
        "slo `web-availability`: ratioMetric with budgetingMethod `Timeslices` is not supported: the rules count occurrences of good and total events (expected Occurrences)"
    );
    // A threshold metric needs time slices.
    let text = fixture("openslo/go-sdk-inline-v1_slo.yaml")
        .replace(
            "budgetingMethod: Timeslices",
            "budgetingMethod: Occurrences",
        )
        .replace("isRolling: false", "isRolling: true");
    assert_eq!(
        error(&text),
        "slo `my-slo-1`: thresholdMetric needs budgetingMethod Timeslices (a slice is good when the metric meets the objective), found `Occurrences`"
    );
    let text = fixture("openslo/go-sdk-inline-v1_slo.yaml")
        .replace("isRolling: false", "isRolling: true")
        .replace("op: gt", "op: above");
    assert_eq!(
        error(&text),
        "slo `my-slo-1`: thresholdMetric objective needs `op` (lt, lte, gt, gte) and a numeric `value`"
    );
    assert_eq!(
        error(
            &fixture("openslo/go-sdk-inline-v1_slo.yaml")
                .replace("isRolling: false", "isRolling: true")
                .replacen(
                    "budgetingMethod: Timeslices",
                    "budgetingMethod: RatioTimeslices",
                    1
                )
        ),
        "slo `my-slo-1`: budgetingMethod `RatioTimeslices` is not supported: expected Occurrences (ratioMetric) or Timeslices (thresholdMetric)"
    );
    // sloth's openslo/v1alpha example.
    assert_eq!(
        error(&fixture("sloth/openslo-getting-started.yml")),
        "document 1: apiVersion `openslo/v1alpha` is not supported: expected openslo/v1"
    );
    let no_window =
        fixture("openslo/sloth-getting-started-v1.yaml").replace("[{{.window}}]", "[5m]");
    assert!(error(&no_window).contains("has no `{{.window}}` placeholder"));
    let calendar = fixture("openslo/sloth-getting-started-v1.yaml").replacen(
        "isRolling: true",
        "isRolling: false",
        1,
    );
    assert_eq!(
        error(&calendar),
        "slo `sloth-slo-my-service`: calendar windows (isRolling: false) are not supported: the rules measure a rolling window"
    );
}

#[test]
fn openslo_threshold_metric_under_time_slices() {
    // go-sdk's inline example (an inline and a referenced thresholdMetric SLI, Timeslices, 1m
    // slices) with its calendar week made rolling.
    let text =
        fixture("openslo/go-sdk-inline-v1_slo.yaml").replace("isRolling: false", "isRolling: true");
    let slos = vouch_slo::load(&text).unwrap();
    let names: Vec<&str> = slos.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["my-slo-1", "my-slo-2"]);
    assert_eq!(slos[0].window.to_string(), "7d");
    let rules = vouch_slo::rules::render(&slos);
    assert!(rules.contains(
        "      1 - avg_over_time(\n      (\n      (sum(min_over_time(kafka_consumergroup_lag{k8s_cluster=\"prod\", consumergroup=\"annotator\", topic=\"annotator-in\"}[2m]))) > bool 1\n      )[1h:1m]\n      )\n"
    ), "{rules}");
}

#[test]
fn bounds_on_bad_input() {
    // Nesting is refused before parsing (vouch-yaml), whatever the format.
    let deep = format!("slos: {}{}\n", "[".repeat(200), "]".repeat(200));
    let e = error(&deep);
    assert!(
        e.starts_with("not an SLO file: nesting deeper than the limit of 128 levels"),
        "{e}"
    );
    // Events: serde_json's recursion limit.
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let e = vouch_slo::event::parse(deep.as_bytes()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("not JSON: recursion limit exceeded"),
        "{e}"
    );
    // More SLOs than the limit.
    let many: String = (0..1001)
        .map(|i| format!("  - name: s{i}\n    target: 99%\n    window: 30d\n{RATIO}"))
        .collect();
    assert_eq!(
        error(&format!("slos:\n{many}")),
        "the file defines 1001 SLOs, more than the limit of 1000"
    );
}

#[test]
fn selector_may_not_set_le() {
    let with = |selector: &str| {
        seed(&format!(
            "    target: 95%\n    window: 7d\n    objective: p95 <= 1s\n    indicator:\n      kind: queue-time\n      histogram: h\n      selector: '{selector}'\n"
        ))
    };
    assert_eq!(
        error(&with("{job=\"a\", le=\"1\"}")),
        "slo `s`: selector `{job=\"a\", le=\"1\"}` sets `le`: the rules take the bucket from the objective"
    );
    assert_eq!(
        error(&with("job=\"a\"")),
        "slo `s`: selector `job=\"a\"` is not a label selector: expected `{name=\"value\", ...}`"
    );
    // `module=` and a value holding `le=` are not the `le` label.
    let slos = vouch_slo::load(&with("{module=\"x\", path=\"/a,le=1\"}")).unwrap();
    let rules = vouch_slo::rules::render(&slos);
    assert!(
        rules.contains("h_bucket{module=\"x\", path=\"/a,le=1\", le=\"1\"}[5m]"),
        "{rules}"
    );
}
