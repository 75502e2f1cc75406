//! vouch's rules beside sloth's for the same SLOs (sloth's examples and its own generated
//! output, `tests/fixtures/sloth`, copied verbatim). Names and labels are normalised (sloth's
//! `sloth_id`/`sloth_service`/`sloth_slo` selector and vouch's `vouch_service`/`vouch_slo` both
//! become `{SLO}`); then the SLI recording expressions per window, the period ratio, the
//! objective and budget, and every alert's windows and burn factors must agree. The
//! differences that remain are listed in docs/slo.md ("Compared with sloth").

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;
use serde_json::Value;

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every rule of a rules file, with its group's SLO (the group name after the last
/// `-recordings-`/`-alerts-` prefix).
fn rules_of(text: &str) -> Vec<Value> {
    let docs = vouch_yaml::load_all(text).unwrap();
    let mut out = Vec::new();
    let doc = docs.iter().find(|d| d.get("groups").is_some()).unwrap();
    for g in doc["groups"].as_array().unwrap() {
        for r in g["rules"].as_array().unwrap() {
            let mut r = r.clone();
            r["group"] = g["name"].clone();
            out.push(r);
        }
    }
    out
}

fn normalise(expr: &str) -> String {
    let sel = Regex::new(r#"\{sloth_id="[^"]*", sloth_service="[^"]*", sloth_slo="[^"]*"\}|\{vouch_service="[^"]*", vouch_slo="[^"]*"\}"#).unwrap();
    let e = sel.replace_all(expr, "{SLO}");
    let e = e
        .replace("sloth_window", "WINDOW")
        .replace("vouch_window", "WINDOW")
        .replace("on(sloth_id, sloth_slo, sloth_service)", "on(SLO)")
        .replace("on (vouch_service, vouch_slo)", "on(SLO)")
        .replace("ignoring (WINDOW)", "ignoring(WINDOW)");
    e.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What one SLO's rules say: window → SLI expression, meta records, and per severity the
/// (short window, long window, factor, budget) of each alert pair.
#[derive(Debug, Default)]
struct Shape {
    sli: BTreeMap<String, String>,
    objective: f64,
    budget: f64,
    days: String,
    alerts: BTreeMap<String, Vec<(String, String, f64, f64)>>,
}

fn shapes(text: &str, severity_label: &str, slo_label: &str) -> BTreeMap<String, Shape> {
    let cmp =
        Regex::new(r"slo:sli_error:ratio_rate(\w+)\{SLO\} > \(([\d.]+) \* ([\d.e-]+)\)").unwrap();
    let vector = Regex::new(r"vector\(([^)]*)\)").unwrap();
    let mut out: BTreeMap<String, Shape> = BTreeMap::new();
    for r in rules_of(text) {
        let labels = &r["labels"];
        // Alerts of sloth carry no SLO label: the SLO is the one their expression selects.
        let slo = labels[slo_label].as_str().map_or_else(
            || {
                let pick = Regex::new(&format!(r#"{slo_label}="([^"]*)""#)).unwrap();
                pick.captures(r["expr"].as_str().unwrap()).unwrap()[1].to_owned()
            },
            str::to_owned,
        );
        let shape = out.entry(slo).or_default();
        let expr = normalise(r["expr"].as_str().unwrap());
        if let Some(record) = r["record"].as_str() {
            if let Some(w) = record.strip_prefix("slo:sli_error:ratio_rate") {
                shape.sli.insert(w.to_owned(), expr);
            } else {
                let v = vector.captures(&expr).map(|c| c[1].to_owned());
                match record {
                    "slo:objective:ratio" => shape.objective = v.unwrap().parse().unwrap(),
                    "slo:error_budget:ratio" => {
                        let t = v.unwrap();
                        let t = t.strip_prefix("1-").map_or_else(
                            || t.parse().unwrap(),
                            |o| 1.0 - o.parse::<f64>().unwrap(),
                        );
                        shape.budget = t;
                    }
                    "slo:time_period:days" => shape.days = v.unwrap(),
                    _ => {}
                }
            }
        } else {
            let severity = labels[severity_label].as_str().unwrap().to_owned();
            let found: Vec<(String, f64, f64)> = cmp
                .captures_iter(&expr)
                .map(|c| {
                    (
                        c[1].to_owned(),
                        c[2].parse().unwrap(),
                        c[3].parse().unwrap(),
                    )
                })
                .collect();
            let pairs = found
                .chunks(2)
                .map(|p| (p[0].0.clone(), p[1].0.clone(), p[0].1, p[0].2))
                .collect();
            shape.alerts.insert(severity, pairs);
        }
    }
    out
}

fn compare(sloth_gen: &str, ours_spec: &str) {
    compare_with(sloth_gen, ours_spec, &[]);
}

/// [`compare`], except that the SLI expressions of the SLOs in `same_value` may be written
/// differently (they are then checked by value with promtool, in the test that names them).
fn compare_with(sloth_gen: &str, ours_spec: &str, same_value: &[&str]) {
    let sloth = shapes(&fixture(sloth_gen), "sloth_severity", "sloth_slo");
    let ours_text = vouch_slo::rules::render(&vouch_slo::load(&fixture(ours_spec)).unwrap());
    let ours = shapes(&ours_text, "severity", "vouch_slo");
    assert_eq!(
        sloth.keys().collect::<Vec<_>>(),
        ours.keys().collect::<Vec<_>>()
    );
    for (slo, theirs) in &sloth {
        let mine = &ours[slo];
        // The same windows, with the same expressions once names are normalised.
        if same_value.contains(&slo.as_str()) {
            assert_eq!(
                theirs.sli.keys().collect::<Vec<_>>(),
                mine.sli.keys().collect::<Vec<_>>(),
                "{slo}: SLI windows"
            );
        } else {
            assert_eq!(theirs.sli, mine.sli, "{slo}: SLI recordings");
        }
        assert!(
            (theirs.objective - mine.objective).abs() < 1e-12,
            "{slo}: objective"
        );
        // sloth computes 1 - 0.999 in floating point (0.0009999999999999432); vouch writes
        // the exact decimal (0.001).
        assert!((theirs.budget - mine.budget).abs() < 1e-12, "{slo}: budget");
        assert_eq!(theirs.days, mine.days, "{slo}: period");
        assert_eq!(theirs.alerts.len(), 2);
        for (severity, pairs) in &theirs.alerts {
            let my = &mine.alerts[severity];
            assert_eq!(pairs.len(), my.len(), "{slo} {severity}");
            for (a, b) in pairs.iter().zip(my) {
                assert_eq!(
                    (&a.0, &a.1, a.2),
                    (&b.0, &b.1, b.2),
                    "{slo} {severity}: windows and factor"
                );
                assert!((a.3 - b.3).abs() < 1e-12, "{slo} {severity}: budget");
            }
        }
    }
}

#[test]
fn getting_started_matches_sloth() {
    compare(
        "sloth/getting-started.gen.yml",
        "seed/sloth-getting-started.yaml",
    );
}

#[test]
fn home_wifi_matches_sloth() {
    compare("sloth/home-wifi.gen.yml", "seed/sloth-home-wifi.yaml");
}

#[test]
fn openslo_getting_started_matches_sloth() {
    // sloth read the openslo/v1alpha file; vouch reads the same SLO written as OpenSLO v1.
    // sloth's v1alpha `good` query becomes `1 - good/total`, as vouch writes it.
    let sloth = shapes(
        &fixture("sloth/openslo-getting-started.gen.yml"),
        "sloth_severity",
        "sloth_slo",
    );
    let text = vouch_slo::rules::render(
        &vouch_slo::load(&fixture("openslo/sloth-getting-started-v1.yaml")).unwrap(),
    );
    let ours = shapes(&text, "severity", "vouch_slo");
    let (theirs, mine) = (
        &sloth["sloth-slo-my-service-0"],
        &ours["sloth-slo-my-service"],
    );
    assert_eq!(
        theirs.sli.keys().collect::<Vec<_>>(),
        mine.sli.keys().collect::<Vec<_>>()
    );
    // sloth's v1alpha example has no alerting section, so sloth wrote no alerts; vouch always
    // writes both (checked against sloth's factors in the tests above).
    assert!(theirs.alerts.is_empty());
    assert_eq!(mine.alerts.len(), 2);
    assert!((theirs.budget - mine.budget).abs() < 1e-12);
    for (w, e) in &theirs.sli {
        if w == "30d" {
            assert_eq!(e, &mine.sli[w]);
        } else {
            // Both: 1 - (good) / (total) over the window (parentheses differ).
            let strip = |s: &str| s.replace(['(', ')', ' '], "");
            assert_eq!(strip(e), strip(&mine.sli[w]), "{w}");
        }
    }
}

#[test]
fn a_changed_factor_is_noticed() {
    // The failing case of the comparison: a different burn factor does not compare equal.
    let sloth = shapes(
        &fixture("sloth/getting-started.gen.yml"),
        "sloth_severity",
        "sloth_slo",
    );
    let text = vouch_slo::rules::render(
        &vouch_slo::load(&fixture("seed/sloth-getting-started.yaml")).unwrap(),
    )
    .replace("(14.4 * 0.001)", "(14 * 0.001)");
    let ours = shapes(&text, "severity", "vouch_slo");
    assert_ne!(
        sloth["requests-availability"].alerts,
        ours["requests-availability"].alerts
    );
}

#[test]
fn kubernetes_apiserver_matches_sloth() {
    compare_with(
        "sloth/kubernetes-apiserver.gen.yml",
        "seed/sloth-kubernetes-apiserver.yaml",
        &["requests-latency"],
    );
    // The latency SLI: sloth's (count - bucket{le="0.4"}) / count and vouch's
    // 1 - bucket{le="0.4"} / count give the same value on the same series (promtool evaluates
    // both files: 6 of every 8 requests within 0.4 s, an error ratio of 0.25).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sloth.yml"),
        fixture("sloth/kubernetes-apiserver.gen.yml"),
    )
    .unwrap();
    let ours = vouch_slo::rules::render(
        &vouch_slo::load(&fixture("seed/sloth-kubernetes-apiserver.yaml")).unwrap(),
    );
    std::fs::write(dir.path().join("vouch.yml"), ours).unwrap();
    let mut tests = String::from(
        "rule_files: [sloth.yml, vouch.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'apiserver_request_duration_seconds_bucket{verb=\"GET\", le=\"0.4\"}'\n        values: '0+6x120'\n      - series: 'apiserver_request_duration_seconds_count{verb=\"GET\"}'\n        values: '0+8x120'\n    promql_expr_test:\n",
    );
    for w in ["5m", "30m", "1h", "2h"] {
        // sloth's subtraction leaves 0.24999999999999994 where vouch has 0.25: equal within
        // 1e-12, and vouch's is the exact ratio.
        tests.push_str(&format!(
            "      - expr: abs(sum(slo:sli_error:ratio_rate{w}{{sloth_slo=\"requests-latency\"}}) - sum(slo:sli_error:ratio_rate{w}{{vouch_slo=\"requests-latency\"}})) < bool 1e-12\n        eval_time: 2h\n        exp_samples:\n          - labels: '{{}}'\n            value: 1\n      - expr: slo:sli_error:ratio_rate{w}{{vouch_slo=\"requests-latency\"}}\n        eval_time: 2h\n        exp_samples:\n          - labels: 'slo:sli_error:ratio_rate{w}{{category=\"latency\", cluster=\"valhalla\", component=\"kubernetes\", vouch_service=\"k8s-apiserver\", vouch_slo=\"requests-latency\", vouch_window=\"{w}\"}}'\n            value: 0.25\n"
        ));
    }
    std::fs::write(dir.path().join("tests.yml"), &tests).unwrap();
    let out = std::process::Command::new("promtool")
        .args(["test", "rules", "tests.yml"])
        .current_dir(dir.path())
        .output()
        .expect("promtool (scripts/test-setup.d/prometheus.sh)");
    assert!(
        out.status.success(),
        "{}{}\n{tests}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn raw_home_wifi_matches_sloth() {
    // sloth's `raw.error_ratio_query` is OpenSLO's `rawType: failure`; sloth wraps it in one
    // more pair of parentheses.
    let sloth = shapes(
        &fixture("sloth/raw-home-wifi.gen.yml"),
        "sloth_severity",
        "sloth_slo",
    );
    let text = vouch_slo::rules::render(
        &vouch_slo::load(&fixture("openslo/sloth-raw-home-wifi-v1.yaml")).unwrap(),
    );
    let ours = shapes(&text, "severity", "vouch_slo");
    let (theirs, mine) = (
        &sloth["wifi-client-satisfaction"],
        &ours["wifi-client-satisfaction"],
    );
    let strip = |s: &str| s.replace(['(', ')', ' '], "");
    assert_eq!(theirs.sli.len(), mine.sli.len());
    for (w, e) in &theirs.sli {
        assert_eq!(strip(e), strip(&mine.sli[w]), "{w}");
    }
    assert_eq!(theirs.alerts, mine.alerts);
    assert!((theirs.budget - mine.budget).abs() < 1e-12);
}
