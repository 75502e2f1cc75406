//! URL credentials never reach a finding, and the table never carries raw control characters.

use vouch_report::{Finding, Location, Report, RuleMeta, Severity, render, terminal};

fn report() -> Report {
    let mut report = Report::new("vouch", "0.1.0");
    report
        .rules
        .push(RuleMeta::new("r", "a rule", Severity::High));
    report.findings.push(
        Finding::new(
            "r",
            Severity::High,
            "RUN curl https://deploy:s3cr3tTOKEN@get.example/i.sh | sh",
        )
        .at(Location::new("dir\x1b[31m/Dockerfile").line(3))
        .remediation("use https://u:s3cr3tTOKEN@mirror.example/ instead")
        .property("reference", "https://s3cr3tTOKEN@gitlab.example/x.yml")
        .property(
            "nested",
            serde_json::json!({"urls": ["ftp://a:s3cr3tTOKEN@b/c"]}),
        ),
    );
    report
}

#[test]
fn builders_redact_message_remediation_and_properties() {
    let f = &report().findings[0];
    assert_eq!(f.message, "RUN curl https://***@get.example/i.sh | sh");
    assert_eq!(
        f.remediation.as_deref(),
        Some("use https://***@mirror.example/ instead")
    );
    assert_eq!(
        f.properties["reference"],
        "https://***@gitlab.example/x.yml"
    );
    assert_eq!(f.properties["nested"]["urls"][0], "ftp://***@b/c");
}

#[test]
fn no_format_carries_the_credential() {
    let report = report();
    for (name, out) in [
        ("table", render::table(&report)),
        ("json", render::json(&report)),
        ("sarif", render::sarif(&report)),
        ("gitlab", render::gitlab_code_quality(&report)),
    ] {
        assert!(!out.contains("s3cr3tTOKEN"), "{name}: {out}");
        assert!(
            out.contains("https://***@get.example/i.sh"),
            "{name}: {out}"
        );
    }
}

#[test]
fn table_escapes_control_characters() {
    let table = render::table(&report());
    assert!(table.contains("dir\\x1b[31m/Dockerfile:3"), "{table}");
    assert!(!table.contains('\x1b'), "{table}");
}

#[test]
fn sanitize_is_the_terminal_path() {
    assert_eq!(
        terminal::sanitize("warning: a\x1b[2Jb\u{202e}c: https://u:p@h/x"),
        "warning: a\\x1b[2Jb\\u{202e}c: https://***@h/x"
    );
}
