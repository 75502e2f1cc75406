//! The image rules (`rules/image/*.rego`) over `ImageInput` fixtures: every rule fires with the
//! exact severity, location and message of `expected.txt` on its failing fixture and not on its
//! passing one; Env values never reach any output; `.vouch/ignore.toml`, `.vouch/policy` data and
//! modules apply as they do for `vouch check` on a folder; real configs from other projects.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vouch_policy::input::image::{
    ImageConfig, ImageFile, ImageFileKind, ImageInput, ImageInputError, MAX_HISTORY,
};
use vouch_policy::{CheckError, CheckOutcome, Date, ImageOptions, builtin_rules, check_image};
use vouch_report::{Report, Severity};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/image")
}

fn today() -> Date {
    "2026-12-07".parse().unwrap()
}

fn load(path: &Path) -> ImageInput {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Options rooted in an empty temporary folder (no `.vouch/`), with the fixtures' allow-list.
fn options(root: &Path) -> ImageOptions {
    let mut o = ImageOptions::new(root, today());
    o.allowed_base_registries = vec!["ghcr.io/acme".into(), "registry.example.org".into()];
    o
}

/// `<severity> <location>: <message>` of every finding of `rule`, sorted.
fn lines(out: &CheckOutcome, rule: &str) -> Vec<String> {
    let mut v: Vec<String> = out
        .findings
        .iter()
        .filter(|f| f.rule_id == rule)
        .map(|f| {
            format!(
                "{} {}: {}",
                f.severity.as_str(),
                f.location.as_ref().map(|l| l.path.as_str()).unwrap_or("-"),
                f.message
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_image_rule_fires_on_its_failing_fixture_and_not_on_its_passing_one() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = options(tmp.path());
    let rules: Vec<_> = builtin_rules()
        .into_iter()
        .filter(|r| r.group == "image")
        .collect();
    assert_eq!(rules.len(), 9, "{rules:?}");
    let mut problems = Vec::new();
    for rule in rules {
        let dir = fixtures().join(&rule.id);
        let expected_path = dir.join("expected.txt");
        let fail = check_image(&load(&dir.join("fail.json")), &opts).unwrap();
        if std::env::var_os("VOUCH_BLESS").is_some() {
            // Review the diff of expected.txt after blessing: it is the rule's contract.
            let got = lines(&fail, &rule.id);
            std::fs::write(&expected_path, got.join("\n") + "\n").unwrap();
        }
        let expected: Vec<String> = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()))
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let got = lines(&fail, &rule.id);
        if got != expected {
            problems.push(format!(
                "{}: fail fixture\n  expected: {expected:#?}\n  got: {got:#?}",
                rule.id
            ));
        }
        let pass = check_image(&load(&dir.join("pass.json")), &opts).unwrap();
        let fired = lines(&pass, &rule.id);
        if !fired.is_empty() {
            problems.push(format!("{}: pass fixture fired: {fired:#?}", rule.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The secret values of the Env fixture, none of which may appear in any output.
const SECRET_VALUES: &[&str] = &[
    "hunter2-Zq9",
    // Split so that vouch's own secret scan of this repository does not flag the test.
    concat!("sk_", "live_51HqLyjWDarjtT1zdp7dcXYZ"),
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE",
    "k3y-Material-77",
];

fn report(out: &CheckOutcome) -> Report {
    let mut r = Report::new("vouch", "test");
    r.findings = out.findings.clone();
    r.rules = out.rules.clone();
    r
}

#[test]
fn env_values_appear_in_no_output_even_when_a_user_policy_quotes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join(".vouch/policy");
    std::fs::create_dir_all(&policy).unwrap();
    // A careless user policy that prints every Env entry whole.
    std::fs::write(
        policy.join("env.rego"),
        "package leaky\n\ndeny contains msg if {\n\tinput.kind == \"image\"\n\tsome e in input.image.config.env\n\tmsg := sprintf(\"env entry %s\", [e])\n}\n",
    )
    .unwrap();
    let image = load(&fixtures().join("image-secret-in-env/fail.json"));
    let out = check_image(&image, &options(tmp.path())).unwrap();
    assert_eq!(lines(&out, "image-secret-in-env").len(), 4);
    let leaky = lines(&out, "leaky.deny");
    assert!(
        leaky.contains(&"high oci-dir:app:1.0: env entry DB_PASSWORD=***".to_owned()),
        "{leaky:#?}"
    );
    // Values of variables that are not secrets stay readable.
    assert!(
        leaky.contains(&"high oci-dir:app:1.0: env entry PATH=/usr/bin:/bin".to_owned()),
        "{leaky:#?}"
    );
    let r = report(&out);
    for text in [
        vouch_report::render::json(&r),
        vouch_report::render::sarif(&r),
        vouch_report::render::table(&r),
        vouch_report::render::gitlab_code_quality(&r),
    ] {
        for secret in SECRET_VALUES {
            assert!(!text.contains(secret), "{secret} printed in:\n{text}");
        }
    }
}

#[test]
fn locations_are_the_reference_and_the_place_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let image = load(&fixtures().join("image-setuid-file/fail.json"));
    let out = check_image(&image, &options(tmp.path())).unwrap();
    let r = report(&out);
    let sarif: Value = serde_json::from_str(&vouch_report::render::sarif(&r)).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|res| res["ruleId"] == "image-setuid-file")
        .map(|res| {
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"oci-dir:app:1.0#/usr/bin/passwd"),
        "{uris:?}"
    );
    let json: Value = serde_json::from_str(&vouch_report::render::json(&r)).unwrap();
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"oci-dir:app:1.0#/app/helper"), "{paths:?}");
    // The halves of the location are properties too.
    let helper_json = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "oci-dir:app:1.0#/app/helper")
        .unwrap();
    assert_eq!(helper_json["properties"]["image"], "oci-dir:app:1.0");
    assert_eq!(helper_json["properties"]["place"], "/app/helper");
    assert_eq!(helper_json["properties"]["kind"], "image");
    let table = vouch_report::render::table(&r);
    assert!(table.contains("oci-dir:app:1.0#/usr/bin/wall"), "{table}");
    // The per-finding severity the rule computed is what SARIF reports.
    let helper = out
        .findings
        .iter()
        .find(|f| f.location.as_ref().unwrap().path.ends_with("#/app/helper"))
        .unwrap();
    assert_eq!(helper.severity, Severity::Medium);
    // The rules' metadata is there for SARIF's driver.
    assert!(out.rules.iter().any(|m| m.id == "image-setuid-file"
        && m.help_uri.as_deref() == Some("docs/rules/image-setuid-file.md")));
}

#[test]
fn ignore_file_entries_apply_by_rule_and_location_and_expire() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".vouch")).unwrap();
    std::fs::write(
        tmp.path().join(".vouch/ignore.toml"),
        r#"[[ignore]]
rule = "image-setuid-file"
path = "*#/usr/bin/passwd"
reason = "passwd keeps its setuid bit"
expires = "2027-06-30"

[[ignore]]
rule = "image-runs-as-root"
reason = "old waiver"
expires = "2026-01-01"
"#,
    )
    .unwrap();
    let image = load(&fixtures().join("image-setuid-file/fail.json"));
    let out = check_image(&image, &options(tmp.path())).unwrap();
    let suppressed: Vec<(&str, &str)> = out
        .findings
        .iter()
        .filter_map(|f| {
            f.suppressed
                .as_ref()
                .map(|s| (f.location.as_ref().unwrap().path.as_str(), s.kind.as_str()))
        })
        .collect();
    assert_eq!(
        suppressed,
        vec![("oci-dir:app:1.0#/usr/bin/passwd", "ignore-file")]
    );
    let wall = out
        .findings
        .iter()
        .find(|f| {
            f.location
                .as_ref()
                .unwrap()
                .path
                .ends_with("#/usr/bin/wall")
        })
        .unwrap();
    assert!(wall.suppressed.is_none());
    // The expired entry suppresses nothing and is reported, as for a folder.
    assert_eq!(
        lines(&out, "ignore-expired"),
        vec![
            "medium .vouch/ignore.toml: ignore entry for `image-runs-as-root` expired on 2026-01-01 and no longer suppresses anything"
                .to_owned()
        ]
    );
}

fn with_base(base: Option<&str>) -> ImageInput {
    let mut image = load(&fixtures().join("image-runs-as-root/pass.json"));
    image.base = base.map(str::to_owned);
    image
}

#[test]
fn allow_list_comes_from_policy_data_and_the_option_replaces_it() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join(".vouch/policy");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::write(
        policy.join("data.yaml"),
        "image:\n  allowed_registries:\n    - https://Index.Docker.IO/library/\n",
    )
    .unwrap();
    let rule = "image-base-registry-not-allowed";
    let mut opts = ImageOptions::new(tmp.path(), today());
    // Docker Hub's other names fold into docker.io; an entry is a repository prefix.
    let ok = check_image(&with_base(Some("debian:12")), &opts).unwrap();
    assert!(lines(&ok, rule).is_empty(), "{:?}", lines(&ok, rule));
    let bad = check_image(&with_base(Some("docker.io/bitnami/redis:7")), &opts).unwrap();
    assert_eq!(
        lines(&bad, rule),
        vec![
            "medium oci-dir:app:1.0#annotations[\"org.opencontainers.image.base.name\"]: base image docker.io/bitnami/redis:7 is from registry docker.io, which is not on the allow-list (docker.io/library)"
                .to_owned()
        ]
    );
    // The option replaces the data's list.
    opts.allowed_base_registries = vec!["quay.io".into()];
    let replaced = check_image(&with_base(Some("debian:12")), &opts).unwrap();
    assert_eq!(
        lines(&replaced, rule),
        vec![
            "medium oci-dir:app:1.0#annotations[\"org.opencontainers.image.base.name\"]: base image debian:12 is from registry docker.io, which is not on the allow-list (quay.io)"
                .to_owned()
        ]
    );
    // With an allow-list, an image that does not record its base is a finding, not a pass.
    let unknown = check_image(&with_base(None), &opts).unwrap();
    assert_eq!(
        lines(&unknown, rule),
        vec![
            "medium oci-dir:app:1.0#annotations[\"org.opencontainers.image.base.name\"]: base image is not recorded (no org.opencontainers.image.base.name label or annotation), so it cannot be checked against the allow-list"
                .to_owned()
        ]
    );
}

#[test]
fn without_an_allow_list_the_base_rule_does_not_fire() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = ImageOptions::new(tmp.path(), today());
    for base in [Some("docker.io/library/debian:12"), None] {
        let out = check_image(&with_base(base), &opts).unwrap();
        assert!(lines(&out, "image-base-registry-not-allowed").is_empty());
    }
}

#[test]
fn policy_data_may_not_use_the_reserved_vouch_key() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join(".vouch/policy");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::write(policy.join("data.json"), r#"{"vouch": {"image": {}}}"#).unwrap();
    let err = check_image(&with_base(None), &ImageOptions::new(tmp.path(), today())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "policy data {}: the key `vouch` is reserved for vouch's own settings; use another name",
            policy.join("data.json").display()
        )
    );
}

#[test]
fn a_data_file_in_a_subfolder_lands_at_that_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join(".vouch/policy");
    std::fs::create_dir_all(policy.join("image")).unwrap();
    std::fs::write(
        policy.join("image/data.json"),
        r#"{"allowed_registries": ["ghcr.io"]}"#,
    )
    .unwrap();
    let out = check_image(
        &with_base(Some("docker.io/library/debian:12")),
        &ImageOptions::new(tmp.path(), today()),
    )
    .unwrap();
    assert_eq!(lines(&out, "image-base-registry-not-allowed").len(), 1);
}

#[test]
fn user_policies_see_the_image_input_and_place_findings_with_path() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join(".vouch/policy");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::write(
        policy.join("labels.rego"),
        r#"package org.labels

deny contains {"msg": "image has no org.opencontainers.image.source label", "path": "config.Labels"} if {
	input.kind == "image"
	not input.image.config.labels["org.opencontainers.image.source"]
}
"#,
    )
    .unwrap();
    let out = check_image(&with_base(None), &ImageOptions::new(tmp.path(), today())).unwrap();
    assert_eq!(
        lines(&out, "org.labels.deny"),
        vec![
            "high oci-dir:app:1.0#config.Labels: image has no org.opencontainers.image.source label"
                .to_owned()
        ]
    );
}

#[test]
fn builtin_off_runs_only_user_policies() {
    let tmp = tempfile::tempdir().unwrap();
    let mut opts = ImageOptions::new(tmp.path(), today());
    opts.check.builtin = false;
    let image = load(&fixtures().join("image-runs-as-root/fail.json"));
    let out = check_image(&image, &opts).unwrap();
    assert!(out.findings.is_empty(), "{:?}", out.findings);
}

#[test]
fn an_image_over_the_history_limit_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut image = with_base(None);
    image.history = vec![Default::default(); MAX_HISTORY + 1];
    let err = check_image(&image, &ImageOptions::new(tmp.path(), today())).unwrap_err();
    assert!(
        matches!(
            &err,
            CheckError::Image(vouch_policy::ImageCheckError::Input(
                ImageInputError::TooManyHistoryEntries { count, .. }
            )) if *count == MAX_HISTORY + 1
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "image oci-dir:app:1.0: {} history entries is over the limit of {MAX_HISTORY}",
            MAX_HISTORY + 1
        )
    );
}

/// The ImageInput of a Docker/OCI image config file (what the image reader will hand over), with
/// no files: only config, history and the base name.
fn from_config(reference: &str, config: &Value, base: Option<String>) -> ImageInput {
    let c = &config["config"];
    let strings = |v: &Value| -> Option<Vec<String>> {
        v.as_array().map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
    };
    ImageInput {
        reference: reference.to_owned(),
        manifest_digest: format!("sha256:{}", "0".repeat(64)),
        os: None,
        config: ImageConfig {
            user: c["User"].as_str().map(str::to_owned),
            env: strings(&c["Env"]).unwrap_or_default(),
            exposed_ports: c["ExposedPorts"]
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default(),
            entrypoint: strings(&c["Entrypoint"]),
            cmd: strings(&c["Cmd"]),
            working_dir: c["WorkingDir"].as_str().map(str::to_owned),
            labels: c["Labels"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default(),
            stop_signal: c["StopSignal"].as_str().map(str::to_owned),
        },
        history: config["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| vouch_policy::input::image::History {
                created_by: h["created_by"].as_str().map(str::to_owned),
                comment: h["comment"].as_str().map(str::to_owned),
                empty_layer: h["empty_layer"].as_bool().unwrap_or(false),
            })
            .collect(),
        base,
        files: Vec::new(),
    }
}

#[test]
fn real_anchore_engine_config() {
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("real/anchore-engine-config.json")).unwrap(),
    )
    .unwrap();
    let image = from_config("docker-archive:anchore-engine.tar", &config, None);
    let tmp = tempfile::tempdir().unwrap();
    let out = check_image(&image, &ImageOptions::new(tmp.path(), today())).unwrap();
    let env = &image.config.env;
    let at = |name: &str| {
        env.iter()
            .position(|e| e.starts_with(&format!("{name}=")))
            .unwrap()
    };
    // Two real credentials with values; `ANCHORE_AUTH_SECRET=null`, `*_URL`, `*_EXPIRATION`,
    // `…_AUTH=false` and `AUTHLIB_…` are not.
    assert_eq!(
        lines(&out, "image-secret-in-env"),
        vec![
            format!(
                "high docker-archive:anchore-engine.tar#config.Env[{}]: Env sets ANCHORE_ADMIN_PASSWORD, which looks like a secret (value not shown)",
                at("ANCHORE_ADMIN_PASSWORD")
            ),
            format!(
                "high docker-archive:anchore-engine.tar#config.Env[{}]: Env sets ANCHORE_CLI_PASS, which looks like a secret (value not shown)",
                at("ANCHORE_CLI_PASS")
            ),
        ]
    );
    // `User: anchore:anchore` is a named user; port 8228 is not SSH; the classic builder's
    // history has no remote ADD and no pipe to a shell.
    for rule in [
        "image-runs-as-root",
        "image-ssh-port-exposed",
        "image-add-remote-url",
        "image-curl-pipe-shell",
    ] {
        assert!(
            lines(&out, rule).is_empty(),
            "{rule}: {:?}",
            lines(&out, rule)
        );
    }
    let json = vouch_report::render::json(&report(&out));
    assert!(!json.contains("foobar"), "{json}");
}

#[test]
fn real_index_annotation_names_the_base() {
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("real/regclient-index-b3.json")).unwrap(),
    )
    .unwrap();
    let base = index["annotations"]["org.opencontainers.image.base.name"]
        .as_str()
        .map(str::to_owned);
    let mut image = with_base(None);
    image.base = base;
    let tmp = tempfile::tempdir().unwrap();
    let allowed = check_image(&image, &options(tmp.path())).unwrap();
    assert!(lines(&allowed, "image-base-registry-not-allowed").is_empty());
    let mut opts = options(tmp.path());
    opts.allowed_base_registries = vec!["ghcr.io".into()];
    let denied = check_image(&image, &opts).unwrap();
    assert_eq!(
        lines(&denied, "image-base-registry-not-allowed"),
        vec![
            "medium oci-dir:app:1.0#annotations[\"org.opencontainers.image.base.name\"]: base image registry.example.org/testrepo:b3 is from registry registry.example.org, which is not on the allow-list (ghcr.io)"
                .to_owned()
        ]
    );
}

#[test]
fn setuid_bits_on_hard_links_count_and_on_folders_do_not() {
    let tmp = tempfile::tempdir().unwrap();
    let mut image = with_base(None);
    image.files.push(ImageFile {
        path: "usr/bin/chfn".into(),
        kind: ImageFileKind::Hardlink,
        mode: 0o4755,
        uid: 0,
        gid: 0,
        size: 0,
        link: Some("usr/bin/chsh".into()),
        layer: 1,
    });
    let out = check_image(&image, &options(tmp.path())).unwrap();
    assert_eq!(
        lines(&out, "image-setuid-file"),
        vec![
            "info oci-dir:app:1.0#/usr/bin/chfn: setuid file /usr/bin/chfn (mode 4755, owner 0:0)"
                .to_owned()
        ]
    );
}

#[test]
fn two_data_files_that_disagree_are_an_error_naming_the_second() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join(".vouch/policy");
    std::fs::create_dir_all(policy.join("image")).unwrap();
    std::fs::write(
        policy.join("data.yaml"),
        "image:\n  allowed_registries: [ghcr.io]\n",
    )
    .unwrap();
    std::fs::write(
        policy.join("image/data.json"),
        r#"{"allowed_registries": ["quay.io"]}"#,
    )
    .unwrap();
    let err = check_image(&with_base(None), &ImageOptions::new(tmp.path(), today())).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "policy data {}: ",
            policy.join("image/data.json").display()
        )),
        "{text}"
    );
}

#[test]
fn a_data_file_that_is_not_a_mapping_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join(".vouch/policy");
    std::fs::create_dir_all(&policy).unwrap();
    std::fs::write(policy.join("data.yml"), "- ghcr.io\n").unwrap();
    let err = check_image(&with_base(None), &ImageOptions::new(tmp.path(), today())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "policy data {}: expected a mapping at the top",
            policy.join("data.yml").display()
        )
    );
}

#[test]
fn a_distribution_sized_image_is_checked_whole() {
    // 60,000 entries (a Debian + Python + Node image holds about that many): every rule still
    // sees every file, and the setuid files among them are all listed.
    let tmp = tempfile::tempdir().unwrap();
    let mut image = with_base(None);
    for i in 0..60_000u32 {
        image.files.push(ImageFile {
            path: format!("usr/lib/python3/dist-packages/pkg{}/module{i}.py", i % 700),
            kind: ImageFileKind::File,
            mode: if i % 10_000 == 0 { 0o4755 } else { 0o644 },
            uid: 0,
            gid: 0,
            size: 100,
            link: None,
            layer: 1,
        });
    }
    image.files.push(ImageFile {
        path: "usr/bin/dash".into(),
        kind: ImageFileKind::File,
        mode: 0o755,
        uid: 0,
        gid: 0,
        size: 100,
        link: None,
        layer: 0,
    });
    let started = std::time::Instant::now();
    let out = check_image(&image, &options(tmp.path())).unwrap();
    eprintln!("60,001 files checked in {:?}", started.elapsed());
    assert_eq!(lines(&out, "image-setuid-file").len(), 6);
    assert_eq!(
        lines(&out, "image-shell-present"),
        vec![
            "info oci-dir:app:1.0#/usr/bin/dash: shell present in the final image: /usr/bin/dash"
                .to_owned()
        ]
    );
}

#[test]
fn trivyignore_and_dockleignore_codes_suppress_the_image_rule_of_the_same_meaning() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(".trivyignore"), "# triaged\nDS002\n").unwrap();
    std::fs::write(
        tmp.path().join(".dockleignore"),
        "CIS-DI-0006 # healthcheck: no vouch rule\ncis-di-0008\n",
    )
    .unwrap();
    let mut image = load(&fixtures().join("image-setuid-file/fail.json"));
    image.config.user = Some("root".into());
    image.config.exposed_ports = vec!["22/tcp".into()];
    let out = check_image(&image, &ImageOptions::new(tmp.path(), today())).unwrap();
    let mut seen: Vec<(String, Option<String>)> = out
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.clone(),
                f.suppressed
                    .as_ref()
                    .map(|s| format!("{}: {}", s.kind, s.reason)),
            )
        })
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        vec![
            (
                "image-runs-as-root".to_owned(),
                Some(
                    "trivyignore: .trivyignore:2 `DS002` (AVD-DS-0002 is image-runs-as-root)"
                        .to_owned()
                )
            ),
            (
                "image-setuid-file".to_owned(),
                Some(
                    "dockleignore: .dockleignore:2 `CIS-DI-0008` (CIS-DI-0008 is image-setuid-file)"
                        .to_owned()
                )
            ),
            ("image-ssh-port-exposed".to_owned(), None),
        ]
    );
}

#[test]
fn real_history_entries_split_into_their_instruction() {
    let text = std::fs::read_to_string(fixtures().join("real/created-by.tsv")).unwrap();
    let mut problems = Vec::new();
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (created_by, expected) = (cols[0], cols[1]);
        let got = vouch_policy::input::image::Step::parse(created_by).instruction;
        let want = (expected != "-").then(|| expected.to_owned());
        if got != want {
            problems.push(format!("{created_by:?}: expected {want:?}, got {got:?}"));
        }
        n += 1;
    }
    assert!(n >= 19, "{n} rows");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn real_classic_builder_run_steps_give_their_script_without_build_arguments() {
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("real/anchore-engine-config.json")).unwrap(),
    )
    .unwrap();
    let image = from_config("docker-archive:anchore-engine.tar", &config, None);
    let doc = vouch_policy::input::image::normalise(&image).unwrap();
    let history = doc["image"]["history"].as_array().unwrap();
    let runs: Vec<&str> = history
        .iter()
        .filter(|h| h["instruction"] == "RUN")
        .map(|h| h["script"].as_str().unwrap())
        .collect();
    assert_eq!(runs.len(), 3, "{runs:?}");
    for script in &runs {
        assert!(script.starts_with("set -ex &&"), "{script}");
        assert!(!script.contains("ANCHORE_COMMIT="), "{script}");
    }
    // The two entries without `created_by` (an import and an unnamed step) have no instruction;
    // every other one is recognised.
    let unknown = history
        .iter()
        .filter(|h| h["instruction"].is_null())
        .count();
    assert_eq!(unknown, 2);
}
