//! Nesting depth: YAML (block and flow) and Kubernetes JSON over the limit are refused with the
//! exact line, column and limit; input at the limit is read. Inputs are generated; speed is
//! measured in bench/parse-bounds.sh, never asserted here.

use vouch_policy::input::{Context, FileKind, InputError, normalise};
use vouch_yaml::{self as yaml, YamlError};
use vouch_yaml::{DepthError, MAX_DEPTH};

/// A Kubernetes YAML manifest with `depth` nested flow sequences under `data`.
fn k8s_flow(depth: usize) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// A GitLab CI file whose job `deep` holds `depth` nested block mappings.
fn ci_block(depth: usize) -> String {
    let mut s = String::from("deep:\n");
    for i in 1..=depth {
        s.push_str(&" ".repeat(i));
        s.push_str("a:\n");
    }
    s.push_str(&" ".repeat(depth + 1));
    s.push_str("b: 1\n");
    s
}

fn too_deep(kind: FileKind, path: &str, text: &str) -> DepthError {
    match normalise(kind, path, text.as_bytes(), &Context::default()) {
        Err(InputError::TooDeep(e)) => e,
        other => panic!("{path}: expected a depth error, got {other:?}"),
    }
}

#[test]
fn kubernetes_json_over_the_limit_names_line_column_and_limit() {
    // Levels 1 and 2 are the document and `metadata`; level 129 is the 127th `{"a":`, on line 2.
    let err = too_deep(
        FileKind::Kubernetes,
        "k8s/deep.json",
        &vouch_test::deep_k8s_json(200),
    );
    assert_eq!(
        err,
        DepthError {
            line: 2,
            column: 1 + 126 * 5,
            limit: MAX_DEPTH
        }
    );
    let message = normalise(
        FileKind::Kubernetes,
        "k8s/deep.json",
        vouch_test::deep_k8s_json(200).as_bytes(),
        &Context::default(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        message,
        "nesting deeper than the limit of 128 levels at line 2, column 631"
    );
}

#[test]
fn yaml_flow_over_the_limit_is_refused() {
    // `data:` is level 1's value: `[` number n opens level n + 1, so number 128 opens level 129.
    let err = too_deep(FileKind::Kubernetes, "k8s/deep.yaml", &k8s_flow(300));
    assert_eq!((err.line, err.column, err.limit), (5, 7 + 127, 128));
}

#[test]
fn yaml_block_over_the_limit_is_refused() {
    // Level 1 is the top mapping, level n + 1 the mapping under the n-th key; line n + 1 holds
    // the first key of level n + 1 at column n + 1.
    let err = too_deep(FileKind::GitlabCi, ".gitlab-ci.yml", &ci_block(200));
    assert_eq!((err.line, err.column, err.limit), (129, 129, 128));
}

#[test]
fn input_at_the_limit_is_read() {
    let json = vouch_test::deep_k8s_json(MAX_DEPTH - 2);
    let n = normalise(
        FileKind::Kubernetes,
        "k8s/ok.json",
        json.as_bytes(),
        &Context::default(),
    )
    .unwrap();
    assert_eq!(n.input["k8s"]["resources"][0]["kind"], "ConfigMap");
    let flow = k8s_flow(MAX_DEPTH - 1);
    normalise(
        FileKind::Kubernetes,
        "k8s/ok.yaml",
        flow.as_bytes(),
        &Context::default(),
    )
    .unwrap();
    let block = ci_block(MAX_DEPTH - 2);
    normalise(
        FileKind::GitlabCi,
        ".gitlab-ci.yml",
        block.as_bytes(),
        &Context::default(),
    )
    .unwrap();
}

#[test]
fn the_loader_itself_refuses_with_the_typed_error() {
    let text = format!("{}{}", "{a: ".repeat(129), "}".repeat(129));
    match yaml::load_all(&text) {
        Err(YamlError::TooDeep(e)) => assert_eq!((e.line, e.column), (1, 1 + 128 * 4)),
        other => panic!("expected a depth error, got {other:?}"),
    }
    // One level less is read.
    let text = format!("{}1{}", "{a: ".repeat(128), "}".repeat(128));
    assert_eq!(yaml::load_all(&text).unwrap().len(), 1);
}

#[test]
fn check_dir_reports_the_file_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("k8s")).unwrap();
    std::fs::write(
        dir.path().join("k8s/deep.json"),
        vouch_test::deep_k8s_json(200),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM python:latest\nUSER app\n",
    )
    .unwrap();
    let opts = vouch_policy::Options::new("2026-11-22".parse().unwrap());
    let outcome = vouch_policy::check_dir(dir.path(), &opts).unwrap();
    assert_eq!(
        outcome.errors,
        vec![vouch_policy::FileError {
            path: "k8s/deep.json".into(),
            message: "nesting deeper than the limit of 128 levels at line 2, column 631".into(),
        }]
    );
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.rule_id == "dockerfile-latest-tag")
    );
}

/// The `yaml_load` fuzz target's seeds (fuzz/seeds/yaml_load), each read or refused as expected.
#[test]
fn fuzz_seeds_are_read_or_refused_by_depth() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/yaml_load");
    let expected = [
        ("block-map-200", false),
        ("block-seq-200", false),
        ("flow-map-300", false),
        ("flow-seq-128", true),
        ("flow-seq-300", false),
        ("json-300.json", false),
        ("json-array-129.json", true),
        ("merge-keys", true),
        ("mixed-flow-in-block", false),
        ("unclosed-deep", false),
    ];
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        expected
            .iter()
            .map(|(n, _)| n.to_string())
            .collect::<Vec<_>>()
    );
    for (name, ok) in expected {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        match yaml::load_all(&text) {
            Ok(_) => assert!(ok, "{name}: read, expected a depth error"),
            Err(YamlError::TooDeep(e)) => {
                assert!(!ok, "{name}: {e}");
                assert_eq!(e.limit, MAX_DEPTH);
            }
            Err(e) => panic!("{name}: {e}"),
        }
    }
}
