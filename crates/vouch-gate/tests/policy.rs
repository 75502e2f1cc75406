//! The gate policy parser: every key, and a clear error for each kind of bad input.

use vouch_gate::policy::{Field, Policy, PolicyError};
use vouch_report::Severity;

const FULL: &str = r#"
rego = ["policy/*.rego"]
check = true
secrets = true

[trust]
keys = ["release.pub"]
identities = [{ identity = "https://gitlab.example.com/acme/api//.gitlab-ci.yml@refs/heads/main", issuer = "https://gitlab.example.com" }]
trusted-root = "trusted_root.json"
require-tlog = true

[evidence]
signature = "app.sig"
sbom = "bom.spdx.json"

[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main", "v*"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
require = ["runner", "commit"]

[attestations]
required = ["https://in-toto.io/attestation/test-result/v0.1"]

[vulnerabilities]
fail-on = "high"
ignore = ".vouch/ignore.toml"
vex = ["vex.json"]

[vsa]
verifier-id = "https://ci.example.com/gate"
policy-uri = "https://gitlab.example.com/acme/policies/-/blob/main/gate.toml"
resource-uri = "https://artifacts.example.com/acme/api/app.tar.gz"
levels = ["SLSA_BUILD_LEVEL_2"]
"#;

#[test]
fn parses_every_key() {
    let p = Policy::parse(FULL, "gate.toml").unwrap();
    assert_eq!(p.trust.keys, vec!["release.pub"]);
    assert_eq!(p.trust.identities[0].issuer, "https://gitlab.example.com");
    assert_eq!(p.trust.trusted_root.as_deref(), Some("trusted_root.json"));
    assert!(p.trust.require_tlog);
    assert_eq!(p.signature_file, "app.sig");
    assert_eq!(p.sbom_file, "bom.spdx.json");
    assert_eq!(
        p.provenance.source.as_deref(),
        Some("https://gitlab.example.com/acme/api")
    );
    assert!(p.provenance.protected_refs[1].is_match("v1.2.3"));
    assert!(!p.provenance.protected_refs[1].is_match("feature"));
    assert!(p.provenance.builders[0].is_match("https://gitlab.example.com/acme/api/-/runners/9"));
    assert_eq!(p.provenance.require, vec![Field::Commit, Field::Runner]);
    assert_eq!(p.required_predicate_types.len(), 1);
    let v = p.vulnerabilities.as_ref().unwrap();
    assert_eq!(v.fail_on, Severity::High);
    assert_eq!(v.ignore.as_deref(), Some(".vouch/ignore.toml"));
    assert_eq!(v.vex, vec!["vex.json"]);
    assert!(p.check && p.secrets);
    assert_eq!(p.rego, vec!["policy/*.rego"]);
    assert_eq!(p.vsa.verifier_id, "https://ci.example.com/gate");
    assert_eq!(
        p.vsa.levels.as_deref(),
        Some(&["SLSA_BUILD_LEVEL_2".to_owned()][..])
    );
}

#[test]
fn the_issue_form_parses_with_defaults() {
    let p = Policy::parse(
        r#"
[trust]
keys = ["release.pub"]
[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main", "v*"]
[vulnerabilities]
fail-on = "high"
"#,
        "gate.toml",
    )
    .unwrap();
    assert_eq!(p.signature_file, "signature.bundle");
    assert_eq!(p.sbom_file, "sbom.cdx.json");
    assert_eq!(
        p.provenance.require,
        vec![Field::Commit, Field::Pipeline, Field::Runner]
    );
    assert!(!p.check && !p.secrets);
    assert_eq!(p.vsa.verifier_id, "https://vouch.invalid/gate");
    assert!(p.vsa.levels.is_none());
}

fn err(text: &str) -> PolicyError {
    Policy::parse(text, "gate.toml").unwrap_err()
}

#[test]
fn bad_toml_names_file_and_position() {
    let e = err("[trust]\nkeys = [\"a.pub\"\n");
    assert!(matches!(e, PolicyError::Toml { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.starts_with("policy gate.toml is not valid TOML at line 2"),
        "{msg}"
    );
}

#[test]
fn unknown_keys_are_rejected() {
    let e = err("[trust]\nkeys = [\"a.pub\"]\n[provenance]\nprotected_refs = [\"main\"]\n");
    let msg = e.to_string();
    assert!(matches!(e, PolicyError::Toml { .. }));
    assert!(msg.contains("protected_refs"), "{msg}");
    assert!(msg.contains("line 4"), "{msg}");
}

#[test]
fn trust_is_required_and_not_empty() {
    assert_eq!(
        err("[provenance]\nsource = \"x\"\n"),
        PolicyError::Invalid {
            file: "gate.toml".into(),
            field: "trust".into(),
            problem: "is required: name at least one key or keyless identity the gate trusts"
                .into(),
        }
    );
    assert!(matches!(
        err("[trust]\nkeys = []\n"),
        PolicyError::Invalid { field, .. } if field == "trust"
    ));
    assert!(matches!(
        err("[trust]\nidentities = [{ identity = \"a@b\" }]\n"),
        PolicyError::Invalid { field, problem, .. }
            if field == "trust.identities[0]" && problem.contains("issuer")
    ));
}

#[test]
fn values_are_validated() {
    let base = "[trust]\nkeys = [\"a.pub\"]\n";
    assert!(matches!(
        err(&format!("{base}[vulnerabilities]\nfail-on = \"severe\"\n")),
        PolicyError::Invalid { field, problem, .. }
            if field == "vulnerabilities.fail-on" && problem.contains("`severe`")
    ));
    assert!(matches!(
        err(&format!("{base}[vulnerabilities]\nignore = \"i.toml\"\n")),
        PolicyError::Invalid { field, .. } if field == "vulnerabilities.fail-on"
    ));
    assert!(matches!(
        err(&format!("{base}[provenance]\nrequire = [\"commit\", \"runner-id\"]\n")),
        PolicyError::Invalid { field, problem, .. }
            if field == "provenance.require" && problem.contains("runner-id")
    ));
    assert!(matches!(
        err(&format!("{base}[provenance]\nprotected-refs = [\"[main\"]\n")),
        PolicyError::Invalid { field, .. } if field == "provenance.protected-refs"
    ));
    assert!(matches!(
        err(&format!("{base}[evidence]\nsbom = \"../sbom.json\"\n")),
        PolicyError::Invalid { field, .. } if field == "evidence.sbom"
    ));
    assert!(matches!(
        err(&format!("{base}[provenance]\nsource = \" \"\n")),
        PolicyError::Invalid { field, .. } if field == "provenance.source"
    ));
    assert!(matches!(
        err(&format!("{base}[vsa]\nverifier-id = \"\"\n")),
        PolicyError::Invalid { field, .. } if field == "vsa.verifier-id"
    ));
    assert!(matches!(
        err(&format!(
            "{base}[attestations]\nrequired = [\"https://slsa.dev/verification_summary/v1\"]\n"
        )),
        PolicyError::Invalid { field, .. } if field == "attestations.required"
    ));
}

#[test]
fn max_db_age_and_allow_stale_db() {
    const BASE: &str = "[trust]\nkeys = [\"a.pub\"]\n[provenance]\nsource = \"https://gitlab.example.com/acme/api\"\n[vulnerabilities]\nfail-on = \"high\"\n";
    let p = Policy::parse(BASE, "gate.toml").unwrap();
    let v = p.vulnerabilities.as_ref().unwrap();
    assert_eq!(v.max_db_age, None);
    assert!(!v.allow_stale_db);

    let p = Policy::parse(
        &format!("{BASE}max-db-age = \"2w\"\nallow-stale-db = true\n"),
        "gate.toml",
    )
    .unwrap();
    let v = p.vulnerabilities.as_ref().unwrap();
    assert_eq!(
        v.max_db_age,
        Some(jiff::SignedDuration::from_hours(14 * 24))
    );
    assert!(v.allow_stale_db);

    for (value, problem) in [
        (
            "yesterday",
            "is `yesterday`, not a duration such as `7d` or `36h`",
        ),
        (
            "1mo",
            "is `1mo`: years and months have no fixed length; use days or weeks",
        ),
        ("-3d", "is `-3d`, a negative duration"),
    ] {
        let e = err(&format!("{BASE}max-db-age = \"{value}\"\n"));
        let msg = e.to_string();
        assert!(matches!(e, PolicyError::Invalid { .. }), "{e:?}");
        assert!(msg.contains("vulnerabilities.max-db-age"), "{msg}");
        assert!(msg.contains(problem), "{msg}");
    }
}
