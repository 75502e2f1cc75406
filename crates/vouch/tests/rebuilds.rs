//! `vouch attest rebuild` and the gate's `[rebuilds]` k-of-n rule end to end (docs/rebuilds.md):
//! three rebuilder keys made by `vouch key generate`, a real artifact (in-toto's demo
//! `foo.tar.gz`, tests/fixtures/rebuilds/SOURCES.md) in an evidence folder, and an image in
//! Debian's docker-registry on 127.0.0.1. 2 of 3 agree → pass; 1 → deny naming the missing; one
//! key twice → counts once; another digest → `rebuild-digest-mismatch`; expired, not yet valid
//! and untrusted statements ignored and named; the policy errors.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use base64::Engine as _;
use common::assert_exit;

/// sha256 of tests/fixtures/rebuilds/foo.tar.gz: the product in-toto's signed demo `package`
/// link records for it.
const FOO_SHA256: &str = "52947cb78b91ad01fe81cd6aef42d1f6817e92b9e6936c1e5aabb7c98514f355";
const COMMIT: &str = "4f1c2a9e0b7d3c6f8e5a1b2c3d4e5f6a7b8c9d0e";
/// The tests' clock: 2023-11-14T22:13:20Z.
const NOW: i64 = 1_700_000_000;
const DAY: i64 = 86_400;

const POLICY: &str = r#"[trust]
keys = ["release.pub"]

[rebuilds]
threshold = 2
keys = ["rebuilder-a.pub", "rebuilder-b.pub", "rebuilder-c.pub"]
"#;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rebuilds/foo.tar.gz")
}

fn gitlab(c: &mut Command) {
    for (k, v) in [
        ("GITLAB_CI", "true"),
        ("CI_SERVER_URL", "https://gitlab.example.com"),
        ("CI_PROJECT_URL", "https://gitlab.example.com/acme/foo"),
        ("CI_COMMIT_SHA", COMMIT),
        ("CI_COMMIT_REF_NAME", "main"),
        ("CI_COMMIT_REF_PROTECTED", "true"),
        ("CI_PIPELINE_ID", "4242"),
        ("CI_JOB_ID", "777"),
        ("CI_RUNNER_ID", "12"),
    ] {
        c.env(k, v);
    }
}

struct Work {
    dir: tempfile::TempDir,
    /// `--insecure-registry HOST` for image tests.
    registry: Option<String>,
}

impl Work {
    fn vouch(&self, at: i64) -> Command {
        let mut c = common::vouch();
        c.current_dir(self.dir.path())
            .env("VOUCH_PASSWORD", "rebuilder-password")
            .env("HOME", self.dir.path())
            .env("SOURCE_DATE_EPOCH", at.to_string());
        gitlab(&mut c);
        c
    }

    fn run_at(&self, at: i64, args: &[&str]) -> Output {
        let mut c = self.vouch(at);
        c.args(args);
        if let Some(host) = &self.registry {
            c.args(["--insecure-registry", host]);
        }
        c.output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_at(NOW, args)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `vouch attest rebuild` by `who` (a, b, c, stranger) at `at`, with `extra` arguments.
    fn rebuild(&self, subject: &str, who: &str, at: i64, extra: &[&str]) -> Output {
        let key = format!("{who}.key");
        let mut args = vec![
            "attest",
            "rebuild",
            "--subject",
            subject,
            "--key",
            key.as_str(),
            "--source-commit",
            COMMIT,
        ];
        args.extend_from_slice(extra);
        self.run_at(at, &args)
    }
}

/// Keys (release, rebuilder-a/b/c, stranger) and a policy; for files, `dist/foo.tar.gz` with a
/// signature, provenance and an SBOM attestation by the release key, so that only the rebuild
/// rule decides.
fn work(registry: Option<String>) -> Work {
    let w = Work {
        dir: tempfile::tempdir().unwrap(),
        registry: None,
    };
    for name in [
        "release",
        "rebuilder-a",
        "rebuilder-b",
        "rebuilder-c",
        "stranger",
    ] {
        assert_exit(&w.run(&["key", "generate", "--output-prefix", name]), 0);
    }
    std::fs::write(w.path().join("gate.toml"), POLICY).unwrap();
    if registry.is_none() {
        std::fs::create_dir_all(w.path().join("dist")).unwrap();
        std::fs::create_dir_all(w.path().join("src")).unwrap();
        std::fs::copy(fixture(), w.path().join("dist/foo.tar.gz")).unwrap();
        for args in [
            &["sbom", "src", "-o", "dist/sbom.cdx.json"][..],
            &[
                "sign",
                "dist/foo.tar.gz",
                "--key",
                "release.key",
                "-o",
                "dist/signature.bundle",
            ],
            &[
                "attest",
                "provenance",
                "--subject",
                "dist/foo.tar.gz",
                "--key",
                "release.key",
                "-o",
                "dist/provenance.intoto.jsonl",
            ],
            &[
                "attest",
                "sbom",
                "--subject",
                "dist/foo.tar.gz",
                "--sbom",
                "dist/sbom.cdx.json",
                "--key",
                "release.key",
                "-o",
                "dist/sbom.intoto.jsonl",
            ],
        ] {
            assert_exit(&w.run(args), 0);
        }
    }
    Work {
        dir: w.dir,
        registry,
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// Pairs of strings: (code, message) or (evidence, why).
type Pairs = Vec<(String, String)>;

/// (code, message) of every reason, and (evidence, why) of every ignored rebuild statement.
fn verdict(v: &serde_json::Value) -> (Pairs, Pairs) {
    let reasons = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                r["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let ignored = v["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["why"].as_str().unwrap().starts_with("rebuild ("))
        .map(|i| {
            (
                i["evidence"].as_str().unwrap().to_owned(),
                i["why"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (reasons, ignored)
}

fn gate_file(w: &Work) -> Output {
    w.run(&[
        "gate",
        "dist/foo.tar.gz",
        "--policy",
        "gate.toml",
        "--format",
        "json",
    ])
}

fn pairs(list: &[(&str, String)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), b.clone()))
        .collect()
}

fn reason(code: &str, message: String) -> Vec<(String, String)> {
    pairs(&[(code, message)])
}

#[test]
fn the_statement_names_the_rebuilder_the_source_the_digest_and_the_window() {
    let w = work(None);
    let out = w.rebuild(
        "dist/foo.tar.gz",
        "rebuilder-a",
        NOW,
        &[
            "--source-digest",
            &format!("foo-1.0.tar.gz=sha256:{FOO_SHA256}"),
            "--rebuilder-id",
            "https://rebuild.example/a",
            "--valid-for",
            "7d",
            "-o",
            "dist/rebuild-a.intoto.jsonl",
        ],
    );
    assert_exit(&out, 0);
    assert_eq!(
        stderr(&out),
        format!(
            "wrote rebuild attestation (https://vouch.dev/rebuild/v1) for sha256:{FOO_SHA256} by https://rebuild.example/a, valid until 2023-11-21T22:13:20Z, to dist/rebuild-a.intoto.jsonl\n"
        )
    );
    let line = std::fs::read(w.path().join("dist/rebuild-a.intoto.jsonl")).unwrap();
    let bundle: serde_json::Value = serde_json::from_slice(&line).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(st["predicateType"], "https://vouch.dev/rebuild/v1");
    assert_eq!(st["subject"][0]["name"], "foo.tar.gz");
    assert_eq!(st["subject"][0]["digest"]["sha256"], FOO_SHA256);
    assert_eq!(
        st["predicate"],
        serde_json::json!({
            "rebuilder": {"id": "https://rebuild.example/a"},
            "source": [
                {"digest": {"gitCommit": COMMIT}},
                {"digest": {"sha256": FOO_SHA256}, "name": "foo-1.0.tar.gz"}
            ],
            "rebuilt": {"digest": {"sha256": FOO_SHA256}},
            "timeRebuilt": "2023-11-14T22:13:20Z",
            "validFrom": "2023-11-14T22:13:20Z",
            "validUntil": "2023-11-21T22:13:20Z"
        })
    );
}

#[test]
fn attest_rebuild_refuses_bad_arguments() {
    let w = work(None);
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "attest",
                "rebuild",
                "--subject",
                "dist/foo.tar.gz",
                "--key",
                "rebuilder-a.key",
            ],
            "error: name the source the rebuild started from: at least one --source-commit or --source-digest\n",
        ),
        (
            &[
                "attest",
                "rebuild",
                "--subject",
                "dist/foo.tar.gz",
                "--key",
                "rebuilder-a.key",
                "--source-commit",
                "main",
            ],
            "error: --source-commit `main` is not a full commit id (40 or 64 hex digits)\n",
        ),
        (
            &[
                "attest",
                "rebuild",
                "--subject",
                "dist/foo.tar.gz",
                "--key",
                "rebuilder-a.key",
                "--source-commit",
                COMMIT,
                "--valid-for",
                "0s",
            ],
            "error: --valid-for `0s` must be longer than 0 and at most 366 days\n",
        ),
        (
            &[
                "attest",
                "rebuild",
                "--subject",
                "dist/foo.tar.gz",
                "--key",
                "rebuilder-a.key",
                "--source-commit",
                COMMIT,
                "--valid-for",
                "400d",
            ],
            "error: --valid-for `400d` must be longer than 0 and at most 366 days\n",
        ),
        (
            &[
                "attest",
                "rebuild",
                "--subject",
                "dist/foo.tar.gz",
                "--key",
                "rebuilder-a.key",
                "--source-digest",
                "foo.tar.gz",
            ],
            "error: --source-digest `foo.tar.gz` is not NAME=sha256:HEX\n",
        ),
    ];
    for (args, want) in cases {
        let out = w.run(args);
        assert_exit(&out, 2);
        assert_eq!(stderr(&out), want, "{args:?}");
    }
    assert!(!w.path().join("rebuild.intoto.jsonl").exists());
}

#[test]
fn two_of_three_pass_and_one_denies_naming_the_missing_rebuilders() {
    let w = work(None);
    let subject = "dist/foo.tar.gz";
    assert_exit(
        &w.rebuild(
            subject,
            "rebuilder-a",
            NOW,
            &["-o", "dist/rebuild-a.intoto.jsonl"],
        ),
        0,
    );
    let out = gate_file(&w);
    assert_exit(&out, 1);
    let (reasons, ignored) = verdict(&json(&out));
    assert_eq!(
        reasons,
        reason(
            "rebuild-threshold-not-met",
            format!(
                "1 of the 2 required rebuilds of sha256:{FOO_SHA256}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub"
            )
        )
    );
    assert!(ignored.is_empty());

    assert_exit(
        &w.rebuild(
            subject,
            "rebuilder-b",
            NOW,
            &["-o", "dist/rebuild-b.intoto.jsonl"],
        ),
        0,
    );
    let out = w.run(&["gate", "dist/foo.tar.gz", "--policy", "gate.toml"]);
    assert_exit(&out, 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("sha256:{FOO_SHA256}\n")
    );
    let v = json(&gate_file(&w));
    let used: Vec<&str> = v["verified"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["kind"] == "https://vouch.dev/rebuild/v1")
        .map(|u| u["evidence"].as_str().unwrap())
        .collect();
    assert_eq!(
        used,
        ["rebuild-a.intoto.jsonl:1", "rebuild-b.intoto.jsonl:1"]
    );
}

#[test]
fn one_key_signing_twice_counts_once() {
    let w = work(None);
    for (at, out) in [
        (NOW, "rebuild-a.intoto.jsonl"),
        (NOW - 60, "rebuild-a2.intoto.jsonl"),
    ] {
        let o = format!("dist/{out}");
        assert_exit(
            &w.rebuild("dist/foo.tar.gz", "rebuilder-a", at, &["-o", &o]),
            0,
        );
    }
    let out = gate_file(&w);
    assert_exit(&out, 1);
    assert_eq!(
        verdict(&json(&out)).0,
        reason(
            "rebuild-threshold-not-met",
            format!(
                "1 of the 2 required rebuilds of sha256:{FOO_SHA256}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub"
            )
        )
    );
}

#[test]
fn a_rebuilder_that_got_another_digest_is_a_red_alert_even_past_the_threshold() {
    let w = work(None);
    std::fs::write(w.path().join("rebuilt-by-c.tar.gz"), b"not the same bytes").unwrap();
    for who in ["rebuilder-a", "rebuilder-b"] {
        let o = format!("dist/rebuild-{who}.intoto.jsonl");
        assert_exit(&w.rebuild("dist/foo.tar.gz", who, NOW, &["-o", &o]), 0);
    }
    let out = w.rebuild(
        "dist/foo.tar.gz",
        "rebuilder-c",
        NOW,
        &[
            "--rebuilt",
            "rebuilt-by-c.tar.gz",
            "-o",
            "dist/rebuild-c.intoto.jsonl",
        ],
    );
    // The statement is written, and the mismatch is a finding.
    assert_exit(&out, 1);
    let got = vouch_digest_of(b"not the same bytes");
    let lines: Vec<String> = stderr(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0]
            .starts_with("wrote rebuild attestation (https://vouch.dev/rebuild/v1) for sha256:"),
        "{lines:?}"
    );
    assert_eq!(
        lines[1],
        format!(
            "error[rebuild-digest-mismatch]: the rebuild produced {got}, not sha256:{FOO_SHA256}: the statement records the mismatch"
        )
    );
    let out = gate_file(&w);
    assert_exit(&out, 1);
    let v = json(&out);
    assert_eq!(
        verdict(&v).0,
        reason(
            "rebuild-digest-mismatch",
            format!(
                "rebuilder rebuilder-c.pub rebuilt foo.tar.gz and got {got}, not sha256:{FOO_SHA256}: the artifact is not what its source builds (or that rebuild differs); this denies even when the threshold is met"
            )
        )
    );
    assert_eq!(v["reasons"][0]["check"], "rebuilds");
    assert_eq!(v["reasons"][0]["evidence"], "rebuild-c.intoto.jsonl:1");
    // The text output leads with the code.
    let out = w.run(&["gate", "dist/foo.tar.gz", "--policy", "gate.toml"]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("rebuild-digest-mismatch"),
        "{}",
        stderr(&out)
    );
}

/// `sha256:<hex>` of `bytes`, computed here independently of vouch.
fn vouch_digest_of(bytes: &[u8]) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let hex: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[test]
fn expired_not_yet_valid_and_untrusted_statements_are_ignored_and_named() {
    let w = work(None);
    let s = "dist/foo.tar.gz";
    assert_exit(
        &w.rebuild(
            s,
            "rebuilder-a",
            NOW,
            &["-o", "dist/rebuild-a.intoto.jsonl"],
        ),
        0,
    );
    // b's claim ran out a day ago; c's starts tomorrow; the stranger is nobody the policy names.
    assert_exit(
        &w.rebuild(
            s,
            "rebuilder-b",
            NOW - 3 * DAY,
            &["--valid-for", "2d", "-o", "dist/rebuild-b.intoto.jsonl"],
        ),
        0,
    );
    assert_exit(
        &w.rebuild(
            s,
            "rebuilder-c",
            NOW + DAY,
            &["-o", "dist/rebuild-c.intoto.jsonl"],
        ),
        0,
    );
    assert_exit(
        &w.rebuild(s, "stranger", NOW, &["-o", "dist/rebuild-x.intoto.jsonl"]),
        0,
    );
    let out = gate_file(&w);
    assert_exit(&out, 1);
    let (reasons, ignored) = verdict(&json(&out));
    assert_eq!(
        reasons,
        reason(
            "rebuild-threshold-not-met",
            format!(
                "1 of the 2 required rebuilds of sha256:{FOO_SHA256}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub; ignored: rebuild-b.intoto.jsonl:1 (rebuild-expired), rebuild-c.intoto.jsonl:1 (rebuild-not-yet-valid), rebuild-x.intoto.jsonl:1 (rebuild-untrusted-signer)"
            )
        )
    );
    assert_eq!(
        ignored,
        pairs(&[
            ("rebuild-b.intoto.jsonl:1", "rebuild (rebuild-expired): signed by rebuilder-b.pub, expired at 2023-11-13T22:13:20Z (now 2023-11-14T22:13:20Z)".into()),
            ("rebuild-c.intoto.jsonl:1", "rebuild (rebuild-not-yet-valid): signed by rebuilder-c.pub, valid from 2023-11-15T22:13:20Z (now 2023-11-14T22:13:20Z)".into()),
            ("rebuild-x.intoto.jsonl:1", "rebuild (rebuild-untrusted-signer): not signed by a rebuilder the policy trusts (rebuilder-a.pub, rebuilder-b.pub, rebuilder-c.pub)".into()),
        ])
    );
    // The same statements, gated a day later than c's start and before a's end: a and c agree.
    let out = w.run_at(
        NOW + 2 * DAY,
        &["gate", "dist/foo.tar.gz", "--policy", "gate.toml"],
    );
    assert_exit(&out, 0);
}

#[test]
fn policy_errors_are_exit_2_with_exact_messages() {
    let w = work(None);
    let cases = [
        (
            "[rebuilds]\nthreshold = 0\nkeys = [\"rebuilder-a.pub\"]\n",
            "error: policy gate.toml: `rebuilds.threshold` is 0; it must be at least 1 (a threshold of 0 would pass with no rebuild)\n",
        ),
        (
            "[rebuilds]\nthreshold = 4\nkeys = [\"rebuilder-a.pub\", \"rebuilder-b.pub\", \"rebuilder-c.pub\"]\n",
            "error: policy gate.toml: `rebuilds.threshold` is 4, but only 3 rebuilder(s) are trusted (keys and identities): the rule could never pass\n",
        ),
    ];
    for (rebuilds, want) in cases {
        std::fs::write(
            w.path().join("gate.toml"),
            format!("[trust]\nkeys = [\"release.pub\"]\n\n{rebuilds}"),
        )
        .unwrap();
        let out = gate_file(&w);
        assert_exit(&out, 2);
        assert_eq!(stderr(&out), want);
    }
    std::fs::write(
        w.path().join("gate.toml"),
        "[trust]\nkeys = [\"release.pub\"]\n\n[rebuilds]\nthreshold = 1\nkeys = [\"rebuilder-d.pub\"]\n",
    )
    .unwrap();
    let out = gate_file(&w);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).starts_with("error: could not read rebuilder key ./rebuilder-d.pub\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_image_in_a_registry_is_gated_by_the_same_rule() {
    let registry = vouch_test::registry::Registry::start();
    let digest = registry.push_image("team/foo", "1.0", "2026-09-01T00:00:00Z");
    let w = work(Some(registry.host()));
    let img = format!("registry:{}/team/foo:1.0", registry.host());
    for args in [
        &[
            "sbom",
            img.as_str(),
            "--attest",
            "--key",
            "release.key",
            "-o",
            "sbom.cdx.json",
        ][..],
        &["sign", &img, "--key", "release.key"],
        &[
            "attest",
            "provenance",
            "--subject",
            &img,
            "--key",
            "release.key",
        ],
    ] {
        assert_exit(&w.run(args), 0);
    }
    let gate = || w.run(&["gate", &img, "--policy", "gate.toml", "--format", "json"]);

    let out = w.rebuild(&img, "rebuilder-a", NOW, &[]);
    assert_exit(&out, 0);
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{digest}\n"));
    let out = gate();
    assert_exit(&out, 1);
    assert_eq!(
        verdict(&json(&out)).0,
        reason(
            "rebuild-threshold-not-met",
            format!(
                "1 of the 2 required rebuilds of {digest}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub"
            )
        )
    );

    assert_exit(&w.rebuild(&img, "rebuilder-b", NOW, &[]), 0);
    let out = w.run(&["gate", &img, "--policy", "gate.toml"]);
    assert_exit(&out, 0);
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{digest}\n"));

    // For an image, --rebuilt is a manifest digest, never a file.
    let out = w.rebuild(&img, "rebuilder-c", NOW, &["--rebuilt", "gate.toml"]);
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        "error: --rebuilt `gate.toml`: for an image, give the manifest digest the rebuild produced (sha256:HEX), not a file\n"
    );

    // Rebuilder c rebuilt the image and got another manifest digest: attached to the image,
    // the statement reaches the rule and denies.
    let other = vouch_digest_of(b"c's manifest");
    let out = w.rebuild(&img, "rebuilder-c", NOW, &["--rebuilt", &other]);
    assert_exit(&out, 1);
    let out = gate();
    assert_exit(&out, 1);
    assert_eq!(
        verdict(&json(&out)).0,
        reason(
            "rebuild-digest-mismatch",
            format!(
                "rebuilder rebuilder-c.pub rebuilt {}/team/foo@{digest} and got {other}, not {digest}: the artifact is not what its source builds (or that rebuild differs); this denies even when the threshold is met",
                registry.host()
            )
        )
    );
}

#[test]
fn every_rebuild_code_has_a_page_and_explain_prints_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let source = std::fs::read_to_string(root.join("crates/vouch-gate/src/rebuild.rs")).unwrap();
    let mut codes: Vec<&str> = source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.contains('-') && s.len() > 6 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "rebuild-digest-mismatch",
            "rebuild-expired",
            "rebuild-invalid",
            "rebuild-not-yet-valid",
            "rebuild-other-artifact",
            "rebuild-threshold-not-met",
            "rebuild-untrusted-signer",
            "untrusted-signer",
        ]
    );
    for code in codes {
        assert!(
            root.join(format!("docs/rules/{code}.md")).is_file(),
            "docs/rules/{code}.md is missing"
        );
        let out = common::vouch().args(["explain", code]).output().unwrap();
        assert_exit(&out, 0);
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with(&format!("# {code}: ")),
            "{code}"
        );
    }
}
