//! The dashboard's JSON API and pages over a real store on loopback, with a real HTTP client.
//! Answers are compared with the library's own (what `vouch fleet … --format json` prints) and
//! with ground truth read from the SBOM files.

mod common;

use std::collections::BTreeSet;

use common::{Setup, fixture, holding, start};
use serde_json::Value;
use vouch_fleet::{Location, Store};

const TOKEN: &str = "test-ingest-token-0123456789"; // vouch:allow

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::new()
}

fn get(url: &str) -> (u16, Value) {
    let r = client().get(url).send().unwrap();
    let status = r.status().as_u16();
    (status, serde_json::from_slice(&r.bytes().unwrap()).unwrap())
}

fn get_text(url: &str) -> (u16, String) {
    let r = client().get(url).send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

fn artifacts_of(hits: &Value) -> BTreeSet<String> {
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| h["artifact"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn api_answers_as_the_library_does() {
    let server = start(Setup::default());
    let base = &server.base;
    let mut store = Store::open(&Location::Sqlite(server.store.clone())).unwrap();

    // The artifact list: the library's answer, serialised the way the CLI does.
    let (status, list) = get(&format!("{base}/api/artifacts"));
    assert_eq!(status, 200);
    assert_eq!(
        list,
        serde_json::to_value(store.artifacts().unwrap()).unwrap()
    );
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["app", "js", "php", "rootfs"]);

    // Package searches against the SBOM files' own purls.
    for (q, prefix) in [
        ("pkg:npm/debug", "pkg:npm/debug@"),
        ("pkg:npm/debug@4.4.3", "pkg:npm/debug@4.4.3"),
        (
            "pkg:composer/league/flysystem",
            "pkg:composer/league/flysystem@",
        ),
        ("pkg:npm/lodash@4.17.20", "pkg:npm/lodash@4.17.20"),
    ] {
        let (status, answer) = get(&format!("{base}/api/query?q={}", urlencode(q)));
        assert_eq!(status, 200, "{q}: {answer}");
        assert_eq!(answer["query"], q);
        assert_eq!(artifacts_of(&answer["hits"]), holding(prefix), "{q}");
        let pattern = vouch_fleet::Pattern::parse(q).unwrap();
        assert_eq!(
            answer,
            serde_json::to_value(store.query(&pattern).unwrap()).unwrap()
        );
    }
    assert_eq!(
        holding("pkg:npm/debug@"),
        ["app", "js", "rootfs"].map(String::from).into()
    );

    // A range in npm's order.
    let (_, answer) = get(&format!(
        "{base}/api/query?q={}",
        urlencode("pkg:npm/debug@<4.4.0")
    ));
    assert_eq!(artifacts_of(&answer["hits"]), ["js".to_owned()].into());

    // Advisory by id and by alias: the same answer on both routes.
    for id in ["GHSA-9f46-5r25-5wfm", "CVE-2021-32708"] {
        let (status, a) = get(&format!("{base}/api/affected/{id}"));
        assert_eq!(status, 200, "{a}");
        assert_eq!(a["advisories"], serde_json::json!(["GHSA-9f46-5r25-5wfm"]));
        assert_eq!(artifacts_of(&a["findings"]), ["php".to_owned()].into());
        assert_eq!(
            a["findings"][0]["purl"],
            "pkg:composer/league/flysystem@1.0.8"
        );
        let (_, b) = get(&format!("{base}/api/query?q={id}"));
        assert_eq!(a, b);
    }

    // One artifact: as `vouch fleet show --format json`, with the last rescan's finding.
    let (status, php) = get(&format!("{base}/api/artifacts/php"));
    assert_eq!(status, 200);
    assert_eq!(
        php,
        serde_json::to_value(store.artifact("php").unwrap()).unwrap()
    );
    assert_eq!(php["findings"][0]["advisory"], "GHSA-9f46-5r25-5wfm");
    assert_eq!(
        php["component_list"].as_array().unwrap().len(),
        common::purls("sboms/vouch-composer.cdx.json").len()
    );

    // History and the changes since the last rescan (rootfs re-ingested after it).
    let (status, history) = get(&format!("{base}/api/history?subject=rootfs"));
    assert_eq!(status, 200);
    assert_eq!(
        history,
        serde_json::to_value(store.history("rootfs").unwrap()).unwrap()
    );
    let (_, changes) = get(&format!("{base}/api/changes"));
    assert_eq!(changes["last_rescan"]["at"], "2026-12-02T00:00:00Z");
    let changed: BTreeSet<&str> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["artifact"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["rootfs"].into());
    let before = common::purls("sboms/trivy-rootfs.cdx.json");
    let after = common::purls("sboms/trivy-fs.cdx.json");
    let entered = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == "entered")
        .count();
    assert_eq!(entered, after.difference(&before).count());
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[test]
fn bad_requests_are_named() {
    let server = start(Setup {
        db: false,
        ..Setup::default()
    });
    let base = &server.base;
    let (status, e) = get(&format!("{base}/api/query?q=GHSA-9f46-5r25-5wfm"));
    assert_eq!(status, 400);
    assert_eq!(
        e["message"],
        "`GHSA-9f46-5r25-5wfm` is not a package URL (pkg:TYPE/NAME…) and advisory lookups need the server started with --db"
    );
    let (status, e) = get(&format!("{base}/api/query?q={}", urlencode("pkg:npm/")));
    assert_eq!(status, 400);
    assert_eq!(e["code"], "serve-bad-request");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid query `pkg:npm/`"),
        "{e}"
    );
    let (status, e) = get(&format!("{base}/api/query"));
    assert_eq!(status, 400);
    assert_eq!(e["message"], "missing query parameter `q`");
    let (status, e) = get(&format!("{base}/api/artifacts/nope"));
    assert_eq!(status, 404);
    assert_eq!(e["message"], "no artifact named `nope` in the fleet store");
    let (status, e) = get(&format!("{base}/api/slo"));
    assert_eq!(status, 404);
    assert_eq!(
        e["message"],
        "no SLOs: the server was started without --slo"
    );
    let (status, e) = get(&format!("{base}/api/nothing"));
    assert_eq!(status, 404);
    assert_eq!(e["code"], "serve-not-found");
    // Every code the dashboard answers has its page for `vouch explain`.
    for code in [
        "serve-bad-request",
        "serve-not-found",
        "serve-ingest-disabled",
        "serve-ingest-unauthorized",
        "serve-too-large",
        "serve-unavailable",
        "serve-could-not-evaluate",
    ] {
        let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../docs/rules/{code}.md"));
        let text = std::fs::read_to_string(&page).unwrap();
        assert!(
            text.starts_with(&format!("# {code}\n")),
            "{}",
            page.display()
        );
        assert!(
            include_str!("../src/dashboard.rs").contains(&format!("\"{code}\"")),
            "{code} is not a code the dashboard answers"
        );
    }
    // The page says the same in HTML, with the status.
    let (status, page) = get_text(&format!("{base}/?q=CVE-2021-32708"));
    assert_eq!(status, 400);
    assert!(page.contains("advisory lookups need the server started with --db"));
}

#[test]
fn read_only_without_a_token() {
    let server = start(Setup::default());
    let base = &server.base;
    let sbom = std::fs::read(fixture("sboms/vouch-composer.cdx.json")).unwrap();
    let r = client()
        .post(format!("{base}/api/sbom?name=new"))
        .bearer_auth(TOKEN)
        .body(sbom)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let e: Value = serde_json::from_slice(&r.bytes().unwrap()).unwrap();
    assert_eq!(e["code"], "serve-ingest-disabled");
    let r = client()
        .post(format!("{base}/api/events"))
        .header("X-Gitlab-Token", TOKEN)
        .body(std::fs::read(fixture("events/gitlab-pipeline.json")).unwrap())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let mut store = Store::open(&Location::Sqlite(server.store.clone())).unwrap();
    assert_eq!(store.artifacts().unwrap().len(), 4);
    assert!(store.events(None).unwrap().is_empty());
}

#[test]
fn ingest_with_the_token() {
    let server = start(Setup {
        token: Some(TOKEN),
        ..Setup::default()
    });
    let base = &server.base;
    let sbom = std::fs::read(fixture("sboms/vouch-composer.cdx.json")).unwrap();
    // Missing and wrong tokens: 401, nothing written.
    for auth in [None, Some("wrong-token-wrong-token")] {
        let mut req = client()
            .post(format!("{base}/api/sbom?name=new"))
            .body(sbom.clone());
        if let Some(a) = auth {
            req = req.bearer_auth(a);
        }
        let r = req.send().unwrap();
        assert_eq!(r.status().as_u16(), 401);
    }
    let r = client()
        .post(format!(
            "{base}/api/sbom?name=svc%2Fpayments&version=1.2.3&label=team%3Dpayments&label=env%3Dprod"
        ))
        .bearer_auth(TOKEN)
        .body(sbom.clone())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let added: Value = serde_json::from_slice(&r.bytes().unwrap()).unwrap();
    assert_eq!(added["artifact"], "svc/payments");
    assert_eq!(added["revision"], 1);
    assert_eq!(added["components"], 6);
    let (_, a) = get(&format!("{base}/api/artifacts/svc/payments"));
    assert_eq!(a["version"], "1.2.3");
    assert_eq!(
        a["labels"],
        serde_json::json!({"env": "prod", "team": "payments"})
    );
    assert_eq!(a["source"], "http:POST /api/sbom");
    assert_eq!(a["ingested_at"], "2026-12-03T12:00:00Z");
    let (_, q) = get(&format!(
        "{base}/api/query?q={}",
        urlencode("pkg:composer/league/flysystem")
    ));
    assert_eq!(
        artifacts_of(&q["hits"]),
        ["php".to_owned(), "svc/payments".to_owned()].into()
    );

    // Not an SBOM, a bad label: 400 naming what was wrong.
    let r = client()
        .post(format!("{base}/api/sbom?name=x"))
        .bearer_auth(TOKEN)
        .body("{\"hello\": 1}")
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let e: Value = serde_json::from_slice(&r.bytes().unwrap()).unwrap();
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("the request body is not an SBOM vouch can read: "),
        "{e}"
    );
    let r = client()
        .post(format!("{base}/api/sbom?name=x&label=%3Dv"))
        .bearer_auth(TOKEN)
        .body(sbom.clone())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    // Webhooks: GitLab's token header, GitHub's signature over the body.
    let gitlab = std::fs::read(fixture("events/gitlab-pipeline.json")).unwrap();
    let r = client()
        .post(format!("{base}/api/events"))
        .header("X-Gitlab-Token", "wrong-token-wrong-token")
        .body(gitlab.clone())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = client()
        .post(format!("{base}/api/events"))
        .header("X-Gitlab-Token", TOKEN)
        .header("X-Gitlab-Event", "Pipeline Hook")
        .body(gitlab)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let github = std::fs::read(fixture("events/github-workflow_run-completed.json")).unwrap();
    let token = vouch_server::dashboard::IngestToken::new(TOKEN, "test").unwrap();
    let signature = token.sign(&github);
    let mut tampered = github.clone();
    tampered.push(b' ');
    let r = client()
        .post(format!("{base}/api/events"))
        .header("X-Hub-Signature-256", &signature)
        .body(tampered)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = client()
        .post(format!("{base}/api/events"))
        .header("X-Hub-Signature-256", &signature)
        .header("X-GitHub-Event", "workflow_run")
        .body(github)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Another event kind is refused by name.
    let push = std::fs::read(fixture("events/gitlab-push.json")).unwrap();
    let r = client()
        .post(format!("{base}/api/events"))
        .header("X-Gitlab-Token", TOKEN)
        .body(push)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let mut store = Store::open(&Location::Sqlite(server.store.clone())).unwrap();
    let events = store.events(None).unwrap();
    assert!(events.len() >= 2, "{events:?}");

    // Bodies over the cap: 413 before anything is parsed.
    let big = vec![b' '; vouch_server::dashboard::MAX_EVENT + 1];
    let r = client()
        .post(format!("{base}/api/events"))
        .header("X-Gitlab-Token", TOKEN)
        .body(big)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
}

#[test]
fn pages_escape_and_are_deterministic() {
    let server = start(Setup {
        token: Some(TOKEN),
        ..Setup::default()
    });
    let base = &server.base;
    let sbom = std::fs::read(fixture("sboms/vouch-composer.cdx.json")).unwrap();
    let r = client()
        .post(format!(
            "{base}/api/sbom?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&label=x%3D%22%3E%3Cb%3E"
        ))
        .bearer_auth(TOKEN)
        .body(sbom)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Not a purl: an advisory id the database does not hold, shown escaped in the message.
    let (status, page) = get_text(&format!("{base}/?q={}", urlencode("\"><script>x</script>")));
    assert_eq!(status, 404);
    assert!(
        page.contains(
            "advisory `&quot;&gt;&lt;script&gt;x&lt;/script&gt;` is not in the advisory database"
        ),
        "{page}"
    );
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("x=&quot;&gt;&lt;b&gt;"));
    let (status, page) = get_text(&format!(
        "{base}/artifact/%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    ));
    assert_eq!(status, 200);
    assert!(!page.contains("<script>"));
    // Same store, same answer: byte for byte.
    let url = format!("{base}/?q={}", urlencode("pkg:npm/debug"));
    assert_eq!(get_text(&url), get_text(&url));
    let (_, page) = get_text(&url);
    assert!(page.contains("<p id=\"result-count\">3 artifacts contain pkg:npm/debug</p>"));
    assert!(page.contains("<p id=\"artifact-count\">5 artifacts,"));
}

#[test]
fn slo_panel_from_stored_events() {
    // 2021-08-06T00:00:00Z: the GitHub job of 2021-08-05 is inside the 30 day windows, the
    // workflow run of 2020-10-05 is not.
    let now = 1_628_208_000;
    let server = start(Setup {
        token: Some(TOKEN),
        slo: true,
        now,
        ..Setup::default()
    });
    let base = &server.base;
    let files = [
        "events/github-workflow_run-completed.json",
        "events/github-workflow_job-completed.json",
        // A pipeline hook: the pipeline and one job per build (of 2016, outside the windows).
        "events/gitlab-pipeline.json",
    ];
    let mut direct = Vec::new();
    for rel in files {
        let body = std::fs::read(fixture(rel)).unwrap();
        direct.extend(vouch_slo::event::parse(&body).unwrap());
        let r = client()
            .post(format!("{base}/api/events"))
            .bearer_auth(TOKEN)
            .body(body)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{rel}");
    }
    // The same report `vouch slo status --format json` gives over the payload files.
    let slos = vouch_slo::load(&std::fs::read_to_string(fixture("slo.yaml")).unwrap()).unwrap();
    let expected =
        vouch_slo::status::evaluate(&slos, direct, jiff::Timestamp::from_second(now).unwrap());
    let (status, mut report) = get(&format!("{base}/api/slo"));
    assert_eq!(status, 200);
    // The dashboard reads only the events the longest window can count (as `vouch slo status
    // --store` does): the GitHub job of 2021-08-05, not the 7 older ones; the SLOs are the same.
    assert_eq!(report["events"], 1);
    report["events"] = serde_json::json!(expected.events);
    assert_eq!(report, serde_json::to_value(&expected).unwrap());
    let verdicts: Vec<(&str, &str)> = report["slos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("pipeline-success", "not-evaluated"),
            ("queue-time", "met"),
            ("scan-failures", "met")
        ]
    );
    // Two GitHub events, the GitLab pipeline and its five builds.
    assert_eq!(expected.events, 8);
    let (_, page) = get_text(&format!("{base}/"));
    assert!(
        page.contains(
            "<p id=\"slo-summary\">3 SLOs over 1 pipeline event in their windows at 2021-08-06T00:00:00Z</p>"
        ),
        "{page}"
    );
}

#[test]
fn escape_leaves_no_markup() {
    use vouch_server::dashboard::escape;
    assert_eq!(
        escape("<script>alert('x')</script> & \"q\""),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
    );
    assert_eq!(escape("pkg:npm/lodash@4.17.20"), "pkg:npm/lodash@4.17.20");
}

#[test]
fn the_token_is_checked_and_never_printed() {
    use vouch_server::dashboard::{IngestToken, TokenError};
    let t = IngestToken::new("0123456789abcdef-token\n", "--ingest-token-file t").unwrap(); // vouch:allow
    assert_eq!(format!("{t:?}"), "IngestToken(***)");
    assert!(t.matches(b"0123456789abcdef-token")); // vouch:allow
    assert!(!t.matches(b"0123456789abcdef-toke")); // vouch:allow
    assert!(!t.matches(b""));
    let sig = t.sign(b"{}");
    assert!(t.verifies_signature(b"{}", sig.as_bytes()));
    assert!(!t.verifies_signature(b"{ }", sig.as_bytes()));
    assert!(!t.verifies_signature(b"{}", sig.trim_start_matches("sha256=").as_bytes()));
    assert!(!t.verifies_signature(b"{}", b"sha256=zz"));
    assert_eq!(
        IngestToken::new("short", "VOUCH_INGEST_TOKEN").unwrap_err(),
        TokenError::TooShort {
            source_name: "VOUCH_INGEST_TOKEN".into(),
            len: 5
        }
    );
    assert!(matches!(
        IngestToken::new(" \n", "x").unwrap_err(),
        TokenError::Empty { .. }
    ));
    assert!(matches!(
        IngestToken::new("0123456789 abcdef", "x").unwrap_err(),
        TokenError::Unprintable { .. }
    ));
}

#[test]
fn long_tables_are_cut_on_the_page_not_in_the_api() {
    let server = start(Setup {
        token: Some(TOKEN),
        rescan: false,
        ..Setup::default()
    });
    let base = &server.base;
    let js = std::fs::read(fixture("sboms/cdxgen-js.cdx.json")).unwrap();
    for name in ["js-2", "js-3"] {
        let r = client()
            .post(format!("{base}/api/sbom?name={name}"))
            .bearer_auth(TOKEN)
            .body(js.clone())
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    // Never rescanned: every change is listed, more than a page shows.
    let (_, changes) = get(&format!("{base}/api/changes"));
    assert_eq!(changes["last_rescan"], Value::Null);
    let total = changes["changes"].as_array().unwrap().len();
    assert!(total > vouch_server::dashboard::MAX_TABLE_ROWS, "{total}");
    let (status, page) = get_text(&format!("{base}/"));
    assert_eq!(status, 200);
    assert_eq!(
        page.matches("<tr><td>").count() - 6, // the six artifacts' rows
        vouch_server::dashboard::MAX_TABLE_ROWS
    );
    assert!(page.contains(&format!(
        "<p class=\"note\" id=\"change-list-truncated\">the first 1000 of {total} rows are shown; the JSON API (/api/…) answers with all of them</p>"
    )));
    assert!(page.contains("no rescan recorded"));
    assert!(page.contains("<td>not rescanned</td>"));
}
