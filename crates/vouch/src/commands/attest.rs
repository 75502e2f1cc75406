//! `vouch attest provenance|sbom`: the edge that reads CI environment, the git checkout and the
//! clock, builds a typed [`BuildContext`] and hands it to the libraries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_attest::Statement;
use vouch_attest::slsa::{self, BuildContext, CiSystem, Runner};
use vouch_attest::statement::Subject;

use super::evidence;
use crate::cli::{AttestCommand, AttestProvenanceArgs, AttestSbomArgs};
use crate::exit::ExitStatus;

pub fn run(cmd: AttestCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        AttestCommand::Provenance(args) => provenance(args),
        AttestCommand::Sbom(args) => sbom(args),
    }
}

fn subjects(paths: &[PathBuf]) -> anyhow::Result<Vec<Subject>> {
    paths
        .iter()
        .map(|p| {
            let bytes = crate::files::read(p, "subject", crate::files::MAX_ARTIFACT)?;
            let name = p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            Ok(Subject::sha256(
                name,
                vouch_digest::Digest::sha256(&bytes).hex(),
            ))
        })
        .collect()
}

fn write_jsonl(path: &Path, bundle: &vouch_sign::Bundle) -> anyhow::Result<()> {
    let mut line = serde_json::to_string(bundle.json())?;
    line.push('\n');
    crate::output::write_atomic(path, line.as_bytes())
}

fn provenance(args: AttestProvenanceArgs) -> anyhow::Result<ExitStatus> {
    let key = evidence::signing_key(&args.key)?;
    let subject = subjects(&args.subject)?;
    let deps = match &args.sbom {
        Some(p) => {
            let bytes = crate::files::read(p, "sbom", crate::files::MAX_EVIDENCE)?;
            vouch_attest::sbom::locked_dependencies(&bytes)
                .with_context(|| format!("could not read sbom {}", p.display()))?
                .1
        }
        None => Vec::new(),
    };
    let now = crate::clock::now()?;
    let git = std::env::current_dir().ok().and_then(|d| local_git(&d));
    let ctx = context(&|k| std::env::var(k).ok(), now, git);
    let predicate = slsa::build(&ctx, deps);
    let statement = Statement::new(
        subject,
        slsa::PROVENANCE_V1,
        serde_json::to_value(&predicate)?,
    );
    let bundle = vouch_sign::sign::sign_statement(&key, &statement)?;
    write_jsonl(&args.output, &bundle)?;
    eprintln!(
        "wrote SLSA provenance ({:?} build, {} subject(s), {} resolved dependencies) to {}",
        ctx.system,
        statement.subject.len(),
        predicate.build_definition.resolved_dependencies.len(),
        args.output.display()
    );
    Ok(ExitStatus::Success)
}

fn sbom(args: AttestSbomArgs) -> anyhow::Result<ExitStatus> {
    let key = evidence::signing_key(&args.key)?;
    let subject = subjects(&args.subject)?;
    let bytes = crate::files::read(&args.sbom, "sbom", crate::files::MAX_EVIDENCE)?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("sbom {} is not json", args.sbom.display()))?;
    let format = vouch_attest::sbom::detect(&doc)
        .with_context(|| format!("could not read sbom {}", args.sbom.display()))?;
    let statement = Statement::new(subject, vouch_attest::sbom::predicate_type(&format), doc);
    let bundle = vouch_sign::sign::sign_statement(&key, &statement)?;
    write_jsonl(&args.output, &bundle)?;
    eprintln!(
        "wrote SBOM attestation ({}) to {}",
        vouch_attest::sbom::predicate_type(&format),
        args.output.display()
    );
    Ok(ExitStatus::Success)
}

/// What the local checkout says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalGit {
    pub commit: Option<String>,
    pub git_ref: Option<String>,
    pub remote: Option<String>,
}

/// Read HEAD (commit and branch) and the `origin` fetch URL of the git checkout containing
/// `start`, through gix (no `git` process). `None` outside a repository.
pub fn local_git(start: &Path) -> Option<LocalGit> {
    let repo = gix::discover(start).ok()?;
    let head = repo.head().ok()?;
    Some(LocalGit {
        commit: head.id().map(|id| id.to_string()),
        git_ref: head.referent_name().map(|n| n.as_bstr().to_string()),
        remote: repo
            .find_remote("origin")
            .ok()
            .and_then(|r| {
                r.url(gix::remote::Direction::Fetch)
                    .map(|u| u.to_bstring().to_string())
            })
            // Credentials never reach an attestation.
            .map(|u| vouch_url::strip_credentials(&u).into_owned()),
    })
}

/// Build the context from environment variables (`var`), the clock and the local checkout.
pub fn context(
    var: &dyn Fn(&str) -> Option<String>,
    now: jiff::Timestamp,
    git: Option<LocalGit>,
) -> BuildContext {
    let v = |k: &str| var(k).filter(|s| !s.is_empty());
    let env_map = |keys: &[&str]| -> BTreeMap<String, String> {
        keys.iter()
            .filter_map(|k| v(k).map(|val| ((*k).to_owned(), val)))
            .collect()
    };
    if v("GITLAB_CI").is_some() || v("CI_PIPELINE_ID").is_some() {
        let project = v("CI_PROJECT_URL").map(|u| vouch_url::strip_credentials(&u).into_owned());
        let started = v("CI_JOB_STARTED_AT").and_then(|s| s.parse::<jiff::Timestamp>().ok());
        let builder_id = match (&project, v("CI_RUNNER_ID")) {
            (Some(p), Some(r)) => format!("{p}/-/runners/{r}"),
            _ => v("CI_SERVER_URL").unwrap_or_else(|| "https://gitlab.com".into()) + "/-/runners",
        };
        let invocation_id = match (&project, v("CI_PIPELINE_ID"), v("CI_JOB_ID")) {
            (Some(p), Some(pl), Some(j)) => Some(format!("{p}/-/pipelines/{pl}/jobs/{j}")),
            (_, Some(pl), Some(j)) => Some(format!("pipeline/{pl}/job/{j}")),
            _ => None,
        };
        return BuildContext {
            system: CiSystem::GitlabCi,
            repository: project,
            git_ref: v("CI_COMMIT_REF_NAME"),
            ref_protected: v("CI_COMMIT_REF_PROTECTED").map(|s| s == "true"),
            commit: v("CI_COMMIT_SHA"),
            config_path: v("CI_CONFIG_PATH").or_else(|| Some(".gitlab-ci.yml".into())),
            builder_id,
            invocation_id,
            runner: Runner {
                id: v("CI_RUNNER_ID"),
                name: v("CI_RUNNER_DESCRIPTION"),
                environment: v("CI_RUNNER_TAGS"),
            },
            environment: env_map(&[
                "CI_SERVER_URL",
                "CI_SERVER_VERSION",
                "CI_RUNNER_VERSION",
                "CI_RUNNER_EXECUTABLE_ARCH",
                "CI_JOB_IMAGE",
                "CI_JOB_NAME",
                "CI_PIPELINE_SOURCE",
            ]),
            started_on: started,
            finished_on: Some(now),
        };
    }
    if v("GITHUB_ACTIONS").is_some() || v("GITHUB_RUN_ID").is_some() {
        let server = v("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
        let repository = v("GITHUB_REPOSITORY").map(|r| format!("{server}/{r}"));
        // GITHUB_WORKFLOW_REF = owner/repo/.github/workflows/x.yml@refs/heads/main
        let config_path = v("GITHUB_WORKFLOW_REF").and_then(|w| {
            let path = w.split('@').next()?.to_owned();
            let repo = v("GITHUB_REPOSITORY").unwrap_or_default();
            Some(
                path.strip_prefix(&format!("{repo}/"))
                    .map_or(path.clone(), str::to_owned),
            )
        });
        let runner_env = v("RUNNER_ENVIRONMENT");
        let invocation_id = match (&repository, v("GITHUB_RUN_ID")) {
            (Some(r), Some(id)) => Some(format!(
                "{r}/actions/runs/{id}/attempts/{}",
                v("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into())
            )),
            _ => None,
        };
        return BuildContext {
            system: CiSystem::GithubActions,
            repository,
            git_ref: v("GITHUB_REF"),
            ref_protected: v("GITHUB_REF_PROTECTED").map(|s| s == "true"),
            commit: v("GITHUB_SHA"),
            config_path,
            builder_id: format!(
                "https://github.com/actions/runner/{}",
                runner_env.clone().unwrap_or_else(|| "github-hosted".into())
            ),
            invocation_id,
            runner: Runner {
                id: None,
                name: v("RUNNER_NAME"),
                environment: runner_env,
            },
            environment: env_map(&[
                "RUNNER_OS",
                "RUNNER_ARCH",
                "ImageOS",
                "ImageVersion",
                "GITHUB_EVENT_NAME",
                "GITHUB_JOB",
            ]),
            started_on: None,
            finished_on: Some(now),
        };
    }
    let git = git.unwrap_or_default();
    BuildContext {
        system: CiSystem::Local,
        repository: git.remote,
        git_ref: git.git_ref,
        ref_protected: None,
        commit: git.commit,
        config_path: None,
        builder_id: "https://vouch.invalid/builders/local".into(),
        invocation_id: None,
        runner: Runner::default(),
        environment: BTreeMap::from([(
            "os".to_owned(),
            format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        )]),
        started_on: None,
        finished_on: Some(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn gitlab_context() {
        let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let ctx = context(
            &env(&[
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_SHA", "abc123"),
                ("CI_PIPELINE_ID", "42"),
                ("CI_JOB_ID", "7"),
                ("CI_RUNNER_ID", "9"),
                ("CI_RUNNER_DESCRIPTION", "shared runner"),
                ("CI_PROJECT_URL", "https://gitlab.example/acme/api"),
                ("CI_SERVER_URL", "https://gitlab.example"),
                ("CI_COMMIT_REF_NAME", "main"),
                ("CI_COMMIT_REF_PROTECTED", "true"),
                ("CI_CONFIG_PATH", ".gitlab-ci.yml"),
            ]),
            now,
            None,
        );
        assert_eq!(ctx.system, CiSystem::GitlabCi);
        assert_eq!(
            ctx.builder_id,
            "https://gitlab.example/acme/api/-/runners/9"
        );
        assert_eq!(
            ctx.invocation_id.as_deref(),
            Some("https://gitlab.example/acme/api/-/pipelines/42/jobs/7")
        );
        assert_eq!(ctx.ref_protected, Some(true));
        let p = slsa::build(&ctx, vec![]);
        assert_eq!(p.source_commit(), Some("abc123"));
        assert_eq!(
            p.source_uri().as_deref(),
            Some("https://gitlab.example/acme/api")
        );
    }

    #[test]
    fn github_context() {
        let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let ctx = context(
            &env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_SHA", "def456"),
                ("GITHUB_RUN_ID", "100"),
                ("GITHUB_RUN_ATTEMPT", "2"),
                ("GITHUB_REPOSITORY", "acme/api"),
                (
                    "GITHUB_WORKFLOW_REF",
                    "acme/api/.github/workflows/release.yml@refs/tags/v1",
                ),
                ("GITHUB_REF", "refs/tags/v1"),
                ("RUNNER_NAME", "GitHub Actions 2"),
                ("RUNNER_ENVIRONMENT", "github-hosted"),
            ]),
            now,
            None,
        );
        assert_eq!(
            ctx.config_path.as_deref(),
            Some(".github/workflows/release.yml")
        );
        assert_eq!(
            ctx.invocation_id.as_deref(),
            Some("https://github.com/acme/api/actions/runs/100/attempts/2")
        );
        assert_eq!(
            ctx.builder_id,
            "https://github.com/actions/runner/github-hosted"
        );
    }

    #[test]
    fn credentials_are_removed_from_remotes() {
        assert_eq!(
            vouch_url::strip_credentials("https://user:tok@gitlab.example/a/b.git"),
            "https://gitlab.example/a/b.git"
        );
        assert_eq!(
            vouch_url::strip_credentials("git@github.com:a/b.git"),
            "git@github.com:a/b.git"
        );
    }

    #[test]
    fn reads_local_checkout() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["remote", "add", "origin", "https://u:p@example.com/x.git"]);
        git(&["commit", "-q", "--allow-empty", "-m", "one"]);
        let head = git(&["rev-parse", "HEAD"]).trim().to_owned();
        let git = local_git(dir.path()).unwrap();
        assert_eq!(git.commit, Some(head));
        assert_eq!(git.git_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(git.remote.as_deref(), Some("https://example.com/x.git"));
    }
}
