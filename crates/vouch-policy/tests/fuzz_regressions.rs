//! Inputs saved from fuzzing (tests/fixtures/fuzz/README.md) replayed through every normaliser,
//! the shell splitter, the YAML loader and the YAML line index: none may panic.

use std::path::Path;

use vouch_policy::input::{Context, FileKind, normalise};

const KINDS: &[FileKind] = &[
    FileKind::Dockerfile,
    FileKind::GitlabCi,
    FileKind::GithubWorkflow,
    FileKind::GithubAction,
    FileKind::Kubernetes,
    FileKind::Compose,
    FileKind::Npmrc,
    FileKind::PipConf,
    FileKind::Pyproject,
    FileKind::Requirements,
    FileKind::PackageJson,
    FileKind::PackageLock,
    FileKind::YarnLock,
    FileKind::Terraform,
    FileKind::TerraformPlan,
];

#[test]
fn saved_fuzz_inputs_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for kind in KINDS {
            let _ = normalise(*kind, "x", &bytes, &Context::default());
        }
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = vouch_policy::shell::split(s);
            let _ = vouch_yaml::load_all(s);
            let _ = vouch_yaml::LineIndex::build(s);
        }
        n += 1;
    }
    assert!(n > 0, "no saved inputs in {}", dir.display());
}
