//! The CI environment → [`BuildContext`] mapping behind `vouch attest provenance`: GitLab CI
//! and GitHub Actions variables, or a local build described by its git checkout. Pure: the
//! environment comes in as a map and the time as an argument; this crate never reads
//! `std::env` or the clock (the binary does, and reads the checkout through gix).
//!
//! ```
//! use std::collections::BTreeMap;
//! use vouch_attest::ci;
//! use vouch_attest::slsa::CiSystem;
//! let env = BTreeMap::from([
//!     ("GITHUB_ACTIONS".to_owned(), "true".to_owned()),
//!     ("GITHUB_REPOSITORY".to_owned(), "acme/api".to_owned()),
//! ]);
//! let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
//! let ctx = ci::context(&env, now, None, "linux-x86_64");
//! assert_eq!(ctx.system, CiSystem::GithubActions);
//! assert_eq!(ctx.repository.as_deref(), Some("https://github.com/acme/api"));
//! ```

use std::collections::BTreeMap;

use crate::slsa::{BuildContext, CiSystem, Runner};

/// Every environment variable [`context`] reads: the caller passes these (and only these,
/// none of them secret) in the map.
pub const VARIABLES: &[&str] = &[
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_REF_PROTECTED",
    "CI_COMMIT_SHA",
    "CI_CONFIG_PATH",
    "CI_JOB_ID",
    "CI_JOB_IMAGE",
    "CI_JOB_NAME",
    "CI_JOB_STARTED_AT",
    "CI_PIPELINE_ID",
    "CI_PIPELINE_SOURCE",
    "CI_PROJECT_URL",
    "CI_RUNNER_DESCRIPTION",
    "CI_RUNNER_EXECUTABLE_ARCH",
    "CI_RUNNER_ID",
    "CI_RUNNER_TAGS",
    "CI_RUNNER_VERSION",
    "CI_SERVER_URL",
    "CI_SERVER_VERSION",
    "GITHUB_ACTIONS",
    "GITHUB_EVENT_NAME",
    "GITHUB_JOB",
    "GITHUB_REF",
    "GITHUB_REF_PROTECTED",
    "GITHUB_REPOSITORY",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_RUN_ID",
    "GITHUB_SERVER_URL",
    "GITHUB_SHA",
    "GITHUB_WORKFLOW_REF",
    "GITLAB_CI",
    "ImageOS",
    "ImageVersion",
    "RUNNER_ARCH",
    "RUNNER_ENVIRONMENT",
    "RUNNER_NAME",
    "RUNNER_OS",
];

/// What the local checkout says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalGit {
    pub commit: Option<String>,
    pub git_ref: Option<String>,
    pub remote: Option<String>,
}

/// Build the context from the environment variables `env` (GitLab CI, GitHub Actions, or
/// neither: a local build described by `git` and `platform`, e.g. `linux-x86_64`), with
/// `now` as the build's finish time. Empty variables count as unset.
pub fn context(
    env: &BTreeMap<String, String>,
    now: jiff::Timestamp,
    git: Option<LocalGit>,
    platform: &str,
) -> BuildContext {
    let v = |k: &str| {
        debug_assert!(VARIABLES.contains(&k), "{k} is missing from VARIABLES");
        env.get(k).filter(|s| !s.is_empty()).cloned()
    };
    let env_map = |keys: &[&str]| -> BTreeMap<String, String> {
        keys.iter()
            .filter_map(|k| v(k).map(|val| ((*k).to_owned(), val)))
            .collect()
    };
    if v("GITLAB_CI").is_some() || v("CI_PIPELINE_ID").is_some() {
        // Credentials never reach an attestation: userinfo removed, credential query values masked.
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
        environment: BTreeMap::from([("os".to_owned(), platform.to_owned())]),
        started_on: None,
        finished_on: Some(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
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
            "linux-x86_64",
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
        let p = crate::slsa::build(&ctx, vec![]);
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
            "linux-x86_64",
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
    fn a_local_build_is_described_by_the_checkout_and_platform() {
        let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let git = LocalGit {
            commit: Some("c0ffee".into()),
            git_ref: Some("refs/heads/main".into()),
            remote: Some("https://example.com/x.git".into()),
        };
        // Empty CI variables count as unset.
        let ctx = context(&env(&[("GITLAB_CI", "")]), now, Some(git), "linux-x86_64");
        assert_eq!(ctx.system, CiSystem::Local);
        assert_eq!(ctx.commit.as_deref(), Some("c0ffee"));
        assert_eq!(ctx.repository.as_deref(), Some("https://example.com/x.git"));
        assert_eq!(ctx.environment["os"], "linux-x86_64");
        assert_eq!(ctx.finished_on, Some(now));
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
}
