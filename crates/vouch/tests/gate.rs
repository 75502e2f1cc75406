//! End-to-end: a GitLab pipeline played with the `CI_*` variables builds an artifact, produces
//! every piece of evidence with vouch's own commands (key generate, sbom, sign, attest
//! provenance, attest sbom), and `vouch gate` passes it and writes a verification summary that
//! `vouch verify-attestation` accepts. Then each single fault fails with its own reason, and
//! several faults at once report every reason.

use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;

mod common;

// Real advisory and lockfile fixtures of vouch-advisory (see its tests/fixtures/SOURCES.md):
// GHSA-9f46-5r25-5wfm (critical) affects league/flysystem 1.0.8 in osv-scanner's composer.lock.

fn vouch(dir: &Path) -> Command {
    let mut c = common::vouch();
    c.current_dir(dir)
        .env("VOUCH_PASSWORD", "pipeline-password")
        .env("SOURCE_DATE_EPOCH", "1700000000"); // 2023-11-14
    c
}

/// A vouch process inside the GitLab job.
fn vouch_ci(dir: &Path, git_ref: &str, protected: bool) -> Command {
    let mut c = vouch(dir);
    for (k, v) in common::gitlab_env(git_ref, protected) {
        c.env(k, v);
    }
    c
}

const POLICY: &str = r#"[trust]
keys = ["release.pub"]

[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main", "v*"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]

[vulnerabilities]
fail-on = "high"
ignore = "ignore.toml"
"#;

fn ignore_file(expires: &str) -> String {
    format!(
        "[[ignore]]\nid = \"GHSA-9f46-5r25-5wfm\"\npurl = \"pkg:composer/league/flysystem\"\nreason = \"uploads never reach flysystem paths\"\nexpires = {expires}\n"
    )
}

/// The pipeline, run once: every later test works on a copy.
fn golden() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // The repository: a PHP application locked to a vulnerable flysystem.
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::copy(
            common::advisory_fixtures()
                .join("lockfiles/osv-scanner-fixture.locks-many-with-insecure.composer.lock"),
            d.join("src/composer.lock"),
        )
        .unwrap();
        std::fs::write(d.join("src/index.php"), "<?php echo 'api';\n").unwrap();
        // Keys: the release key (a protected CI variable) and one nobody trusts.
        for name in ["release", "intruder"] {
            vouch(d)
                .args(["key", "generate", "--output-prefix", name])
                .assert()
                .success();
        }
        // build job: the artifact.
        std::fs::create_dir_all(d.join("dist")).unwrap();
        let mut artifact = std::fs::read(d.join("src/index.php")).unwrap();
        artifact.extend(std::fs::read(d.join("src/composer.lock")).unwrap());
        std::fs::write(d.join("dist/api.phar"), &artifact).unwrap();
        std::fs::write(d.join("other.bin"), b"another build output").unwrap();
        // evidence jobs.
        vouch_ci(d, "main", true)
            .args(["sbom", "src", "-o", "dist/sbom.cdx.json"])
            .assert()
            .success();
        vouch_ci(d, "main", true)
            .args(["sign", "dist/api.phar", "--key", "release.key"])
            .args(["-o", "dist/signature.bundle"])
            .assert()
            .success();
        vouch_ci(d, "main", true)
            .args(["attest", "provenance", "--subject", "dist/api.phar"])
            .args(["--key", "release.key", "--sbom", "dist/sbom.cdx.json"])
            .args(["-o", "dist/provenance.intoto.jsonl"])
            .assert()
            .success();
        vouch_ci(d, "main", true)
            .args(["attest", "sbom", "--subject", "dist/api.phar"])
            .args(["--sbom", "dist/sbom.cdx.json", "--key", "release.key"])
            .args(["-o", "dist/sbom.intoto.jsonl"])
            .assert()
            .success();
        // The advisory database.
        vouch(d)
            .args(["db", "import", "--db", "advisories.sqlite"])
            .arg(common::advisory_fixtures().join("packagist/GHSA-9f46-5r25-5wfm.json"))
            .assert()
            .success();
        std::fs::write(d.join("gate.toml"), POLICY).unwrap();
        std::fs::write(d.join("ignore.toml"), ignore_file("2024-06-30")).unwrap();
        dir
    })
    .path()
}

/// A fresh copy of the pipeline's workspace.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(golden(), dir.path());
    dir
}

fn gate(d: &Path) -> Command {
    let mut c = vouch_ci(d, "main", true);
    c.args(["gate", "dist/api.phar", "--policy", "gate.toml"])
        .args(["--db", "advisories.sqlite", "--key", "release.key"]);
    c
}

/// Run the gate expecting a denial (exit 1); return the (check, code) pairs.
fn denied(d: &Path) -> Vec<(String, String)> {
    let out = gate(d).args(["--format", "json"]).assert().code(1);
    let v = common::json(&out.get_output().stdout);
    assert_eq!(v["outcome"], "deny");
    assert!(v["promote"].is_null());
    assert!(
        !d.join("dist/vsa.intoto.jsonl").exists(),
        "no summary on a denial"
    );
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_owned(),
                r["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn sha256(path: &Path) -> String {
    format!(
        "sha256:{}",
        vouch_digest::Digest::sha256(&std::fs::read(path).unwrap()).hex()
    )
}

#[test]
fn pipeline_evidence_passes_and_the_summary_verifies() {
    let ws = workspace();
    let d = ws.path();
    let digest = sha256(&d.join("dist/api.phar"));

    // Table format: the reference to promote is all of stdout.
    let out = gate(d).assert().code(0);
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        format!("{digest}\n")
    );
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("gate: pass"), "{stderr}");
    assert!(!stderr.contains("pipeline-password"));

    // The summary is an attestation about the artifact, signed by the release key.
    let out = vouch(d)
        .args(["verify-attestation", "dist/api.phar"])
        .args(["--bundle", "dist/vsa.intoto.jsonl", "--key", "release.pub"])
        .args([
            "--predicate-type",
            "https://slsa.dev/verification_summary/v1",
        ])
        .args(["--format", "json"])
        .assert()
        .code(0);
    let v = common::json(&out.get_output().stdout);
    let st = &v["verified"][0]["statement"];
    assert_eq!(st["subject"][0]["name"], "api.phar");
    let p = &st["predicate"];
    assert_eq!(p["verificationResult"], "PASSED");
    assert_eq!(p["verifier"]["id"], "https://vouch.invalid/gate");
    assert_eq!(p["timeVerified"], "2023-11-14T22:13:20Z");
    assert_eq!(
        p["resourceUri"],
        format!("pkg:generic/api.phar?checksum={digest}")
    );
    assert_eq!(p["policy"]["uri"], "gate.toml");
    assert_eq!(
        format!(
            "sha256:{}",
            p["policy"]["digest"]["sha256"].as_str().unwrap()
        ),
        sha256(&d.join("gate.toml"))
    );
    assert_eq!(
        p["verifiedLevels"],
        serde_json::json!(["SLSA_BUILD_LEVEL_1"])
    );
    let inputs: Vec<(String, String)> = p["inputAttestations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["uri"].as_str().unwrap().to_owned(),
                format!("sha256:{}", a["digest"]["sha256"].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        inputs,
        vec![
            (
                "provenance.intoto.jsonl:1".to_owned(),
                sha256(&d.join("dist/provenance.intoto.jsonl"))
            ),
            (
                "sbom.intoto.jsonl:1".to_owned(),
                sha256(&d.join("dist/sbom.intoto.jsonl"))
            ),
        ]
    );

    // The summary being written is not read as input; an earlier one beside the evidence is
    // read but not used. The JSON decision is byte-identical across runs.
    std::fs::copy(
        d.join("dist/vsa.intoto.jsonl"),
        d.join("dist/earlier-vsa.intoto.jsonl"),
    )
    .unwrap();
    let first = gate(d).args(["--format", "json"]).assert().code(0);
    let second = gate(d).args(["--format", "json"]).assert().code(0);
    assert_eq!(first.get_output().stdout, second.get_output().stdout);
    let v = common::json(&first.get_output().stdout);
    assert_eq!(v["outcome"], "pass");
    assert_eq!(v["promote"], digest);
    assert_eq!(v["reasons"], serde_json::json!([]));
    assert_eq!(v["ignored"][0]["evidence"], "earlier-vsa.intoto.jsonl:1");
    assert_eq!(v["ignored"].as_array().unwrap().len(), 1);
    let kinds: Vec<&str> = v["verified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "signature",
            "https://slsa.dev/provenance/v1",
            "https://cyclonedx.org/bom"
        ]
    );
}

#[test]
fn missing_sbom() {
    let ws = workspace();
    std::fs::remove_file(ws.path().join("dist/sbom.cdx.json")).unwrap();
    assert_eq!(denied(ws.path()), pairs(&[("sbom", "missing-sbom")]));
}

#[test]
fn tampered_artifact() {
    let ws = workspace();
    let p = ws.path().join("dist/api.phar");
    let mut bytes = std::fs::read(&p).unwrap();
    bytes.extend_from_slice(b"<?php system($_GET['c']);\n");
    std::fs::write(&p, bytes).unwrap();
    // The signature no longer covers the file, and no attestation is about it.
    assert_eq!(
        denied(ws.path()),
        pairs(&[
            ("signature", "digest-mismatch"),
            ("provenance", "subject-mismatch"),
            ("sbom", "subject-mismatch"),
        ])
    );
}

#[test]
fn signature_by_an_untrusted_key() {
    let ws = workspace();
    let d = ws.path();
    vouch_ci(d, "main", true)
        .args(["sign", "dist/api.phar", "--key", "intruder.key"])
        .args(["-o", "dist/signature.bundle"])
        .assert()
        .success();
    assert_eq!(denied(d), pairs(&[("signature", "untrusted-signer")]));
}

#[test]
fn provenance_from_an_unprotected_ref() {
    let ws = workspace();
    let d = ws.path();
    vouch_ci(d, "feature/fast-path", false)
        .args(["attest", "provenance", "--subject", "dist/api.phar"])
        .args(["--key", "release.key", "-o", "dist/provenance.intoto.jsonl"])
        .assert()
        .success();
    assert_eq!(denied(d), pairs(&[("provenance", "unprotected-ref")]));
    let out = gate(d).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("error[unprotected-ref] provenance: provenance.intoto.jsonl:1: the CI server marked ref `feature/fast-path` as not protected; ref `feature/fast-path` is not a protected ref (main, v*)"),
        "{stderr}"
    );
    assert!(out.get_output().stdout.is_empty());
}

#[test]
fn provenance_for_another_digest() {
    let ws = workspace();
    let d = ws.path();
    vouch_ci(d, "main", true)
        .args(["attest", "provenance", "--subject", "other.bin"])
        .args(["--key", "release.key", "-o", "dist/provenance.intoto.jsonl"])
        .assert()
        .success();
    assert_eq!(denied(d), pairs(&[("provenance", "subject-mismatch")]));
}

#[test]
fn sbom_attestation_for_another_digest() {
    let ws = workspace();
    let d = ws.path();
    vouch_ci(d, "main", true)
        .args(["attest", "sbom", "--subject", "other.bin"])
        .args(["--sbom", "dist/sbom.cdx.json", "--key", "release.key"])
        .args(["-o", "dist/sbom.intoto.jsonl"])
        .assert()
        .success();
    assert_eq!(denied(d), pairs(&[("sbom", "subject-mismatch")]));
}

#[test]
fn vulnerability_above_the_threshold() {
    let ws = workspace();
    let d = ws.path();
    std::fs::write(
        d.join("gate.toml"),
        POLICY.replace("ignore = \"ignore.toml\"\n", ""),
    )
    .unwrap();
    assert_eq!(
        denied(d),
        pairs(&[("vulnerabilities", "vulnerability-above-threshold")])
    );
    let out = gate(d).args(["--format", "json"]).assert().code(1);
    let v = common::json(&out.get_output().stdout);
    let msg = v["reasons"][0]["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "GHSA-9f46-5r25-5wfm (critical) in league/flysystem 1.0.8, at or above `high`"
        ),
        "{msg}"
    );
}

#[test]
fn expired_ignore_entry() {
    let ws = workspace();
    let d = ws.path();
    std::fs::write(d.join("ignore.toml"), ignore_file("2023-06-30")).unwrap();
    assert_eq!(denied(d), pairs(&[("vulnerabilities", "ignore-expired")]));
}

#[test]
fn several_faults_report_every_reason() {
    let ws = workspace();
    let d = ws.path();
    std::fs::remove_file(d.join("dist/sbom.cdx.json")).unwrap();
    std::fs::write(d.join("ignore.toml"), ignore_file("2023-06-30")).unwrap();
    vouch_ci(d, "main", true)
        .args(["sign", "dist/api.phar", "--key", "intruder.key"])
        .args(["-o", "dist/signature.bundle"])
        .assert()
        .success();
    vouch_ci(d, "feature/fast-path", false)
        .args(["attest", "provenance", "--subject", "dist/api.phar"])
        .args(["--key", "release.key", "-o", "dist/provenance.intoto.jsonl"])
        .assert()
        .success();
    assert_eq!(
        denied(d),
        pairs(&[
            ("signature", "untrusted-signer"),
            ("provenance", "unprotected-ref"),
            ("sbom", "missing-sbom"),
            ("vulnerabilities", "ignore-expired"),
        ])
    );
}

#[test]
fn could_not_evaluate_is_exit_2() {
    let ws = workspace();
    let d = ws.path();
    // A policy that does not parse.
    std::fs::write(d.join("gate.toml"), "[trust]\nkeys = [\"release.pub\"\n").unwrap();
    let out = gate(d).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("error: policy gate.toml is not valid TOML at line 2"),
        "{stderr}"
    );
    // A policy that trusts nobody.
    std::fs::write(d.join("gate.toml"), "[trust]\nkeys = []\n").unwrap();
    let out = gate(d).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("`trust` names no key and no identity"),
        "{stderr}"
    );
    // Vulnerabilities required but no database, and offline, so none is fetched on first use
    // (tests/db_first_use.rs).
    std::fs::write(d.join("gate.toml"), POLICY).unwrap();
    let out = vouch_ci(d, "main", true)
        .args(["gate", "dist/api.phar", "--policy", "gate.toml"])
        .args(["--db", "missing.sqlite", "--offline"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("error: the policy has [vulnerabilities], but they were not checked: no advisory database at missing.sqlite, and --offline (VOUCH_OFFLINE) forbids fetching one"),
        "{stderr}"
    );
    assert!(out.get_output().stdout.is_empty());
}

#[test]
fn rego_rules_see_the_verified_evidence() {
    let ws = workspace();
    let d = ws.path();
    std::fs::create_dir_all(d.join("policy")).unwrap();
    std::fs::write(
        d.join("policy/release.rego"),
        r#"package release
import rego.v1

deny contains msg if {
    some p in input.provenance
    not startswith(p.runDetails.metadata.invocationId, "https://gitlab.example.com/acme/api/-/pipelines/")
    msg := "provenance does not come from an acme/api pipeline"
}

deny contains {"id": "no-flysystem", "msg": msg} if {
    some c in input.sbom.document.components
    c.name == "league/flysystem"
    msg := sprintf("%s %s is banned", [c.name, c.version])
}
"#,
    )
    .unwrap();
    std::fs::write(
        d.join("gate.toml"),
        format!("rego = [\"policy/*.rego\"]\n{POLICY}"),
    )
    .unwrap();
    let out = gate(d).args(["--format", "json"]).assert().code(1);
    let v = common::json(&out.get_output().stdout);
    assert_eq!(v["reasons"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["reasons"][0]["code"], "policy-denied");
    assert_eq!(v["reasons"][0]["rule"], "no-flysystem");
    assert_eq!(
        v["reasons"][0]["message"],
        "league/flysystem 1.0.8 is banned"
    );
}

#[test]
fn ci_templates_pass_vouch_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = vouch(&root)
        .args(["check", "ci/gitlab/vouch.gitlab-ci.yml", "action.yml"])
        .args(["--fail-on", "info", "--format", "json"])
        .assert();
    let output = out.get_output().clone();
    let v = common::json(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{v:#}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = v.to_string();
    assert!(!text.contains("\"rule_id\""), "{v:#}");
}

/// The templates pin what they use: `vouch pin --check --offline` finds nothing unpinned in
/// them, and finds the upload action once its commit is swapped for a tag (so the check sees
/// the references at all). Version comments need the network (github.com) and are not
/// compared here.
#[test]
fn ci_templates_pass_vouch_pin_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let action = std::fs::read_to_string(root.join("action.yml")).unwrap();
    let gitlab = std::fs::read_to_string(root.join("ci/gitlab/vouch.gitlab-ci.yml")).unwrap();
    let d = common::dir_with(&[
        ("action.yml", &action),
        ("ci/gitlab/vouch.gitlab-ci.yml", &gitlab),
    ]);
    let out = vouch(d.path())
        .args(["pin", "--check", "--offline", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, "");

    let pinned = regex_lite_uses(&action);
    assert!(!pinned.is_empty(), "action.yml uses no action?");
    common::write(
        d.path(),
        "action.yml",
        &action.replacen(&pinned[0], "actions/upload-artifact@v7", 1),
    );
    let out = vouch(d.path())
        .args(["pin", "--check", "--offline", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("action.yml:") && stdout.contains("[unpinned-reference]"),
        "{stdout}"
    );
}

/// The `owner/repo@<40-hex>` references of `uses:` lines.
fn regex_lite_uses(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().trim_start_matches("- ").strip_prefix("uses:"))
        .map(|v| v.split('#').next().unwrap_or("").trim().to_owned())
        .filter(|v| v.rsplit_once('@').is_some_and(|(_, c)| c.len() == 40))
        .collect()
}

#[test]
fn every_gate_reason_code_has_a_rules_page() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // Every source file of the gate, so a new module's codes are held to it too.
    let mut files: Vec<_> = std::fs::read_dir(root.join("crates/vouch-gate/src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    // Codes the gate writes itself, as string literals passed to Reason::new or failure().
    let mut re: Vec<String> = files
        .iter()
        .flat_map(|p| regex_lite_codes(&std::fs::read_to_string(p).unwrap()))
        // serde's `rename_all`, not a code
        .filter(|c| c != "kebab-case")
        .collect();
    re.sort();
    re.dedup();
    assert!(re.len() >= 15, "{re:?}");
    // Codes it reuses from the verifier and the expectation checks.
    let reused = [
        "digest-mismatch",
        "subject-mismatch",
        "artifact-mismatch",
        "invalid-signature",
        "key-mismatch",
        "key-required",
        "certificate-required",
        "missing-log-entry",
        "identity-mismatch",
        "issuer-mismatch",
        "invalid-statement",
        "not-an-attestation",
        "source-mismatch",
        "builder-mismatch",
    ];
    for code in re.iter().map(String::as_str).chain(reused) {
        assert!(
            root.join(format!("docs/rules/{code}.md")).is_file(),
            "docs/rules/{code}.md is missing"
        );
    }
}

/// Kebab-case string literals that look like reason codes (`"missing-sbom"`, …).
fn regex_lite_codes(source: &str) -> Vec<String> {
    let mut out: Vec<String> = source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.contains('-')
                && s.len() > 6
                && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && !s.starts_with('-')
        })
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn check_and_secrets_toggles_deny_on_the_source_tree() {
    let ws = workspace();
    let d = ws.path();
    let src = d.join("checked");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("Dockerfile"), "FROM python:latest\nUSER app\n").unwrap();
    // Built at run time so the repository holds no credential-shaped string.
    std::fs::write(
        src.join("deploy.env"),
        format!("AWS_ACCESS_KEY_ID=AKIA{}\n", "Z7Q3LNV5R2XKD4PW"),
    )
    .unwrap();
    std::fs::write(
        d.join("gate.toml"),
        format!("check = true\nsecrets = true\n{POLICY}"),
    )
    .unwrap();
    let out = gate(d)
        .args(["--source", "checked", "--format", "json"])
        .assert()
        .code(1);
    let v = common::json(&out.get_output().stdout);
    let reasons = v["reasons"].as_array().unwrap();
    let checks: Vec<(&str, &str)> = reasons
        .iter()
        .map(|r| (r["check"].as_str().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert!(checks.contains(&("check", "check-failed")), "{v:#}");
    assert!(checks.contains(&("secrets", "secret-found")), "{v:#}");
    assert!(
        checks.iter().all(|(c, _)| *c == "check" || *c == "secrets"),
        "{v:#}"
    );
    assert!(reasons.iter().any(|r| r["rule"] == "dockerfile-latest-tag"));
    assert!(
        !v.to_string().contains("Z7Q3LNV5R2XKD4PW"),
        "secret in clear: {v:#}"
    );
}
