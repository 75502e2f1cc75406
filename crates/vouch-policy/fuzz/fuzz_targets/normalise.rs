//! Every normaliser on arbitrary bytes: the first byte picks the file kind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_policy::input::{Context, FileKind, normalise};

const KINDS: &[(FileKind, &str)] = &[
    (FileKind::Dockerfile, "Dockerfile"),
    (FileKind::GitlabCi, ".gitlab-ci.yml"),
    (FileKind::GithubWorkflow, ".github/workflows/ci.yml"),
    (FileKind::GithubAction, "action.yml"),
    (FileKind::Kubernetes, "k8s.yaml"),
    (FileKind::Compose, "compose.yaml"),
    (FileKind::Npmrc, ".npmrc"),
    (FileKind::PipConf, "pip.conf"),
    (FileKind::Pyproject, "pyproject.toml"),
    (FileKind::Requirements, "requirements.txt"),
    (FileKind::PackageJson, "package.json"),
    (FileKind::PackageLock, "package-lock.json"),
    (FileKind::YarnLock, "yarn.lock"),
    (FileKind::Terraform, "main.tf"),
    (FileKind::TerraformPlan, "tfplan.json"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let (kind, path) = KINDS[usize::from(first) % KINDS.len()];
    let _ = normalise(kind, path, rest, &Context::default());
    let _ = vouch_policy::input::detect("x.yaml", rest);
});
