//! Other tools' SARIF in `vouch gate` (`--sarif`, `[sarif]`, signed SARIF attestations) and in
//! `vouch scan --sarif`, over real SARIF logs written by semgrep 1.182.0, trivy 0.59.1 and
//! gitleaks (tests/fixtures/sarif/SOURCES.md).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;

mod common;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif")
}

/// vouch in `dir`, inside the GitLab job, on 2023-11-14.
fn vouch(dir: &Path) -> Command {
    let mut c = common::vouch();
    c.current_dir(dir)
        .env("VOUCH_PASSWORD", "pipeline-password")
        .env("SOURCE_DATE_EPOCH", "1700000000");
    for (k, v) in common::gitlab_env("main", true) {
        c.env(k, v);
    }
    c
}

/// An artifact with the evidence a bare policy needs to pass (signature, provenance, SBOM and
/// its attestation), the release key, an intruder key and the SARIF fixtures; built once.
fn golden() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        common::copy_dir(&fixtures(), &d.join("sarif"));
        std::fs::create_dir_all(d.join("src")).unwrap();
        std::fs::write(d.join("src/run.py"), "print('api')\n").unwrap();
        for name in ["release", "intruder"] {
            vouch(d)
                .args(["key", "generate", "--output-prefix", name])
                .assert()
                .success();
        }
        std::fs::create_dir_all(d.join("dist")).unwrap();
        std::fs::write(d.join("dist/app.tar.gz"), b"the application").unwrap();
        vouch(d)
            .args(["sbom", "src", "-o", "dist/sbom.cdx.json"])
            .assert()
            .success();
        vouch(d)
            .args(["sign", "dist/app.tar.gz", "--key", "release.key"])
            .args(["-o", "dist/signature.bundle"])
            .assert()
            .success();
        vouch(d)
            .args(["attest", "provenance", "--subject", "dist/app.tar.gz"])
            .args(["--key", "release.key"])
            .args(["-o", "dist/provenance.intoto.jsonl"])
            .assert()
            .success();
        vouch(d)
            .args(["attest", "sbom", "--subject", "dist/app.tar.gz"])
            .args(["--sbom", "dist/sbom.cdx.json", "--key", "release.key"])
            .args(["-o", "dist/sbom.intoto.jsonl"])
            .assert()
            .success();
        dir
    })
    .path()
}

fn workspace(policy_sarif: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(golden(), dir.path());
    std::fs::write(
        dir.path().join("gate.toml"),
        format!("[trust]\nkeys = [\"release.pub\"]\n\n{policy_sarif}"),
    )
    .unwrap();
    dir
}

/// `vouch gate … --format json` with `--sarif` for each of `sarif` (paths under `sarif/`):
/// exit code and the report.
fn gate(d: &Path, sarif: &[&str]) -> (i32, serde_json::Value) {
    let mut c = vouch(d);
    c.args([
        "gate",
        "dist/app.tar.gz",
        "--policy",
        "gate.toml",
        "--format",
        "json",
    ]);
    for s in sarif {
        c.arg("--sarif").arg(format!("sarif/{s}"));
    }
    let out = c.output().unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, common::json(&out.stdout))
}

/// The SARIF reasons: (code, rule, message, evidence).
fn sarif_reasons(v: &serde_json::Value) -> Vec<(String, String, String, String)> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["check"] == "sarif")
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_owned();
            (s("code"), s("rule"), s("message"), s("evidence"))
        })
        .collect()
}

fn other_reasons(v: &serde_json::Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["check"] != "sarif")
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

fn ignored(v: &serde_json::Value) -> Vec<(String, String)> {
    v["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["evidence"].as_str().unwrap().to_owned(),
                i["why"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const SHELL_TRUE: &str = "subprocess called with shell=True runs its argument through the shell";

#[test]
fn the_evidence_alone_passes() {
    let ws = workspace("");
    let (code, v) = gate(ws.path(), &[]);
    assert_eq!(code, 0, "{v}");
}

/// semgrep's error result (level from its rule's defaultConfiguration) denies, naming tool,
/// rule, file and line; the `# nosemgrep` result is listed as ignored, not a reason; the
/// warning and note results are below `fail-on = "error"`.
#[test]
fn semgrep_error_result_denies_naming_tool_rule_file_and_line() {
    let ws = workspace("[sarif]\n");
    let (code, v) = gate(ws.path(), &["semgrep.sarif"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(other_reasons(&v), Vec::<String>::new());
    assert_eq!(
        sarif_reasons(&v),
        [(
            "sarif-finding".to_owned(),
            "semgrep/python-subprocess-shell-true".to_owned(),
            format!(
                "semgrep rule python-subprocess-shell-true at app/run.py:6: {SHELL_TRUE} (level error, at or above `error`; unsigned input)"
            ),
            "sarif/semgrep.sarif".to_owned(),
        )]
    );
    assert_eq!(
        ignored(&v),
        [(
            "sarif/semgrep.sarif: runs[0].results[2]".to_owned(),
            "semgrep/python-subprocess-shell-true at app/run.py:15: suppressed in the SARIF log (inSource)".to_owned()
        )]
    );
}

/// Without `[sarif]` in the policy, `--sarif` uses the defaults (fail-on error).
#[test]
fn sarif_files_without_a_policy_section_use_the_defaults() {
    let ws = workspace("");
    let (code, v) = gate(ws.path(), &["semgrep.sarif"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(sarif_reasons(&v).len(), 1);
}

/// gitleaks' result names a rule the driver does not list and has no level: `warning`
/// (SARIF §3.27.10), which passes under `fail-on = "error"` and denies under `"warning"`.
#[test]
fn a_warning_passes_under_fail_on_error_and_denies_under_warning() {
    let ws = workspace("[sarif]\nfail-on = \"error\"\n");
    let (code, v) = gate(ws.path(), &["gitleaks-simple.sarif"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["unsigned"][0]["evidence"], "sarif/gitleaks-simple.sarif");
    assert_eq!(v["unsigned"][0]["tools"][0], "gitleaks");

    let ws = workspace("[sarif]\nfail-on = \"warning\"\n");
    let (code, v) = gate(ws.path(), &["gitleaks-simple.sarif"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        sarif_reasons(&v)[0].2,
        "gitleaks rule test-rule at auth.py:1: test-rule has detected secret for file auth.py at commit 0000000000000000. (level warning, at or above `warning`; unsigned input)"
    );
}

/// A per-tool `fail-on` overrides the section's; `allow-rules` lists a rule's results as
/// ignored.
#[test]
fn per_tool_fail_on_and_allow_rules() {
    let ws = workspace("[sarif]\n[sarif.tools.semgrep]\nfail-on = \"warning\"\n");
    let (code, v) = gate(ws.path(), &["semgrep.sarif"]);
    assert_eq!(code, 1, "{v}");
    let places: Vec<String> = sarif_reasons(&v).into_iter().map(|r| r.1).collect();
    assert_eq!(
        places,
        [
            "semgrep/python-subprocess-shell-true",
            "semgrep/python-eval-used"
        ]
    );

    let ws = workspace(
        "[sarif]\n[sarif.tools.semgrep]\nallow-rules = [\"python-subprocess-shell-true\"]\n",
    );
    let (code, v) = gate(ws.path(), &["semgrep.sarif"]);
    assert_eq!(code, 0, "{v}");
    assert!(
        ignored(&v).contains(&(
            "sarif/semgrep.sarif: runs[0].results[0]".to_owned(),
            "semgrep/python-subprocess-shell-true at app/run.py:6: on the tool's allow-rules"
                .to_owned()
        )),
        "{v}"
    );
}

/// Results of kind `pass` are not findings: nothing to deny, nothing listed.
#[test]
fn kind_pass_results_are_nothing() {
    let ws = workspace("[sarif]\nfail-on = \"note\"\n");
    let (code, v) = gate(ws.path(), &["semgrep-kind-pass.sarif"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(ignored(&v), Vec::<(String, String)>::new());
}

/// A required tool without SARIF denies: a scan that did not run is never a pass.
#[test]
fn a_required_tool_without_sarif_denies() {
    let ws = workspace("[sarif]\nrequired-tools = [\"semgrep\", \"trivy\"]\n");
    let (code, v) = gate(ws.path(), &["semgrep-kind-pass.sarif"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        sarif_reasons(&v),
        [(
            "sarif-tool-missing".to_owned(),
            String::new(),
            "required tool `trivy` has no SARIF results (no --sarif file and no verified SARIF attestation names it): a scan that did not run is never a pass".to_owned(),
            String::new(),
        )]
    );
    let (code, v) = gate(ws.path(), &["semgrep-kind-pass.sarif", "trivy.sarif"]);
    assert_eq!(code, 1, "{v}");
    let codes: Vec<String> = sarif_reasons(&v).into_iter().map(|r| r.1).collect();
    assert_eq!(codes, ["trivy/DS002", "trivy/DS029", "trivy/github-pat"]);
}

/// An ignore entry (the shared ignore schema: rule, path, reason, expires) lists the result as
/// ignored until it expires; then the result denies again and the reason says so.
#[test]
fn an_ignore_entry_applies_until_it_expires() {
    let policy = "[sarif]\nignore = \"sarif-ignore.toml\"\n";
    let entry = |expires: &str| {
        format!(
            "[[ignore]]\nrule = \"semgrep/python-subprocess-shell-true\"\npath = \"app/*.py\"\nreason = \"cmd is a constant\"\nexpires = {expires}\n"
        )
    };
    let ws = workspace(policy);
    std::fs::write(ws.path().join("sarif-ignore.toml"), entry("2024-06-30")).unwrap();
    let (code, v) = gate(ws.path(), &["semgrep.sarif"]);
    assert_eq!(code, 0, "{v}");
    assert!(
        ignored(&v)
            .iter()
            .any(|(e, why)| e == "sarif/semgrep.sarif: runs[0].results[0]"
                && why.starts_with(
                    "semgrep/python-subprocess-shell-true at app/run.py:6: ignore entry at "
                )
                && why.ends_with("sarif-ignore.toml:1 until 2024-06-30 (cmd is a constant)")),
        "{v}"
    );

    std::fs::write(ws.path().join("sarif-ignore.toml"), entry("2023-11-13")).unwrap();
    let (code, v) = gate(ws.path(), &["semgrep.sarif"]);
    assert_eq!(code, 1, "{v}");
    let r = &sarif_reasons(&v)[0];
    assert!(
        r.2.starts_with(&format!(
            "semgrep rule python-subprocess-shell-true at app/run.py:6: {SHELL_TRUE} (level error, at or above `error`; unsigned input); the ignore entry at "
        )) && r.2.ends_with("sarif-ignore.toml:1 expired on 2023-11-13"),
        "{r:?}"
    );
}

/// `require-signed`: a plain `--sarif` file is refused (and counts for nothing).
#[test]
fn require_signed_refuses_a_plain_file() {
    let ws = workspace("[sarif]\nrequire-signed = true\nrequired-tools = [\"semgrep\"]\n");
    let (code, v) = gate(ws.path(), &["semgrep-kind-pass.sarif"]);
    assert_eq!(code, 1, "{v}");
    let r = sarif_reasons(&v);
    assert_eq!(
        (r[0].0.as_str(), r[0].2.as_str()),
        (
            "sarif-unsigned",
            "sarif/semgrep-kind-pass.sarif is unsigned input (semgrep) and the policy has require-signed = true: only SARIF from a verified attestation counts"
        )
    );
    assert_eq!(
        r[1].2,
        "required tool `semgrep` has no SARIF results (no verified SARIF attestation names it): a scan that did not run is never a pass"
    );
}

fn attest_sarif(d: &Path, sarif: &str, key: &str, out: &str) {
    vouch(d)
        .args(["attest", "sarif", "--subject", "dist/app.tar.gz"])
        .args(["--sarif", &format!("sarif/{sarif}"), "--key", key])
        .args(["-o", out])
        .assert()
        .success();
}

/// A signed SARIF attestation in the evidence folder: verified, its results judged and
/// attributed to the signer; with `require-signed` it satisfies `required-tools`.
#[test]
fn a_signed_sarif_attestation_is_verified_and_judged() {
    let ws = workspace("[sarif]\nrequire-signed = true\nrequired-tools = [\"trivy\"]\n");
    let d = ws.path();
    attest_sarif(d, "trivy.sarif", "release.key", "dist/trivy.intoto.jsonl");
    let (code, v) = gate(d, &[]);
    assert_eq!(code, 1, "{v}");
    let r = sarif_reasons(&v);
    assert_eq!(r.len(), 3, "{v}");
    assert_eq!(r[0].1, "trivy/DS002");
    assert_eq!(r[0].3, "trivy.intoto.jsonl:1");
    assert!(
        r[0].2.starts_with("trivy rule DS002 at Dockerfile:1: Artifact: Dockerfile Type: dockerfile Vulnerability DS002 Severity: HIGH Message: Specify at least 1 USER command"),
        "{}",
        r[0].2
    );
    assert!(
        r[0].2
            .contains("(level error, at or above `error`; signed by ecdsa-p256 key sha256:"),
        "{}",
        r[0].2
    );
    assert!(
        v["verified"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["kind"] == "https://vouch.dev/sarif/v1"),
        "{v}"
    );
    // The masked secret stays masked.
    assert!(!v.to_string().contains("ghp_R8x3"), "{v}");

    // A clean signed log passes and satisfies required-tools.
    let ws = workspace("[sarif]\nrequire-signed = true\nrequired-tools = [\"semgrep\"]\n");
    attest_sarif(
        ws.path(),
        "semgrep-kind-pass.sarif",
        "release.key",
        "dist/semgrep.intoto.jsonl",
    );
    let (code, v) = gate(ws.path(), &[]);
    assert_eq!(code, 0, "{v}");
}

/// A SARIF attestation whose payload was swapped (trivy's findings replaced by a clean log), or
/// one signed by a key the policy does not trust, denies under `sarif`; its results never count.
#[test]
fn a_tampered_or_untrusted_sarif_attestation_denies() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let ws = workspace("[sarif]\nrequired-tools = [\"semgrep\"]\n");
    let d = ws.path();
    attest_sarif(d, "trivy.sarif", "release.key", "dist/scan.intoto.jsonl");
    let line = std::fs::read_to_string(d.join("dist/scan.intoto.jsonl")).unwrap();
    let mut bundle: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let payload = b64
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let mut statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    statement["predicate"] =
        serde_json::from_slice(&std::fs::read(fixtures().join("semgrep-kind-pass.sarif")).unwrap())
            .unwrap();
    bundle["dsseEnvelope"]["payload"] =
        serde_json::Value::String(b64.encode(serde_json::to_vec(&statement).unwrap()));
    std::fs::write(
        d.join("dist/scan.intoto.jsonl"),
        format!("{}\n", serde_json::to_string(&bundle).unwrap()),
    )
    .unwrap();
    let (code, v) = gate(d, &[]);
    assert_eq!(code, 1, "{v}");
    let r = sarif_reasons(&v);
    assert_eq!(r[0].0, "invalid-signature", "{r:?}");
    assert_eq!(r[0].3, "scan.intoto.jsonl:1");
    assert_eq!(r[1].0, "sarif-tool-missing", "{r:?}");

    let ws = workspace("[sarif]\n");
    attest_sarif(
        ws.path(),
        "trivy.sarif",
        "intruder.key",
        "dist/scan.intoto.jsonl",
    );
    let (code, v) = gate(ws.path(), &[]);
    assert_eq!(code, 1, "{v}");
    let r = sarif_reasons(&v);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "untrusted-signer", "{r:?}");
}

/// A SARIF log that cannot be read is exit 2 naming the file, in the gate, in scan and in
/// attest.
#[test]
fn malformed_sarif_is_exit_2_naming_the_file() {
    let ws = workspace("[sarif]\n");
    let d = ws.path();
    let out = vouch(d)
        .args(["gate", "dist/app.tar.gz", "--policy", "gate.toml"])
        .args(["--sarif", "sarif/malformed.sarif"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sarif/malformed.sarif is not JSON: EOF while parsing"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let out = vouch(d)
        .args(["scan", "src", "--skip", "vulnerabilities"])
        .args(["--sarif", "sarif/malformed.sarif"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sarif/malformed.sarif is not JSON"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = vouch(d)
        .args(["attest", "sarif", "--subject", "dist/app.tar.gz"])
        .args(["--sarif", "sarif/malformed.sarif", "--key", "release.key"])
        .output()
        .unwrap();
    common::assert_exit(&out, 2);
    assert!(!d.join("sarif.intoto.jsonl").exists());
}

/// The summary of a pass that used an unsigned SARIF file names it as unsigned input.
#[test]
fn the_summary_names_unsigned_input() {
    use base64::Engine as _;
    let ws = workspace("[sarif]\n");
    let d = ws.path();
    vouch(d)
        .args(["gate", "dist/app.tar.gz", "--policy", "gate.toml"])
        .args([
            "--sarif",
            "sarif/gitleaks-simple.sarif",
            "--key",
            "release.key",
        ])
        .assert()
        .code(0);
    let line = std::fs::read_to_string(d.join("dist/vsa.intoto.jsonl")).unwrap();
    let bundle: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let inputs = &st["predicate"]["policy"]["annotations"]["unsignedInputs"];
    assert_eq!(inputs[0]["uri"], "sarif/gitleaks-simple.sarif", "{st}");
    assert_eq!(inputs[0]["note"], "unsigned input");
}

fn scan(d: &Path, format: &str) -> (i32, String) {
    let out = vouch(d)
        .args([
            "scan",
            "src",
            "--skip",
            "vulnerabilities",
            "--format",
            format,
        ])
        .args([
            "--sarif",
            "sarif/semgrep.sarif",
            "--sarif",
            "sarif/semgrep-kind-pass.sarif",
        ])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `vouch scan --sarif`: one finding per result (kind pass left out), namespaced rule ids,
/// severities from the levels, the suppressed one suppressed; exit 1 (high ≥ medium).
#[test]
fn scan_merges_sarif_in_every_format() {
    let ws = workspace("");
    let d = ws.path();
    let (code, text) = scan(d, "json");
    assert_eq!(code, 1, "{text}");
    let v = common::json(text.as_bytes());
    let found: Vec<(String, String, String, u64, bool)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("semgrep/"))
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
                f.get("suppressed").is_some(),
            )
        })
        .collect();
    let s = |r: &str, sev: &str, line: u64, sup: bool| {
        (
            r.to_owned(),
            sev.to_owned(),
            "app/run.py".to_owned(),
            line,
            sup,
        )
    };
    assert_eq!(
        found,
        [
            s("semgrep/python-subprocess-shell-true", "high", 6, false),
            s("semgrep/python-eval-used", "medium", 10, false),
            s("semgrep/python-subprocess-shell-true", "high", 15, true),
            s("semgrep/python-md5-used", "low", 19, false),
        ]
    );
    let checks: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "sarif")
        .map(|c| c["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        [
            "sarif/semgrep.sarif (Semgrep OSS 1.182.0)",
            "sarif/semgrep-kind-pass.sarif (Semgrep OSS 1.182.0)"
        ]
    );

    let (code, text) = scan(d, "sarif");
    assert_eq!(code, 1);
    let log = common::json(text.as_bytes());
    let results = log["runs"][0]["results"].as_array().unwrap();
    let shell: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "semgrep/python-subprocess-shell-true")
        .collect();
    assert_eq!(shell.len(), 2);
    assert_eq!(shell[0]["level"], "error");
    assert_eq!(
        shell[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    assert!(shell[1]["suppressions"].is_array(), "{}", shell[1]);

    let (code, text) = scan(d, "table");
    assert_eq!(code, 1);
    assert!(text.contains("semgrep/python-eval-used"), "{text}");
    assert!(text.contains("app/run.py:10"), "{text}");

    // The highest unsuppressed result is high: `--fail-on critical` passes.
    let out = vouch(d)
        .args([
            "scan",
            "src",
            "--skip",
            "vulnerabilities",
            "--fail-on",
            "critical",
        ])
        .args(["--sarif", "sarif/semgrep.sarif"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
}

/// The scan's ignore file (`--ignore-file`, rule entries) suppresses a merged result until its
/// entry expires.
#[test]
fn scan_applies_ignore_entries_to_merged_results() {
    let ws = workspace("");
    let d = ws.path();
    let run = |expires: &str| {
        std::fs::write(
            d.join("scan-ignore.toml"),
            format!(
                "[[ignore]]\nrule = \"semgrep/python-subprocess-shell-true\"\npath = \"app/*.py\"\nreason = \"cmd is a constant\"\nexpires = {expires}\n"
            ),
        )
        .unwrap();
        let out = vouch(d)
            .args([
                "scan",
                "src",
                "--skip",
                "vulnerabilities",
                "--format",
                "json",
            ])
            .args(["--fail-on", "high", "--ignore-file", "scan-ignore.toml"])
            .args(["--sarif", "sarif/semgrep.sarif"])
            .output()
            .unwrap();
        (out.status.code().unwrap(), common::json(&out.stdout))
    };
    let (code, v) = run("2024-06-30");
    assert_eq!(code, 0, "{v}");
    let first = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["line"] == 6)
        .unwrap();
    assert_eq!(first["suppressed"]["kind"], "ignore-file", "{first}");
    assert_eq!(
        first["suppressed"]["reason"],
        "scan-ignore.toml:1 until 2024-06-30: cmd is a constant"
    );
    let (code, _) = run("2023-11-13");
    assert_eq!(code, 1);
}

/// Every new gate code has its page in the binary.
#[test]
fn the_sarif_codes_have_pages() {
    for code in ["sarif-finding", "sarif-tool-missing", "sarif-unsigned"] {
        let out = common::vouch().args(["explain", code]).output().unwrap();
        common::assert_exit(&out, 0);
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with(&format!("# {code}: ")),
            "{code}"
        );
    }
}

/// A SARIF attestation in the evidence is judged even when the policy has no `[sarif]` (with
/// the defaults): signed findings are never verified and then left aside.
#[test]
fn a_sarif_attestation_is_judged_without_a_sarif_section() {
    let ws = workspace("");
    attest_sarif(
        ws.path(),
        "trivy.sarif",
        "release.key",
        "dist/trivy.intoto.jsonl",
    );
    let (code, v) = gate(ws.path(), &[]);
    assert_eq!(code, 1, "{v}");
    let rules: Vec<String> = sarif_reasons(&v).into_iter().map(|r| r.1).collect();
    assert_eq!(rules, ["trivy/DS002", "trivy/DS029", "trivy/github-pat"]);
}

/// codeql-action's own test logs: a result whose `ruleIndex` points past an empty rule list
/// (its `ruleId` names the rule) and one located only by artifact index are read; runs without
/// results still show that the tool ran (`required-tools`), and a run without a driver name is
/// tool `unnamed`.
#[test]
fn codeql_action_test_logs_are_read() {
    let ws = workspace("");
    let out = vouch(ws.path())
        .args([
            "scan",
            "src",
            "--skip",
            "vulnerabilities",
            "--format",
            "json",
        ])
        .args(["--sarif", "sarif/codeql-fingerprinting.input.sarif"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let v = common::json(&out.stdout);
    let found: Vec<(String, String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("codeql/"))
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let f = |path: &str, line: u64| {
        (
            "codeql/js/unused-local-variable".to_owned(),
            "medium".to_owned(),
            path.to_owned(),
            line,
        )
    };
    assert_eq!(found, [f("testFile1.js", 1), f("testFile2.js", 2)]);

    let ws = workspace("[sarif]\nrequired-tools = [\"eslint\", \"codeql\", \"unnamed\"]\n");
    let (code, v) = gate(ws.path(), &["codeql-action-tool-names.sarif"]);
    assert_eq!(code, 0, "{v}");
    let ws = workspace("[sarif]\nrequired-tools = [\"semgrep\"]\n");
    let (code, v) = gate(ws.path(), &["codeql-action-tool-names.sarif"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(sarif_reasons(&v)[0].0, "sarif-tool-missing");
}
