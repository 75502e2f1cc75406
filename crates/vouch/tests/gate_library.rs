//! The gate, the scan umbrella and the CI mapping as library calls: `vouch gate` and the
//! `vouch_gate` calls it wires agree byte for byte on the same evidence; the same evidence
//! gates a subject known only by its digest (as an image will be); `vouch attest provenance`
//! writes what `vouch_attest::ci::context` maps from the same variables; `vouch scan --format
//! json` is `vouch_scan::Scan::to_json`.

use std::path::Path;

use assert_cmd::Command;

mod common;

const GITLAB: &[(&str, &str)] = &[
    ("GITLAB_CI", "true"),
    ("CI_SERVER_URL", "https://gitlab.example.com"),
    ("CI_PROJECT_URL", "https://gitlab.example.com/acme/api"),
    ("CI_COMMIT_SHA", "4f1c2a9e0b7d3c6f8e5a1b2c3d4e5f6a7b8c9d0e"),
    ("CI_COMMIT_REF_NAME", "main"),
    ("CI_COMMIT_REF_PROTECTED", "true"),
    ("CI_PIPELINE_ID", "4242"),
    ("CI_JOB_ID", "777"),
    ("CI_RUNNER_ID", "12"),
    ("CI_CONFIG_PATH", ".gitlab-ci.yml"),
];

const POLICY: &str = r#"rego = ["policy/*.rego"]

[trust]
keys = ["release.pub"]

[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main"]
"#;

const REGO: &str = "package gate\n\ndeny contains msg if {\n\tinput.artifact.name == \"forbidden\"\n\tmsg := \"forbidden\"\n}\n";

fn vouch_ci(dir: &Path) -> Command {
    let mut c = common::vouch();
    c.current_dir(dir).env("VOUCH_PASSWORD", "pw");
    for (k, v) in GITLAB {
        c.env(k, v);
    }
    c
}

/// A key, an artifact, its signature, SBOM, provenance and SBOM attestation, made with vouch's
/// own commands, and a policy with a Rego module.
fn pipeline() -> tempfile::TempDir {
    let dir = common::dir_with(&[
        ("src/Cargo.lock", "version = 3\n"),
        ("gate.toml", POLICY),
        ("policy/gate.rego", REGO),
    ]);
    let d = dir.path();
    let run = |args: &[&str]| {
        vouch_ci(d).args(args).assert().success();
    };
    run(&["key", "generate", "--output-prefix", "release"]);
    std::fs::create_dir_all(d.join("dist")).unwrap();
    std::fs::write(d.join("dist/app.bin"), b"the release artifact\n").unwrap();
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
    dir
}

fn library_decision(d: &Path, subject: &vouch_gate::Subject<'_>) -> vouch_gate::Decision {
    let loaded = vouch_gate::load(&d.join("gate.toml")).unwrap();
    let folder = vouch_gate::Folder::open(d.join("dist")).unwrap();
    let evidence = vouch_gate::Evidence::collect(&folder, &loaded.policy).unwrap();
    let context = vouch_gate::Context {
        advisories: None,
        check_findings: None,
        secret_findings: None,
        today: vouch_advisory::suppress::Date::parse("2023-11-14").unwrap(),
        now: "2023-11-14T22:13:20Z".parse().unwrap(),
    };
    vouch_gate::gate(&loaded, subject, &evidence, &context).unwrap()
}

#[test]
fn the_cli_prints_the_report_the_library_returns() {
    let ws = pipeline();
    let d = ws.path();
    let out = vouch_ci(d)
        .args([
            "gate",
            "dist/app.bin",
            "--policy",
            "gate.toml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let cli = common::json(&out.stdout);

    let bytes = std::fs::read(d.join("dist/app.bin")).unwrap();
    let subject = vouch_gate::Subject::from_bytes("app.bin", &bytes);
    let decision = library_decision(d, &subject);
    assert!(decision.passed(), "{:#?}", decision.reasons);
    let lib = serde_json::to_value(vouch_gate::Report::new(decision, None)).unwrap();
    assert_eq!(cli, lib);
    assert_eq!(
        cli["promote"],
        vouch_digest::Digest::sha256(&bytes).to_string()
    );
    // The policy's Rego module was loaded, expanded from its glob, and ran.
    let loaded = vouch_gate::load(&d.join("gate.toml")).unwrap();
    assert_eq!(
        loaded.source.modules,
        vec![(
            "policy/gate.rego".to_owned(),
            vouch_digest::Digest::sha256(REGO.as_bytes())
        )]
    );
}

#[test]
fn a_subject_known_by_its_digest_alone_is_gated_the_same() {
    let ws = pipeline();
    let d = ws.path();
    let bytes = std::fs::read(d.join("dist/app.bin")).unwrap();
    let with_bytes = library_decision(d, &vouch_gate::Subject::from_bytes("app.bin", &bytes));
    let by_digest =
        vouch_gate::Subject::from_digest("app.bin", vouch_digest::Digest::sha256(&bytes)).unwrap();
    assert_eq!(library_decision(d, &by_digest), with_bytes);

    // Another digest: every signature and attestation is about something else.
    let other =
        vouch_gate::Subject::from_digest("app.bin", vouch_digest::Digest::sha256(b"x")).unwrap();
    let denied = library_decision(d, &other);
    assert!(!denied.passed());
    let checks: Vec<&str> = denied.reasons.iter().map(|r| r.check.as_str()).collect();
    assert!(checks.contains(&"signature"), "{:#?}", denied.reasons);
    assert!(checks.contains(&"provenance"), "{:#?}", denied.reasons);
}

#[test]
fn the_written_provenance_is_the_library_mapping_of_the_variables() {
    let ws = pipeline();
    let d = ws.path();
    let line = std::fs::read_to_string(d.join("dist/provenance.intoto.jsonl")).unwrap();
    let bundle = vouch_sign::Bundle::parse(line.trim().as_bytes()).unwrap();
    let envelope =
        vouch_attest::Envelope::from_value(bundle.dsse_envelope_json().unwrap().clone()).unwrap();
    let statement = vouch_attest::Statement::parse(&envelope.payload).unwrap();

    let env = GITLAB
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    let ctx = vouch_attest::ci::context(&env, now, None, "unused-for-ci");
    let expected = vouch_attest::slsa::build(&ctx, vec![]);
    assert_eq!(
        statement.predicate,
        serde_json::to_value(&expected).unwrap()
    );
}

#[test]
fn scan_json_is_the_library_report() {
    let ws = pipeline();
    let d = ws.path();
    let out = common::vouch()
        .current_dir(d)
        .args([
            "scan",
            "src",
            "--skip",
            "vulnerabilities",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let cli = common::json(&out.stdout);

    let root = d.join("src");
    let inventory = vouch_inventory::walk::inventory(
        &root,
        "src",
        &vouch_inventory::walk::WalkOptions::default(),
        &vouch_inventory::walk::Silent,
    )
    .unwrap();
    let mut report = vouch_report::Report::new("vouch", env!("CARGO_PKG_VERSION"));
    vouch_scan::inventory_not_checked(&inventory, false, &mut report);
    let today = vouch_policy::Date::from_unix_seconds(1_700_000_000);
    let checks = vec![
        vouch_scan::CheckSummary::skipped(
            vouch_scan::Check::Vulnerabilities,
            "skipped (--skip)".into(),
        ),
        vouch_scan::secrets(&root, &[], &mut report).unwrap(),
        vouch_scan::configuration(&root, &[], None, today, &mut report).unwrap(),
        vouch_scan::pinning(&root, &[], &mut report).unwrap(),
        vouch_scan::typosquat::check(
            &inventory,
            &vouch_scan::typosquat::Lists::embedded(&vouch_scan::typosquat::ecosystems(&inventory)),
            None,
            today,
            &mut report,
        ),
    ];
    report.sort();
    let scan = vouch_scan::Scan {
        inventory,
        checks,
        report,
        excludes: vec![],
    };
    assert_eq!(cli, scan.to_json().unwrap());
    assert_eq!(cli["checks"][0]["status"], "skipped");
}
