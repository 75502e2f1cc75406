//! No rendered output, warning, error or Debug print carries a secret in clear (the CLI-level
//! version of this test, which also checks stderr, is crates/vouch/tests/secrets_cli.rs).
//! Secrets are assembled at run time so this file holds none.

use vouch_report::{Report, render};
use vouch_secrets::{Options, RuleSet, scan_bytes, scan_dir};

fn secrets() -> Vec<String> {
    vec![
        format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke"),
        format!("AKIA{}", "Z7Q3LNV5R2XKD4PW"),
        format!(
            "xoxb-{}-{}-{}",
            "18273645091", "2837465019283", "Qk3Lm9Xv2Bn7Rt5Yw8Zp1Cd4"
        ),
        format!("sk_live_{}{}", "4eC39HqLyjWDarjtT1zdp7dc", "Xq9ZpL3vB7nM"),
        format!("{}{}", "Vx9!qL2#mZ", "p7$Rw4&tB8"),
        format!("postgres://svc:{}@db.internal:5432/app", "Hq7Zp2Lx9Vt4Kc8N"),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for s in secrets() {
        let core = if s.starts_with("postgres") {
            "Hq7Zp2Lx9Vt4Kc8N".to_owned()
        } else {
            s.clone()
        };
        assert!(!text.contains(&core), "{what} leaks a secret");
        assert!(
            !text.contains(&core[..core.len() - 3]),
            "{what} leaks most of a secret"
        );
    }
}

#[test]
fn renderers_debug_and_warnings_stay_redacted() {
    let s = secrets();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.env"),
        format!(
            "GITHUB_TOKEN={}\nAWS_ACCESS_KEY_ID={}\nSLACK={}\nDATABASE_URL={}\n",
            s[0], s[1], s[2], s[5]
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("billing.py"),
        format!("stripe_key = \"{}\"\ndb_password = \"{}\"\n", s[3], s[4]),
    )
    .unwrap();
    let outcome = scan_dir(dir.path(), &Options::default()).unwrap();
    let rules: Vec<&str> = outcome
        .findings
        .iter()
        .map(|f| f.rule_id.as_str())
        .collect();
    assert_eq!(
        rules,
        [
            "github-pat",
            "aws-access-key-id",
            "slack-bot-token",
            "database-url-password",
            "stripe-secret-key",
            "generic-password",
        ]
    );
    let mut report = Report::new("vouch", "0.0.0");
    report.rules = RuleSet::builtin().metas();
    report.findings = outcome.findings.clone();
    report.sort();
    assert_clean("table", &render::table(&report));
    assert_clean("json", &render::json(&report));
    assert_clean("sarif", &render::sarif(&report));
    assert_clean("code quality", &render::gitlab_code_quality(&report));
    let times = vouch_report::gitlab_secrets::ScanTimes {
        start: "2024-01-01T00:00:00".into(),
        end: "2024-01-01T00:00:01".into(),
    };
    assert_clean(
        "gitlab secrets",
        &vouch_report::gitlab_secrets::render(&report, &times),
    );
    assert_clean("outcome Debug", &format!("{outcome:?}"));
    for m in RuleSet::builtin().scan(
        std::fs::read(dir.path().join("app.env"))
            .unwrap()
            .as_slice(),
    ) {
        assert_clean("match Debug", &format!("{m:?}"));
        assert_clean("secret Display", &format!("{}", m.secret));
    }
    // stdin path too, and --show-secrets is the only way in
    let out = scan_bytes(
        s[0].as_bytes(),
        "-",
        &Options {
            show_secrets: true,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(out.findings[0].properties["secret"], s[0].as_str());
    let out = scan_bytes(s[0].as_bytes(), "-", &Options::default()).unwrap();
    assert_clean("stdin json", &serde_json::to_string(&out.findings).unwrap());
}
